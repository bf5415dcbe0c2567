"""Fast inserts for the placement import and the seed.

`bulk_create` spends most of its time compiling SQL and preparing each value through model
fields (about 50 µs a row on this hardware), which caps an import near 1,000 rows a second.
Here rows are plain tuples in column order: SQLite gets one prepared `executemany`,
PostgreSQL gets `COPY ... FROM STDIN`. Primary keys are allocated up front so that children
(debts, ledger entries) can point at parents without reading anything back:
PostgreSQL draws them from the table's sequence; SQLite, whose write transactions
(`BEGIN IMMEDIATE`) admit a single writer, takes the next free ids.

Callers must be inside `transaction.atomic()` and pass values both databases take as they
are: str (amounts as `str(Decimal)`), bool, int, None, dates through `db_date` and
datetimes through `db_datetime` (convert a shared value such as `now` once, not per row).

`rows_matching` looks many keys up with a single parameter (a JSON array on SQLite, an
array on PostgreSQL) instead of an IN list of thousands of placeholders, which the ORM
takes longer to build and the database longer to parse than to answer.
"""

import json
import logging
import sqlite3
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

from django.db import DatabaseError, connection, models
from psycopg import sql as pg_sql

if sys.platform != "win32":
    import fcntl

logger = logging.getLogger(__name__)

# sqlite3 binds a str, int, float or bytes as it is, but sends any other value through its
# adapter lookup first, None and bool included: with no adapter registered for the type, it
# looks for `__adapt__` and `__conform__` on the value and clears the two AttributeErrors,
# about 0.3 µs a value. A placed account binds some fifteen NULLs and flags, so that was
# 4-5 s of a million-row import's writer. With these two registered, the lookup finds an
# adapter straight away, and they give sqlite3 what it would have bound anyway: NULL for
# None (`{}.get(None)` is None, and runs in C), 1 or 0 for a bool. They change nothing
# else (adapters apply to bound parameters only, and psycopg does not use them).
sqlite3.register_adapter(type(None), {}.get)  # type: ignore[arg-type]  # get is overloaded
sqlite3.register_adapter(bool, int)


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence is looked up once: inside nextval() it would be looked up in the
            # catalog for every id (measured: 13% of the server's time during an import).
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
            cursor.execute(
                "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count]
            )
            return [row[0] for row in cursor.fetchall()]
        if not connection.in_atomic_block:
            raise RuntimeError("allocate_ids needs a transaction on SQLite")
        cursor.execute(f'SELECT COALESCE(MAX("id"), 0) FROM "{table}"')  # noqa: S608
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: list[tuple],
    *,
    constants: Mapping[str, object] | None = None,
    ignore_conflicts: bool = False,
) -> None:
    """Insert `rows` (tuples in `columns` order, column names as in the database).

    `constants` gives columns whose value is the same in every row: on SQLite they are
    written into the statement as literals (SQLite quotes them), so they are not bound
    again for each row. With `ignore_conflicts`, rows that would break a unique constraint
    are skipped (this takes a plain INSERT on PostgreSQL too, since COPY cannot skip
    rows)."""
    if not rows:
        return
    constants = constants or {}
    table = model._meta.db_table
    column_list = ", ".join(f'"{name}"' for name in (*columns, *constants))
    conflicts = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the driver's cursor under Django's wrapper
        if connection.vendor == "postgresql":
            if not ignore_conflicts and _as_column_defaults(cursor, table, constants):
                column_list = ", ".join(f'"{name}"' for name in columns)
                constants = {}
            fixed = tuple(constants.values())
            if ignore_conflicts:
                values = ", ".join("%s" for _ in range(len(columns) + len(fixed)))
                raw.executemany(
                    f'INSERT INTO "{table}" ({column_list}) VALUES ({values}){conflicts}',  # noqa: S608
                    [(*row, *fixed) for row in rows],
                )
                return
            with raw.copy(f'COPY "{table}" ({column_list}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row((*row, *fixed))
            return
        values = ", ".join(["?"] * len(columns) + _sqlite_literals(raw, constants.values()))
        raw.executemany(
            f'INSERT INTO "{table}" ({column_list}) VALUES ({values}){conflicts}',  # noqa: S608
            rows,
        )


# Per thread, while `constants_as_column_defaults` is in effect: table -> the constants its
# columns currently default to.
_column_defaults = threading.local()


@contextmanager
def constants_as_column_defaults(model_list: Sequence[type[models.Model]]) -> Iterator[None]:
    """On PostgreSQL, let the tables' column defaults supply `insert_rows`' constants.

    In a million-account load a third of the values COPY sends are the same in every row
    (creditor, placement, status, timestamps: some 35 million fields), each formatted by the
    driver and parsed by the server. Set as the columns' defaults, they are left out of the
    COPY and evaluated by the server as constants. Setting a default locks the table for the
    rest of the transaction, so this is for a first load, when nobody is using the
    portfolio yet; the defaults are dropped at the end (and, should the process die,
    by the next load's `drop_column_defaults`). SQLite binds constants as literals already
    (see `insert_rows`).

    Defaults belong to the tables, not to a connection: call this under `load_lock`, which
    `drop_column_defaults` from another session respects."""
    if connection.vendor != "postgresql":
        yield
        return
    _column_defaults.by_table = {}
    try:
        yield
    finally:
        del _column_defaults.by_table
        drop_column_defaults(model_list)


@contextmanager
def load_lock() -> Iterator[None]:
    """Wait for the portfolio's load lock, and hold it: one load (import or seed) at a time.

    Two loads at once would race each other to create the same new people: neither finds
    the people the other has not committed yet, so both create them. A first load
    (decision 0004) does not look people up in the portfolio at all, and changes the tables
    for everyone (indexes dropped, on PostgreSQL column defaults set). So every load waits
    for the one before it. On PostgreSQL the lock is an advisory lock of the session; SQLite
    has none, so a lock on a file beside the database stands in (`_lock_beside`). Either
    goes when its holder's session or process ends, however it ends."""
    if connection.vendor == "sqlite":
        name = str(connection.settings_dict["NAME"])
        if name == ":memory:" or "mode=memory" in name:  # (the tests') nobody else opens it
            yield
            return
        with _lock_beside(Path(f"{name}.load.lock")):
            yield
        return
    with connection.cursor() as cursor:
        # Re-entrant: a session that holds it takes it again at once (and must let go twice).
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_LOAD_LOCK])
        if not cursor.fetchone()[0]:
            logger.warning(_WAITING)
            cursor.execute("SELECT pg_advisory_lock(%s)", [_LOAD_LOCK])
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_LOAD_LOCK])
        except DatabaseError:
            # The load failed inside a transaction (a test's), which now refuses every
            # statement: the lock goes with the session, and the load's own error is the
            # one to report.
            if not connection.in_atomic_block:
                raise


_WAITING = "another load of the portfolio is running; this one waits for it to end"

# The SQLite lock's holder in this process: `flock` belongs to an open file, so a thread
# that opened the file again would wait for itself. Threads of this process wait for one
# another here; the thread that holds it takes it again at once (`_lock_beside`).
_in_process = threading.RLock()
_depth = 0  # how many times the holder has taken it (only the holder changes it)


@contextmanager
def _lock_beside(path: Path) -> Iterator[None]:
    """An exclusive `flock` on `path`, waited for and held; re-entrant, like PostgreSQL's
    advisory locks.

    The kernel lets go of it when the process ends, however it ends, so a killed load leaves
    nothing behind to clean up (the file itself stays, empty, and is used again)."""
    global _depth
    with _in_process:
        if _depth or sys.platform == "win32":
            _depth += 1
            try:
                yield
            finally:
                _depth -= 1
            return
        with open(path, "a") as handle:  # created if missing, never truncated
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                logger.warning(_WAITING)
                fcntl.flock(handle, fcntl.LOCK_EX)
            _depth = 1
            try:
                yield
            finally:
                _depth = 0
                fcntl.flock(handle, fcntl.LOCK_UN)


def drop_column_defaults(model_list: Sequence[type[models.Model]]) -> None:
    """Drop the column defaults `constants_as_column_defaults` left on these tables (the
    models declare none; identity columns are not defaults), unless a load is using them."""
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_LOAD_LOCK])
        if not cursor.fetchone()[0]:
            return  # a load is running (maybe a first one, with its constants as the defaults)
        try:
            for model in model_list:
                table = model._meta.db_table
                cursor.execute(
                    "SELECT a.attname FROM pg_attrdef d JOIN pg_attribute a"
                    " ON a.attrelid = d.adrelid AND a.attnum = d.adnum"
                    " WHERE d.adrelid = %s::regclass",
                    [quote(table)],
                )
                names = [row[0] for row in cursor.fetchall()]
                if names:
                    drops = ", ".join(f"ALTER COLUMN {quote(name)} DROP DEFAULT" for name in names)
                    _alter_schema(cursor, f"ALTER TABLE {quote(table)} {drops}")
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_LOAD_LOCK])


# The advisory lock a load holds (`load_lock`): any number no other code uses as an advisory
# lock key ("amld" in ASCII).
_LOAD_LOCK = 0x616D6C64


def _as_column_defaults(cursor, table: str, constants: Mapping[str, object]) -> bool:
    """Make `constants` the defaults of their columns if `constants_as_column_defaults` is in
    effect (a first load on PostgreSQL); whether they are."""
    by_table = getattr(_column_defaults, "by_table", None)
    if by_table is None or not constants:
        return False
    if by_table.get(table) != constants:
        raw_connection = cursor.cursor.connection
        quote = connection.ops.quote_name
        changes = ", ".join(
            f"ALTER COLUMN {quote(name)} SET DEFAULT "
            + pg_sql.Literal(value).as_string(raw_connection)
            for name, value in constants.items()
        )
        _alter_schema(cursor, f"ALTER TABLE {quote(table)} {changes}")
        by_table[table] = dict(constants)
    return True


def _sqlite_literals(raw_cursor, values: Iterable[object]) -> list[str]:
    """SQL literals of `values`, quoted by SQLite itself (its `quote()` function)."""
    values = list(values)
    if not values:
        return []
    raw_cursor.execute("SELECT " + ", ".join(["quote(?)"] * len(values)), values)
    return [str(literal) for literal in raw_cursor.fetchone()]


def db_date(value: date | None) -> str | None:
    """ISO text: what SQLite stores and what PostgreSQL's COPY parses."""
    return value.isoformat() if value is not None else None


def db_datetime(value: datetime) -> str:
    """A timezone-aware datetime as text the database takes: naive UTC on SQLite (as the
    ORM stores it), ISO 8601 with its offset on PostgreSQL."""
    if connection.vendor == "postgresql":
        return value.isoformat()
    return str(connection.ops.adapt_datetimefield_value(value))


def rows_matching(
    model: type[models.Model],
    *,
    columns: Sequence[str],
    key_column: str,
    keys: Iterable[str],
    where: str = "",
    params: Sequence = (),
) -> list[tuple]:
    """`SELECT columns FROM model's table WHERE [where AND] key_column IN keys`.

    `where` is SQL with `%s` placeholders for `params` (column names as in the database)."""
    keys = list(keys)
    if not keys:
        return []
    table = model._meta.db_table
    column_list = ", ".join(f'"{name}"' for name in columns)
    key_param: object
    if connection.vendor == "postgresql":
        condition, key_param = f'"{key_column}" = ANY(%s)', keys
    else:
        condition = f'"{key_column}" IN (SELECT value FROM json_each(%s))'  # noqa: S608
        key_param = json.dumps(keys)
    if where:
        condition = f"{where} AND {condition}"
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT {column_list} FROM "{table}" WHERE {condition}',  # noqa: S608
            [*params, key_param],
        )
        return cursor.fetchall()


@contextmanager
def indexes_built_after_load(
    model_list: Sequence[type[models.Model]], *, keep: Iterable[tuple[type[models.Model], str]]
) -> Iterator[None]:
    """Drop the models' plain (non-unique) indexes for a bulk load, build them afterwards;
    on PostgreSQL, their foreign keys too.

    Keys such as names, account numbers and phone numbers land all over their b-trees, so
    keeping eight indexes up to date row by row costs more than inserting the rows, while
    building an index afterwards is one sort (the PostgreSQL manual's advice for populating
    a database; on PostgreSQL the tables are then analyzed, as it also advises). `keep`
    names the (model, column) indexes the load itself reads. Unique constraints are never
    dropped: they are the integrity the load relies on.

    The foreign keys (PostgreSQL only) are the manual's third piece of advice: each checks
    every new row against its parent, with a row lock on the parent, about eight checks per
    account. They are added back `NOT VALID` and then validated, which checks every row of
    the load in one join: a row without its parent fails the load there, as it would have
    failed its batch. SQLite cannot drop a foreign key without rebuilding the table.

    Meant for an empty portfolio (the first seed, a first import), when nobody can be
    searching it. If the process dies before the end, the next seed or import restores the
    missing indexes and foreign keys first (`build_missing_indexes`)."""
    kept = {(model._meta.db_table, column) for model, column in keep}
    deferred = [index for index in _plain_indexes(model_list) if index[:2] not in kept]
    with connection.cursor() as cursor:
        for _table, _column, name, _sql in deferred:
            cursor.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(name)}")
        if connection.vendor == "postgresql":
            quote = connection.ops.quote_name
            for table, name, _sql in _foreign_keys(model_list):
                _alter_schema(
                    cursor, f"ALTER TABLE {quote(table)} DROP CONSTRAINT IF EXISTS {quote(name)}"
                )
    try:
        yield
    finally:
        # Statistics from when the tables were empty make the planner scan a million rows
        # for a look-up of a few hundred people (measured: 233 ms against 2 ms); the
        # manual's other advice for populating a database. SQLite's planner needs none.
        build_missing_indexes(model_list, analyze=connection.vendor == "postgresql")


def build_missing_indexes(
    model_list: Sequence[type[models.Model]], *, analyze: bool = False
) -> list[str]:
    """Create the models' plain indexes (and, on PostgreSQL, foreign keys) that are not in the
    database; their names. `analyze`: then refresh each table's statistics."""
    built = []
    work: dict[str, list[str]] = {model._meta.db_table: [] for model in model_list}
    with connection.cursor() as cursor, _sorting_on_disk(cursor):
        present: dict[str, set[str]] = {}
        for table, _column, name, sql in _plain_indexes(model_list):
            if table not in present:
                present[table] = set(connection.introspection.get_constraints(cursor, table))
            if name not in present[table]:
                work[table].append(sql)
                built.append(name)
        if connection.vendor == "postgresql":
            for table, name, check in _add_missing_foreign_keys(cursor, model_list):
                work[table].append(check)
                built.append(name)
        if analyze:
            for table, statements in work.items():
                statements.append(f"ANALYZE {connection.ops.quote_name(table)}")
        groups = [(table, group) for table, group in work.items() if group]
        if connection.vendor == "postgresql":  # the largest tables' work first
            sizes = {table: _table_pages(cursor, table) for table, _group in groups}
            groups.sort(key=lambda item: sizes[item[0]] * len(item[1]), reverse=True)
        _alter_tables_on_two_connections(cursor, [group for _table, group in groups])
    return built


def _table_pages(cursor, table: str) -> int:
    cursor.execute(
        "SELECT pg_relation_size(%s::regclass) / 8192", [connection.ops.quote_name(table)]
    )
    return int(cursor.fetchone()[0])


def _alter_tables_on_two_connections(cursor, groups: Sequence[Sequence[str]]) -> None:
    """Run groups of schema changes (or ANALYZEs), each group in order; on PostgreSQL two
    groups at a time, on this connection and a second one.

    At the end of a first load the reader process has finished, so one of the two cores would
    sit idle while the indexes are built and the foreign keys checked one by one (a million
    accounts: the server used 1.45 of the 2 cores for 9.5 s; on two connections, 8.1-9.3 s).
    Each group is one table's work: statements on different tables do not wait for each
    other's locks (a foreign-key check only shares its parent table), while on the same table
    an index build and a check would. PostgreSQL may still give a large index build a
    parallel worker (measured without: 9.2 s). The groups are taken largest first (their
    order in `groups`), so the two connections finish close together. Inside a transaction (a
    test's) or on SQLite (one writer at a time), they run here, one after the other."""
    statements = [sql for group in groups for sql in group]
    if connection.vendor != "postgresql" or connection.in_atomic_block or len(groups) < 2:
        for sql in statements:
            _alter_schema(cursor, sql)
        return
    work = list(reversed(groups))
    failures: list[BaseException] = []  # the first error stops both sides

    def drain(execute) -> None:
        try:
            while not failures:
                try:
                    group = work.pop()
                except IndexError:
                    return
                for sql in group:
                    execute(sql)
        except BaseException as error:  # re-raised in the caller's thread below
            failures.append(error)

    def on_second_connection() -> None:
        from django.db import connections

        try:
            with connections["default"].cursor() as second:  # this thread's own connection
                drain(second.execute)
        except BaseException as error:  # could not connect: re-raised below
            failures.append(error)
        finally:
            connections["default"].close()

    helper = threading.Thread(target=on_second_connection, name="schema-changes")
    helper.start()
    try:
        drain(cursor.execute)
    finally:
        helper.join()
    if failures:
        raise failures[0]


def _add_missing_foreign_keys(
    cursor, model_list: Sequence[type[models.Model]]
) -> list[tuple[str, str, str]]:
    """Add back the foreign keys a load dropped, NOT VALID (no check, a brief lock); the
    (table, name, VALIDATE statement) of each, to run next: it checks every row in one join,
    without blocking writes. A key left NOT VALID (its validation found a row without its
    parent) is validated again, so the error comes back until the data is mended, instead of
    the key staying unchecked."""
    quote = connection.ops.quote_name
    checks = []
    for table, name, sql in _foreign_keys(model_list):
        cursor.execute(
            "SELECT convalidated FROM pg_constraint WHERE conname = %s AND conrelid = %s::regclass",
            [name, quote(table)],
        )
        found = cursor.fetchone()
        if found is not None and found[0]:
            continue
        if found is None:
            _alter_schema(cursor, f"{sql} NOT VALID")
        checks.append(
            (table, name, f"ALTER TABLE {quote(table)} VALIDATE CONSTRAINT {quote(name)}")
        )
    return checks


def _alter_schema(cursor, sql: str) -> None:
    """Run a schema change. On PostgreSQL inside a transaction (a test's), checks of deferred
    foreign keys still pending would make it refuse to alter those tables: run them first."""
    pending_checks = connection.vendor == "postgresql" and connection.in_atomic_block
    if pending_checks:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute(sql)
    if pending_checks:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # as Django declares them


def _foreign_keys(model_list: Sequence[type[models.Model]]) -> list[tuple[str, str, str]]:
    """(table, constraint name, ADD CONSTRAINT statement) of each foreign key the models
    declare, named and defined (deferrable) as migrations make them."""
    editor = connection.schema_editor(collect_sql=True)  # not entered: it only writes SQL
    found = []
    for model in model_list:
        for field in model._meta.local_fields:
            # Relation fields have `db_constraint`; the stubs do not declare it.
            if field.remote_field is None or not field.db_constraint:  # type: ignore[attr-defined]
                continue
            # A private method of Django's schema editor, left out of the stubs.
            statement = editor._create_fk_sql(  # type: ignore[attr-defined]  # noqa: SLF001
                model, field, "_fk_%(to_table)s_%(to_column)s"
            )
            name = str(statement.parts["name"]).strip('"')
            found.append((model._meta.db_table, name, str(statement)))
    return found


@contextmanager
def _sorting_on_disk(cursor) -> Iterator[None]:
    """On SQLite, let CREATE INDEX sort in small runs spilled to a temporary file and merged
    by two threads.

    The settings keep temporary data in memory, where sorting a million contact points would
    take some 150 MB more (the import promises less than 500 MB). The sorter also takes its
    in-memory run size from the page cache's size: with the settings' 128 MB cache it sorts
    in one large run on one thread, which measured twice as slow as 2 MB runs merged by a
    helper thread (the nine indexes of a million-account load: 3.1 s against 6.7 s; the
    reader process has finished by then, so the second core is free). PostgreSQL bounds
    its sorts by itself (`maintenance_work_mem`) and gives large ones parallel workers.
    SQLite cannot change temp_store inside a transaction (a test's)."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    before = {}
    for pragma in ("temp_store", "cache_size", "threads"):
        cursor.execute(f"PRAGMA {pragma}")
        before[pragma] = int(cursor.fetchone()[0])
    cursor.execute("PRAGMA temp_store = FILE")
    cursor.execute(f"PRAGMA cache_size = {SORT_CACHE_KIB}")
    cursor.execute(f"PRAGMA threads = {SORT_THREADS}")
    try:
        yield
    finally:
        for pragma, value in before.items():
            cursor.execute(f"PRAGMA {pragma} = {value}")


# While SQLite builds indexes: its page cache (negative: in KiB), which also sizes the
# sorter's runs, and the helper threads the sorter may use.
SORT_CACHE_KIB = -2000
SORT_THREADS = 2


def _plain_indexes(model_list: Sequence[type[models.Model]]) -> list[tuple[str, str, str, str]]:
    """(table, first column, index name, CREATE INDEX statement) of each plain index the
    models declare (fields with db_index, foreign keys, Meta.indexes), as migrations make
    them."""
    editor = connection.schema_editor(collect_sql=True)  # not entered: it only writes SQL
    found = []
    for model in model_list:
        # A private method of Django's schema editor, left out of the stubs.
        for statement in editor._model_indexes_sql(model):  # type: ignore[attr-defined]  # noqa: SLF001
            columns = statement.parts.get("columns")
            first = columns.columns[0] if columns is not None and columns.columns else ""
            name = str(statement.parts["name"]).strip('"')
            found.append((model._meta.db_table, first, name, str(statement)))
    return found
