"""Scenario: botulinum neurotoxin A silences an endplate site by site: does the loss of evoked
quanta follow the model's cleavage hazard?

Question
    Under BoNT/A, each release site's SNAP-25 is cleaved at the hazard k_cleave·[T], after
    which the site releases nothing. Does the number of quanta released per nerve impulse then
    fall as exp(-k_cleave·[T]·(t - t_on)), and does the decay constant fitted to the quanta
    match the library's k_cleave?

Protocol
    ``se.presets.neuromuscular()`` (50 release sites, p ≈ 0.85, RRP refill with a ~4.5 s time
    constant) stripped of its receptors and AChE: the read-out is quanta per impulse
    (``Result.quanta_per_spike()``), which needs no cleft kinetics, so runs are cheap; traces
    on a coarse 50 ms grid. 20 impulses at 2 Hz from 250 ms, 10.25 s runs. The toxin is
    applied as a step at t_on = 2000 ms (after 4 impulses):
    ``se.drug("BoNT/A", 0.005, se.Schedule(start_ms=2000))``. Conditions control and toxin,
    replicate ``r`` of both on the same seed.

    THE CONCENTRATION IS NOT PHYSIOLOGICAL. The library's rate reproduces a paralysis half-time
    of 51 min at 3.3 pM (500 pg/mL); simulating an hour of a full endplate is out of reach, so
    the toxin is applied at 5 nM (~1500 × higher), which gives a site half-life of
    ln2/(k_cleave·[T]) ≈ 2.0 s. The hazard is linear in concentration in the model, so only
    the time axis is rescaled: 5 nM for 1 s is the same cleavage exposure as 3.3 pM for 25 min.

Drug (synevent drug library, ``se.DRUGS["BoNT/A"]``)
    Release blocker acting on "SNARE", k_cleave = 0.0686 /µM/ms, from the hemidiaphragm
    paralysis half-time of 51 min at 500 pg/mL = 3.3 pM (Toxins 2015 7:4895, verified):
    ln2 / (51 min × 3.3e-6 µM).

What to expect
    At 2 Hz the readily releasable pool depresses strongly (from ~40 quanta at the first
    impulse to ~5), so the expected toxin curve is not m0·exp(-λ·(t - t_on)) with a constant
    m0 but the control's own mean at each impulse times the surviving fraction of sites:
    E[q_toxin(t)] = E[q_control(t)]·exp(-λ·(t - t_on)), λ = k_cleave·[T]. This is exact when
    sites are independent, because a site's cleavage time is independent of its release
    history. λ is fitted to the pooled quanta after t_on (Poisson estimating equation, 95 % CI
    by resampling replicates) and compared with k_cleave·[T] = 3.43e-4 /ms. By the end,
    ~94 % of sites should be cleaved. Every run must conserve molecules (checked).

    python scenarios/botulinum_nmj.py [--replicates N] [--out DIR] [--quick]
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import brentq

import synevent as se
from _common import compact_table, executor, parse_args, finish, plt

NAME = "botulinum_nmj"
TOXIN = "BoNT/A"
CONC_UM = 0.005
T_ON_MS = 2000.0
RATE_HZ, N_SPIKES, FIRST_MS = 2.0, 20, 250.0
METRICS = ["quanta_before", "quanta_after", "quanta_last4", "sites_cleaved",
           "cleavage_exposure_ms", "conserved"]


@dataclass(frozen=True)
class SpikeSeries:
    """What one run leaves for the study: a summary and the quanta at each spike time."""

    summary: dict[str, Any]
    traces: pd.DataFrame


@dataclass(frozen=True)
class QuantaPerSpikeModel(se.SynapseModel):
    """A SynapseModel reduced, in the worker, to quanta per spike and cleavage counts.

    ``traces`` has one row per spike (``t_ms`` the spike time, ``quanta``), so the study layer
    (``compare``, ``trace_band``, ``plot_traces``) handles the per-spike series like any trace.
    """

    @property
    def default_trace_columns(self) -> tuple[str, ...]:
        return ("quanta",)

    def run(self, interventions: Sequence[Any], seed: np.random.SeedSequence) -> SpikeSeries:
        res = super().run(interventions, seed)
        q = res.quanta_per_spike()
        t = np.asarray(res.spikes_ms, dtype=float)
        ev = res.events
        cleaved_at = ev.loc[ev["kind"] == "cleavage", "t_ms"].to_numpy(float)
        n_sites = self.synapse.vesicles.n_sites
        start = min((iv.schedule.start_ms for iv in _toxins(interventions)), default=math.inf)
        # Site-time at risk after the application: the hazard's maximum-likelihood estimate
        # is sites_cleaved / cleavage_exposure_ms.
        exposure = 0.0
        if math.isfinite(start):
            exposure = float((cleaved_at - start).sum()
                             + (n_sites - cleaved_at.size) * (self.t_end_ms - start))
        before, after = t < T_ON_MS, t >= T_ON_MS
        summary = {
            "quanta_before": float(q[before].mean()),
            "quanta_after": float(q[after].mean()),
            "quanta_last4": float(q[-4:].mean()),
            "sites_cleaved": int(cleaved_at.size),
            "cleavage_exposure_ms": exposure,
            "conserved": bool(res.summary["conserved"]),
        }
        return SpikeSeries(summary, pd.DataFrame({"t_ms": t, "quanta": q.astype(float)}))


def _toxins(interventions: Sequence[Any]) -> list[se.ReleaseBlocker]:
    out = []
    for iv in interventions:
        for x in (iv.interventions() if isinstance(iv, se.DrugApplication) else [iv]):
            if isinstance(x, se.ReleaseBlocker):
                out.append(x)
    return out


def fit_decay(u_ms: np.ndarray, control: np.ndarray, toxin: np.ndarray) -> float:
    """λ solving Σ u·(T − C·e^(−λu)) = 0 over spikes at u = t − t_on ≥ 0.

    ``control`` and ``toxin`` are quanta summed over replicates per spike (C, T). The equation
    is unbiased when E[T] = E[C]·e^(−λu) (a Poisson-type estimating equation, which weights
    each spike by its counts rather than taking logs of small numbers). 0 if T is not below C.
    """
    lhs_at_0 = float((u_ms * control).sum())
    rhs = float((u_ms * toxin).sum())
    if rhs >= lhs_at_0 or lhs_at_0 == 0.0:
        return 0.0
    if rhs <= 0.0:
        return math.inf
    f = lambda lam: float((u_ms * control * np.exp(-lam * u_ms)).sum()) - rhs  # noqa: E731
    hi = 1.0 / max(float(u_ms[u_ms > 0].min()), 1e-9)
    while f(hi) > 0.0:
        hi *= 4.0
    return brentq(f, 0.0, hi, xtol=1e-12, rtol=1e-10)


def main(argv: Sequence[str] | None = None) -> se.Comparison:
    args = parse_args(__doc__, NAME, replicates=120, quick_replicates=4, seed=20260504, argv=argv)
    t_end = FIRST_MS + (N_SPIKES - 1) * 1000.0 / RATE_HZ + 500.0
    synapse = se.presets.neuromuscular().replace(receptors=(), enzymes=())
    model = QuantaPerSpikeModel(synapse, se.regular(RATE_HZ, N_SPIKES, start_ms=FIRST_MS),
                                t_end_ms=t_end, trace_dt_ms=50.0)
    toxin = se.drug(TOXIN, CONC_UM, se.Schedule(start_ms=T_ON_MS))
    (blocker,) = _toxins([toxin])
    lam = blocker.k_cleave_per_uM_per_ms * CONC_UM
    label = f"{TOXIN} {CONC_UM * 1000:g} nM"
    conditions = {"control": [], label: [toxin]}

    t0 = time.perf_counter()
    with executor(args.workers) as pool:
        cmp = se.compare(model, conditions, n_replicates=args.replicates, seed=args.seed,
                         executor=pool, metrics=METRICS)
    wall = time.perf_counter() - t0
    summary = cmp.summary()

    # Per-spike matrices (replicate × spike) from the long per-spike table.
    wide = cmp.traces.pivot_table(index=["condition", "replicate"], columns="t_ms",
                                  values="quanta", observed=True)
    t_spk = wide.columns.to_numpy(float)
    q_c, q_t = wide.loc["control"].to_numpy(), wide.loc[label].to_numpy()
    post = t_spk >= T_ON_MS
    u = t_spk[post] - T_ON_MS
    lam_hat = fit_decay(u, q_c[:, post].sum(0), q_t[:, post].sum(0))
    rng = np.random.default_rng(args.seed)  # resampling only; the runs' seeds are their own
    boot = []
    for _ in range(2000):
        idx = rng.integers(0, args.replicates, args.replicates)
        boot.append(fit_decay(u, q_c[idx][:, post].sum(0), q_t[idx][:, post].sum(0)))
    b_lo, b_hi = np.percentile(boot, [2.5, 97.5])
    tox_rows = cmp.table[cmp.table["condition"] == label]
    lam_sites = tox_rows["sites_cleaved"].sum() / tox_rows["cleavage_exposure_ms"].sum()
    n_sites = synapse.vesicles.n_sites
    expected_cleaved = n_sites * -math.expm1(-lam * (t_end - T_ON_MS))

    print(f"BoNT/A at the neuromuscular junction: {N_SPIKES} impulses at {RATE_HZ:g} Hz from "
          f"{FIRST_MS:g} ms, toxin step at {T_ON_MS:g} ms, {t_end:g} ms runs, {args.replicates} "
          f"replicates per condition, seed {args.seed} ({wall:.1f} s)")
    print(f"NOTE: {label} is ~{CONC_UM / 3.3e-6:.0f} x the 3.3 pM of the library's source (paralysis "
          f"t1/2 51 min); chosen so that the site half-life ln2/(k·[T]) is "
          f"{math.log(2) / lam / 1000:.2f} s instead of ~51 min. Hazard linear in [T]: only the "
          f"time scale differs.")
    print(compact_table(summary, [m for m in METRICS if m not in ("conserved", "cleavage_exposure_ms")])
          .to_string(index=False))
    print(f"decay constant of quanta per impulse (toxin / control, after {T_ON_MS:g} ms): fitted "
          f"{lam_hat:.3e} /ms (95% CI {b_lo:.3e} to {b_hi:.3e}), expected k_cleave·[T] = {lam:.3e} /ms "
          f"(ratio {lam_hat / lam:.3f})")
    print(f"from the cleavage events themselves: {lam_sites:.3e} /ms; sites cleaved by {t_end:g} ms: "
          f"{tox_rows['sites_cleaved'].mean():.2f} of {n_sites} (expected {expected_cleaved:.2f})")
    conserved = bool(cmp.table["conserved"].all())
    print(f"molecules conserved in every run: {conserved}")

    fig, axes = plt.subplots(1, 2, figsize=(13, 4.6))
    se.plot_traces(cmp, "quanta", ax=axes[0])
    surv = np.where(t_spk >= T_ON_MS, np.exp(-lam * (t_spk - T_ON_MS)), 1.0)
    axes[0].plot(t_spk, q_c.mean(0) * surv, "k--", lw=1.2,
                 label="expected: control mean × exp(-k[T](t - t_on))")
    axes[0].axvline(T_ON_MS, color="0.5", ls=":", lw=1)
    axes[0].set_ylabel("quanta per impulse")
    axes[0].set_title("quanta per impulse (2 Hz)")
    axes[0].legend(title=f"mean ± SD, n = {args.replicates}", fontsize=8)
    ratio = q_t.sum(0) / np.where(q_c.sum(0) > 0, q_c.sum(0), np.nan)
    tt = np.linspace(T_ON_MS, t_spk[-1], 200)
    axes[1].semilogy(t_spk, ratio, "o", label="toxin / control (pooled quanta)")
    axes[1].semilogy(tt, np.exp(-lam * (tt - T_ON_MS)), "k--",
                     label=f"expected exp(-k[T]u), k[T] = {lam:.3g} /ms")
    axes[1].semilogy(tt, np.exp(-lam_hat * (tt - T_ON_MS)), "-", color="C3",
                     label=f"fitted, {lam_hat:.3g} /ms [{b_lo:.3g}, {b_hi:.3g}]")
    axes[1].axvline(T_ON_MS, color="0.5", ls=":", lw=1)
    axes[1].set_xlabel("t (ms)")
    axes[1].set_ylabel("fraction of control quanta")
    axes[1].set_title("surviving fraction of release")
    axes[1].legend(fontsize=8)
    fig.suptitle(f"{label} from {T_ON_MS / 1000:g} s (scaled-up concentration: site t1/2 "
                 f"{math.log(2) / lam / 1000:.2f} s instead of ~51 min), n = {args.replicates}")
    fig.tight_layout()

    per_spike = cmp.traces.rename(columns={"t_ms": "spike_t_ms"})
    finish(args.out, NAME, fig, {"replicates": cmp.table, "summary": summary,
                                                "quanta_per_spike": per_spike}, conserved)
    return cmp


if __name__ == "__main__":
    main()
