from __future__ import annotations

from pathlib import Path

import pytest

from bench.chat_load import main


def test_signed_in_sessions_get_every_reply_over_the_websocket(
    chat_data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["--sessions", "3", "--messages", "2", "--no-write"])
    printed = capsys.readouterr().out
    assert "| replies | 6 of 6 | all |" in printed
    assert "| errors | 0 | 0 |" in printed
