"""Presynaptic autoreceptors: the terminal's own transmitter inhibits its later Ca²⁺ entry.

An autoreceptor is a :class:`~synevent.postsynaptic.metabotropic.MetabotropicReceptor` with a
:class:`CaInhibition`. Its binding and G-protein reactions run in the cleft network with the
rest; the Ca²⁺ channels are not in the network. Active Gβγ binds the channels' α1 subunit
one to one and makes them reluctant to open during a spike (voltage-dependent inhibition), so
the fraction of Ca²⁺ entry left is ``1 - max_inhibition · g / (g + kd_g_molecules)`` with ``g``
the free active G-protein count.

Ca²⁺ entry matters only at spikes, so :class:`AutoreceptorCoupling` reads ``g`` when a spike
arrives and sets the terminal's modulation for that spike. The network's state at that instant
is exact (it has fired every reaction up to the spike), so nothing is approximated beyond the
equilibrium binding of Gβγ to the channels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..engine.checks import check_positive, check_probability

if TYPE_CHECKING:
    from ..engine.ssa import ExactNetwork
    from ..postsynaptic.metabotropic import MetabotropicReceptor
    from .terminal import Terminal

__all__ = ["AutoreceptorCoupling", "CaInhibition", "MODULATION_PREFIX"]

#: Prefix of the terminal modulation source of each autoreceptor (``"autoreceptor:GABAB_pre"``).
MODULATION_PREFIX = "autoreceptor:"


@dataclass(frozen=True)
class CaInhibition:
    """How free active G-protein scales the Ca²⁺ entry of the next spike.

    Parameters
    ----------
    max_inhibition : float
        Fraction of the Ca²⁺ entry removed when every sensitive channel is bound (the
        inhibition by a saturating agonist).
    kd_g_molecules : float
        Free active G-protein count at which half the sensitive channels are bound.
    source : str
        Citation of the numbers.
    """

    max_inhibition: float
    kd_g_molecules: float
    source: str = ""

    def __post_init__(self) -> None:
        check_probability("ca_inhibition.max_inhibition", self.max_inhibition)
        check_positive("ca_inhibition.kd_g_molecules", self.kd_g_molecules)

    def factor(self, g_active: int) -> float:
        """Fraction of the Ca²⁺ entry left with ``g_active`` free active G-proteins."""
        if g_active <= 0:
            return 1.0
        return 1.0 - self.max_inhibition * g_active / (g_active + self.kd_g_molecules)


class AutoreceptorCoupling:
    """Sets a terminal's Ca²⁺-entry modulation from its autoreceptors' G* at each spike.

    Parameters
    ----------
    receptors : sequence of MetabotropicReceptor
        The synapse's metabotropic receptors; those with a ``ca_inhibition`` act.
    cleft : ExactNetwork
        The running network that holds their G-proteins.
    terminal : Terminal or sequence of Terminal
        The terminal (its vesicle populations) whose Ca²⁺ entry they inhibit.
    """

    def __init__(
        self, receptors: Sequence[MetabotropicReceptor], cleft: ExactNetwork,
        terminal: Terminal | Sequence[Terminal],
    ) -> None:
        # Several vesicle populations of one terminal (cotransmission) share its Ca²⁺ channels.
        self.terminals = list(terminal) if isinstance(terminal, Sequence) else [terminal]
        self.cleft = cleft
        self.links = [
            (MODULATION_PREFIX + m.name, cleft.network.index(m.g_active), m.ca_inhibition)
            for m in receptors
            if m.ca_inhibition is not None
        ]
        self._last: dict[str, float] = {}

    def __bool__(self) -> bool:
        return bool(self.links)

    def before_spike(self) -> None:
        """Update the modulation from the G* counts now (call just before the spike)."""
        self.cleft.catch_up()  # a passive network fires its pending reactions first
        x = self.cleft.x
        for source, i, inhibition in self.links:
            f = inhibition.factor(x[i])
            # Unchanged factors are not set again: a run whose autoreceptors never activate
            # touches the terminal exactly as a run without them.
            if self._last.get(source, 1.0) != f:
                for term in self.terminals:
                    term.set_modulation(source, f)
                self._last[source] = f
