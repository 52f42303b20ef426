"""Scenario: a hundred stochastic synapses converge on one CA1 cell; its spikes drive a second cell.

Question
    100 independent Schaffer-collateral fibres fire at 20 Hz for 1 s onto a CA1 pyramidal cell
    (one ``se.presets.glutamatergic()`` synapse each: stochastic release, AMPA and NMDA
    receptors as molecules, EAAT2 transporters). How far does the cell depolarise, does it
    fire, and what does that cost? The fibres fire as a regular, synchronous 20 Hz volley
    (the issue's benchmark protocol) or as independent Poisson trains of the same rate.
    The cell is held 20 mV above rest by 200 pA of injected current. A second cell receives
    20 synapses from the first (conduction delay 2 ms): a chain.

What to expect
    Release at these synapses is unreliable (p ≈ 0.24 per primed vesicle, two docking slots);
    it facilitates at the second volley and then depresses (slow redocking), so the
    synchronous drive gives large early EPSPs that shrink. Asynchronous drive sums to a noisy plateau.

    python scenarios/convergent_circuit.py [--replicates N] [--out DIR] [--quick]
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import pandas as pd

import synevent as se
from _common import finish, parse_args, plt

NAME = "convergent_circuit"


def build(n_fibres: int, rate_hz: float, t_end_ms: float, synchronous: bool) -> se.Circuit:
    c = se.Circuit()
    # 200 pA of injected current holds the cell 20 mV above rest, as in a current-clamp
    # experiment, so that the volleys can reach threshold and drive the follower.
    cell = c.add_neuron("ca1", se.ca1_pyramidal(), se.CurrentClamp(steps_pA=[(0.0, t_end_ms, 200.0)]))
    follower = c.add_neuron("follower", se.ca1_pyramidal())
    train = (se.regular(rate_hz, int(rate_hz * t_end_ms / 1000.0), start_ms=1.0) if synchronous
             else se.poisson(rate_hz, t_end_ms))
    c.connect(c.add_inputs("ca3_", train, n_fibres), cell, se.presets.glutamatergic())
    c.connect(cell, follower, se.presets.glutamatergic(), n=20, delay_ms=2.0)
    return c


def main(argv: Sequence[str] | None = None) -> pd.DataFrame:
    args = parse_args(__doc__, NAME, replicates=2, quick_replicates=2, seed=20261123, argv=argv)
    n_fibres, t_end = (50, 200.0) if args.quick else (100, 1000.0)
    rows, examples, conserved = [], {}, True
    seeds = np.random.SeedSequence(args.seed).spawn(args.replicates)
    for mode in ("synchronous", "Poisson"):
        for r_i, s in enumerate(seeds):
            t0 = time.perf_counter()
            r = build(n_fibres, 20.0, t_end, mode == "synchronous").run(t_end, seed=s)
            wall = time.perf_counter() - t0
            sm = r.summary
            conserved &= sm["conserved"]
            v = r.voltage("ca1")
            rows.append({"drive": mode, "replicate": r_i, "wall_s": wall, "quanta": sm["quanta"],
                         "ca1_spikes": sm["ca1.n_spikes"], "follower_spikes": sm["follower.n_spikes"],
                         "ca1_mean_mV": float(v.mean()), "ca1_max_mV": float(v.max())})
            examples.setdefault(mode, r)
    table = pd.DataFrame(rows)
    print(f"{n_fibres} fibres at 20 Hz onto one CA1 cell, {t_end:g} ms, seed {args.seed}")
    print(table.to_string(index=False, float_format=lambda x: f"{x:.3g}"))
    print(f"molecules conserved in every run: {conserved}")

    fig, axes = plt.subplots(2, 2, figsize=(11, 6), sharex=True)
    for col, (mode, r) in enumerate(examples.items()):
        se.plot_raster(r, ax=axes[0, col])
        axes[0, col].set_title(f"{mode} drive")
        se.plot_membrane(r, "ca1", ax=axes[1, col])
        se.plot_membrane(r, "follower", ax=axes[1, col], threshold=False, color="C2")
        axes[1, col].legend(fontsize=7)
    finish(args.out, NAME, fig, {"runs": table}, conserved)
    return table


if __name__ == "__main__":
    main()
