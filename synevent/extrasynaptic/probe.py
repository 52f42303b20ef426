"""What a carbon-fibre electrode reports: fast-scan cyclic voltammetry sampling.

FSCV scans the electrode every 100 ms (10 Hz) and each scan reports the dopamine that has
adsorbed to the fibre, which follows the concentration with a first-order lag. The probe signal
here is the concentration passed through that lag (exact exponential filter of the sampled
trace) and held between scans.
"""

from __future__ import annotations

import numpy as np

from ..engine.checks import check_positive

__all__ = ["fscv_probe"]

#: Scan rate of standard FSCV (scans every 100 ms): Robinson et al. 2003 Clin Chem 49:1763.
SCAN_HZ = 10.0
#: Adsorption/response lag of a carbon-fibre electrode (assumption, order of 100 ms:
#: Bath et al. 2000 Anal Chem 72:5994 discuss electrode response distorting uptake kinetics).
RESPONSE_TAU_MS = 100.0


def fscv_probe(
    t_ms: np.ndarray, conc_uM: np.ndarray, *, scan_hz: float = SCAN_HZ, tau_ms: float = RESPONSE_TAU_MS
) -> np.ndarray:
    """The probe's reading on the grid ``t_ms`` (uniform), held between scans."""
    check_positive("scan_hz", scan_hz)
    check_positive("tau_ms", tau_ms)
    t = np.asarray(t_ms, dtype=float)
    c = np.asarray(conc_uM, dtype=float)
    if t.size < 2:
        return c.copy()
    dt = t[1] - t[0]
    a = np.exp(-dt / tau_ms)
    # First-order lag y' = (c - y)/tau, exact for a piecewise-constant input on the grid.
    from scipy.signal import lfilter

    lagged, _ = lfilter([1 - a], [1, -a], c, zi=[a * c[0]])
    period = 1000.0 / scan_hz
    scan_index = np.floor(t / period + 1e-9).astype(np.int64)
    first = np.searchsorted(scan_index, scan_index, side="left")
    return lagged[first]
