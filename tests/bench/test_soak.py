"""bench.soak end to end in a quarter of a minute: traffic with an oversized upload and a broken
document, on a small index; every request answered or refused with a message."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.settings import get_settings
from bench.soak import main


def test_a_short_soak_answers_everything_and_refuses_the_bad_files(
    chat_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for kind in ("DOCUMENT", "PHOTO", "MEASUREMENTS"):  # small uploads: a small oversized one
        monkeypatch.setenv(f"PLANT_MAX_{kind}_MB", "2")
    get_settings.cache_clear()
    try:
        tally = main(["--minutes", "0.25", "--sessions", "2", "--no-write"])
    finally:
        get_settings.cache_clear()
    assert tally.errors == []
    assert tally.replies >= 2
    assert tally.refused_uploads >= 1 and tally.refused_documents >= 1
    assert not (chat_data_dir / "documents" / "manual.pdf").exists()  # refused, not kept
