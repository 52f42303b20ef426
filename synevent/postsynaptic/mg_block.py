"""Voltage-dependent Mg²⁺ block of NMDA receptors (Jahr & Stevens 1990, J Neurosci 10:3178)."""

from __future__ import annotations

import math

from ..engine.checks import check_finite, check_nonnegative

__all__ = ["mg_unblocked_fraction"]

#: Voltage sensitivity of the block, per mV (Jahr & Stevens 1990).
MG_BLOCK_SLOPE_PER_MV = 0.062
#: [Mg²⁺]o scale of the block, mM (Jahr & Stevens 1990).
MG_BLOCK_K_MM = 3.57


def mg_unblocked_fraction(v_mV: float, mg_mM: float) -> float:
    """Fraction of open NMDA channels not blocked: ``1 / (1 + exp(-0.062 V) [Mg]o / 3.57)``."""
    v = check_finite("v_mV", v_mV)
    mg = check_nonnegative("mg_mM", mg_mM)
    return 1.0 / (1.0 + math.exp(-MG_BLOCK_SLOPE_PER_MV * v) * mg / MG_BLOCK_K_MM)
