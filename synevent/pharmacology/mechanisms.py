"""How each intervention enters the model: extra species and reactions, or presynaptic effects.

:func:`plan` resolves interventions (and drug applications) against a synapse, refusing
targets it does not have, and applies knockouts. :meth:`Plan.attach` then adds the binding
reactions to the cleft network. A drug-binding step is pseudo-first-order: the drug is a bath
whose concentration the schedule sets, so ``X → X·I`` has rate ``kon · conc · f(t)`` per
molecule and ``X·I → X`` has rate ``kon · K``. Competition between drug and transmitter,
use-dependence and trapping emerge from the network.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.integrate import solve_ivp

from ..engine.checks import ParameterError
from ..engine.network import Reaction, ReactionNetwork, molecules_per_uM
from ..synapse import SynapseParams
from .interventions import (
    AllostericModulator,
    CaChannelBlocker,
    ChannelBlocker,
    EnzymeInhibitor,
    Intervention,
    Knockout,
    ReceptorAntagonist,
    ReleaseBlocker,
    TransporterInhibitor,
    VMATInhibitor,
    _Binder,
)

__all__ = ["Binding", "Plan", "plan"]

PRESYNAPTIC = (CaChannelBlocker, ReleaseBlocker, VMATInhibitor)


@dataclass
class Binding:
    """Reactions whose rates follow one intervention's level.

    ``rates(level)`` gives each reaction's stochastic rate at a relative level: drug binding
    scales as ``kon · conc · level``; an allosteric modulator divides agonist unbinding.
    """

    intervention: Intervention
    reactions: list[tuple[str, float]]  # (name, rate at level 1 or base rate)
    modulation: bool = False
    # Species pairs (free, drug-bound) whose t = 0 occupancy is drawn from the pre-run history.
    initial: list[tuple[str, str]] = field(default_factory=list)

    def rates(self, level: float) -> dict[str, float]:
        iv = self.intervention
        if self.modulation:
            assert isinstance(iv, AllostericModulator)
            factor = 1.0 + (iv.efficacy - 1.0) * iv.occupancy(level)
            return {name: base / factor for name, base in self.reactions}
        return {name: base * level for name, base in self.reactions}


@dataclass
class Plan:
    """Interventions resolved against one synapse."""

    synapse: SynapseParams
    interventions: list[Intervention]
    skipped: list[str] = field(default_factory=list)

    @property
    def network_interventions(self) -> list[Intervention]:
        return [iv for iv in self.interventions if not isinstance(iv, (*PRESYNAPTIC, Knockout))]

    @property
    def presynaptic(self) -> list[Intervention]:
        return [iv for iv in self.interventions if isinstance(iv, PRESYNAPTIC)]

    def attach(
        self, net: ReactionNetwork, fates: dict[str, tuple[str, int]]
    ) -> tuple[ReactionNetwork, dict[str, tuple[str, int]], list[Binding]]:
        """The cleft network with every network intervention's species and reactions added."""
        parts = [net]
        fates = dict(fates)
        bindings: list[Binding] = []
        for iv in self.network_interventions:
            part, new_fates, binding = _mechanism(iv, self.synapse, net)
            if part is not None:
                parts.append(part)
            fates.update(new_fates)
            bindings.append(binding)
        combined = ReactionNetwork.combine(parts, net.volume_L) if len(parts) > 1 else net
        # Start the driven reactions at their t = 0 level (the driver takes over from there).
        if bindings:
            rates = {}
            for b in bindings:
                rates.update(b.rates(b.intervention.schedule.level(0.0)))
            rx = tuple(
                dataclasses.replace(r, rate_per_ms=rates[r.name]) if r.name in rates else r
                for r in combined.reactions
            )
            combined = dataclasses.replace(combined, reactions=rx)
        return combined, fates, bindings


def plan(synapse: SynapseParams, interventions: Iterable) -> Plan:
    """Resolve ``interventions`` (objects or drug applications) against ``synapse``.

    A drug application contributes only the actions whose targets the synapse has (cocaine on a
    serotonergic synapse acts on SERT only); an explicit intervention whose target is missing
    is an error. Knockouts are applied to the returned synapse.
    """
    from .drugs import DrugApplication

    if isinstance(interventions, (Intervention, DrugApplication)):
        interventions = [interventions]
    flat: list[Intervention] = []
    skipped: list[str] = []
    for item in interventions:
        if isinstance(item, DrugApplication):
            for iv in item.interventions():
                if _has_target(synapse, iv):
                    flat.append(iv)
                else:
                    skipped.append(f"{item.drug.name} on {iv.target}")
        elif isinstance(item, Intervention):
            _require_target(synapse, item)
            flat.append(item)
        else:
            raise ParameterError(
                f'"interventions" must hold Intervention objects or drug applications, got {item!r}'
            )
    modulated = [iv.target for iv in flat if isinstance(iv, AllostericModulator)]
    if len(modulated) != len(set(modulated)):
        raise ParameterError(
            f"at most one allosteric modulator per receptor is supported, got {modulated}"
        )
    seen: set[tuple[str, str]] = set()
    for iv in flat:
        key = (iv.target, iv.label)
        if key in seen:
            raise ParameterError(
                f'two interventions on "{iv.target}" share the label "{iv.label}"; give each a '
                "distinct label"
            )
        seen.add(key)
    for iv in flat:
        if isinstance(iv, Knockout):
            synapse = _knock_out(synapse, iv)
    return Plan(synapse, flat, skipped)


# -- targets ---------------------------------------------------------------------------------
def _targets(synapse: SynapseParams) -> dict[str, list[str]]:
    return {
        "transporter": [t.name for t in synapse.transporters],
        "enzyme": [e.name for e in synapse.enzymes],
        "receptor": [p.scheme.name for p in synapse.receptors],
        "metabotropic": [m.name for m in synapse.metabotropic],
    }


def _target_group(iv: Intervention) -> str | None:
    if isinstance(iv, TransporterInhibitor):
        return "transporter"
    if isinstance(iv, EnzymeInhibitor):
        return "enzyme"
    if isinstance(iv, (ReceptorAntagonist, ChannelBlocker, AllostericModulator)):
        return "receptor"
    return None


def _has_target(synapse: SynapseParams, iv: Intervention) -> bool:
    group = _target_group(iv)
    if isinstance(iv, Knockout):
        return any(iv.target in names for names in _targets(synapse).values())
    if group is None:
        return True
    names = _targets(synapse)
    if isinstance(iv, (ReceptorAntagonist, AllostericModulator)):
        return iv.target in names["receptor"] + names["metabotropic"]
    return iv.target in names[group]


def _require_target(synapse: SynapseParams, iv: Intervention) -> None:
    if _has_target(synapse, iv):
        return
    group = _target_group(iv)
    names = _targets(synapse)
    if isinstance(iv, (ReceptorAntagonist, AllostericModulator)):
        valid = names["receptor"] + names["metabotropic"]
    else:
        valid = names[group] if group else sorted(n for v in names.values() for n in v)
    raise ParameterError(
        f'{iv.kind} "target" must name a {group or "transporter, enzyme or receptor"} of synapse '
        f'"{synapse.name}" ({valid}), got {iv.target!r}'
    )


def _knock_out(synapse: SynapseParams, ko: Knockout) -> SynapseParams:
    def keep(n: int) -> int:
        return int(round(n * ko.fraction_remaining))

    return dataclasses.replace(
        synapse,
        transporters=tuple(dataclasses.replace(t, n=keep(t.n)) if t.name == ko.target else t
                           for t in synapse.transporters),
        enzymes=tuple(dataclasses.replace(e, n=keep(e.n)) if e.name == ko.target else e
                      for e in synapse.enzymes),
        receptors=tuple(dataclasses.replace(p, n=keep(p.n)) if p.scheme.name == ko.target else p
                        for p in synapse.receptors),
        metabotropic=tuple(dataclasses.replace(m, n=keep(m.n)) if m.name == ko.target else m
                           for m in synapse.metabotropic),
    )


# -- network mechanisms ----------------------------------------------------------------------
def _pair_reactions(
    prefix: str, pairs: Sequence[tuple[str, str]], iv: _Binder, reversible: bool = True
) -> tuple[list[Reaction], list[tuple[str, float]]]:
    """``free → bound`` at ``kon · conc`` (driven) and, if reversible, ``bound → free``."""
    rx: list[Reaction] = []
    driven: list[tuple[str, float]] = []
    for free, bound in pairs:
        on = f"{prefix}:{free}->{bound}"
        base = iv.kon_per_uM_per_ms * iv.conc_uM
        rx.append(Reaction(on, {free: 1}, {bound: 1}, base))
        driven.append((on, base))
        if reversible:
            rx.append(Reaction(f"{prefix}:{bound}->{free}", {bound: 1}, {free: 1}, iv.koff_per_ms))
    return rx, driven


def _mechanism(iv: Intervention, syn: SynapseParams, net: ReactionNetwork):
    tx = syn.transmitter
    vol = net.volume_L
    label = iv.label
    if isinstance(iv, TransporterInhibitor):
        tp = next(t for t in syn.transporters if t.name == iv.target)
        tx = syn.substrate_of(tp)
        states = [tp.name]
        if iv.mode == "noncompetitive":
            states += [s for s in (f"{tp.name}.{tx}", f"{tp.name}.in") if s in net.species]
        pairs = [(s, f"{s}.{label}") for s in states]
        rx, driven = _pair_reactions(f"{tp.name}+{label}", pairs, iv)
        fates = {f"{tp.name}.{tx}.{label}": ("bound", 1)} if iv.mode == "noncompetitive" else {}
        part = _part(pairs, rx, vol)
        return part, fates, Binding(iv, driven, initial=[pairs[0]])
    if isinstance(iv, EnzymeInhibitor):
        ez = next(e for e in syn.enzymes if e.name == iv.target)
        tx = syn.substrate_of(ez)
        states = [ez.name] + ([f"{ez.name}.{tx}"] if iv.mode == "noncompetitive" else [])
        pairs = [(s, f"{s}.{label}") for s in states]
        rx, driven = _pair_reactions(f"{ez.name}+{label}", pairs, iv,
                                     reversible=iv.mode != "irreversible")
        fates = {f"{ez.name}.{tx}.{label}": ("bound", 1)} if iv.mode == "noncompetitive" else {}
        return _part(pairs, rx, vol), fates, Binding(iv, driven, initial=pairs[:1])
    schemes = [p.scheme for p in syn.receptors] + [m.scheme for m in syn.metabotropic]
    scheme = next(sch for sch in schemes if sch.name == iv.target)
    tx = next((syn.substrate_of(p) for p in syn.receptors if p.scheme.name == iv.target), tx)
    bound = scheme.bound_counts()
    if isinstance(iv, ReceptorAntagonist):
        pairs = [(f"{scheme.name}.{s}", f"{scheme.name}.{s}.{label}") for s in scheme.states
                 if bound[s] == 0]
        rx, driven = _pair_reactions(f"{scheme.name}+{label}", pairs, iv)
        first = f"{scheme.name}.{scheme.states[0]}"
        init = [p for p in pairs if p[0] == first]
        return _part(pairs, rx, vol), {}, Binding(iv, driven, initial=init)
    if isinstance(iv, ChannelBlocker):
        return _channel_block(iv, scheme, tx, net)
    assert isinstance(iv, AllostericModulator)
    names = [f"{scheme.name}:{t.source}->{t.target}" for t in scheme.transitions if t.kind == "unbind"]
    base = {r.name: r.rate_per_ms for r in net.reactions}
    return None, {}, Binding(iv, [(n, base[n]) for n in names], modulation=True)


def _channel_block(iv: ChannelBlocker, scheme, tx: str, net: ReactionNetwork):
    """Open states block; with trapping, every state has a blocked copy that keeps gating."""
    label, name = iv.label, scheme.name
    bound = scheme.bound_counts()
    blocked = {s: f"{name}.{s}.{label}" for s in (scheme.states if iv.trapping else scheme.open_states)}
    pairs = [(f"{name}.{o}", blocked[o]) for o in scheme.open_states]
    rx, driven = _pair_reactions(f"{name}+{label}", pairs, iv)
    if iv.trapping:
        n_per_uM = molecules_per_uM(net.volume_L)
        for t in scheme.transitions:
            src, dst = blocked[t.source], blocked[t.target]
            rname = f"{name}.{label}:{t.source}->{t.target}"
            if t.kind == "bind":
                rx.append(Reaction(rname, {src: 1, tx: 1}, {dst: 1}, t.rate / n_per_uM))
            elif t.kind == "unbind":
                rx.append(Reaction(rname, {src: 1}, {dst: 1, tx: 1}, t.rate))
            else:
                rx.append(Reaction(rname, {src: 1}, {dst: 1}, t.rate))
    fates = {blocked[s]: ("bound", bound[s]) for s in blocked if bound[s]}
    species = [s for p in pairs for s in p] + list(blocked.values()) + [tx]
    part = ReactionNetwork(tuple(dict.fromkeys(species)), tuple(rx), {}, net.volume_L)
    return part, fates, Binding(iv, driven)


def _part(pairs: Sequence[tuple[str, str]], rx: list[Reaction], vol: float) -> ReactionNetwork:
    species = tuple(dict.fromkeys(s for p in pairs for s in p))
    return ReactionNetwork(species, tuple(rx), {}, vol)


# -- state at t = 0 --------------------------------------------------------------------------
def bound_fraction_at_start(iv: _Binder, reversible: bool = True) -> float:
    """Fraction of a target (without transmitter) drug-bound at ``t = 0``.

    At equilibrium for a drug applied long before; otherwise the two-state master equation
    ``dp/dt = kon·c·f(t)·(1 - p) - koff·p`` integrated from the application time.
    """
    s = iv.schedule
    if iv.conc_uM == 0 or s.start_ms >= 0:
        return 0.0
    if s.pre_equilibrated:
        p = iv.occupancy(1.0)  # irreversible inhibitors always have a finite start
        if s.stop_ms >= 0:
            return p
        t_from = s.stop_ms
    else:
        p, t_from = 0.0, s.start_ms
    kon, koff = iv.kon_per_uM_per_ms * iv.conc_uM, iv.koff_per_ms if reversible else 0.0

    def rhs(t: float, y: np.ndarray) -> np.ndarray:
        return np.array([kon * s.level(t) * (1.0 - y[0]) - koff * y[0]])

    # Integrate piece by piece so the solver never steps across the wash-out edge.
    edges = sorted({t_from, 0.0} | ({s.stop_ms} if t_from < s.stop_ms < 0 else set()))
    for a, b in zip(edges[:-1], edges[1:]):
        sol = solve_ivp(rhs, (a, b), [p], method="LSODA", rtol=1e-9, atol=1e-12)
        p = float(sol.y[0, -1])
    return min(max(p, 0.0), 1.0)


def initial_counts(bindings: Sequence[Binding], net: ReactionNetwork, gen: np.random.Generator) -> dict[str, int]:
    """Drug-bound counts at ``t = 0`` drawn binomially from each target's free population."""
    counts: dict[str, int] = {}
    x = dict(zip(net.species, net.initial_state()))
    for b in bindings:
        iv = b.intervention
        if not isinstance(iv, _Binder) or b.modulation:
            continue
        reversible = not (isinstance(iv, EnzymeInhibitor) and iv.mode == "irreversible")
        p = bound_fraction_at_start(iv, reversible)
        for free, bound in b.initial:
            n_free = counts.get(free, x[free])
            k = int(gen.binomial(n_free, p)) if 0 < p < 1 else (n_free if p >= 1 else 0)
            counts[free] = n_free - k
            counts[bound] = counts.get(bound, x[bound]) + k
    return counts
