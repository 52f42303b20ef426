"""Run a sweep's tasks on an executor, skipping tasks a previous attempt finished.

Executors: ``"inprocess"`` (this process, one task after another), ``"processes"`` (a local
process pool, the default) and ``"dask"`` (dask.distributed: a scheduler address, or a
``LocalCluster`` started here). Every task writes its own files from the worker that ran it
(:class:`~synevent.sweep.store.TaskStore`), so only a small summary row travels back, and the
parent's progress bar counts finished tasks.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from .._version import __version__
from ..export.atomic import atomic_path
from ..engine.checks import ParameterError
from .grid import Task
from .store import TaskStore

__all__ = ["EXECUTORS", "run_sweep", "run_task"]

EXECUTORS = ("inprocess", "processes", "dask")


def run_task(task: Task, root: str) -> dict[str, Any]:
    """Run one task, write its files atomically, return its summary row (a worker function)."""
    from ..export.events import EventWriter
    from ..scenario.build import build_inputs
    from ..scenario.schema import Scenario
    from ..simulation import simulate

    sc = Scenario.model_validate(task.data)
    inputs = build_inputs(sc)
    store = TaskStore(Path(root))
    res = simulate(inputs.synapse, inputs.stimulus, seed=task.seed(), **inputs.simulate_kwargs())
    row: dict[str, Any] = {"task_id": task.task_id, "condition": task.condition or "",
                           "dose_uM": float("nan") if task.dose_uM is None else task.dose_uM,
                           "replicate": task.replicate, "seed_entropy": str(task.seed_entropy),
                           "spawn_key": json.dumps(list(task.spawn_key))}
    row.update({k: json.dumps(v) if isinstance(v, (list, dict)) else v
                for k, v in task.point.items()})
    row.update(res.summary)
    if sc.outputs.events != "none":
        path = store.events_path(task.scenario, task.task_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        writer = EventWriter(path, "parquet", extra={"replicate": pa.int32()})
        try:
            writer.write(res.log, consume=True, replicate=task.replicate)
        except BaseException:
            writer.abort()
            raise
        writer.close()
    store.write_summary(task.scenario, task.task_id, pd.DataFrame([row]))
    return row


def _results_inprocess(tasks: Sequence[Task], root: str, workers: int) -> Iterator[dict]:
    for t in tasks:
        yield run_task(t, root)


def _results_processes(tasks: Sequence[Task], root: str, workers: int) -> Iterator[dict]:
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run_task, t, root) for t in tasks]
        try:
            for f in as_completed(futures):
                yield f.result()
        except BaseException:
            for f in futures:
                f.cancel()
            raise


def _results_dask(tasks: Sequence[Task], root: str, workers: int,
                  scheduler: str | None = None) -> Iterator[dict]:
    try:
        from distributed import Client, LocalCluster, as_completed as dask_completed
    except ImportError:
        raise ParameterError('executor "dask" needs dask.distributed: pip install '
                             '"synevent[dask]"') from None
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
    client = Client(scheduler or cluster)
    try:
        futures = client.map(run_task, list(tasks), root=root, pure=False)
        for f in dask_completed(futures):
            yield f.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_sweep(tasks: Sequence[Task], root: Path, *, executor: str = "processes",
              workers: int = 2, scheduler: str | None = None, progress: bool = False,
              manifest: dict[str, Any] | None = None) -> pd.DataFrame:
    """Run the tasks not yet finished in ``root``; return every task's summary.

    Parameters
    ----------
    tasks : sequence of Task
        From :func:`~synevent.sweep.grid.expand` (one or several scenarios).
    root : Path
        The sweep folder (see :mod:`synevent.sweep.store`).
    executor : {"inprocess", "processes", "dask"}
    workers : int
        Local worker processes (processes; dask without ``scheduler``).
    scheduler : str, optional
        Address of a running dask scheduler (e.g. one a SLURM job started); implies dask.
    progress : bool
        A tqdm bar on stderr, in this process only.
    manifest : dict, optional
        Recorded in ``sweep.json``; a restart with a different sweep in the same folder is
        refused.
    """
    if scheduler is not None:
        executor = "dask"
    if executor not in EXECUTORS:
        raise ParameterError(f'"executor" must be one of {list(EXECUTORS)}, got {executor!r}')
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ParameterError(f'"workers" must be an integer >= 1, got {workers!r}')
    ids = [(t.scenario, t.task_id) for t in tasks]
    if len(set(ids)) != len(ids):
        raise ParameterError("two tasks share an identity: scenario names in one sweep must differ")
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    _check_manifest(root, {"synevent_version": __version__, "tasks": len(tasks), **(manifest or {})})
    store = TaskStore(root)
    store.clean_partials()
    done = store.finished()
    todo = [t for t in tasks if (t.scenario, t.task_id) not in done]
    stray = done - set(ids)
    if stray:
        raise ParameterError(f'sweep folder "{root}" holds {len(stray)} task(s) of another sweep; '
                             "use a new folder")
    run = {"inprocess": _results_inprocess, "processes": _results_processes}.get(executor)
    results = (run(todo, str(root), workers) if run is not None
               else _results_dask(todo, str(root), workers, scheduler))
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(tasks), initial=len(tasks) - len(todo), unit="task", desc="sweep")
    try:
        for _ in results:
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    summary = store.collect()
    with atomic_path(root / "summary.csv") as tmp:
        summary.to_csv(tmp, index=False)
    return summary


def _check_manifest(root: Path, manifest: dict[str, Any]) -> None:
    path = root / "sweep.json"
    text = json.dumps(manifest, indent=2, sort_keys=True, default=str)
    if path.exists():
        old = json.loads(path.read_text())
        if old.get("scenarios") != json.loads(text).get("scenarios"):
            raise ParameterError(f'sweep folder "{root}" belongs to another sweep (its sweep.json '
                                 "differs); use a new folder")
        return
    with atomic_path(path) as tmp:
        tmp.write_text(text + "\n")
