"""Scenario: what does 1 µM cocaine do to evoked striatal dopamine after a 4-pulse 15 Hz burst?

Question
    How much does cocaine raise the dopamine transient evoked by a short burst, and how much
    does it slow its clearance, in the dorsal striatum of the rat?

Protocol
    ``se.striatum_dopamine()``: a 1000 µm³ block of tissue with 100 dopamine varicosities
    (0.1 /µm³) firing tonically at 4 Hz, and DAT uptake (Vmax 4.1 µM/s, Km 0.22 µM) in one
    well-mixed extracellular compartment (α = 0.21). The extracellular space starts empty and
    the tonic baseline forms by itself; at 500 ms a burst of 4 pulses at 15 Hz reaches every
    varicosity. Runs last 1500 ms, traces on a 1 ms grid. Conditions: control, cocaine 0.3 µM
    and cocaine 1 µM, bath-equilibrated before the run. Replicate ``r`` of every condition
    runs on the same seed (``se.replicate_seed(seed, r)``).

Drug (synevent drug library, ``se.DRUGS["cocaine"]``)
    Competitive uptake blocker, Ki 0.3 µM at DAT, SERT and NET (Han & Gu 2006 BMC Pharmacol
    6:6, Ki 0.2-0.7 µM; 0.3 µM picked, Volkow 1999 quotes 0.64). Association at the default
    1e7 /M/s, so it leaves DAT with koff = kon·Ki = 3 /s. Only DAT is present here.

What to expect
    A competitive blocker leaves Vmax alone and raises the apparent Km to Km·(1 + [I]/Ki):
    0.22 → 0.44 µM at 0.3 µM cocaine and → 0.95 µM at 1 µM. In the linear (sub-Km) range the
    clearance rate constant Vmax/Km falls by those factors, so the evoked peak rises and the
    decay slows several-fold; the tonic baseline also rises. Two caveats. The run starts from
    an empty extracellular space and fully primed terminals, so ``baseline_uM`` (mean over
    250-500 ms) is a snapshot of a transient, not a steady state: in longer runs the control
    baseline drifts down (about 0.04 → 0.02 µM by 2-3 s) as tonic release depresses (one
    release site per varicosity, ~4 s refill). And a fast-scan voltammetry probe (10 Hz
    scans, 100 ms electrode lag, ``DA_probe_uM``) reads a smaller and slower transient than
    the free concentration, with clearance times quantised to the 100 ms scan interval (so
    only its peak is tabulated).

    python scenarios/cocaine_dopamine.py [--replicates N] [--out DIR] [--quick]
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

import synevent as se
from _common import compact_table, drug_ki, executor, parse_args, finish, plt

NAME = "cocaine_dopamine"
METRICS = ["baseline_uM", "evoked_peak_uM", "clearance_t50_ms", "clearance_tau_ms",
           "probe_evoked_peak_uM", "conserved"]


def main(argv: Sequence[str] | None = None) -> se.Comparison:
    args = parse_args(__doc__, NAME, replicates=16, quick_replicates=2, seed=20260501, argv=argv)
    t_end = 1000.0 if args.quick else 1500.0
    model = se.VolumeModel(se.striatum_dopamine(), se.regular(15.0, 4, start_ms=500.0),
                           t_end_ms=t_end, trace_dt_ms=1.0)
    doses = [1.0] if args.quick else [0.3, 1.0]
    conditions = {"control": [], **{f"cocaine {c:g} µM": [se.drug("cocaine", c)] for c in doses}}

    t0 = time.perf_counter()
    with executor(args.workers) as pool:
        cmp = se.compare(model, conditions, n_replicates=args.replicates, seed=args.seed,
                         executor=pool, metrics=METRICS)
    wall = time.perf_counter() - t0

    summary = cmp.summary()
    shown = [m for m in METRICS if m != "conserved"]
    km = model.params.km_uM
    ki = drug_ki("cocaine", "DAT")
    print(f"Striatal dopamine, 4 pulses at 15 Hz from 500 ms, {t_end:g} ms runs, "
          f"{args.replicates} replicates per condition, seed {args.seed} ({wall:.1f} s)")
    print(f"DAT Km {km:.3g} µM; cocaine Ki {ki:g} µM -> expected apparent Km "
          + ", ".join(f"{km * (1 + c / ki):.3g} µM at {c:g} µM" for c in doses))
    print(compact_table(summary, shown).to_string(index=False))
    undefined = cmp.table.groupby("condition", observed=True)["clearance_t50_ms"].apply(
        lambda s: int(s.isna().sum()))
    if undefined.any():
        print("clearance_t50_ms undefined (no return to 50 % before the run ended) in "
              + ", ".join(f"{k}: {v}" for k, v in undefined.items() if v))
    conserved = bool(cmp.table["conserved"].all())
    print(f"molecules conserved in every run: {conserved}")

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2), gridspec_kw={"width_ratios": [2, 2, 1]})
    for ax, col, title in ((axes[0], "DA_free_uM", "free extracellular dopamine"),
                           (axes[1], "DA_probe_uM", "FSCV probe reading (10 Hz scans)")):
        se.plot_traces(cmp, col, ax=ax)
        ax.set_xlim(300.0, t_end)
        ax.axvspan(500.0, 500.0 + 3 * 1000.0 / 15.0, color="0.85", zorder=0)
        ax.set_ylabel(f"{col.split('_')[1]} DA (µM)")
        ax.set_title(title)
    names = list(cmp.conditions)
    for i, name in enumerate(names):
        y = cmp.table.loc[cmp.table["condition"] == name, "clearance_t50_ms"].to_numpy(float)
        x = i + np.linspace(-0.15, 0.15, y.size)
        axes[2].plot(x, y, "o", alpha=0.6)
        axes[2].plot([i - 0.25, i + 0.25], [np.nanmean(y)] * 2, "k-")
    axes[2].set_xticks(range(len(names)), [n.replace(" µM", "\nµM") for n in names])
    axes[2].set_ylabel("clearance_t50_ms (peak to half)")
    axes[2].set_title("per replicate")
    fig.suptitle(f"Cocaine on evoked striatal dopamine (n = {args.replicates} per condition)")
    fig.tight_layout()

    finish(args.out, NAME, fig, {"replicates": cmp.table, "summary": summary}, conserved)
    return cmp


if __name__ == "__main__":
    main()
