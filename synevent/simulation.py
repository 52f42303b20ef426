"""Run one synapse: wire stimulus, terminal and cleft into a SimPy environment."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator

import numpy as np
import simpy

from .assembly import SynapseAssembly
from .engine.checks import ParameterError, check_grid, check_positive
from .engine.log import EventLog, LogLevel
from .engine.modes import check_mode
from .engine.random import RandomStream
from .pharmacology.mechanisms import plan
from .results import Result, provenance
from .stimulus.trains import DroppedSpikesWarning, SpikeTrain
from .synapse import SynapseParams

__all__ = ["simulate"]


def simulate(
    synapse: SynapseParams,
    stimulus: SpikeTrain | None,
    *,
    t_end_ms: float,
    seed: int | np.random.SeedSequence | None = None,
    log_level: LogLevel | str = LogLevel.VESICLE,
    trace_dt_ms: float = 0.05,
    interventions: Iterable = (),
    mode: str = "exact",
) -> Result:
    """Simulate ``synapse`` driven by ``stimulus`` from 0 to ``t_end_ms``.

    Parameters
    ----------
    synapse : SynapseParams
        The synapse (e.g. from :mod:`synevent.presets`).
    stimulus : SpikeTrain or None
        Spike arrivals at the terminal; ``None`` for spontaneous activity only.
    t_end_ms : float
        Simulated time. Spikes of the stimulus at or after it are not delivered, with a
        warning that says how many.
    seed : int or SeedSequence, optional
        Entropy of the run's single random generator; ``None`` draws fresh entropy (recorded
        in the result's provenance).
    log_level : LogLevel or str
        ``"vesicle"`` (default) or ``"reaction"``.
    trace_dt_ms : float
        Grid of the sampled traces.
    interventions : iterable
        Intervention objects and drug applications (:mod:`synevent.pharmacology`); a drug
        acts on those of its targets the synapse has.
    mode : {"exact", "hybrid"}
        ``"hybrid"`` leaps the cleft reactions that change only high-copy pools (free
        transmitter, large transporter or receptor pools); vesicles, the sensor and small
        receptor pools stay exact (``docs/background/hybrid.md``).

    Returns
    -------
    Result
    """
    if not isinstance(synapse, SynapseParams):
        hint = (f'; for the preset use se.presets.get("{synapse}")'
                if isinstance(synapse, str) else "")
        raise ParameterError(f'"synapse" must be a SynapseParams (a preset or its .replace()), '
                             f"got {synapse!r}{hint}")
    if stimulus is not None and not isinstance(stimulus, SpikeTrain):
        raise ParameterError(f'"stimulus" must be a SpikeTrain (se.regular, se.explicit, ...) or '
                             f"None, got {stimulus!r}; for spike times use se.explicit(times)")
    t_end = check_positive("t_end_ms", t_end_ms)
    dt = check_grid("trace_dt_ms", trace_dt_ms, "t_end_ms", t_end)
    if stimulus is not None and (lost := stimulus.beyond(t_end)):
        warnings.warn(f"stimulus: {lost}", DroppedSpikesWarning, stacklevel=2)
    level = LogLevel.parse(log_level)
    mode = check_mode(mode)
    drugs = plan(synapse, interventions)
    synapse = drugs.synapse  # with knockouts applied
    rs = RandomStream(seed)
    spikes = stimulus.times(rs.generator) if stimulus is not None else np.zeros(0)
    spikes = spikes[spikes < t_end]  # a spike at t_end itself would never be delivered

    env = simpy.Environment()
    log = EventLog(level)
    parts = SynapseAssembly(env, drugs, rs, log, t_end_ms=t_end, trace_dt_ms=dt, mode=mode)

    def drive() -> Iterator[simpy.Event]:
        for t in spikes:
            yield env.timeout(float(t) - env.now)
            parts.spike()

    env.process(drive())
    env.run(until=t_end)
    result = parts.result(t_end, provenance(synapse, stimulus, t_end, rs, level, dt, drugs))
    result.provenance["mode"] = mode
    # The spikes as drawn (identical to those delivered; kept exact for analysis).
    result.spikes_ms = np.asarray(spikes, dtype=float)
    return result
