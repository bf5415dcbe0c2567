"""The `amicable` console script.

It runs Django's management commands (ours and Django's own: `amicable migrate`,
`amicable import FILE --creditor CODE`, `amicable demo`, ...). Two commands need no
database and skip Django entirely so they start instantly and work anywhere:
`amicable simulate` and `amicable compliance check`.
"""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["simulate"]:
        from amicable.simulation.cli import main as simulate

        return simulate(args[1:])
    if args[:2] == ["compliance", "check"]:
        from amicable.compliance.check_cli import main as check

        return check(args[2:])

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amicable.config.settings")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it
    execute_from_command_line(["amicable", *args])
    if args[:1] in ([], ["help"], ["--help"], ["-h"]):
        # Django lists its management commands; these two are not among them.
        sys.stdout.write(
            "\n[amicable, without a database]\n"
            "    simulate            a call-center shift in simulated time "
            "(amicable simulate --help)\n"
            "    compliance check    what-if scenarios of the compliance rules "
            "(amicable compliance check --help)\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
