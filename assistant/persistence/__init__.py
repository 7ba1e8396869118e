"""SQLModel tables and the queries on them; the engine is made in `db.py`."""
