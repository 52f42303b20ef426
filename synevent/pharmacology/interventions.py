"""Intervention objects: what a drug does, to which target, at what concentration and when.

Every intervention acts through the model's mechanisms rather than by editing a result: a
reuptake inhibitor is a species that binds the transporter in the cleft network, an
anticholinesterase binds the enzyme, an antagonist binds the receptor's unliganded state, a
Ca-channel blocker removes channels from the Ca²⁺ influx, botulinum toxin cleaves the SNAREs of
release sites one by one. Binding to a target is a pseudo-first-order reaction whose rate
``kon · conc · f(t)`` follows the :class:`Schedule`; unbinding is ``koff = kon · K``. The
equations are in ``docs/pharmacology/``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..engine.checks import ParameterError, check_nonnegative, check_positive, check_probability
from .schedule import Schedule

__all__ = [
    "AllostericModulator",
    "CaChannelBlocker",
    "ChannelBlocker",
    "EnzymeInhibitor",
    "Intervention",
    "Knockout",
    "ReceptorAntagonist",
    "ReleaseBlocker",
    "TransporterInhibitor",
    "VMATInhibitor",
]

#: Association rate used when a drug's is not known: 1e7 /M/s (typical small-molecule binding).
DEFAULT_KON_PER_UM_PER_MS = 0.01


@dataclass(frozen=True, kw_only=True)
class Intervention:
    """Common fields of every intervention.

    Parameters
    ----------
    target : str
        Name of the acted-on component (a transporter, enzyme or receptor scheme of the
        synapse, or ``"CaV"``, ``"SNARE"``, ``"VMAT"`` for presynaptic targets).
    conc_uM : float
        Bath concentration at full level.
    schedule : Schedule
        Wash-in and wash-out (default: at equilibrium before the run).
    label : str
        Identifier used in species names (default: the kind); unique per target.
    """

    target: str
    conc_uM: float = 0.0
    schedule: Schedule = field(default_factory=Schedule)
    label: str = ""

    kind = "intervention"

    def __post_init__(self) -> None:
        if not isinstance(self.target, str) or not self.target:
            raise ParameterError(f'"target" must be a non-empty name, got {self.target!r}')
        check_nonnegative(f"{self.kind}.conc_uM", self.conc_uM)
        if not isinstance(self.schedule, Schedule):
            raise ParameterError(f'"schedule" must be a Schedule, got {self.schedule!r}')
        if not isinstance(self.label, str):
            raise ParameterError(f'"label" must be a string, got {self.label!r}')
        if not self.label:
            object.__setattr__(self, "label", self.kind)
        if not self.label.isidentifier():
            raise ParameterError(f'"label" must be an identifier, got {self.label!r}')

    def conc_at(self, level: float) -> float:
        """Concentration at relative schedule level ``level``."""
        return self.conc_uM * level


def _check_mode(kind: str, mode: str, allowed: tuple[str, ...]) -> None:
    if mode not in allowed:
        raise ParameterError(f'"{kind}.mode" must be one of {list(allowed)}, got {mode!r}')


@dataclass(frozen=True, kw_only=True)
class _Binder(Intervention):
    """An intervention that binds its target with an affinity and an association rate."""

    kon_per_uM_per_ms: float = DEFAULT_KON_PER_UM_PER_MS

    _k_name = "kd_uM"

    def __post_init__(self) -> None:
        super().__post_init__()
        check_positive(f"{self.kind}.{self._k_name}", self.k_uM)
        check_positive(f"{self.kind}.kon_per_uM_per_ms", self.kon_per_uM_per_ms)

    @property
    def k_uM(self) -> float:
        """The equilibrium constant (Ki or Kd) of the binding."""
        return getattr(self, self._k_name)

    @property
    def koff_per_ms(self) -> float:
        """Dissociation rate ``kon · K``."""
        return self.kon_per_uM_per_ms * self.k_uM

    def occupancy(self, level: float = 1.0) -> float:
        """Equilibrium fraction of free target bound at ``level`` (no substrate)."""
        c = self.conc_at(level)
        return c / (c + self.k_uM)


@dataclass(frozen=True, kw_only=True)
class TransporterInhibitor(_Binder):
    """A reuptake inhibitor.

    ``mode="competitive"``: binds the empty outward-facing transporter only, so
    ``Km_app = Km (1 + [I]/Ki)`` and Vmax is unchanged. ``"noncompetitive"``: binds every
    state of the cycle (empty, substrate-bound, inward-facing) with the same Ki and stops it, so ``Vmax_app = Vmax / (1 + [I]/Ki)``
    and Km is unchanged.
    """

    ki_uM: float = 1.0
    mode: str = "competitive"
    kind = "transporter_inhibitor"
    _k_name = "ki_uM"

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_mode(self.kind, self.mode, ("competitive", "noncompetitive"))


@dataclass(frozen=True, kw_only=True)
class EnzymeInhibitor(_Binder):
    """An enzyme inhibitor (e.g. an anticholinesterase).

    ``mode="competitive"``: reversible binding to the free enzyme (``ki_uM``).
    ``"noncompetitive"``: binds the free and the substrate-bound enzyme alike and stops
    catalysis, so ``Vmax_app = Vmax / (1 + [I]/Ki)``. ``"irreversible"``: the free enzyme is inactivated at ``kon · [I]`` and never recovers
    (``ki_uM`` is unused).
    """

    ki_uM: float = 1.0
    mode: str = "competitive"
    kind = "enzyme_inhibitor"
    _k_name = "ki_uM"

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_mode(self.kind, self.mode, ("competitive", "noncompetitive", "irreversible"))
        if self.mode == "irreversible" and self.schedule.pre_equilibrated:
            raise ParameterError(
                f'"{self.kind}.schedule.start_ms" must be finite for an irreversible inhibitor '
                "(inactivation accumulates from the application time), got -inf"
            )


@dataclass(frozen=True, kw_only=True)
class ReceptorAntagonist(_Binder):
    """A competitive antagonist: binds the receptor's unliganded states (``kd_uM``), which
    then cannot bind transmitter."""

    kd_uM: float = 1.0
    kind = "receptor_antagonist"
    _k_name = "kd_uM"


@dataclass(frozen=True, kw_only=True)
class ChannelBlocker(_Binder):
    """An open-channel (use-dependent) blocker: binds open states only (``kd_uM``); a
    blocked channel does not conduct and, when ``trapping``, cannot close or lose its agonist
    until the blocker leaves (MK-801 at NMDA receptors)."""

    kd_uM: float = 1.0
    trapping: bool = True
    kind = "channel_blocker"
    _k_name = "kd_uM"


@dataclass(frozen=True, kw_only=True)
class AllostericModulator(_Binder):
    """A positive (``efficacy > 1``) or negative allosteric modulator.

    The modulator binds at its own site (``kd_uM``) in rapid equilibrium; a modulated
    receptor holds transmitter ``efficacy`` times more tightly, by slower unbinding
    (benzodiazepines raise the GABA affinity of GABA-A receptors and slow deactivation). The
    agonist unbinding rates are therefore divided by ``1 + (efficacy - 1) · occupancy``
    (``kon_per_uM_per_ms`` is not used: the modulator's own binding is at equilibrium).
    """

    kd_uM: float = 1.0
    efficacy: float = 2.0
    kind = "allosteric_modulator"
    _k_name = "kd_uM"

    def __post_init__(self) -> None:
        super().__post_init__()
        check_positive(f"{self.kind}.efficacy", self.efficacy)


@dataclass(frozen=True, kw_only=True)
class CaChannelBlocker(Intervention):
    """Blocks presynaptic Ca²⁺ channels: availability ``1 - max_block · [B]/([B] + IC50)``.

    ``max_block`` is the fraction of the Ca²⁺ influx carried by the blocked channel type (for
    example N-type channels under ω-conotoxin GVIA). Spikes arriving later see the new
    availability. An ``irreversible`` blocker keeps the highest level reached (wash-out does
    not restore the channels).
    """

    target: str = "CaV"
    ic50_uM: float = 1.0
    max_block: float = 1.0
    irreversible: bool = False
    kind = "ca_channel_blocker"

    def __post_init__(self) -> None:
        super().__post_init__()
        check_positive(f"{self.kind}.ic50_uM", self.ic50_uM)
        check_probability(f"{self.kind}.max_block", self.max_block)

    def availability(self, level: float = 1.0) -> float:
        c = self.conc_at(level)
        return 1.0 - self.max_block * c / (c + self.ic50_uM)


@dataclass(frozen=True, kw_only=True)
class ReleaseBlocker(Intervention):
    """A SNARE-cleaving toxin (botulinum toxin): each release site is cleaved at the hazard
    ``k_cleave · [T] · f(t)``; a cleaved site's vesicles can no longer prime or fuse."""

    target: str = "SNARE"
    k_cleave_per_uM_per_ms: float = 1e-3
    kind = "release_blocker"

    def __post_init__(self) -> None:
        super().__post_init__()
        check_positive(f"{self.kind}.k_cleave_per_uM_per_ms", self.k_cleave_per_uM_per_ms)
        if self.schedule.pre_equilibrated:
            raise ParameterError(
                f'"{self.kind}.schedule.start_ms" must be finite (cleavage accumulates from the '
                "application time), got -inf"
            )

    def hazard_integral(self, t0_ms: float, t1_ms: float) -> float:
        """Cumulative cleavage hazard per site between two times."""
        return self.k_cleave_per_uM_per_ms * self.conc_uM * self.schedule.integral(t0_ms, t1_ms)


@dataclass(frozen=True, kw_only=True)
class VMATInhibitor(Intervention):
    """Blocks vesicular monoamine transport: a vesicle refilled after recycling is loaded to
    ``1 - [I]/([I] + Ki)`` of its normal content, so quantal content falls as vesicles cycle.
    An ``irreversible`` inhibitor (reserpine) keeps the highest level reached."""

    target: str = "VMAT"
    ki_uM: float = 1.0
    irreversible: bool = False
    kind = "vmat_inhibitor"

    def __post_init__(self) -> None:
        super().__post_init__()
        check_positive(f"{self.kind}.ki_uM", self.ki_uM)

    def availability(self, level: float = 1.0) -> float:
        c = self.conc_at(level)
        return self.ki_uM / (c + self.ki_uM)


@dataclass(frozen=True, kw_only=True)
class Knockout(Intervention):
    """Genetic removal of a transporter, enzyme or receptor: ``fraction_remaining`` of the
    population is kept (0: knockout, 0.5: heterozygote). Structural; no schedule."""

    fraction_remaining: float = 0.0
    kind = "knockout"

    def __post_init__(self) -> None:
        super().__post_init__()
        check_probability(f"{self.kind}.fraction_remaining", self.fraction_remaining)
        if self.schedule != Schedule():
            raise ParameterError(f'"{self.kind}" is structural and takes no schedule, got {self.schedule!r}')
