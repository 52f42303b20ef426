"""The ``synevent`` command line (also ``python -m synevent``).

Subcommands are added by the functions in :data:`SUBCOMMANDS`: each takes the argparse
subparsers object, adds its parser and sets ``handler`` (a function of the parsed arguments
returning the exit code) with ``set_defaults``. A handler raises
:class:`~synevent.engine.checks.ParameterError` for a user's mistake; :func:`main` prints the
message without a traceback and returns :data:`EXIT_USAGE`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from ._version import __version__
from .engine.checks import ParameterError

__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "SUBCOMMANDS", "build_parser", "main"]

EXIT_OK = 0  # the command did what was asked (verify: every case passed)
EXIT_FAILED = 1  # it ran, and something it checks failed (verify: a case failed)
EXIT_USAGE = 2  # bad input: nothing or not everything was run (argparse uses 2 as well)

#: Width of the title column in the printed verify table (longer titles are cut).
TITLE_WIDTH = 48


def _writable_dir(path: Path, option: str) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ParameterError(f'{option} "{path}" cannot be created: {exc.strerror or exc}') from None


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def format_verify_table(results) -> str:
    """The compact pass/fail table ``verify`` prints: id, title, checks, result, seconds."""
    from .validation.report import summary_table

    table = summary_table(results)
    rows = [("id", "title", "checks", "result", "seconds")] + [
        (r.id, _short(r.title, TITLE_WIDTH), r.checks, r.result, f"{r.seconds:.1f}")
        for r in table.itertuples()
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = []
    for row in rows:
        cells = [cell.ljust(w) for cell, w in zip(row[:4], widths)] + [row[4].rjust(widths[4])]
        lines.append("  ".join(cells))
    return "\n".join(lines)


def _verify(args: argparse.Namespace) -> int:
    from .validation.report import run_cases, write_report  # pandas, tqdm: only when run

    if args.doc is not None and (args.fast or args.case):
        raise ParameterError("--doc documents a full run of every case: drop --fast and --case")
    out = Path(args.out)
    _writable_dir(out, "--out")  # before running: never lose a long run to a bad folder
    if args.doc is not None:
        _writable_dir(Path(args.doc).parent, "--doc folder")
    results = run_cases(args.case, fast=args.fast, progress=not args.no_progress)
    try:
        report = write_report(results, out, args.fast, doc=args.doc)
    except OSError as exc:
        raise ParameterError(f"the report could not be written: {exc}") from None
    print(format_verify_table(results))
    n_pass = sum(r.passed for r in results)
    print(f"\n{n_pass} of {len(results)} cases pass. Report: {report}")
    if args.doc is not None:
        print(f"Documentation page: {args.doc}")
    return EXIT_OK if n_pass == len(results) else EXIT_FAILED


def add_verify(subparsers) -> None:
    p = subparsers.add_parser(
        "verify",
        help="run the validation cases against published physiology and write a report",
        description="Run the validation cases, print a pass/fail table and write a Markdown "
        "report with figures. Exit 0 if every case passes, 1 if any fails, 2 on bad input.",
    )
    p.add_argument("--fast", action="store_true",
                   help="reduced replicates (for CI); tolerances follow from the smaller samples")
    p.add_argument("--case", metavar="ID", nargs="+", action="extend",
                   help="run only these case ids (repeatable), e.g. --case V-01 V-03")
    p.add_argument("--out", metavar="DIR", default="runs/verify",
                   help="folder for report.md, results.csv and figures/ (default: %(default)s)")
    p.add_argument("--doc", metavar="PATH", default=None,
                   help="also write the report as this documentation page, e.g. "
                   "docs/validation.md (figures into <PATH without .md>/figures/); full runs only")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.set_defaults(handler=_verify)


#: The subcommands, in the order ``synevent --help`` lists them.
SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [add_verify]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="synevent",
        description="Stochastic discrete-event simulation of synaptic transmission.",
    )
    parser.add_argument("--version", action="version", version=f"synevent {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in SUBCOMMANDS:
        add(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help and --version (0), argparse usage errors (2)
        return 0 if exc.code is None else int(exc.code)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return args.handler(args)
    except ParameterError as exc:
        print(f"synevent {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"synevent {args.command}: interrupted", file=sys.stderr)
        return 130
