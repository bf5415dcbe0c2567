"""Damaged or odd files: an unclosed quote, a workbook whose size is written wrong, amounts
with a formula's binary rounding, a picture given as a placement file."""

import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from amicable.portfolio.core.errors import UnableToReadPlacementFile
from amicable.portfolio.core.placement_rows import iter_placement_rows

HEADER = ["account_number", "first_name", "last_name", "balance"]


def write_csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "placement.csv"
    path.write_text(text, encoding="utf-8")
    return path


def accepted(path: Path) -> list[str]:
    return [row.record.account_number for row in iter_placement_rows(path) if row.record]


def test_a_quote_never_closed_is_reported_with_the_lines_it_swallowed(tmp_path):
    path = write_csv(
        tmp_path,
        ",".join(HEADER) + '\nB1,Ann,Lee,100\nB2,"Bob,Lee,100\nB3,Cat,Poe,100\nB4,Dan,Poe,100\n',
    )

    rows = list(iter_placement_rows(path))

    assert accepted(path) == ["B1"]
    (broken,) = [row for row in rows if row.record is None]
    (issue,) = [i for i in broken.issues if "never closed" in i.message]
    assert broken.row_number == 2 and issue.level == "error"
    assert "lines 3 to 5" in issue.message


def test_a_last_row_with_a_closed_quoted_line_break_is_read_as_it_is(tmp_path):
    path = write_csv(
        tmp_path, ",".join(HEADER) + '\nB1,Ann,Lee,100\nB2,Bob,"Lee\nJr",100\nB3,Cat,"Poe\n"\n'
    )
    rows = list(iter_placement_rows(path))
    assert [r.row_number for r in rows if r.record] == [1, 2]
    assert not any("never closed" in i.message for r in rows for i in r.issues)


def _workbook(tmp_path: Path, rows: list[list[object]]) -> Path:
    path = tmp_path / "written.xlsx"
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def _rewrite_sheet(source: Path, target: Path, change) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            new.writestr(item, data)
    return target


def test_xlsx_rows_beyond_a_stale_dimension_are_read(tmp_path):
    written = _workbook(tmp_path, [[f"D{i}", "Ann", "Lee", 10] for i in range(1, 5)])
    path = _rewrite_sheet(
        written,
        tmp_path / "placement.xlsx",
        lambda xml: xml.replace(b'<dimension ref="A1:D5"', b'<dimension ref="A1:D2"'),
    )
    assert accepted(path) == ["D1", "D2", "D3", "D4"]


def test_xlsx_amounts_with_binary_rounding_read_as_excel_shows_them(tmp_path):
    written = _workbook(tmp_path, [["F1", "Ann", "Lee", 0.3], ["F2", "Bob", "Lee", 1234.5]])
    path = _rewrite_sheet(
        written,
        tmp_path / "placement.xlsx",
        lambda xml: xml.replace(b"<v>0.3</v>", b"<v>0.30000000000000004</v>").replace(
            b"<v>1234.5</v>", b"<v>1234.5000000000002</v>"
        ),
    )
    balances = [row.record and row.record.balance for row in iter_placement_rows(path)]
    assert balances == [Decimal("0.30"), Decimal("1234.50")]


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000a49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)


def test_a_picture_is_refused_as_not_text(tmp_path):
    path = tmp_path / "scan.png"
    path.write_bytes(PNG)
    with pytest.raises(UnableToReadPlacementFile) as refused:
        list(iter_placement_rows(path))
    assert "mixes encodings" not in str(refused.value)
    assert "bytes that are not text" in str(refused.value)


ADDRESS_HEADER = ",".join([*HEADER, "address1"])


def test_a_valid_row_is_not_blamed_for_a_later_rows_unclosed_quote(tmp_path):
    path = write_csv(
        tmp_path,
        ADDRESS_HEADER
        + '\nB1,Ann,Lee,100,"1 Main St\nApt 2"\n'
        + "B2,Bob,Lee,100,2 Main St\n"
        + 'B3,"Cat,Poe,100,3 Main St\n'
        + "B4,Dan,Poe,100,4 Main St\n",
    )
    rows = list(iter_placement_rows(path))
    assert [r.record.account_number for r in rows if r.record] == ["B1", "B2"]
    blamed = [r.row_number for r in rows if any("never closed" in i.message for i in r.issues)]
    assert blamed == [3]


def test_the_strict_reading_happens_once_however_many_rows_break_lines(tmp_path, monkeypatch):
    """Addresses on two lines in the last column are common: the file is not read again for
    each of them (that made big files quadratic)."""
    from amicable.portfolio.core import placement_file

    rows = "".join(f'A{n},Ann,Lee,10,"{n} Main St\nApt {n}"\n' for n in range(300))
    path = write_csv(tmp_path, ADDRESS_HEADER + "\n" + rows)
    calls = []
    real = placement_file.PlacementFile._unclosed_quote

    def counted(self, **kwargs):
        calls.append(kwargs)
        return real(self, **kwargs)

    monkeypatch.setattr(placement_file.PlacementFile, "_unclosed_quote", counted)

    assert len(accepted(path)) == 300
    assert len(calls) <= 1
