"""Matplotlib figures for comparisons and dose–response curves.

matplotlib is imported inside the functions, so ``import synevent`` works without it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine.checks import ParameterError, check_choice
from .compare import Comparison
from .dose_response import DoseResponse

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_dose_response", "plot_traces"]

#: Where the zero-concentration control is drawn, in decades below the lowest positive one.
ZERO_OFFSET_DECADES = 1.0


def _axes(ax: Any) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots()[1]


def plot_traces(
    comparison: Comparison,
    column: str,
    *,
    ax: Axes | None = None,
    conditions: Sequence[str] | None = None,
    alpha: float = 0.25,
) -> Axes:
    """Mean ± SD across replicates of one trace column, one line and band per condition.

    Parameters
    ----------
    comparison : Comparison
        From :func:`~synevent.studies.compare.compare` (with ``column`` among its traces).
    column : str
        Trace column, e.g. ``"glu_free_uM"`` or ``"current_pA"``.
    ax : matplotlib Axes, optional
        Drawn into a new figure when omitted.
    conditions : sequence of str, optional
        Conditions to draw, in this order; default all.
    alpha : float
        Opacity of the SD bands.

    Returns
    -------
    matplotlib Axes
        With one line (the mean) and one filled band (± SD; empty with a single replicate)
        per condition.
    """
    names = list(comparison.conditions) if conditions is None else list(conditions)
    if not names:
        raise ParameterError(f'"conditions" must name at least one condition, got {conditions!r}')
    for name in names:
        check_choice("conditions", name, list(comparison.conditions))
    band = comparison.trace_band(column)
    ax = _axes(ax)
    for name in names:
        b = band[band["condition"] == name]
        t, m, sd = b["t_ms"].to_numpy(), b["mean"].to_numpy(), b["sd"].to_numpy()
        (line,) = ax.plot(t, m, label=name)
        ax.fill_between(t, m - sd, m + sd, color=line.get_color(), alpha=alpha, linewidth=0)
    ax.set_xlabel("t (ms)")
    ax.set_ylabel(column)
    ax.legend(title=f"mean ± SD, n = {comparison.n_replicates}")
    return ax


def plot_dose_response(
    dr: DoseResponse,
    *,
    ax: Axes | None = None,
    zero: str = "marker",
    fit: bool = True,
) -> Axes:
    """Per-concentration mean ± SEM on a log concentration axis, with the Hill fit.

    Parameters
    ----------
    dr : DoseResponse
        From :func:`~synevent.studies.dose_response.dose_response`.
    ax : matplotlib Axes, optional
        Drawn into a new figure when omitted.
    zero : {"marker", "omit"}
        A log axis has no zero. ``"marker"`` draws the zero-concentration control as an open
        square one decade below the lowest positive concentration (labelled "0 µM" in the
        legend; its x position carries no meaning); ``"omit"`` leaves it out.
    fit : bool
        Draw the Hill fit (:attr:`DoseResponse.fit`) over the positive concentrations, with
        half a decade of margin.

    Returns
    -------
    matplotlib Axes
        With one error-bar container per group of points (positive concentrations, and the
        control when drawn) and one line for the fit.
    """
    check_choice("zero", zero, ["marker", "omit"])
    means = dr.means
    pos = means[means["conc_uM"] > 0]
    ctrl = means[means["conc_uM"] == 0]
    ax = _axes(ax)
    ax.errorbar(pos["conc_uM"], pos["mean"], yerr=pos["sem"], fmt="o", capsize=3,
                label="mean ± SEM")
    lo, hi = float(pos["conc_uM"].min()), float(pos["conc_uM"].max())
    if zero == "marker" and len(ctrl):
        x0 = lo / 10.0**ZERO_OFFSET_DECADES
        ax.errorbar([x0], ctrl["mean"], yerr=ctrl["sem"], fmt="s", mfc="none", capsize=3,
                    color="0.3", label="0 µM (control)")
    if fit:
        f = dr.fit
        grid = np.logspace(np.log10(lo) - 0.5, np.log10(hi) + 0.5, 200)
        name = "EC50" if f.increasing else "IC50"
        label = f"Hill fit: {name} {f.ec50_uM:.3g} µM, n_H {f.slope:.2f}"
        ax.plot(grid, f.predict(grid), label=label)
    ax.set_xscale("log")
    ax.set_xlabel("concentration (µM)")
    ax.set_ylabel(dr.metric)
    ax.legend()
    return ax
