"""Models are loaded once per training: a replaced model folder is loaded anew at its next
use, a missing one is looked for again at every use."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.loaded import load_model
from assistant.readiness import replaced_folder


def _reader(folder: Path) -> tuple[list[str], Callable[[], str]]:
    loads: list[str] = []
    counter = itertools.count()

    def load() -> str:
        text = (folder / "model.txt").read_text(encoding="utf-8")  # raises while there is none
        loads.append(text)
        return f"{text}#{next(counter)}"

    return loads, load


def _train(folder: Path, text: str) -> None:
    with replaced_folder(folder, ["model.txt"]) as partial:
        (partial / "model.txt").write_text(text, encoding="utf-8")


def test_a_model_trained_again_is_loaded_anew_and_only_then(tmp_path: Path) -> None:
    folder = tmp_path / "intent"
    loads, load = _reader(folder)
    key = ("test-model", folder)
    with pytest.raises(FileNotFoundError):  # not trained yet: no error is kept
        load_model(key, folder, load)
    _train(folder, "first")
    first = load_model(key, folder, load)
    assert first == "first#0" and load_model(key, folder, load) == first
    _train(folder, "second")
    assert load_model(key, folder, load) == "second#1"
    assert load_model(key, folder, load) == "second#1"
    assert loads == ["first", "second"]
