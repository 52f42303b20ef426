"""Exact and hybrid modes against the plain SimPy SSA (and GillesPy2) on the canonical cleft network.

Runs, on the same machine in one run, each for N trajectories:

* ``../shared/benchmarks/reference_ssa_simpy.py`` (Gillespie's direct method in one SimPy
  process, plain Python);
* GillesPy2's compiled ``SSACSolver``, when ``gillespy2`` imports and a C++ compiler is present
  (an optional extra, never a core dependency; its compile time is reported apart);
* synevent's exact mode and hybrid mode (default log level).

synevent's modes run ``--repeat`` times each, alternating, and GillesPy2 as often; the median
wall time is reported, with every run's. One run of a mode in a fresh process can be slowed
by a tenth of a second or more when the operating system first maps the 80 MB of its
results (measured on this machine's virtual machine), which repeats even out. The reference
runs once (about 30 s).

It prints wall times, reaction events per second, the peak of O (mean, SE, z against the
reference), two-sample KS p-values of peak and area against ``reference_sample.csv``, and the
ratios. Figures, not a timed test.

    python benchmarks/bench_cleft_network.py --n 1000 [--repeat 3] [--no-gillespy2]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pathlib
import subprocess
import sys
import sysconfig
import time

import numpy as np
import pandas as pd
from scipy import stats

import synevent as se
from synevent.engine import kernel

ROOT = pathlib.Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "benchmarks"


def _spec() -> dict:
    return json.loads((SHARED / "cleft_network.json").read_text())


def _stats(engine: str, n: int, wall: float, events: int, o: np.ndarray | None,
           peak: np.ndarray, dt: float) -> dict:
    spec = _spec()
    ref = spec["reference"]["peak_O"]
    sample = pd.read_csv(SHARED / "reference_sample.csv")
    out = {"engine": engine, "n_traj": n, "wall_s": round(wall, 4), "events": events,
           "events_per_s": round(events / wall) if events else None,
           "peak_O_mean": round(float(peak.mean()), 3),
           "peak_O_se": round(float(peak.std(ddof=1) / math.sqrt(n)), 3),
           "peak_z_vs_reference": round(float((peak.mean() - ref["mean"]) / (ref["sd"] / math.sqrt(n))), 2),
           "ks_peak_p": round(float(stats.ks_2samp(peak, sample["peak_O"]).pvalue), 4)}
    if o is not None:
        area = np.trapezoid(o, dx=dt, axis=1)
        out["ks_area_p"] = round(float(stats.ks_2samp(area, sample["area_O_ms"]).pvalue), 4)
    return out


def run_synevent(n: int, seed: int, mode: str) -> tuple[float, dict]:
    """Wall time of one run, and its statistics."""
    spec = _spec()
    net = se.ReactionNetwork.from_dict(spec)
    t0 = time.perf_counter()
    run = se.simulate_network(net, t_end_ms=spec["t_end_ms"], dt_out_ms=spec["dt_out_ms"],
                              n_trajectories=n, seed=seed, mode=mode)
    wall = time.perf_counter() - t0
    o = run.species(spec["observed"])
    return wall, _stats(f"synevent_{mode}", n, wall, int(run.reactions_fired.sum()), o,
                        o.max(axis=1), spec["dt_out_ms"])


def _median_of(walls: list[float], out: dict) -> dict:
    # The same seed gives the same trajectories each repeat: only the wall time differs.
    out = dict(out, wall_s=round(float(np.median(walls)), 4),
               walls_s=[round(w, 4) for w in walls])
    if out.get("events"):
        out["events_per_s"] = round(out["events"] / out["wall_s"])
    return out


def run_reference(n: int, seed: int) -> dict:
    out = subprocess.run([sys.executable, str(SHARED / "reference_ssa_simpy.py"), "--n", str(n),
                          "--seed", str(seed)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_gillespy2(n: int, seed: int, repeat: int) -> dict | None:
    """GillesPy2's compiled SSA, or None when it cannot be imported or built."""
    # GillesPy2 builds its solver with SCons run by the base interpreter; point that at the
    # packages of this environment.
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [sysconfig.get_paths()["purelib"], os.environ.get("PYTHONPATH", "")])
    try:
        import gillespy2
    except ImportError:
        return None
    spec = _spec()
    model = gillespy2.Model(name="cleft")
    for s in spec["species"]:
        model.add_species(gillespy2.Species(name=s, initial_value=spec["initial_counts"][s],
                                            mode="discrete"))
    for r in spec["reactions"]:
        k = gillespy2.Parameter(name="k_" + r["name"], expression=r["rate_per_ms"])
        model.add_parameter(k)
        model.add_reaction(gillespy2.Reaction(name=r["name"], reactants=dict(r["reactants"]),
                                              products=dict(r["products"]), rate=k))
    n_grid = int(round(spec["t_end_ms"] / spec["dt_out_ms"])) + 1
    model.timespan(np.linspace(0.0, spec["t_end_ms"], n_grid))
    try:
        t0 = time.perf_counter()
        solver = gillespy2.SSACSolver(model=model)
        t1 = time.perf_counter()
        walls = []
        for _ in range(repeat):
            t2 = time.perf_counter()
            res = model.run(solver=solver, number_of_trajectories=n, seed=seed)
            walls.append(time.perf_counter() - t2)
    except Exception as exc:  # a missing compiler shows up here
        print(f"# gillespy2 unavailable: {type(exc).__name__}: {str(exc).splitlines()[0]}")
        return None
    o = np.array([tr[spec["observed"]] for tr in res])
    out = _stats("gillespy2_SSACSolver", n, walls[0], 0, o, o.max(axis=1), spec["dt_out_ms"])
    out["compile_s"] = round(t1 - t0, 2)
    return _median_of(walls, out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000, help="trajectories per engine")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-gillespy2", action="store_true", help="skip GillesPy2 even if present")
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs of synevent's modes (alternating) and of GillesPy2; the median "
                         "wall time is reported (the reference runs once)")
    args = ap.parse_args()
    if not (SHARED / "cleft_network.json").exists():
        sys.exit(f"needs {SHARED} beside the project")
    # With numba installed, the first runs of a process import it and load (the first time on
    # a machine: compile) the loops; like GillesPy2's compile time, that is reported apart.
    t0 = time.perf_counter()
    for mode in ("exact", "hybrid"):
        run_synevent(4, args.seed + 1, mode)
    print(f"# synevent warm-up ({kernel.kernel_name()} loop): {time.perf_counter() - t0:.2f} s")
    walls: dict[str, list[float]] = {"exact": [], "hybrid": []}
    stats_of: dict[str, dict] = {}
    for _ in range(args.repeat):
        for mode in ("exact", "hybrid"):
            wall, stats_of[mode] = run_synevent(args.n, args.seed, mode)
            walls[mode].append(wall)
    exact, hybrid = (_median_of(walls[m], stats_of[m]) for m in ("exact", "hybrid"))
    ref = run_reference(args.n, args.seed)
    gp2 = None if args.no_gillespy2 else run_gillespy2(args.n, args.seed, args.repeat)
    for r in (ref, gp2, exact, hybrid):
        if r is not None:
            print(json.dumps(r))
    print(f"exact vs reference_ssa_simpy: {ref['wall_s'] / exact['wall_s']:.2f}x faster")
    if gp2 is not None:
        print(f"exact vs GillesPy2 SSACSolver (compile excluded): "
              f"{gp2['wall_s'] / exact['wall_s']:.2f}x faster")
    print(f"hybrid vs exact: {exact['wall_s'] / hybrid['wall_s']:.2f}x faster; "
          f"hybrid vs reference_ssa_simpy: {ref['wall_s'] / hybrid['wall_s']:.2f}x faster")
    print(f"(N = {args.n} trajectories each; median of {args.repeat} runs for synevent and "
          f"GillesPy2, one run of the reference)")


if __name__ == "__main__":
    main()
