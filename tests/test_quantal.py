"""V-01: binomial quantal release from independent sites with the mechanistic sensor."""

from __future__ import annotations

import dataclasses
import functools
import math

import numpy as np
import pytest

import synevent as se

N_TRIALS = 1000


@functools.cache
def quanta(n_sites: int, p: float, seed: int) -> np.ndarray:
    """Synchronous quanta after one spike, for N_TRIALS independent runs."""
    sensor = se.presets.sensor_five_site()
    calcium = se.CalciumParams(tau_rise_ms=0.1, tau_decay_ms=0.25)
    peak = se.calibrate_local_peak(sensor, calcium, p, window_ms=5.0)
    assert se.release_probability(sensor, se.CalciumParams(
        local_peak_uM=peak, tau_rise_ms=0.1, tau_decay_ms=0.25)) == pytest.approx(p, rel=1e-6)
    syn = se.SynapseParams(
        name="binomial", transmitter="T", animal="none", temperature_C=23.0,
        calcium=se.CalciumParams(local_peak_uM=peak, tau_rise_ms=0.1, tau_decay_ms=0.25),
        sensor=sensor,
        vesicles=se.VesicleParams(n_sites=n_sites, slots_per_site=1, n_reserve=0,
                                  k_dock_per_ms=0.0, molecules_per_vesicle=1.0, quantal_cv=0.0),
        sync_window_ms=5.0,
    )
    stim = se.explicit([1.0])
    out = np.empty(N_TRIALS, dtype=int)
    for i, s in enumerate(np.random.SeedSequence(seed).spawn(N_TRIALS)):
        out[i] = se.simulate(syn, stim, t_end_ms=6.0, seed=s, trace_dt_ms=1.0).quanta_per_spike()[0]
    return out


@pytest.mark.statistical
@pytest.mark.slow
def test_v01_high_p_variance_is_binomial():
    n, p = 50, 0.85
    q = quanta(n, p, 101)
    m, var = q.mean(), q.var(ddof=1)
    assert abs(m - n * p) <= 3 * math.sqrt(n * p * (1 - p) / q.size)
    # V-01: var ≈ 6.4 within ±15 % (or 3 SE of the sample variance, whichever is larger).
    target = n * p * (1 - p)
    tol = max(0.15 * target, 3 * target * math.sqrt(2.0 / (q.size - 1)))
    assert abs(var - target) <= tol
    # A Poisson law would put the variance at the mean (42.5): far outside.
    assert var < 0.5 * m


@pytest.mark.statistical
@pytest.mark.slow
def test_v01_low_p_failures():
    n, p = 100, 0.01
    q = quanta(n, p, 202)
    failures = (q == 0).mean()
    target = (1 - p) ** n
    tol = max(0.02, 3 * math.sqrt(target * (1 - target) / q.size))
    assert abs(failures - target) <= tol


def test_endplate_site_is_one_fiftieth_of_the_lumped_endplate():
    """neuromuscular_site: same densities, rates and release; area, counts and reserve / 50."""
    whole, site = se.presets.neuromuscular(), se.presets.neuromuscular_site()
    assert whole.vesicles.n_sites == 50 and site.vesicles.n_sites == 1
    assert site.vesicles.n_reserve * 50 == whole.vesicles.n_reserve
    assert site.receptors[0].n * 50 == whole.receptors[0].n == 500_000
    assert site.enzymes[0].n * 50 == whole.enzymes[0].n == 150_000
    assert site.cleft.volume_L * 50 == pytest.approx(whole.cleft.volume_L, rel=1e-12)
    assert site.receptors[0].scheme == whole.receptors[0].scheme
    assert dataclasses.replace(site.enzymes[0], n=0) == dataclasses.replace(whole.enzymes[0], n=0)
    for block in ("calcium", "sensor", "facilitation"):
        assert getattr(site, block) == getattr(whole, block)
    assert (dataclasses.replace(site.vesicles, n_sites=1, n_reserve=0)
            == dataclasses.replace(whole.vesicles, n_sites=1, n_reserve=0))
    assert (site.cleft.height_nm, site.cleft.diffusion_um2_per_ms, site.v_hold_mV) == (
        whole.cleft.height_nm, whole.cleft.diffusion_um2_per_ms, whole.v_hold_mV)
    assert se.release_probability(site.sensor, site.calcium) == pytest.approx(0.85, abs=5e-4)
