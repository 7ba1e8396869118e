"""Command-line arguments of the training scripts, the transformers-example way."""

from __future__ import annotations

import logging
import sys
from typing import Any, TypeVar

T = TypeVar("T")


def parse_arguments(kind: type[T], argv: list[str] | None = None) -> T:
    """One `kind` dataclass from flags, or from a single JSON file given as the only argument
    (`python -m finetune.defects args.json`); also sets up INFO logging for the run."""
    from transformers import HfArgumentParser

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    argv = sys.argv[1:] if argv is None else argv
    parser: Any = HfArgumentParser(kind)  # type: ignore[arg-type]
    if len(argv) == 1 and argv[0].endswith(".json"):
        (args,) = parser.parse_json_file(json_file=argv[0])
    else:
        (args,) = parser.parse_args_into_dataclasses(args=argv)
    return args
