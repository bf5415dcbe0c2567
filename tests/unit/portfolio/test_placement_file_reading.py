"""Reading placement files: encodings, CSV quoting, headers, mapping, XLSX, streaming."""

import codecs
import json
import os
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from amicable.portfolio.core.errors import UnableToLoadMapping, UnableToReadPlacementFile
from amicable.portfolio.core.placement_file import (
    STANDARD_COLUMNS,
    RawRow,
    load_mapping,
    normalize_header,
    open_placement_file,
    unreadable_kind,
)

HEADER = "account_number,first_name,last_name,balance"


def write(tmp_path: Path, content: str | bytes, *, name: str = "placement.csv") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def read_rows(path: Path, **kwargs: object) -> list[RawRow]:
    with open_placement_file(path, **kwargs) as placement_file:  # type: ignore[arg-type]
        return list(placement_file.rows())


def filled(row: RawRow) -> dict[str, str]:
    """A row's non-blank cells by column name."""
    return {name: cell for name, cell in row.values.items() if cell}


# --- Encodings ---------------------------------------------------------------------------------

ACCENTED = f"{HEADER}\r\nA1,José,Muñoz,10.00\r\nA2,François,Lefèvre,5\r\nA3,Zoë,Brontë,1\r\n"


@pytest.mark.parametrize(
    ("encoded", "expected_encoding"),
    [
        (ACCENTED.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + ACCENTED.encode("utf-8"), "utf-8-sig"),
        (ACCENTED.encode("utf-16"), "utf-16"),  # Python writes a BOM
        (codecs.BOM_UTF16_BE + ACCENTED.encode("utf-16-be"), "utf-16"),
        (ACCENTED.encode("cp1252"), "cp1252"),
        (ACCENTED.encode("latin-1"), "cp1252"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "cp1252", "latin-1"],
)
def test_supported_encodings_read_the_names_correctly(
    tmp_path: Path, encoded: bytes, expected_encoding: str
) -> None:
    path = write(tmp_path, encoded)
    with open_placement_file(path) as placement_file:
        assert placement_file.encoding == expected_encoding
        assert placement_file.columns == ("account_number", "first_name", "last_name", "balance")
        rows = list(placement_file.rows())
    names = [(row.values["first_name"], row.values["last_name"]) for row in rows]
    assert names == [("José", "Muñoz"), ("François", "Lefèvre"), ("Zoë", "Brontë")]
    assert rows[0].values["account_number"] == "A1"  # no BOM glued to the first header


def test_windows_1252_typographic_quotes_are_read(tmp_path: Path) -> None:
    text = f"{HEADER},original_creditor\nA1,Ann,O’Brien,10.00,“Acme” – Medical\n"
    rows = read_rows(write(tmp_path, text.encode("cp1252")))
    assert rows[0].values["last_name"] == "O’Brien"
    assert rows[0].values["original_creditor"] == "“Acme” – Medical"


def test_accents_far_down_a_large_file_are_still_detected(tmp_path: Path) -> None:
    lines = [HEADER] + [f"A{index},Ann,Lee,1.00" for index in range(20_000)] + ["B1,José,Peña,2"]
    path = write(tmp_path, "\n".join(lines).encode("cp1252"))
    rows = read_rows(path)
    assert rows[-1].values["first_name"] == "José"


def test_mac_roman_is_refused_rather_than_read_as_windows_text(tmp_path: Path) -> None:
    """Excel for Mac's "CSV" up to 2016. Its é, ñ and í are bytes Windows-1252 reads as "Ž",
    "–" and "’": every byte decodes, and the names would come out garbled."""
    text = f"{HEADER}\nA1,José,Peña,10.00\nA2,María,Núñez,3\nA3,RENÉ,IBÁÑEZ,4\n"
    assert text.encode("mac_roman").decode("cp1252").startswith(HEADER)  # no undefined byte

    path = write(tmp_path, text.encode("mac_roman"))

    with pytest.raises(UnableToReadPlacementFile, match="looks like Mac Roman") as raised:
        open_placement_file(path)
    assert "save it as CSV UTF-8" in str(raised.value)


@pytest.mark.parametrize(
    "rows",
    [
        ["A1,SEAN,O’BRIEN,10.00", "A2,Ann,D’Angelo,3", "A3,JOSÉ,PEÑA,1", "A4,Zoë,Brontë,2"],
        ["A1,Ann,Lee,1,Children’s Hospital", "A2,Bo,Li,2,Kohl’s", "A3,Al,Ng,3,Lowe’s"],
        ["A1,Ann,Lee,1,Macy’s"] * 20,
        ["A1,Šimon,Žagar,1", "A2,Œdipe,Roi,2", "A3,Jan,Muž,3", "A4,Eva,Koš,4"],
        ["A1,Robert “bob”,Lee,1", "A2,Ann “annie”,Ray,2", "A3,Al “al”,Ng,3"],
    ],
    ids=[
        "apostrophes-and-capitals",
        "creditors-with-apostrophes",
        "one-creditor",
        "slavic",
        "quotes",
    ],
)
def test_windows_text_is_not_taken_for_mac_roman(tmp_path: Path, rows: list[str]) -> None:
    """Windows-1252's quotes, apostrophes and Š/Ž/Œ read as Mac Roman letters too (’ is í):
    they must not count as Mac Roman's accents."""
    header = HEADER + (",original_creditor" if rows[0].count(",") == 4 else "")
    text = "\n".join([header, *rows]) + "\n"
    parsed = read_rows(write(tmp_path, text.encode("cp1252")))
    assert [row.values["last_name"] for row in parsed] == [r.split(",")[2] for r in rows]


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (f"{HEADER}\nA1,Иван,Петров,10.00\nA2,Мария,Сидорова,3\n", "cp1251"),
        (f"{HEADER}\nA1,Γιώργος,Παπαδόπουλος,10.00\n", "cp1253"),
        (f"{HEADER}\nA1,太郎,山田,10.00\n", "shift_jis"),
        (ACCENTED, "utf-16-le"),  # UTF-16 without a byte-order mark
    ],
)
def test_other_encodings_are_refused_naming_what_they_look_like(
    tmp_path: Path, text: str, encoding: str
) -> None:
    path = write(tmp_path, text.encode(encoding))
    with pytest.raises(UnableToReadPlacementFile, match="not UTF-8 and it looks like") as raised:
        open_placement_file(path)
    assert "save it as CSV UTF-8" in str(raised.value)


def test_random_bytes_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER.encode() + b"\n" + os.urandom(4000))
    with pytest.raises(UnableToReadPlacementFile, match="not UTF-8"):
        open_placement_file(path)


def test_a_broken_utf8_file_with_a_bom_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, codecs.BOM_UTF8 + f"{HEADER}\nA1,Jos\xe9,X,1\n".encode("latin-1"))
    with pytest.raises(UnableToReadPlacementFile, match="byte-order mark but is not valid"):
        open_placement_file(path)


def test_a_file_mixing_utf8_and_latin1_lines_is_refused_not_garbled(tmp_path: Path) -> None:
    content = (
        f"{HEADER}\nA1,José,García,1\n".encode()
        + "A2,Zoë,Müller,2\n".encode("latin-1")
        + "A3,Ana,Peña,3\n".encode()
    )
    with pytest.raises(UnableToReadPlacementFile, match="mixes encodings: line 2 is UTF-8") as e:
        open_placement_file(write(tmp_path, content))
    assert "line 3 is not" in str(e.value)


def test_old_excel_files_are_refused_with_advice(tmp_path: Path) -> None:
    path = write(tmp_path, b"\xd0\xcf\x11\xe0" + b"\x00" * 100, name="old.xls")
    with pytest.raises(UnableToReadPlacementFile, match=r"\.xls"):
        open_placement_file(path)


def _zip(path: Path, entries: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in entries.items():
            archive.writestr(name, text)
    return path


def test_workbooks_and_other_zips_are_told_apart_by_their_declared_content(
    tmp_path: Path,
) -> None:
    """As openpyxl does: the workbook part is whatever `[Content_Types].xml` says it is."""
    main = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    declared = f'<Types><Override PartName="/xl/book1.xml" ContentType="{main}"/></Types>'
    renamed_part = _zip(
        tmp_path / "a.xlsx", {"[Content_Types].xml": declared, "xl/book1.xml": "<workbook/>"}
    )
    workbook = tmp_path / "b.xlsx"
    book = openpyxl.Workbook()
    book.active.append(HEADER.split(","))
    book.save(workbook)
    word = _zip(
        tmp_path / "c.zip",
        {"[Content_Types].xml": "<Types>wordprocessingml.document.main+xml</Types>"},
    )
    plain = _zip(tmp_path / "d.zip", {"placement.csv": HEADER})

    assert unreadable_kind(renamed_part) is None
    assert unreadable_kind(workbook) is None
    assert unreadable_kind(word) == "a Word document"
    assert unreadable_kind(plain) == "a zip archive without an Excel workbook in it"


def test_a_damaged_zip_is_named_not_raised(tmp_path: Path) -> None:
    """zipfile raises more than BadZipFile: here NotImplementedError, for an entry that
    claims a newer zip version than it reads."""
    path = _zip(tmp_path / "a.xlsx", {"xl/workbook.xml": "<workbook/>"})
    data = bytearray(path.read_bytes())
    central = data.index(b"PK\x01\x02")
    data[central + 6] = 70  # version needed to extract: 7.0
    path.write_bytes(bytes(data))

    assert unreadable_kind(path) == "a damaged zip archive"


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"<html><body><table><tr><td>account_number</td></tr></table>", "a web page (HTML)"),
        (
            "\ufeff<!DOCTYPE html>\n<html>".encode("utf-16-le"),  # with its byte-order mark
            "a web page (HTML)",
        ),
        (
            b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
            b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">',
            "an Excel 2003 XML spreadsheet",
        ),
        (b'<?xml version="1.0"?><accounts/>', "an XML document"),
        (b"<meta charset=utf-8>\n<table><tr><td>account_number</td></tr></table>", "a web page"),
    ],
)
def test_excel_exports_that_are_web_pages_or_xml_are_refused_with_advice(
    tmp_path: Path, content: bytes, kind: str
) -> None:
    path = write(tmp_path, content, name="Export.xls")
    assert unreadable_kind(path).startswith(kind)
    with pytest.raises(UnableToReadPlacementFile, match=re.escape(kind)):
        open_placement_file(path)


def test_a_csv_is_not_taken_for_markup(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER}\nA1,Ann,<Lee>,10.00\n", name="Export.xls")
    assert unreadable_kind(path) is None
    odd_header = write(tmp_path, "<account>,first_name\nA1,see <html> page\n", name="b.csv")
    assert unreadable_kind(odd_header) is None


def test_empty_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnableToReadPlacementFile, match="empty"):
        open_placement_file(write(tmp_path, ""))


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnableToReadPlacementFile, match="cannot open"):
        open_placement_file(tmp_path / "nope.csv")


# --- CSV structure -----------------------------------------------------------------------------


def test_quoted_fields_hold_commas_quotes_and_line_breaks(tmp_path: Path) -> None:
    text = (
        f"{HEADER},address1\r\n"
        'A1,Ann,"Lee, Jr.",10.00,"12 Main St\r\nApt 4"\r\n'
        'A2,"Bob ""Bobby""",Ray,"1,234.50",\r\n'
    )
    rows = read_rows(write(tmp_path, text))
    assert [row.row_number for row in rows] == [1, 2]  # records, not physical lines
    assert rows[0].values["last_name"] == "Lee, Jr."
    assert rows[0].values["address1"] == "12 Main St\r\nApt 4"
    assert rows[1].values["first_name"] == 'Bob "Bobby"'
    assert rows[1].values["balance"] == "1,234.50"


def test_crlf_and_lf_line_ends_give_the_same_rows(tmp_path: Path) -> None:
    lf = f"{HEADER}\nA1,Ann,Lee,1\nA2,Bob,Ray,2\n"
    crlf = lf.replace("\n", "\r\n")
    assert read_rows(write(tmp_path, lf, name="lf.csv")) == read_rows(
        write(tmp_path, crlf, name="crlf.csv")
    )


def test_blank_records_are_skipped_but_keep_their_number(tmp_path: Path) -> None:
    text = f"{HEADER}\nA1,Ann,Lee,1\n\n,,,\nA2,Bob,Ray,2\n"
    rows = read_rows(write(tmp_path, text))
    assert [(row.row_number, row.values["account_number"]) for row in rows] == [
        (1, "A1"),
        (4, "A2"),
    ]


def test_short_rows_are_padded_and_long_rows_flagged(tmp_path: Path) -> None:
    text = f"{HEADER},city\nA1,Ann,Lee,1\nA2,Bob,Ray,2,Austin,,\nA3,Cy,Lee,O'Hara,3,Dallas\n"
    rows = read_rows(write(tmp_path, text))
    assert rows[0].values["city"] == "" and rows[0].problem == ""
    assert rows[1].problem == ""  # trailing empty cells are harmless
    assert (
        rows[2].problem == "the row has 6 cells but the header has 5 columns (an unquoted comma?)"
    )


@pytest.mark.parametrize("delimiter", ["\t", ";", "|"])
def test_other_delimiters_are_recognised_from_the_header(tmp_path: Path, delimiter: str) -> None:
    text = f"{HEADER}\nA1,Ann,Lee,1.00\n".replace(",", delimiter)
    rows = read_rows(write(tmp_path, text))
    assert filled(rows[0]) == {
        "account_number": "A1",
        "first_name": "Ann",
        "last_name": "Lee",
        "balance": "1.00",
    }


def test_unbalanced_quote_is_reported_with_its_row(tmp_path: Path) -> None:
    text = f'{HEADER}\nA1,Ann,Lee,1\nA2,"Bob,Ray,2\n' + "A3,x,y,1\n" * 20_000
    with open_placement_file(write(tmp_path, text)) as placement_file:
        rows = placement_file.rows()
        assert next(rows).values["account_number"] == "A1"
        with pytest.raises(UnableToReadPlacementFile, match="malformed at data row 2"):
            next(rows)


# --- Headers and mapping -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        (" Account Number ", "account_number"),
        ("ACCOUNT-NUMBER", "account_number"),
        ("first__name", "first_name"),
        ("Balance", "balance"),
    ],
)
def test_header_names_ignore_case_spaces_and_dashes(raw: str, normalized: str) -> None:
    assert normalize_header(raw) == normalized


def test_headers_match_whatever_their_case_and_spacing(tmp_path: Path) -> None:
    text = "Account Number, FIRST_NAME ,Last Name,BALANCE\nA1,Ann,Lee,1\n"
    rows = read_rows(write(tmp_path, text))
    assert rows[0].values["account_number"] == "A1"
    assert rows[0].values["first_name"] == "Ann"


def test_missing_required_columns_refuse_the_file_listing_them(tmp_path: Path) -> None:
    path = write(tmp_path, "account_number,name,amount\nA1,Ann Lee,1\n")
    with pytest.raises(UnableToReadPlacementFile) as raised:
        open_placement_file(path)
    message = str(raised.value)
    assert "required columns are missing: first_name, last_name, balance" in message
    assert "columns found: account_number, name, amount" in message


def test_unknown_columns_are_ignored_and_noted_once(tmp_path: Path) -> None:
    text = f"{HEADER},Internal Code,score,\nA1,Ann,Lee,1,X9,700,\nA2,Bob,Ray,2,X8,650,\n"
    with open_placement_file(write(tmp_path, text)) as placement_file:
        rows = list(placement_file.rows())
        assert placement_file.notes == (
            'columns not in the standard layout were ignored: "Internal Code", "score"',
            "1 column(s) without a header were ignored",
        )
        assert placement_file.columns == ("account_number", "first_name", "last_name", "balance")
    assert filled(rows[0]) == {
        "account_number": "A1",
        "first_name": "Ann",
        "last_name": "Lee",
        "balance": "1",
    }


def test_a_column_given_twice_refuses_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER},Balance\nA1,Ann,Lee,1,2\n")
    with pytest.raises(UnableToReadPlacementFile, match='"balance" and "Balance" are both'):
        open_placement_file(path)


OTHER_LAYOUT = "Acct #,Given Name,Surname,Current Bal,Cell\nA1,Ann,Lee,1.00,2125550123\n"
MAPPING = {
    "Acct #": "account_number",
    "given name": "first_name",
    "SURNAME": "last_name",
    "Current Bal": "balance",
    "Cell": "phone1",
}


def test_a_mapping_renames_their_columns(tmp_path: Path) -> None:
    rows = read_rows(write(tmp_path, OTHER_LAYOUT), mapping=MAPPING)
    assert filled(rows[0]) == {
        "account_number": "A1",
        "first_name": "Ann",
        "last_name": "Lee",
        "balance": "1.00",
        "phone1": "2125550123",
    }


def test_mapping_from_json(tmp_path: Path) -> None:
    mapping_path = write(tmp_path, json.dumps(MAPPING), name="mapping.json")
    mapping = load_mapping(mapping_path)
    assert mapping["acct_#"] == "account_number"
    assert read_rows(write(tmp_path, OTHER_LAYOUT), mapping=mapping)[0].values["phone1"]


@pytest.mark.parametrize("header", ["their_column,standard_column\n", ""])
def test_mapping_from_csv_with_or_without_header(tmp_path: Path, header: str) -> None:
    body = "".join(f'"{theirs}",{ours}\n' for theirs, ours in MAPPING.items())
    mapping = load_mapping(write(tmp_path, header + body, name="mapping.csv"))
    assert len(mapping) == len(MAPPING)
    assert read_rows(write(tmp_path, OTHER_LAYOUT), mapping=mapping)[0].values["balance"] == "1.00"


def test_mapping_to_an_unknown_column_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, json.dumps({"Acct": "acct_no"}), name="mapping.json")
    with pytest.raises(UnableToLoadMapping, match='"acct_no", which is not a standard column'):
        load_mapping(path)
    with pytest.raises(UnableToLoadMapping):
        open_placement_file(write(tmp_path, OTHER_LAYOUT), mapping={"Acct": "acct_no"})


@pytest.mark.parametrize("content", ["[1, 2]", '{"a": 1}', "{not json"])
def test_malformed_json_mapping_is_refused(tmp_path: Path, content: str) -> None:
    with pytest.raises(UnableToLoadMapping):
        load_mapping(write(tmp_path, content, name="mapping.json"))


def test_csv_mapping_rows_need_two_cells(tmp_path: Path) -> None:
    with pytest.raises(UnableToLoadMapping, match="line 2, needs two cells"):
        load_mapping(write(tmp_path, "Acct,account_number\nBal\n", name="mapping.csv"))


def test_every_standard_column_is_read(tmp_path: Path) -> None:
    values = [f"v{index}" for index in range(len(STANDARD_COLUMNS))]
    text = ",".join(STANDARD_COLUMNS) + "\n" + ",".join(values) + "\n"
    rows = read_rows(write(tmp_path, text))
    assert rows[0].values == dict(zip(STANDARD_COLUMNS, values, strict=True))


# --- XLSX --------------------------------------------------------------------------------------


def write_xlsx(tmp_path: Path, rows: list[list[object]], *, name: str = "placement.xlsx") -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def test_xlsx_cells_come_as_the_text_a_csv_would_carry(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path,
        [
            [
                "Account Number",
                "first_name",
                "last_name",
                "balance",
                "date_of_birth",
                "zip",
                "ssn",
                "phone1",
                "last_payment_date",
            ],
            [
                1234567,
                "José",
                "Muñoz",
                1234.5,
                datetime(1980, 3, 7),
                2134,
                12345678,
                2125550123,
                date(2024, 1, 31),
            ],
            [
                "A-2",
                "Ann",
                "Lee",
                10,
                datetime(1990, 1, 2, 13, 30),
                "02134-1234",
                "123-45-6789",
                None,
                None,
            ],
        ],
        name="renamed.csv",  # the format is recognised from the content, not the name
    )
    with open_placement_file(path) as placement_file:
        assert placement_file.file_format == "XLSX"
        assert placement_file.encoding is None
        rows = list(placement_file.rows())
    assert filled(rows[0]) == {
        "account_number": "1234567",
        "first_name": "José",
        "last_name": "Muñoz",
        "balance": "1234.5",
        "date_of_birth": "1980-03-07",
        "zip": "02134",  # Excel dropped the leading zero; a number in a ZIP column gets it back
        "ssn": "012345678",
        "phone1": "2125550123",
        "last_payment_date": "2024-01-31",
    }
    assert rows[1].values["date_of_birth"] == "1990-01-02 13:30:00"  # not a date: reported later
    assert rows[1].values["zip"] == "02134-1234"
    assert rows[1].values["phone1"] == ""


def test_xlsx_blank_rows_keep_numbering_and_missing_columns_refuse(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path,
        [HEADER.split(","), ["A1", "Ann", "Lee", 1], [None, None, None, None], ["A2", "B", "C", 2]],
    )
    assert [row.row_number for row in read_rows(path)] == [1, 3]
    bad = write_xlsx(tmp_path, [["account_number", "balance"], ["A1", 1]], name="bad.xlsx")
    with pytest.raises(UnableToReadPlacementFile, match="first_name, last_name"):
        open_placement_file(bad)


def test_xlsx_with_a_mapping(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path,
        [
            ["Acct #", "Given Name", "Surname", "Current Bal", "Cell"],
            ["A1", "Ann", "Lee", 1, 2125550123],
        ],
    )
    assert read_rows(path, mapping=MAPPING)[0].values["phone1"] == "2125550123"


def test_a_broken_xlsx_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, b"PK\x03\x04 not really a zip", name="broken.xlsx")
    with pytest.raises(UnableToReadPlacementFile, match="not a readable XLSX"):
        open_placement_file(path)


def test_an_empty_xlsx_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnableToReadPlacementFile, match="empty"):
        open_placement_file(write_xlsx(tmp_path, []))


# --- Streaming ---------------------------------------------------------------------------------


def test_rows_are_produced_lazily(tmp_path: Path) -> None:
    """The reader must hand out the first row without reading the rest of the file."""
    path = write(tmp_path, f"{HEADER}\nA1,Ann,Lee,1\n" + "A2,Bob,Ray,2\n" * 50_000)
    with open_placement_file(path) as placement_file:
        rows = placement_file.rows()
        assert next(rows).row_number == 1
        assert placement_file._handle is not None
        assert placement_file._handle.buffer.tell() < path.stat().st_size


def test_nul_bytes_in_an_otherwise_utf8_file_are_called_what_they_are(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER}\nA1,Jo\x00e,X,1\n".encode())
    with pytest.raises(UnableToReadPlacementFile, match="holds bytes that are not text"):
        open_placement_file(path)
