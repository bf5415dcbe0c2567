"""These tests are pure: no database, no Django settings.

The project-wide autouse fixture adjusting Django settings is replaced by a no-op here so these
tests also run with ``-p no:django``.
"""

import pytest


@pytest.fixture(autouse=True)
def _tasks_run_immediately():
    yield
