from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from PIL import Image

from assistant.capabilities.base import Upload
from assistant.capabilities.uploads import UploadLimits, screen, sniff


def _png(path: Path, size: tuple[int, int] = (8, 8)) -> Path:
    Image.new("RGB", size, "grey").save(path, format="PNG")
    return path


def _xlsx(path: Path) -> Path:
    book = Workbook()
    book.active.append(["x1", "x2"])
    book.active.append([12.0, 12.1])
    book.save(path)
    return path


def test_the_bytes_decide_what_a_file_is_not_its_name(tmp_path: Path) -> None:
    assert sniff(_png(tmp_path / "readings.csv")) == "photo"
    assert sniff(_xlsx(tmp_path / "photo.png")) == "measurements"
    csv = tmp_path / "part.png"
    csv.write_text("x1,x2\n12.0,12.1\n", encoding="utf-8")
    assert sniff(csv) == "measurements"
    column = tmp_path / "values"
    column.write_text("value\n12.0\n12.1\n", encoding="utf-8")
    assert sniff(column) == "measurements"
    pdf = tmp_path / "manual.pdf"
    pdf.write_bytes(b"%PDF-1.7\n...")
    assert sniff(pdf) == "document"


def test_active_content_empty_and_unknown_files_are_refused_with_a_reason(tmp_path: Path) -> None:
    svg = tmp_path / "logo.png"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    assert "SVG" in str(sniff(svg))
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert sniff(empty) == "the file is empty"
    binary = tmp_path / "blob.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    assert "not a photo" in str(sniff(binary))
    archive = tmp_path / "photos.zip"
    import zipfile

    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a.txt", "x")
    assert "archive" in str(sniff(archive))


def test_screen_applies_limits_counts_duplicates_once_and_names_each_refusal(
    tmp_path: Path,
) -> None:
    photos = [_png(tmp_path / f"p{i}.png", (8 + i, 8)) for i in range(6)]
    twice = Upload(photos[0], "p0-again.png")
    uploads = [Upload(p, p.name) for p in photos[:5]] + [twice, Upload(photos[5], "p5.png")]
    kept, refused = screen(uploads, UploadLimits(files_per_message=5))
    assert [u.name for u in kept] == ["p0.png", "p1.png", "p2.png", "p3.png", "p4.png"]
    assert all(u.kind == "photo" for u in kept)
    assert refused == ["p5.png: at most 5 files per message; send the others in another message."]
    big = _png(tmp_path / "big.png", (1500, 1500))
    tiny = UploadLimits(photo_mb=0.001)
    kept, refused = screen([Upload(big, "big.png")], tiny)
    assert kept == [] and "MB allowed for a photo;" in refused[0]
    pdf = tmp_path / "manual.pdf"
    pdf.write_bytes(b"%PDF-1.7\n...")
    kept, refused = screen([Upload(pdf, "manual.pdf")], UploadLimits())
    assert kept == [] and "admin" in refused[0]


def test_a_spreadsheet_sent_under_a_csv_name_is_read_as_a_spreadsheet(tmp_path: Path) -> None:
    sheet = _xlsx(tmp_path / "readings.csv")
    [kept], _ = screen([Upload(sheet, "readings.csv")], UploadLimits())
    assert kept.kind == "measurements" and kept.path.suffix == ".xlsx"
    assert kept.path.read_bytes() == sheet.read_bytes() and kept.name == "readings.csv"
