import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from amicable.kernel.clock import utc_now
from amicable.portfolio.imports import (
    UnableToImportPlacement,
    receive_placement_file,
    run_placement_import,
)
from amicable.portfolio.models import Placement


class Command(BaseCommand):
    help = "Import a creditor's placement file (CSV or XLSX): amicable import FILE --creditor CODE"

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="the placement file (.csv or .xlsx)")
        parser.add_argument("--creditor", help="the creditor's code")
        parser.add_argument("--mapping", help="a mapping file renaming columns (CSV or JSON)")
        parser.add_argument("--json", action="store_true", help="print one JSON summary")
        parser.add_argument(
            "--resume", type=int, metavar="PLACEMENT_ID", help="run an interrupted import again"
        )

    def handle(self, *args, **options):
        try:
            if options["resume"]:
                placement_id = options["resume"]
                if not Placement.objects.filter(pk=placement_id).exists():
                    raise CommandError(f"no placement with id {placement_id}")
            else:
                if not options["file"] or not options["creditor"]:
                    raise CommandError("give FILE and --creditor CODE (or --resume ID)")
                path = Path(options["file"])
                if not path.is_file():
                    raise CommandError(f"{path}: no such file")
                mapping = Path(options["mapping"]) if options["mapping"] else None
                if mapping is not None and not mapping.is_file():
                    raise CommandError(f"{mapping}: no such mapping file")
                placement_id = receive_placement_file(
                    creditor_code=options["creditor"],
                    source_path=path,
                    file_name=path.name,
                    now=utc_now(),
                    mapping_path=mapping,
                ).pk
            summary = run_placement_import(
                placement_id=placement_id,
                now=utc_now(),
                clock=utc_now,
                on_progress=None if options["json"] else self._progress,
            )
        except UnableToImportPlacement as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(summary.as_json()))
            return
        sys.stderr.write("\n")
        self.stdout.write(
            f"Placement {summary.placement_id}: {summary.rows} rows, {summary.created} created, "
            f"{summary.updated} updated, {summary.unchanged} unchanged, "
            f"{summary.rejected} rejected, {summary.warnings} warnings.\n"
            f"Report of rejected rows and warnings: {summary.errors_file}"
        )

    def _progress(self, placement: Placement) -> None:
        sys.stderr.write(f"\r{placement.rows_processed:,} rows processed")
        sys.stderr.flush()
