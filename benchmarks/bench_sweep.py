"""Sweep throughput on 1 and 2 local worker processes and a 2-worker Dask LocalCluster.

Runs the 240 tasks of ``scenarios/files/cocaine_dose_sweep.toml`` (2 DAT densities x control
and 5 cocaine doses x 20 replicates; 5 bursts in 5 s each) with each executor into a fresh folder,
prints wall times (best of --repeat runs, interleaved) and the speed-up, and checks that every summary is identical. Figures, not a
timed test.

    python benchmarks/bench_sweep.py
"""

from __future__ import annotations

import argparse
import pathlib
import tempfile
import time

import pandas as pd

from synevent.scenario import load_scenario
from synevent.sweep import expand, run_sweep

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "files" / "cocaine_dose_sweep.toml"
#: Heavier tasks than the file's (5 bursts over 5 s, ~0.1 s each) so that start-up costs do not
#: dominate.
BENCH = ["run.replicates=20", "run.t_end_ms=5000", "stimulus.n_bursts=5", "run.trace_dt_ms=0.05"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs per executor; the fastest is the figure (timeit's convention: "
                    "slower runs measure the machine's other load)")
    args = ap.parse_args()
    tasks = expand(load_scenario(SCENARIO, BENCH), str(SCENARIO))
    runs = [("processes", 1), ("processes", 2), ("dask", 2)]
    walls: dict[tuple[str, int], list[float]] = {key: [] for key in runs}
    tables = {}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeat):
            for executor, workers in runs:  # interleaved, so drifting load hits all alike
                t0 = time.perf_counter()
                tables[executor, workers] = run_sweep(
                    tasks, pathlib.Path(tmp) / f"{executor}{workers}-{i}", executor=executor,
                    workers=workers)
                walls[executor, workers].append(time.perf_counter() - t0)
    base = tables["processes", 1]
    best_one = min(walls["processes", 1])
    print(f"{len(tasks)} tasks, {args.repeat} run(s) per executor")
    for key, w in walls.items():
        runs_s = ", ".join(f"{x:.1f}" for x in w)
        print(f"{key[0]:10s} {key[1]} worker(s): best {min(w):5.1f} s (runs {runs_s})  "
              f"speed-up {best_one / min(w):4.2f}x  identical to 1 worker: "
              f"{tables[key].equals(base)}")
    pd.testing.assert_frame_equal(tables["processes", 2], base)
    pd.testing.assert_frame_equal(tables["dask", 2], base)


if __name__ == "__main__":
    main()
