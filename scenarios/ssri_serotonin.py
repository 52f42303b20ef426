"""Scenario: what does an SSRI (citalopram at 10× its SERT Kd) do to serotonin clearance, and is
dopamine clearance spared?

Question
    How much does citalopram slow the clearance of extracellular serotonin, and does the same
    concentration leave DAT-mediated dopamine clearance alone (selectivity)?

Protocol (three comparisons, control vs citalopram 11.6 nM, common seeds within each)
    A. Evoked serotonin: ``se.serotonin_volume()``, a 1000 µm³ block with 100 serotonergic
       varicosities firing tonically at 1 Hz and SERT uptake (Vmax 0.39 µM/s, Km 0.17 µM); a
       train of 10 pulses at 20 Hz from 500 ms reaches every varicosity; 2000 ms runs, 5 ms
       grid. Uptake is so slow here that the transient does not fall to half within seconds,
       so besides the library's ``baseline_uM`` and ``evoked_peak_uM`` two read-outs are taken
       from the traces: ``train_end_uM`` (free 5-HT over 950-1000 ms, just after the last
       pulse) and ``net_clearance_uM_per_s`` (its fall over the following second, i.e. uptake
       minus tonic release; negative when serotonin accumulates).
    B. Serotonin bolus: the same block without varicosities (``terminal_density_per_um3=0``),
       1 µM of serotonin at t = 0, 30 s runs on a 10 ms grid: clearance by SERT alone.
    C. Selectivity: a 1 µM dopamine bolus in ``se.striatum_dopamine(terminal_density_per_um3=0)``
       (DAT, Vmax 4.1 µM/s, Km 0.22 µM), 600 ms runs on a 0.1 ms grid (finer than the 1 ms
       default so that the replicate scatter of ``clearance_t50_ms`` is resolved), with the
       same citalopram concentration; reported as the % change of ``clearance_t50_ms``.

Drug (synevent drug library, ``se.DRUGS["citalopram"]``)
    Competitive uptake blocker; Kd at human SERT 1.16 nM, NET 4.07 µM, DAT 28.1 µM (Tatsumi et
    al. 1997 Eur J Pharmacol 340:249, verified table). Association at the default 1e7 /M/s,
    hence koff = kon·Kd = 0.012 /s at SERT: a bound inhibitor stays ~90 s. At 11.6 nM it
    occupies 91 % of SERT at equilibrium and 0.04 % of DAT.

What to expect
    SERT: with equilibrium competitive kinetics, Km_app = 11 × Km and the bolus t50 would rise
    from ~1.6 s to ~4.6 s (integrated Michaelis-Menten, ignoring substrate bound to the
    transporters). But the drug leaves SERT far more slowly than a run lasts, so on this time
    scale it acts like a Vmax reduction to the 9 % of SERT left free (t50 ~17 s); the model
    should land between the two limits, nearer the second. In the evoked protocol tonic
    release (~0.1-0.2 µM/s measured, 30-50 % of Vmax) exceeds the uptake citalopram leaves, so
    serotonin keeps accumulating after the train (negative net clearance), and the library's
    ``evoked_peak_uM`` (maximum after the first pulse) is then simply the value at the end of
    the run. DAT: no measurable change (predicted +0.01 % in t50).

    python scenarios/ssri_serotonin.py [--replicates N] [--out DIR] [--quick]
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Sequence

import pandas as pd

import synevent as se
from _common import compact_table, drug_ki, executor, parse_args, percent_change, finish, plt

NAME = "ssri_serotonin"
SSRI = "citalopram"
FOLD_KD = 10.0
TRAIN_END_MS = (950.0, 1000.0)  # the last of 10 pulses at 20 Hz from 500 ms is at 950 ms


def _mm_t_to(frac: float, c0_uM: float, km_uM: float, vmax_uM_per_s: float) -> float:
    """Integrated Michaelis-Menten: ms for a bolus c0 to fall to ``frac`` of itself."""
    c1 = frac * c0_uM
    return 1000.0 * (km_uM * math.log(c0_uM / c1) + (c0_uM - c1)) / vmax_uM_per_s


def _with_window_metrics(cmp: se.Comparison, after_ms: float) -> se.Comparison:
    """Add ``train_end_uM`` and ``net_clearance_uM_per_s`` (from the traces) as metrics."""
    tr = cmp.traces
    col = "HT_free_uM"
    t = tr["t_ms"].to_numpy()

    def window(t0: float, t1: float) -> pd.Series:
        sub = tr[(t >= t0) & (t < t1)]
        return sub.groupby(["condition", "replicate"], observed=True)[col].mean()

    lo, hi = TRAIN_END_MS
    end = window(lo, hi)
    later = window(lo + after_ms, hi + after_ms)
    key = pd.MultiIndex.from_arrays([cmp.table["condition"], cmp.table["replicate"]])
    table = cmp.table.copy()
    table["train_end_uM"] = end.reindex(key).to_numpy()
    table["net_clearance_uM_per_s"] = ((end - later) / (after_ms / 1000.0)).reindex(key).to_numpy()
    return dataclasses.replace(
        cmp, table=table, metrics=(*cmp.metrics, "train_end_uM", "net_clearance_uM_per_s"))


def main(argv: Sequence[str] | None = None) -> dict[str, se.Comparison]:
    args = parse_args(__doc__, NAME, replicates=30, quick_replicates=2, seed=20260502, argv=argv)
    conc = FOLD_KD * drug_ki(SSRI, "SERT")
    label = f"{SSRI} {conc * 1000:.3g} nM"
    conditions = {"control": [], label: [se.drug(SSRI, conc)]}
    t_evoked = 1500.0 if args.quick else 2000.0
    after_ms = t_evoked - TRAIN_END_MS[1]
    models = {
        "A_evoked_5HT": se.VolumeModel(se.serotonin_volume(), se.regular(20.0, 10, start_ms=500.0),
                                       t_end_ms=t_evoked, trace_dt_ms=5.0),
        "B_bolus_5HT": se.VolumeModel(se.serotonin_volume(terminal_density_per_um3=0.0), None,
                                      t_end_ms=30000.0, trace_dt_ms=10.0, initial_uM=1.0),
        "C_bolus_DA": se.VolumeModel(se.striatum_dopamine(terminal_density_per_um3=0.0), None,
                                     t_end_ms=600.0, trace_dt_ms=0.1, initial_uM=1.0),
    }
    metrics = {
        "A_evoked_5HT": ["baseline_uM", "evoked_peak_uM", "conserved"],
        "B_bolus_5HT": ["clearance_t50_ms", "clearance_tau_ms", "conserved"],
        "C_bolus_DA": ["clearance_t50_ms", "clearance_tau_ms", "conserved"],
    }

    t0 = time.perf_counter()
    cmps: dict[str, se.Comparison] = {}
    with executor(args.workers) as pool:
        for key, model in models.items():
            cmps[key] = se.compare(model, conditions, n_replicates=args.replicates, seed=args.seed,
                                   executor=pool, metrics=metrics[key])
    wall = time.perf_counter() - t0
    cmps["A_evoked_5HT"] = _with_window_metrics(cmps["A_evoked_5HT"], after_ms)

    ki_sert, ki_dat = drug_ki(SSRI, "SERT"), drug_ki(SSRI, "DAT")
    print(f"SSRI {label} (10 x SERT Kd {ki_sert * 1000:.3g} nM; DAT Kd {ki_dat:g} µM), "
          f"{args.replicates} replicates per condition, seed {args.seed} ({wall:.1f} s)")
    summaries = {}
    titles = {
        "A_evoked_5HT": f"A. evoked 5-HT: 10 pulses at 20 Hz from 500 ms, tonic 1 Hz, {t_evoked:g} ms "
                        f"(net clearance over the {after_ms:g} ms after the train)",
        "B_bolus_5HT": "B. 1 µM 5-HT bolus, SERT only, 30 s",
        "C_bolus_DA": "C. 1 µM DA bolus, DAT only, 600 ms (selectivity)",
    }
    for key, cmp in cmps.items():
        summaries[key] = cmp.summary()
        shown = [m for m in cmp.metrics if m != "conserved"]
        print(f"\n{titles[key]}")
        print(compact_table(summaries[key], shown).to_string(index=False))

    sert = models["B_bolus_5HT"].params
    occ = conc / (conc + ki_sert)
    lim_eq = _mm_t_to(0.5, 1.0, sert.km_uM * (1 + conc / ki_sert), sert.vmax_uM_per_s)
    lim_slow = _mm_t_to(0.5, 1.0, sert.km_uM, sert.vmax_uM_per_s * (1 - occ))
    print(f"\nB, Michaelis-Menten t50 (ignores substrate bound to SERT): control "
          f"{_mm_t_to(0.5, 1.0, sert.km_uM, sert.vmax_uM_per_s):.0f} ms; with {label}: "
          f"{lim_eq:.0f} ms if binding were at equilibrium (Km x {1 + conc / ki_sert:.3g}), "
          f"{lim_slow:.0f} ms if the {occ:.0%} of SERT bound stayed bound (Vmax x {1 - occ:.3f})")
    pct, lo, hi = percent_change(summaries["C_bolus_DA"], label, "clearance_t50_ms")
    print(f"C, DA clearance_t50_ms change with {label}: {pct:+.2f} % "
          f"(95% CI {lo:+.2f} to {hi:+.2f} %); DAT occupancy {conc / (conc + ki_dat):.2%}")
    conserved = all(bool(c.table["conserved"].all()) for c in cmps.values())
    print(f"molecules conserved in every run: {conserved}")

    fig, axes = plt.subplots(1, 3, figsize=(16, 4.4))
    se.plot_traces(cmps["A_evoked_5HT"], "HT_free_uM", ax=axes[0])
    axes[0].axvspan(500.0, 950.0, color="0.85", zorder=0)
    axes[0].set_ylabel("free 5-HT (µM)")
    axes[0].set_title("A. evoked serotonin (tonic firing + train)")
    se.plot_traces(cmps["B_bolus_5HT"], "HT_free_uM", ax=axes[1])
    axes[1].axhline(0.5, color="0.5", lw=0.8, ls=":")
    axes[1].set_xlabel("t (ms)")
    axes[1].set_ylabel("free 5-HT (µM)")
    axes[1].set_title("B. 1 µM serotonin bolus (SERT)")
    se.plot_traces(cmps["C_bolus_DA"], "DA_free_uM", ax=axes[2])
    axes[2].axhline(0.5, color="0.5", lw=0.8, ls=":")
    axes[2].set_xlim(0.0, 300.0)
    axes[2].set_ylabel("free DA (µM)")
    axes[2].set_title(f"C. 1 µM dopamine bolus (DAT): t50 {pct:+.2f} % [{lo:+.2f}, {hi:+.2f}]")
    fig.suptitle(f"{label} on serotonin and dopamine clearance (n = {args.replicates} per condition)")
    fig.tight_layout()

    table = pd.concat([c.table.assign(comparison=k) for k, c in cmps.items()], ignore_index=True)
    table.insert(0, "comparison", table.pop("comparison"))
    summary = pd.concat([s.assign(comparison=k) for k, s in summaries.items()], ignore_index=True)
    summary.insert(0, "comparison", summary.pop("comparison"))
    finish(args.out, NAME, fig, {"replicates": table, "summary": summary}, conserved)
    return cmps


if __name__ == "__main__":
    main()
