"""``synevent sweep``: run the [sweep] grid of one or more scenario files."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..engine.checks import ParameterError
from .common import EXIT_OK, check_dir, note_dropped_spikes, path_arg

__all__ = ["add_sweep"]


def _sweep(args: argparse.Namespace) -> int:
    from ..scenario.loading import load_scenario
    from ..scenario.schema import Scenario
    from ..sweep.grid import expand, resolved_sweep
    from ..sweep.run import run_sweep

    out = Path(args.out)
    check_dir(out, "--out")  # before the grid is expanded and any task runs
    tasks, scenarios, resolved = [], {}, {}
    for f in args.files:
        sc = load_scenario(f, args.overrides)
        if sc.name in scenarios:
            raise ParameterError(f'{f}: scenario name "{sc.name}" is already used by '
                                 f"{scenarios[sc.name]}; set scenario.name")
        scenarios[sc.name] = f
        resolved[sc.name] = resolved_sweep(sc)
        expanded = expand(sc, f)
        note_dropped_spikes(f, [Scenario.model_validate(t.data) for t in expanded])
        tasks += expanded
    manifest = {"scenarios": {name: str(Path(f).resolve()) for name, f in scenarios.items()},
                "overrides": args.overrides, "resolved": resolved}
    summary = run_sweep(tasks, out, executor=args.executor, workers=args.workers,
                        scheduler=args.scheduler, progress=not args.no_progress,
                        manifest=manifest)
    print(f"{len(summary)} of {len(tasks)} tasks finished in {out} "
          f"(summary.csv; Parquet dataset summary/ partitioned by scenario)")
    return EXIT_OK


def add_sweep(subparsers) -> None:
    p = subparsers.add_parser(
        "sweep", help="run the [sweep] grid of scenario files (resumable)",
        description="Run every task of each file's [sweep] grid (parameters x conditions x doses "
        "x replicates). Seeds come from each task's identity, so results do not depend on the "
        "executor or the number of workers. Finished tasks are skipped when the same command "
        "is run again.")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--set", metavar="KEY=VALUE", action="append", default=[], dest="overrides",
                   help="change one field of every file with its dotted key (repeatable)")
    p.add_argument("--out", type=path_arg, metavar="DIR", default="runs/sweep",
                   help="sweep folder (default: %(default)s)")
    p.add_argument("--executor", choices=["inprocess", "processes", "dask"], default="processes",
                   help="where tasks run (default: %(default)s)")
    p.add_argument("--workers", type=int, default=2, metavar="N",
                   help="local worker processes (default: %(default)s)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="a running dask scheduler, e.g. tcp://10.0.0.5:8786 (implies dask)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.set_defaults(handler=_sweep)
