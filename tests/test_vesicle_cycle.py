"""The vesicle cycle: fusion modes, retrieval routes, refilling, pools."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import synevent as se


def cycling_synapse(**vesicles) -> se.SynapseParams:
    base = dict(n_sites=20, slots_per_site=1, n_reserve=400, k_dock_per_ms=0.05,
                k_prime_per_ms=0.5, molecules_per_vesicle=2000.0, quantal_cv=0.25,
                p_kiss_and_run=0.5, kiss_and_run_fraction=0.3, tau_retrieval_full_ms=15000.0,
                tau_retrieval_kr_ms=1000.0, tau_refill_ms=2000.0)
    base.update(vesicles)
    return se.presets.glutamatergic(vesicles=se.VesicleParams(**base), receptors=(),
                                    transporters=(), calcium={"local_peak_uM": 40.0})


@pytest.fixture(scope="module")
def long_run() -> se.Result:
    train = se.regular(20.0, 400, start_ms=10.0)  # 20 s of 20 Hz
    return se.simulate(cycling_synapse(), train, t_end_ms=60000.0, seed=77, trace_dt_ms=5.0)


@pytest.mark.statistical
@pytest.mark.slow
@pytest.mark.parametrize("route, tau", [("full", 15000.0), ("kiss_and_run", 1000.0)])
def test_retrieval_time_by_route(long_run, route, tau):
    ev = long_run.events
    fus = ev[(ev["kind"] == "fusion") & (ev["detail"] == route)].set_index("vesicle")["t_ms"]
    ret = ev[(ev["kind"] == "retrieval") & (ev["detail"] == route)]
    # Retrievals are right-truncated by the end of the run: use fusions before 20 s, whose
    # first later retrieval of the same vesicle follows Exp(tau) truncated at the remaining time.
    early = []
    for v, t in zip(fus.index, fus.to_numpy()):
        if t < 20000.0:
            later = ret[(ret["vesicle"] == v) & (ret["t_ms"] > t)]["t_ms"]
            if len(later):
                early.append(later.min() - t)
    early = np.asarray(early)
    assert early.size > 100
    horizon = 60000.0 - 20000.0
    trunc = 1 - math.exp(-horizon / tau)
    ks = stats.kstest(early, lambda x: (1 - np.exp(-x / tau)) / trunc)
    assert ks.pvalue > 0.01


@pytest.mark.statistical
def test_kiss_and_run_releases_a_binomial_part_of_a_full_vesicle():
    # Equal quanta (cv 0): refilling tops every vesicle up to q before it can dock again, so a
    # full fusion releases exactly q and a kiss-and-run fusion Binomial(q, fraction).
    q, frac = 2000, 0.3
    s = cycling_synapse(quantal_cv=0.0, tau_retrieval_full_ms=100.0, tau_retrieval_kr_ms=50.0,
                        tau_refill_ms=100.0)
    r = se.simulate(s, se.regular(20.0, 200, start_ms=1.0), t_end_ms=10000.0, seed=12,
                    trace_dt_ms=10.0)
    fus = r.events.query("kind == 'fusion'")
    full = fus[fus["detail"] == "full"]["amount"].to_numpy()
    kr = fus[fus["detail"] == "kiss_and_run"]["amount"].to_numpy()
    assert full.size > 100 and kr.size > 100
    assert (full == q).all()
    assert abs(kr.mean() - q * frac) < 4 * math.sqrt(q * frac * (1 - frac) / kr.size)
    # Chi-square on ten bins cut at the binomial's deciles (expected counts all >= 10).
    law = stats.binom(q, frac)
    cuts = np.unique(law.ppf(np.linspace(0.1, 0.9, 9)))
    idx = np.searchsorted(cuts, kr, side="left")
    obs = np.bincount(idx, minlength=cuts.size + 1)
    cdf = np.concatenate([[0.0], law.cdf(cuts), [1.0]])  # bin i: cuts[i-1] < x <= cuts[i]
    exp = np.diff(cdf) * kr.size
    assert (exp >= 10).all()
    assert stats.chisquare(obs, exp).pvalue > 0.01


def test_fusion_modes_degenerate():
    train = se.regular(20.0, 20, start_ms=1.0)
    only_full = se.simulate(cycling_synapse(p_kiss_and_run=0.0), train, t_end_ms=1100.0, seed=1)
    only_kr = se.simulate(cycling_synapse(p_kiss_and_run=1.0), train, t_end_ms=1100.0, seed=1)
    f1 = only_full.events.query("kind == 'fusion'")["detail"].astype(str)
    f2 = only_kr.events.query("kind == 'fusion'")["detail"].astype(str)
    assert len(f1) > 0 and (f1 == "full").all()
    assert len(f2) > 0 and (f2 == "kiss_and_run").all()


def test_refilling_stops_when_the_stock_runs_dry():
    # Stock of 10,000 molecules, no synthesis, no uptake: loads add up to exactly 10,000 and
    # once a refill finds the stock empty, every later refill loads nothing.
    s = cycling_synapse(stock_initial=10_000, stock_max=10_000, tau_refill_ms=50.0,
                        tau_retrieval_full_ms=50.0, tau_retrieval_kr_ms=50.0, quantal_cv=0.0)
    r = se.simulate(s, se.regular(20.0, 40, start_ms=1.0), t_end_ms=3000.0, seed=5)
    loads = r.events.query("kind == 'refill'")["amount"].to_numpy()
    assert loads.sum() == 10_000
    first_empty = int(np.argmax(np.cumsum(loads) == 10_000))
    assert (loads[first_empty + 1:] == 0).all()


@pytest.mark.statistical
def test_recovery_of_primed_pool_follows_docking_and_priming():
    # One spike with p ≈ 1 empties 200 single-slot sites; each slot then docks at k_dock and
    # primes at k_prime, so P(primed by t) = 1 - (kp e^{-kd t} - kd e^{-kp t}) / (kp - kd).
    # The count of refilled slots is Binomial(200, P(t)): compare within 4 SD at three times.
    n, kd, kp = 200, 0.01, 0.05
    s = cycling_synapse(n_sites=n, p_kiss_and_run=0.0, k_dock_per_ms=kd, k_prime_per_ms=kp,
                        n_reserve=1000)
    s = s.replace(calcium={"local_peak_uM": 400.0})
    r = se.simulate(s, se.explicit([1.0]), t_end_ms=401.0, seed=21, trace_dt_ms=1.0)
    fused = r.summary["quanta_sync"]
    assert fused >= n - 2  # essentially every primed vesicle fuses
    tr = r.traces.set_index("t_ms")
    for t in (50.0, 100.0, 300.0):
        dt = t - 1.0
        p = 1 - (kp * math.exp(-kd * dt) - kd * math.exp(-kp * dt)) / (kp - kd)
        refilled = tr.loc[t + 1.0, "primed"] - (n - fused)
        assert abs(refilled - fused * p) < 4 * math.sqrt(fused * p * (1 - p))
