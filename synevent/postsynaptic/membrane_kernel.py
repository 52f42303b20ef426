"""The membrane's Mg²⁺-blocked integration step compiled with numba, bit for bit the Python one.

With NMDA receptors open, :meth:`Membrane._evolve_nonlinear` takes exponential Rosenbrock steps
with step-doubling error control between channel events, three right-hand sides per accepted
step; a 100-synapse circuit takes about 50,000 such steps per simulated second. This module runs
the same steps over arrays, with the same operations in the same order, whenever the reaction
loops are compiled (:mod:`synevent.engine.kernel`). Its functions call only each other, so
numba's cache, keyed on this file, sees every change. It stops at a spike, which Python handles
(the spike's callbacks may schedule events), and resumes.
"""

from __future__ import annotations

import math

import numpy as np

from ..engine import loops

__all__ = ["SPIKE", "compile_loops", "evolve_nonlinear"]

#: Status of :func:`evolve_nonlinear`: reached ``t1``, or stopped at a spike at ``state[0]``.
DONE, SPIKE = 0, 1


def _unblocked(v, mg, slope, k_mm):
    return 1.0 / (1.0 + math.exp(-slope * v) * mg / k_mm)


def _step(v, h, i_lin, i_inj, g_lin, c, e, mg, gm, slope, k_mm):
    # Membrane._rhs and Membrane._step: blocked groups in the order of the Python dict.
    f = i_lin + i_inj - g_lin * v
    df = -g_lin
    for q in range(gm.shape[0]):
        b = _unblocked(v, mg[q], slope, k_mm)
        f -= gm[q] * b * (v - e[q])
        df -= gm[q] * (b + slope * b * (1.0 - b) * (v - e[q]))
    f = f / c
    df = df / c
    z = df * h
    phi = math.expm1(z) / z if abs(z) > 1e-12 else 1.0 + 0.5 * z
    return v + phi * h * f


def _evolve_nonlinear(state, t1, theta, v_reset, tol, i_lin, i_inj, g_lin, c, e, mg, gm,
                      slope, k_mm):
    """Membrane._evolve_nonlinear from ``state = [t, v, h, refractory_until]`` up to ``t1``.

    Returns :data:`DONE` (``state`` at ``t1``) or :data:`SPIKE`: ``state[0]`` is then the spike
    time and ``state[1]`` the potential there, for Python to call ``Membrane._spike``.
    """
    t, v, h, refractory_until = state[0], state[1], state[2], state[3]
    status = DONE
    while t < t1:
        if refractory_until > t:
            t = min(refractory_until, t1)
            v = v_reset
            continue
        if v >= theta:
            status = SPIKE
            break
        h = min(h, t1 - t)
        full = _step(v, h, i_lin, i_inj, g_lin, c, e, mg, gm, slope, k_mm)
        half = _step(_step(v, 0.5 * h, i_lin, i_inj, g_lin, c, e, mg, gm, slope, k_mm),
                     0.5 * h, i_lin, i_inj, g_lin, c, e, mg, gm, slope, k_mm)
        err = abs(half - full)
        if err > tol and h > 1e-9:
            h *= max(0.2, 0.9 * (tol / err) ** (1 / 3))
            continue
        if half >= theta:
            # The crossing on the step's own solution, as the Python loop locates it.
            lo, hi = 0.0, h
            for _ in range(50):
                mid = 0.5 * (lo + hi)
                if _step(_step(v, 0.5 * mid, i_lin, i_inj, g_lin, c, e, mg, gm, slope, k_mm),
                         0.5 * mid, i_lin, i_inj, g_lin, c, e, mg, gm, slope, k_mm) >= theta:
                    hi = mid
                else:
                    lo = mid
            t = t + hi
            v = theta
            status = SPIKE
            break
        t += h
        v = half
        h *= min(4.0, 0.9 * (tol / err) ** (1 / 3)) if err > 0 else 4.0
    state[0], state[1], state[2], state[3] = t, v, h, refractory_until
    return status


evolve_nonlinear = _evolve_nonlinear
_PY = (_unblocked, _step, _evolve_nonlinear)


def compile_loops() -> None:
    """Compile the stepper (once); callees first, since numba binds them by name."""
    global _unblocked, _step, _evolve_nonlinear, evolve_nonlinear
    if evolve_nonlinear is not _PY[-1]:
        return
    jit = loops.jit
    _unblocked = jit(_PY[0])
    _step = jit(_PY[1])
    _evolve_nonlinear = evolve_nonlinear = jit(_PY[2])


def blocked_arrays(g_mg: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reversal potentials, Mg²⁺ and conductances of the blocked groups, in dict order."""
    n = len(g_mg)
    e = np.empty(n)
    mg = np.empty(n)
    gm = np.empty(n)
    for q, ((eq, mq), g) in enumerate(g_mg.items()):
        e[q], mg[q], gm[q] = eq, mq, g
    return e, mg, gm
