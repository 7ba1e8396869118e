"""PDFs built byte by byte for the ingestion attacks: decompression bombs behind each filter
pdfium reads, and encrypted copies (pypdf)."""

from __future__ import annotations

import io

LINE = b"BT /F1 12 Tf 72 720 Td (Press P-100 runs at 80 bar) Tj ET\n"  # one line of text


def flate_bomb_pdf(megabytes: int) -> bytes:
    """A one-page PDF that shows one line of text and whose content stream inflates to
    `megabytes` MB of spaces (valid PDF: white space between operators)."""
    import zlib

    squeeze = zlib.compressobj(9)
    parts = [squeeze.compress(LINE)]
    block = b" " * 1_000_000
    parts += [squeeze.compress(block) for _ in range(megabytes)]
    return one_page_pdf(b"".join([*parts, squeeze.flush()]), b"/FlateDecode")


def lzw_bomb_pdf(blocks: int) -> bytes:
    """A one-page PDF whose LZW content stream decodes to the text line and about 7.4 MB of
    spaces per block: each block clears the table, then codes 32, 258, 259, … 4093 spell
    runs of 1, 2, 3, … 3837 spaces (the table's newest string, each time)."""
    from pypdf._codecs._codecs import LzwCodec

    codes = [256, *LINE, 256]  # the text line as plain codes, then a fresh table
    for _ in range(blocks):
        codes += [256, 32, *range(258, 4094)]
    return one_page_pdf(LzwCodec()._pack_codes_into_bytes([*codes, 257]), b"/LZWDecode")


def one_page_pdf(stream: bytes, filters: bytes) -> bytes:
    """A one-page PDF whose content stream is `stream`, encoded by `filters`."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter %b >>\nstream\n%b\nendstream" % (len(stream), filters, stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%b\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def encrypted(pdf: bytes, user_password: str = "") -> bytes:
    """The same PDF encrypted (AES-128); with an empty user password it opens without one."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
