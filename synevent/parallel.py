"""Process pools that do not fork the calling process.

Forking a process that runs threads (numpy's BLAS pool, a progress bar, dask, numba) can
deadlock the child, and Python 3.12 warns about it. Pools here start their workers from a
forkserver (a small single-threaded server forks each worker) or, where there is none
(Windows), by spawning. Each worker then imports synevent itself, once per pool; nothing is
preloaded into the server, since importing numpy there would start threads in it.

A script that starts such a pool must guard its top level with ``if __name__ == "__main__":``.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

__all__ = ["optional_pool", "pool_context", "process_pool"]


def pool_context() -> multiprocessing.context.BaseContext:
    """The forkserver start method where it exists, spawn otherwise."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")


def process_pool(max_workers: int) -> ProcessPoolExecutor:
    """A :class:`~concurrent.futures.ProcessPoolExecutor` whose workers are not forked from here.

    Pass it as ``executor=`` to :func:`synevent.compare` or :func:`synevent.dose_response`:
    results do not depend on the pool, since every replicate draws only from its own seed.
    """
    return ProcessPoolExecutor(max_workers=max_workers, mp_context=pool_context())


@contextlib.contextmanager
def optional_pool(workers: int) -> Iterator[ProcessPoolExecutor | None]:
    """:func:`process_pool` of ``workers``, or ``None`` (run in this process) for one worker."""
    if workers <= 1:
        yield None
        return
    with process_pool(workers) as pool:
        yield pool
