"""Scenario: the NMDA receptor's current–voltage relation and its Mg²⁺ block (V-04).

Question
    A CA1 cell is voltage-clamped at potentials from −100 to +40 mV while one Schaffer
    collateral bundle (20 synapses of ``se.presets.glutamatergic()``) is stimulated. What is the
    peak current of the AMPA and the NMDA receptors at each potential, with 1 mM and without
    extracellular Mg²⁺, and does the ratio reproduce the Jahr & Stevens (1990) block?

What to expect
    AMPA: linear, reversing at 0 mV. NMDA without Mg²⁺: linear; with 1 mM Mg²⁺: a region of
    negative slope below about −30 mV, the J-shape of the block. Receptor gating does not
    depend on voltage, so with the same seed the open channels are identical at every
    potential and the ratio of conductances with and without Mg²⁺ is exactly the unblocked
    fraction B(V) = 1 / (1 + exp(−0.062 V)·[Mg]o/3.57).

    python scenarios/nmda_iv.py [--replicates N] [--out DIR] [--quick]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

import synevent as se
from _common import finish, parse_args, plt

NAME = "nmda_iv"
V04 = {-100: 0.0072, -80: 0.0244, -60: 0.0796, -40: 0.2302, -20: 0.5081, 0: 0.7812,
       20: 0.9250, 40: 0.9771}


def peak_currents(v_mV: float, mg_mM: float, seed) -> tuple[dict[str, float], bool]:
    glu = se.presets.glutamatergic(mg_mM=mg_mM)
    out, conserved = {}, True
    for pop in glu.receptors:
        syn = glu.replace(receptors=(pop,))
        c = se.Circuit()
        c.add_neuron("ca1", se.ca1_pyramidal(), se.VoltageClamp(holding_mV=v_mV))
        c.connect(c.add_input("sc", se.explicit([2.0])), "ca1", syn, n=20)
        r = c.run(150.0, seed=seed)
        g = r.traces["ca1.g_syn_nS"].to_numpy()
        k = int(np.argmax(g))
        out[pop.scheme.name] = (float(r.traces["ca1.i_syn_pA"].iloc[k]), float(g[k]))
        conserved &= r.conserved
    return out, conserved


def main(argv: Sequence[str] | None = None) -> pd.DataFrame:
    args = parse_args(__doc__, NAME, replicates=3, quick_replicates=2, seed=20261122, argv=argv)
    volts = [-100, -60, -20, 20] if args.quick else list(range(-100, 41, 10))
    seeds = np.random.SeedSequence(args.seed).spawn(args.replicates)
    rows, conserved = [], True
    for r_i, s in enumerate(seeds):
        for v in volts:
            for mg in (1.0, 0.0):
                # The same seed at every potential: identical gating, only the block differs.
                res, ok = peak_currents(float(v), mg, np.random.SeedSequence(s.entropy, spawn_key=s.spawn_key))
                conserved &= ok
                for name, (i_pA, g_nS) in res.items():
                    rows.append({"replicate": r_i, "v_mV": v, "mg_mM": mg, "receptor": name,
                                 "peak_current_pA": i_pA, "peak_conductance_nS": g_nS})
    table = pd.DataFrame(rows)
    nmda = table[table.receptor == "NMDA"].pivot_table(index=["replicate", "v_mV"], columns="mg_mM",
                                                       values="peak_conductance_nS")
    block = (nmda[1.0] / nmda[0.0]).groupby("v_mV").agg(["mean", "std"]).reset_index()
    block["analytic_B"] = [se.mg_unblocked_fraction(v, 1.0) for v in block["v_mV"]]
    block["v04_table"] = [V04.get(int(v), np.nan) for v in block["v_mV"]]
    mean_i = table.groupby(["receptor", "mg_mM", "v_mV"])["peak_current_pA"].mean().reset_index()

    print(f"Voltage clamp, 20 synapses per receptor type, {args.replicates} seeds, seed {args.seed}")
    print(block.to_string(index=False, float_format=lambda x: f"{x:.4f}"))
    print(f"largest |simulated B - analytic B|: {np.nanmax(np.abs(block['mean'] - block['analytic_B'])):.2e}")
    print(f"molecules conserved in every run: {conserved}")

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for (rec, mg), grp in mean_i.groupby(["receptor", "mg_mM"]):
        axes[0].plot(grp["v_mV"], grp["peak_current_pA"], "o-", label=f"{rec}, Mg {mg:g} mM")
    axes[0].axhline(0, color="0.6", lw=0.8)
    axes[0].set_xlabel("holding potential (mV)")
    axes[0].set_ylabel("peak synaptic current (pA)")
    axes[0].legend(fontsize=7)
    vv = np.linspace(-110, 50, 200)
    axes[1].plot(vv, [se.mg_unblocked_fraction(v, 1.0) for v in vv], color="0.5",
                 label="Jahr & Stevens 1990, 1 mM")
    axes[1].plot(block["v_mV"], block["mean"], "o", label="simulated g(1 mM) / g(0 mM)")
    axes[1].set_xlabel("holding potential (mV)")
    axes[1].set_ylabel("unblocked fraction")
    axes[1].legend(fontsize=7)
    finish(args.out, NAME, fig, {"currents": table, "block": block}, conserved)
    return block


if __name__ == "__main__":
    main()
