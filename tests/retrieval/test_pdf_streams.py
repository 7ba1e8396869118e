"""The PDF stream check counts what pdfium would unpack, filter by filter, without keeping it."""

from __future__ import annotations

import random

import pytest
from pypdf._codecs._codecs import LzwCodec
from pypdf.filters import RunLengthDecode

from retrieval.pdf_streams import check_pdf_streams, lzw_size, run_length_size
from tests.conftest import ROOT

REAL_DOCS = ROOT.parent / "shared" / "real-docs"
_NOISE = random.Random(0)


@pytest.mark.parametrize(
    "data",
    [b"", b"HELLO", b" " * 300_000, _NOISE.randbytes(50_000), b"abcabcabd" * 20_000 + b"xyz"],
)
def test_the_lzw_count_is_the_length_pypdf_decodes(data: bytes) -> None:
    encoded = LzwCodec().encode(data)
    assert lzw_size(encoded, 10**9) == len(LzwCodec().decode(encoded)) == len(data)
    if len(data) > 1_000:
        assert 1_000 < lzw_size(encoded, 1_000) < len(data)  # stops just past the budget


def test_the_run_length_count_is_the_length_pypdf_decodes() -> None:
    runs = bytes([2, 65, 66, 67]) + bytes([129, 32]) * 1_000 + bytes([0, 10]) + bytes([128])
    assert run_length_size(runs, 10**9) == len(RunLengthDecode.decode(runs)) == 3 + 128_000 + 1
    assert run_length_size(runs, 500) < 1_000


@pytest.mark.skipif(not REAL_DOCS.is_dir(), reason="../shared/real-docs is absent")
def test_real_pdfs_pass_the_check() -> None:
    pdfs = sorted(REAL_DOCS.glob("*.pdf"))
    assert pdfs
    for path in pdfs:
        check_pdf_streams(path, path.read_bytes(), max_unpacked=10**9, max_ratio=100)
