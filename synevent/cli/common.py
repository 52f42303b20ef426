"""Exit codes and helpers shared by the subcommands."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..engine.checks import ParameterError

if TYPE_CHECKING:
    from ..scenario.schema import Scenario

__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "check_dir", "note_dropped_spikes", "path_arg",
           "writable_dir", "writable_file"]

EXIT_OK = 0  # the command did what was asked (verify: every case passed)
EXIT_FAILED = 1  # it ran, and something it checks failed (verify: a case failed)
EXIT_USAGE = 2  # bad input: nothing or not everything was run (argparse uses 2 as well)


def path_arg(text: str) -> str:
    """argparse ``type`` of path options: refuses an empty path.

    ``Path("")`` is the current folder, so ``--out ""`` (an unset shell variable) would write
    into it, or be taken for "not given".
    """
    if not text.strip():
        raise argparse.ArgumentTypeError(f'an empty path "{text}"; give a file or folder name')
    return text


def check_dir(path: Path, option: str) -> None:
    """Refuse an output folder that is, or lies under, an existing file; create nothing.

    For commands that create the folder themselves later, after other checks: an empty folder
    is then not left behind by a command refused for another reason.

    Parameters
    ----------
    path : Path
        The folder a command will write into (existing or new).
    option : str
        How the user named it (``"--out"``), for the message.

    Raises
    ------
    ParameterError
        If ``path`` or one of its existing parents is not a folder.
    """
    for p in (path, *path.parents):
        if p.exists():
            if not p.is_dir():
                where = "is a file" if p == path else f'lies under "{p}", which is a file'
                raise ParameterError(f'{option} "{path}" {where}; it must be a folder '
                                     "(existing or new)")
            return


def writable_dir(path: Path, option: str) -> None:
    """Create the output folder ``path`` (and its parents) or refuse it.

    Parameters
    ----------
    path : Path
        The folder a command writes into.
    option : str
        How the user named it (``"--out"``), for the message.

    Raises
    ------
    ParameterError
        If ``path`` is, or lies under, an existing file, or cannot be created.
    """
    check_dir(path, option)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ParameterError(f'{option} "{path}" cannot be created: {exc.strerror or exc}') from None


def writable_file(path: Path, option: str) -> None:
    """Refuse an output file that cannot be written.

    Called before any work, so that a computation is never lost to a bad path. Like a shell
    redirection, the file's folder must exist: a typo in a folder name is refused rather than
    created. The write itself can still fail (disk full): callers turn that ``OSError`` into a
    message too.

    Parameters
    ----------
    path : Path
        The file a command will write.
    option : str
        How the user named it (``"--out"``), for the message.

    Raises
    ------
    ParameterError
        If ``path`` is a folder, its folder does not exist or the file cannot be written.
    """
    if path.is_dir():
        raise ParameterError(f'{option} "{path}" is a folder; it must be a file name')
    folder = path.parent
    if not folder.is_dir():
        what = "is a file" if folder.exists() else "does not exist"
        raise ParameterError(f'{option} "{path}": its folder "{folder}" {what}')
    # NOTE: os.access, not a trial write: a trial write would leave an empty file behind if the
    # command then stops on other bad input
    if not os.access(path if path.exists() else folder, os.W_OK):
        raise ParameterError(f'{option} "{path}" cannot be written: permission denied')


def note_dropped_spikes(path: str, scenarios: Scenario | list[Scenario]) -> None:
    """Say once, on stderr, which spikes of a file's stimulus fall after its run: of the file, or
    of the grid points of its sweep (for commands that check or expand a file;
    :func:`~synevent.scenario.run_scenario` warns by itself)."""
    from ..scenario.build import dropped_spikes

    many = isinstance(scenarios, list)
    runs = scenarios if many else [scenarios]
    lost = [m for sc in runs if (m := dropped_spikes(sc))]
    if lost and many:
        print(f"{path}: note: {len(lost)} of the sweep's {len(runs)} tasks leave spikes out, e.g. "
              f"{lost[0]}", file=sys.stderr)
    elif lost:
        print(f"{path}: note: {lost[0]}", file=sys.stderr)
