"""The synaptic cleft: one well-mixed compartment whose kinetic network holds every fate.

Free transmitter in the cleft binds receptors, transporters and enzymes and escapes by
diffusion out of the cleft (first order, rate from the geometry and the apparent diffusion
coefficient unless given). All of these are reactions of one :class:`ReactionNetwork`, so
competition between fates is exact. Every species is classified for the conservation check:
free, bound (to receptors, transporters or enzymes, weighted by molecules held), degraded,
taken up or escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ..engine.checks import check_nonnegative, check_positive
from ..engine.network import Reaction, ReactionNetwork
from ..postsynaptic.metabotropic import MetabotropicReceptor, metabotropic_network
from ..postsynaptic.receptors import ReceptorScheme
from .clearance import EnzymeParams, TransporterParams

__all__ = [
    "CleftParams",
    "FATES",
    "build_cleft_network",
    "build_compartment_network",
    "build_synapse_network",
]

#: The categories every released molecule is in at any time.
FATES = ("free", "bound", "degraded", "taken_up", "escaped")


@dataclass(frozen=True)
class CleftParams:
    """Geometry and escape of the cleft compartment.

    Parameters
    ----------
    radius_nm, height_nm : float
        The cleft as a disc; its volume converts counts to concentrations.
    diffusion_um2_per_ms : float
        Apparent diffusion coefficient of the transmitter in the cleft.
    k_escape_per_ms : float, optional
        First-order escape from the cleft. Default: the slowest decay mode of diffusion out of
        a disc with an absorbing rim, ``D (j0,1 / r)²`` (j0,1 = 2.405).
    diffusion_delay_ms : float, optional
        Time from fusion to arrival across the cleft. Default: ``h² / (2 D)``.
    """

    radius_nm: float = 150.0
    height_nm: float = 20.0
    diffusion_um2_per_ms: float = 0.33
    k_escape_per_ms: float | None = None
    diffusion_delay_ms: float | None = None

    def __post_init__(self) -> None:
        check_positive("radius_nm", self.radius_nm)
        check_positive("height_nm", self.height_nm)
        check_positive("diffusion_um2_per_ms", self.diffusion_um2_per_ms)
        if self.k_escape_per_ms is not None:
            check_nonnegative("k_escape_per_ms", self.k_escape_per_ms)
        if self.diffusion_delay_ms is not None:
            check_nonnegative("diffusion_delay_ms", self.diffusion_delay_ms)

    @property
    def volume_L(self) -> float:
        """Volume of the disc in litres (1 nm³ = 1e-24 L)."""
        return math.pi * self.radius_nm**2 * self.height_nm * 1e-24

    @property
    def escape_rate_per_ms(self) -> float:
        """First-order escape rate used in the network."""
        if self.k_escape_per_ms is not None:
            return self.k_escape_per_ms
        r_um = self.radius_nm * 1e-3
        return self.diffusion_um2_per_ms * (2.404825557695773 / r_um) ** 2

    @property
    def delay_ms(self) -> float:
        """Fusion-to-cleft delay used for every release."""
        if self.diffusion_delay_ms is not None:
            return self.diffusion_delay_ms
        h_um = self.height_nm * 1e-3
        return h_um * h_um / (2.0 * self.diffusion_um2_per_ms)


def build_cleft_network(
    transmitter: str,
    cleft: CleftParams,
    receptors: list[tuple[ReceptorScheme, int]],
    transporters: list[TransporterParams],
    enzymes: list[EnzymeParams],
    metabotropic: Sequence[MetabotropicReceptor] = (),
) -> tuple[ReactionNetwork, dict[str, tuple[str, int]]]:
    """The cleft's network and, for each species, its fate and molecules of transmitter held.

    ``metabotropic`` receptors add their binding, G-protein and GIRK reactions (their
    transmitter-holding states count as bound).

    Returns
    -------
    network : ReactionNetwork
    fates : dict
        ``species -> (fate, molecules)`` for every species holding transmitter.
    """
    return build_compartment_network(
        transmitter, cleft.volume_L, cleft.escape_rate_per_ms, receptors, transporters, enzymes,
        metabotropic,
    )


def build_compartment_network(
    transmitter: str,
    volume_L: float,
    escape_rate_per_ms: float,
    receptors: list[tuple[ReceptorScheme, int]],
    transporters: list[TransporterParams],
    enzymes: list[EnzymeParams],
    metabotropic: Sequence[MetabotropicReceptor] = (),
) -> tuple[ReactionNetwork, dict[str, tuple[str, int]]]:
    """Network and fates of any well-mixed compartment (a cleft, an extrasynaptic volume)."""
    vol = volume_L
    escaped = f"{transmitter}.escaped"
    parts = [
        ReactionNetwork(
            (transmitter, escaped),
            (Reaction(f"{transmitter}:escape", {transmitter: 1}, {escaped: 1},
                      escape_rate_per_ms),),
            {},
            vol,
        )
    ]
    fates: dict[str, tuple[str, int]] = {transmitter: ("free", 1), escaped: ("escaped", 1)}
    for scheme, n in receptors:
        parts.append(scheme.network(transmitter, n, vol))
        for state, k in scheme.bound_counts().items():
            if k:
                fates[f"{scheme.name}.{state}"] = ("bound", k)
    for tp in transporters:
        species, rx = tp.reactions(transmitter, vol)
        parts.append(ReactionNetwork(tuple(species) + (transmitter,), tuple(rx), {tp.name: tp.n}, vol))
        fates[f"{tp.name}.{transmitter}"] = ("bound", 1)
        fates[f"{tp.name}.uptake"] = ("taken_up", 1)
    for ez in enzymes:
        species, rx = ez.reactions(transmitter, vol)
        parts.append(ReactionNetwork(tuple(species) + (transmitter,), tuple(rx), {ez.name: ez.n}, vol))
        fates[f"{ez.name}.{transmitter}"] = ("bound", 1)
        fates[f"{ez.name}.degraded"] = ("degraded", 1)
    if metabotropic:
        gpcr_parts, gpcr_fates = metabotropic_network(transmitter, vol, list(metabotropic))
        parts += gpcr_parts
        fates.update(gpcr_fates)
    return ReactionNetwork.combine(parts, vol), fates


def build_synapse_network(synapse) -> tuple[ReactionNetwork, dict[str, tuple[str, int]]]:
    """The cleft network of a :class:`~synevent.synapse.SynapseParams`, every transmitter in it.

    Each transmitter (the main one and each cotransmitter) gets its free and escaped species,
    and the receptors, transporters and enzymes that act on it; metabotropic receptors sense
    the main transmitter. All share the cleft's volume and escape rate.
    """
    parts, fates = [], {}
    for tx in synapse.transmitters:
        net, f = build_cleft_network(
            tx,
            synapse.cleft,
            [(p.scheme, p.n) for p in synapse.receptors if synapse.substrate_of(p) == tx],
            [t for t in synapse.transporters if synapse.substrate_of(t) == tx],
            [e for e in synapse.enzymes if synapse.substrate_of(e) == tx],
            synapse.metabotropic if tx == synapse.transmitter else (),
        )
        parts.append(net)
        fates.update(f)
    if len(parts) == 1:
        return parts[0], fates
    return ReactionNetwork.combine(parts, synapse.cleft.volume_L), fates
