"""Validation cases at the neuromuscular junction: quanta per impulse (NMJ-QUANTA), endplate
currents with and without acetylcholinesterase (AChE-EPC) and botulinum toxin A (BONT).

Registered on import (imported by :mod:`.cases_clearance`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import brentq

import synevent as se

from ._casekit import at_least_check, direction_check, executor, paired_ratio, stat_check
from .registry import Case, Check, Outcome, register

__all__: list[str] = []

SEED = 20260711


def _release_only(**vesicles: Any) -> se.SynapseParams:
    """The neuromuscular preset reduced to its release machinery: one molecule per vesicle and
    no receptors or AChE, so that a run simulates release only (quanta are unchanged)."""
    return se.presets.neuromuscular(vesicles={"molecules_per_vesicle": 1.0, "quantal_cv": 0.0,
                                              **vesicles}, receptors=(), enzymes=())


# -- NMJ-QUANTA --------------------------------------------------------------------------------
M_RANGE, N_RANGE, P_RANGE = (40.0, 45.0), (45.0, 53.0), (0.82, 0.90)


def _quanta_first_spike(seeds: Sequence[np.random.SeedSequence]) -> np.ndarray:
    """Synchronous quanta after one impulse, one independent run per seed (top level: pickled)."""
    syn, stim = _release_only(), se.explicit([1.0])
    return np.array([se.simulate(syn, stim, t_end_ms=6.0, seed=s, trace_dt_ms=1.0)
                     .quanta_per_spike()[0] for s in seeds], dtype=float)


def _binomial_fit(q: np.ndarray) -> tuple[float, float]:
    """Binomial n and p by moments: p = 1 − var/mean, n = mean/p."""
    m, v = q.mean(), q.var(ddof=1)
    p = 1.0 - v / m
    return m / p, p


def run_nmj_quanta(fast: bool) -> Outcome:
    n_trials = 500 if fast else 2000
    seeds = np.random.SeedSequence(SEED).spawn(n_trials)
    with executor() as pool:
        if pool:
            half = n_trials // 2
            parts = [pool.submit(_quanta_first_spike, s) for s in (seeds[:half], seeds[half:])]
            q = np.concatenate([f.result() for f in parts])
        else:
            q = _quanta_first_spike(seeds)
    n_hat, p_hat = _binomial_fit(q)
    rng = np.random.default_rng(SEED)  # resampling only; the runs have their own seeds
    boot = np.array([_binomial_fit(q[rng.integers(0, q.size, q.size)]) for _ in range(2000)])
    mid = lambda r: (r[0] + r[1]) / 2  # noqa: E731
    half = lambda r: (r[1] - r[0]) / 2  # noqa: E731
    checks = [
        stat_check("mean quanta per impulse m", q.mean(), mid(M_RANGE), half(M_RANGE),
                   q.std(ddof=1) / math.sqrt(q.size)),
        stat_check("binomial release probability p = 1 - var/m", p_hat, mid(P_RANGE), half(P_RANGE),
                   boot[:, 1].std(ddof=1)),
        stat_check("binomial number of sites n = m/p", n_hat, mid(N_RANGE), half(N_RANGE),
                   boot[:, 0].std(ddof=1)),
    ]
    notes = (f"{n_trials} independent impulses: m = {q.mean():.2f}, variance {q.var(ddof=1):.2f} "
             f"(binomial with the preset's n = 50, p = 0.85: 6.38; Poisson: {q.mean():.1f}), "
             f"failures {np.mean(q == 0):.3f}. SEs of p and n by bootstrap over impulses. The "
             f"preset's Ca²⁺ peak was calibrated to p = 0.85 per site and its 50 sites chosen inside "
             f"the published n, so this case checks that release emerges as the calibrated binomial, "
             f"not an independent prediction.")

    def figure(ax) -> None:
        from scipy.stats import binom

        k = np.arange(int(q.min()) - 2, int(q.max()) + 3)
        ax.hist(q, bins=np.arange(k[0] - 0.5, k[-1] + 1.0), density=True, color="C0", alpha=0.6,
                label=f"simulated ({n_trials} impulses)")
        ax.plot(k, binom.pmf(k, round(n_hat), p_hat), "k.-", lw=0.8,
                label=f"binomial fit n = {n_hat:.1f}, p = {p_hat:.3f}")
        ax.axvspan(*M_RANGE, color="C3", alpha=0.12, label="published m 40-45")
        ax.axvline(q.mean(), color="C0", ls="--", label=f"simulated m = {q.mean():.1f}")
        ax.set_xlabel("quanta per impulse")
        ax.set_ylabel("fraction of impulses")
        ax.legend(fontsize=7, loc="upper left")

    return Outcome(checks, figure, notes)


register(Case(
    id="NMJ-QUANTA",
    title="Quanta per impulse at the rat neuromuscular junction",
    preparation="se.presets.neuromuscular() (rat diaphragm endplate at 23 °C: 50 release sites of "
                "one slot, Ca²⁺ peak calibrated to p = 0.85 per site), reduced to its release "
                "machinery (one molecule per vesicle, no receptors or AChE; release is unchanged).",
    protocol="One impulse at 1 ms in independent runs (fast: 500, full: 2000), synchronous fusions "
             "counted (Result.quanta_per_spike).",
    quantity="Mean quantal content m; binomial p = 1 − variance/m and n = m/p.",
    published="m = 40-45, n = 45-53, p = 0.82-0.90 (binomial fits, rat diaphragm at 23 °C).",
    source="../shared/validation/README.md V-01 (values as collected there; the preset cites Wood & "
           "Slater 2001 Prog Neurobiol 64:393 for the rat diaphragm binomial parameters, not checked "
           "here).",
    tolerance="Half the published range (m ± 2.5, p ± 0.04, n ± 4) or 3 SEM (bootstrap SE for p and "
              "n); N ≥ 500 impulses as the validation set asks.",
    run=run_nmj_quanta,
))


# -- AChE-EPC ----------------------------------------------------------------------------------
NEOSTIGMINE_UM = 1.0
CP_DOSES_UM = (0.0, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
CP_ACH_UM, CP_KI_UM = 100.0, 0.03


def run_ache_epc(fast: bool) -> Outcome:
    n_rep = 3 if fast else 8
    syn = se.presets.neuromuscular(vesicles={"n_sites": 10})
    model = se.SynapseModel(syn, se.regular(10.0, 1, start_ms=1.0), t_end_ms=40.0, trace_dt_ms=0.05)
    label = f"neostigmine {NEOSTIGMINE_UM:g} µM"
    ache = dataclasses.replace(syn.enzymes[0], n=20)
    with executor() as pool:
        jobs = []
        for k, c in enumerate(CP_DOSES_UM):
            # kon raised only to shorten the warm-up; the steady state does not depend on it
            iv = [se.EnzymeInhibitor(target="AChE", conc_uM=c, ki_uM=CP_KI_UM,
                                     kon_per_uM_per_ms=1.0)] if c else []
            kw = dict(interventions=iv, warmup_ms=300.0, measure_ms=1500.0, n_trajectories=3,
                      seed=SEED + k)
            jobs.append(pool.submit(se.steady_state_flux, ache, [CP_ACH_UM], **kw) if pool
                        else se.steady_state_flux(ache, [CP_ACH_UM], **kw))
        cmp = se.compare(model, {"control": [], label: [se.drug("neostigmine", NEOSTIGMINE_UM)]},
                         n_replicates=n_rep, seed=SEED + 10, executor=pool,
                         metrics=["psc_decay_ms", "psc_charge_pC", "psc_peak_pA", "quanta_sync"],
                         trace_columns=["current_pA"], trace_every_ms=0.1)
        act = np.array([(j.result() if pool else j)["flux_per_ms"].iloc[0] for j in jobs])
    act = act / act[0]
    hill = se.fit_hill(np.array(CP_DOSES_UM), act)
    predicted = CP_KI_UM * (1 + CP_ACH_UM / ache.km_uM)
    tab = cmp.table
    ctl, neo = (tab[tab["condition"] == c] for c in ("control", label))
    c_decay, d_decay = direction_check(f"EPC decay (peak to 1/e), {label} - control",
                                       neo["psc_decay_ms"], ctl["psc_decay_ms"], "ms")
    c_charge, d_charge = direction_check(f"inward charge within 40 ms, {label} - control",
                                         -neo["psc_charge_pC"], -ctl["psc_charge_pC"], "pC")
    ratio, ratio_se, _ = paired_ratio(neo["psc_decay_ms"], ctl["psc_decay_ms"])
    checks = [
        c_decay, c_charge,
        at_least_check(f"EPC decay prolongation factor, {label} / control ('several-fold')",
                       ratio, ratio_se, 2.0),
        stat_check(f"AChE IC50 at {CP_ACH_UM:g} µM ACh (Ki {CP_KI_UM:g} µM), log10 µM, against "
                   f"Cheng-Prusoff Ki(1 + S/Km) = {predicted:.4g} µM", hill.log10_ec50,
                   math.log10(predicted), math.log10(1.5), hill.log10_ec50_se, "log10 µM"),
    ]
    notes = (f"Endplate of 10 release sites ({ctl['quanta_sync'].mean():.1f} quanta per impulse; "
             f"the full 50-site endplate costs ~5 times more per run), {n_rep} paired replicates. "
             f"Control EPC decay {ctl['psc_decay_ms'].mean():.2f} ms, with {label} (97 % of AChE "
             f"bound) {neo['psc_decay_ms'].mean():.2f} ms: x{ratio:.2f}; inward charge "
             f"x{(neo['psc_charge_pC'].mean() / ctl['psc_charge_pC'].mean()):.2f}, peak "
             f"x{(neo['psc_peak_pA'].mean() / ctl['psc_peak_pA'].mean()):.2f}. From memory (not "
             f"verified in a text) the classical frog and rat measurements give 2-3-fold; in the "
             f"model the factor grows with the dose and with the quantal content (more ACh for the "
             f"remaining AChE), so only 'several-fold' (≥ 2) is checked. The "
             f"control decay itself ({ctl['psc_decay_ms'].mean():.1f} ms) is longer than the ~1 ms "
             f"usually recalled for mammalian endplate currents at room temperature (recollection; "
             f"not a check of this case). Cheng-Prusoff: Hill fit to the steady-state activity of "
             f"20 AChE at {CP_ACH_UM:g} µM ACh (Km {ache.km_uM:.1f} µM), IC50 {hill.ec50_uM:.4f} µM "
             f"(slope {hill.slope:.2f}) against {predicted:.4f} µM "
             f"({hill.ec50_uM / predicted - 1:+.1%}).")
    band = cmp.trace_band("current_pA")
    doses = np.array(CP_DOSES_UM)

    def figure(ax) -> None:
        for i, (name, g) in enumerate(band.groupby("condition", observed=True)):
            m = g["mean"].to_numpy()
            ax.plot(g["t_ms"], m / np.abs(m).max(), color=f"C{i}", label=name)
        ax.axhline(-math.exp(-1), color="0.6", lw=0.8, ls=":", label="1/e of peak")
        ax.set_xlabel("t (ms); impulse at 1 ms")
        ax.set_ylabel("EPC / |peak| at -80 mV")
        ax.set_title(f"AChE-EPC: decay x{ratio:.1f} with {label} (published: several-fold)",
                     fontsize="medium")
        ax.legend(fontsize=7, loc="upper right")
        ins = ax.inset_axes([0.55, 0.1, 0.4, 0.28])
        x = np.where(doses > 0, doses, doses[1] / 10)
        ins.semilogx(x, act, "o", ms=3, color="C2")
        ins.axvline(hill.ec50_uM, color="C2", lw=2, alpha=0.5)
        ins.axvline(predicted, color="k", lw=0.8, ls="--")
        ins.set_title("AChE activity vs inhibitor (µM): IC50 fit (green), Cheng-Prusoff (--)",
                      fontsize=6)
        ins.tick_params(labelsize=6)

    return Outcome(checks, figure, notes)


register(Case(
    id="AChE-EPC",
    title="Endplate currents with and without acetylcholinesterase inhibition",
    preparation="se.presets.neuromuscular() with 10 release sites (rat diaphragm endplate: "
                "9000 ACh per vesicle, 5e5 nicotinic receptors and 1.5e5 AChE in one lumped 50 µm² "
                "cleft, clamped at -80 mV); for the IC50, 20 AChE alone with ACh clamped.",
    protocol="One impulse at 1 ms, 40 ms runs on a 0.05 ms grid, control against neostigmine 1 µM "
             "(library drug: competitive, apparent Ki 0.03 µM, bath-equilibrated), paired "
             "replicates on common seeds. Enzyme assay: steady-state AChE activity at 100 µM ACh "
             "with a competitive inhibitor (Ki 0.03 µM) at 0-3 µM, Hill fit.",
    quantity="EPC decay (peak to 1/e) and inward charge: paired differences and the decay ratio; "
             "IC50 of the enzyme assay.",
    published="Anticholinesterases prolong the endplate current several-fold and increase the "
              "transmitter action (charge); a competitive inhibitor's IC50 = Ki(1 + [S]/Km).",
    source="Qualitative, verified: the active phase of the frog endplate current is lengthened by "
           "eserine (Takeuchi & Takeuchi 1959, J Neurophysiol 22:395, 'Active phase of frog's "
           "end-plate potential'; abstract verified, citation details recollection); MEPCs of "
           "AChE-deficient human endplates decay slowly (Engel et al., Fig. 1 of PMC3050586). "
           "Several-fold prolongation by neostigmine: Magleby & Stevens 1972 J Physiol 223:151 and "
           "Katz & Miledi 1973 J Physiol 231:549 (recollection, not verified). IC50: Cheng & "
           "Prusoff 1973 Biochem Pharmacol 22:3099 (analytic).",
    tolerance="Direction: paired 95 % t interval above 0 (one-sided, 1 = yes). 'Several-fold': "
              "mean decay ratio ≥ 2 within 3 SEM. IC50: within a factor 1.5 (log10 ± 0.176, as in "
              "the project's test) or 3 SE of the fit; the enzyme is exact, the factor allows for "
              "the Hill fit to 8 noisy doses.",
    run=run_ache_epc,
))


# -- BONT --------------------------------------------------------------------------------------
BONT_UM, BONT_ON_MS = 0.005, 2000.0
RATE_HZ, N_SPIKES, FIRST_MS = 2.0, 20, 250.0
HEMIDIAPHRAGM_UM, HEMIDIAPHRAGM_T_HALF_MIN = 3.3e-6, 51.0


@dataclass(frozen=True)
class _SpikeSeries:
    summary: dict[str, Any]
    traces: pd.DataFrame


@dataclass(frozen=True)
class QuantaPerSpike(se.SynapseModel):
    """A SynapseModel reduced in the worker to quanta per spike (traces: one row per spike)
    and the cleavage count and site-time at risk after the toxin's application."""

    @property
    def default_trace_columns(self) -> tuple[str, ...]:
        return ("quanta",)

    def run(self, interventions: Sequence[Any], seed: np.random.SeedSequence) -> _SpikeSeries:
        res = super().run(interventions, seed)
        cut = res.events.loc[res.events["kind"] == "cleavage", "t_ms"].to_numpy(float)
        n_sites = self.synapse.vesicles.n_sites
        at_risk = float((cut - BONT_ON_MS).sum()
                        + (n_sites - cut.size) * (self.t_end_ms - BONT_ON_MS))
        return _SpikeSeries({"sites_cleaved": int(cut.size), "site_ms_at_risk": at_risk},
                            pd.DataFrame({"t_ms": np.asarray(res.spikes_ms, float),
                                          "quanta": res.quanta_per_spike().astype(float)}))


def _decay_rate(u: np.ndarray, control: np.ndarray, toxin: np.ndarray) -> float:
    """λ solving Σ u·(T − C·e^(−λu)) = 0 (unbiased when E[T] = E[C]·e^(−λu)); quanta summed over
    replicates per spike. NaN if the toxin arm is not below control."""
    rhs = float((u * toxin).sum())
    if rhs >= float((u * control).sum()) or rhs <= 0:
        return float("nan")
    f = lambda lam: float((u * control * np.exp(-lam * u)).sum()) - rhs  # noqa: E731
    hi = 1.0 / u[u > 0].min()
    while f(hi) > 0:
        hi *= 4.0
    return brentq(f, 0.0, hi, xtol=1e-14, rtol=1e-12)


def run_bont(fast: bool) -> Outcome:
    n_rep, n_boot = (40, 500) if fast else (160, 2000)
    t_end = FIRST_MS + (N_SPIKES - 1) * 1000.0 / RATE_HZ + 500.0
    model = QuantaPerSpike(_release_only(), se.regular(RATE_HZ, N_SPIKES, start_ms=FIRST_MS),
                           t_end_ms=t_end, trace_dt_ms=50.0)
    toxin = se.drug("BoNT/A", BONT_UM, se.Schedule(start_ms=BONT_ON_MS))
    k_cleave = toxin.interventions()[0].k_cleave_per_uM_per_ms
    lam = k_cleave * BONT_UM
    with executor() as pool:
        cmp = se.compare(model, {"control": [], "BoNT/A": [toxin]}, n_replicates=n_rep,
                         seed=SEED + 20, executor=pool, metrics=["sites_cleaved", "site_ms_at_risk"])
    wide = cmp.traces.pivot_table(index=["condition", "replicate"], columns="t_ms", values="quanta",
                                  observed=True)
    t_spk = wide.columns.to_numpy(float)
    q_c, q_t = wide.loc["control"].to_numpy(), wide.loc["BoNT/A"].to_numpy()
    post = t_spk >= BONT_ON_MS
    u = t_spk[post] - BONT_ON_MS
    lam_hat = _decay_rate(u, q_c[:, post].sum(0), q_t[:, post].sum(0))
    rng = np.random.default_rng(SEED)  # resampling only
    boot = []
    for _ in range(n_boot):
        i = rng.integers(0, n_rep, n_rep)
        boot.append(_decay_rate(u, q_c[i][:, post].sum(0), q_t[i][:, post].sum(0)))
    lam_se = float(np.nanstd(boot, ddof=1))
    tox = cmp.table[cmp.table["condition"] == "BoNT/A"]
    n_cut = int(tox["sites_cleaved"].sum())
    lam_sites = n_cut / float(tox["site_ms_at_risk"].sum())
    t_half_min = math.log(2) / (k_cleave * HEMIDIAPHRAGM_UM) / 60000.0
    checks = [
        stat_check("decay constant of quanta per impulse, toxin / control, fitted", lam_hat * 1e3,
                   lam * 1e3, 0.02 * lam * 1e3, lam_se * 1e3, "1/s"),
        stat_check("cleavage hazard from the cleavage events (cleaved / site-time at risk)",
                   lam_sites * 1e3, lam * 1e3, 0.02 * lam * 1e3,
                   lam_sites / math.sqrt(n_cut) * 1e3, "1/s"),
        Check("site half-life ln2/(k_cleave·[T]) at 3.3 pM (analytic check of the library constant)",
              t_half_min, HEMIDIAPHRAGM_T_HALF_MIN, 0.01 * HEMIDIAPHRAGM_T_HALF_MIN, "min"),
    ]
    ratio = q_t.sum(0) / np.where(q_c.sum(0) > 0, q_c.sum(0), np.nan)
    notes = (f"{n_rep} paired replicates; 20 impulses at 2 Hz from 250 ms on the release-only "
             f"endplate; BoNT/A {BONT_UM * 1e3:g} nM from {BONT_ON_MS:g} ms. The concentration is "
             f"~1500 x the hemidiaphragm's 3.3 pM so that a site's half-life is "
             f"{math.log(2) / lam / 1e3:.2f} s instead of 51 min; the hazard is linear in [T], so only "
             f"the time axis is rescaled. The expected curve is the control's own mean at each "
             f"impulse (the pool depresses from ~42 to a few quanta at 2 Hz) times "
             f"exp(-k[T](t - t_on)); this factorisation is exact because a site's cleavage time does "
             f"not depend on its release history. Fitted λ {lam_hat * 1e3:.4f} ± {lam_se * 1e3:.4f} /s "
             f"(bootstrap SE), from {n_cut} cleavages {lam_sites * 1e3:.4f} /s, expected "
             f"{lam * 1e3:.4f} /s. The site half-life check only confirms that the library's k_cleave "
             f"({k_cleave} /µM/ms) encodes the published 51 min at 3.3 pM, from which it was "
             f"derived; the model has no latent period and silences a cleaved site completely "
             f"(measured residual release is a few per cent).")

    def figure(ax) -> None:
        tt = np.linspace(BONT_ON_MS, t_spk[-1], 200)
        ax.semilogy(t_spk / 1e3, ratio, "o", color="C0", label="simulated: toxin / control quanta")
        ax.semilogy(tt / 1e3, np.exp(-lam * (tt - BONT_ON_MS)), "k--",
                    label=f"expected exp(-k[T](t - t_on)), {lam * 1e3:.3f} /s")
        if math.isfinite(lam_hat):
            ax.semilogy(tt / 1e3, np.exp(-lam_hat * (tt - BONT_ON_MS)), "-", color="C3",
                        label=f"fitted {lam_hat * 1e3:.3f} ± {lam_se * 1e3:.3f} /s")
        ax.axvline(BONT_ON_MS / 1e3, color="0.5", ls=":", lw=1)
        ax.set_xlabel("t (s); toxin from 2 s")
        ax.set_ylabel("fraction of control quanta")
        ax.set_title(f"BONT: site t1/2 at 3.3 pM = {t_half_min:.1f} min (published 51 min)",
                     fontsize="medium")
        ax.legend(fontsize=7, loc="lower left")

    return Outcome(checks, figure, notes)


register(Case(
    id="BONT",
    title="Botulinum toxin A: progressive loss of quanta",
    preparation="se.presets.neuromuscular() reduced to its release machinery (50 sites, p ≈ 0.85, "
                "refilling ~4.5 s; one molecule per vesicle, no receptors or AChE); BoNT/A from the "
                "drug library (release blocker cleaving each site at k_cleave·[T], k_cleave 0.0686 "
                "/µM/ms).",
    protocol="20 impulses at 2 Hz from 250 ms, 10.25 s runs; BoNT/A 5 nM as a step from 2 s; control "
             "and toxin on common seeds (fast: 40 pairs, full: 160).",
    quantity="Decay constant λ of quanta per impulse (toxin / control, Poisson estimating equation "
             "over impulses after the application); the hazard from the cleavage events; the "
             "site half-life at the hemidiaphragm concentration.",
    published="Quanta fall as exp(-k[T](t - t_on)) times the control's own course (exact for "
              "independently cleaved sites), with k[T] = 3.43e-4 /ms at 5 nM; hemidiaphragm "
              "paralysis half-time 51 min at 500 pg/mL (3.3 pM).",
    source="Toxins 2015 7(12):4895-4905 (doi 10.3390/toxins7124855), Fig. 1: mouse phrenic "
           "nerve-hemidiaphragm, 500 pg/mL BoNT/A, paralysis t1/2 = 51 min after a latent period "
           "(figure legend verified). The exponential law follows from the independent-site "
           "hazard (docs/pharmacology/release_blockers.md).",
    tolerance="λ and the event hazard: 2 % (an exact expectation, so effectively 3 SE: bootstrap "
              "over replicates, and λ/√cleavages). Half-life: 1 % (analytic).",
    run=run_bont,
))
