"""The placement core is pure Python: its tests need no Django settings or database."""

import pytest


@pytest.fixture(autouse=True)
def _tasks_run_immediately() -> None:
    """Overrides the project-wide autouse fixture (which needs pytest-django's `settings`), so
    these tests also run with `-p no:django` while the Django settings are being written."""
