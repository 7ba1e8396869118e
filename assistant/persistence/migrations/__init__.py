"""Alembic migrations of the plant database; `assistant.persistence.db` runs them on start."""
