"""Exact mode against the plain SimPy SSA on the canonical cleft network, side by side.

Runs ``../shared/benchmarks/reference_ssa_simpy.py`` and synevent's exact mode (default log
level) on the same machine in one run, each for N trajectories, and prints wall times, reaction
events per second, the peak of O (mean, sd) and the speed ratio. Figures, not a timed test.

    python benchmarks/bench_cleft_network.py --n 1000
"""

from __future__ import annotations

import argparse
import json
import pathlib
import subprocess
import sys
import time


import synevent as se

ROOT = pathlib.Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "benchmarks"


def run_synevent(n: int, seed: int) -> dict:
    spec = json.loads((SHARED / "cleft_network.json").read_text())
    net = se.ReactionNetwork.from_dict(spec)
    t0 = time.perf_counter()
    run = se.simulate_network(net, t_end_ms=spec["t_end_ms"], dt_out_ms=spec["dt_out_ms"],
                              n_trajectories=n, seed=seed)
    wall = time.perf_counter() - t0
    peak = run.species(spec["observed"]).max(axis=1)
    events = int(run.reactions_fired.sum())
    return {"engine": "synevent_exact", "n_traj": n, "wall_s": round(wall, 4), "events": events,
            "events_per_s": round(events / wall), "peak_O_mean": round(float(peak.mean()), 3),
            "peak_O_sd": round(float(peak.std(ddof=1)), 3)}


def run_reference(n: int, seed: int) -> dict:
    out = subprocess.run([sys.executable, str(SHARED / "reference_ssa_simpy.py"), "--n", str(n),
                          "--seed", str(seed)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000, help="trajectories per engine")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if not (SHARED / "cleft_network.json").exists():
        sys.exit(f"needs {SHARED} beside the project")
    ours = run_synevent(args.n, args.seed)
    ref = run_reference(args.n, args.seed)
    for r in (ref, ours):
        print(json.dumps(r))
    print(f"speed ratio (reference wall / synevent wall): {ref['wall_s'] / ours['wall_s']:.2f}x "
          f"for {args.n} trajectories")


if __name__ == "__main__":
    main()
