"""Turn a validated :class:`~synevent.scenario.schema.Scenario` into simulation inputs."""

from __future__ import annotations

import dataclasses
import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import presets
from ..engine.checks import ParameterError
from ..extrasynaptic.volume import VolumeParams, VolumeResult, simulate_volume
from ..results import Result
from ..simulation import simulate
from ..pharmacology.drugs import drug
from ..pharmacology.mechanisms import plan
from ..pharmacology.schedule import Schedule
from ..stimulus import trains
from ..stimulus.trains import DroppedSpikesWarning, SpikeTrain
from ..synapse import SynapseParams
from .plain import from_plain
from .protocol import INTERVENTION_KINDS, DrugEntry, ScheduleSection
from .schema import BLOCKS, VOLUME_PRESETS, Scenario

__all__ = ["Inputs", "build_inputs", "build_interventions", "build_stimulus", "build_synapse",
           "build_volume", "dropped_spikes"]

_SCALARS = ("v_hold_mV", "mg_mM", "temperature_C", "sync_window_ms", "async_window_ms")


def _counts(items: tuple, counts: dict[str, int], what: str, name_of) -> tuple:
    names = [name_of(x) for x in items]
    unknown = sorted(set(counts) - set(names))
    if unknown:
        raise ParameterError(f"synapse.{what}: unknown name(s) {unknown}; this synapse has {names}")
    return tuple(dataclasses.replace(x, n=counts.get(name_of(x), x.n)) for x in items)


def _recorded_or_preset(section: str, preset: str, recorded: dict[str, Any], cls: type,
                        make: Any) -> Any:
    """The parameters ``resolved.json`` recorded (a rerun), or the preset's current ones."""
    if not recorded:
        return make(preset)
    if recorded.get("name") != preset:
        raise ParameterError(
            f'{section}.preset: "{preset}" differs from the recorded parameters of '
            f'"{recorded.get("name")}"; delete the [resolved] table to start from a preset')
    return from_plain(cls, recorded, f"resolved.{section}_parameters")


def build_synapse(sc: Scenario) -> SynapseParams:
    """The preset (or, in a resolved file, the recorded parameters) with the file's changes."""
    sec = sc.synapse
    if sec is None:
        raise ParameterError("synapse: this is a [volume] scenario; build_volume gives its "
                             "parameters")
    recorded = sc.resolved.synapse_parameters if sc.resolved is not None else {}
    s = _recorded_or_preset("synapse", sec.preset, recorded, SynapseParams, presets.get)
    changes: dict[str, Any] = {k: getattr(sec, k) for k in _SCALARS if getattr(sec, k) is not None}
    for block in BLOCKS:
        section = getattr(sec, block)
        if section is not None:
            fields = section.model_dump(exclude_none=True)
            if fields:
                changes[block] = fields
    try:
        if changes:
            s = s.replace(**changes)
        if sec.receptor_counts:
            s = s.replace(receptors=_counts(s.receptors, sec.receptor_counts, "receptor_counts",
                                            lambda p: p.scheme.name))
        if sec.transporter_counts:
            s = s.replace(transporters=_counts(s.transporters, sec.transporter_counts,
                                               "transporter_counts", lambda t: t.name))
    except (ParameterError, ValueError) as exc:
        raise ParameterError(f"synapse: {exc}") from None
    return s


def build_volume(sc: Scenario) -> VolumeParams:
    """The ``[volume]`` preset (or, in a resolved file, the recorded parameters) with its changes."""
    sec = sc.volume
    if sec is None:
        raise ParameterError("volume: this is a [synapse] scenario; build_synapse gives its "
                             "parameters")
    recorded = sc.resolved.volume_parameters if sc.resolved is not None else {}
    v = _recorded_or_preset("volume", sec.preset, recorded, VolumeParams,
                            lambda name: VOLUME_PRESETS[name]())
    changes = sec.model_dump(exclude_none=True, exclude={"preset", "initial_uM"})
    try:
        return v.replace(**changes) if changes else v
    except (ParameterError, ValueError) as exc:
        raise ParameterError(f"volume: {exc}") from None


def build_stimulus(sc: Scenario) -> SpikeTrain | None:
    """The spike train of the ``[stimulus]`` section (``None`` for ``kind = "none"``)."""
    st = sc.stimulus
    kw = st.model_dump(exclude={"kind"})
    try:
        if st.kind == "none":
            return None
        if st.kind == "regular":
            return trains.regular(kw.pop("rate_hz"), kw.pop("n_spikes"), **kw)
        if st.kind == "poisson":
            return trains.poisson(kw.pop("rate_hz"), kw.pop("duration_ms"), **kw)
        if st.kind == "burst":
            return trains.burst(kw.pop("n_bursts"), kw.pop("spikes_per_burst"),
                                kw.pop("intra_rate_hz"), kw.pop("burst_interval_ms"), **kw)
        if st.kind == "paired_pulse":
            return trains.paired_pulse(kw.pop("interval_ms"), **kw)
        return trains.explicit(kw.pop("times_ms"), **kw)
    except (ParameterError, ValueError) as exc:
        raise ParameterError(f"stimulus: {exc}") from None


def _schedule(s: ScheduleSection) -> Schedule:
    start, stop = s.bounds()
    return Schedule(start_ms=start, stop_ms=stop, tau_on_ms=s.tau_on_ms, tau_off_ms=s.tau_off_ms)


def build_interventions(entries: list, where: str = "interventions") -> list:
    """Drug applications and intervention objects of a list of entries."""
    out: list = []
    for i, e in enumerate(entries):
        try:
            if isinstance(e, DrugEntry):
                out.append(drug(e.drug, e.conc_uM, _schedule(e.schedule)))
            else:
                kw = e.model_dump(exclude={"kind", "schedule"})
                out.append(INTERVENTION_KINDS[e.kind](schedule=_schedule(e.schedule), **kw))
        except (ParameterError, ValueError) as exc:
            raise ParameterError(f"{where}[{i}]: {exc}") from None
    return out


@dataclass(frozen=True)
class Inputs:
    """What every replicate of a scenario needs: one synapse, or a block of tissue (``volume``).

    For a ``[volume]`` scenario ``synapse`` is the volume's terminal with its transporters
    (:meth:`VolumeParams.as_synapse`), the targets its interventions are checked against.
    """

    synapse: SynapseParams
    stimulus: SpikeTrain | None
    interventions: tuple
    t_end_ms: float
    log_level: str
    trace_dt_ms: float
    mode: str
    volume: VolumeParams | None = None
    initial_uM: float = 0.0

    def run(self, seed: np.random.SeedSequence) -> Result | VolumeResult:
        """One replicate: :func:`synevent.simulate`, or :func:`synevent.simulate_volume`."""
        common = {"t_end_ms": self.t_end_ms, "seed": seed, "trace_dt_ms": self.trace_dt_ms,
                  "interventions": self.interventions, "log_level": self.log_level}
        with warnings.catch_warnings():
            # A scenario reports dropped spikes once (dropped_spikes), not once per replicate or
            # grid point.
            warnings.simplefilter("ignore", DroppedSpikesWarning)
            if self.volume is None:
                return simulate(self.synapse, self.stimulus, mode=self.mode, **common)
            return simulate_volume(self.volume, self.stimulus, initial_uM=self.initial_uM,
                                   **common)


def dropped_spikes(sc: Scenario) -> str | None:
    """What of the stimulus a run of ``sc`` would not deliver (spikes at or after
    ``run.t_end_ms``; ``None``: nothing). A run cut short with ``--set run.t_end_ms=...`` is
    allowed, but said."""
    train = build_stimulus(sc)
    return train.beyond(sc.run.t_end_ms) if train is not None else None


def build_inputs(sc: Scenario) -> Inputs:
    """Everything a run of ``sc`` needs, checked (nothing is simulated)."""
    volume = build_volume(sc) if sc.volume is not None else None
    synapse = volume.as_synapse() if volume is not None else build_synapse(sc)
    if volume is not None and sc.run.mode != "exact":
        raise ParameterError(f'run.mode: "{sc.run.mode}" is not available for a [volume] '
                             'scenario (its extracellular space is simulated exactly); use "exact"')
    stimulus = build_stimulus(sc)
    interventions = tuple(build_interventions(sc.interventions))
    try:
        plan(synapse, interventions)  # targets and labels must fit this synapse
    except (ParameterError, ValueError) as exc:
        raise ParameterError(f"interventions: {exc}") from None
    if stimulus is not None and stimulus.kind != "poisson":
        t = stimulus.times(None)
        if t.size and not math.isfinite(float(t.max())):
            raise ParameterError("stimulus: spike times must be finite")
        if t.size and float(np.min(t)) >= sc.run.t_end_ms:
            raise ParameterError(f"stimulus: every spike ({float(np.min(t))} ms and later) comes "
                                 f"after run.t_end_ms = {sc.run.t_end_ms}")
    return Inputs(synapse, stimulus, interventions, sc.run.t_end_ms, sc.run.log_level,
                  sc.run.trace_dt_ms, sc.run.mode, volume,
                  sc.volume.initial_uM if sc.volume is not None else 0.0)
