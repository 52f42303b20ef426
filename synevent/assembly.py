"""One synapse assembled in a SimPy environment: terminal, cleft network and interventions.

:func:`synevent.simulate` runs one assembly on its own; a circuit runs many in one environment,
each driven by the spikes of its presynaptic source and watched by its postsynaptic neuron.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import simpy

from .cleft.cleft import build_synapse_network
from .engine.log import EventLog
from .engine.random import RandomStream
from .engine.ssa import ExactNetwork
from .pharmacology.driver import start_interventions
from .pharmacology.mechanisms import Plan, initial_counts
from .presynaptic.autoreceptors import AutoreceptorCoupling
from .presynaptic.terminal import Terminal
from .results import Result
from .synapse import SynapseParams

__all__ = ["ConductanceGroup", "SynapseAssembly", "conductance_groups"]


@dataclass(frozen=True)
class ConductanceGroup:
    """Channels of one kind whose open count sets a postsynaptic conductance.

    Parameters
    ----------
    name : str
        Name of the group (the receptor scheme's name).
    species : tuple of str
        Cleft-network species that conduct (summed).
    g_open_nS : float
        Conductance of one open channel.
    e_rev_mV : float
        Reversal potential.
    mg_block : bool
        Whether the conductance is scaled by the Mg²⁺ unblock at the membrane potential.
    """

    name: str
    species: tuple[str, ...]
    g_open_nS: float
    e_rev_mV: float
    mg_block: bool = False


def conductance_groups(synapse: SynapseParams) -> list[ConductanceGroup]:
    """Every conducting group of ``synapse``, in watch-group order.

    Ionotropic receptors come first, then the GIRK channels of metabotropic receptors (group
    named after the receptor).
    """
    groups = [
        ConductanceGroup(
            p.scheme.name,
            tuple(f"{p.scheme.name}.{o}" for o in p.scheme.open_states),
            p.scheme.conductance_pS * 1e-3,
            p.scheme.e_rev_mV,
            p.scheme.mg_block,
        )
        for p in synapse.receptors
    ]
    groups += [
        ConductanceGroup(m.name, (m.girk_open,), m.girk.conductance_pS * 1e-3, m.girk.e_rev_mV)
        for m in synapse.metabotropic
        if m.girk is not None
    ]
    return groups


class SynapseAssembly:
    """The running parts of one synapse.

    Parameters
    ----------
    env : simpy.Environment
    drugs : Plan
        The interventions planned for this synapse (``plan(synapse, interventions)``); its
        ``synapse`` (with knockouts applied) is the one assembled.
    rs : RandomStream
        The run's random stream (shared by every synapse of a circuit).
    log : EventLog
        Where this synapse's events go.
    t_end_ms : float
        End of the run (schedules and the trace grid stop there).
    trace_dt_ms : float
        Grid of the species trace.
    name : str, optional
        Prefix of the component names in the log (``"<name>.terminal"``); empty for a lone
        synapse, whose components are ``terminal`` and ``cleft``.
    passive : bool
        Simulate the cleft network lazily (see :class:`~synevent.engine.ssa.ExactNetwork`);
        right when many synapses share the environment.
    mode : {"exact", "hybrid"}
        How the cleft network is simulated (:class:`~synevent.engine.ssa.ExactNetwork`).
    watch_open : bool
        Follow the open channels of every :func:`conductance_groups` entry (watch group k is
        entry k), so a neuron can integrate the conductances they carry.
    """

    def __init__(
        self,
        env: simpy.Environment,
        drugs: Plan,
        rs: RandomStream,
        log: EventLog,
        *,
        t_end_ms: float,
        trace_dt_ms: float,
        name: str = "",
        watch_open: bool = False,
        passive: bool = False,
        mode: str = "exact",
    ) -> None:
        synapse: SynapseParams = drugs.synapse
        self.synapse = synapse
        self.env = env
        self.log = log
        self.drugs = drugs
        self.trace_dt_ms = trace_dt_ms
        prefix = f"{name}." if name else ""
        net, fates = build_synapse_network(synapse)
        net, fates, bindings = drugs.attach(net, fates)
        self.fates = fates
        self.arrivals_t: list[float] = []
        self.arrivals_n: list[int] = []
        self.spikes_t: list[float] = []
        tx = synapse.transmitter
        arrivals_t, arrivals_n = self.arrivals_t, self.arrivals_n
        cleft_name = prefix + "cleft"

        # Cotransmitters in the same vesicles arrive with the main transmitter, in proportion.
        same = [(c.transmitter, c.molecules_per_vesicle / synapse.vesicles.molecules_per_vesicle)
                for c in synapse.cotransmitters if c.mode == "same_vesicle"]
        self.co_delivered = 0

        def release(t: float, n: int, site: int, vesicle: int) -> None:
            self.cleft.add(tx, n)
            arrivals_t.append(t)
            arrivals_n.append(n)
            log.record(t, "cleft_arrival", cleft_name, site=site, vesicle=vesicle, amount=n)
            for co, ratio in same:
                k = int(round(n * ratio))
                self.cleft.add(co, k)
                self.co_delivered += k
                arrivals_t.append(t)
                arrivals_n.append(k)
                log.record(t, "cleft_arrival", cleft_name, site=site, vesicle=vesicle, amount=k,
                           detail=co)

        def release_of(co: str):
            def release_separate(t: float, n: int, site: int, vesicle: int) -> None:
                self.cleft.add(co, n)
                arrivals_t.append(t)
                arrivals_n.append(n)
                log.record(t, "cleft_arrival", cleft_name, site=site, vesicle=vesicle, amount=n,
                           detail=co)
            return release_separate

        recycled = [net.index(f"{tp.name}.uptake") for tp in synapse.transporters
                    if tp.into_terminal and synapse.substrate_of(tp) == tx]
        if recycled:
            def uptake_source() -> int:
                self.cleft.catch_up()
                return sum(self.cleft.x[i] for i in recycled)
        else:
            uptake_source = None
        self.terminal = Terminal(
            env,
            synapse.calcium,
            synapse.sensor,
            synapse.vesicles,
            rs,
            log,
            release,
            diffusion_delay_ms=synapse.cleft.delay_ms,
            uptake_source=uptake_source,
            component=prefix + "terminal",
            facilitation=synapse.facilitation,
        )
        self.terminals = [self.terminal]
        for c in synapse.cotransmitters:
            if c.mode == "separate_vesicles":
                vesicles = dataclasses.replace(c.vesicles or synapse.vesicles,
                                               molecules_per_vesicle=c.molecules_per_vesicle)
                self.terminals.append(Terminal(
                    env, synapse.calcium, synapse.sensor, vesicles, rs, log, release_of(c.transmitter),
                    diffusion_delay_ms=synapse.cleft.delay_ms, component=f"{prefix}terminal.{c.transmitter}",
                    facilitation=synapse.facilitation,
                ))
        # Drawn after the terminal so that conditions of a comparison share its initial state.
        if bindings:
            net = net.with_counts(**initial_counts(bindings, net, rs.generator))
        self.network = net
        self.groups = conductance_groups(synapse)
        watch = None
        if watch_open:
            watch = {sp: k for k, grp in enumerate(self.groups) for sp in grp.species}
        # Hybrid mode keeps receptor and channel states exact whatever their number: only
        # transmitter, transporters and enzymes are leaped.
        exact_species = tuple(
            s for s in net.species
            if any(s.startswith(f"{p.scheme.name}.") for p in synapse.receptors)
            or any(s in grp.species for grp in self.groups)
        )
        self.cleft = ExactNetwork(
            env, net, rs, name=cleft_name, trace_dt_ms=trace_dt_ms, t_end_ms=t_end_ms, log=log,
            watch=watch, passive=passive, mode=mode, exact_species=exact_species,
        )
        self.autoreceptors = AutoreceptorCoupling(synapse.metabotropic, self.cleft, self.terminals)
        if drugs.interventions:
            start_interventions(env, bindings, drugs.presynaptic, self.cleft, self.terminals, rs,
                                log, t_end_ms)
        self.primed_initial = sum(term.n_primed() for term in self.terminals)

    def spike(self) -> None:
        """An action potential reaches the terminal now."""
        if self.autoreceptors:
            self.autoreceptors.before_spike()
        for term in self.terminals:
            term.spike(len(self.spikes_t))
        self.spikes_t.append(self.env.now)

    def open_counts(self) -> list[int]:
        """Open channels of each conductance group now."""
        return [sum(self.cleft.count(sp) for sp in grp.species) for grp in self.groups]

    def result(self, t_end_ms: float, provenance: dict) -> Result:
        """The synapse's :class:`Result` (call once, after the run)."""
        self.cleft.finish(t_end_ms)
        return Result(
            synapse=self.synapse,
            spikes_ms=np.asarray(self.spikes_t, dtype=float),
            log=self.log,
            network=self.network,
            fates=self.fates,
            trace=self.cleft.trace_array(),
            trace_dt_ms=self.trace_dt_ms,
            arrivals_ms=np.asarray(self.arrivals_t, dtype=float),
            arrivals_n=np.asarray(self.arrivals_n, dtype=np.int64),
            fused_molecules=sum(term.released_molecules for term in self.terminals) + self.co_delivered,
            in_transit=sum(term.in_transit for term in self.terminals),
            primed_initial=self.primed_initial,
            spike_ca_factors=self.terminal.spike_ca_factors,
            provenance=provenance,
        )
