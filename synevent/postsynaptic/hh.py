"""Hodgkin & Huxley (1952, J Physiol 117:500) gating kinetics on an absolute voltage scale.

Rates per ms at 6.3 °C with the resting potential at −65 mV (the original paper measured
depolarisation from rest, with the opposite sign convention).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["hh_derivatives", "hh_rates", "hh_steady_state"]


def _linoid(x: float, scale: float) -> float:
    # x / (1 - exp(-x/scale)), continuous at x = 0 where it equals scale.
    if abs(x) < 1e-7:
        return scale + 0.5 * x
    return x / -math.expm1(-x / scale)


def hh_rates(v_mV: float) -> tuple[float, float, float, float, float, float]:
    """``(alpha_m, beta_m, alpha_h, beta_h, alpha_n, beta_n)`` in 1/ms at ``v_mV``."""
    am = 0.1 * _linoid(v_mV + 40.0, 10.0)
    bm = 4.0 * math.exp(-(v_mV + 65.0) / 18.0)
    ah = 0.07 * math.exp(-(v_mV + 65.0) / 20.0)
    bh = 1.0 / (1.0 + math.exp(-(v_mV + 35.0) / 10.0))
    an = 0.01 * _linoid(v_mV + 55.0, 10.0)
    bn = 0.125 * math.exp(-(v_mV + 65.0) / 80.0)
    return am, bm, ah, bh, an, bn


def hh_steady_state(v_mV: float) -> tuple[float, float, float]:
    """Gates ``(m, h, n)`` at steady state for ``v_mV``."""
    am, bm, ah, bh, an, bn = hh_rates(v_mV)
    return am / (am + bm), ah / (ah + bh), an / (an + bn)


def hh_derivatives(
    y: Sequence[float],
    g_nS: tuple[float, float],
    e_mV: tuple[float, float],
    g_leak_nS: float,
    e_leak_mV: float,
    c_pF: float,
    i_in_pA: float,
) -> np.ndarray:
    """Time derivatives of ``(V, m, h, n)``; ``i_in_pA`` is all other current into the cell."""
    v, m, h, n = y
    am, bm, ah, bh, an, bn = hh_rates(v)
    i_ion = (
        g_nS[0] * m**3 * h * (v - e_mV[0])
        + g_nS[1] * n**4 * (v - e_mV[1])
        + g_leak_nS * (v - e_leak_mV)
    )
    return np.array([
        (i_in_pA - i_ion) / c_pF,
        am * (1 - m) - bm * m,
        ah * (1 - h) - bh * h,
        an * (1 - n) - bn * n,
    ])
