"""Clearance mechanisms as reactions: transporters and enzymes.

A transporter binds transmitter on the outside, may let it go again, translocates it (the
molecule is then *taken up*) and reorients empty to face outwards again. Saturable
Michaelis–Menten uptake emerges from this cycle rather than being imposed. An enzyme binds,
releases or converts its substrate (the molecule is then *degraded*).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..engine.checks import check_count, check_nonnegative, check_positive
from ..engine.network import Reaction, molecules_per_uM

__all__ = ["EnzymeParams", "TransporterParams"]


@dataclass(frozen=True)
class TransporterParams:
    """A transporter population in the cleft compartment.

    Parameters
    ----------
    name : str
        Species prefix, e.g. ``"EAAT2"``.
    n : int
        Transporters facing the compartment.
    kon_per_uM_per_ms, koff_per_ms : float
        Binding and unbinding of transmitter.
    k_translocate_per_ms : float
        Translocation of bound transmitter into the cell.
    k_reorient_per_ms : float
        Return of the empty transporter to the outward-facing state (``inf``: immediate).
    into_terminal : bool
        Whether taken-up transmitter refills the presynaptic cytosolic stock (neuronal
        transporters such as DAT, SERT) rather than glia (EAATs).
    substrate : str, optional
        The transmitter carried when it is not the synapse's own (a cotransmitter's).
    """

    name: str
    n: int
    kon_per_uM_per_ms: float
    koff_per_ms: float
    k_translocate_per_ms: float
    k_reorient_per_ms: float = math.inf
    into_terminal: bool = False
    substrate: str | None = None

    def __post_init__(self) -> None:
        check_count(f"{self.name}.n", self.n)
        check_nonnegative(f"{self.name}.kon_per_uM_per_ms", self.kon_per_uM_per_ms)
        check_nonnegative(f"{self.name}.koff_per_ms", self.koff_per_ms)
        check_nonnegative(f"{self.name}.k_translocate_per_ms", self.k_translocate_per_ms)
        check_positive(f"{self.name}.k_reorient_per_ms", self.k_reorient_per_ms, allow_inf=True)

    @property
    def km_uM(self) -> float:
        """Michaelis constant of the cycle (steady state, all steps included)."""
        kcat = self.kcat_per_ms
        return (self.koff_per_ms + self.k_translocate_per_ms) / self.kon_per_uM_per_ms * (
            kcat / self.k_translocate_per_ms if self.k_translocate_per_ms else 1.0
        )

    @property
    def kcat_per_ms(self) -> float:
        """Turnover per transporter at saturation."""
        kt, kr = self.k_translocate_per_ms, self.k_reorient_per_ms
        if kt == 0:
            return 0.0
        return 1.0 / (1.0 / kt + (0.0 if math.isinf(kr) else 1.0 / kr))

    def reactions(self, transmitter: str, volume_L: float) -> tuple[list[str], list[Reaction]]:
        """Species and reactions of this population on ``transmitter``."""
        n = self.name
        free, bound, inward, up = f"{n}", f"{n}.{transmitter}", f"{n}.in", f"{n}.uptake"
        c_on = self.kon_per_uM_per_ms / molecules_per_uM(volume_L)
        rx = [
            Reaction(f"{n}:bind", {free: 1, transmitter: 1}, {bound: 1}, c_on),
            Reaction(f"{n}:unbind", {bound: 1}, {free: 1, transmitter: 1}, self.koff_per_ms),
        ]
        species = [free, bound, up]
        if math.isinf(self.k_reorient_per_ms):
            rx.append(
                Reaction(f"{n}:translocate", {bound: 1}, {free: 1, up: 1}, self.k_translocate_per_ms)
            )
        else:
            species.insert(2, inward)
            rx.append(
                Reaction(
                    f"{n}:translocate", {bound: 1}, {inward: 1, up: 1}, self.k_translocate_per_ms
                )
            )
            rx.append(Reaction(f"{n}:reorient", {inward: 1}, {free: 1}, self.k_reorient_per_ms))
        return species, rx


@dataclass(frozen=True)
class EnzymeParams:
    """An enzyme population that degrades transmitter (e.g. acetylcholinesterase).

    Parameters
    ----------
    name : str
        Species prefix, e.g. ``"AChE"``.
    n : int
        Enzyme active sites in the compartment.
    kon_per_uM_per_ms, koff_per_ms, kcat_per_ms : float
        Binding, unbinding and catalytic turnover.
    substrate : str, optional
        The transmitter degraded when it is not the synapse's own (a cotransmitter's).
    """

    name: str
    n: int
    kon_per_uM_per_ms: float
    koff_per_ms: float
    kcat_per_ms: float
    substrate: str | None = None

    def __post_init__(self) -> None:
        check_count(f"{self.name}.n", self.n)
        check_nonnegative(f"{self.name}.kon_per_uM_per_ms", self.kon_per_uM_per_ms)
        check_nonnegative(f"{self.name}.koff_per_ms", self.koff_per_ms)
        check_nonnegative(f"{self.name}.kcat_per_ms", self.kcat_per_ms)

    @property
    def km_uM(self) -> float:
        """Michaelis constant ``(koff + kcat) / kon``."""
        return (self.koff_per_ms + self.kcat_per_ms) / self.kon_per_uM_per_ms

    def reactions(self, transmitter: str, volume_L: float) -> tuple[list[str], list[Reaction]]:
        """Species and reactions of this population on ``transmitter``."""
        n = self.name
        free, bound, prod = f"{n}", f"{n}.{transmitter}", f"{n}.degraded"
        c_on = self.kon_per_uM_per_ms / molecules_per_uM(volume_L)
        return [free, bound, prod], [
            Reaction(f"{n}:bind", {free: 1, transmitter: 1}, {bound: 1}, c_on),
            Reaction(f"{n}:unbind", {bound: 1}, {free: 1, transmitter: 1}, self.koff_per_ms),
            Reaction(f"{n}:cleave", {bound: 1}, {free: 1, prod: 1}, self.kcat_per_ms),
        ]
