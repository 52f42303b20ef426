"""Validation case GABAB-GIRK: the slow GABA-B IPSC (time course and its need for bursts).

The library's GABA-B receptor set (:func:`~synevent.postsynaptic.gpcr_library.gabab_girk`) is
tested placed perisynaptically on a 20-site GABAergic terminal: its ``exposure`` gives the
receptors Destexhe's pulse once per spike. The same set in the cleft (defaults), at other
exposures and with more receptors is reported. Each is driven by 1, 2, 4 and 10 spikes at
100 Hz in independent exact runs. Per run the open GIRK channels are sampled every millisecond
for 1 s from the first spike; the measured current at a fixed holding potential is this count
times the single-channel conductance (a voltage-clamp IPSC, as in the hippocampal data).
Compared are the time to peak of the mean response to one spike and the growth of the mean peak
with the number of spikes. Registered on import (imported by :mod:`.cases`).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import curve_fit

import synevent as se

from ..engine.network import molecules_per_uM
from ..postsynaptic.gpcr_library import DESTEXHE_GABAB, gabab_girk
from ..presynaptic.calibration import release_probability
from ._casekit import at_least_check, bootstrap, crossing_ms, executor, stat_check
from .registry import Case, Outcome, register

__all__: list[str] = []

SEED = 20261122
SPIKES = (1, 2, 4, 10)
RATE_HZ, START_MS, WINDOW_MS, DT_MS, SMOOTH_MS = 100.0, 5.0, 1000.0, 1.0, 9
V_HOLD_MV = -50.0
#: Receptors and GIRK channels of the reported set that approaches the deterministic model.
MANY_N = 200

# Time to peak of the GABA-B IPSC: 100 ms for the hippocampal IPSC (Destexhe's gabab.mod: "peak at
# 100 ms; time course fit to Tom Otis' PSC", Otis, De Koninck & Mody 1993), about 150 ms for a
# thalamic GABA-B IPSC at 33 °C (peak of the template in the Huguenard lab's gabab_m3ha.mod,
# "kinetics reflect the measurements of Mark Beenhakker"; computed from its constants below).
T_PEAK_RANGE_MS = (100.0, 150.0)
# gabab_m3ha.mod (33 °C): g ∝ (1 - e^(-t/52))^8 · (0.952 e^(-t/90.1) + 0.048 e^(-t/1073.2)).
M3HA = (52.0, 8, 0.952, 90.1, 1073.2)


def _synapse(prep: str, exposure: float = 1.0, n: int = 20) -> se.SynapseParams:
    """``preset``: the gabaergic preset as it is (one release site); ``example``: the terminal of
    the metabotropic background page (20 sites, fast replenishment). Both with
    gabab_girk(n, n_channels=n, exposure)."""
    m = (gabab_girk(n=n, n_channels=n, exposure=exposure),)
    if prep == "preset":
        return se.presets.gabaergic(metabotropic=m, v_hold_mV=V_HOLD_MV)
    return se.presets.gabaergic(
        vesicles={"n_sites": 20, "k_dock_per_ms": 0.05, "k_prime_per_ms": 0.5, "n_reserve": 2000},
        metabotropic=m, v_hold_mV=V_HOLD_MV)


def _vesicle_exposure_uM_ms(syn: se.SynapseParams) -> float:
    """Time integral of the free cleft GABA after one vesicle: N / (molecules per µM) / k_escape,
    exact for the gabaergic cleft, where escape is the only sink (receptor binding is
    negligible)."""
    return (syn.vesicles.molecules_per_vesicle / molecules_per_uM(syn.cleft.volume_L)
            / syn.cleft.escape_rate_per_ms)


def _first_spike_quanta(syn: se.SynapseParams) -> float:
    """Expected quanta of the first spike: primed vesicles at t = 0 times their release
    probability."""
    v = syn.vesicles
    return (v.n_sites * v.slots_per_site * v.slot_occupancy()[2]
            * release_probability(syn.sensor, syn.calcium))


def _pulse_exposure(prep: str, per_spike: bool) -> float:
    """``exposure`` at which the receptors see Destexhe's pulse (the input gabab.mod's K1 was
    fitted with): per vesicle, or per spike of the terminal (its expected first-spike quanta)."""
    d, syn = DESTEXHE_GABAB, _synapse(prep)
    pulse_uM_ms = d["pulse_mM"] * 1e3 * d["pulse_ms"]
    per_vesicle = pulse_uM_ms / _vesicle_exposure_uM_ms(syn)
    return per_vesicle / _first_spike_quanta(syn) if per_spike else per_vesicle


def _runs(prep: str, n_spikes: int, exposure: float, seeds: Sequence[np.random.SeedSequence],
          n: int = 20) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Open GIRK channels from the first spike on (runs x samples), quanta per run, and the
    largest bound fraction of the receptors per run (top level: pickled to the workers)."""
    syn = _synapse(prep, exposure, n)
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
        bound.append(float(np.max(r.count(f"{m.name}.RT"))) / m.n)
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


def _fitted_t_peak(mean_trace: np.ndarray) -> float:
    """Time to peak of ``A (1 - e^(-t/tr))^4 e^(-t/td)`` fitted to a mean response to one spike
    (NaN if the fit fails). The fit pools the whole trace, so it locates the peak of a sparse
    mean (most single spikes open no channel at low exposure) far better than its maximum. The
    fourth power is that of Destexhe's G^4; gabab_m3ha.mod's template has the same form with
    the eighth."""
    t = np.arange(mean_trace.size) * DT_MS
    if not np.any(mean_trace > 0):
        return math.nan
    try:
        (_, tr, td), _ = curve_fit(_rise4_decay, t, mean_trace,
                                   p0=(3.0 * mean_trace.max(), 40.0, 150.0),
                                   bounds=([0.0, 1.0, 5.0], [np.inf, 500.0, 5000.0]), maxfev=5000)
    except (RuntimeError, ValueError):
        return math.nan
    return float(tr * math.log1p(4.0 * td / tr))


def _rise4_decay(t: np.ndarray, a: float, tr: float, td: float) -> np.ndarray:
    return a * (1.0 - np.exp(-t / tr)) ** 4 * np.exp(-t / td)


def _peak(mean_trace: np.ndarray) -> float:
    return float(_smooth(mean_trace).max())


def _m3ha(t: np.ndarray) -> np.ndarray:
    tr, p, w, tf, ts = M3HA
    return (1 - np.exp(-t / tr)) ** p * (w * np.exp(-t / tf) + (1 - w) * np.exp(-t / ts))


def _se(stat, arrays: list[np.ndarray], n_boot: int, seed: np.random.SeedSequence) -> float:
    b = bootstrap(stat, arrays, n_boot, seed)
    b = b[np.isfinite(b)]
    return float(b.std(ddof=1)) if b.size > 1 else math.nan


@dataclass(frozen=True)
class _Prep:
    """One preparation of the case: terminal, exposure, receptor count, runs, seeds."""

    label: str
    terminal: str  # "preset" or "example" (see _synapse)
    exposure: float
    n: int
    runs_fast: int  # 0: full run only
    runs_full: int
    seed: np.random.SeedSequence
    tested: bool = False
    single_factor: int = 1  # the one-spike train gets this many times the runs (its time to peak)


def _preps() -> dict[str, _Prep]:
    root = np.random.SeedSequence(SEED)
    preset_seed, example_seed, exposure_seed = root.spawn(3)
    per_spike, per_vesicle = _pulse_exposure("example", True), _pulse_exposure("preset", False)
    return {
        "perisynaptic": _Prep(
            f"20-site terminal, perisynaptic GABA-B (exposure {per_spike:.2g})", "example",
            per_spike, 20, 40, 160, _extra_seed(10), tested=True, single_factor=4),
        "perisynaptic-200": _Prep(
            f"the same with {MANY_N} receptors and channels", "example", per_spike, MANY_N, 0,
            160, _extra_seed(11)),
        "preset": _Prep("gabaergic preset, receptors in the cleft (exposure 1)", "preset", 1.0,
                        20, 30, 400, preset_seed),
        "example": _Prep("20-site terminal, receptors in the cleft (exposure 1)", "example", 1.0,
                         20, 0, 160, example_seed),
        "exposure": _Prep(f"gabaergic preset at exposure {per_vesicle:.3f} (Destexhe's pulse per "
                          f"vesicle)", "preset", per_vesicle, 20, 0, 200, exposure_seed),
        "exposure-example": _Prep(f"20-site terminal at exposure {per_vesicle:.3f}", "example",
                                  per_vesicle, 20, 0, 160, _extra_seed(0)),
    }


def _summary(prep: _Prep, res: dict[int, tuple[np.ndarray, ...]], n_boot: int,
             boot: np.random.SeedSequence) -> dict:
    """Mean traces (nS), peaks, ratios with bootstrap SEs, quanta, bound fractions, and a note."""
    gamma_nS = gabab_girk().girk.conductance_pS * 1e-3
    tr = {k: res[k][0] * gamma_nS for k in SPIKES}
    mean = {k: tr[k].mean(axis=0) for k in SPIKES}
    b_tp, b4, b10 = boot.spawn(3)
    tp1 = _fitted_t_peak(mean[1])
    tp1_se = _se(_fitted_t_peak, [tr[1]], n_boot, b_tp)
    peaks = {k: _peak(mean[k]) for k in SPIKES}
    ratio, ratio_se = {}, {}
    for k, b in ((4, b4), (10, b10)):
        ratio[k] = peaks[k] / peaks[1] if peaks[1] > 0 else math.inf
        ratio_se[k] = _se(lambda x, y: _peak(x) / _peak(y) if _peak(y) > 0 else math.nan,
                          [tr[k], tr[1]], n_boot, b)
    q = {k: res[k][1].mean() for k in SPIKES}
    bound = {k: res[k][2].mean() for k in SPIKES}
    fail1 = float((res[1][0].max(axis=1) == 0).mean())
    t = np.arange(tr[1].shape[1]) * DT_MS
    k10 = int(np.argmax(_smooth(mean[10])))
    t_half10 = crossing_ms(t, _smooth(mean[10]), k10, _smooth(mean[10])[k10] / 2)
    note = (
        f"{prep.label} ({tr[10].shape[0]} runs per train"
        + (f", {tr[1].shape[0]} for one spike" if tr[1].shape[0] != tr[10].shape[0] else "")
        + "): quanta per train "
        + ", ".join(f"{k} spike{'s' if k > 1 else ''} {q[k]:.1f}" for k in SPIKES)
        + "; mean peak GIRK conductance "
        + ", ".join(f"{peaks[k] * 1e3:.3g} pS" for k in SPIKES)
        + f" (4 spikes / 1 spike {ratio[4]:.2f} ± {ratio_se[4]:.2f}, 10 / 1 {ratio[10]:.2f} ± "
        f"{ratio_se[10]:.2f}, bootstrap SE; the quanta grow {q[4] / q[1]:.1f}x and "
        f"{q[10] / q[1]:.1f}x); time to peak "
        + ", ".join(f"{_t_peak(mean[k]):.0f}" for k in SPIKES)
        + f" ms from the first spike (maximum of the 9 ms running mean; after 1 spike, from "
        f"the fitted rise^4-decay shape, {tp1:.0f} ± {tp1_se:.0f} ms); largest bound "
        f"fraction of the {prep.n} receptors "
        + ", ".join(f"{bound[k]:.2f}" for k in SPIKES)
        + f"; {fail1:.0%} of single spikes open no GIRK channel; the response to 10 spikes falls "
        f"to half {t_half10:.0f} ms after the first spike.")
    return {"mean": mean, "tp1": tp1, "tp1_se": tp1_se, "peaks": peaks, "ratio": ratio,
            "ratio_se": ratio_se, "q": q, "bound": bound, "runs": tr[1].shape[0], "fail1": fail1,
            "note": note}


def run_gabab(fast: bool) -> Outcome:
    preps = {k: p for k, p in _preps().items() if (p.runs_fast if fast else p.runs_full)}
    n_boot = 200 if fast else 1000
    jobs = {}
    # NOTE: the fast run is serial: starting two workers (each imports synevent and builds its
    # kernels) takes longer than the few seconds of simulation it would share.
    with (contextlib.nullcontext(None) if fast else executor()) as pool:
        for key, p in preps.items():
            runs = p.runs_fast if fast else p.runs_full
            for k, s_seq in zip(SPIKES, p.seed.spawn(len(SPIKES))):
                n_runs = runs * (p.single_factor if k == 1 else 1)
                args = (p.terminal, k, p.exposure, s_seq.spawn(n_runs), p.n)
                jobs[key, k] = pool.submit(_runs, *args) if pool else _runs(*args)
        res = {key: {k: (jobs[key, k].result() if pool else jobs[key, k]) for k in SPIKES}
               for key in preps}
    # The bootstrap resamplings draw from a branch of their own (key 2000).
    boot = dict(zip(preps, np.random.SeedSequence(SEED, spawn_key=(2000,)).spawn(len(preps))))
    out = {key: _summary(p, res[key], n_boot, boot[key]) for key, p in preps.items()}

    checks = []
    lo, hi = T_PEAK_RANGE_MS
    for key, p in preps.items():
        if not p.tested:
            continue
        o = out[key]
        checks.append(stat_check(
            f"{p.label}: time to peak of the mean GIRK conductance after one spike "
            f"(fitted, {o['runs']} runs), against 100 ms (hippocampus) to 150 ms (thalamus)",
            o["tp1"], (lo + hi) / 2, (hi - lo) / 2, o["tp1_se"], "ms"))
        for k in (4, 10):
            checks.append(at_least_check(
                f"{p.label}: peak after {k} spikes / peak after 1 spike (more than linear "
                f"summation, i.e. at least {k})", o["ratio"][k], o["ratio_se"][k], float(k)))
    t = np.arange(next(iter(out.values()))["mean"][1].size) * DT_MS
    tm = _m3ha(t)
    t_m3ha = float(t[np.argmax(tm)])
    d = DESTEXHE_GABAB
    peri, cleft = out["perisynaptic"], out["preset"]
    notes = [f"Tested: {peri['note']}"] + [
        f"Reported, not tested{' (full run only)' if not preps[key].runs_fast else ''}: "
        f"{o['note']}" for key, o in out.items() if not preps[key].tested]
    pulse_bound = d["K1_per_mM_per_ms"] * d["pulse_mM"] * d["pulse_ms"]
    why = (
        f"Why the placement decides it. gabab.mod's binding rate K1 was fitted together with its "
        f"input, a {d['pulse_mM']:g} mM x {d['pulse_ms']:g} ms pulse per presynaptic spike, which "
        f"binds ~{pulse_bound:.2f} of the free receptors; GABA-B receptors are perisynaptic and "
        f"reached by spillover, so the tested set sees that pulse per spike of its terminal "
        f"(exposure = {d['pulse_mM'] * d['pulse_ms'] * 1e3:.0f} µM·ms / "
        f"({_vesicle_exposure_uM_ms(_synapse('example')):.0f} µM·ms per vesicle x "
        f"{_first_spike_quanta(_synapse('example')):.1f} expected quanta of the first spike)). "
        f"After one spike it binds {peri['bound'][1]:.2f} of its receptors, G stays in the foot "
        f"of G^4 / (G^4 + KD), and later spikes add to G: from 1 to 10 spikes the response grows "
        f"{peri['ratio'][10]:.0f}-fold for {peri['q'][10] / peri['q'][1]:.1f} times the quanta. "
        f"In Destexhe's model a pulse's G peaks at ln(K4/K2)/(K4 - K2) = "
        f"{math.log(d['K4_per_ms'] / d['K2_per_ms']) / (d['K4_per_ms'] - d['K2_per_ms']):.0f} ms, "
        f"and so does any monotone function of it; the fitted time to peak after one spike, "
        f"{peri['tp1']:.0f} ± {peri['tp1_se']:.0f} ms, "
        + ("lies inside the published 100-150 ms. " if lo <= peri["tp1"] <= hi else
           "lies outside the published 100-150 ms and passes only on its 3 SE: with "
           f"{1 - peri['fail1']:.0%} of single spikes opening a channel, the run constrains the "
           "time course loosely. ")
        + f"That {peri['fail1']:.0%} of single spikes open no GIRK channel agrees with single "
        f"presynaptic spikes evoking no GABA-B IPSP (Kim et al. 1997). With the receptors in "
        f"the cleft (exposure 1) one vesicle binds most of them "
        f"({cleft['bound'][1]:.0%} of the preset's receptors at the peak after one spike, "
        f"failures included), a bound receptor stays active ~1/K2 = "
        f"{1 / d['K2_per_ms']:.0f} ms, and the response saturates after one spike: that "
        f"placement fails the burst criteria (reported above). The tested set keeps the "
        f"library's 20 receptors and channels. One unit of Destexhe's G is one G* per receptor, "
        f"so with 20 receptors the G* count after one spike is a handful of molecules, and the "
        f"mean of its fourth power is raised by its Poisson spread: the burst dependence is "
        f"flatter than with many receptors"
        + (f" (with {MANY_N}, reported above: 10 / 1 {out['perisynaptic-200']['ratio'][10]:.0f} "
           f"against {peri['ratio'][10]:.0f})" if "perisynaptic-200" in out else "")
        + ", which approach the deterministic model. Neither the receptor nor the channel "
        f"count per synapse has a measured value (docs/reference/parameters.md). The thalamic "
        f"template of gabab_m3ha.mod peaks at {t_m3ha:.0f} ms and falls to half at "
        f"{crossing_ms(t, tm, int(np.argmax(tm)), tm.max() / 2):.0f} ms (33 °C, secondary). The "
        f"GIRK unitary conductance of slow IPSCs in dentate granule cells is 5-13 pS (De Koninck "
        f"& Mody 1997, abstract); the library's 5 pS is at its lower end, which scales amplitudes "
        f"only and no check here.")
    notes.append(why)

    def figure(ax) -> None:
        for j, k in enumerate(SPIKES):
            ax.plot(t, peri["mean"][k] * 1e3, color=f"C{j}",
                    label=f"{k} spike{'s' if k > 1 else ''}, perisynaptic set (tested)")
            ax.plot(t, cleft["mean"][k] * 1e3, color=f"C{j}", ls="--", lw=1,
                    label=f"{k} spike{'s' if k > 1 else ''}, preset, in the cleft (reported)")
        top = max(o["mean"][k].max() for o in (peri, cleft) for k in SPIKES) * 1e3
        ax.plot(t, tm / tm.max() * top, color="k", ls=":",
                label="thalamic GABA-B IPSC template, 33 °C (gabab_m3ha.mod), scaled")
        ax.axvspan(*T_PEAK_RANGE_MS, color="0.85", alpha=0.6,
                   label="published time to peak, 100-150 ms")
        ax.set_yscale("log")
        ax.set_ylim(top * 1e-4, top * 2)
        ax.set_xlim(0, WINDOW_MS)
        ax.set_xlabel("time from the first spike (ms)")
        ax.set_ylabel("mean GIRK conductance (pS)")
        ax.legend(fontsize=5, loc="lower right")

    return Outcome(checks, figure, " ".join(notes))


register(Case(
    id="GABAB-GIRK",
    title="Slow GABA-B IPSC: time course and the need for bursts",
    preparation="Tested: the 20-site, fast-replenishing GABAergic terminal of the metabotropic "
                "background page (se.presets.gabaergic(vesicles={n_sites: 20, k_dock_per_ms: "
                "0.05, k_prime_per_ms: 0.5, n_reserve: 2000}), dentate granule-cell synapse, "
                "34.5 °C, v_hold -50 mV) with perisynaptic GABA-B receptors: "
                "gabab_girk(exposure=0.0026), Destexhe's reduced cascade, 20 receptors, 2000 "
                "G-proteins, 20 GIRK channels of 5 pS; the exposure gives the receptors "
                "Destexhe's pulse (150 µM·ms) per spike of the terminal. Reported only: the same "
                "with 200 receptors and channels; gabab_girk() with its "
                "defaults (20 receptors in the well-mixed cleft, exposure 1) on the gabaergic "
                "preset (one release site) and on the 20-site terminal; both terminals at "
                "exposure 0.034 (Destexhe's pulse per vesicle). No autoreceptor.",
    protocol="1, 2, 4 and 10 spikes at 100 Hz from 5 ms, independent exact runs (tested set: "
             "fast 40, full 160 per train and four times as many for one spike; reported sets "
             "in the full run: preset 400, others 160 or 200; the fast run adds only the preset, "
             "30); open GIRK channels sampled every 1 ms for 1 s from the first spike, averaged "
             "over runs. Peaks: maximum of a 9 ms running mean. Time to peak after one spike: "
             "peak of A (1 - exp(-t/tr))^4 exp(-t/td) fitted to the mean response.",
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
