"""The ``synevent`` command line (also ``python -m synevent``).

Subcommands are added by the functions in :data:`SUBCOMMANDS`: each takes the argparse
subparsers object, adds its parser and sets ``handler`` (a function of the parsed arguments
returning the exit code) with ``set_defaults``. A handler raises
:class:`~synevent.engine.checks.ParameterError` for a user's mistake; :func:`main` prints the
message without a traceback and returns :data:`EXIT_USAGE`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import warnings
from collections.abc import Callable, Sequence

from .._version import __version__
from ..engine import kernel
from ..engine.checks import ParameterError
from .common import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from .plot import add_plot
from .scenario import add_compare, add_presets, add_run, add_schema, add_validate
from .sweep import add_sweep
from .verify import add_verify

__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "SUBCOMMANDS", "build_parser", "main"]

#: The subcommands, in the order ``synevent --help`` lists them.
SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    add_run, add_compare, add_sweep, add_validate, add_presets, add_schema, add_plot, add_verify,
]


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


@contextlib.contextmanager
def _one_line_warnings(command: str):
    """Show warnings as one line of the command's own, without the library's source line."""
    saved = warnings.formatwarning
    warnings.formatwarning = lambda message, *_, **__: f"synevent {command}: warning: {message}\n"
    try:
        yield
    finally:
        warnings.formatwarning = saved


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
        kernel.available()  # a bad SYNEVENT_KERNEL is refused before any work
        with _one_line_warnings(args.command):
            return args.handler(args)
    except ParameterError as exc:
        print(f"synevent {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"synevent {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (``synevent presets NAME | head``): not an error of ours; point
        # stdout at devnull so that the interpreter's final flush does not raise again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
