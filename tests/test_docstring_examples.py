"""Every example in a docstring holds: the examples that document a function run as tests,
so a reader can trust them (they had drifted from the code before they were run)."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("assistant", "retrieval", "finetune", "tools", "knowledge", "bench")
# modules that need the Chainlit app context or Alembic's migration context to import
NOT_IMPORTABLE = ("assistant/ui/", "assistant/app.py", "assistant/persistence/migrations/")


def _modules_with_examples() -> list[str]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative.startswith(NOT_IMPORTABLE) or ">>> " not in path.read_text("utf-8"):
                continue
            found.append(relative.removesuffix(".py").removesuffix("/__init__").replace("/", "."))
    return found


MODULES = _modules_with_examples()


def test_the_documented_modules_are_found() -> None:
    assert "assistant.answering.asked_value" in MODULES
    assert "retrieval.lead_ins" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name: str) -> None:
    module = importlib.import_module(name)
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testmod(module, optionflags=flags, verbose=False, report=True)
    # (an example marked "doctest: +SKIP" needs a model or a running service: not attempted)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} fail"
