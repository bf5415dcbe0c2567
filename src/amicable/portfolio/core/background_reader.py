"""Parse a placement file in a second process while this one writes to the database.

Parsing and validating a row costs about as much as inserting it, so on a machine with two
cores an import runs nearly twice as fast when the two overlap. The reader process imports
only this pure core (it is started with "spawn": it shares no database connection), sends
batches of parsed rows through a bounded queue (so memory stays flat however large the
file), and forwards a refusal of the file as the same exception.
"""

import multiprocessing
import queue
from collections.abc import Iterator, Mapping
from itertools import islice
from pathlib import Path

from amicable.portfolio.core.errors import UnableToReadPlacementFile
from amicable.portfolio.core.placement_rows import ParsedRow, PlacementRecord, iter_placement_rows

_DONE = "done"
_REFUSED = "refused"
_FAILED = "failed"


# Frozen slotted dataclasses unpickle slowly (a `fields()` call per object), so rows cross
# the process boundary as plain tuples.
_RECORD_FIELDS = PlacementRecord.__dataclass_fields__


def _flatten(parsed: ParsedRow) -> tuple:
    record = parsed.record
    values = None if record is None else tuple(getattr(record, f) for f in _RECORD_FIELDS)
    return parsed.row_number, values, parsed.issues


def _rebuild(flat: tuple) -> ParsedRow:
    row_number, values, issues = flat
    return ParsedRow(row_number, None if values is None else PlacementRecord(*values), issues)


def _read(path: str, mapping: dict[str, str] | None, batch_size: int, out) -> None:
    try:
        rows = iter_placement_rows(Path(path), mapping=mapping)
        while batch := list(islice(rows, batch_size)):
            out.put(("batch", [_flatten(parsed) for parsed in batch]))
        out.put((_DONE, None))
    except UnableToReadPlacementFile as error:
        out.put((_REFUSED, str(error)))
    except Exception as error:  # reported to the parent, which logs it with context
        out.put((_FAILED, f"{type(error).__name__}: {error}"))


def batches_in_background(
    path: Path, *, mapping: Mapping[str, str] | None, batch_size: int
) -> Iterator[list[ParsedRow]]:
    context = multiprocessing.get_context("spawn")
    channel = context.Queue(maxsize=4)
    reader = context.Process(
        target=_read,
        args=(str(path), dict(mapping) if mapping else None, batch_size, channel),
        daemon=True,
    )
    reader.start()
    try:
        while True:
            try:
                kind, payload = channel.get(timeout=5)
            except queue.Empty:
                if not reader.is_alive():
                    raise RuntimeError("the placement reader stopped unexpectedly") from None
                continue
            if kind == "batch":
                yield [_rebuild(flat) for flat in payload]
            elif kind == _DONE:
                return
            elif kind == _REFUSED:
                raise UnableToReadPlacementFile(payload)
            else:
                raise RuntimeError(f"reading the placement file failed: {payload}")
    finally:
        if reader.is_alive():
            reader.terminate()
        reader.join(timeout=5)
