"""An extrasynaptic compartment fed by a population of release sites (volume transmission).

Monoamines act far from their release sites: dopamine released by thousands of striatal
varicosities mixes in the extracellular space, where transporters take it up and a baseline
forms from tonic firing. Here a block of tissue holds ``terminal_density × tissue volume``
terminals, each a full :class:`~synevent.presynaptic.terminal.Terminal` (Ca²⁺ sensor, vesicle
cycle) firing tonically (Poisson, independent neurons) and, on top, an evoked stimulus that
reaches every terminal at once (electrical stimulation). Released molecules enter one
well-mixed compartment of volume ``ecs_fraction × tissue volume`` holding the transporters as
mechanistic reactions. The block is embedded in tissue that behaves the same on average, so
net diffusive exchange with the surroundings is zero unless ``k_escape_per_ms`` is given.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
import simpy

from .._version import __version__
from ..cleft.clearance import TransporterParams
from ..cleft.cleft import build_compartment_network
from ..engine.checks import (ParameterError, check_count, check_grid, check_nonnegative,
                             check_positive, check_probability)
from ..engine.log import EventLog, LogLevel
from ..engine.network import ReactionNetwork, molecules_per_uM
from ..engine.random import RandomStream
from ..engine.ssa import ExactNetwork
from ..pharmacology.driver import start_interventions
from ..pharmacology.mechanisms import initial_counts, plan
from ..presynaptic.terminal import Terminal
from ..results import cumulative_on_grid, fate_table
from ..stimulus.trains import DroppedSpikesWarning, SpikeTrain
from ..synapse import SynapseParams
from .probe import fscv_probe

__all__ = ["VolumeParams", "VolumeResult", "serotonin_volume", "simulate_volume", "striatum_dopamine"]


@dataclass(frozen=True)
class VolumeParams:
    """A block of tissue with release sites and uptake (units in the names).

    Parameters
    ----------
    terminal : SynapseParams
        Template of every release site (its Ca²⁺, sensor and vesicle blocks are used).
    transporter : TransporterParams
        Kinetics of the uptake transporter (its ``n`` is replaced by ``n_transporters``,
        from ``vmax_uM_per_s``).
    vmax_uM_per_s : float
        Tissue uptake capacity; sets the transporter count ``Vmax / kcat`` in the volume.
    tissue_volume_um3 : float
        Size of the simulated block (concentrations do not depend on it; noise does).
    ecs_fraction : float
        Extracellular volume fraction α.
    terminal_density_per_um3 : float
        Release sites per µm³ of tissue.
    tonic_rate_hz : float
        Poisson firing of each terminal's neuron.
    k_escape_per_ms : float
        First-order loss to the surroundings (0 in homogeneous tissue).
    sources : mapping
        Citations of the numbers.
    """

    terminal: SynapseParams
    transporter: TransporterParams
    vmax_uM_per_s: float
    tissue_volume_um3: float = 1000.0
    ecs_fraction: float = 0.21
    terminal_density_per_um3: float = 0.1
    tonic_rate_hz: float = 4.0
    k_escape_per_ms: float = 0.0
    name: str = "volume"
    sources: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.terminal, SynapseParams):
            raise ParameterError(f'"terminal" must be a SynapseParams, got {self.terminal!r}')
        if not isinstance(self.transporter, TransporterParams):
            raise ParameterError(f'"transporter" must be a TransporterParams, got {self.transporter!r}')
        check_positive("vmax_uM_per_s", self.vmax_uM_per_s)
        check_positive("tissue_volume_um3", self.tissue_volume_um3)
        check_probability("ecs_fraction", self.ecs_fraction)
        check_positive("ecs_fraction", self.ecs_fraction)
        check_nonnegative("terminal_density_per_um3", self.terminal_density_per_um3)
        check_nonnegative("tonic_rate_hz", self.tonic_rate_hz)
        check_nonnegative("k_escape_per_ms", self.k_escape_per_ms)
        if self.transporter.kcat_per_ms <= 0:
            raise ParameterError(f'"transporter" must turn over (kcat > 0), got {self.transporter!r}')

    @property
    def volume_L(self) -> float:
        """Extracellular volume of the block (1 µm³ = 1e-15 L)."""
        return self.tissue_volume_um3 * self.ecs_fraction * 1e-15

    @property
    def n_terminals(self) -> int:
        return int(round(self.terminal_density_per_um3 * self.tissue_volume_um3))

    @property
    def n_transporters(self) -> int:
        per_ms = self.vmax_uM_per_s * 1e-3 * molecules_per_uM(self.volume_L)
        return int(round(per_ms / self.transporter.kcat_per_ms))

    @property
    def km_uM(self) -> float:
        return self.transporter.km_uM

    def as_synapse(self) -> SynapseParams:
        """The terminal template with the volume's transporters (targets for interventions)."""
        tp = dataclasses.replace(self.transporter, n=self.n_transporters)
        return self.terminal.replace(name=self.name, receptors=(), enzymes=(), transporters=(tp,))

    def replace(self, **changes) -> VolumeParams:
        """A copy with fields replaced; unknown names are refused."""
        valid = {f.name for f in dataclasses.fields(self)}
        bad = sorted(set(changes) - valid)
        if bad:
            raise ParameterError(f"unknown volume field(s) {bad}; valid fields are {sorted(valid)}")
        return dataclasses.replace(self, **changes)


@dataclass
class VolumeResult:
    """Outcome of :func:`simulate_volume`: traces, events, summary, conservation."""

    params: VolumeParams
    network: ReactionNetwork
    fates: dict[str, tuple[str, int]]
    trace: np.ndarray
    trace_dt_ms: float
    evoked_ms: np.ndarray
    released: np.ndarray  # molecules released up to each grid time
    log: EventLog
    provenance: dict

    @cached_property
    def t_ms(self) -> np.ndarray:
        return np.arange(self.trace.shape[0]) * self.trace_dt_ms

    @cached_property
    def events(self) -> pd.DataFrame:
        return self.log.to_frame()

    def count(self, species: str) -> np.ndarray:
        return self.trace[:, self.network.index(species)]

    @cached_property
    def conc_uM(self) -> np.ndarray:
        """Free extracellular transmitter."""
        tx = self.params.terminal.transmitter
        return self.count(tx) / molecules_per_uM(self.network.volume_L)

    @cached_property
    def traces(self) -> pd.DataFrame:
        tx = self.params.terminal.transmitter
        cols = {"t_ms": self.t_ms, f"{tx}_free_uM": self.conc_uM,
                f"{tx}_probe_uM": fscv_probe(self.t_ms, self.conc_uM), "released": self.released}
        for j, sp in enumerate(self.network.species):
            cols[sp] = self.trace[:, j]
        return pd.DataFrame(cols)

    def fate_table(self) -> pd.DataFrame:
        """Released molecules by fate at every grid time, and whether they add up exactly."""
        return fate_table(self.fates, self.trace, self.network, self.t_ms, self.released)

    @cached_property
    def summary(self) -> dict[str, float]:
        """Baseline before the evoked stimulus, evoked peak and its clearance.

        Keys: ``baseline_uM`` (mean over the second half of the time before the first evoked
        spike; 0 for a bolus run without stimulus), ``peak_uM``, ``evoked_peak_uM`` (above baseline), ``clearance_t50_ms`` and
        ``clearance_tau_ms`` (peak to 50 % and to 1/e of the evoked rise above baseline), the
        same for the probe signal (``probe_*``), ``molecules_released``, ``conserved``.
        """
        out: dict[str, float] = {}
        for prefix, x in (("", self.conc_uM), ("probe_", fscv_probe(self.t_ms, self.conc_uM))):
            out.update({f"{prefix}{k}": v for k, v in _evoked_metrics(self.t_ms, x, self.evoked_ms).items()})
        out["molecules_released"] = int(self.released[-1]) if self.released.size else 0
        out["conserved"] = bool(self.fate_table()["balanced"].all())
        return out


def _evoked_metrics(t: np.ndarray, x: np.ndarray, evoked: np.ndarray) -> dict[str, float]:
    nan = float("nan")
    if evoked.size == 0 and x.size and x[0] > 0:
        # A bolus at t = 0 and no stimulus: its clearance, above a zero baseline.
        k = int(np.argmax(x))
        res = {"baseline_uM": 0.0, "peak_uM": float(x[k]), "evoked_peak_uM": float(x[k])}
        return {**res, **_decay_times(t, x, k, 0.0)}
    if evoked.size == 0:
        return {"baseline_uM": float(x[t.size // 2:].mean()), "peak_uM": float(x.max()),
                "evoked_peak_uM": nan, "clearance_t50_ms": nan, "clearance_tau_ms": nan}
    t0 = float(evoked[0])
    pre = (t >= t0 / 2) & (t < t0)
    base = float(x[pre].mean()) if pre.any() else float(x[0])
    after = np.nonzero(t >= t0)[0]
    k = int(after[np.argmax(x[after])])
    res = {"baseline_uM": base, "peak_uM": float(x[k]), "evoked_peak_uM": float(x[k] - base)}
    return {**res, **_decay_times(t, x, k, base)}


def _decay_times(t: np.ndarray, x: np.ndarray, k: int, base: float) -> dict[str, float]:
    """Time from the peak at ``k`` until the rise above ``base`` falls to 50 % and to 1/e."""
    rise = x[k] - base
    out = {}
    for key, frac in (("clearance_t50_ms", 0.5), ("clearance_tau_ms", np.exp(-1.0))):
        below = np.nonzero(x[k:] - base <= frac * rise)[0] if rise > 0 else np.array([], int)
        out[key] = float(t[k + below[0]] - t[k]) if below.size else float("nan")
    return out


def simulate_volume(
    params: VolumeParams,
    evoked: SpikeTrain | None,
    *,
    t_end_ms: float,
    seed: int | np.random.SeedSequence | None = None,
    trace_dt_ms: float = 1.0,
    interventions: Iterable = (),
    log_level: LogLevel | str = LogLevel.VESICLE,
    initial_uM: float = 0.0,
) -> VolumeResult:
    """Simulate the block from an empty extracellular space (the baseline forms by itself).

    Parameters
    ----------
    params : VolumeParams
    evoked : SpikeTrain or None
        Stimulus delivered to every terminal at once, on top of tonic firing (its spikes at or
        after ``t_end_ms`` are not delivered, with a warning, as in :func:`synevent.simulate`).
    t_end_ms, seed, trace_dt_ms, log_level
        As for :func:`synevent.simulate`.
    interventions : iterable
        Interventions and drug applications; transporter targets are the volume's.
    initial_uM : float
        Free transmitter at t = 0 (a bolus, counted as released at t = 0).
    """
    if not isinstance(params, VolumeParams):
        raise ParameterError(f'"params" must be a VolumeParams (e.g. se.striatum_dopamine()), '
                             f"got {params!r}")
    if evoked is not None and not isinstance(evoked, SpikeTrain):
        raise ParameterError(f'"evoked" must be a SpikeTrain or None (se.regular, se.explicit, '
                             f"...), got {evoked!r}; for spike times use se.explicit(times)")
    t_end = check_positive("t_end_ms", t_end_ms)
    dt = check_grid("trace_dt_ms", trace_dt_ms, "t_end_ms", t_end)
    if evoked is not None and (lost := evoked.beyond(t_end)):
        warnings.warn(f"evoked: {lost}", DroppedSpikesWarning, stacklevel=2)
    level = LogLevel.parse(log_level)
    bolus = int(round(check_nonnegative("initial_uM", initial_uM) * molecules_per_uM(params.volume_L)))
    drugs = plan(params.as_synapse(), interventions)
    syn = drugs.synapse
    rs = RandomStream(seed)
    gen = rs.generator
    evoked_ms = evoked.times(gen) if evoked is not None else np.zeros(0)
    evoked_ms = evoked_ms[evoked_ms < t_end]
    n_term = check_count("n_terminals", params.n_terminals)
    spikes = []
    for _ in range(n_term):
        n = gen.poisson(params.tonic_rate_hz * 1e-3 * t_end)
        tonic = np.sort(gen.uniform(0.0, t_end, size=n))
        spikes.append(np.sort(np.concatenate([tonic, evoked_ms])))

    env = simpy.Environment()
    log = EventLog(level)
    tx = syn.transmitter
    net, fates = build_compartment_network(tx, params.volume_L, params.k_escape_per_ms, [],
                                           list(syn.transporters), [])
    net, fates, bindings = drugs.attach(net, fates)
    if bolus:
        net = net.with_counts(**{tx: bolus})
    arrivals_t: list[float] = [0.0] if bolus else []
    arrivals_n: list[int] = [bolus] if bolus else []

    def release(t: float, n: int, site: int, vesicle: int) -> None:
        space.add(tx, n)
        arrivals_t.append(t)
        arrivals_n.append(n)

    terminals = [
        Terminal(env, syn.calcium, syn.sensor, syn.vesicles, rs, log, release,
                 component=f"terminal{k}", facilitation=syn.facilitation)
        for k in range(n_term)
    ]
    if bindings:
        net = net.with_counts(**initial_counts(bindings, net, gen))
    space = ExactNetwork(env, net, rs, name="extrasynaptic", trace_dt_ms=dt, t_end_ms=t_end, log=log)
    if drugs.interventions:
        start_interventions(env, bindings, drugs.presynaptic, space, terminals, rs, log, t_end)

    def drive(term: Terminal, times: np.ndarray) -> Iterator[simpy.Event]:
        for i, t in enumerate(times):
            yield env.timeout(float(t) - env.now)
            term.spike(i)

    for term, times in zip(terminals, spikes):
        if times.size:
            env.process(drive(term, times))
    env.run(until=t_end)
    space.finish(t_end)
    trace = space.trace_array()
    released = cumulative_on_grid(arrivals_t, arrivals_n, np.arange(trace.shape[0]) * dt)
    prov = {
        "synevent_version": __version__,
        "seed_entropy": rs.entropy,
        # With the entropy, the spawn key rebuilds a replicate's seed (se.compare passes children).
        "seed_spawn_key": list(rs.seed_sequence.spawn_key),
        "t_end_ms": t_end,
        "trace_dt_ms": dt,
        "log_level": level.name.lower(),
        "evoked": None if evoked is None else {
            "kind": evoked.kind, **evoked.spec, "conduction_delay_ms": evoked.conduction_delay_ms},
        "n_terminals": n_term,
        "n_transporters": syn.transporters[0].n,
        "initial_uM": initial_uM,
        "volume": dataclasses.asdict(params),
        "interventions": [{"kind": iv.kind, **dataclasses.asdict(iv)} for iv in drugs.interventions],
        "interventions_not_applicable": list(drugs.skipped),
    }
    return VolumeResult(params, net, fates, trace, dt, np.asarray(evoked_ms, float), released, log, prov)


def striatum_dopamine(**changes) -> VolumeParams:
    """Dorsal striatum of the rat: dopamine varicosities, DAT uptake (Vmax 4.1 µM/s, Km 0.22 µM)."""
    from ..presets import dopaminergic

    d = dopaminergic()
    p = VolumeParams(
        terminal=d, transporter=d.transporters[0], vmax_uM_per_s=4.1, tissue_volume_um3=1000.0,
        ecs_fraction=0.21, terminal_density_per_um3=0.1, tonic_rate_hz=4.0, name="striatum_dopamine",
        sources={
            "vmax_uM_per_s": "4.1 uM/s: Dreyer et al. 2010 J Neurosci 30:14273 (values collected in DAcomp; V-07 range 3.8-4.1)",
            "transporter": "DAT cycle of the dopaminergic preset (Kaya et al. 2018; Km 0.22 uM)",
            "ecs_fraction": "0.21: Nicholson & Phillips 1981 J Physiol 321:225 (alpha ~0.2, brain extracellular space)",
            "terminal_density_per_um3": "0.1 /um3: Doucet, Descarries & Garcia 1986 Neuroscience 19:427 (1e8 DA varicosities per mm3, via Dreyer 2010)",
            "tonic_rate_hz": "~4 Hz tonic firing of DA neurons: Grace & Bunney 1984 J Neurosci 4:2866 (recollection)",
            "tissue_volume_um3": "1000 um3 simulated block (assumption; concentrations do not depend on it)",
        },
    )
    return p.replace(**changes) if changes else p


def serotonin_volume(**changes) -> VolumeParams:
    """Serotonergic projection field (rat): SERT uptake (Km 0.17 µM, Vmax 0.39 µM/s)."""
    from ..presets import serotonergic

    s = serotonergic()
    p = VolumeParams(
        terminal=s, transporter=s.transporters[0], vmax_uM_per_s=0.39, tissue_volume_um3=1000.0,
        ecs_fraction=0.21, terminal_density_per_um3=0.1, tonic_rate_hz=1.0, name="serotonin_volume",
        sources={
            "vmax_uM_per_s": "0.39 uM/s (1400 uM/h) as used by public 5-HT model code after Bunin & Wightman 1998 J Neurosci 18:4854 (secondary; 0.5-1.3 uM/s also reported)",
            "transporter": "SERT cycle of the serotonergic preset (Km 0.17 uM, Bunin & Wightman 1998)",
            "ecs_fraction": "0.21: Nicholson & Phillips 1981",
            "terminal_density_per_um3": "0.1 /um3 as for dopamine (assumption)",
            "tonic_rate_hz": "~1 Hz tonic firing of raphe 5-HT neurons (recollection)",
        },
    )
    return p.replace(**changes) if changes else p
