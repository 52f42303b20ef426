"""Scenario: does a stochastic synapse make the next neuron fire? Summation, coincidence, shunting.

Question
    A CA1 pyramidal cell (one compartment, rest at the GHK potential of its ions, threshold
    −50 mV, τm 20 ms) receives stimulated Schaffer-collateral bundles of 120 synapses each
    (``se.presets.glutamatergic()``: stochastic release, AMPA and NMDA receptors as molecules).
    When does it fire: one volley, two coincident volleys, the same two 100 ms (5 τm) apart,
    or two coincident volleys with a coincident volley of 60 GABAergic synapses?
    And in a cerebellar granule cell (``se.cerebellar_granule()``), how does the probability of
    a spike grow with the number of synchronous mossy-fibre inputs (five release sites each)?

What to expect
    Temporal summation needs the second EPSP before the first has decayed; two coincident
    volleys sum spatially past threshold; inhibition with E_GABA (−80 mV) close to rest acts
    mostly by shunting. The granule cell's spike probability rises as a sigmoid of the number
    of inputs: one is subthreshold, two or more usually needed (Jörntell & Ekerot 2006).

    python scenarios/summation.py [--replicates N] [--out DIR] [--quick]
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.optimize import minimize

import synevent as se
from _common import finish, parse_args, plt

NAME = "summation"
BUNDLE, INHIBITORY = 120, 60
CONDITIONS = {
    "one EPSP": ([5.0], []),
    "two coincident": ([5.0, 5.0], []),
    "two, 100 ms apart": ([5.0, 105.0], []),
    "two coincident + IPSP": ([5.0, 5.0], [5.0]),
}


def ca1_run(excitatory_ms: list[float], inhibitory_ms: list[float], seed) -> se.CircuitResult:
    glu, gaba = se.presets.glutamatergic(), se.presets.gabaergic()
    c = se.Circuit()
    cell = c.add_neuron("ca1", se.ca1_pyramidal())
    for k, t in enumerate(excitatory_ms):
        c.connect(c.add_input(f"e{k}", se.explicit([t])), cell, glu, n=BUNDLE)
    for k, t in enumerate(inhibitory_ms):
        c.connect(c.add_input(f"i{k}", se.explicit([t])), cell, gaba, n=INHIBITORY)
    return c.run(max(excitatory_ms + inhibitory_ms) + 45.0, seed=seed)


def granule_fires(n_inputs: int, seed) -> bool:
    mf = se.presets.glutamatergic(vesicles={"n_sites": 5})
    c = se.Circuit()
    cell = c.add_neuron("grc", se.cerebellar_granule())
    c.connect(c.add_inputs("mf", se.explicit([2.0]), n_inputs), cell, mf)
    r = c.run(20.0, seed=seed)
    return len(r.neuron_spikes["grc"]) > 0, r.conserved


def logistic_fit(levels: np.ndarray, fired: np.ndarray, trials: int) -> tuple[float, float]:
    """Maximum-likelihood logistic curve: (inputs at 50 %, slope scale)."""
    def nll(theta):
        q = np.clip(1 / (1 + np.exp(-(levels - theta[0]) / abs(theta[1]))), 1e-9, 1 - 1e-9)
        return -np.sum(fired * np.log(q) + (trials - fired) * np.log(1 - q))

    x = minimize(nll, [float(np.median(levels)), 0.5], method="Nelder-Mead").x
    return float(x[0]), abs(float(x[1]))


def main(argv: Sequence[str] | None = None) -> pd.DataFrame:
    args = parse_args(__doc__, NAME, replicates=20, quick_replicates=2, seed=20261121, argv=argv)
    root = np.random.SeedSequence(args.seed)
    t0 = time.perf_counter()
    rows, examples, conserved = [], {}, True
    for k, (label, (exc, inh)) in enumerate(CONDITIONS.items()):
        seeds = np.random.SeedSequence(root.entropy, spawn_key=(0, k)).spawn(args.replicates)
        for r_i, s in enumerate(seeds):
            r = ca1_run(exc, inh, s)
            conserved &= r.conserved
            v = r.voltage("ca1")
            rows.append({"condition": label, "replicate": r_i, "spikes": len(r.neuron_spikes["ca1"]),
                         "peak_depolarisation_mV": float(v.max() - v[0])})
            examples.setdefault(label, r)
    table = pd.DataFrame(rows)
    summary = table.groupby("condition", sort=False).agg(
        spike_probability=("spikes", lambda s: float((s > 0).mean())),
        peak_mV=("peak_depolarisation_mV", "mean"),
        peak_sd_mV=("peak_depolarisation_mV", "std"),
        runs=("spikes", "size"),
    ).reset_index()

    levels = np.arange(1, 7)
    trials = max(10, 3 * args.replicates) if not args.quick else 6
    fired = []
    for n_in in levels:
        seeds = np.random.SeedSequence(root.entropy, spawn_key=(1, int(n_in))).spawn(trials)
        outcomes = [granule_fires(int(n_in), s) for s in seeds]
        conserved &= all(c for _, c in outcomes)
        fired.append(sum(f for f, _ in outcomes))
    fired = np.asarray(fired)
    n50, scale = logistic_fit(levels, fired, trials)
    sigmoid = pd.DataFrame({"mossy_fibre_inputs": levels, "trials": trials,
                            "spike_probability": fired / trials})
    wall = time.perf_counter() - t0

    print(f"CA1 cell, bundles of {BUNDLE} glutamatergic / {INHIBITORY} GABAergic synapses, "
          f"{args.replicates} runs per condition, seed {args.seed} ({wall:.1f} s)")
    print(summary.to_string(index=False, float_format=lambda x: f"{x:.3g}"))
    print(f"\ncerebellar granule cell, synchronous mossy-fibre inputs, {trials} runs each:")
    print(sigmoid.to_string(index=False, float_format=lambda x: f"{x:.3g}"))
    print(f"logistic fit: 50 % at {n50:.2f} inputs, scale {scale:.2f} inputs")
    print(f"molecules conserved in every run: {conserved}")

    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    se.plot_summation(examples, "ca1", ax=axes[0])
    axes[0].set_xlim(0, 160)
    axes[0].set_title("CA1: summation, coincidence, shunting (one run each)")
    x = np.linspace(0.5, 6.5, 200)
    axes[1].plot(x, 1 / (1 + np.exp(-(x - n50) / scale)), color="0.5", label="logistic fit")
    axes[1].plot(levels, fired / trials, "o", label="simulated")
    axes[1].set_xlabel("synchronous mossy-fibre inputs")
    axes[1].set_ylabel("spike probability")
    axes[1].set_title("Granule cell")
    axes[1].legend(fontsize=7)
    finish(args.out, NAME, fig, {"runs": table, "summary": summary, "sigmoid": sigmoid}, conserved)
    return summary


if __name__ == "__main__":
    main()
