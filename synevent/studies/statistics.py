"""Summary statistics for replicated runs: means with t intervals, paired and Welch differences,
Hedges' g.

Pure functions of arrays. NaN entries (a metric undefined in a run, e.g. a decay time after a
failure) are dropped and the count that remains is reported; a statistic that needs more data
than is left is NaN rather than an error, so one degenerate metric never stops a study.
"""

from __future__ import annotations

import math
import warnings
from typing import NamedTuple

import numpy as np
from scipy import special, stats

from ..engine.checks import ParameterError

__all__ = [
    "Description",
    "Difference",
    "describe",
    "hedges_g",
    "mean_ci",
    "paired_difference",
    "ratio_of_means",
    "welch_difference",
]

NAN = float("nan")


class Description(NamedTuple):
    """Count, mean, sample SD (ddof = 1), SEM and the t interval of the mean."""

    n: int
    mean: float
    sd: float
    sem: float
    ci_low: float
    ci_high: float


class Difference(NamedTuple):
    """A treated − control difference with its t interval and two-sided p-value.

    ``test`` is ``"paired"`` (per-replicate differences, :func:`scipy.stats.ttest_rel`) or
    ``"welch"`` (unequal variances, :func:`scipy.stats.ttest_ind` with ``equal_var=False``).
    """

    n: int
    diff: float
    ci_low: float
    ci_high: float
    p_value: float
    test: str


def _clean(name: str, x) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    if a.ndim != 1:
        raise ParameterError(f'"{name}" must be one-dimensional, got shape {a.shape}')
    return a[~np.isnan(a)]


def _check_level(level: float) -> float:
    if not 0.0 < level < 1.0:
        raise ParameterError(f'"level" must be in (0, 1), got {level!r}')
    return float(level)


def _interval(level: float, df: float, centre: float, scale: float) -> tuple[float, float]:
    """``centre ± t_{df} · scale``; a zero scale gives the point (scipy refuses scale 0)."""
    if not df > 0 or math.isnan(scale):
        return NAN, NAN
    if scale == 0.0:
        return centre, centre
    low, high = stats.t.interval(level, df, loc=centre, scale=scale)
    return float(low), float(high)


def mean_ci(x, level: float = 0.95) -> tuple[float, float]:
    """Student-t confidence interval of the mean of ``x`` (NaNs dropped).

    Equals ``scipy.stats.t.interval(level, n - 1, loc=mean, scale=sem)``; NaN for fewer than
    two values, and the point ``(mean, mean)`` when every value is equal.
    """
    d = describe(x, level)
    return d.ci_low, d.ci_high


def describe(x, level: float = 0.95) -> Description:
    """Count, mean, SD, SEM and the t interval of the mean of ``x`` (NaNs dropped)."""
    level = _check_level(level)
    a = _clean("x", x)
    n = int(a.size)
    if n == 0:
        return Description(0, NAN, NAN, NAN, NAN, NAN)
    mean = float(a.mean())
    if n == 1:
        return Description(1, mean, NAN, NAN, NAN, NAN)
    sd = float(a.std(ddof=1))
    sem = sd / math.sqrt(n)
    low, high = _interval(level, n - 1, mean, sem)
    return Description(n, mean, sd, sem, low, high)


def hedges_g(treated, control) -> float:
    """Standardised mean difference with the pooled SD and the exact small-sample correction.

    ``g = J(df) · (mean_t − mean_c) / s_p`` with
    ``s_p² = ((n_t − 1) s_t² + (n_c − 1) s_c²) / df``, ``df = n_t + n_c − 2`` and
    ``J(df) = Γ(df/2) / (√(df/2) · Γ((df − 1)/2))`` (Hedges 1981; close to the usual
    approximation ``1 − 3/(4 df − 1)``).
    The pooled SD is that of the groups, not of the paired differences, so ``g`` is comparable
    with unpaired studies. NaN when ``df < 2`` or both groups are constant.
    """
    t, c = _clean("treated", treated), _clean("control", control)
    df = t.size + c.size - 2
    if df < 2 or t.size == 0 or c.size == 0:
        return NAN
    ss = ((t - t.mean()) ** 2).sum() + ((c - c.mean()) ** 2).sum()
    s_p = math.sqrt(ss / df)
    if s_p == 0.0:
        return NAN
    j = math.exp(special.gammaln(df / 2) - special.gammaln((df - 1) / 2)) / math.sqrt(df / 2)
    return float(j * (t.mean() - c.mean()) / s_p)


def _p_value(test, *args, **kwargs) -> float:
    with warnings.catch_warnings():
        # Degenerate inputs are screened before; this only silences scipy's precision notes.
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(test(*args, **kwargs).pvalue)


def paired_difference(treated, control, level: float = 0.95) -> Difference:
    """Mean of per-pair differences ``treated[i] − control[i]`` with its t interval and p-value.

    Pairs with a NaN on either side are dropped. The interval and p-value equal those of
    :func:`scipy.stats.ttest_rel`; the p-value is NaN when all differences are equal (the t
    statistic is undefined), and the interval is then the point itself.
    """
    level = _check_level(level)
    t, c = np.asarray(treated, dtype=float), np.asarray(control, dtype=float)
    if t.shape != c.shape or t.ndim != 1:
        raise ParameterError(
            '"treated" and "control" must be 1-D of equal length, '
            f"got shapes {t.shape} and {c.shape}"
        )
    keep = ~(np.isnan(t) | np.isnan(c))
    t, c = t[keep], c[keep]
    d = describe(t - c, level)
    if d.n < 2:
        return Difference(d.n, d.mean, NAN, NAN, NAN, "paired")
    p = _p_value(stats.ttest_rel, t, c) if d.sd > 0 else NAN
    return Difference(d.n, d.mean, d.ci_low, d.ci_high, p, "paired")


def welch_difference(treated, control, level: float = 0.95) -> Difference:
    """Difference of means with the Welch–Satterthwaite t interval and Welch's p-value.

    NaNs are dropped from each group; ``n`` is the total count. The interval and p-value equal
    those of ``scipy.stats.ttest_ind(treated, control, equal_var=False)``.
    """
    level = _check_level(level)
    t, c = _clean("treated", treated), _clean("control", control)
    n = int(t.size + c.size)
    if t.size == 0 or c.size == 0:
        return Difference(n, NAN, NAN, NAN, NAN, "welch")
    diff = float(t.mean() - c.mean())
    if t.size < 2 or c.size < 2:
        return Difference(n, diff, NAN, NAN, NAN, "welch")
    vt, vc = t.var(ddof=1) / t.size, c.var(ddof=1) / c.size
    se = math.sqrt(vt + vc)
    if se == 0.0:
        return Difference(n, diff, diff, diff, NAN, "welch")
    df = (vt + vc) ** 2 / (vt**2 / (t.size - 1) + vc**2 / (c.size - 1))
    low, high = _interval(level, df, diff, se)
    p = _p_value(stats.ttest_ind, t, c, equal_var=False)
    return Difference(n, diff, low, high, p, "welch")


def ratio_of_means(treated_mean: float, control_mean: float) -> float:
    """``treated_mean / control_mean``; NaN when the control mean is 0 or NaN."""
    if control_mean == 0 or math.isnan(control_mean):
        return NAN
    return float(treated_mean / control_mean)
