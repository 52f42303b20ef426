"""Exit codes and helpers shared by the subcommands."""

from __future__ import annotations

from pathlib import Path

from ..engine.checks import ParameterError

__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "writable_dir"]

EXIT_OK = 0  # the command did what was asked (verify: every case passed)
EXIT_FAILED = 1  # it ran, and something it checks failed (verify: a case failed)
EXIT_USAGE = 2  # bad input: nothing or not everything was run (argparse uses 2 as well)


def writable_dir(path: Path, option: str) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ParameterError(f'{option} "{path}" cannot be created: {exc.strerror or exc}') from None
