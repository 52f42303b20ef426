"""The hybrid mode's error against exact mode, on the cleft networks of the presets.

For each preset, its cleft network (receptors, transporters, enzymes, escape; receptor states
kept exact, as in a simulated synapse) starts with the transmitter of ``q`` vesicles and runs N
trajectories of ``simulate_network`` in exact and in hybrid mode (different seeds). For the open channels of the first receptor it prints the mean peak, time of peak and
area (mean ± SE in each mode), the difference in units of its standard error, the two-sample
KS p-value between the modes and the wall times; it asserts that every conservation law of the
network holds at every grid time in both modes (to rounding in hybrid mode, whose pools are
amounts). Figures, not a timed test.

    python benchmarks/bench_hybrid_error.py [--n 200]
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
from scipy import stats

import synevent as se
from synevent.assembly import build_synapse_network, conductance_groups
from synevent.engine.partition import LeapPlan

CASES = (  # preset, vesicles released at t = 0, simulated ms
    ("glutamatergic", 1, 10.0),
    ("gabaergic", 1, 20.0),
    ("calyx_of_held", 5, 5.0),
    ("neuromuscular", 1, 5.0),
)


def observe(run: se.NetworkRun, species: tuple[str, ...], dt: float) -> dict[str, np.ndarray]:
    o = sum(run.species(s) for s in species)
    return {"peak": o.max(axis=1).astype(float), "t_peak_ms": o.argmax(axis=1) * dt,
            "area": np.trapezoid(o, dx=dt, axis=1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200, help="trajectories per mode")
    args = ap.parse_args()
    dt = 0.01
    print(f"{'preset':14s} {'quantity':10s} {'exact':>18s} {'hybrid':>18s} {'diff/SE':>8s} "
          f"{'KS p':>7s}")
    for name, q, t_end in CASES:
        syn = se.presets.get(name)
        net, _ = build_synapse_network(syn)
        tx = syn.transmitter
        net = net.with_counts(**{tx: int(q * syn.vesicles.molecules_per_vesicle)})
        open_sp = conductance_groups(syn)[0].species
        # As in a simulated synapse: receptor states stay exact (SynapseAssembly).
        receptor_sp = tuple(s for s in net.species
                            if any(s.startswith(f"{p.scheme.name}.") for p in syn.receptors))
        res, walls = {}, {}
        for k, mode in enumerate(("exact", "hybrid")):
            # A short run first, so that compiling or loading the loop is not timed.
            se.simulate_network(net, t_end_ms=t_end, dt_out_ms=dt, n_trajectories=2, seed=1,
                                mode=mode, exact_species=receptor_sp)
            t0 = time.perf_counter()
            run = se.simulate_network(net, t_end_ms=t_end, dt_out_ms=dt, n_trajectories=args.n,
                                      seed=100 + k, mode=mode, exact_species=receptor_sp)
            walls[mode] = time.perf_counter() - t0
            res[mode] = observe(run, open_sp, dt)
            # Every conservation law of the network holds at every grid time.
            laws = LeapPlan(net).law_matrix
            pools = np.einsum("ls,ngs->nlg", laws, run.counts)
            drift = np.abs(pools - pools[:, :, :1]).max()
            assert (run.counts >= 0).all() and drift <= 1e-9 * max(1.0, pools.max())
        for quantity in ("peak", "t_peak_ms", "area"):
            a, b = res["exact"][quantity], res["hybrid"][quantity]
            se_d = math.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
            diff = (b.mean() - a.mean()) / se_d if se_d > 0 else 0.0
            p = stats.ks_2samp(a, b).pvalue
            fmt = lambda v: f"{v.mean():9.3f} ± {v.std(ddof=1) / math.sqrt(v.size):6.3f}"
            print(f"{name:14s} {quantity:10s} {fmt(a):>18s} {fmt(b):>18s} {diff:8.2f} {p:7.3f}")
        print(f"{name:14s} wall exact {walls['exact']:.2f} s, hybrid {walls['hybrid']:.2f} s "
              f"({walls['exact'] / walls['hybrid']:.1f}x), N = {args.n}, {q} vesicle(s), "
              f"{t_end:g} ms")


if __name__ == "__main__":
    main()
