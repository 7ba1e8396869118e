from __future__ import annotations

import pytest

from assistant.ui.history import async_connection, turns_from_steps


def test_async_connection_names_the_async_driver_and_keeps_the_schema() -> None:
    assert async_connection("sqlite:////data/plant.db") == (
        "sqlite+aiosqlite:////data/plant.db",
        {"timeout": 30},
    )
    url, args = async_connection(
        "postgresql+psycopg://u:p%40ss@db:5433/plant?options=-csearch_path%3Dqa"
    )
    assert url == "postgresql+asyncpg://u:p%40ss@db:5433/plant"
    assert args == {"server_settings": {"search_path": "qa"}}
    with pytest.raises(ValueError, match="SQLite or PostgreSQL"):
        async_connection("mysql://u@db/plant")


def test_turns_from_steps_keeps_the_last_user_and_assistant_messages_in_order() -> None:
    steps = [
        {"type": "assistant_message", "output": "E-114 is coolant low [1]", "createdAt": "2"},
        {"type": "user_message", "output": "alarm E-114?", "createdAt": "1"},
        {"type": "tool", "output": "{}", "createdAt": "3"},
        {"type": "user_message", "output": "and on the lathe?", "createdAt": "4"},
        {"type": "user_message", "output": "", "createdAt": "5"},
    ]
    assert turns_from_steps(steps, keep=10) == [
        ("user", "alarm E-114?"),
        ("assistant", "E-114 is coolant low [1]"),
        ("user", "and on the lathe?"),
    ]
    assert turns_from_steps(steps, keep=1) == [("user", "and on the lathe?")]
    assert turns_from_steps(steps, keep=0) == []
