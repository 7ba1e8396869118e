"""Training-script arguments: from flags or from one JSON file."""

from __future__ import annotations

import json
from pathlib import Path

from finetune.arguments import parse_arguments
from finetune.defects import DefectTrainingArguments


def test_flags_and_a_json_file_give_the_same_arguments(tmp_path: Path) -> None:
    from_flags = parse_arguments(
        DefectTrainingArguments, ["--output_dir", "out", "--epochs", "3", "--device", "cpu"]
    )
    config = tmp_path / "args.json"
    config.write_text(json.dumps({"output_dir": "out", "epochs": 3, "device": "cpu"}), "utf-8")
    from_file = parse_arguments(DefectTrainingArguments, [str(config)])
    assert from_flags == from_file
    assert from_file.epochs == 3 and from_file.patience == 3  # unset ones keep their defaults
