"""Scenario: depolarisation-induced suppression of inhibition (DSI) in a CA1 pyramidal cell.

Question
    How much does a 5 s depolarisation of a CA1 pyramidal cell suppress the IPSCs it receives
    from a CB1-expressing interneuron, and how fast does the suppression recover?

Protocol
    A ``se.ca1_pyramidal()`` cell voltage-clamped at −70 mV receives 20 GABAergic synapses
    (``presets.gabaergic``) from one interneuron stimulated at 0.5 Hz from 0.5 s. The pipette is
    a high-Cl⁻ one, as in the experiments (Wilson & Nicoll 2001): E_GABA = 0 mV, so IPSCs are
    inward at −70 mV. At 20 s the cell is stepped to 0 mV for 5 s (Wang & Zucker 2001) and then
    held at −70 mV for 60 s more. The IPSC amplitude is the peak inward current within 30 ms of
    each stimulus; stimuli during the step (no driving force) are left out. The baseline is the
    mean of the stimuli from 8 to 20 s: by then the vesicle pool has settled from its fully
    primed start to its steady depression at 0.5 Hz (it takes ~8 s). DSI
    is the fall of the mean of the first two stimuli after the step (1.5 and 3.5 s after it),
    and the recovery is fitted with ``1 − D·exp(−t/τ)`` (t from the end of the step), per
    replicate and on the mean of the replicates. A second condition without CB1 on the terminals
    (as under a CB1 antagonist) runs on the same seeds.

Model (synevent.circuit.retrograde; sources in docs/background/retrograde.md)
    [Ca²⁺]i rises through N-type-like channels (Boltzmann V½ −14 mV, k 6.9 mV) and is extruded
    with τ 2 s; 2-AG is made at a rate half-maximal at 3.7 µM [Ca²⁺]i rise (Wang & Zucker 2001)
    and cleared with τ 15 s (MGL); CB1 (Kd 0.47 µM) removes up to 55 % of the terminals'
    spike Ca²⁺ entry, which the cooperative sensor turns into up to a 90 % fall in release.

What to expect
    Wang & Zucker (2001) and Lenz et al. (1998) report DSI lasting about a minute after 1–5 s
    steps, with decay time constants of 15–30 s in CA1. The IPSC fall is smaller than the fall
    in release probability per vesicle because the vesicle pool, depressed at 0.5 Hz in the
    baseline, refills while release is suppressed.

    python scenarios/dsi.py [--replicates N] [--out DIR] [--quick] [--seed S] [--workers W]
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.optimize import curve_fit

import synevent as se
from _common import executor, finish, parse_args, plt
from synevent.circuit.retrograde import EndocannabinoidParams
from synevent.postsynaptic.library import gabaa_destexhe_5state

NAME = "dsi"
CONDITIONS = ("CB1", "no CB1")
IPSC_WINDOW_MS = 30.0


@dataclasses.dataclass(frozen=True)
class Protocol:
    """Times in ms; the full protocol and the ``--quick`` one."""

    n_synapses: int
    rate_hz: float
    step_start_ms: float
    step_stop_ms: float
    t_end_ms: float
    baseline_from_ms: float
    trace_dt_ms: float = 0.2

    @staticmethod
    def make(quick: bool) -> Protocol:
        if quick:
            return Protocol(6, 0.5, 6000.0, 9000.0, 36000.0, 2000.0)
        return Protocol(20, 0.5, 20000.0, 25000.0, 85000.0, 8000.0)


def synapse() -> se.SynapseParams:
    """The gabaergic preset recorded with a high-Cl⁻ pipette (E_GABA 0 mV)."""
    gabaa = dataclasses.replace(gabaa_destexhe_5state(), e_rev_mV=0.0)
    return se.presets.gabaergic(receptors=(se.ReceptorPopulation(gabaa, 60),))


def run_replicate(job: tuple[Protocol, str, int, int]) -> dict:
    """One run: per-stimulus IPSC amplitudes and quanta, and the chain's traces."""
    proto, condition, seed, replicate = job
    c = se.Circuit()
    cell = c.add_neuron("ca1", se.ca1_pyramidal(), se.VoltageClamp(
        -70.0, steps_mV=((proto.step_start_ms, proto.step_stop_ms, 0.0),)))
    n_stim = int(proto.t_end_ms / 1000.0 * proto.rate_hz)
    c.add_input("int", se.regular(proto.rate_hz, n_stim, start_ms=500.0))
    c.connect("int", cell, synapse(), n=proto.n_synapses)
    c.add_retrograde(cell, EndocannabinoidParams(), cb1_sources=None if condition == "CB1" else ())
    r = c.run(proto.t_end_ms, seed=se.replicate_seed(seed, replicate), trace_dt_ms=proto.trace_dt_ms)

    tr = r.traces
    i = tr["ca1.i_syn_pA"].to_numpy()
    t_stim = r.input_spikes["int"]
    w = int(round(IPSC_WINDOW_MS / proto.trace_dt_ms))
    k0 = np.round(t_stim / proto.trace_dt_ms).astype(int)
    amp = np.array([max(0.0, -i[k:k + w].min()) for k in k0])
    quanta = sum(s.quanta_per_spike() for s in r.synapses.values())
    stim = pd.DataFrame({"condition": condition, "replicate": replicate, "t_ms": t_stim,
                         "ipsc_pA": amp, "quanta": quanta,
                         "cb1_factor": tr["ca1.cb1_factor"].to_numpy()[k0]})
    every = max(1, int(round(50.0 / proto.trace_dt_ms)))  # the chain is slow: 50 ms is plenty
    chain = tr.iloc[::every].loc[:, ["t_ms", "ca1.ca_uM", "ca1.ecb_uM", "ca1.cb1_occupancy", "ca1.cb1_factor"]]
    pre = int(round(5.0 / proto.trace_dt_ms))
    windows = {"baseline": (t_stim >= proto.baseline_from_ms) & (t_stim < proto.step_start_ms),
               "first 2 after step": np.isin(t_stim, t_stim[t_stim > proto.step_stop_ms][:2])}
    example = {label: np.mean([i[k - pre:k + 2 * w] for k in k0[sel]], axis=0)
               for label, sel in windows.items()}
    return {"stimuli": stim, "chain": chain, "example": example, "conserved": r.conserved}


def recovery(t_s: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Fit ``1 − D·exp(−t/τ)``: return ``(D, τ_s)`` (nan when the fit fails)."""
    try:
        (d, tau), _ = curve_fit(lambda t, d, tau: 1.0 - d * np.exp(-t / tau), t_s, y,
                                p0=(0.5, 20.0), bounds=([-1.0, 0.5], [2.0, 500.0]))
    except RuntimeError:
        return math.nan, math.nan
    return float(d), float(tau)


def analyse(stim: pd.DataFrame, proto: Protocol) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Normalise each replicate to its baseline; DSI and recovery fit per replicate."""
    stim = stim.copy()
    stop = proto.step_stop_ms
    base = (stim["t_ms"] >= proto.baseline_from_ms) & (stim["t_ms"] < proto.step_start_ms)
    post = stim["t_ms"] > stop
    means = stim[base].groupby(["condition", "replicate"])[["ipsc_pA", "quanta"]].mean()
    stim = stim.merge(means, left_on=["condition", "replicate"], right_index=True,
                      suffixes=("", "_baseline"))
    stim["ipsc_norm"] = stim["ipsc_pA"] / stim["ipsc_pA_baseline"]
    stim["quanta_norm"] = stim["quanta"] / stim["quanta_baseline"]
    stim["t_after_step_s"] = (stim["t_ms"] - stop) / 1000.0
    stim.loc[(stim["t_ms"] >= proto.step_start_ms) & ~post, ["ipsc_norm", "quanta_norm"]] = np.nan
    rows = []
    for (cond, rep), g in stim.groupby(["condition", "replicate"], sort=False):
        p = g[g["t_ms"] > stop].sort_values("t_ms")
        first = p.head(2)
        # Without CB1 there is nothing to recover from: a fit would only describe noise.
        d, tau = (recovery(p["t_after_step_s"].to_numpy(), p["ipsc_norm"].to_numpy())
                  if cond == "CB1" else (math.nan, math.nan))
        rows.append({
            "condition": cond, "replicate": rep,
            "ipsc_baseline_pA": g["ipsc_pA_baseline"].iloc[0],
            "quanta_baseline": g["quanta_baseline"].iloc[0],
            "dsi_ipsc_pct": 100.0 * (1.0 - first["ipsc_norm"].mean()),
            "dsi_release_pct": 100.0 * (1.0 - first["quanta_norm"].mean()),
            "fit_depth": d, "recovery_tau_s": tau,
            "recovered_last_10s": p[p["t_ms"] > proto.t_end_ms - 10000.0]["ipsc_norm"].mean(),
        })
    return stim, pd.DataFrame(rows)


def mean_sem(x: pd.Series) -> str:
    x = x.dropna()
    if x.empty:
        return ""
    return f"{x.mean():.3g} ± {x.std(ddof=1) / math.sqrt(len(x)):.2g}" if len(x) > 1 else f"{x.mean():.3g}"


def main(argv: Sequence[str] | None = None) -> pd.DataFrame:
    args = parse_args(__doc__, NAME, replicates=8, quick_replicates=2, seed=20260701, argv=argv)
    proto = Protocol.make(args.quick)
    jobs = [(proto, cond, args.seed, r) for cond in CONDITIONS for r in range(args.replicates)]
    t0 = time.perf_counter()
    with executor(args.workers) as pool:
        results = list(pool.map(run_replicate, jobs)) if pool else [run_replicate(j) for j in jobs]
    wall = time.perf_counter() - t0
    stim, reps = analyse(pd.concat([r["stimuli"] for r in results], ignore_index=True), proto)

    summary = reps.groupby("condition", sort=False).agg(
        n=("replicate", "size"),
        ipsc_baseline_pA=("ipsc_baseline_pA", mean_sem),
        dsi_ipsc_pct=("dsi_ipsc_pct", mean_sem),
        dsi_release_pct=("dsi_release_pct", mean_sem),
        recovery_tau_s=("recovery_tau_s", mean_sem),
        recovered_last_10s=("recovered_last_10s", mean_sem),
    ).reset_index()
    cb1 = stim[(stim["condition"] == "CB1") & (stim["t_ms"] > proto.step_stop_ms)]
    mean_curve = cb1.groupby("t_after_step_s")["ipsc_norm"].mean()
    d_pool, tau_pool = recovery(mean_curve.index.to_numpy(), mean_curve.to_numpy())

    step_s = (proto.step_stop_ms - proto.step_start_ms) / 1000.0
    print(f"DSI in a CA1 pyramidal cell: {proto.n_synapses} GABAergic synapses at {proto.rate_hz:g} Hz, "
          f"step to 0 mV for {step_s:g} s at {proto.step_start_ms / 1000:g} s, "
          f"{args.replicates} replicates per condition, seed {args.seed} ({wall:.1f} s)")
    print(summary.to_string(index=False))
    print(f"fit on the mean of the CB1 replicates: DSI depth {100 * d_pool:.3g} % at the end of the step, "
          f"recovery tau {tau_pool:.3g} s")
    print("published (CA1): IPSCs fall after 1-5 s steps and recover over about a minute, decay tau "
          "~15-30 s (Pitler & Alger 1992; Lenz et al. 1998; Wilson & Nicoll 2001; Wang & Zucker 2001)")
    conserved = all(r["conserved"] for r in results)
    print(f"molecules conserved in every run: {conserved}")

    fig, axes = plt.subplots(1, 3, figsize=(16, 4.3), gridspec_kw={"width_ratios": [2.2, 1.6, 1]})
    ax = axes[0]
    for cond, colour in zip(CONDITIONS, ("C0", "0.5")):
        g = stim[stim["condition"] == cond].groupby("t_ms")["ipsc_norm"]
        m, s = g.mean(), g.sem()
        ax.errorbar(m.index / 1000.0, m, yerr=s, fmt="o", ms=3, color=colour, label=cond)
    tt = np.linspace(0.0, (proto.t_end_ms - proto.step_stop_ms) / 1000.0, 200)
    ax.plot(tt + proto.step_stop_ms / 1000.0, 1 - d_pool * np.exp(-tt / tau_pool), "C3-",
            label=f"fit τ = {tau_pool:.3g} s")
    ax.axvspan(proto.step_start_ms / 1000.0, proto.step_stop_ms / 1000.0, color="0.85", zorder=0)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("IPSC / baseline")
    ax.set_title("IPSC per stimulus (mean ± SEM); grey: step to 0 mV")
    ax.legend(loc="lower right")
    chain = results[0]["chain"]
    ax = axes[1]
    t_s = chain["t_ms"] / 1000.0
    ax.plot(t_s, chain["ca1.ca_uM"], label="[Ca²⁺]i (µM)")
    ax.plot(t_s, chain["ca1.ecb_uM"], label="2-AG (µM)")
    ax.plot(t_s, chain["ca1.cb1_occupancy"], label="CB1 occupancy")
    ax.plot(t_s, chain["ca1.cb1_factor"], label="Ca²⁺ entry factor")
    ax.set_xlabel("time (s)")
    ax.set_title("the retrograde chain")
    ax.legend(fontsize=8)
    ax = axes[2]
    cb1_runs = [r for r, job in zip(results, jobs) if job[1] == "CB1"]
    for label in cb1_runs[0]["example"]:
        trace = np.mean([r["example"][label] for r in cb1_runs], axis=0)
        ax.plot(np.arange(trace.size) * proto.trace_dt_ms - 5.0, trace, label=label)
    ax.set_xlabel("time from stimulus (ms)")
    ax.set_ylabel("i_syn (pA)")
    ax.set_title("mean IPSC, CB1 condition")
    ax.legend()
    fig.suptitle(f"Depolarisation-induced suppression of inhibition (n = {args.replicates} per condition)")
    fig.tight_layout()

    tables = {"replicates": reps, "stimuli": stim,
              "summary": summary.assign(pooled_fit_depth=[d_pool if c == "CB1" else math.nan
                                                          for c in summary["condition"]],
                                        pooled_fit_tau_s=[tau_pool if c == "CB1" else math.nan
                                                          for c in summary["condition"]])}
    finish(args.out, NAME, fig, tables, conserved)
    return reps


if __name__ == "__main__":
    main()
