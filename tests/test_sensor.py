"""The Ca²⁺ sensor: exact against its master equation, spontaneous release, published behaviour."""

from __future__ import annotations

import math

import numpy as np
import pytest
import simpy
from scipy import stats

import synevent as se
from synevent.engine.log import EventLog
from synevent.presynaptic.sensor import release_fraction_step
from synevent.presynaptic.terminal import Terminal

FIVE_SITE = se.presets.sensor_five_site()
ALLOSTERIC = se.presets.sensor_allosteric()


def pure_sensor_terminal(env, sensor, calcium, n_vesicles, rs, log):
    """n primed vesicles in state 0, no docking or retrieval: only the sensor acts."""
    vp = se.VesicleParams(n_sites=n_vesicles, slots_per_site=1, n_reserve=0, k_dock_per_ms=0.0,
                          k_prime_per_ms=1.0, molecules_per_vesicle=1.0, quantal_cv=0.0,
                          tau_retrieval_full_ms=math.inf, tau_retrieval_kr_ms=math.inf)
    term = Terminal(env, calcium, sensor, vp, rs, log, lambda *a: None)
    # Start every sensor empty, as the master equation does.
    for i in range(1, sensor.n_sites + 1):
        term.primed[0].extend(term.primed[i])
        term.primed[i].clear()
    return term


@pytest.mark.statistical
@pytest.mark.parametrize("sensor", [FIVE_SITE, ALLOSTERIC], ids=["five_site", "allosteric"])
def test_fusion_times_match_master_equation(sensor):
    # Prescribed waveform: one spike at t = 1 ms (peak 30 µM, half-width 0.4 ms) on top of rest;
    # each vesicle's fusion time, conditioned on fusing by 6 ms, against the forward equation.
    calcium = se.CalciumParams(local_peak_uM=30.0, residual_uM=0.5, tau_residual_ms=20.0)
    n = 3000 if sensor is FIVE_SITE else 6000
    env = simpy.Environment()
    log = EventLog()
    term = pure_sensor_terminal(env, sensor, calcium, n, se.RandomStream(42), log)

    def spike():
        yield env.timeout(1.0)
        term.spike(0)

    env.process(spike())
    t_end = 6.0
    env.run(until=t_end)
    ev = log.to_frame()
    times = ev.loc[ev["kind"] == "fusion", "t_ms"].to_numpy()

    state = se.presynaptic.calcium.CalciumState(calcium)
    grid = np.linspace(0.0, t_end, 6001)

    def ca(t):
        if t < 1.0:
            return calcium.ca_rest_uM
        if state.t_ref != 1.0:
            state.spike(1.0)
        return state.ca(t)

    cdf = se.fusion_time_cdf(sensor, ca, grid, max_step_ms=0.005)
    p_total = cdf[-1]
    # Number fused is Binomial(n, p_total).
    sd = math.sqrt(n * p_total * (1 - p_total))
    assert abs(times.size - n * p_total) < 4 * sd
    assert times.size >= 300
    cond = np.interp  # conditional CDF by interpolation on the fine grid
    ks = stats.kstest(times, lambda t: cond(t, grid, cdf) / p_total)
    assert ks.pvalue > 0.01


@pytest.mark.statistical
def test_spontaneous_fusions_are_poisson_at_predicted_rate():
    # Allosteric sensor at rest: the fusion rate is l+ f^i weighted by the binding equilibrium.
    # Speed it up 1e5-fold through l_plus so a short run gives many events; the law is the same.
    sensor = se.SensorParams(kon_per_uM_per_ms=0.1, koff_per_ms=4.0, b=0.5, l_plus_per_ms=2e-2,
                             f=31.3, gamma_per_ms=0.0)
    calcium = se.CalciumParams()
    n_vesicles = 50
    env = simpy.Environment()
    log = EventLog()
    vp = se.VesicleParams(n_sites=n_vesicles, slots_per_site=1, n_reserve=100000,
                          k_dock_per_ms=1e3, k_prime_per_ms=1e3, molecules_per_vesicle=1.0,
                          quantal_cv=0.0, tau_retrieval_full_ms=math.inf)
    Terminal(env, calcium, sensor, vp, se.RandomStream(8), log, lambda *a: None)
    t_end = 2000.0
    env.run(until=t_end)
    ev = log.to_frame()
    t = ev.loc[ev["kind"] == "fusion", "t_ms"].to_numpy()
    # Replacement within ~2 µs keeps ~n primed vesicles, so fusions form a Poisson process of
    # rate n * r (the short refill gap lowers it by < 0.01 %).
    rate = n_vesicles * se.spontaneous_rate_per_ms(sensor, calcium.ca_rest_uM)
    expected = rate * t_end
    assert abs(t.size - expected) < 4 * math.sqrt(expected)
    gaps = np.diff(np.concatenate([[0.0], t]))
    assert stats.kstest(gaps, "expon", args=(0, 1 / rate)).pvalue > 0.01
    counts = np.histogram(t, bins=np.arange(0.0, t_end + 1e-9, 20.0))[0]
    # Index of dispersion of a Poisson process: (k-1) s²/mean ~ chi2(k-1).
    k = counts.size
    d = (k - 1) * counts.var(ddof=1) / counts.mean()
    assert stats.chi2.cdf(d, k - 1) > 0.005 and stats.chi2.sf(d, k - 1) > 0.005


def test_five_site_reproduces_schneggenburger_neher_step():
    # Schneggenburger & Neher 2000: a 10 µM step releases ~80 % of the pool in < 3 ms.
    assert release_fraction_step(FIVE_SITE, 10.0, 3.0) == pytest.approx(0.80, abs=0.05)


def test_allosteric_cooperativity_falls_at_low_calcium():
    # Lou et al. 2005: the cooperativity of the peak release rate after a Ca step is ~4 at
    # micromolar [Ca], falls below 3 µM and is < 1 near rest. Peak rates from the exact
    # solution (matrix exponential) of the master equation, starting at resting equilibrium.
    from scipy.linalg import expm

    s = ALLOSTERIC
    p0 = np.zeros(s.n_sites + 2)
    p0[:-1] = s.resting_distribution(0.05)
    fu = np.asarray(s.fusion_rates() + [0.0])
    times = np.concatenate([np.linspace(0.01, 0.5, 50), np.geomspace(0.5, 2e5, 200)])

    def peak_rate(ca):
        q = s.generator(ca)
        return max(float(p0 @ expm(q * t) @ fu) for t in times)

    def slope(lo, hi):
        return math.log(peak_rate(hi) / peak_rate(lo)) / math.log(hi / lo)

    assert slope(1.0, 3.0) == pytest.approx(4.0, abs=0.3)
    assert slope(0.2, 0.5) < 3.0
    assert slope(0.05, 0.1) < 1.0


def test_no_fusion_when_fusion_rates_are_zero():
    sensor = se.SensorParams(l_plus_per_ms=0.0, gamma_per_ms=0.0)
    # The facilitation site is a second route to fusion: without it the sensor is the only one.
    s = se.presets.glutamatergic(sensor=sensor, facilitation={"delta_f": 0.0})
    r = se.simulate(s, se.regular(20.0, 10), t_end_ms=600.0, seed=1)
    assert r.summary["quanta_sync"] == 0 and r.summary["molecules_released"] == 0


def test_no_evoked_release_without_calcium_channels():
    s = se.presets.neuromuscular(calcium={"channel_availability": 0.0},
                                 sensor=se.SensorParams(l_plus_per_ms=0.0, f=1.0,
                                                        kon_per_uM_per_ms=0.153,
                                                        koff_per_ms=5.8, b=0.25,
                                                        gamma_per_ms=6.0))
    r = se.simulate(s, se.regular(20.0, 3), t_end_ms=150.0, seed=1)
    # At 50 nM resting Ca the five-site sensor fuses at ~1e-9 /ms: exactly nothing in 150 ms.
    assert r.summary["quanta_sync"] == 0
