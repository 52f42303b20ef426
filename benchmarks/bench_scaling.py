"""Cost against replicates, spikes, synapses and molecules per vesicle, exact and hybrid modes.

Prints one table per axis (wall seconds, the median of three runs, and seconds per unit) and,
with ``--figure PATH``, saves the four scaling curves on log-log axes with a slope-1 guide (cost
linear in the axis shows as a line parallel to it). Figures, not a timed test.

    python benchmarks/bench_scaling.py [--figure docs/figures/scaling.png] [--quick]
"""

from __future__ import annotations

import argparse
import json
import pathlib
import time

import numpy as np

import synevent as se
from synevent.engine import kernel

ROOT = pathlib.Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "benchmarks"
MODES = ("exact", "hybrid")


def _once(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _wall(fn, repeat: int = 3) -> float:
    # The median of a few runs: one run can be slowed by the operating system mapping fresh
    # memory for its results (docs/benchmarks.md), which a curve would show as a kink.
    return float(np.median([_once(fn) for _ in range(repeat)]))


def replicates(sizes) -> dict:
    spec = json.loads((SHARED / "cleft_network.json").read_text())
    net = se.ReactionNetwork.from_dict(spec)
    return {m: [_wall(lambda n=n, m=m: se.simulate_network(
        net, t_end_ms=spec["t_end_ms"], dt_out_ms=spec["dt_out_ms"], n_trajectories=n, seed=1,
        mode=m)) for n in sizes] for m in MODES}


def spikes(counts) -> dict:
    # One glutamatergic synapse driven at 20 Hz for up to 20 s, release probability raised
    # (every spike drives the sensor, the vesicle cycle and any quantum's cleft).
    syn = se.presets.glutamatergic().replace(calcium={"local_peak_uM": 40.0})
    return {m: [_wall(lambda k=k, m=m: se.simulate(
        syn, se.regular(20.0, k, start_ms=1.0), t_end_ms=50.0 * k + 20.0, seed=2, mode=m,
        trace_dt_ms=1.0)) for k in counts] for m in MODES}


def synapses(counts, t_end_ms: float, synapse: se.SynapseParams | None = None) -> dict:
    syn = se.presets.glutamatergic() if synapse is None else synapse

    def run(k: int, m: str) -> None:
        c = se.Circuit()
        cell = c.add_neuron("ca1", se.ca1_pyramidal())
        fibres = c.add_inputs("ca3_", se.regular(20.0, int(t_end_ms / 50), start_ms=1.0), k)
        c.connect(fibres, cell, syn)
        c.run(t_end_ms, seed=3, mode=m)
    return {m: [_wall(lambda k=k, m=m: run(k, m)) for k in counts] for m in MODES}


def molecules(sizes) -> dict:
    syn = se.presets.glutamatergic().replace(calcium={"local_peak_uM": 40.0})
    out = {}
    for m in MODES:
        out[m] = [_wall(lambda q=q, m=m: se.simulate(
            syn.replace(vesicles={"molecules_per_vesicle": float(q)}),
            se.regular(20.0, 5, start_ms=1.0), t_end_ms=270.0, seed=4, mode=m, trace_dt_ms=1.0))
            for q in sizes]
    return out


def _print(title: str, unit: str, xs, walls: dict) -> None:
    print(f"\n{title}")
    print(f"{unit:>10s} " + " ".join(f"{m + ' s':>10s} {m + ' s/unit':>14s}" for m in MODES))
    for i, x in enumerate(xs):
        print(f"{x:10d} " + " ".join(f"{walls[m][i]:10.3f} {walls[m][i] / x:14.6f}" for m in MODES))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--figure", type=pathlib.Path, help="save the scaling figure here (PNG)")
    ap.add_argument("--quick", action="store_true", help="smaller sizes (a smoke run)")
    args = ap.parse_args()
    q = args.quick
    axes = [
        ("replicates (canonical cleft network, 10 ms each)", "trajectories",
         [10, 30, 100] if q else [10, 30, 100, 300, 1000, 3000], replicates),
        ("spikes (one glutamatergic synapse, 20 Hz)", "spikes",
         [2, 4] if q else [25, 50, 100, 200, 400], spikes),
        ("synapses (convergent circuit, 200 ms at 20 Hz)", "synapses",
         [5, 10] if q else [10, 25, 50, 100], lambda ks: synapses(ks, 200.0)),
        ("molecules per vesicle (glutamatergic, 5 spikes)", "molecules",
         [1000, 2000] if q else [1000, 3000, 10000, 30000], molecules),
    ]
    # With numba installed, the first runs of a process import it and load the compiled loops
    # (compile them, the first time on a machine): done once here, outside the curves.
    warm = _once(lambda: synapses([3], 60.0, se.presets.glutamatergic().replace(
        calcium={"local_peak_uM": 40.0})))
    print(f"warm-up {warm:.2f} s (loop: {kernel.kernel_name()})\n")
    results = []
    for title, unit, xs, fn in axes:
        walls = fn(xs)
        _print(title, unit, xs, walls)
        results.append((title, unit, xs, walls))
    if args.figure:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import matplotlib.ticker

        fig, axs = plt.subplots(1, 4, figsize=(16, 3.8))
        for ax, (title, unit, xs, walls) in zip(axs, results):
            xs_a = np.asarray(xs, dtype=float)
            for m, style in zip(MODES, ("o-", "s--")):
                ax.loglog(xs_a, walls[m], style, label=f"{m} mode")
            w0 = walls["exact"][-1]
            ax.loglog(xs_a, w0 * xs_a / xs_a[-1], ":", color="grey", label="slope 1 (linear)")
            ax.set_xlabel(unit)
            ax.set_ylabel("wall time (s)")
            ax.set_title(title.split(" (")[0])
            ax.xaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
            ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        axs[0].legend(fontsize=8)
        fig.tight_layout()
        args.figure.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(args.figure, dpi=110)
        print(f"\nfigure: {args.figure}")


if __name__ == "__main__":
    main()
