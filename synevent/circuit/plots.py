"""Figures of circuit runs: membrane potential, spike rasters, summation overlays (matplotlib)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .result import CircuitResult

__all__ = ["plot_membrane", "plot_raster", "plot_summation"]


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(6, 3))
    return ax


def plot_membrane(result: CircuitResult, neuron: str, *, ax=None, threshold: bool = True,
                  label: str | None = None, **line_kw):
    """Membrane potential of ``neuron`` with its spikes marked (and its threshold, for LIF)."""
    ax = _axes(ax)
    t = result.traces["t_ms"].to_numpy()
    v = result.voltage(neuron)
    (line,) = ax.plot(t, v, label=label or neuron, **line_kw)
    spikes = result.neuron_spikes[neuron]
    params = result.circuit.neurons[neuron].params
    if spikes.size:
        top = 30.0 if params.model == "hh" else params.v_threshold_mV + 20.0
        ax.vlines(spikes, params.v_threshold_mV if params.model == "lif" else 0.0, top,
                  color=line.get_color(), lw=1.0)
    if threshold and params.model == "lif":
        ax.axhline(params.v_threshold_mV, color="0.6", ls=":", lw=0.8)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("membrane potential (mV)")
    return ax


def plot_raster(result: CircuitResult, *, ax=None, sources: Sequence[str] | None = None):
    """Spike raster (``eventplot``): one row per input fibre and neuron, neurons on top."""
    ax = _axes(ax)
    rows = dict(result.input_spikes)
    rows.update(result.neuron_spikes)
    names = list(rows) if sources is None else list(sources)
    colours = ["C0" if n in result.input_spikes else "C3" for n in names]
    ax.eventplot([np.asarray(rows[n]) for n in names], colors=colours, lineoffsets=np.arange(len(names)),
                 linelengths=0.8, linewidths=0.8)
    if len(names) <= 20:
        ax.set_yticks(np.arange(len(names)), names)
    else:
        ax.set_ylabel(f"{len(names)} sources (inputs blue, neurons red)")
    ax.set_xlim(0, result.t_end_ms)
    ax.set_xlabel("time (ms)")
    return ax


def plot_summation(results: Mapping[str, CircuitResult], neuron: str, *, ax=None):
    """Membrane potential of ``neuron`` under several conditions, overlaid (one run each)."""
    ax = _axes(ax)
    for k, (label, r) in enumerate(results.items()):
        plot_membrane(r, neuron, ax=ax, threshold=k == 0, label=label, color=f"C{k}")
    ax.legend(fontsize=7)
    return ax
