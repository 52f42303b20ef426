"""A second transmitter released by the same terminal: from the same vesicles or from its own.

Two arrangements are known:

* ``"same_vesicle"``: one vesicular transporter loads both transmitters into every vesicle, so
  each fusion releases both, in a fixed ratio. GABA and glycine share VIAAT and are co-released
  from single vesicles at spinal and brainstem synapses (Jonas, Bischofberger & Sandkühler
  1998 Science 281:419; Wojcik et al. 2006 Neuron 50:575).
* ``"separate_vesicles"``: the terminal holds two vesicle populations, each filled by its own
  transporter and released on its own draw by the same spikes. Glutamate and GABA from
  ventral-tegmental axons in the lateral habenula come from distinct vesicles in the same
  terminals (Root et al. 2014 Nat Neurosci 17:1543).

The cotransmitter's receptors, transporters and enzymes are the synapse's own populations whose
``transmitter`` (``substrate``) names it; all of them share the cleft and its escape.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..engine.checks import ParameterError, check_choice, check_positive
from .vesicles import VesicleParams

__all__ = ["Cotransmitter", "MODES"]

MODES = ("same_vesicle", "separate_vesicles")


@dataclass(frozen=True)
class Cotransmitter:
    """A second transmitter of the terminal.

    Parameters
    ----------
    transmitter : str
        Its species name in the cleft network (an identifier, e.g. ``"gly"``, ``"GABA"``).
    mode : {"same_vesicle", "separate_vesicles"}
        Where it is stored (see the module docstring).
    molecules_per_vesicle : float
        Mean content of a vesicle. For ``"same_vesicle"`` every fusion releases this many
        molecules per ``molecules_per_vesicle`` of the main transmitter, in proportion to the
        main transmitter actually released (the two are loaded together, so a fuller vesicle
        holds more of both).
    vesicles : VesicleParams, optional
        For ``"separate_vesicles"``: the second population's sites and cycle (its
        ``molecules_per_vesicle`` is replaced by the field above). Default: the same cycle as
        the main transmitter's vesicles.
    source : str
        Citation for the arrangement and the content.
    """

    transmitter: str
    mode: str
    molecules_per_vesicle: float
    vesicles: VesicleParams | None = None
    source: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.transmitter, str) or not self.transmitter.isidentifier():
            raise ParameterError(
                f'cotransmitter "transmitter" must be an identifier, got {self.transmitter!r}'
            )
        check_choice("mode", self.mode, MODES)
        check_positive(f"cotransmitter {self.transmitter}: molecules_per_vesicle",
                       self.molecules_per_vesicle)
        if self.vesicles is not None and self.mode == "same_vesicle":
            raise ParameterError(
                f'cotransmitter "{self.transmitter}": "vesicles" applies only to mode '
                f'"separate_vesicles", got mode "same_vesicle"'
            )
