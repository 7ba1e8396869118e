"""The helpdesk REST API: tickets over HTTP for API tokens, served by the chat server at /api."""

from __future__ import annotations

from assistant.api.app import make_api, mount_first

__all__ = ["make_api", "mount_first"]
