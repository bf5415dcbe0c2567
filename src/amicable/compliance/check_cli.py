"""`amicable compliance check SCENARIO.json`: decide a what-if scenario without a database.

Kept free of Django so it starts fast and runs anywhere; the `amicable` command dispatches
``compliance check ...`` here. Exit status: 0 with the answer on stdout, 2 for an invalid
scenario or unreadable file (message on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys

from amicable.compliance.core.scenario import ScenarioError, check_json


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="amicable compliance check",
        description="Evaluate a compliance scenario (one JSON object or a list) and print the "
        "decision as JSON. See docs/compliance.md for the format.",
    )
    parser.add_argument("scenario", metavar="SCENARIO.json", help="scenario file, or - for stdin")
    parser.add_argument(
        "--notes", action="store_true", help="also list the exceptions applied (e.g. consent)"
    )
    return parser


def main(argv: list[str]) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.scenario == "-":
            text = sys.stdin.read()
        else:
            with open(args.scenario, encoding="utf-8") as handle:
                text = handle.read()
    except OSError as error:
        print(
            f"{parser.prog}: error: cannot read {args.scenario}: {error.strerror}", file=sys.stderr
        )
        return 2
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        print(f"{parser.prog}: error: not valid JSON: {error}", file=sys.stderr)
        return 2
    try:
        result = check_json(data, notes=args.notes)
    except ScenarioError as error:
        print(f"{parser.prog}: error: invalid scenario: {error}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
