"""What a circuit run returns: spikes, membrane traces, every synapse's result, one event log."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from ..engine.log import EVENT_COLUMNS, EventLog, text_category
from ..results import Result
from .circuit import Circuit

__all__ = ["CircuitResult"]


@dataclass
class CircuitResult:
    """The outcome of :meth:`Circuit.run`.

    Attributes
    ----------
    input_spikes, neuron_spikes : dict of str to ndarray
        Spike times (ms) of every input fibre and every neuron.
    synapses : dict of str to Result
        Each synapse's own result (its event log, fate table, summary).
    traces : DataFrame
        ``t_ms`` and, per neuron, ``<name>.V_mV``, ``<name>.g_syn_nS``, ``<name>.i_syn_pA``
        (synaptic current, inward negative); a neuron with retrograde signalling adds
        ``<name>.ca_uM``, ``<name>.ecb_uM``, ``<name>.cb1_occupancy`` and ``<name>.cb1_factor``
        (the Ca²⁺-entry factor its CB1 terminals apply).
    """

    circuit: Circuit
    t_end_ms: float
    trace_dt_ms: float
    input_spikes: dict[str, np.ndarray]
    neuron_spikes: dict[str, np.ndarray]
    neuron_traces: dict[str, dict[str, np.ndarray]]
    synapses: dict[str, Result]
    neuron_log: EventLog
    provenance: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def traces(self) -> pd.DataFrame:
        cols: dict[str, np.ndarray] = {}
        for name, tr in self.neuron_traces.items():
            for key, values in tr.items():
                cols[f"{name}.{key}"] = values
        n = len(next(iter(cols.values()))) if cols else 0
        return pd.DataFrame({"t_ms": np.arange(n) * self.trace_dt_ms, **cols})

    def voltage(self, neuron: str) -> np.ndarray:
        """Membrane potential of ``neuron`` on the trace grid (mV)."""
        return self._trace(neuron)["V_mV"]

    def _trace(self, neuron: str) -> dict[str, np.ndarray]:
        try:
            return self.neuron_traces[neuron]
        except KeyError:
            raise KeyError(f'unknown neuron "{neuron}"; neurons are {sorted(self.neuron_traces)}') from None

    @cached_property
    def spikes(self) -> pd.DataFrame:
        """Every input and neuron spike: ``t_ms``, ``source``, ``kind`` (input / neuron)."""
        parts = [
            pd.DataFrame({"t_ms": t, "source": name, "kind": kind})
            for kind, group in (("input", self.input_spikes), ("neuron", self.neuron_spikes))
            for name, t in group.items()
        ]
        df = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["t_ms", "source", "kind"])
        df = df.sort_values("t_ms", kind="stable", ignore_index=True)
        df["source"] = df["source"].astype("category")
        df["kind"] = df["kind"].astype("category")
        return df

    @cached_property
    def events(self) -> pd.DataFrame:
        """One event log for the whole circuit (each synapse's components are prefixed with
        its name, ``"ca3_0->ca1#0.terminal"``; neuron spikes have the neuron as component)."""
        parts = [self.neuron_log.to_frame()] + [r.log.to_frame() for r in self.synapses.values()]
        parts = [p.astype({c: str for c, d in EVENT_COLUMNS.items() if d == "category"}) for p in parts]
        df = pd.concat(parts, ignore_index=True).sort_values("t_ms", kind="stable", ignore_index=True)
        for col, dtype in EVENT_COLUMNS.items():
            if dtype == "category":
                df[col] = text_category(df[col])
        return df

    @property
    def conserved(self) -> bool:
        """Every synapse's molecules balanced at every recorded time."""
        return all(bool(r.fate_table()["balanced"].all()) for r in self.synapses.values())

    def synapse_table(self) -> pd.DataFrame:
        """One row per synapse: its name, source, target and summary."""
        rows = []
        for name, r in self.synapses.items():
            pre, rest = name.split("->", 1)
            rows.append({"synapse": name, "pre": pre, "post": rest.split("#")[0],
                         **{k: v for k, v in r.summary.items() if not k.startswith(("psc_", "clearance_", "peak_free"))}})
        return pd.DataFrame(rows)

    @cached_property
    def summary(self) -> dict[str, float]:
        """Spike counts and rates of every neuron, and the circuit's release totals.

        A property, like :attr:`Result.summary`: ``run.summary["post.n_spikes"]``.
        """
        out: dict[str, float] = {}
        for name, t in self.neuron_spikes.items():
            out[f"{name}.n_spikes"] = int(len(t))
            out[f"{name}.rate_hz"] = len(t) / self.t_end_ms * 1000.0
            v = self.voltage(name)
            out[f"{name}.v_max_mV"] = float(v.max()) if v.size else float("nan")
        out["n_synapses"] = len(self.synapses)
        out["n_input_spikes"] = int(sum(len(t) for t in self.input_spikes.values()))
        out["quanta"] = int(sum(len(r.fusions()) for r in self.synapses.values()))
        out["conserved"] = self.conserved
        return out
