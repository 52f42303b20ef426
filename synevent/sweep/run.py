"""Run a sweep's tasks on an executor, skipping tasks a previous attempt finished.

Executors: ``"inprocess"`` (this process, one task after another), ``"processes"`` (a local
process pool, the default) and ``"dask"`` (dask.distributed: a scheduler address, or a
``LocalCluster`` started here). Every task writes its own files from the worker that ran it
(:class:`~synevent.sweep.store.TaskStore`), so only a small summary row travels back, and the
parent's progress bar counts finished tasks.

A sweep folder belongs to one sweep: ``sweep.json`` records a fingerprint of its tasks (each
task id holds a digest of the task's resolved scenario, see :class:`~synevent.sweep.grid.Task`)
and a restart resumes only when the fingerprint is the same, so that results of a changed
scenario, seed or grid are never mixed with this one's.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from concurrent.futures import as_completed
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from .._version import __version__
from ..export.atomic import atomic_path
from ..engine.checks import ParameterError
from ..parallel import process_pool
from .grid import Task
from .store import TaskStore

__all__ = ["CONNECT_TIMEOUT_S", "EXECUTORS", "fingerprint", "run_sweep", "run_task"]

EXECUTORS = ("inprocess", "processes", "dask")

#: How long to wait for a dask scheduler given by address before giving up.
CONNECT_TIMEOUT_S = 10


def run_task(task: Task, root: str) -> dict[str, Any]:
    """Run one task, write its files atomically, return its summary row (a worker function)."""
    from ..export.events import EventWriter
    from ..scenario.build import build_inputs
    from ..scenario.schema import Scenario

    sc = Scenario.model_validate(task.data)
    inputs = build_inputs(sc)
    store = TaskStore(Path(root))
    res = inputs.run(task.seed())  # one synapse, or a [volume] block
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
    with process_pool(workers) as pool:
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
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
        except (OSError, ValueError, TypeError) as exc:
            raise ParameterError(f'scheduler "{scheduler}": no dask scheduler could be reached '
                                 f"({type(exc).__name__}: {exc}); give the address a running "
                                 "scheduler prints, e.g. tcp://10.0.0.5:8786") from None
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
        Recorded in ``sweep.json`` with the tasks' fingerprint. A restart in the same folder
        resumes only the same tasks (same fingerprint); anything else is refused, naming what
        differs (the fields of ``manifest["resolved"]``, scenario name → resolved scenario,
        when both runs give it).
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
    _check_manifest(root, {**(manifest or {}), "synevent_version": __version__,
                           "tasks": len(tasks), "fingerprint": fingerprint(tasks),
                           "grid": _grid(tasks)})
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


def fingerprint(tasks: Sequence[Task]) -> str:
    """SHA-256 of every task's identity, content and seed, and of the synevent version: equal
    exactly when two task lists would produce the same results, whatever their order.

    The version is part of it because another version's engine may give other numbers for the
    same parameters: its results are not mixed with this one's.
    """
    lines = sorted(f"{t.scenario}\t{t.task_id}\t{t.seed_entropy}\t{list(t.spawn_key)}"
                   for t in tasks)
    return hashlib.sha256("\n".join([f"synevent {__version__}", *lines]).encode()).hexdigest()


def _grid(tasks: Sequence[Task]) -> dict[str, dict[str, Any]]:
    """Per scenario, the shape of its tasks: named in a refusal even without the resolved
    scenarios."""
    out: dict[str, dict[str, Any]] = {}
    for t in tasks:
        g = out.setdefault(t.scenario, {"tasks": 0, "run.seed": t.seed_entropy, "points": set(),
                                        "replicates": 0})
        g["tasks"] += 1
        g["points"].add(t.identity)
        g["replicates"] = max(g["replicates"], t.replicate + 1)
    return {name: {**g, "points": len(g["points"])} for name, g in out.items()}


def _flat(data: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(data, dict) and data:
        out: dict[str, Any] = {}
        for k, v in data.items():
            out.update(_flat(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: data}


def _differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """``scenario: key: old -> new`` for the resolved scenarios (else the task grids)."""
    section = "resolved" if "resolved" in old and "resolved" in new else "grid"
    before, after = old.get(section) or {}, new.get(section) or {}
    out = []
    for name in sorted(set(before) | set(after)):
        if name not in after:
            out.append(f"scenario {name}: only in the folder's sweep")
        elif name not in before:
            out.append(f"scenario {name}: not in the folder's sweep")
        else:
            a, b = _flat(before[name]), _flat(after[name])
            out += [f"{name}: {k}: {json.dumps(a.get(k, '(unset)'))} -> "
                    f"{json.dumps(b.get(k, '(unset)'))}"
                    for k in sorted(set(a) | set(b)) if a.get(k, "(unset)") != b.get(k, "(unset)")]
    if not out and old.get("synevent_version") != new.get("synevent_version"):
        out.append(f"synevent {old.get('synevent_version')} -> {new.get('synevent_version')} "
                   "(another version may give other numbers for the same files)")
    return out or ["the scenarios of the tasks (same grid, seed and replicates)"]


def _check_manifest(root: Path, manifest: dict[str, Any]) -> None:
    """Write ``sweep.json``, or refuse a folder whose sweep.json has another fingerprint."""
    path = root / "sweep.json"
    text = json.dumps(manifest, indent=2, sort_keys=True, default=str)
    if path.exists():
        try:
            old = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise ParameterError(f'sweep folder "{root}": sweep.json cannot be read ({exc}); '
                                 "use a new folder") from None
        if old.get("fingerprint") is None:
            raise ParameterError(
                f'sweep folder "{root}" was written by synevent {old.get("synevent_version")}, '
                "whose sweep.json does not identify its tasks, so its results cannot be checked "
                "against this sweep; use a new folder (--out)")
        if old["fingerprint"] != manifest["fingerprint"]:
            diffs = _differences(old, json.loads(text))
            shown = "\n  ".join(diffs[:12]) + (f"\n  ... and {len(diffs) - 12} more"
                                               if len(diffs) > 12 else "")
            raise ParameterError(
                f'sweep folder "{root}" holds another sweep; its results would be mixed with '
                f"this one's. What differs (folder -> now):\n  {shown}\n"
                "Use a new folder (--out) for this sweep, or run the folder's own sweep again "
                "to resume it.")
        return
    with atomic_path(path) as tmp:
        tmp.write_text(text + "\n")
