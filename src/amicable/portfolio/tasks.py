"""Background work of the portfolio, run by the task worker (`amicable db_worker`)."""

from django_tasks import task

from amicable.kernel.clock import utc_now
from amicable.portfolio.imports import run_placement_import


@task()
def import_placement_task(placement_id: int) -> dict:
    """Import an uploaded placement. Safe to run twice: the import resumes at its checkpoint."""
    summary = run_placement_import(placement_id=placement_id, now=utc_now(), clock=utc_now)
    return summary.as_json()
