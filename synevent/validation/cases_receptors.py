"""Validation cases for the postsynaptic side and the cleft: V-03, V-04, V-06 (V-05 is in
:mod:`.cases_patch`).

Receptor schemes are checked against their analytic solutions and published numbers through the
master equation (:meth:`ReceptorScheme.occupancy`, scipy's LSODA, or the matrix exponential of
the same generator) and, where the README asks for it, through the exact stochastic simulation
of a clamped patch (:class:`ExactNetwork`). Imported by :mod:`.cases_release`, which uses
:func:`mean_check` too, and by :mod:`.cases_patch`.
"""

from __future__ import annotations

import math

import numpy as np
import simpy

from .. import presets
from ..engine.log import EventLog
from ..engine.network import molecules_per_uM
from ..engine.random import RandomStream
from ..engine.ssa import ExactNetwork
from ..postsynaptic import library as lib
from ..postsynaptic.mg_block import mg_unblocked_fraction
from ..simulation import simulate
from ..stimulus.trains import explicit
from .registry import Case, Check, Outcome, register

__all__: list[str] = []

PULSE_UM, PULSE_MS = 1000.0, 1.0


def mean_check(quantity: str, values, published: float, stated_tol: float, unit: str = "") -> Check:
    """Mean of independent values against a target, tolerance max(stated, 3·SEM of the run)."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    sem = float(v.std(ddof=1) / math.sqrt(v.size)) if v.size > 1 else math.inf
    return Check(quantity, float(v.mean()), published, max(stated_tol, 3.0 * sem), unit)


def _pulse(t: float) -> float:
    return PULSE_UM if t < PULSE_MS else 0.0


def _clamped(scheme, n: int, seed, t_end: float, dt: float):
    """n receptors under a 1 mM, 1 ms square pulse, simulated exactly; trace and reactions."""
    env = simpy.Environment()
    log = EventLog("reaction")
    sim = ExactNetwork(env, scheme.clamped_network(n, PULSE_UM), RandomStream(seed),
                       trace_dt_ms=dt, t_end_ms=t_end, log=log)

    def off():
        yield env.timeout(PULSE_MS)
        for name in scheme.binding_reactions():
            sim.set_rate(name, 0.0)

    env.process(off())
    env.run(until=t_end)
    sim.finish(t_end)
    return sim.trace_array(), log.to_frame()


# -- V-03 ------------------------------------------------------------------------------------
TWO_STATE = (  # label, factory, open fraction at pulse end, decay τ (ms) of DMS94
    ("AMPA", lib.ampa_two_state, 0.618, 5.26),
    ("NMDA", lib.nmda_two_state, 0.0692, 151.5),
    ("GABA-A", lib.gabaa_two_state, 0.960, 5.56),
)


def _v03(fast: bool) -> Outcome:
    reps = 10 if fast else 60
    seeds = iter(np.random.SeedSequence(303).spawn(4 * reps))
    checks, curves = [], {}
    for label, factory, r_pub, tau_pub in TWO_STATE:
        s = factory()
        t = np.concatenate([np.linspace(0.0, PULSE_MS, 51),
                            PULSE_MS + np.linspace(0.0, 4.0 * tau_pub, 801)[1:]])
        po = s.open_probability(_pulse, t)
        end = 50  # index of the pulse end
        curves[label] = (t, po, r_pub, tau_pub)
        slope = np.polyfit(t[end:] - PULSE_MS, np.log(po[end:]), 1)[0]
        checks.append(Check(f"{label} open fraction at pulse end (mean field)", float(po[end]),
                            r_pub, 0.01 * r_pub))
        checks.append(Check(f"{label} decay tau (mean field)", -1.0 / slope, tau_pub,
                            0.01 * tau_pub, "ms"))
        n, t_end = 1000, PULSE_MS + 15.0 * tau_pub
        fractions, dwell = [], []
        for _ in range(reps):
            trace, ev = _clamped(s, n, next(seeds), t_end, PULSE_MS)
            fractions.append(trace[1, s.states.index("O")] / n)
            close = ev[(ev["detail"] == f"{s.name}:O->C") & (ev["t_ms"] > PULSE_MS)]
            dwell.extend(close["t_ms"].to_numpy() - PULSE_MS)  # Exp(β) after the pulse
        checks.append(mean_check(f"{label} open fraction at pulse end (stochastic, {reps}x{n})",
                                 fractions, float(po[end]), 0.02 * po[end]))
        checks.append(mean_check(f"{label} open time after the pulse (stochastic)", dwell,
                                 tau_pub, 0.02 * tau_pub, "ms"))
    six = lib.ampa_destexhe_6state()
    grid = np.linspace(0.0, 3.0, 301)
    po6 = six.open_probability(_pulse, grid)
    k = int(np.argmax(po6))
    checks.append(Check("six-state AMPA peak open probability", float(po6[k]), 0.17, 0.005))
    checks.append(Check("six-state AMPA time of peak", float(grid[k]), 1.0, 0.05, "ms"))
    opens = [_clamped(six, 1000, next(seeds), 1.5, 0.5)[0][2, six.states.index("O")] / 1000
             for _ in range(reps)]
    checks.append(mean_check(f"six-state AMPA open fraction at 1 ms (stochastic, {reps}x1000)",
                             opens, float(po6[100]), 0.02 * po6[100]))

    def figure(ax):
        for label, (t, y, r_pub, tau_pub) in curves.items():
            line, = ax.plot(t, y, label=f"{label} (sim)")
            x = t[t >= PULSE_MS]
            ax.plot(x, r_pub * np.exp(-(x - PULSE_MS) / tau_pub), "--", color=line.get_color(),
                    label=f"{label} published {r_pub}, tau {tau_pub} ms")
        ax.plot(grid, po6, "k", label="six-state AMPA (sim)")
        ax.plot([1.0], [0.17], "k*", ms=10, label="published six-state peak 0.17 at ~1 ms")
        ax.set_xscale("symlog", linthresh=2.0)
        ax.set_xlabel("time (ms)")
        ax.set_ylabel("open fraction")
        ax.legend(fontsize=6)

    return Outcome(checks, figure)


register(Case(
    id="V-03",
    title="Two-state and six-state receptor kinetics",
    preparation="receptor library: ampa_two_state, nmda_two_state, gabaa_two_state, "
    "ampa_destexhe_6state (no synapse: a clamped patch)",
    protocol="1 mM glutamate/GABA square pulse for 1 ms. Mean field: master equation (LSODA). "
    "Stochastic: 1000 receptors under the same pulse, exact simulation, replicated.",
    quantity="open fraction at the pulse end, decay time constant after it; six-state AMPA peak",
    published="AMPA 0.618, 5.26 ms; NMDA 0.0692, 151.5 ms; GABA-A 0.960, 5.56 ms; six-state "
    "AMPA peak open probability ~0.17 near 1 ms",
    source="Destexhe, Mainen & Sejnowski 1994 J Comput Neurosci 1:195 (two-state minimal models, "
    "r_inf = aC/(aC+b), tau = 1/(aC+b), decay 1/b) and ModelDB 18198 ampa5.mod",
    tolerance="Mean field 1 % of the published value (they are analytic results rounded to 3 "
    "digits). Peak 0.17 +- 0.005 (its rounding) at 1.0 +- 0.05 ms. Stochastic means (open fraction "
    "across replicates, pooled open times, which are Exp(b) after the pulse) within max(2 %, "
    "3 SEM of the run) of the mean-field value or 1/b.",
    run=_v03,
))


# -- V-04 ------------------------------------------------------------------------------------
V04 = {-100: 0.0072, -80: 0.0244, -60: 0.0796, -40: 0.2302, -20: 0.5081, 0: 0.7812,
       20: 0.9250, 40: 0.9771}


def _v04(fast: bool) -> Outcome:
    checks = [Check(f"unblocked fraction at {v} mV, 1 mM Mg", mg_unblocked_fraction(v, 1.0), b,
                    0.01 * b) for v, b in V04.items()]
    dev0 = max(abs(mg_unblocked_fraction(v, 0.0) - 1.0) for v in range(-120, 61, 10))
    checks.append(Check("largest |B - 1| at 0 mM Mg, -120..+60 mV", dev0, 0.0, 1e-12))

    def figure(ax):
        v = np.linspace(-110, 50, 161)
        ax.plot(v, [mg_unblocked_fraction(x, 1.0) for x in v], label="synevent, 1 mM Mg")
        ax.plot(list(V04), list(V04.values()), "o", mfc="none", label="Jahr & Stevens 1990 table")
        ax.set_xlabel("V (mV)")
        ax.set_ylabel("unblocked fraction B(V)")
        ax.legend()

    return Outcome(checks, figure)


register(Case(
    id="V-04",
    title="NMDA receptor Mg2+ block",
    preparation="synevent.mg_unblocked_fraction (used by every NMDA population, e.g. "
    "glutamatergic preset)",
    protocol="B(V) at 1 mM and 0 mM [Mg2+]o from -100 to +40 mV",
    quantity="fraction of open NMDA channels not blocked",
    published="1 mM: -100 mV 0.0072, -80 0.0244, -60 0.0796, -40 0.2302, -20 0.5081, "
    "0 0.7812, +20 0.9250, +40 0.9771; 0 mM: 1",
    source="Jahr & Stevens 1990 J Neurosci 10:3178, B = 1/(1 + exp(-0.062 V) [Mg]o/3.57)",
    tolerance="Deterministic: 1 % of each tabulated value (the table is rounded to 4 decimals, "
    "0.7 % at -100 mV); 0 mM must give exactly 1 (1e-12).",
    run=_v04,
))


# -- V-06 ------------------------------------------------------------------------------------
def _v06(fast: bool) -> Outcome:
    syn = presets.glutamatergic()
    n_runs = 300 if fast else 1500
    dt = 0.005
    n_per_uM = molecules_per_uM(syn.cleft.volume_L)
    peaks, taus, modes, traces = [], [], [], []
    for seed in np.random.SeedSequence(606).spawn(n_runs):
        r = simulate(syn, explicit([1.0]), t_end_ms=11.0, seed=seed, trace_dt_ms=dt)
        if r.arrivals_n.size != 1:  # one quantum per transient
            continue
        peak = r.arrivals_n[0] / n_per_uM  # a bolus into a well-mixed cleft
        conc = r.count(syn.transmitter)[int(math.ceil(r.arrivals_ms[0] / dt - 1e-9)):] / n_per_uM
        below = np.nonzero(conc <= peak * math.exp(-1.0))[0]
        peaks.append(peak / 1000.0)
        taus.append(below[0] * dt if below.size else math.nan)
        ev = r.events
        modes.append(str(ev.loc[ev["kind"] == "fusion", "detail"].iloc[0]))
        traces.append(conc[:1600] / 1000.0)
    peaks, taus, modes = np.asarray(peaks), np.asarray(taus), np.asarray(modes)
    kr = modes == "kiss_and_run"
    mean_trace = np.mean([tr for tr in traces if tr.size == 1600], axis=0)
    k_peak = int(np.argmax(mean_trace))
    mean_tau = float(np.argmax(mean_trace[k_peak:] <= mean_trace[k_peak] * math.exp(-1.0)) * dt)
    checks = [
        mean_check(f"peak cleft glutamate, one quantum ({peaks.size} events; pass range 1-5 mM)",
                   peaks, 3.0, 2.0, "mM"),
        mean_check("decay time to 1/e of peak", taus, 1.2, 0.25 * 1.2, "ms"),
    ]
    notes = (f"{peaks.size} single-quantum transients: full fusion peak {peaks[~kr].mean():.2f} "
             "mM, "
             f"1/e time {np.nanmean(taus[~kr]):.2f} ms; kiss-and-run ({kr.mean():.0%}) peak "
             f"{peaks[kr].mean():.2f} mM, 1/e time {np.nanmean(taus[kr]):.2f} ms. Clements et al. "
             "1992 measured 1.1 mM at cultured hippocampal synapses (reported, not a pass "
             "criterion: the preset models CA1, and the README's pass range is 1-5 mM). The "
             f"mean transient (what an averaged EPSC sees) falls to 1/e in {mean_tau:.2f} ms. The "
             "preset's escape rate (0.6 /ms) was set so that this mean transient, with EAAT2 and "
             "receptor binding, decays in Clements et al.'s 1.2 ms, so the decay check is a "
             "consistency check of that fit, not an independent prediction (the transporter "
             "share of the clearance is checked by GLU-BLOCK); the earlier 0.8 /ms counted "
             "escape as the only sink and gave 0.75 ms here.")

    def figure(ax):
        t = np.arange(mean_trace.size) * dt
        ax.plot(t, mean_trace, label="sim: mean single-quantum transient")
        ax.plot(t, 1.1 * np.exp(-t / 1.2), "--", label="Clements et al. 1992: 1.1 mM, tau 1.2 ms")
        ax.axhspan(1.0, 5.0, alpha=0.15, label="Clements 1996: peak 1-5 mM")
        ax.set_xlabel("time after arrival (ms)")
        ax.set_ylabel("free glutamate (mM)")
        ax.legend(fontsize=7)

    return Outcome(checks, figure, notes)


register(Case(
    id="V-06",
    title="Cleft glutamate transient",
    preparation="glutamatergic preset (CA3-CA1; well-mixed cleft r 150 nm, h 20 nm, 3000 "
    "glutamate per vesicle, EAAT2, AMPA, NMDA, escape)",
    protocol="One spike; runs with exactly one fusion kept; free glutamate sampled every 5 us "
    "from the arrival of the quantum",
    quantity="peak free glutamate and time from peak to 1/e of peak, mean over single quanta",
    published="peak 1.1 mM and decay tau 1.2 ms (cultured hippocampal synapses); mean peak 1-5 mM "
    "across central synapses, biphasic clearance (~0.1 and ~2 ms)",
    source="Clements, Lester, Tong, Jahr & Westbrook 1992 Science 258:1498 (abstract: 1.1 mM, "
    "1.2 ms); Clements 1996 Trends Neurosci 19:163 (review, 1-5 mM)",
    tolerance="Peak: within the 1-5 mM range (README pass criterion; the 1.1 mM of cultured "
    "synapses is reported, not required). Decay: 1.2 ms +-25 % (the estimate is model-based, "
    "from antagonist displacement; the preset's escape rate is fitted to it, see the notes). "
    "Both as means over single-quantum events, max(stated, 3 SEM).",
    run=_v06,
))
