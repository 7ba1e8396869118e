"""reStructuredText files: sections, tables, Sphinx roles, and nothing pulled in from outside."""

from __future__ import annotations

from pathlib import Path

from retrieval.loaders import load_document

RST = """\
====================
Serial communication
====================

Timing
------
The Modbus RTU standard prescribes a silent period of 3.5 characters. See :ref:`local-echo`
and :doc:`the install guide <install>`.

========== ===============
Baud rate  3.5 characters
========== ===============
9600       4.0 ms
19200      2.0 ms
========== ===============

Wiring
------
* A: inverting line
* B: non-inverting line

.. include:: {secret}

.. raw:: html

   <script>alert(1)</script>

.. unknown-sphinx-directive:: something
"""


def test_rst_sections_tables_and_roles(tmp_path: Path) -> None:
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("the payroll password is hunter2\n", encoding="utf-8")
    path = tmp_path / "docs" / "serial.rst"
    path.parent.mkdir()
    path.write_text(RST.format(secret=secret), encoding="utf-8")

    doc = load_document(path, path.parent)

    sections = {s.heading_path[-1]: s.text for s in doc.sections if s.heading_path}
    assert doc.meta.title == "Serial communication"
    assert list(sections) == ["Timing", "Wiring"]
    assert "| Baud rate | 3.5 characters |" in sections["Timing"]
    assert "| 9600 | 4.0 ms |" in sections["Timing"]
    assert "See local-echo and the install guide." in sections["Timing"]
    assert "A: inverting line" in sections["Wiring"]
    text = "\n".join(s.text for s in doc.sections)
    assert "hunter2" not in text  # `include` is switched off
    assert "script" not in text and "alert" not in text  # so is raw HTML
    assert ":ref:" not in text and "<" not in text
    assert doc.stats.tables == 1
