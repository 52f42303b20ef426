"""Validation case GABAB-GIRK: the slow GABA-B IPSC (time course and its need for bursts).

The library's GABA-B receptor set (:func:`~synevent.postsynaptic.gpcr_library.gabab_girk`,
defaults) is added to two GABAergic terminals and driven by 1, 2, 4 and 10 spikes at 100 Hz
in independent exact runs. Per run the open GIRK channels are sampled every millisecond for
1 s from the first spike; the measured current at a fixed holding potential is this count
times the single-channel conductance (a voltage-clamp IPSC, as in the hippocampal data).
Compared are the time to peak of the mean response to one spike and the growth of the mean peak
with the number of spikes. Registered on import (imported by :mod:`.cases`).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Sequence

import numpy as np

import synevent as se

from ..postsynaptic.gpcr_library import DESTEXHE_GABAB, gabab_girk
from ._casekit import at_least_check, bootstrap, crossing_ms, executor, stat_check
from .registry import Case, Outcome, register

__all__: list[str] = []

SEED = 20261122
SPIKES = (1, 2, 4, 10)
RATE_HZ, START_MS, WINDOW_MS, DT_MS, SMOOTH_MS = 100.0, 5.0, 1000.0, 1.0, 9
V_HOLD_MV = -50.0
PREPS = ("preset", "example")

# Time to peak of the GABA-B IPSC: 100 ms for the hippocampal IPSC (Destexhe's gabab.mod: "peak at
# 100 ms; time course fit to Tom Otis' PSC", Otis, De Koninck & Mody 1993), about 150 ms for a
# thalamic GABA-B IPSC at 33 °C (peak of the template in the Huguenard lab's gabab_m3ha.mod,
# "kinetics reflect the measurements of Mark Beenhakker"; computed from its constants below).
T_PEAK_RANGE_MS = (100.0, 150.0)
# gabab_m3ha.mod (33 °C): g ∝ (1 - e^(-t/52))^8 · (0.952 e^(-t/90.1) + 0.048 e^(-t/1073.2)).
M3HA = (52.0, 8, 0.952, 90.1, 1073.2)
EXPOSURE_NOTE = 0.034  # docs/background/metabotropic.md: Destexhe's pulse / one vesicle's exposure


def _synapse(prep: str, exposure: float = 1.0) -> se.SynapseParams:
    """``preset``: the gabaergic preset as it is (one release site); ``example``: the terminal of
    the metabotropic background page (20 sites, fast replenishment). Both with gabab_girk()."""
    m = (gabab_girk(exposure=exposure),)
    if prep == "preset":
        return se.presets.gabaergic(metabotropic=m, v_hold_mV=V_HOLD_MV)
    return se.presets.gabaergic(
        vesicles={"n_sites": 20, "k_dock_per_ms": 0.05, "k_prime_per_ms": 0.5, "n_reserve": 2000},
        metabotropic=m, v_hold_mV=V_HOLD_MV)


def _runs(prep: str, n_spikes: int, exposure: float,
          seeds: Sequence[np.random.SeedSequence]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Open GIRK channels from the first spike on (runs x samples), quanta per run, and the
    largest number of bound receptors per run (top level: pickled to the workers)."""
    syn = _synapse(prep, exposure)
    m = syn.metabotropic[0]
    k0, n_win = int(round(START_MS / DT_MS)), int(round(WINDOW_MS / DT_MS)) + 1
    train = se.regular(RATE_HZ, n_spikes, start_ms=START_MS)
    traces, quanta, bound = [], [], []
    for seed in seeds:
        r = se.simulate(syn, train, t_end_ms=START_MS + WINDOW_MS, seed=seed, trace_dt_ms=DT_MS)
        # NOTE: Result.count reads two species on the grid; Result.traces would build every
        # column (a third of the run time here).
        traces.append(np.asarray(r.count(m.girk_open), float)[k0:k0 + n_win])
        quanta.append(r.arrivals_n.size)
        bound.append(float(np.max(r.count(f"{m.name}.RT"))))
    return np.asarray(traces), np.asarray(quanta, float), np.asarray(bound)


def _extra_seed(i: int) -> np.random.SeedSequence:
    """Seeds of the full run's extra preparation, on a branch of their own (key 1000 + i) so
    that adding it left the seeds, and numbers, of every other check unchanged."""
    return np.random.SeedSequence(SEED, spawn_key=(1000 + i,))


def _smooth(x: np.ndarray) -> np.ndarray:
    """Running mean over SMOOTH_MS samples along the last axis (the peak of a mean of a few
    channels is otherwise decided by noise)."""
    k = np.ones(SMOOTH_MS) / SMOOTH_MS
    return np.apply_along_axis(lambda v: np.convolve(v, k, mode="same"), -1, x)


def _t_peak(mean_trace: np.ndarray) -> float:
    return float(np.argmax(_smooth(mean_trace)) * DT_MS)


def _peak(mean_trace: np.ndarray) -> float:
    return float(_smooth(mean_trace).max())


def _m3ha(t: np.ndarray) -> np.ndarray:
    tr, p, w, tf, ts = M3HA
    return (1 - np.exp(-t / tr)) ** p * (w * np.exp(-t / tf) + (1 - w) * np.exp(-t / ts))


def _se(stat, arrays: list[np.ndarray], n_boot: int, seed: np.random.SeedSequence) -> float:
    b = bootstrap(stat, arrays, n_boot, seed)
    b = b[np.isfinite(b)]
    return float(b.std(ddof=1)) if b.size > 1 else math.nan


def run_gabab(fast: bool) -> Outcome:
    n_rep = {"preset": 30, "example": 4} if fast else {"preset": 400, "example": 160}
    n_boot = 200 if fast else 1000
    root = np.random.SeedSequence(SEED)
    jobs = {}
    # NOTE: the fast run is serial: starting two workers (each imports synevent and builds its
    # kernels) takes longer than the few seconds of simulation it would share.
    with (contextlib.nullcontext(None) if fast else executor()) as pool:
        for prep, p_seq in zip(PREPS + ("exposure",), root.spawn(3)):
            if prep == "exposure" and fast:
                continue
            spikes = (1, 10) if prep == "exposure" else SPIKES
            for n, s_seq in zip(spikes, p_seq.spawn(len(spikes))):
                args = ("preset", n, EXPOSURE_NOTE, s_seq.spawn(n_rep["preset"] // 2)) \
                    if prep == "exposure" else (prep, n, 1.0, s_seq.spawn(n_rep[prep]))
                jobs[prep, n] = pool.submit(_runs, *args) if pool else _runs(*args)
        # The 20-site terminal at the same low exposure (full run only): it does not deplete,
        # so it tells saturation of the receptors from depletion of the preset's single site.
        if not fast:
            for n, s_seq in zip(SPIKES, _extra_seed(0).spawn(len(SPIKES))):
                args = ("example", n, EXPOSURE_NOTE, s_seq.spawn(n_rep["example"]))
                jobs["exposure-example", n] = pool.submit(_runs, *args)
        res = {k: (v.result() if pool else v) for k, v in jobs.items()}
    # The bootstrap resamplings draw from children of their own (the runs took root's first 3).
    boot = iter(root.spawn(2 * len(PREPS) * 3))
    gamma_nS = gabab_girk().girk.conductance_pS * 1e-3
    t = np.arange(next(iter(res.values()))[0].shape[1]) * DT_MS

    checks, notes, curves = [], [], {}
    seen: dict[str, dict] = {}  # per preparation, for the explanation below
    for prep in PREPS:
        tr = {n: res[prep, n][0] * gamma_nS for n in SPIKES}
        mean = {n: tr[n].mean(axis=0) for n in SPIKES}
        curves[prep] = mean
        tp1 = _t_peak(mean[1])
        tp1_se = _se(lambda a: _t_peak(a), [tr[1]], n_boot, next(boot))
        lo, hi = T_PEAK_RANGE_MS
        label = "gabaergic preset" if prep == "preset" else "20-site terminal"
        checks.append(stat_check(
            f"{label}: time to peak of the mean GIRK conductance after one spike "
            f"({tr[1].shape[0]} runs), against 100 ms (hippocampus) to 150 ms (thalamus)",
            tp1, (lo + hi) / 2, (hi - lo) / 2, tp1_se, "ms"))
        peaks = {n: _peak(mean[n]) for n in SPIKES}
        ratio_txt = []
        for n in (4, 10):
            r = peaks[n] / peaks[1] if peaks[1] > 0 else math.inf
            r_se = _se(lambda a, b: _peak(a) / _peak(b) if _peak(b) > 0 else math.nan,
                       [tr[n], tr[1]], n_boot, next(boot))
            checks.append(at_least_check(
                f"{label}: peak after {n} spikes / peak after 1 spike (more than linear "
                f"summation, i.e. at least {n})", r, r_se, float(n)))
            ratio_txt.append(f"{n} spikes / 1 spike {r:.2f} ± {r_se:.2f}")
        q = {n: res[prep, n][1].mean() for n in SPIKES}
        bound = {n: res[prep, n][2].mean() / gabab_girk().n for n in SPIKES}
        fail1 = float((res[prep, 1][0].max(axis=1) == 0).mean())
        seen[prep] = {"tp1": tp1, "q": q, "bound": bound, "per_q": {n: peaks[n] / q[n] for n in SPIKES}}
        k = int(np.argmax(_smooth(mean[10])))
        t_half10 = crossing_ms(t, _smooth(mean[10]), k, _smooth(mean[10])[k] / 2)
        notes.append(
            f"{label} ({tr[1].shape[0]} runs per train): quanta per train "
            + ", ".join(f"{n} spike{'s' if n > 1 else ''} {q[n]:.1f}" for n in SPIKES)
            + "; mean peak GIRK conductance "
            + ", ".join(f"{peaks[n] * 1e3:.1f} pS" for n in SPIKES)
            + f" ({'; '.join(ratio_txt)}); time to peak "
            + ", ".join(f"{_t_peak(mean[n]):.0f}" for n in SPIKES)
            + f" ms from the first spike (1 spike: {tp1:.0f} ± {tp1_se:.0f} ms, bootstrap SE); "
            f"largest bound fraction of the {gabab_girk().n} receptors "
            + ", ".join(f"{bound[n]:.2f}" for n in SPIKES)
            + "; peak per released quantum "
            + ", ".join(f"{peaks[n] * 1e3 / q[n]:.1f}" for n in SPIKES)
            + f" pS; {fail1:.0%} of single spikes open no GIRK channel; the response to 10 spikes "
            f"falls to half {t_half10:.0f} ms after the first spike.")
    if ("exposure", 1) in res:
        e1, e10 = (res["exposure", n][0].mean(axis=0) * gamma_nS for n in (1, 10))
        pe1, pe10 = _peak(e1), _peak(e10)
        eq1, eq10 = (res["exposure", n][1].mean() for n in (1, 10))
        notes.append(
            f"Reported, not tested (full run only): the gabaergic preset with exposure = "
            f"{EXPOSURE_NOTE} (the share of one vesicle's exposure that Destexhe's pulse gives; "
            f"docs/background/metabotropic.md): mean peak {pe1 * 1e3:.2f} pS after 1 spike and "
            f"{pe10 * 1e3:.2f} pS after 10 (ratio {pe10 / pe1 if pe1 > 0 else math.inf:.1f}), "
            f"with {eq1:.1f} and {eq10:.1f} quanta per train (ratio {eq10 / eq1:.1f}): about "
            f"proportional to the quanta, so at this exposure the preset sums linearly, and its "
            f"depleting single site, not saturation, limits the 10-spike response.")
    if ("exposure-example", 1) in res:
        ex = {n: res["exposure-example", n] for n in SPIKES}
        ex_tr = {n: ex[n][0] * gamma_nS for n in SPIKES}
        ex_mean = {n: ex_tr[n].mean(axis=0) for n in SPIKES}
        ex_peak = {n: _peak(ex_mean[n]) for n in SPIKES}
        ex_q = {n: ex[n][1].mean() for n in SPIKES}
        ratio = {n: ex_peak[n] / ex_peak[1] if ex_peak[1] > 0 else math.inf for n in (4, 10)}
        ratio_se = {n: _se(lambda a, b: _peak(a) / _peak(b) if _peak(b) > 0 else math.nan,
                           [ex_tr[n], ex_tr[1]], n_boot, _extra_seed(k)) for k, n in ((1, 4), (2, 10))}
        tp_se = _se(lambda a: _t_peak(a), [ex_tr[1]], n_boot, _extra_seed(3))
        notes.append(
            f"Reported, not tested (full run only): the 20-site terminal at exposure = "
            f"{EXPOSURE_NOTE} ({ex_tr[1].shape[0]} runs per train): mean peak "
            + ", ".join(f"{ex_peak[n] * 1e3:.2f}" for n in SPIKES)
            + f" pS after 1, 2, 4 and 10 spikes (4 spikes / 1 spike {ratio[4]:.2f} ± "
            f"{ratio_se[4]:.2f}, 10 / 1 {ratio[10]:.2f} ± {ratio_se[10]:.2f}, bootstrap SE), with "
            + ", ".join(f"{ex_q[n]:.1f}" for n in SPIKES)
            + f" quanta per train (ratios {ex_q[4] / ex_q[1]:.1f} and {ex_q[10] / ex_q[1]:.1f}); "
            f"largest bound fraction of the receptors "
            + ", ".join(f"{ex[n][2].mean() / gabab_girk().n:.2f}" for n in SPIKES)
            + f"; time to peak after one spike {_t_peak(ex_mean[1]):.0f} ± {tp_se:.0f} ms. "
            + ("The response grows less than the quanta released: the receptors still saturate "
               "at this exposure." if ratio[10] < ex_q[10] / ex_q[1] else
               "The response grows more than the quanta released.")
            + (" It passes both burst criteria at this exposure." if ratio[4] >= 4 and
               ratio[10] >= 10 else
               " It does not pass the burst criteria at this exposure either."))
    tm = _m3ha(t)
    t_m3ha = float(t[np.argmax(tm)])
    d = DESTEXHE_GABAB
    notes.append(
        f"Why the burst checks fail, as measured here: at exposure 1 the largest bound fraction "
        f"of the receptors after one spike averages {seen['preset']['bound'][1]:.0%} (preset, "
        f"failures included) and {seen['example']['bound'][1]:.0%} (20-site terminal), and a "
        f"bound receptor stays active for about "
        f"1/K2 = {1 / DESTEXHE_GABAB['K2_per_ms']:.0f} ms (K2 of gabab.mod), so later quanta find "
        f"them taken: the peak per released quantum falls from "
        f"{seen['example']['per_q'][1] * 1e3:.1f} to {seen['example']['per_q'][10] * 1e3:.2f} pS "
        f"from 1 to 10 spikes at the 20-site terminal, which does not deplete "
        f"({seen['example']['q'][10]:.1f} quanta in 10 spikes; the preset's single site releases "
        f"{seen['preset']['q'][10]:.1f}). The response saturates after one spike instead of "
        f"growing supralinearly. After one spike the preset peaks at "
        f"{seen['preset']['tp1']:.0f} ms and the 20-site terminal at "
        f"{seen['example']['tp1']:.0f} ms (range 100-150 ms). In Destexhe's reduced model a "
        f"{d['pulse_mM']:g} mM x {d['pulse_ms']:g} ms pulse binds "
        f"~{d['K1_per_mM_per_ms'] * d['pulse_mM'] * d['pulse_ms']:.2f} of the free receptors, "
        f"which keeps G small and the 4th power steep. "
        f"The thalamic template of gabab_m3ha.mod peaks at {t_m3ha:.0f} ms and falls to half at "
        f"{crossing_ms(t, tm, int(np.argmax(tm)), tm.max() / 2):.0f} ms (33 °C, secondary). "
        f"The GIRK unitary conductance of slow IPSCs in dentate granule cells is 5-13 pS "
        f"(De Koninck & Mody 1997, abstract); the library's 5 pS is at its lower end, which "
        f"scales amplitudes only and no check here. Nothing was tuned to this case.")

    def figure(ax) -> None:
        for j, n in enumerate(SPIKES):
            ax.plot(t, curves["preset"][n] * 1e3, color=f"C{j}",
                    label=f"{n} spike{'s' if n > 1 else ''}, gabaergic preset (sim)")
            ax.plot(t, curves["example"][n] * 1e3, color=f"C{j}", ls="--", lw=1,
                    label=f"{n} spike{'s' if n > 1 else ''}, 20-site terminal (sim)")
        top = max(c[n].max() for c in curves.values() for n in SPIKES) * 1e3
        ax.plot(t, tm / tm.max() * top, color="k", ls=":",
                label="thalamic GABA-B IPSC template, 33 °C (gabab_m3ha.mod), scaled")
        ax.axvspan(*T_PEAK_RANGE_MS, color="0.85", alpha=0.6,
                   label="published time to peak, 100-150 ms")
        ax.set_xlim(0, WINDOW_MS)
        ax.set_xlabel("time from the first spike (ms)")
        ax.set_ylabel("mean GIRK conductance (pS)")
        ax.legend(fontsize=5, loc="upper right")

    return Outcome(checks, figure, " ".join(notes))


register(Case(
    id="GABAB-GIRK",
    title="Slow GABA-B IPSC: time course and the need for bursts",
    preparation="se.presets.gabaergic(metabotropic=(gabab_girk(),), v_hold_mV=-50) (dentate "
                "granule-cell GABAergic synapse, 34.5 °C, one release site; 20 GABA-B receptors "
                "with Destexhe's reduced cascade, 2000 G-proteins, 20 GIRK channels of 5 pS, all "
                "in the well-mixed cleft, exposure 1); the same with the 20-site, fast-"
                "replenishing terminal of the metabotropic background page. No autoreceptor.",
    protocol="1, 2, 4 and 10 spikes at 100 Hz from 5 ms, independent exact runs (preset: fast 30, "
             "full 400 per train; 20-site terminal: fast 4, full 160); open GIRK channels sampled "
             "every 1 ms for 1 s from the first spike, averaged over runs (a 9 ms running mean "
             "locates the peak).",
    quantity="Time to peak of the mean GIRK conductance after one spike (from the spike); peak "
             "of the mean response to 4 and 10 spikes relative to one spike.",
    published="Time to peak about 100 ms (hippocampal GABA-B IPSC, the fit of Destexhe's model) "
              "to about 150 ms (thalamic GABA-B IPSC, 33 °C). The response grows more than "
              "linearly with the number of spikes: single spikes or tonic firing of one "
              "perigeniculate neuron evoke no GABA-B IPSP, prolonged bursts do; the GABA-B PSC is "
              "'much stronger with bursts' (nonlinear summation).",
    source="Destexhe's ModelDB gabab.mod and gabab3.mod (authors' model files, comments read in "
           "public copies, e.g. cnmodel/cnmodel nrnlibrary/mechanisms/gabab.mod: 'peak at 100 "
           "ms; time course fit to Tom Otis' PSC', 'SUMMATION (psc is much stronger with "
           "bursts)', fitted to GABA-B IPSCs of rat hippocampal slices, Otis, De Koninck & Mody "
           "1993 J Physiol 463:391; verified as model-file statements, the paper itself not "
           "read). Kim, Sanchez-Vives & McCormick 1997 Science 278:130 (PubMed abstract, "
           "verified: single ferret perigeniculate neurons; tonic discharge gives GABA-A IPSPs, "
           "burst firing large GABA-A IPSPs, prolonged burst firing GABA-A and GABA-B IPSPs). "
           "Huguenard lab gabab_m3ha.mod (public model code, 'kinetics reflect the measurements "
           "of Mark Beenhakker', 33 °C; secondary: the 150 ms peak is computed from its "
           "constants).",
    tolerance="Time to peak: half the published range (±25 ms around 125 ms) or 3 bootstrap SE of "
              "the run; the two values come from different preparations and stimuli not read "
              "in detail. Nonlinearity: linear summation of N responses gives at most N times "
              "the single-spike peak, so 'nonlinear, much stronger with bursts' is read as a "
              "ratio of at least N (the weakest form of the claim), passing when ratio + 3 "
              "bootstrap SE ≥ N.",
    run=run_gabab,
))
