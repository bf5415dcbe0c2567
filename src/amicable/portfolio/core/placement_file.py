"""Reading a placement file (CSV or XLSX) into raw rows keyed by the standard column names.

This module only deals with the *container*: encodings, CSV quoting, spreadsheets, header names
and the column mapping. It does not judge cell values; `placement_rows` does that.

Files are streamed: rows are produced one at a time, so a file of a million rows never sits in
memory. Everything that can make the whole file unusable (unreadable encoding, missing required
columns, a bad mapping) is checked when the file is opened, before the first row is produced,
so an import never starts on a file it would have to abandon half-way.
"""

import codecs
import csv
import itertools
import json
import math
import operator
import re
import zipfile
from collections.abc import Iterator, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import IO, Any, NamedTuple

import charset_normalizer

from amicable.portfolio.core.errors import UnableToLoadMapping, UnableToReadPlacementFile

__all__ = [
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "STANDARD_COLUMNS",
    "PlacementFile",
    "RawRow",
    "load_mapping",
    "normalize_header",
    "open_placement_file",
]

REQUIRED_COLUMNS: tuple[str, ...] = ("account_number", "first_name", "last_name", "balance")
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "principal",
    "interest",
    "fees",
    "original_creditor",
    "date_of_birth",
    "ssn",
    "address1",
    "address2",
    "city",
    "state",
    "zip",
    "phone1",
    "phone2",
    "phone3",
    "email",
    "delinquency_date",
    "charge_off_date",
    "last_payment_date",
    "last_payment_amount",
    "itemization_date",
    "itemization_balance",
    "interest_since_itemization",
    "fees_since_itemization",
    "payments_since_itemization",
    "credits_since_itemization",
)
STANDARD_COLUMNS: tuple[str, ...] = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
_STANDARD_COLUMN_SET = frozenset(STANDARD_COLUMNS)

# Excel drops leading zeros of numbers; in these columns a number cell is zero-padded back.
_ZERO_PADDED_WIDTHS = {"zip": (5, 9), "ssn": (9,)}

_XLSX_MAGIC = b"PK\x03\x04"  # XLSX is a zip archive
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"  # Excel 97-2003 (OLE compound file)
_READ_CHUNK = 1 << 20
_ENCODING_SAMPLE_LIMIT = 64 * 1024
_CANDIDATE_DELIMITERS = (",", "\t", ";", "|")


def looks_like_xlsx(path: Path) -> bool:
    """Whether the file is a zip archive, as an XLSX workbook is, whatever its name."""
    with open(path, "rb") as probe:
        return probe.read(4) == _XLSX_MAGIC


def unreadable_kind(path: Path) -> str | None:
    """What the file is, when its content is something the import cannot read (an .xls
    workbook, a PDF, an archive...), judged from its first bytes rather than its name: a CSV
    export named `Export.xls` reads fine. None for anything else, which the import then tries
    to read as XLSX (a zip archive holding a workbook) or CSV."""
    with open(path, "rb") as probe:
        head = probe.read(_MARKUP_PROBE_BYTES)
    magic = head[:8]
    if magic.startswith(_XLS_MAGIC):
        return (
            "an Excel 97-2003 workbook (.xls), a password-protected workbook or another "
            "Office 97-2003 document"
        )
    if magic.startswith(b"%PDF"):
        return "a PDF document"
    if magic.startswith(b"\x1f\x8b"):
        return "a gzip-compressed file"
    if magic.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "a 7-Zip archive"
    if magic.startswith(_XLSX_MAGIC):
        return _zip_kind(path)
    return _markup_kind(head)


def _markup_kind(head: bytes) -> str | None:
    """What a text file is when it is a web page or XML rather than CSV. Several systems'
    "Export to Excel" writes an HTML table or an Excel 2003 XML spreadsheet and names it
    .xls; Excel opens both, but read as CSV they would be refused row by row as nonsense."""
    for bom, encoding in _MARKUP_BOMS:
        if head.startswith(bom):
            text = head[len(bom) :].decode(encoding, errors="ignore")
            break
    else:
        text = head.decode("utf-8", errors="ignore")
    text = text.lstrip().lower()
    if text.startswith("<?xml"):
        if "urn:schemas-microsoft-com:office:spreadsheet" in text:
            return "an Excel 2003 XML spreadsheet"
        if "<html" in text:
            return "a web page (HTML), as some systems export to Excel"
        return "an XML document"
    # A web page starts with a tag (a CSV's header does not); judged on its first line only,
    # so that a CSV mentioning "<html>" in a note further down is still read.
    first_line = text.split("\n", 1)[0]
    if first_line.startswith(_HTML_OPENINGS):
        return "a web page (HTML), as some systems export to Excel"
    return None


_HTML_OPENINGS = (
    "<!doctype html",
    "<html",
    "<head",
    "<meta",
    "<style",
    "<title",
    "<body",
    "<table",
    "<tr",
    "<td",
    "<!--",
)


# How much of a file is read to tell a web page or XML from CSV: the HTML tag or the XML
# spreadsheet's namespace comes within the first lines.
_MARKUP_PROBE_BYTES = 2048
_MARKUP_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def _zip_kind(path: Path) -> str | None:
    """None for a zip archive that is an Excel workbook, else what it is. Like openpyxl, this
    goes by the content types the archive declares, not by its entries' names."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            types = b""
            if "[Content_Types].xml" in names:
                with archive.open("[Content_Types].xml") as declared:
                    types = declared.read(1 << 20)  # a few KB in any real workbook
    except Exception:  # a damaged archive raises many kinds (BadZipFile, NotImplementedError...)
        return "a damaged zip archive"
    if b"sheet.binary" in types:
        return "an Excel binary workbook (.xlsb)"
    if _WORKBOOK_CONTENT_TYPE.search(types):
        return None
    if b"wordprocessingml" in types:
        return "a Word document"
    if "content.xml" in names:
        return "an OpenDocument file (.ods)"
    return "a zip archive without an Excel workbook in it"


# The main part of an .xlsx, .xlsm, .xltx or .xltm workbook, as `[Content_Types].xml` names it.
_WORKBOOK_CONTENT_TYPE = re.compile(
    rb"application/vnd\.(?:openxmlformats-officedocument\.spreadsheetml|ms-excel)"
    rb"\.(?:sheet|template)(?:\.macroEnabled)?\.main\+xml",
    re.IGNORECASE,
)


class RawRow(NamedTuple):
    """One data record of the file, before its values are judged.

    `row_number` counts data records from 1 (the header is not counted; a quoted field holding
    line breaks does not add rows). Blank records are skipped but keep their number, so row N is
    the spreadsheet's line N + 1. `cells` holds one text per standard column, in
    `STANDARD_COLUMNS` order, "" for a column the file does not have (a tuple rather than a
    dict by name: a million-row file makes a million of them, and the rules read each cell
    by a position fixed in advance). `problem` is empty unless the record itself is
    malformed (more cells than the header).
    """

    row_number: int
    cells: tuple[str, ...]
    problem: str

    @classmethod
    def of(cls, row_number: int, values: Mapping[str, str], problem: str = "") -> "RawRow":
        """A record from its cells by standard column name (columns left out are blank)."""
        return cls(row_number, tuple(values.get(name, "") for name in STANDARD_COLUMNS), problem)

    @property
    def values(self) -> dict[str, str]:
        """The cells by standard column name."""
        return dict(zip(STANDARD_COLUMNS, self.cells, strict=True))


def normalize_header(name: str) -> str:
    """Make header matching forgiving: `" Account Number "` and `ACCOUNT-NUMBER` both become
    `account_number`."""
    return re.sub(r"[\s_\-]+", "_", name.strip().lower()).strip("_")


# --- Mapping -----------------------------------------------------------------------------------


def _check_mapping(mapping: Mapping[str, str]) -> dict[str, str]:
    """Normalise the mapping's keys like headers and check every target is a standard column."""
    checked: dict[str, str] = {}
    for their_column, standard_column in mapping.items():
        target = normalize_header(standard_column)
        if target not in _STANDARD_COLUMN_SET:
            raise UnableToLoadMapping(
                f'the mapping sends "{their_column}" to "{standard_column}", which is not a '
                f"standard column (standard columns: {', '.join(STANDARD_COLUMNS)})"
            )
        checked[normalize_header(their_column)] = target
    return checked


def load_mapping(path: str | Path) -> dict[str, str]:
    """Load a column mapping `{"their column": "standard_column"}` from a JSON or CSV file.

    JSON: one object, e.g. `{"Acct #": "account_number", "Current Bal": "balance"}`.
    CSV: two columns, their column then the standard column; a first row whose second cell is
    not a standard column (such as `their_column,standard_column`) is taken as a header.
    The file is chosen by its extension (`.json`, anything else is read as CSV).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise UnableToLoadMapping(f"cannot read the mapping file {path.name}: {error}") from None
    if path.suffix.lower() == ".json":
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError as error:
            raise UnableToLoadMapping(
                f"the mapping file {path.name} is not JSON: {error}"
            ) from None
        if not isinstance(loaded, dict) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in loaded.items()
        ):
            raise UnableToLoadMapping(
                f'the mapping file {path.name} must be one object of strings: {{"their column": '
                '"standard_column", ...}'
            )
        return _check_mapping(loaded)
    pairs: dict[str, str] = {}
    for line_number, cells in enumerate(csv.reader(text.splitlines()), start=1):
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        if len(cells) < 2 or not cells[0] or not cells[1]:
            raise UnableToLoadMapping(
                f"the mapping file {path.name}, line {line_number}, needs two cells: their "
                "column, then the standard column"
            )
        if line_number == 1 and normalize_header(cells[1]) not in _STANDARD_COLUMN_SET:
            continue  # a header row
        pairs[cells[0]] = cells[1]
    return _check_mapping(pairs)


# --- Opening a file ----------------------------------------------------------------------------


class _Layout(NamedTuple):
    """Which cell of a record feeds which standard column, and what the header told us."""

    names: tuple[str, ...]  # standard columns, in file order
    positions: tuple[int, ...]  # their cell indexes
    width: int  # cells in the header
    notes: tuple[str, ...]


def _plan_layout(header: list[str], mapping: dict[str, str]) -> _Layout:
    """Match header cells to standard columns, refusing the file when it cannot be imported."""
    names: list[str] = []
    positions: list[int] = []
    source_of: dict[str, str] = {}
    unknown: list[str] = []
    unnamed = 0
    for index, raw_name in enumerate(header):
        key = normalize_header(raw_name)
        if not key:
            unnamed += 1
            continue
        standard = mapping.get(key) or (key if key in _STANDARD_COLUMN_SET else None)
        if standard is None:
            unknown.append(raw_name.strip())
            continue
        if standard in source_of:
            raise UnableToReadPlacementFile(
                f'columns "{source_of[standard]}" and "{raw_name.strip()}" are both '
                f'"{standard}"; keep one of them'
            )
        source_of[standard] = raw_name.strip()
        names.append(standard)
        positions.append(index)
    missing = [column for column in REQUIRED_COLUMNS if column not in source_of]
    if missing:
        raise UnableToReadPlacementFile(
            f"required columns are missing: {', '.join(missing)} (columns found: "
            f"{', '.join(cell.strip() for cell in header if cell.strip()) or 'none'})"
        )
    notes = []
    if unknown:
        quoted_names = ", ".join(f'"{name}"' for name in unknown)
        notes.append(f"columns not in the standard layout were ignored: {quoted_names}")
    if unnamed:
        notes.append(f"{unnamed} column(s) without a header were ignored")
    return _Layout(tuple(names), tuple(positions), len(header), tuple(notes))


class PlacementFile:
    """An open placement file. Use it as a context manager and iterate `rows()` once.

    Attributes: `file_format` ("CSV" or "XLSX"), `encoding` (the text encoding used for a CSV,
    None for XLSX), `columns` (the standard columns found, in file order) and `notes` (file-level
    remarks for the import report, e.g. ignored columns).
    """

    def __init__(self, path: str | Path, *, mapping: Mapping[str, str] | None = None) -> None:
        self.path = Path(path)
        self._mapping = _check_mapping(mapping or {})
        self._handle: IO[str] | None = None
        self._workbook: Any = None
        self._binary_handle: IO[bytes] | None = None
        self._records: Iterator[list[str]]
        self.encoding: str | None = None
        try:
            with open(self.path, "rb") as probe:
                head = probe.read(_MARKUP_PROBE_BYTES)
        except OSError as error:
            raise UnableToReadPlacementFile(f"cannot open {self.path.name}: {error}") from None
        magic = head[:4]
        if magic == _XLS_MAGIC:
            raise UnableToReadPlacementFile(
                "this is an Excel 97-2003 (.xls) file; save it as .xlsx or as CSV UTF-8"
            )
        markup = _markup_kind(head) if magic != _XLSX_MAGIC else None
        if markup is not None:
            raise UnableToReadPlacementFile(
                f"this is {markup}, not CSV; open it in Excel and save it as .xlsx or as CSV UTF-8"
            )
        try:
            if magic == _XLSX_MAGIC:
                self.file_format = "XLSX"
                header = self._open_xlsx()
            else:
                self.file_format = "CSV"
                header = self._open_csv()
            if header is None:
                raise UnableToReadPlacementFile("the file is empty: no header row")
            self._layout = _plan_layout(header, self._mapping)
        except BaseException:
            self.close()
            raise
        self.columns = self._layout.names
        self.notes = self._layout.notes

    # CSV ----------------------------------------------------------------------------------------

    def _open_csv(self) -> list[str] | None:
        self.encoding = detect_encoding(self.path)
        self._handle = open(self.path, encoding=self.encoding, newline="")
        first_line = self._handle.readline()
        self._handle.seek(0)
        delimiter = max(_CANDIDATE_DELIMITERS, key=first_line.count)
        if first_line.count(delimiter) == 0:
            delimiter = ","
        self._delimiter = delimiter
        self._records = csv.reader(self._handle, delimiter=delimiter)
        return self._next_record(row_number=0)

    def _next_record(self, *, row_number: int) -> list[str] | None:
        try:
            return next(self._records, None)
        except csv.Error as error:
            raise _malformed_csv(error, row_number=row_number) from None

    # XLSX ---------------------------------------------------------------------------------------

    def _open_xlsx(self) -> list[str] | None:
        import openpyxl  # imported here: loading it costs time and CSV imports do not need it

        # Given an open file rather than the path, openpyxl does not insist on an .xlsx name.
        self._binary_handle = open(self.path, "rb")  # closed in close()
        try:
            self._workbook = openpyxl.load_workbook(
                self._binary_handle, read_only=True, data_only=True
            )
            sheet = self._workbook.worksheets[0]
            # Some writers leave a <dimension> smaller than the data; read-only openpyxl
            # would stop there without a word.
            sheet.reset_dimensions()
            cells = sheet.iter_rows(values_only=True)
            header_cells = next(cells, None)
        except Exception as error:  # openpyxl raises many kinds for a broken archive
            raise UnableToReadPlacementFile(
                f"{self.path.name} is not a readable XLSX workbook ({error})"
            ) from None
        if header_cells is None:
            return None
        header = [_cell_text(cell) for cell in header_cells]
        self._records = self._xlsx_records(cells, header=header)
        return header

    def _xlsx_records(
        self, cells: Iterator[tuple[Any, ...]], *, header: list[str]
    ) -> Iterator[list[str]]:
        mapping = self._mapping
        padded = {}
        for index, raw_name in enumerate(header):
            key = normalize_header(raw_name)
            standard = mapping.get(key, key)
            if standard in _ZERO_PADDED_WIDTHS:
                padded[index] = _ZERO_PADDED_WIDTHS[standard]
        for row in cells:
            texts = [_cell_text(cell) for cell in row]
            for index, widths in padded.items():
                if index < len(row) and isinstance(row[index], (int, float)):
                    texts[index] = _zero_pad(texts[index], widths=widths)
            yield texts

    # Rows ---------------------------------------------------------------------------------------

    def rows(self) -> Iterator[RawRow]:
        """Yield the data records as `RawRow`s, in file order, skipping blank records."""
        names, positions, width, _ = self._layout
        # Each standard column's cell; a column the file lacks takes the blank cell that is
        # put at the end of every record (-1).
        position_of = dict(zip(names, positions, strict=True))
        pick = operator.itemgetter(*[position_of.get(name, -1) for name in STANDARD_COLUMNS])
        csv_reader = self._records if self.file_format == "CSV" else None
        last_line = csv_reader.line_num if csv_reader is not None else 0  # type: ignore[attr-defined]
        # A record whose last cell holds a line break is held back one record: an unclosed
        # quote runs to the end of the file, so only the file's last record can be one, and
        # the strict re-reading (`_unclosed_quote`) happens once at most.
        held: tuple[RawRow, int, int] | None = None
        row_number = 0
        while True:
            record = self._next_record(row_number=row_number + 1)
            if held is not None:
                row, first, last = held
                held = None
                if record is None:
                    unclosed = self._unclosed_quote(first_line=first, last_line=last)
                    row = row._replace(problem=unclosed or row.problem)
                yield row
            if record is None:
                return
            row_number += 1
            problem = ""
            spans: tuple[int, int] | None = None
            if csv_reader is not None:
                line = csv_reader.line_num  # type: ignore[attr-defined]
                if line - last_line > 1 and record and "\n" in record[-1]:  # rare
                    spans = (last_line + 1, line)
                last_line = line
            if not any(record):
                continue
            if len(record) != width:
                if len(record) < width:
                    record = record + [""] * (width - len(record))
                elif any(cell.strip() for cell in record[width:]):
                    problem = (
                        f"the row has {len(record)} cells but the header has {width} columns "
                        "(an unquoted comma?)"
                    )
            record.append("")
            if spans is not None:
                held = (RawRow(row_number, pick(record), problem), *spans)
                continue
            yield RawRow(row_number, pick(record), problem)

    def _unclosed_quote(self, *, first_line: int, last_line: int) -> str:
        """A record that spans lines and whose last cell holds a line break may be one whose
        opening double quote is never closed: the lenient reader then takes the rest of the
        file as that cell, and the rows in it would vanish without a word. A strict reading
        from the record's first line tells: it ends with "unexpected end of data". Returns
        the problem to report on the row, or "" when the quote is closed."""
        with open(self.path, encoding=self.encoding, newline="") as handle:
            rest = itertools.islice(handle, first_line - 1, None)
            try:
                for _ in csv.reader(rest, delimiter=self._delimiter, strict=True):
                    pass
            except csv.Error as error:
                if "unexpected end of data" not in str(error):
                    return ""
            else:
                return ""
        return (
            f"a double quote opened in this row is never closed, so lines {first_line} to "
            f"{last_line} (the end of the file) were read as one cell of it, and the rows on "
            "them were not imported: close the quote and import the file again"
        )

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        if self._workbook is not None:
            self._workbook.close()
            self._workbook = None
        if self._binary_handle is not None:
            self._binary_handle.close()
            self._binary_handle = None

    def __enter__(self) -> "PlacementFile":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def open_placement_file(
    path: str | Path, *, mapping: Mapping[str, str] | None = None
) -> PlacementFile:
    """Open a CSV or XLSX placement file, or raise `UnableToReadPlacementFile` /
    `UnableToLoadMapping`. The format is recognised from the content, not the file name."""
    return PlacementFile(path, mapping=mapping)


def _malformed_csv(error: csv.Error, *, row_number: int) -> UnableToReadPlacementFile:
    return UnableToReadPlacementFile(
        f"the CSV is malformed at data row {row_number} ({error}); look for an unbalanced "
        'double quote (")'
    )


def _cell_text(value: object) -> str:
    """Turn a spreadsheet cell into the text a CSV would have carried.

    Dates become ISO text; whole numbers lose the `.0` a float gives them (account numbers are
    often stored as numbers); other floats are written with the 15 significant digits Excel
    shows and exports (`1234.5000000000002`, a formula's binary rounding, is `1234.5`).
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if not math.isfinite(value):
            return repr(value)
        shown = float(format(value, ".15g"))
        if shown.is_integer():
            return str(int(shown))
        return format(Decimal(repr(shown)), "f")
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _zero_pad(text: str, *, widths: tuple[int, ...]) -> str:
    """Give back the leading zeros Excel removed from a ZIP code or SSN stored as a number."""
    if not text.isdigit():
        return text
    for width in widths:
        if len(text) <= width:
            return text.zfill(width)
    return text


# --- Encodings ---------------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: the UTF-32 LE mark starts like UTF-16's
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Windows-1252 has five undefined bytes; Python refuses them, which is what we want.
_WESTERN_SINGLE_BYTE = "cp1252"
_MAX_CHAOS = 0.1


def detect_encoding(path: Path) -> str:
    """Return the Python codec name to read a CSV with, or refuse the file.

    UTF-8 (with or without a byte-order mark) and UTF-16/32 with a byte-order mark are read as
    such. Anything else must look confidently like Windows-1252 (which covers Latin-1's
    printable characters: the usual output of Excel's plain "CSV" on Windows) to
    `charset-normalizer`; otherwise the file is refused, naming what it looks like. Guessing
    wrong would import garbled names ("JosÃ©"), which is worse than asking for a UTF-8 file.
    The whole file is checked, in chunks, before any row is read.
    """
    with open(path, "rb") as file:
        head = file.read(4)
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            if not _decodes_cleanly(path, encoding=encoding):
                raise UnableToReadPlacementFile(
                    f"the file starts with a {encoding.upper()} byte-order mark but is not valid "
                    f"{encoding.upper()} text"
                )
            return encoding
    if _decodes_cleanly(path, encoding="utf-8"):
        return "utf-8"
    sample, fits_western, utf8_line, other_line, control_line = _non_ascii_sample(path)
    if utf8_line and other_line and control_line:  # binary data, not rows from two files
        raise UnableToReadPlacementFile(
            f"cannot read the file's text: it is not UTF-8 and line {control_line} holds bytes "
            "that are not text (binary data such as a picture or a PDF); save the placement "
            "as CSV UTF-8 or XLSX and import it again"
        )
    if utf8_line and other_line:
        raise UnableToReadPlacementFile(
            f"the file mixes encodings: line {utf8_line} is UTF-8 and line {other_line} is "
            "not (often rows pasted from another file); it cannot be imported without garbling "
            "one or the other: save it as CSV UTF-8 and import it again"
        )
    if fits_western and _reads_better_as(sample, "mac_roman"):
        raise UnableToReadPlacementFile(
            "cannot read the file's text: it is not UTF-8 and it looks like Mac Roman (the "
            'encoding of "CSV" files from Excel for Mac up to 2016: read as Windows text, '
            '"José" would come out as "JosŽ"), which cannot be imported safely; save it as '
            "CSV UTF-8 and import it again"
        )
    if fits_western:
        match = charset_normalizer.from_bytes(sample, cp_isolation=[_WESTERN_SINGLE_BYTE]).best()
        if match is not None and match.chaos <= _MAX_CHAOS:
            return _WESTERN_SINGLE_BYTE
    best = charset_normalizer.from_bytes(sample).best()
    if best is None or best.encoding in ("utf_8", "ascii"):
        # UTF-8 (or plain ASCII) but for NUL bytes: binary data, or UTF-16 without its mark.
        looks_like = "it holds bytes that are not text (binary data, or UTF-16 without a BOM)"
    else:
        looks_like = f"it looks like {best.encoding}"
    raise UnableToReadPlacementFile(
        f"cannot read the file's text: it is not UTF-8 and {looks_like}, which cannot be "
        "imported safely; save it as CSV UTF-8 and import it again"
    )


def _reads_better_as(sample: bytes, encoding: str) -> bool:
    """True when more of the sample's accented characters read as letters of words in
    `encoding` than in Windows-1252, clearly.

    Every byte decodes in both, so it takes judging the result: in names and addresses an
    accented character inside a word has the case of the word's letters ("José", "PEÑA").
    Mac Roman puts é, ñ and á at bytes Windows-1252 reads as "Ž", "–" and "‡"; Windows-1252's
    é, Ñ and ó are "È", "—" and "Û" in Mac Roman. Only characters inside a word count (a
    capital starts a word in either case), and never Windows-1252's quotes and apostrophes,
    which sit beside letters in "Macy’s" or “Bob” as naturally as Mac Roman's í, ì and î do
    in "María"."""
    ours = theirs = 0
    for line in sample.splitlines():
        western = line.decode(_WESTERN_SINGLE_BYTE, errors="replace")
        other = line.decode(encoding, errors="replace")
        if len(western) != len(other):  # both are one byte a character; this is a safeguard
            continue
        for index, byte in enumerate(line):
            if byte < 0x80 or byte in _WESTERN_QUOTES:
                continue
            theirs += _fits_word(other, index)
            ours += _fits_word(western, index)
    return theirs >= _MIN_EVIDENCE and theirs > 2 * ours


def _fits_word(text: str, index: int) -> bool:
    """The character at `index` is a letter inside a word, in the case of the word's ASCII
    letters nearest to it (lower case beside a lower-case letter, capital among capitals)."""
    char = text[index]
    if not char.isalpha() or index == 0 or not text[index - 1].isalpha():
        return False
    neighbours = [
        _nearest_ascii_letter(text, index, step=-1),
        _nearest_ascii_letter(text, index, step=1),
    ]
    letters = [n for n in neighbours if n]
    if not letters:
        return False
    if char.islower():
        return any(n.islower() for n in letters)
    return char.isupper() and all(n.isupper() for n in letters)


def _nearest_ascii_letter(text: str, index: int, *, step: int) -> str:
    """The first ASCII letter from `index` in direction `step` within the same word ("")."""
    i = index + step
    while 0 <= i < len(text) and text[i].isalpha():
        if text[i].isascii():
            return text[i]
        i += step
    return ""


# Windows-1252's typographic quotes and apostrophes (‘ ’ “ ”): not evidence either way.
_WESTERN_QUOTES = frozenset(b"\x91\x92\x93\x94")
# Accented letters that must read better in another encoding before a file is refused as it.
_MIN_EVIDENCE = 3


def _decodes_cleanly(path: Path, *, encoding: str) -> bool:
    """True when the whole file decodes in `encoding` without error and holds no NUL character
    (a NUL means binary data, or UTF-16 without a byte-order mark)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    with open(path, "rb") as file:
        try:
            while chunk := file.read(_READ_CHUNK):
                if "\x00" in decoder.decode(chunk):
                    return False
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _non_ascii_sample(path: Path) -> tuple[bytes, bool, int, int, int]:
    """Collect lines holding non-ASCII bytes (what an encoding detector needs to see: a sample
    of the first kilobytes may be pure ASCII), check every line decodes as Windows-1252
    without NUL or other control characters, and note the first line that is UTF-8 and the
    first that is not (0: none). A file that is not UTF-8 as a whole yet has UTF-8 lines
    mixes encodings: read either way, some of its names come out garbled. Also the first line
    holding a NUL or another control byte no text file has (0: none): binary data."""
    sample = bytearray()
    fits_western = True
    utf8_line = other_line = control_line = 0
    with open(path, "rb") as file:
        for number, line in enumerate(file, start=1):
            if not control_line and _CONTROL_BYTES.search(line):
                control_line = number
            if line.isascii():
                if b"\x00" in line:
                    fits_western = False
                continue
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                other_line = other_line or number
            else:
                utf8_line = utf8_line or number
            if len(sample) < _ENCODING_SAMPLE_LIMIT:
                sample += line
            if fits_western:
                try:
                    text = line.decode(_WESTERN_SINGLE_BYTE)
                except UnicodeDecodeError:
                    fits_western = False
                else:
                    fits_western = not any(ord(char) < 32 and char not in "\t\r\n" for char in text)
            if not fits_western and len(sample) >= _ENCODING_SAMPLE_LIMIT and other_line:
                break
    return bytes(sample), fits_western, utf8_line, other_line, control_line


# Bytes below 32 other than tab, line feed, vertical tab, form feed and carriage return.
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1f]")
