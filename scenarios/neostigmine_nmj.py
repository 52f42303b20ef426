"""Scenario: how does the anticholinesterase neostigmine prolong the endplate current?

Question
    At the neuromuscular junction, how do the peak, charge and decay of the endplate current
    evoked by one nerve impulse grow as neostigmine inhibits acetylcholinesterase (AChE)?

Protocol
    ``se.presets.neuromuscular()``: rat diaphragm endplate with 50 release sites of high
    release probability (p ≈ 0.85), 9000 ACh per vesicle, 5e5 nicotinic receptors and 1.5e5
    AChE (2990 /µm², kcat 1e4 /s) in one lumped 50 µm² cleft, clamped at -80 mV. One impulse
    at 1 ms, 15 ms runs on a 0.05 ms grid. Conditions: control and neostigmine 0.01, 0.03, 0.1
    and 0.3 µM, bath-equilibrated before the run; replicate ``r`` of every condition runs on
    the same seed. One run takes 2-13 s (more events with the enzyme inhibited), hence few
    replicates and a process pool. ``--quick`` (a smoke test) runs control, 0.01 and 0.03 µM
    for 10 ms on an endplate of 10 release sites.

Drug (synevent drug library, ``se.DRUGS["neostigmine"]``)
    Quaternary carbamate; carbamylation of AChE is lumped into a reversible competitive
    inhibition with an apparent Ki of 0.03 µM (IC50 0.01-0.06 µM, recollection; the real
    decarbamylation half-time of ~30 min is far longer than a run, so within a run the bound
    fraction is fixed: at equilibrium [I]/([I] + Ki) = 25, 50, 77 and 91 % of AChE).

What to expect
    With less AChE, ACh lingers and rebinds receptors: the charge and the decay time rise
    steeply with concentration and the peak rises less; release (``quanta_sync``) is untouched
    in mechanism, though a drug's binding reactions draw on the run's random stream, so a
    treated replicate's release is not the same draw as its control's. At the highest
    concentrations the current may not have decayed to 1/e of its peak by the end of the
    15 ms run; ``psc_decay_ms`` is then undefined (NaN) and left out of its mean (see ``n``).

    python scenarios/neostigmine_nmj.py [--replicates N] [--out DIR] [--quick]
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import pandas as pd
from matplotlib.ticker import FuncFormatter

import synevent as se
from _common import compact_table, drug_ki, executor, parse_args, finish, plt

NAME = "neostigmine_nmj"
METRICS = ["psc_peak_pA", "psc_charge_pC", "psc_decay_ms", "quanta_sync", "conserved"]


def _dose_response(cmp: se.Comparison, doses: dict[str, float], column: str,
                   values: pd.Series) -> se.DoseResponse:
    """A DoseResponse over the comparison's runs (the same runs, not run again).

    ``dose_response`` would repeat every run (same seeds, same numbers); building the result
    from the comparison's table halves the cost of the scenario.
    """
    table = pd.DataFrame({
        "conc_uM": cmp.table["condition"].map(doses).astype(float).to_numpy(),
        "replicate": cmp.table["replicate"].to_numpy(),
        "seed_entropy": cmp.table["seed_entropy"].to_numpy(),
        column: values.to_numpy(dtype=float),
    })
    return se.DoseResponse(
        model=cmp.model, metric=column, n_replicates=cmp.n_replicates,
        interventions={doses[name]: ivs for name, ivs in cmp.conditions.items()},
        seed_entropy=cmp.seed_entropy, table=table, increasing=True,
    )


def _plot_dr(dr: se.DoseResponse, ax) -> str:
    """Plot with the Hill fit when the data can determine one; return a line describing it.

    No fit when a concentration has no defined value (e.g. the decay at the top dose): the
    upper plateau would then be pure extrapolation.
    """
    means = dr.means
    empty = means.loc[means["n"] == 0, "conc_uM"].tolist()
    fit, why = None, ""
    if empty:
        why = f"{dr.metric} undefined in every run at {', '.join(f'{c:g}' for c in empty)} µM"
    elif len(means) < 4:
        why = f"{len(means)} concentrations for 4 parameters"
    else:
        try:
            fit = dr.fit
        except (se.ParameterError, RuntimeError) as e:
            why = str(e).split(";")[0]
    se.plot_dose_response(dr, ax=ax, fit=fit is not None)
    if empty:
        ax.text(0.97, 0.04, f"undefined in every run at {', '.join(f'{c:g}' for c in empty)} µM",
                transform=ax.transAxes, ha="right", va="bottom", fontsize=9, color="0.3")
    if fit is None:
        return f"{dr.metric}: no Hill fit ({why})"
    top_seen = float(means["mean"].max())
    note = "" if fit.top <= 1.05 * top_seen else f"; upper plateau extrapolated (largest mean {top_seen:.4g})"
    return (f"{dr.metric}: Hill fit EC50 {fit.ec50_uM:.3g} µM (SE {fit.ec50_se_uM:.2g}), "
            f"n_H {fit.slope:.2f}, plateaus {fit.bottom:.4g} to {fit.top:.4g}{note}")


def main(argv: Sequence[str] | None = None) -> se.Comparison:
    args = parse_args(__doc__, NAME, replicates=4, quick_replicates=2, seed=20260503, argv=argv)
    concs = [0.01, 0.03] if args.quick else [0.01, 0.03, 0.1, 0.3]
    t_end = 10.0 if args.quick else 15.0
    # --quick is a smoke test: 10 release sites instead of 50 make a run ~5 times cheaper.
    synapse = se.presets.neuromuscular(**({"vesicles": {"n_sites": 10}} if args.quick else {}))
    model = se.SynapseModel(synapse, se.regular(10.0, 1, start_ms=1.0), t_end_ms=t_end,
                            trace_dt_ms=0.05)
    doses = {"control": 0.0, **{f"neostigmine {c:g} µM": c for c in concs}}
    conditions = {name: ([se.drug("neostigmine", c)] if c else []) for name, c in doses.items()}

    t0 = time.perf_counter()
    with executor(args.workers) as pool:
        cmp = se.compare(model, conditions, n_replicates=args.replicates, seed=args.seed,
                         executor=pool, metrics=METRICS, trace_columns=["current_pA"])
    wall = time.perf_counter() - t0

    summary = cmp.summary()
    ki = drug_ki("neostigmine", "AChE")
    print(f"Neuromuscular junction ({synapse.vesicles.n_sites} release sites), one impulse at 1 ms, "
          f"{t_end:g} ms runs, {args.replicates} "
          f"replicates per condition, seed {args.seed} ({wall:.1f} s)")
    print(f"neostigmine apparent Ki at AChE {ki:g} µM -> AChE bound at equilibrium: "
          + ", ".join(f"{c / (c + ki):.0%} at {c:g} µM" for c in concs))
    print(compact_table(summary, [m for m in METRICS if m != "conserved"]).to_string(index=False))
    nan_decay = cmp.table.groupby("condition", observed=True)["psc_decay_ms"].apply(
        lambda s: int(s.isna().sum()))
    if nan_decay.any():
        print(f"psc_decay_ms undefined (current not back to 1/e of its peak by {t_end:g} ms) in "
              + ", ".join(f"{k}: {v}/{args.replicates}" for k, v in nan_decay.items() if v))

    fig, axes = plt.subplots(1, 3, figsize=(16, 4.4), gridspec_kw={"width_ratios": [1.4, 1, 1]})
    se.plot_traces(cmp, "current_pA", ax=axes[0])
    axes[0].yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v / 1000:g}"))
    axes[0].set_ylabel("endplate current (nA)")
    axes[0].set_title("clamp current at -80 mV")
    charge = _dose_response(cmp, doses, "inward_charge_pC", -cmp.table["psc_charge_pC"])
    decay = _dose_response(cmp, doses, "psc_decay_ms", cmp.table["psc_decay_ms"])
    fits = [_plot_dr(charge, axes[1]), _plot_dr(decay, axes[2])]
    axes[1].set_title("inward charge (-psc_charge_pC)")
    axes[2].set_title("decay, peak to 1/e (undefined runs left out)")
    for line in fits:
        print(line)
    fig.suptitle(f"Neostigmine at the neuromuscular junction (n = {args.replicates} per condition)")
    fig.tight_layout()

    conserved = bool(cmp.table["conserved"].all())
    print(f"molecules conserved in every run: {conserved}")
    finish(args.out, NAME, fig, {"replicates": cmp.table, "summary": summary}, conserved)
    return cmp


if __name__ == "__main__":
    main()
