"""Validation cases of uptake block beyond cocaine: SSRI (serotonin clearance under citalopram,
and its selectivity against DAT) and GLU-BLOCK (glutamate-transporter block at a CA1 synapse).

Registered on import (imported by :mod:`.cases_clearance`).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

import synevent as se

from ..studies.statistics import paired_difference
from ._casekit import direction_check, executor, paired_ratio, stat_check
from .registry import Case, Outcome, register

__all__: list[str] = []

SEED = 20260709
SSRI = "citalopram"
FOLD_KD = 10.0
DAT_LEVELS_UM = (0.05, 0.2, 1.0)


def _ki(drug: str, target: str) -> float:
    return next(a.params["ki_uM"] for a in se.DRUGS[drug].actions if a.target == target)


def _mm_t50_ms(c0_uM: float, km_uM: float, vmax_uM_per_s: float) -> float:
    """Integrated Michaelis-Menten time for a bolus to fall to half."""
    return 1000.0 * (km_uM * math.log(2) + c0_uM / 2) / vmax_uM_per_s


# -- SSRI --------------------------------------------------------------------------------------
def run_ssri(fast: bool) -> Outcome:
    n_rep = 8 if fast else 30
    conc = FOLD_KD * _ki(SSRI, "SERT")
    label = f"{SSRI} {conc * 1e3:.3g} nM"
    conds = {"control": [], label: [se.drug(SSRI, conc)]}
    ht = se.VolumeModel(se.serotonin_volume(terminal_density_per_um3=0.0), None, t_end_ms=30000.0,
                        trace_dt_ms=10.0, initial_uM=1.0)
    da = se.VolumeModel(se.striatum_dopamine(terminal_density_per_um3=0.0), None, t_end_ms=300.0,
                        trace_dt_ms=0.1, initial_uM=1.0)
    dat = dataclasses.replace(se.presets.dopaminergic().transporters[0], n=2000)
    with executor() as pool:
        jobs = [(dat, DAT_LEVELS_UM, dict(seed=SEED)),
                (dat, DAT_LEVELS_UM, dict(seed=SEED, interventions=[se.drug(SSRI, conc)]))]
        flux = [pool.submit(se.steady_state_flux, a, b, **kw) if pool else
                se.steady_state_flux(a, b, **kw) for a, b, kw in jobs]
        c_ht = se.compare(ht, conds, n_replicates=n_rep, seed=SEED + 1, executor=pool,
                          metrics=["clearance_t50_ms"], trace_columns=["HT_free_uM"],
                          trace_every_ms=100.0)
        c_da = se.compare(da, conds, n_replicates=n_rep, seed=SEED + 2, executor=pool,
                          metrics=["clearance_t50_ms"], trace_columns=["DA_free_uM"],
                          trace_every_ms=1.0)
        f_ctl, f_ssri = (f.result() if pool else f for f in flux)

    def arm(cmp, name):
        t = cmp.table
        return t.loc[t["condition"] == name, "clearance_t50_ms"].to_numpy(float)

    chk_ht, d_ht = direction_check(f"5-HT bolus t50, {label} - control", arm(c_ht, label),
                                   arm(c_ht, "control"), "ms")
    r_da, r_da_se, n_da = paired_ratio(arm(c_da, label), arm(c_da, "control"))
    change = f_ssri["flux_per_ms"] / f_ctl["flux_per_ms"] - 1
    change_se = (1 + change) * np.hypot(f_ssri["sem_per_ms"] / f_ssri["flux_per_ms"],
                                        f_ctl["sem_per_ms"] / f_ctl["flux_per_ms"])
    j = int(np.argmax(np.abs(change)))
    checks = [
        chk_ht,
        stat_check(f"DA bolus t50 change with {label} (DAT selectivity)", 100 * (r_da - 1), 0.0,
                   5.0, 100 * r_da_se, "%"),
        stat_check(f"DAT steady-state flux change with {label}, largest of "
                   f"{len(DAT_LEVELS_UM)} levels (at {DAT_LEVELS_UM[j]:g} µM)", 100 * change[j],
                   0.0, 5.0, 100 * change_se[j], "%"),
    ]
    sert = ht.params
    occ = conc / (conc + _ki(SSRI, "SERT"))
    lim_eq = _mm_t50_ms(1.0, sert.km_uM * (1 + conc / _ki(SSRI, "SERT")), sert.vmax_uM_per_s)
    lim_slow = _mm_t50_ms(1.0, sert.km_uM, sert.vmax_uM_per_s * (1 - occ))
    t_ctl, t_ssri = arm(c_ht, "control").mean(), arm(c_ht, label).mean()
    notes = (f"{n_rep} paired replicates per comparison. 1 µM 5-HT bolus: t50 {t_ctl / 1e3:.2f} s → "
             f"{t_ssri / 1e3:.2f} s (x{t_ssri / t_ctl:.1f}). Expected between two Michaelis-Menten "
             f"limits: {lim_eq / 1e3:.1f} s if citalopram bound and unbound at equilibrium (Km x "
             f"{1 + conc / _ki(SSRI, 'SERT'):.0f}) and {lim_slow / 1e3:.1f} s if the {occ:.0%} of SERT "
             f"bound at t = 0 stayed bound (its koff is 0.012 /s); the control itself (MM "
             f"{_mm_t50_ms(1.0, sert.km_uM, sert.vmax_uM_per_s) / 1e3:.2f} s) is faster than MM "
             f"because of the uptake burst. DA bolus t50 {arm(c_da, 'control').mean():.1f} → "
             f"{arm(c_da, label).mean():.1f} ms ({100 * (r_da - 1):+.2f} %, n = {n_da}); DAT "
             f"occupancy at {conc * 1e3:.3g} nM is {conc / (conc + _ki(SSRI, 'DAT')):.2%} "
             f"(Kd 28.1 µM). DAT flux change at {', '.join(f'{s:g}' for s in DAT_LEVELS_UM)} µM: "
             + ", ".join(f"{100 * c:+.2f} %" for c in change) + " (2000 DAT, same seed).")
    b_ht, b_da = c_ht.trace_band("HT_free_uM"), c_da.trace_band("DA_free_uM")

    def figure(ax) -> None:
        for i, (name, g) in enumerate(b_ht.groupby("condition", observed=True)):
            ax.plot(g["t_ms"] / 1e3, g["mean"], color=f"C{i}", label=f"5-HT, {name}")
        ax.axhline(0.5, color="0.6", lw=0.8, ls=":")
        ax.set_xlabel("time after a 1 µM bolus (s)")
        ax.set_ylabel("free 5-HT (µM)")
        ax.legend(fontsize=7, loc="lower left")
        ax.set_title(f"SSRI: {label} slows 5-HT clearance (x{t_ssri / t_ctl:.1f}), "
                     f"DA t50 {100 * (r_da - 1):+.1f} %", fontsize="medium")
        ins = ax.inset_axes([0.55, 0.5, 0.42, 0.45])
        for i, (name, g) in enumerate(b_da.groupby("condition", observed=True)):
            ins.plot(g["t_ms"], g["mean"], color=f"C{i}", lw=1, ls="-" if i == 0 else "--")
        ins.set_title("DA bolus, DAT (ms)", fontsize=7)
        ins.tick_params(labelsize=6)

    return Outcome(checks, figure, notes)


register(Case(
    id="SSRI",
    title="Serotonin clearance under an SSRI, and its selectivity against DAT",
    preparation="se.serotonin_volume() without release sites (1000 µm³, SERT cycle Km 0.17 µM at "
                "Vmax 0.39 µM/s); se.striatum_dopamine() without release sites (DAT, Km 0.22 µM, "
                "Vmax 4.1 µM/s); 2000 DAT alone for the flux assay. Citalopram from the drug library "
                "(competitive; Kd 1.16 nM at SERT, 28.1 µM at DAT), bath-equilibrated.",
    protocol="Citalopram at 10 x its SERT Kd (11.6 nM) against control, paired replicates on common "
             "seeds: a 1 µM 5-HT bolus followed for 30 s; a 1 µM dopamine bolus followed for 300 ms "
             "on a 0.1 ms grid; DAT steady-state flux at 0.05, 0.2 and 1 µM dopamine.",
    quantity="Paired difference of the 5-HT bolus half-time; % change of the dopamine bolus "
             "half-time; % change of the DAT flux (largest of the three levels).",
    published="SSRIs (citalopram, fluvoxamine; fluoxetine, zimelidine) prolong the clearance of "
              "exogenous 5-HT in vivo; at 10 x its SERT Kd citalopram occupies 0.04 % of DAT, so "
              "dopamine clearance should change by far less than 5 %.",
    source="'Serotonin transporter function in vivo: assessment by chronoamperometry', Ann N Y Acad "
           "Sci 1998, pp. 217-229 (abstract verified: local citalopram and fluvoxamine prolonged "
           "the clearance of exogenous 5-HT in dentate gyrus and CA3; authors not checked); J Neural "
           "Transm 1997 104:379-397 (abstract verified: fluoxetine or zimelidine increased 5-HT "
           "clearance times in rat striatum). SERT Km and Vmax: Bunin & Wightman 1998 J Neurosci "
           "18:4854 via public model code (secondary, as in docs/pharmacology). Kd values: Tatsumi "
           "et al. 1997 Eur J Pharmacol 340:249 (verified table).",
    tolerance="Direction: the paired 95 % t interval must lie above 0 (one-sided claim, 1 = yes). "
              "Selectivity: |change| ≤ 5 % (the brief's criterion of 'spared'; 100 x the predicted "
              "+0.04 %) or 3 SE of the change.",
    run=run_ssri,
))


# -- GLU-BLOCK --------------------------------------------------------------------------------
GLU_TAU_PROLONGATION_PCT = (20.0, 40.0)  # Diamond & Jahr 1997
EPSC_DECAY_CHANGE_PCT = 20.0  # "little effect" read as < 20 %
METRICS = ["quanta_sync", "clearance_tau_ms", "psc_decay_ms", "psc_charge_pC", "peak_free_uM"]


def run_glu_block(fast: bool) -> Outcome:
    n_rep = 150 if fast else 600
    model = se.SynapseModel(se.presets.glutamatergic(), se.regular(20.0, 1, start_ms=1.0),
                            t_end_ms=40.0, trace_dt_ms=0.02)
    blockers = {"TBOA 100 µM": [se.drug("TBOA", 100.0)],
                "EAAT2 knockout": [se.Knockout(target="EAAT2")]}
    with executor() as pool:
        cmp = se.compare(model, {"control": [], **blockers}, n_replicates=n_rep, seed=SEED + 3,
                         executor=pool, metrics=METRICS, trace_columns=())
    tab = cmp.table.copy()
    tab.loc[tab["quanta_sync"] == 0, METRICS[1:]] = np.nan  # a failure has no transient to time
    ctl = tab[tab["condition"] == "control"]
    lo, hi = GLU_TAU_PROLONGATION_PCT
    checks, bars, lines = [], [], []
    for name in blockers:
        g = tab[tab["condition"] == name]
        r_glu, se_glu, n_glu = paired_ratio(g["clearance_tau_ms"], ctl["clearance_tau_ms"])
        r_epsc, se_epsc, _ = paired_ratio(g["psc_decay_ms"], ctl["psc_decay_ms"])
        r_q, _, _ = paired_ratio(-g["psc_charge_pC"], -ctl["psc_charge_pC"])
        checks.append(stat_check(f"{name}: prolongation of the cleft glutamate decay (peak to 1/e)",
                                 100 * (r_glu - 1), (lo + hi) / 2, (hi - lo) / 2, 100 * se_glu, "%"))
        checks.append(stat_check(f"{name}: change of the EPSC decay (peak to 1/e, -70 mV)",
                                 100 * (r_epsc - 1), 0.0, EPSC_DECAY_CHANGE_PCT, 100 * se_epsc, "%"))
        bars.append((name, 100 * (r_glu - 1), 100 * se_glu, 100 * (r_epsc - 1), 100 * se_epsc))
        d_glu = paired_difference(g["clearance_tau_ms"].to_numpy(float),
                                  ctl["clearance_tau_ms"].to_numpy(float))
        lines.append(f"{name}: glutamate decay {ctl['clearance_tau_ms'].mean():.3f} → "
                     f"{g['clearance_tau_ms'].mean():.3f} ms (paired difference 95 % CI "
                     f"[{d_glu.ci_low:+.3f}, {d_glu.ci_high:+.3f}] ms, {n_glu} pairs with release in "
                     f"both), EPSC decay {100 * (r_epsc - 1):+.1f} ± {100 * se_epsc:.1f} % (SE), "
                     f"inward charge {100 * (r_q - 1):+.1f} %, free peak "
                     f"{100 * (paired_ratio(g['peak_free_uM'], ctl['peak_free_uM'])[0] - 1):+.1f} %")
    n_rel = int((ctl["quanta_sync"] > 0).sum())
    notes = (f"One spike, {n_rep} replicates per condition on common seeds, {n_rel} of them with "
             "release; failures are left out. " + "; ".join(lines) + ". The knockout changes no "
             "random draw before the first binding, so its release is paired exactly; TBOA's "
             "binding reactions draw on the run's stream. The preset's cleft loses glutamate by "
             "escape (0.6 /ms) as well as to its 600 EAAT2, so transporters mainly buffer. "
             "Arnth-Jensen, Jabaudon & Scanziani 2002 Nat Neurosci 5:325 (abstract verified) show "
             "that uptake controls cooperation between neighbouring synapses (spillover); a single "
             "synapse without neighbours cannot show that, and it is not compared.")

    def figure(ax) -> None:
        x = np.arange(len(bars))
        ax.axhspan(lo, hi, color="C0", alpha=0.15, label=f"glutamate decay, published {lo:g}-{hi:g} %")
        ax.axhspan(-EPSC_DECAY_CHANGE_PCT, EPSC_DECAY_CHANGE_PCT, color="C1", alpha=0.1,
                   label=f"EPSC decay, 'little effect' (±{EPSC_DECAY_CHANGE_PCT:g} %)")
        ax.errorbar(x - 0.1, [b[1] for b in bars], yerr=[3 * b[2] for b in bars], fmt="o",
                    color="C0", label="simulated glutamate decay (± 3 SE)")
        ax.errorbar(x + 0.1, [b[3] for b in bars], yerr=[3 * b[4] for b in bars], fmt="s",
                    color="C1", label="simulated EPSC decay (± 3 SE)")
        ax.axhline(0.0, color="k", lw=0.6)
        ax.set_xticks(x, [b[0] for b in bars])
        ax.set_xlim(-0.6, len(bars) - 0.4)
        ax.set_ylabel("change against control (%)")
        ax.legend(fontsize=7, loc="upper right")

    return Outcome(checks, figure, notes)


register(Case(
    id="GLU-BLOCK",
    title="Glutamate-transporter block at a CA1 synapse (TBOA, EAAT2 knockout)",
    preparation="se.presets.glutamatergic(): one CA3→CA1 active zone (low release probability), "
                "3000 glutamate per vesicle into a 150 nm x 20 nm cleft with first-order escape "
                "(0.6 /ms), 600 EAAT2, 80 AMPA + 20 NMDA receptors, -70 mV, 1 mM Mg²⁺.",
    protocol="One spike at 1 ms, 40 ms runs on a 0.02 ms grid; control, TBOA 100 µM "
             "(bath-equilibrated; 95 % of EAAT2 bound) and an EAAT2 knockout, replicate r of every "
             "condition on the same seed; runs without release are left out.",
    quantity="Relative prolongation of the free-glutamate decay in the cleft (peak to 1/e) and "
             "relative change of the EPSC decay (peak to 1/e), blocker against control (ratio of "
             "means over replicates with release in both).",
    published="Blocking transporters (THA or Li⁺) slows the cleft glutamate transient: the "
              "slower phase of a two-component transient by about 20 %, or a single component by "
              "almost 40 %; blocking uptake has little effect on the duration of the non-NMDA EPSC "
              "at low-frequency stimulation of hippocampal pyramidal cells.",
    source="Diamond & Jahr 1997 J Neurosci 17:4672-4687 (abstract verified; rat CA1 neurons "
           "cultured on glial microislands; the 20 %/40 % come from their receptor-model fit to "
           "mEPSCs in kynurenate). 'Little effect': Hestrin et al. 1990 and Sarantis et al. 1993 as "
           "summarised by Auger & Attwell 2000 Neuron 28:547 (introduction verified; primary "
           "papers not checked).",
    tolerance="Glutamate decay: the published 20-40 % (30 ± 10 %) or 3 SE. EPSC decay: 'little "
              "effect' read as |change| ≤ 20 %, the smallest change whole-cell recordings of a few "
              "cells (EPSC decay CV ~20-30 %) would resolve, or 3 SE.",
    run=run_glu_block,
))
