"""Metabotropic receptors: transmitter binding, G-protein activation and GIRK channels as reactions.

A :class:`MetabotropicReceptor` adds four groups of reactions to the compartment's network:

* its :class:`ReceptorScheme` (binding and unbinding of transmitter; the scheme's
  ``open_states`` are the *active* states that can turn over G-proteins);
* G-protein activation catalysed by an active receptor, ``R* + G -> R* + G*``, with stochastic
  rate ``k_act_per_ms / n_g_proteins`` per pair (so one active receptor activates
  ``k_act_per_ms`` G-proteins per ms while all are inactive);
* GTP hydrolysis of free active G-protein, ``G* -> G``, at ``k_gtpase_per_ms``;
* optionally GIRK channels (:class:`GIRKParams`) whose ``n_sites`` sites bind free G* one at a
  time; a channel conducts when every site is bound.

Transmitter held by the receptor counts as bound in the conservation check; G-proteins and
channels hold none. Presynaptic autoreceptors use the same reactions and read their free G*
count at each spike (:mod:`synevent.presynaptic.autoreceptors`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..engine.checks import ParameterError, check_count, check_finite, check_nonnegative, check_positive
from ..engine.network import Reaction, ReactionNetwork
from ..presynaptic.autoreceptors import CaInhibition
from .receptors import ReceptorScheme

__all__ = ["GIRKParams", "MetabotropicReceptor", "metabotropic_network"]


@dataclass(frozen=True)
class GIRKParams:
    """G-protein-gated inwardly rectifying K⁺ channels coupled to one receptor population.

    A channel has ``n_sites`` sites for active G-protein (Gβγ). Free G* binds any free site at
    ``koff_per_ms / kd_site_molecules`` per (molecule, site) pair; a bound G* leaves at
    ``koff_per_ms / cooperativity**(b - 1)`` when ``b`` sites are bound (bound neighbours
    hold each other: positive cooperativity). Only the fully bound channel conducts.

    Parameters
    ----------
    n_channels : int
        Channels facing the receptors.
    n_sites : int
        G* sites per channel (4: one per subunit of the tetramer).
    kd_site_molecules : float
        Dissociation constant of a lone bound G*, as a count of free G* molecules.
    cooperativity : float
        Factor ``>= 1`` by which each further bound site slows unbinding.
    koff_per_ms : float
        Unbinding rate of a lone bound G*.
    conductance_pS : float
        Conductance of one open channel.
    e_rev_mV : float
        Reversal potential (E_K).
    source : str
        Citation of the numbers.
    """

    n_channels: int
    n_sites: int = 4
    kd_site_molecules: float = 2000.0
    cooperativity: float = 10.0
    koff_per_ms: float = 50.0
    conductance_pS: float = 5.0
    e_rev_mV: float = -95.0
    source: str = ""

    def __post_init__(self) -> None:
        check_count("girk.n_channels", self.n_channels)
        check_count("girk.n_sites", self.n_sites, minimum=1)
        check_positive("girk.kd_site_molecules", self.kd_site_molecules)
        if check_finite("girk.cooperativity", self.cooperativity) < 1.0:
            raise ParameterError(f'"girk.cooperativity" must be >= 1, got {self.cooperativity!r}')
        check_positive("girk.koff_per_ms", self.koff_per_ms)
        check_nonnegative("girk.conductance_pS", self.conductance_pS)
        check_finite("girk.e_rev_mV", self.e_rev_mV)

    def step_kd_molecules(self) -> list[float]:
        """Macroscopic dissociation constant of each binding step ``b-1 -> b`` (free G*)."""
        n = self.n_sites
        return [
            self.kd_site_molecules * b / ((n - b + 1) * self.cooperativity ** (b - 1))
            for b in range(1, n + 1)
        ]

    def open_probability(self, g_free: float) -> float:
        """Equilibrium open fraction with ``g_free`` free G* molecules held constant.

        With strong cooperativity the partly bound states are rare and this approaches the
        Hill function ``g^n / (g^n + K_1 ··· K_n)`` of Destexhe & Sejnowski (1995).
        """
        weights = [1.0]
        for kd in self.step_kd_molecules():
            weights.append(weights[-1] * g_free / kd)
        return weights[-1] / sum(weights)


@dataclass(frozen=True)
class MetabotropicReceptor:
    """``n`` G-protein-coupled receptors of one kind and their signalling partners.

    Parameters
    ----------
    scheme : ReceptorScheme
        Binding kinetics; ``open_states`` are the active (G-protein-activating) states and
        ``conductance_pS`` must be 0 (the receptor itself does not conduct). Its ``name``
        prefixes every species (``"GABAB.R"``, ``"GABAB.G"``, ``"GABAB.Gact"``,
        ``"GABAB.GIRK4"``) and is the target name for antagonists and knockouts.
    n : int
        Receptors.
    n_g_proteins : int
        G-protein heterotrimers available to them (inactive at t = 0).
    k_act_per_ms : float
        G-proteins activated per ms by one active receptor while every G-protein is inactive.
    k_gtpase_per_ms : float
        Inactivation of free active G-protein (GTP hydrolysis and reassociation).
    girk : GIRKParams, optional
        Postsynaptic GIRK channels opened by the active G-protein.
    ca_inhibition : CaInhibition, optional
        For a presynaptic autoreceptor: how the active G-protein inhibits the terminal's Ca²⁺
        entry at each spike.
    source : str
        Citation of the cascade's numbers.
    """

    scheme: ReceptorScheme
    n: int
    n_g_proteins: int
    k_act_per_ms: float
    k_gtpase_per_ms: float
    girk: GIRKParams | None = None
    ca_inhibition: CaInhibition | None = None
    source: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.scheme, ReceptorScheme):
            raise ParameterError(f'"metabotropic.scheme" must be a ReceptorScheme, got {self.scheme!r}')
        name = self.scheme.name
        check_count(f"metabotropic[{name}].n", self.n)
        check_count(f"metabotropic[{name}].n_g_proteins", self.n_g_proteins)
        check_nonnegative(f"metabotropic[{name}].k_act_per_ms", self.k_act_per_ms)
        check_nonnegative(f"metabotropic[{name}].k_gtpase_per_ms", self.k_gtpase_per_ms)
        if self.scheme.conductance_pS != 0:
            raise ParameterError(
                f'"metabotropic[{name}].scheme.conductance_pS" must be 0 (a metabotropic '
                f"receptor conducts through its effector), got {self.scheme.conductance_pS!r}"
            )
        if not self.scheme.open_states:
            raise ParameterError(
                f'"metabotropic[{name}].scheme.open_states" must name the active states, got ()'
            )
        if self.girk is not None and not isinstance(self.girk, GIRKParams):
            raise ParameterError(f'"metabotropic[{name}].girk" must be GIRKParams or None, got {self.girk!r}')
        if self.ca_inhibition is not None and not isinstance(self.ca_inhibition, CaInhibition):
            raise ParameterError(
                f'"metabotropic[{name}].ca_inhibition" must be CaInhibition or None, '
                f"got {self.ca_inhibition!r}"
            )

    # -- species names ---------------------------------------------------------------------
    @property
    def name(self) -> str:
        """The receptor's name (its scheme's)."""
        return self.scheme.name

    @property
    def g_inactive(self) -> str:
        """Species of inactive (GDP-bound) G-protein."""
        return f"{self.name}.G"

    @property
    def g_active(self) -> str:
        """Species of free active G-protein."""
        return f"{self.name}.Gact"

    def girk_state(self, bound: int) -> str:
        """Species of GIRK channels with ``bound`` sites occupied."""
        return f"{self.name}.GIRK{bound}"

    @property
    def girk_open(self) -> str:
        """Species of conducting (fully bound) GIRK channels."""
        if self.girk is None:
            raise ParameterError(f'metabotropic receptor "{self.name}" has no GIRK channels')
        return self.girk_state(self.girk.n_sites)

    # -- reactions ------------------------------------------------------------------------
    def cascade_network(self, volume_L: float | None) -> ReactionNetwork:
        """G-protein and GIRK reactions (the binding scheme excluded), in a compartment."""
        g, gact = self.g_inactive, self.g_active
        species = [g, gact]
        rx: list[Reaction] = []
        # NOTE: with no G-proteins the catalytic rate is 0, not k / 0.
        c_act = self.k_act_per_ms / self.n_g_proteins if self.n_g_proteins else 0.0
        for state in self.scheme.open_states:
            active = f"{self.name}.{state}"
            rx.append(Reaction(f"{self.name}:activate[{state}]", {active: 1, g: 1},
                               {active: 1, gact: 1}, c_act))
            species.append(active)
        rx.append(Reaction(f"{self.name}:gtpase", {gact: 1}, {g: 1}, self.k_gtpase_per_ms))
        counts = {g: self.n_g_proteins}
        if self.girk is not None:
            gp = self.girk
            states = [self.girk_state(b) for b in range(gp.n_sites + 1)]
            species += states
            kon = gp.koff_per_ms / gp.kd_site_molecules
            for b in range(1, gp.n_sites + 1):
                lo, hi = states[b - 1], states[b]
                rx.append(Reaction(f"{self.name}:GIRK{b - 1}->GIRK{b}", {lo: 1, gact: 1}, {hi: 1},
                                   (gp.n_sites - b + 1) * kon))
                rx.append(Reaction(f"{self.name}:GIRK{b}->GIRK{b - 1}", {hi: 1}, {lo: 1, gact: 1},
                                   b * gp.koff_per_ms / gp.cooperativity ** (b - 1)))
            counts[states[0]] = gp.n_channels
        return ReactionNetwork(tuple(dict.fromkeys(species)), tuple(rx), counts, volume_L)

    def network(self, transmitter: str, volume_L: float) -> ReactionNetwork:
        """Binding scheme and cascade on ``transmitter`` in a compartment of ``volume_L``."""
        return ReactionNetwork.combine(
            [self.scheme.network(transmitter, self.n, volume_L), self.cascade_network(volume_L)],
            volume_L,
        )

    def clamped_network(self, conc_uM: float) -> ReactionNetwork:
        """The receptor under a held transmitter concentration (binding does not consume it).

        Pulses of transmitter are applied with :meth:`ExactNetwork.set_rates` on the reactions
        of ``scheme.binding_reactions()`` (rate ``kon · C``), as for ionotropic schemes.
        """
        return ReactionNetwork.combine(
            [self.scheme.clamped_network(self.n, conc_uM), self.cascade_network(None)]
        )

    def fates(self) -> dict[str, tuple[str, int]]:
        """Receptor states holding transmitter: ``species -> ("bound", molecules)``."""
        return {
            f"{self.name}.{state}": ("bound", k)
            for state, k in self.scheme.bound_counts().items()
            if k
        }

    def g_total(self, counts: dict[str, int]) -> int:
        """G-proteins in every form (inactive, free active, bound to channels): conserved."""
        total = counts[self.g_inactive] + counts[self.g_active]
        if self.girk is not None:
            total += sum(b * counts[self.girk_state(b)] for b in range(1, self.girk.n_sites + 1))
        return total


def metabotropic_network(
    transmitter: str, volume_L: float, receptors: list[MetabotropicReceptor]
) -> tuple[list[ReactionNetwork], dict[str, tuple[str, int]]]:
    """Network parts and fates of every metabotropic receptor of a compartment."""
    parts: list[ReactionNetwork] = []
    fates: dict[str, tuple[str, int]] = {}
    for m in receptors:
        parts.append(m.network(transmitter, volume_L))
        fates.update(m.fates())
    return parts, fates
