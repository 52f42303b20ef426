"""``synevent verify``: run the validation cases and write the report."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..engine.checks import ParameterError
from .common import EXIT_FAILED, EXIT_OK, check_dir, path_arg, writable_dir, writable_file

__all__ = ["add_verify", "format_verify_table"]

#: Width of the title column in the printed verify table (longer titles are cut).
TITLE_WIDTH = 48


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def format_verify_table(results) -> str:
    """The compact pass/fail table ``verify`` prints: id, title, checks, result, seconds."""
    from ..validation.report import summary_table

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
    from ..validation.report import run_cases, write_report  # pandas, tqdm: only when run

    if args.doc is not None and (args.fast or args.case):
        raise ParameterError("--doc documents a full run of every case: drop --fast and --case")
    out = Path(args.out)
    check_dir(out, "--out")
    if args.doc is not None:
        doc = Path(args.doc)
        # the page's figures go to <PATH without .md>/figures: without the suffix, the page and
        # its figure folder would be the same path
        if doc.suffix.lower() != ".md":
            raise ParameterError(f'--doc "{doc}" must be a Markdown file name ending in .md, '
                                 "e.g. docs/validation.md")
        check_dir(doc.with_suffix("") / "figures", "--doc figures folder")
        writable_dir(doc.parent, "--doc folder")
        writable_file(doc, "--doc")
    writable_dir(out, "--out")  # before running: never lose a long run to a bad folder
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
    p.add_argument("--out", type=path_arg, metavar="DIR", default="runs/verify",
                   help="folder for report.md, results.csv and figures/ (default: %(default)s)")
    p.add_argument("--doc", type=path_arg, metavar="PATH", default=None,
                   help="also write the report as this Markdown page (a name ending in .md), e.g. "
                   "docs/validation.md (figures into <PATH without .md>/figures/); full runs only")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.set_defaults(handler=_verify)
