"""Parse a placement file in a second process while this one writes to the database.

Parsing and validating a row costs about as much as inserting it, so on two cores an import
runs nearly twice as fast when the two overlap (see `amicable.kernel.background`).
"""

from collections.abc import Iterator, Mapping
from itertools import islice
from pathlib import Path

from amicable.kernel.background import in_background
from amicable.portfolio.core.placement_rows import ParsedRow, PlacementRecord, iter_placement_rows

# Frozen slotted dataclasses unpickle slowly (a `fields()` call per object), so rows cross
# the process boundary as plain tuples.
_RECORD_FIELDS = tuple(PlacementRecord.__dataclass_fields__)


def _flatten(parsed: ParsedRow) -> tuple:
    record = parsed.record
    values = None if record is None else tuple(getattr(record, f) for f in _RECORD_FIELDS)
    return parsed.row_number, values, parsed.issues


def _rebuild(flat: tuple) -> ParsedRow:
    row_number, values, issues = flat
    return ParsedRow(row_number, None if values is None else PlacementRecord(*values), issues)


def flat_batches(path: str, mapping: dict[str, str] | None, batch_size: int) -> Iterator[list]:
    """Runs in the reader process."""
    rows = iter_placement_rows(Path(path), mapping=mapping)
    while batch := list(islice(rows, batch_size)):
        yield [_flatten(parsed) for parsed in batch]


def batches_in_background(
    path: Path, *, mapping: Mapping[str, str] | None, batch_size: int
) -> Iterator[list[ParsedRow]]:
    for flat in in_background(
        flat_batches, str(path), dict(mapping) if mapping else None, batch_size
    ):
        yield [_rebuild(item) for item in flat]
