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
@pytest.mark.slow
def test_kiss_and_run_releases_part_of_the_content(long_run):
    ev = long_run.events
    kr = ev[(ev["kind"] == "fusion") & (ev["detail"] == "kiss_and_run")]["amount"].to_numpy()
    full = ev[(ev["kind"] == "fusion") & (ev["detail"] == "full")]["amount"].to_numpy()
    assert kr.size > 100 and full.size > 100
    # Full fusions release the whole content: mean q within 4 SE (gamma, CV 0.25).
    q, cv = 2000.0, 0.25
    assert abs(full.mean() - q) < 4 * q * cv / math.sqrt(full.size)
    # Kiss-and-run releases a binomial 30 % of what is in the vesicle.
    assert kr.mean() == pytest.approx(0.3 * q, rel=0.1)
    assert (kr < full.max()).all()


def test_fusion_modes_degenerate():
    train = se.regular(20.0, 20, start_ms=1.0)
    only_full = se.simulate(cycling_synapse(p_kiss_and_run=0.0), train, t_end_ms=1100.0, seed=1)
    only_kr = se.simulate(cycling_synapse(p_kiss_and_run=1.0), train, t_end_ms=1100.0, seed=1)
    f1 = only_full.events.query("kind == 'fusion'")["detail"].astype(str)
    f2 = only_kr.events.query("kind == 'fusion'")["detail"].astype(str)
    assert len(f1) > 0 and (f1 == "full").all()
    assert len(f2) > 0 and (f2 == "kiss_and_run").all()


def test_pools_are_conserved_and_refill_from_stock():
    s = cycling_synapse(stock_initial=10_000, stock_max=10_000, tau_refill_ms=50.0,
                        tau_retrieval_full_ms=50.0, tau_retrieval_kr_ms=50.0)
    r = se.simulate(s, se.regular(20.0, 40, start_ms=1.0), t_end_ms=3000.0, seed=5)
    ev = r.events
    loaded = ev.loc[ev["kind"] == "refill", "amount"].sum()
    assert 0 < loaded <= 10_000  # refills stop when the stock runs dry
    fails = ev[(ev["kind"] == "refill") & (ev["amount"] == 0)]
    assert loaded == 10_000 or len(fails) == 0


def test_depletion_and_recovery_follow_docking_rate():
    # 100 single-slot sites, p high: a 100 Hz train empties the primed pool; refilling
    # takes 1/k_dock + 1/k_prime on average per slot.
    s = cycling_synapse(n_sites=100, p_kiss_and_run=0.0, k_dock_per_ms=0.01, k_prime_per_ms=1.0)
    r = se.simulate(s, se.regular(100.0, 20, start_ms=1.0), t_end_ms=400.0, seed=2)
    q = r.quanta_per_spike()
    assert q[0] > 3 * q[-5:].mean()
