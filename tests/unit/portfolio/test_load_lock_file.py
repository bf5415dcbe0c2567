"""SQLite's stand-in for PostgreSQL's advisory lock of loads: a lock on a file."""

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from amicable.portfolio import bulk_insert

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="flock is POSIX")


def _take_in_a_thread(path: Path) -> tuple[threading.Thread, threading.Event]:
    taken = threading.Event()

    def take() -> None:
        with bulk_insert._lock_beside(path):
            taken.set()

    thread = threading.Thread(target=take)
    thread.start()
    return thread, taken


def test_a_second_load_waits_until_the_first_lets_go(tmp_path: Path) -> None:
    path = tmp_path / "amicable.sqlite3.load.lock"
    with bulk_insert._lock_beside(path):
        thread, taken = _take_in_a_thread(path)
        assert not taken.wait(timeout=0.5)
    assert taken.wait(timeout=10)
    thread.join()


def test_the_holder_takes_it_again_at_once(tmp_path: Path) -> None:
    """As PostgreSQL's advisory locks: an import holds it, and so does the load inside it."""
    path = tmp_path / "amicable.sqlite3.load.lock"
    with bulk_insert._lock_beside(path), bulk_insert._lock_beside(path):
        thread, taken = _take_in_a_thread(path)
        assert not taken.wait(timeout=0.3)
    assert taken.wait(timeout=10)
    thread.join()


def test_a_killed_load_leaves_no_lock_behind(tmp_path: Path) -> None:
    path = tmp_path / "amicable.sqlite3.load.lock"
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
        thread, taken = _take_in_a_thread(path)
        assert not taken.wait(timeout=0.5)
    finally:
        holder.kill()
        holder.wait()
    assert taken.wait(timeout=10)
    thread.join()


@pytest.mark.django_db
def test_on_sqlite_a_load_takes_the_lock_beside_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL uses an advisory lock")
    database = tmp_path / "amicable.sqlite3"
    monkeypatch.setitem(connection.settings_dict, "NAME", str(database))
    with bulk_insert.load_lock():
        thread, taken = _take_in_a_thread(Path(f"{database}.load.lock"))
        assert not taken.wait(timeout=0.5)
    assert taken.wait(timeout=10)
    thread.join()
