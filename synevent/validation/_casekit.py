"""Helpers shared by the clearance, neuromuscular and quantum validation cases.

Checks follow the rule of the validation set: a stochastic mean passes when
``|simulated − published| ≤ max(stated tolerance, 3·SEM)``, with the SEM taken from the run
(never widened to pass). A claim that is one-sided ("lengthens", "at least 2-fold") cannot be
written as ``|x − y| ≤ tol``; it becomes an indicator check (simulated 1 when the claim holds,
published 1, tolerance 0) whose quantity text carries the measured numbers.
"""

from __future__ import annotations

import contextlib
import math
import os
from concurrent.futures import Executor

import numpy as np

from ..parallel import optional_pool
from ..studies.statistics import Difference, paired_difference
from .registry import Check

__all__ = ["allowance", "at_least_check", "bootstrap", "ci_check", "crossing_ms", "direction_check",
           "executor", "fmt_ci", "paired_ratio", "stat_check"]


def executor(max_workers: int = 2) -> contextlib.AbstractContextManager[Executor | None]:
    """A process pool of up to ``max_workers`` (the CPUs there are), or None on one CPU.

    Results never depend on it: every run draws only from its own seed.
    """
    return optional_pool(min(max_workers, os.cpu_count() or 1))


def allowance(stated: float, sem: float) -> float:
    """``max(stated, 3·SEM)``; a NaN SEM (one value) leaves the stated tolerance."""
    return stated if not math.isfinite(sem) else max(stated, 3.0 * sem)


def stat_check(quantity: str, simulated: float, published: float, stated: float, sem: float,
               unit: str = "") -> Check:
    """A mean compared with its target at ``max(stated, 3·SEM)``."""
    return Check(quantity, float(simulated), float(published), allowance(stated, sem), unit)


def fmt_ci(d: Difference, unit: str = "", digits: int = 3) -> str:
    """``+1.23 [0.98, 1.5] unit (n = 8)``."""
    u = f" {unit}" if unit else ""
    return (f"{d.diff:+.{digits}g} [{d.ci_low:+.{digits}g}, {d.ci_high:+.{digits}g}]{u} "
            f"(n = {d.n})")


def ci_check(what: str, text: str, low: float, high: float) -> Check:
    """Indicator that a 95 % interval lies above 0: +1 above, −1 below, 0 when it contains 0
    (or is undefined); published +1, tolerance 0. ``text`` states the estimate and interval."""
    sign = 1.0 if low > 0 else (-1.0 if high < 0 else 0.0)
    return Check(f"{what}: {text}, 95 % CI above 0 (1 = yes, 0 = includes 0, -1 = below)",
                 sign, 1.0, 0.0, "")


def direction_check(what: str, treated, control, unit: str = "") -> tuple[Check, Difference]:
    """:func:`ci_check` on the paired t interval of ``treated − control``."""
    d = paired_difference(np.asarray(treated, float), np.asarray(control, float))
    return ci_check(what, f"paired difference {fmt_ci(d, unit)}", d.ci_low, d.ci_high), d


def bootstrap(stat, arrays: list[np.ndarray], n_boot: int,
              seed: int | np.random.SeedSequence) -> np.ndarray:
    """``stat`` of the replicate means, recomputed on ``n_boot`` resamples of the replicates
    (rows, drawn jointly for all ``arrays``: pairs stay paired). The generator serves the
    resampling only; the runs have their own seeds."""
    rng = np.random.default_rng(seed)
    n = arrays[0].shape[0]
    out = []
    for _ in range(n_boot):
        i = rng.integers(0, n, n)
        out.append(stat(*(a[i].mean(axis=0) for a in arrays)))
    return np.asarray(out, dtype=float)


def at_least_check(what: str, value: float, sem: float, bound: float, unit: str = "") -> Check:
    """Indicator that ``value`` reaches ``bound`` within 3 SEM (``value + 3·SEM ≥ bound``)."""
    ok = math.isfinite(value) and value + 3.0 * (sem if math.isfinite(sem) else 0.0) >= bound
    u = f" {unit}" if unit else ""
    q = f"{what}: {value:.3g} ± {sem:.2g}{u} (SEM), at least {bound:g}{u} (1 = yes)"
    return Check(q, 1.0 if ok else 0.0, 1.0, 0.0, "")


def paired_ratio(treated, control) -> tuple[float, float, int]:
    """Ratio of means ``mean(t)/mean(c)`` over pairs with both defined, with its delta-method
    SE (which uses the pairs' covariance), and the number of pairs."""
    t, c = np.asarray(treated, float), np.asarray(control, float)
    keep = np.isfinite(t) & np.isfinite(c)
    t, c = t[keep], c[keep]
    n = int(t.size)
    if n < 2 or c.mean() == 0:
        return float("nan"), float("nan"), n
    r = t.mean() / c.mean()
    cov = np.cov(t, c, ddof=1)
    var = (cov[0, 0] - 2 * r * cov[0, 1] + r * r * cov[1, 1]) / n / c.mean() ** 2
    return float(r), float(math.sqrt(max(var, 0.0))), n


def crossing_ms(t: np.ndarray, x: np.ndarray, start: int, level: float) -> float:
    """First time after index ``start`` at which ``x`` falls to ``level`` (linear
    interpolation between grid points); NaN if it never does."""
    below = np.nonzero(x[start:] <= level)[0]
    if below.size == 0:
        return float("nan")
    j = start + int(below[0])
    if j == 0 or x[j - 1] == x[j]:
        return float(t[j])
    return float(t[j - 1] + (x[j - 1] - level) / (x[j - 1] - x[j]) * (t[j] - t[j - 1]))
