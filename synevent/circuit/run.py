"""Run a circuit: every synapse, input and neuron in one SimPy environment."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator

import numpy as np
import simpy

from .._version import __version__
from ..assembly import SynapseAssembly
from ..engine.checks import ParameterError, check_grid, check_positive
from ..engine.kernel import kernel_name
from ..engine.log import EventLog, LogLevel
from ..engine.modes import check_mode
from ..engine.random import RandomStream
from ..pharmacology.mechanisms import plan
from ..postsynaptic.membrane import Membrane
from ..stimulus.trains import DroppedSpikesWarning
from .circuit import Circuit
from .result import CircuitResult
from .retrograde import RetrogradeSignal

__all__ = ["run_circuit"]


def run_circuit(
    circuit: Circuit,
    t_end_ms: float,
    *,
    seed: int | np.random.SeedSequence | None = None,
    trace_dt_ms: float = 0.1,
    synapse_trace_dt_ms: float | None = None,
    log_level: LogLevel | str = LogLevel.VESICLE,
    update_ms: float = 5.0,
    mode: str = "exact",
) -> CircuitResult:
    """Simulate ``circuit`` from 0 to ``t_end_ms``.

    Parameters
    ----------
    circuit : Circuit
    t_end_ms : float
        Simulated time.
    seed : int or SeedSequence, optional
        Entropy of the run's single random generator (recorded in the provenance).
    trace_dt_ms : float
        Grid of the neurons' traces (membrane potential, synaptic conductance and current).
    synapse_trace_dt_ms : float, optional
        Grid of each synapse's species trace; by default only the start and the end are kept
        (enough for the conservation check, and memory stays small with many synapses).
    log_level : LogLevel or str
        Event log level of every synapse.
    update_ms : float
        Longest interval between two updates of a membrane during the run (neurons whose
        spikes drive synapses are updated at least every shortest outgoing delay); a neuron's
        endocannabinoid signal (:meth:`Circuit.add_retrograde`) is integrated on the same steps.
    mode : {"exact", "hybrid"}
        How every synapse's cleft is simulated (see :func:`synevent.simulate`).

    Returns
    -------
    CircuitResult
    """
    t_end = check_positive("t_end_ms", t_end_ms)
    dt = check_grid("trace_dt_ms", trace_dt_ms, "t_end_ms", t_end)
    update = check_positive("update_ms", update_ms)
    syn_dt = t_end if synapse_trace_dt_ms is None else check_grid(
        "synapse_trace_dt_ms", synapse_trace_dt_ms, "t_end_ms", t_end)
    level = LogLevel.parse(log_level)
    mode = check_mode(mode)
    for name, train in circuit.inputs.items():
        if lost := train.beyond(t_end):
            warnings.warn(f'input "{name}": {lost}', DroppedSpikesWarning, stacklevel=2)
    if not circuit.neurons:
        raise ParameterError("the circuit has no neuron: add one with Circuit.add_neuron")
    rs = RandomStream(seed)
    env = simpy.Environment()
    log = EventLog(level)  # the neurons' spikes
    input_times = {}
    for name, train in circuit.inputs.items():
        times = train.times(rs.generator)
        input_times[name] = times[times < t_end]

    assemblies: dict[str, SynapseAssembly] = {}
    targets: dict[str, list[tuple[float, list[SynapseAssembly]]]] = {}
    membranes: dict[str, Membrane] = {}
    spike_index: dict[str, int] = {}

    def deliver(group: list[SynapseAssembly]) -> Callable[[simpy.Event], None]:
        def fire(_event: simpy.Event) -> None:
            for a in group:
                a.spike()
        return fire

    def on_spike_of(name: str) -> Callable[[float], None]:
        def on_spike(t: float) -> None:
            k = spike_index[name]
            spike_index[name] = k + 1
            log.record(t, "spike", name, spike=k)
            for delay, group in targets.get(name, ()):
                when = t + delay
                if when < t_end:
                    env.timeout(when - env.now).callbacks.append(deliver(group))
        return on_spike

    for name, node in circuit.neurons.items():
        spike_index[name] = 0
        membranes[name] = Membrane(node.params, node.clamp, t_end_ms=t_end, trace_dt_ms=dt,
                                   on_spike=on_spike_of(name))
    groups: list[tuple[str, str, list[SynapseAssembly]]] = []
    for conn in circuit.connections:
        drugs = plan(conn.synapse, conn.interventions)
        group = []
        groups.append((conn.pre, conn.post, group))
        for sname in conn.synapse_names:
            a = SynapseAssembly(env, drugs, rs, EventLog(level), t_end_ms=t_end, trace_dt_ms=syn_dt,
                                name=sname, watch_open=True, passive=True, mode=mode)
            membranes[conn.post].attach(a.cleft, a.groups, a.synapse.mg_mM, a.open_counts())
            assemblies[sname] = a
            group.append(a)
        targets.setdefault(conn.pre, []).append((conn.delay_ms, group))

    def drive(times: np.ndarray, delay: float, group: list[SynapseAssembly]) -> Iterator[simpy.Event]:
        for t in times:
            when = float(t) + delay
            if when >= t_end:
                break
            yield env.timeout(when - env.now)
            for a in group:
                a.spike()

    for name, times in input_times.items():
        for delay, group in targets.get(name, ()):
            env.process(drive(times, delay, group))

    # Endocannabinoid signals ride on their neuron's updates: no events of their own, so a run
    # whose terminals stay unmodulated draws exactly the same random numbers as one without.
    signals: dict[str, RetrogradeSignal] = {}
    for name, spec in circuit.retrograde.items():
        # Every vesicle population of a terminal shares its Ca²⁺ channels (cotransmission).
        cb1 = [term for pre, post, group in groups for a in group
               if post == name and (spec.cb1_sources is None or pre in spec.cb1_sources)
               for term in a.terminals]
        signals[name] = RetrogradeSignal(spec.params, membranes[name], cb1)

    def keep_up(m: Membrane, period: float, signal: RetrogradeSignal | None) -> Iterator[simpy.Event]:
        while True:
            yield env.timeout(period)
            m.advance(env.now)
            if signal is not None:
                signal.update(env.now)

    for name, m in membranes.items():
        delays = [d for d, _ in targets.get(name, ())]
        env.process(keep_up(m, min([update, *delays]), signals.get(name)))
    env.run(until=t_end)
    for m in membranes.values():
        m.finish(t_end)
    neuron_traces = {k: m.traces() for k, m in membranes.items()}
    for name, sig in signals.items():
        sig.update(t_end)
        neuron_traces[name].update(sig.traces(dt, len(neuron_traces[name]["V_mV"])))

    prov = {
        "synevent_version": __version__,
        "seed_entropy": rs.entropy,
        "mode": mode,
        "kernel": kernel_name(),
        "seed_spawn_key": list(rs.seed_sequence.spawn_key),
        "t_end_ms": t_end,
        "trace_dt_ms": dt,
        "log_level": level.name.lower(),
        "n_synapses": len(assemblies),
        "inputs": {k: {"kind": v.kind, **v.spec} for k, v in circuit.inputs.items()},
        "neurons": {k: {"model": v.params.model, "clamp": type(v.clamp).__name__}
                    for k, v in circuit.neurons.items()},
        "retrograde": {k: {"cb1_sources": None if v.cb1_sources is None else list(v.cb1_sources),
                           "n_cb1_terminals": len(signals[k].terminals)}
                       for k, v in circuit.retrograde.items()},
    }
    return CircuitResult(
        circuit=circuit,
        t_end_ms=t_end,
        trace_dt_ms=dt,
        input_spikes=input_times,
        neuron_spikes={k: np.asarray(m.spikes, dtype=float) for k, m in membranes.items()},
        neuron_traces=neuron_traces,
        synapses={k: a.result(t_end, {}) for k, a in assemblies.items()},
        neuron_log=log,
        provenance=prov,
    )
