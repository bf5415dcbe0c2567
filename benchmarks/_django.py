"""Set up Django for a benchmark: a fresh SQLite file in a temporary folder, or a fresh
PostgreSQL database when DATABASE_URL is set (it is created and dropped by the caller)."""

import os
import tempfile
from pathlib import Path


def setup_django(*, keep: bool = False) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="amicable-bench-"))
    os.environ.setdefault("AMICABLE_DATA_DIR", str(folder))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amicable.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    return folder


def reset_peak_rss() -> None:
    """Forget this process's peak memory so far (Linux), so that writing a benchmark's input
    file first does not count against the run it feeds. Elsewhere the peak keeps it."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def peak_rss_mb() -> float:
    """Peak memory of this process since it started or since `reset_peak_rss`."""
    import resource

    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_peak_rss_mb() -> float:
    """Peak memory of the largest finished child (the reader or generator process)."""
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def cpu_seconds() -> tuple[float, float]:
    """CPU time so far of this process and of its finished children (the reader or
    generator process is joined when an import or a seed ends): on a shared machine the
    wall clock alone says little."""
    import resource
    import time

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time(), children.ru_utime + children.ru_stime
