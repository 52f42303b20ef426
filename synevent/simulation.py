"""Run one synapse: wire stimulus, terminal and cleft into a SimPy environment."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
import simpy

from .cleft.cleft import build_cleft_network
from .engine.checks import check_positive
from .engine.log import EventLog, LogLevel
from .engine.random import RandomStream
from .engine.ssa import ExactNetwork
from .pharmacology.driver import start_interventions
from .pharmacology.mechanisms import initial_counts, plan
from .presynaptic.terminal import Terminal
from .results import Result, provenance
from .stimulus.trains import SpikeTrain
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
) -> Result:
    """Simulate ``synapse`` driven by ``stimulus`` from 0 to ``t_end_ms``.

    Parameters
    ----------
    synapse : SynapseParams
        The synapse (e.g. from :mod:`synevent.presets`).
    stimulus : SpikeTrain or None
        Spike arrivals at the terminal; ``None`` for spontaneous activity only.
    t_end_ms : float
        Simulated time.
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

    Returns
    -------
    Result
    """
    t_end = check_positive("t_end_ms", t_end_ms)
    dt = check_positive("trace_dt_ms", trace_dt_ms)
    level = LogLevel.parse(log_level)
    drugs = plan(synapse, interventions)
    synapse = drugs.synapse  # with knockouts applied
    rs = RandomStream(seed)
    spikes = stimulus.times(rs.generator) if stimulus is not None else np.zeros(0)
    spikes = spikes[spikes < t_end]  # a spike at t_end itself would never be delivered

    env = simpy.Environment()
    log = EventLog(level)
    net, fates = build_cleft_network(
        synapse.transmitter,
        synapse.cleft,
        [(p.scheme, p.n) for p in synapse.receptors],
        list(synapse.transporters),
        list(synapse.enzymes),
    )
    net, fates, bindings = drugs.attach(net, fates)
    arrivals_t: list[float] = []
    arrivals_n: list[int] = []
    tx = synapse.transmitter

    def release(t: float, n: int, site: int, vesicle: int) -> None:
        cleft.add(tx, n)
        arrivals_t.append(t)
        arrivals_n.append(n)
        log.record(t, "cleft_arrival", "cleft", site=site, vesicle=vesicle, amount=n)

    recycled = [net.index(f"{tp.name}.uptake") for tp in synapse.transporters if tp.into_terminal]
    uptake_source = (lambda: sum(cleft.x[i] for i in recycled)) if recycled else None
    terminal = Terminal(
        env,
        synapse.calcium,
        synapse.sensor,
        synapse.vesicles,
        rs,
        log,
        release,
        diffusion_delay_ms=synapse.cleft.delay_ms,
        uptake_source=uptake_source,
    )
    # Drawn after the terminal so that conditions of a comparison share its initial state.
    if bindings:
        net = net.with_counts(**initial_counts(bindings, net, rs.generator))
    cleft = ExactNetwork(env, net, rs, name="cleft", trace_dt_ms=dt, t_end_ms=t_end, log=log)
    if drugs.interventions:
        start_interventions(env, bindings, drugs.presynaptic, cleft, [terminal], rs, log, t_end)
    primed_initial = terminal.n_primed()

    def drive() -> Iterator[simpy.Event]:
        for i, t in enumerate(spikes):
            yield env.timeout(float(t) - env.now)
            terminal.spike(i)

    env.process(drive())
    env.run(until=t_end)
    cleft.finish(t_end)
    return Result(
        synapse=synapse,
        spikes_ms=np.asarray(spikes, dtype=float),
        log=log,
        network=net,
        fates=fates,
        trace=cleft.trace_array(),
        trace_dt_ms=dt,
        arrivals_ms=np.asarray(arrivals_t, dtype=float),
        arrivals_n=np.asarray(arrivals_n, dtype=np.int64),
        fused_molecules=terminal.released_molecules,
        in_transit=terminal.in_transit,
        primed_initial=primed_initial,
        spike_ca_factors=terminal.spike_ca_factors,
        provenance=provenance(synapse, stimulus, t_end, rs, level, dt, drugs),
    )
