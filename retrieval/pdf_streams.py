"""What a PDF's streams unpack to, counted before pdfium reads them: pdfium holds a page's
content stream whole and has no limit of its own (a 1 MB file whose one stream inflates to
1 GB took it 2.1 GB and 14 s).

pypdf lists the file's streams with their filters and decrypts an encrypted file that opens
without a password (most "protected" manuals only forbid editing or printing). Each stream is
decoded through its Flate, LZW, run-length, ASCII-hex and ASCII-85 filters, in pieces that are
counted and dropped where the filter allows, and the check stops at the first byte past the
limit. Image codecs (DCT, JPX, JBIG2, CCITT) end the count: pdfium decodes images only to draw
a page for OCR. A file pypdf cannot parse is scanned for Flate streams by their keyword.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from retrieval.errors import DocumentLoadError
from retrieval.limits import human_size

_PDF_RATIO_FLOOR = 100_000_000  # the ratio is judged once the streams pass this
_STREAM = re.compile(rb"stream\r?\n")
_IN_CHUNK = 1 << 16
_OUT_CHUNK = 1 << 22
_NAMES = {
    "/FlateDecode": "flate",
    "/Fl": "flate",
    "/LZWDecode": "lzw",
    "/LZW": "lzw",
    "/RunLengthDecode": "run_length",
    "/RL": "run_length",
    "/ASCIIHexDecode": "hex",
    "/AHx": "hex",
    "/ASCII85Decode": "a85",
    "/A85": "a85",
}


def check_pdf_streams(path: Path, data: bytes, max_unpacked: int, max_ratio: float) -> None:
    """Refuse a PDF whose streams would unpack to more than `max_unpacked` bytes, or (past
    100 MB) to more than `max_ratio` times the file, and a PDF that needs a password."""
    limit = min(max_unpacked, max(_PDF_RATIO_FLOOR, int(max_ratio * len(data))))
    streams, total = _streams(path, data), 0
    if streams is None:
        view = memoryview(data)
        for match in _STREAM.finditer(data):
            total += _inflated_size(view, match.end(), limit - total)
            if total > limit:
                break
    else:
        for filters, raw in streams:
            total += _unpacked_size(filters, raw, limit - total)
            if total > limit:
                break
    if total > limit:
        why = (
            f"more than {human_size(max_unpacked)} (the limit for one PDF)"
            if limit == max_unpacked
            else f"more than {max_ratio:g} times its {human_size(len(data))} on disk "
            "(the limit for one PDF): it looks like a decompression bomb"
        )
        raise DocumentLoadError(path, f"has streams that unpack to {why}")


def _streams(path: Path, data: bytes) -> Iterator[tuple[list[str], bytes]] | None:
    """Each stream's filters and its raw (decrypted) bytes, as pypdf reads them; None when
    pypdf cannot list them (then the keyword scan runs)."""
    from pypdf import PdfReader
    from pypdf._configuration import apply_configuration

    with apply_configuration(maximum_declared_stream_length=len(data) + 1):
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            numbers = [
                (num, gen)
                for gen, nums in reader.xref.items()
                for num, offset in nums.items()
                if _may_be_stream(data, offset)
            ]
            encrypted = reader.is_encrypted
        except Exception:
            if b"/Encrypt" in data:  # the keyword scan cannot read encrypted streams
                raise DocumentLoadError(
                    path, "is encrypted and too damaged to be checked; save an unprotected copy"
                ) from None
            return None
        if encrypted:
            _decrypt(path, reader)
        found = []
        for num, gen in numbers:
            try:
                stream = _stream(reader, num, gen)
            except Exception:
                if encrypted:
                    raise DocumentLoadError(
                        path, "is encrypted and one of its streams cannot be read to check it"
                    ) from None
                return None
            if stream is not None:
                found.append(stream)
    return iter(found)


def _may_be_stream(data: bytes, offset: int) -> bool:
    """Whether the object at `offset` has the stream keyword before its end: most objects
    are small dictionaries, and parsing them all would take pypdf a second per megabyte."""
    end = data.find(b"endobj", offset)
    return end < 0 or data.find(b"stream", offset, end) >= 0


def _decrypt(path: Path, reader: Any) -> None:
    """Open an encrypted PDF with the empty password, as a PDF viewer does without asking."""
    try:
        opened = reader.decrypt("")
    except Exception as exc:  # an unknown security handler, a missing cipher
        raise DocumentLoadError(
            path, f"is encrypted in a way that cannot be checked ({exc}); save an unprotected copy"
        ) from exc
    if not opened:
        raise DocumentLoadError(path, "is password-protected; save an unprotected copy")


def _stream(reader: Any, num: int, gen: int) -> tuple[list[str], bytes] | None:
    from pypdf.generic import IndirectObject, StreamObject

    obj = reader.get_object(IndirectObject(num, gen, reader))
    if not isinstance(obj, StreamObject):
        return None
    filters = obj.get("/Filter")
    names = filters.get_object() if filters is not None else []
    names = [str(n) for n in (names if isinstance(names, list) else [names])]
    reader.resolved_objects.pop((gen, num), None)  # keep one stream's bytes at a time
    return names, bytes(obj._data or b"")


def _unpacked_size(filters: list[str], raw: bytes, budget: int) -> int:
    """Bytes a stream unpacks to through its leading text filters, counted to just past
    `budget`. Every stage but the last is decoded whole (all stages count); the last is
    counted without keeping its output. A stage held whole that passes 100 MB counts as past
    the limit (real chains hold a few megabytes there: ASCII-85 text around a Flate stream)."""
    stages = []
    for name in filters:
        if name not in _NAMES:
            break  # an image codec, or one pdfium does not know
        stages.append(_NAMES[name])
    total, stream = 0, raw
    for stage in stages[:-1]:  # held whole, so never past the ratio's floor (100 MB)
        decoded = _decoded(stage, stream, min(budget - total, _PDF_RATIO_FLOOR))
        if decoded is None:
            return budget + 1
        stream, total = decoded, total + len(decoded)
        if total > budget or not stream:
            return total
    if stages:
        total += _counted(stages[-1], stream, budget - total)
    return total


def _decoded(stage: str, stream: bytes, budget: int) -> bytes | None:
    """One filter's output, whole: pypdf's decoders, stopped past `budget` (then None);
    nothing when the data are damaged."""
    from pypdf import filters
    from pypdf._configuration import apply_configuration
    from pypdf.errors import LimitReachedError

    decoders: dict[str, Any] = {
        "flate": filters.FlateDecode,
        "lzw": filters.LZWDecode,
        "run_length": filters.RunLengthDecode,
        "hex": filters.ASCIIHexDecode,
        "a85": filters.ASCII85Decode,
    }
    cap = max(budget, 0) + 1
    try:
        with apply_configuration(
            zlib_maximum_output_length=cap,
            lzw_maximum_output_length=cap,
            run_length_maximum_output_length=cap,
        ):
            return bytes(decoders[stage].decode(stream))
    except LimitReachedError:
        return None
    except Exception:
        return b""  # damaged: pdfium reports what it cannot read


def _counted(stage: str, stream: bytes, budget: int) -> int:
    if stage == "flate":
        return _inflated_size(memoryview(stream), 0, budget)
    if stage == "lzw":
        return lzw_size(stream, budget)
    if stage == "run_length":
        return run_length_size(stream, budget)
    decoded = _decoded(stage, stream, budget)  # hex and ASCII-85: at most 4 times the input
    return budget + 1 if decoded is None else len(decoded)


def _inflated_size(data: memoryview, start: int, budget: int) -> int:
    """How many bytes the zlib stream at `start` inflates to, counted up to just past
    `budget`; 0 when no zlib stream starts there."""
    inflater = zlib.decompressobj()
    total, position = 0, start
    try:
        while not inflater.eof and total <= budget:
            if inflater.unconsumed_tail:
                piece = inflater.unconsumed_tail
            elif position < len(data):
                piece, position = bytes(data[position : position + _IN_CHUNK]), position + _IN_CHUNK
            else:
                break
            total += len(inflater.decompress(piece, _OUT_CHUNK))
    except zlib.error:
        pass  # not Flate (or damaged): pdfium reports what it cannot read
    return total


def lzw_size(data: bytes, budget: int) -> int:
    """Bytes an LZW stream (PDF's variant: 9-12 bit codes, early change) decodes to, counted
    from the lengths of its table's strings, without building them, up to just past `budget`.

    Example:
        >>> lzw_size(bytes([128, 18, 8, 164, 194, 97, 62, 2]), 100)  # "HELLO"
        5
    """
    lengths = [1] * 256 + [0, 0]
    total, bits, buffer, held, previous = 0, 9, 0, 0, -1
    for byte in data:
        buffer, held = (buffer << 8) | byte, held + 8
        while held >= bits:
            held -= bits
            code, buffer = buffer >> held, buffer & ((1 << held) - 1)
            if code == 256:
                del lengths[258:]
                bits, previous = 9, -1
                continue
            if code == 257:
                return total
            if code < len(lengths):
                size = lengths[code]
            elif code == len(lengths) and previous >= 0:
                size = lengths[previous] + 1
            else:
                return total  # damaged
            if previous >= 0 and len(lengths) < 4096:
                lengths.append(lengths[previous] + 1)
                bits = min(12, max(bits, (len(lengths) + 1).bit_length()))
            total += size
            if total > budget:
                return total
            previous = code
    return total


def run_length_size(data: bytes, budget: int) -> int:
    """Bytes a run-length stream decodes to (at most 64 times its size), up to past `budget`.

    Example:
        >>> run_length_size(bytes([2, 65, 66, 67, 254, 68, 128]), 100)
        6
    """
    total, at = 0, 0
    while at < len(data) and total <= budget:
        length = data[at]
        if length == 128:
            break
        if length < 128:
            total, at = total + length + 1, at + length + 2
        else:
            total, at = total + 257 - length, at + 2
    return total
