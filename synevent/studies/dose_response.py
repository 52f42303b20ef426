"""Dose–response: a metric across concentrations, on common seeds, and a four-parameter Hill fit.

The Hill (four-parameter logistic) curve, in the convention of most pharmacology software::

    y(c) = bottom + (top − bottom) / (1 + 10^((log10 EC50 − log10 c) · slope))

``bottom ≤ top`` are the plateaus; ``slope`` is signed: positive for a response that rises with
concentration (agonist, EC50), negative for one that falls (inhibitor, IC50). At ``c = 0`` the
curve equals its low-concentration plateau (``bottom`` if rising, ``top`` if falling), so a
zero-concentration control enters the fit as the plateau it measures. The fit is done on
``log10 c`` because concentrations span decades and the EC50's uncertainty is symmetric in log.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special

from ..engine.checks import ParameterError, check_count, check_finite, check_positive
from .compare import check_metrics, run_grid
from .models import Model
from .statistics import describe

__all__ = ["DoseResponse", "HillFit", "dose_response", "fit_hill", "hill_curve"]

_LN10 = math.log(10.0)
_NAMES = ("bottom", "top", "log10_ec50", "slope")


def _logistic(
    x: np.ndarray, bottom: float, top: float, log10_ec50: float, slope: float
) -> np.ndarray:
    # expit is stable for any argument, including x = -inf (zero concentration).
    return bottom + (top - bottom) * special.expit(_LN10 * slope * (x - log10_ec50))


def _log10_conc(conc_uM: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log10(conc_uM)  # 0 → -inf on purpose: the curve's limit there is its plateau


def hill_curve(conc_uM, *, bottom: float, top: float, ec50_uM: float, slope: float) -> np.ndarray:
    """The four-parameter Hill curve at ``conc_uM`` (zero concentration allowed)."""
    c = np.asarray(conc_uM, dtype=float)
    check_positive("ec50_uM", ec50_uM)
    return _logistic(_log10_conc(c), bottom, top, math.log10(ec50_uM), slope)


@dataclass(frozen=True)
class HillFit:
    """A fitted Hill curve.

    Standard errors come from the covariance of the least-squares fit (residual variance times
    ``(JᵀJ)⁻¹``); that of the EC50 is propagated from ``log10_ec50`` (delta method), and a
    fixed parameter has SE 0. ``inf`` means the data do not determine the parameter (e.g. as
    many points as free parameters).
    """

    bottom: float
    top: float
    log10_ec50: float
    slope: float
    bottom_se: float
    top_se: float
    log10_ec50_se: float
    slope_se: float
    n_points: int
    rss: float
    fixed: tuple[str, ...] = ()

    @property
    def ec50_uM(self) -> float:
        """Concentration of the half-maximal effect."""
        return 10.0**self.log10_ec50

    @property
    def ec50_se_uM(self) -> float:
        """Standard error of the EC50 (``ec50 · ln 10 · SE(log10 EC50)``)."""
        return self.ec50_uM * _LN10 * self.log10_ec50_se

    @property
    def ic50_uM(self) -> float:
        """Alias of :attr:`ec50_uM` for inhibition curves."""
        return self.ec50_uM

    @property
    def ic50_se_uM(self) -> float:
        """Alias of :attr:`ec50_se_uM`."""
        return self.ec50_se_uM

    @property
    def increasing(self) -> bool:
        """Whether the response rises with concentration."""
        return self.slope > 0

    def predict(self, conc_uM) -> np.ndarray:
        """The fitted curve at ``conc_uM`` (zero gives the low-concentration plateau)."""
        c = np.asarray(conc_uM, dtype=float)
        return _logistic(_log10_conc(c), self.bottom, self.top, self.log10_ec50, self.slope)


def _check_concentrations(name: str, conc: np.ndarray, n_free: int) -> None:
    if conc.ndim != 1:
        raise ParameterError(f'"{name}" must be one-dimensional, got shape {conc.shape}')
    bad = conc[~np.isfinite(conc) | (conc < 0)]
    if bad.size:
        raise ParameterError(f'"{name}" must be finite and >= 0, got {float(bad[0])!r}')
    levels = np.unique(conc)
    if levels.size < n_free or np.count_nonzero(levels > 0) < 2:
        raise ParameterError(
            f'"{name}" must hold at least {max(n_free, 2)} distinct concentrations, at least 2 '
            f"of them > 0, to fit {n_free} free parameters, got {levels.tolist()}"
        )


def _initial_log_ec50(levels: np.ndarray, means: np.ndarray, mid: float) -> float:
    """Log concentration where the level means first cross the midpoint (else their median)."""
    pos = levels > 0
    x, m = np.log10(levels[pos]), means[pos]
    above = m >= mid
    for i in range(x.size - 1):
        if above[i] != above[i + 1] and m[i + 1] != m[i]:
            return float(x[i] + (mid - m[i]) * (x[i + 1] - x[i]) / (m[i + 1] - m[i]))
    return float(np.median(x))


def fit_hill(
    conc_uM,
    response,
    *,
    increasing: bool | None = None,
    fix_bottom: float | None = None,
    fix_top: float | None = None,
) -> HillFit:
    """Least-squares fit of the four-parameter Hill curve (module docstring) on log10 concentration.

    Parameters
    ----------
    conc_uM : array_like
        Concentrations (≥ 0; zero is the control). Repeat a concentration for replicates:
        fitting individual values rather than means weights each level by its replicates.
    response : array_like
        Responses, same length. NaN responses are dropped with their concentration.
    increasing : bool, optional
        Direction of the curve (sign of ``slope``); by default inferred from the mean response
        at the highest versus the lowest concentration.
    fix_bottom, fix_top : float, optional
        Hold a plateau fixed (e.g. ``fix_bottom=0`` for a full block).

    Returns
    -------
    HillFit

    Raises
    ------
    ParameterError
        Bad input; too few points (fewer than 4) or distinct concentrations.
    RuntimeError
        The fit did not converge.
    """
    c = np.asarray(conc_uM, dtype=float)
    y = np.asarray(response, dtype=float)
    if y.shape != c.shape:
        raise ParameterError(
            f'"response" must have the shape of "conc_uM" {c.shape}, got {y.shape}'
        )
    if np.isinf(y).any():
        raise ParameterError('"response" must be finite or NaN, got inf')
    keep = ~np.isnan(y)
    c, y = c[keep], y[keep]
    fixed = {k: check_finite(f"fix_{k}", v) for k, v in (("bottom", fix_bottom), ("top", fix_top))
             if v is not None}
    free = [k for k in _NAMES if k not in fixed]
    if c.size < 4:
        raise ParameterError(
            f'"conc_uM" must hold at least 4 points with a defined response, got {c.size}'
        )
    _check_concentrations("conc_uM", c, len(free))

    levels = np.unique(c)
    means = np.array([y[c == v].mean() for v in levels])
    if increasing is None:
        increasing = bool(means[-1] >= means[0])
    lo, hi = float(means.min()), float(means.max())
    start = {
        "bottom": fixed.get("bottom", lo),
        "top": fixed.get("top", hi),
        "slope": 1.0 if increasing else -1.0,
    }
    start["log10_ec50"] = _initial_log_ec50(levels, means, (start["bottom"] + start["top"]) / 2)
    x = _log10_conc(c)

    def f(xx: np.ndarray, *p: float) -> np.ndarray:
        return _logistic(xx, **{**fixed, **dict(zip(free, p))})

    def jac(xx: np.ndarray, *p: float) -> np.ndarray:
        q = {**fixed, **dict(zip(free, p))}
        g = special.expit(_LN10 * q["slope"] * (xx - q["log10_ec50"]))
        dg = g * (1.0 - g)  # 0 at x = -inf, where the curve is flat in log10_ec50 and slope
        span = q["top"] - q["bottom"]
        dx = np.where(np.isfinite(xx), xx - q["log10_ec50"], 0.0)  # avoids 0 · inf
        cols = {
            "bottom": 1.0 - g,
            "top": g,
            "log10_ec50": -span * dg * _LN10 * q["slope"],
            "slope": span * dg * _LN10 * dx,
        }
        return np.column_stack([cols[k] for k in free])

    inf = np.inf
    bounds = ([(0.0 if increasing else -inf) if k == "slope" else -inf for k in free],
              [(inf if increasing else 0.0) if k == "slope" else inf for k in free])
    try:
        with warnings.catch_warnings():
            # A covariance that cannot be estimated (no residual degrees of freedom) is
            # reported as infinite standard errors, not as a warning.
            warnings.simplefilter("ignore", optimize.OptimizeWarning)
            p, cov = optimize.curve_fit(
                f, x, y, p0=[start[k] for k in free], jac=jac, bounds=bounds, method="trf",
                ftol=1e-14, xtol=1e-14, gtol=1e-14, max_nfev=20000,
                check_finite=False,  # x = -inf at zero concentration; y was checked above
            )
    except RuntimeError as e:
        raise RuntimeError(f"the Hill fit did not converge: {e}") from e
    est = {**fixed, **dict(zip(free, (float(v) for v in p)))}
    se = {k: 0.0 for k in fixed}
    for i, k in enumerate(free):
        v = cov[i, i]
        se[k] = float(math.sqrt(v)) if np.isfinite(v) and v >= 0 else inf
    rss = float(((y - f(x, *p)) ** 2).sum())
    return HillFit(
        bottom=est["bottom"], top=est["top"], log10_ec50=est["log10_ec50"], slope=est["slope"],
        bottom_se=se["bottom"], top_se=se["top"], log10_ec50_se=se["log10_ec50"],
        slope_se=se["slope"], n_points=int(c.size), rss=rss, fixed=tuple(fixed),
    )


@dataclass
class DoseResponse:
    """The outcome of :func:`dose_response`.

    Attributes
    ----------
    table : DataFrame
        One row per concentration and replicate: ``conc_uM``, ``replicate``, ``seed_entropy``
        and the metric's column (NaN where the metric is undefined in a run).
    interventions : dict
        Concentration → the interventions that were run.
    """

    model: Model
    metric: str
    interventions: dict[float, tuple]
    n_replicates: int
    seed_entropy: Any
    table: pd.DataFrame
    increasing: bool | None = None
    fix_bottom: float | None = None
    fix_top: float | None = None

    @property
    def concentrations_uM(self) -> np.ndarray:
        """The concentrations, ascending."""
        return np.array(list(self.interventions), dtype=float)

    @cached_property
    def means(self) -> pd.DataFrame:
        """Per concentration: ``conc_uM``, ``n`` (defined values), ``mean``, ``sd``, ``sem``."""
        rows = []
        for conc, sub in self.table.groupby("conc_uM", sort=True):
            d = describe(sub[self.metric].to_numpy(dtype=float))
            rows.append({"conc_uM": conc, "n": d.n, "mean": d.mean, "sd": d.sd, "sem": d.sem})
        return pd.DataFrame(rows)

    @cached_property
    def fit(self) -> HillFit:
        """Hill fit to every replicate value (computed on first access)."""
        return fit_hill(
            self.table["conc_uM"], self.table[self.metric], increasing=self.increasing,
            fix_bottom=self.fix_bottom, fix_top=self.fix_top,
        )


def dose_response(
    model: Model,
    make_interventions: Callable[[float], Sequence],
    concentrations_uM: Sequence[float],
    *,
    metric: str,
    n_replicates: int,
    seed: int | np.random.SeedSequence | None,
    executor: Any = None,
    increasing: bool | None = None,
    fix_bottom: float | None = None,
    fix_top: float | None = None,
) -> DoseResponse:
    """Run ``model`` at each concentration on common seeds and fit a Hill curve to ``metric``.

    Parameters
    ----------
    model : Model
        As for :func:`~synevent.studies.compare.compare`.
    make_interventions : callable
        ``make_interventions(conc_uM)`` → the interventions at that concentration (``()`` for
        none). It is called here, once per concentration, in the calling process; only the
        interventions it returns travel to workers, so a lambda or closure is fine even with a
        process executor (the interventions themselves must be picklable).
    concentrations_uM : sequence of float
        Distinct concentrations ≥ 0 (0 is the control), at least 2 of them > 0.
    metric : str
        The summary key to analyse.
    n_replicates, seed, executor
        As for :func:`~synevent.studies.compare.compare`: replicate ``r`` at every
        concentration uses the same seed.
    increasing, fix_bottom, fix_top
        Passed to :func:`fit_hill`.

    Returns
    -------
    DoseResponse
    """
    if not callable(make_interventions):
        raise ParameterError(
            f'"make_interventions" must be callable as f(conc_uM), got {make_interventions!r}'
        )
    try:
        conc = np.asarray(concentrations_uM, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(
            f'"concentrations_uM" must be numbers in µM, got {concentrations_uM!r}'
        ) from None
    n_free = 4 - (fix_bottom is not None) - (fix_top is not None)
    _check_concentrations("concentrations_uM", conc, n_free)
    if np.unique(conc).size != conc.size:
        raise ParameterError(f'"concentrations_uM" must be distinct, got {conc.tolist()}')
    n_rep = check_count("n_replicates", n_replicates, minimum=1)
    if not isinstance(metric, str):
        raise ParameterError(f'"metric" must be the name of a summary key, got {metric!r}')
    levels = [float(v) for v in np.sort(conc)]
    interventions: dict[float, tuple] = {}
    for v in levels:
        ivs = make_interventions(v)
        if isinstance(ivs, (str, bytes)) or not isinstance(ivs, Sequence):
            raise ParameterError(
                f'"make_interventions({v!r})" must return a sequence of interventions, got {ivs!r}'
            )
        interventions[v] = tuple(ivs)
    runs = run_grid(
        model, list(interventions.values()), n_replicates=n_rep, seed=seed, executor=executor,
        check_first=lambda s: check_metrics(metric, s, "metric"),
    )
    table = pd.DataFrame({
        "conc_uM": np.repeat(levels, n_rep),
        "replicate": np.tile(np.arange(n_rep), len(levels)),
        "seed_entropy": [runs.root.entropy] * (len(levels) * n_rep),
        metric: [s[metric] for s in runs.summaries],
    })
    return DoseResponse(
        model=model, metric=metric, interventions=interventions, n_replicates=n_rep,
        seed_entropy=runs.root.entropy, table=table, increasing=increasing,
        fix_bottom=fix_bottom, fix_top=fix_top,
    )
