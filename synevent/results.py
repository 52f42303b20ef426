"""What a run returns: the event log, sampled traces, a summary and provenance."""

from __future__ import annotations

import platform
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from ._version import __version__
from .cleft.cleft import FATES
from .engine.kernel import kernel_name
from .engine.log import EventLog, LogLevel
from .engine.network import ReactionNetwork, molecules_per_uM
from .engine.random import RandomStream
from .postsynaptic.mg_block import mg_unblocked_fraction
from .synapse import SynapseParams

__all__ = ["Result", "cumulative_on_grid", "fate_table", "provenance"]


def cumulative_on_grid(times_ms: np.ndarray, amounts: np.ndarray, t_grid: np.ndarray) -> np.ndarray:
    """Sum of ``amounts`` whose time is at or before each grid time."""
    times_ms = np.asarray(times_ms, dtype=float)
    order = np.argsort(times_ms, kind="stable")
    cum = np.concatenate([[0], np.cumsum(np.asarray(amounts, dtype=np.int64)[order])])
    return cum[np.searchsorted(times_ms[order], t_grid, side="right")]


def fate_table(fates: dict[str, tuple[str, int]], trace: np.ndarray, network: ReactionNetwork,
               t_ms: np.ndarray, released: np.ndarray) -> pd.DataFrame:
    """Released molecules by fate at every grid time, and whether they add up exactly."""
    out = {f: np.zeros(trace.shape[0], dtype=np.int64) for f in FATES}
    for sp, (fate, k) in fates.items():
        out[fate] += k * trace[:, network.index(sp)]
    df = pd.DataFrame({"t_ms": t_ms, **out})
    df["released"] = released
    df["balanced"] = df[list(FATES)].sum(axis=1) == df["released"]
    return df


def provenance(synapse, stimulus, t_end_ms, rs: RandomStream, level: LogLevel, dt: float,
               drugs=None) -> dict:
    """Everything needed to reproduce a run."""
    import dataclasses

    import simpy

    return {
        "synevent_version": __version__,
        "seed_entropy": rs.entropy,
        "seed_spawn_key": list(rs.seed_sequence.spawn_key),
        "t_end_ms": t_end_ms,
        "trace_dt_ms": dt,
        "log_level": level.name.lower(),
        "stimulus": None
        if stimulus is None
        else {"kind": stimulus.kind, **stimulus.spec, "conduction_delay_ms": stimulus.conduction_delay_ms},
        "synapse": synapse.to_dict(),
        "interventions": [
            {"kind": iv.kind, **dataclasses.asdict(iv)} for iv in (drugs.interventions if drugs else [])
        ],
        "interventions_not_applicable": list(drugs.skipped) if drugs else [],
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "simpy": simpy.__version__,
        "kernel": kernel_name(),
    }


@dataclass
class Result:
    """The outcome of :func:`synevent.simulate`.

    Attributes
    ----------
    events : DataFrame
        The event log (schema in ``docs/reference/event_log.md``).
    traces : DataFrame
        Sampled traces on the grid: free transmitter (µM), every species count, open receptors,
        current (pA), molecules released so far.
    summary : dict
        Per-run metrics (see :meth:`summary`).
    provenance : dict
        Seed entropy, package versions and every parameter.
    """

    synapse: SynapseParams
    spikes_ms: np.ndarray
    log: EventLog
    network: ReactionNetwork
    fates: dict[str, tuple[str, int]]
    trace: np.ndarray
    trace_dt_ms: float
    arrivals_ms: np.ndarray
    arrivals_n: np.ndarray
    fused_molecules: int
    in_transit: int
    primed_initial: int = 0
    spike_ca_factors: list[float] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)

    # -- tables --------------------------------------------------------------------------------
    @cached_property
    def events(self) -> pd.DataFrame:
        return self.log.to_frame()

    @cached_property
    def terminal_events(self) -> pd.DataFrame:
        """The events without the kinetic networks' reaction records (what release statistics
        need; far smaller than :attr:`events` at the reaction log level)."""
        return self.log.to_frame(networks=False)

    @cached_property
    def t_ms(self) -> np.ndarray:
        return np.arange(self.trace.shape[0]) * self.trace_dt_ms

    def count(self, species: str) -> np.ndarray:
        """Trace of one species' count."""
        return self.trace[:, self.network.index(species)]

    @cached_property
    def current_pA(self) -> np.ndarray:
        """Voltage-clamp current: Σ γ · open · B(V) · (V_hold − E_rev)."""
        s = self.synapse
        i = np.zeros(self.trace.shape[0])
        for pop in s.receptors:
            sch = pop.scheme
            n_open = sum(self.count(f"{sch.name}.{o}") for o in sch.open_states)
            block = mg_unblocked_fraction(s.v_hold_mV, s.mg_mM) if sch.mg_block else 1.0
            i = i + sch.conductance_pS * n_open * block * (s.v_hold_mV - sch.e_rev_mV) * 1e-3
        for m in s.metabotropic:
            if m.girk is not None:
                n_open = self.count(m.girk_open)
                i = i + m.girk.conductance_pS * n_open * (s.v_hold_mV - m.girk.e_rev_mV) * 1e-3
        return i

    @cached_property
    def released_cumulative(self) -> np.ndarray:
        """Molecules delivered into the cleft up to each grid time."""
        return cumulative_on_grid(self.arrivals_ms, self.arrivals_n, self.t_ms)

    @cached_property
    def ca_uM(self) -> np.ndarray:
        """[Ca²⁺] seen by the sensors on the grid (replayed from the spike times and the
        channel availability left by Ca-channel blockers)."""
        from .presynaptic.calcium import CalciumState

        t = self.t_ms
        out = np.empty_like(t)
        state = CalciumState(self.synapse.calcium)
        bounds = np.searchsorted(t, self.spikes_ms, side="left")
        starts = np.concatenate([[0], bounds])
        ends = np.concatenate([bounds, [t.size]])
        factors = self.spike_ca_factors
        for k, (a, b) in enumerate(zip(starts, ends)):
            if k > 0:
                if k - 1 < len(factors):
                    state.set_availability(factors[k - 1])  # what that spike met in the run
                state.spike(float(self.spikes_ms[k - 1]))
            out[a:b] = state.ca(t[a:b], np.exp)
        return out

    def _event_count_on_grid(self, kind: str) -> np.ndarray:
        ev = self.terminal_events
        t = np.sort(ev.loc[ev["kind"] == kind, "t_ms"].to_numpy())
        return np.searchsorted(t, self.t_ms, side="right")

    @cached_property
    def fusions_cumulative(self) -> np.ndarray:
        """Fusions up to each grid time."""
        return self._event_count_on_grid("fusion")

    @cached_property
    def primed(self) -> np.ndarray:
        """Primed vesicles on the grid (from the log: priming adds, fusion and unpriming remove)."""
        return (
            self.primed_initial
            + self._event_count_on_grid("prime")
            - self.fusions_cumulative
            - self._event_count_on_grid("unprime")
        )

    @cached_property
    def traces(self) -> pd.DataFrame:
        s = self.synapse
        tx = s.transmitter
        cols: dict[str, np.ndarray] = {"t_ms": self.t_ms}
        cols["ca_uM"] = self.ca_uM
        cols["primed"] = self.primed
        cols["fusions"] = self.fusions_cumulative
        cols[f"{tx}_free_uM"] = self.count(tx) / molecules_per_uM(self.network.volume_L)
        for pop in s.receptors:
            sch = pop.scheme
            cols[f"{sch.name}_open"] = sum(self.count(f"{sch.name}.{o}") for o in sch.open_states)
        for m in s.metabotropic:
            if m.girk is not None:
                cols[f"{m.name}_GIRK_open"] = self.count(m.girk_open)
        cols["current_pA"] = self.current_pA
        cols["released"] = self.released_cumulative
        for j, sp in enumerate(self.network.species):
            cols[sp] = self.trace[:, j]
        return pd.DataFrame(cols)

    def fate_table(self) -> pd.DataFrame:
        """Released molecules by fate at every grid time, and whether they add up exactly."""
        return fate_table(self.fates, self.trace, self.network, self.t_ms, self.released_cumulative)

    # -- release statistics --------------------------------------------------------------------
    def fusions(self) -> pd.DataFrame:
        """Fusion events with their lag after the last spike and their class.

        ``release_class`` is ``sync`` within ``sync_window_ms`` of a spike, ``async`` up to
        ``async_window_ms``, else ``spont`` (also before the first spike).
        """
        ev = self.terminal_events
        f = ev[ev["kind"] == "fusion"].copy()
        sp = np.asarray(self.spikes_ms)
        idx = np.searchsorted(sp, f["t_ms"].to_numpy(), side="right") - 1
        lag = np.where(idx >= 0, f["t_ms"].to_numpy() - sp[np.maximum(idx, 0)], np.inf)
        f["spike"] = idx.astype(np.int32)
        f["lag_ms"] = lag
        s = self.synapse
        cls = np.where(lag <= s.sync_window_ms, "sync", np.where(lag <= s.async_window_ms, "async", "spont"))
        f["release_class"] = pd.Categorical(cls, categories=["sync", "async", "spont"])
        return f.reset_index(drop=True)

    def quanta_per_spike(self) -> np.ndarray:
        """Synchronous fusions after each spike."""
        f = self.fusions()
        sync = f[f["release_class"] == "sync"]
        return np.bincount(sync["spike"].to_numpy(), minlength=len(self.spikes_ms))[: len(self.spikes_ms)]

    @cached_property
    def summary(self) -> dict[str, float]:
        """Per-run metrics.

        Keys: ``n_spikes``, ``quanta_sync``, ``quanta_async``, ``quanta_spont``,
        ``quanta_per_spike``, ``failure_fraction``, ``psc_peak_pA`` (signed, largest magnitude),
        ``psc_charge_pC``, ``psc_decay_ms`` (peak to 1/e of peak), ``peak_free_uM``,
        ``clearance_t50_ms`` (peak free transmitter to half), ``clearance_tau_ms`` (peak to 1/e),
        ``molecules_released``,
        ``conserved`` (every grid time balanced).
        """
        f = self.fusions()
        counts = f["release_class"].value_counts()
        qps = self.quanta_per_spike()
        i = self.current_pA
        k = int(np.argmax(np.abs(i))) if i.size else 0
        peak = float(i[k]) if i.size else 0.0
        tx = self.synapse.transmitter
        conc = self.count(tx) / molecules_per_uM(self.network.volume_L)
        kc = int(np.argmax(conc)) if conc.size else 0
        return {
            "n_spikes": int(len(self.spikes_ms)),
            "quanta_sync": int(counts.get("sync", 0)),
            "quanta_async": int(counts.get("async", 0)),
            "quanta_spont": int(counts.get("spont", 0)),
            "quanta_per_spike": float(qps.mean()) if qps.size else float("nan"),
            "failure_fraction": float((qps == 0).mean()) if qps.size else float("nan"),
            "psc_peak_pA": peak,
            "psc_charge_pC": float(np.trapezoid(i, dx=self.trace_dt_ms) * 1e-3) if i.size else 0.0,
            "psc_decay_ms": _time_to_fraction(i, k, np.exp(-1.0), self.trace_dt_ms),
            "peak_free_uM": float(conc[kc]) if conc.size else 0.0,
            "clearance_t50_ms": _time_to_fraction(conc, kc, 0.5, self.trace_dt_ms),
            "clearance_tau_ms": _time_to_fraction(conc, kc, np.exp(-1.0), self.trace_dt_ms),
            "molecules_released": int(self.arrivals_n.sum()),
            "conserved": bool(self.fate_table()["balanced"].all()),
        }


def _time_to_fraction(x: np.ndarray, k: int, frac: float, dt: float) -> float:
    """Time from index ``k`` until ``|x|`` first falls below ``frac·|x[k]|`` (nan if never)."""
    if x.size == 0 or x[k] == 0:
        return float("nan")
    below = np.nonzero(np.abs(x[k:]) <= frac * abs(x[k]))[0]
    return float(below[0] * dt) if below.size else float("nan")
