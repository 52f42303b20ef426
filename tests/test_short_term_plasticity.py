"""Short-term plasticity emerges from the terminal: facilitation, depression and recovery.

The facilitation site XF (Dittman, Kreitzer & Regehr 2000) gives a primed vesicle the release
probability ``1 - (1 - p)(1 - phi)`` at a spike that meets the occupancy ``phi``; the docking
slots deplete and refill as a per-slot Markov chain (empty -> docked -> primed). Both are exact
in expectation, so every simulated mean is compared with the expectation computed here from the
sensor's master equation and the chain, within 4 standard errors of the runs.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from scipy.linalg import expm

import synevent as se
from synevent.engine.checks import ParameterError
from synevent.presynaptic.calcium import CalciumState
from synevent.presynaptic.facilitation import (
    FacilitationParams,
    FacilitationState,
    facilitated_probability,
    k_f_from_paired_pulse,
)
from synevent.presynaptic.sensor import fusion_time_cdf

# One molecule per vesicle and no cleft partners: these tests count fusions only.
COUNTING = {"molecules_per_vesicle": 1.0, "quantal_cv": 0.0, "p_kiss_and_run": 0.0}
N_SITES = 100  # independent release sites of one terminal (2 slots each, as in the preset)
Z = 4.0  # tolerance in standard errors


def _terminal(**calcium) -> se.SynapseParams:
    return se.presets.glutamatergic(
        receptors=(), transporters=(), calcium=calcium,
        vesicles={"n_sites": N_SITES, "n_reserve": 20_000, **COUNTING})


def _quanta(syn: se.SynapseParams, times: list[float], n_runs: int, entropy: int) -> np.ndarray:
    """Synchronous quanta per spike, one row per run."""
    seeds = np.random.SeedSequence(entropy).spawn(n_runs)
    t_end = times[-1] + syn.sync_window_ms + 1.0
    return np.array([se.simulate(syn, se.explicit(times), t_end_ms=t_end, seed=s,
                                 trace_dt_ms=t_end / 4).quanta_per_spike() for s in seeds], float)


def _p_fast(syn: se.SynapseParams, times: list[float]) -> list[float]:
    """Release probability through the fast sensor at each spike, with the residual Ca²⁺ left by
    the spikes before (sensor at binding equilibrium with the Ca²⁺ the spike meets)."""
    out = []
    for n, t_n in enumerate(times):
        state = CalciumState(syn.calcium)
        for t in times[:n]:
            state.spike(t)
        ca_before = float(state.ca(t_n)) if n else syn.calcium.ca_rest_uM
        state.spike(t_n)
        p0 = np.zeros(syn.sensor.n_sites + 2)
        p0[:-1] = syn.sensor.resting_distribution(ca_before)
        grid = np.array([t_n, t_n + syn.sync_window_ms])
        out.append(float(fusion_time_cdf(syn.sensor, state.ca, grid, p0=p0)[-1]))
    return out


def _expected_quanta(syn: se.SynapseParams, times: list[float]) -> np.ndarray:
    """Expected quanta per spike: slot chain between spikes, release 1 - (1-p)(1-phi) at spikes."""
    vp, fac = syn.vesicles, syn.facilitation
    entry = syn.calcium.influx_scale
    q = np.array([[-vp.k_dock_per_ms, vp.k_dock_per_ms, 0.0],
                  [vp.k_undock_per_ms, -vp.k_undock_per_ms - vp.k_prime_per_ms, vp.k_prime_per_ms],
                  [0.0, vp.k_unprime_per_ms, -vp.k_unprime_per_ms]])
    occ = np.array(vp.slot_occupancy())  # empty, docked, primed
    expected, t_prev = [], times[0]
    for n, (t, p) in enumerate(zip(times, _p_fast(syn, times))):
        occ = occ @ expm(q * (t - t_prev))
        phi = fac.occupancy_after([t - s for s in times[:n]], entry) if fac.enabled else 0.0
        p_n = facilitated_probability(p, phi)
        expected.append(vp.n_slots * occ[2] * p_n)
        occ = occ + np.array([occ[2] * p_n, 0.0, -occ[2] * p_n])
        t_prev = t
    return np.asarray(expected)


def _ratio(num: np.ndarray, den: np.ndarray) -> tuple[float, float]:
    """mean(num)/mean(den) over paired runs and its standard error (delta method)."""
    r = num.mean() / den.mean()
    cov = np.cov(num, den, ddof=1)
    var = (cov[0, 0] - 2 * r * cov[0, 1] + r * r * cov[1, 1]) / num.size / den.mean() ** 2
    return float(r), float(math.sqrt(var))


# -- the site on its own -----------------------------------------------------------------------
def test_k_f_reproduces_the_paired_pulse_ratio_it_was_derived_from():
    f1, rho = 0.24, 2.2
    k_f = k_f_from_paired_pulse(f1, rho)
    assert k_f == pytest.approx(0.6713, abs=1e-4)
    f2 = facilitated_probability(f1, 1.0 / (1.0 + k_f))
    assert f2 * (1 - f1) / f1 == pytest.approx(rho, rel=1e-12)


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: FacilitationParams(delta_f=-1.0), r'"delta_f" must be in \[0, inf\), got -1.0'),
        (lambda: FacilitationParams(k_f=0.0), r'"k_f" must be > 0, got 0.0'),
        (lambda: FacilitationParams(tau_f_ms=math.nan), r'"tau_f_ms" must be a number, got nan'),
        (lambda: k_f_from_paired_pulse(1.0, 2.0), r'"f1" must be in \(0, 1\), got 1.0'),
        (lambda: k_f_from_paired_pulse(0.4, 2.0), r'"rho" must be in \(0.6, 1.5\) for "f1" = 0.4'),
        (lambda: se.presets.glutamatergic(facilitation={"kf": 1.0}),
         r"unknown field\(s\) \['kf'\] in \"facilitation\""),
    ],
)
def test_bad_facilitation_input_is_refused(build, message):
    with pytest.raises(ParameterError, match=message):
        build()


def test_rate_bound_holds_over_every_interval():
    rng = np.random.default_rng(3)
    state = FacilitationState(se.presets.facilitation_schaffer_collateral(), 0.1, 0.25)
    t = 0.0
    for _ in range(30):
        t += float(rng.exponential(5.0))
        state.spike(t, float(rng.uniform(0.5, 1.0)))
        grid = t + np.sort(rng.uniform(0.0, 3.0, 40))
        for a, b in zip(grid[:-1], grid[1:]):
            inside = np.linspace(a, b, 9)
            assert max(state.rate(x) for x in inside) <= state.rate_bound(a, b) * (1 + 1e-12)


def test_first_spike_is_not_facilitated():
    """The XF route needs earlier spikes: a single spike gives the same run, event for event."""
    with_site = _terminal()
    without = with_site.replace(facilitation={"delta_f": 0.0})
    runs = [se.simulate(s, se.explicit([1.0]), t_end_ms=8.0, seed=11) for s in (with_site, without)]
    assert runs[0].events.equals(runs[1].events)


def test_xf_route_alone_releases_with_the_occupancy():
    """Fast sensor switched off: a primed vesicle fuses at the second spike with p = phi."""
    syn = _terminal().replace(sensor={"gamma_per_ms": 0.0, "l_plus_per_ms": 0.0})
    q = _quanta(syn, [1.0, 21.0], n_runs=25, entropy=5)
    phi = syn.facilitation.occupancy_after([20.0])
    n = q.shape[0] * syn.vesicles.n_slots
    assert q[:, 0].sum() == 0
    assert q[:, 1].sum() / n == pytest.approx(phi, abs=Z * math.sqrt(phi * (1 - phi) / n))


# -- the must-show line --------------------------------------------------------------------------
def test_paired_pulse_ratio_rises_as_release_probability_falls():
    """Lower [Ca²⁺]o lowers the first-spike p; PPR at 50 ms rises, as the expectation says."""
    times = [1.0, 51.0]
    rows = []
    # [Ca]o levels that take the first-spike p from 0.24 down to ~0.07: release grows with
    # about the fourth power of [Ca]o (Dodge & Rahamimoff 1967), so the span is narrow.
    for k, ca_o in enumerate((2.0, 1.75, 1.5, 1.25)):
        syn = _terminal(ca_ext_mM=ca_o)
        q = _quanta(syn, times, n_runs=60, entropy=100 + k)
        ppr, se_ppr = _ratio(q[:, 1], q[:, 0])
        e = _expected_quanta(syn, times)
        p1 = q[:, 0].mean() / syn.vesicles.n_slots
        rows.append((ca_o, p1, ppr, se_ppr, e[1] / e[0]))
        assert ppr == pytest.approx(e[1] / e[0], abs=Z * se_ppr), rows[-1]
    for (_, p_hi, ppr_hi, se_hi, _), (_, p_lo, ppr_lo, se_lo, _) in zip(rows, rows[1:]):
        assert p_lo < p_hi
        assert ppr_lo - ppr_hi > Z * math.hypot(se_hi, se_lo), rows


# -- depression and recovery of the pool ---------------------------------------------------------
def test_train_depression_follows_the_pool():
    """10 spikes at 20 Hz: facilitation at spike 2, then the two slots run empty."""
    times = [1.0 + 50.0 * k for k in range(10)]
    syn = _terminal()
    q = _quanta(syn, times, n_runs=40, entropy=7)
    expected = _expected_quanta(syn, times)
    mean, sem = q.mean(axis=0), q.std(axis=0, ddof=1) / math.sqrt(q.shape[0])
    assert np.all(np.abs(mean - expected) <= Z * np.maximum(sem, 0.05)), (mean, expected, sem)
    assert mean[1] - mean[0] > Z * math.hypot(sem[0], sem[1])  # paired-pulse facilitation
    assert mean[0] - mean[-1] > Z * math.hypot(sem[0], sem[-1])  # then depression


def test_recovery_from_depression_follows_docking_and_priming():
    """After a depleting train, a test spike finds the slots refilled as the chain predicts:
    ``1 - (k_p e^(-k_d t) - k_d e^(-k_p t)) / (k_p - k_d)`` for a slot emptied at time 0."""
    train = [1.0 + 10.0 * k for k in range(10)]  # 100 Hz empties most slots
    syn = _terminal()
    gaps = (100.0, 1500.0, 4000.0)
    tests = []
    for k, gap in enumerate(gaps):
        times = [*train, train[-1] + gap]
        q = _quanta(syn, times, n_runs=20, entropy=30 + k)
        e = _expected_quanta(syn, times)
        m, s = q[:, -1].mean(), q[:, -1].std(ddof=1) / math.sqrt(q.shape[0])
        assert m == pytest.approx(e[-1], abs=Z * s), (gap, m, e[-1], s)
        tests.append((m, s))
    for (m_a, s_a), (m_b, s_b) in zip(tests, tests[1:]):
        assert m_b - m_a > Z * math.hypot(s_a, s_b), tests


@pytest.mark.statistical
def test_xf_fusion_times_follow_the_route_rate():
    """Fusion times through XF against 1 - exp(-integral of its rate): the terminal's thinning
    bound over stretched horizons (the tail of each transient) must not bend the time course."""
    # Two sites, and no Ca2+ binding to the fast sensor, so that the XF route is the bound and
    # most horizons are stretched (a bound taken at the wrong end of them fails this test).
    syn = _terminal().replace(
        sensor={"gamma_per_ms": 0.0, "l_plus_per_ms": 0.0, "kon_per_uM_per_ms": 0.0},
        vesicles={"n_sites": 2})
    seeds = np.random.SeedSequence(17).spawn(400)
    times = []
    for s in seeds:
        ev = se.simulate(syn, se.explicit([1.0, 21.0]), t_end_ms=27.0, seed=s,
                         trace_dt_ms=9.0).events
        t = ev.loc[ev["kind"] == "fusion", "t_ms"].to_numpy()
        times.extend(t[t >= 21.0])
    state = FacilitationState(syn.facilitation, syn.calcium.tau_rise_ms, syn.calcium.tau_decay_ms)
    for t in (1.0, 21.0):
        state.spike(t, syn.calcium.influx_scale)
    grid = np.linspace(21.0, 27.0, 60_001)
    rate = np.array([state.rate(t) for t in grid])
    hazard = np.concatenate(([0.0], np.cumsum(0.5 * (rate[1:] + rate[:-1]) * np.diff(grid))))
    cdf = -np.expm1(-hazard)
    assert len(times) > 500
    ks = stats.kstest(np.asarray(times), lambda t: np.interp(t, grid, cdf) / cdf[-1])
    assert ks.pvalue > 0.01
