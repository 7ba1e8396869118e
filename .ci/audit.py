"""Audit requirements.lock with pip-audit; offline-safe.

A known vulnerability in a pinned package fails the run (exit 1) unless it is accepted in
ACCEPTED below with its reason (docs/security.md lists them). When pip-audit cannot reach a
vulnerability database (no internet, a local package mirror without the PyPI JSON API),
nothing can be checked: that is said plainly and the run is not failed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# vulnerability id -> why it is accepted (kept short; the details go in docs/security.md)
ACCEPTED: dict[str, str] = {}


def audit(lock: Path) -> dict[str, object] | None:
    """pip-audit's JSON report of `lock`, or None when pip-audit could not run."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "audit.json"
        command = [sys.executable, "-m", "pip_audit", "-r", str(lock), "--no-deps",
                   "--disable-pip", "--progress-spinner", "off", "-f", "json",
                   "-o", str(out)]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, timeout=600)
        if not out.exists():
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            print(f"pip-audit could not run ({last[:200]}): nothing was audited")
            return None
        return json.loads(out.read_text())  # type: ignore[no-any-return]


def main() -> int:
    lock = ROOT / "requirements.lock"
    report = audit(lock)
    if report is None:
        return 0
    deps = list(report.get("dependencies", []))  # type: ignore[call-overload]
    skipped = [d for d in deps if d.get("skip_reason")]
    found = [
        (d["name"], d["version"], v["id"], v.get("fix_versions", []))
        for d in deps
        for v in d.get("vulns", [])
        if v["id"] not in ACCEPTED
    ]
    audited = len(deps) - len(skipped)
    if audited == 0:
        print(f"pip-audit: its vulnerability database is out of reach here; none of the "
              f"{len(deps)} pinned packages could be audited (not a failure)")  # fmt: skip
        return 0
    print(f"pip-audit: {audited} of {len(deps)} pinned packages audited, "
          f"{len(skipped)} not found in its database")  # fmt: skip
    for name, version, vuln, fixes in found:
        print(f"  {name} {version}: {vuln} (fixed in {', '.join(fixes) or 'no release yet'})")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
