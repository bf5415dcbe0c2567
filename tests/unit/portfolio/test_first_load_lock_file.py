"""SQLite's stand-in for PostgreSQL's advisory lock of first loads: a lock on a file."""

import subprocess
import sys
from pathlib import Path

import pytest

from amicable.portfolio import bulk_insert

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="flock is POSIX")


def test_a_second_load_is_refused_the_lock_until_the_first_lets_go(tmp_path: Path) -> None:
    path = tmp_path / "amicable.sqlite3.first-load.lock"
    with bulk_insert._lock_beside(path) as first:
        assert first
        with bulk_insert._lock_beside(path) as second:
            assert not second
    with bulk_insert._lock_beside(path) as again:
        assert again


def test_a_killed_load_leaves_no_lock_behind(tmp_path: Path) -> None:
    path = tmp_path / "amicable.sqlite3.first-load.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys, time\n"
            "handle = open(sys.argv[1], 'a')\n"
            "fcntl.flock(handle, fcntl.LOCK_EX)\n"
            "print('held', flush=True)\n"
            "time.sleep(60)\n",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with bulk_insert._lock_beside(path) as held:
            assert not held
    finally:
        holder.kill()
        holder.wait()
    with bulk_insert._lock_beside(path) as held:
        assert held


@pytest.mark.django_db
def test_on_sqlite_a_first_load_takes_the_lock_beside_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL uses an advisory lock")
    database = tmp_path / "amicable.sqlite3"
    monkeypatch.setitem(connection.settings_dict, "NAME", str(database))
    with bulk_insert._lock_beside(Path(f"{database}.first-load.lock")) as held:
        assert held
        with bulk_insert.first_load_lock() as alone:
            assert not alone
    with bulk_insert.first_load_lock() as alone:
        assert alone
