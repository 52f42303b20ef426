"""Files that appear whole or not at all: write under a hidden partial name, then rename.

Readers of Parquet datasets (pyarrow, dask, pandas) skip hidden files, and ``os.replace`` is
atomic on one file system, so a file with its final name is never half-written. A restarted
writer deletes what an interrupted one left (:func:`remove_partials`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_path", "partial_path", "remove_partials"]


def partial_path(path: Path) -> Path:
    """The hidden name ``path`` is written under; the suffix is kept (pynwb wants ``.nwb``)."""
    return path.with_name(f".{path.stem}.partial{path.suffix}")


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield the partial path to write; rename it to ``path`` on success, delete it on error."""
    tmp = partial_path(Path(path))
    try:
        yield tmp
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)


def remove_partials(folder: Path, pattern: str = "") -> int:
    """Delete the partial files in ``folder`` (under ``pattern``, e.g. ``"scenario=*/"``)."""
    n = 0
    for p in Path(folder).glob(f"{pattern}.*.partial*"):
        p.unlink()
        n += 1
    return n
