"""Release probability of a primed vesicle for one spike, from the sensor's master equation.

Used to report what a preset's Ca²⁺ signal implies, and to set the local Ca²⁺ peak of a
preparation where only the release probability has been measured.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..engine.checks import check_positive, check_probability
from .calcium import CalciumParams, CalciumState
from .sensor import SensorParams, fusion_time_cdf

__all__ = ["calibrate_local_peak", "release_probability"]


def release_probability(
    sensor: SensorParams, calcium: CalciumParams, window_ms: float = 5.0
) -> float:
    """P(a primed vesicle at binding equilibrium at rest fuses within ``window_ms`` of a spike)."""
    window = check_positive("window_ms", window_ms)
    state = CalciumState(calcium)
    state.spike(0.0)
    p0 = np.zeros(sensor.n_sites + 2)
    p0[:-1] = sensor.resting_distribution(calcium.ca_rest_uM)
    return float(fusion_time_cdf(sensor, state.ca, np.array([0.0, window]), p0=p0)[-1])


def calibrate_local_peak(
    sensor: SensorParams, calcium: CalciumParams, p_target: float, window_ms: float = 5.0
) -> float:
    """The ``local_peak_uM`` that gives release probability ``p_target`` (scipy's brentq)."""
    from scipy.optimize import brentq

    p = check_probability("p_target", p_target)
    if not 0.0 < p < 1.0:
        raise ValueError(f'"p_target" must be in (0, 1) for calibration, got {p_target!r}')

    def f(peak: float) -> float:
        c = dataclasses.replace(calcium, local_peak_uM=peak)
        return release_probability(sensor, c, window_ms) - p

    return float(brentq(f, 0.1, 2000.0, xtol=1e-6))
