"""A synapse described as data: the parameters of every stage, ready to simulate."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .cleft.cleft import CleftParams
from .cleft.clearance import EnzymeParams, TransporterParams
from .engine.checks import ParameterError, check_count, check_finite, check_nonnegative
from .postsynaptic.metabotropic import MetabotropicReceptor
from .presynaptic.cotransmission import Cotransmitter
from .postsynaptic.receptors import ReceptorScheme
from .presynaptic.calcium import CalciumParams
from .presynaptic.facilitation import FacilitationParams
from .presynaptic.sensor import SensorParams
from .presynaptic.vesicles import VesicleParams

__all__ = ["ReceptorPopulation", "SynapseParams"]


@dataclass(frozen=True)
class ReceptorPopulation:
    """``n`` receptors of one scheme facing the cleft.

    ``transmitter`` names the transmitter they bind when it is not the synapse's own (a
    cotransmitter's receptors).
    """

    scheme: ReceptorScheme
    n: int
    transmitter: str | None = None

    def __post_init__(self) -> None:
        check_count(f"receptors[{self.scheme.name}].n", self.n)


@dataclass(frozen=True)
class SynapseParams:
    """Everything that defines a synapse (units in the field names; see the parameter table).

    Parameters
    ----------
    name : str
        Preset or user name.
    transmitter : str
        Species name of the transmitter in the cleft network (``"glu"``, ``"ACh"``...).
    animal : str
        Species the parameters come from (e.g. ``"rat"``).
    temperature_C : float
        Temperature the parameters describe.
    calcium, sensor, vesicles, cleft : parameter blocks
    facilitation : FacilitationParams
        The facilitation site of the terminal (none by default).
    receptors : tuple of ReceptorPopulation
    transporters : tuple of TransporterParams
    enzymes : tuple of EnzymeParams
    v_hold_mV : float
        Holding potential of the voltage clamp.
    mg_mM : float
        Extracellular Mg²⁺ (NMDA block).
    sync_window_ms : float
        Fusions within this time after a spike count as synchronous (an analysis convention).
    async_window_ms : float
        Later fusions within this time count as asynchronous, the rest as spontaneous.
    sources : mapping
        Parameter path → citation; reproduced in the docs' parameter table.
    metabotropic : tuple of MetabotropicReceptor
        G-protein-coupled receptors in the cleft network: postsynaptic ones with GIRK channels,
        presynaptic autoreceptors with a Ca²⁺-entry inhibition.
    cotransmitters : tuple of Cotransmitter
        Further transmitters released by the terminal, from the same vesicles or their own;
        their receptors, transporters and enzymes name them in ``transmitter`` / ``substrate``.
    """

    name: str
    transmitter: str
    animal: str
    temperature_C: float
    calcium: CalciumParams = field(default_factory=CalciumParams)
    sensor: SensorParams = field(default_factory=SensorParams)
    vesicles: VesicleParams = field(default_factory=VesicleParams)
    cleft: CleftParams = field(default_factory=CleftParams)
    receptors: tuple[ReceptorPopulation, ...] = ()
    transporters: tuple[TransporterParams, ...] = ()
    enzymes: tuple[EnzymeParams, ...] = ()
    v_hold_mV: float = -70.0
    mg_mM: float = 1.0
    sync_window_ms: float = 5.0
    async_window_ms: float = 500.0
    description: str = ""
    sources: Mapping[str, str] = field(default_factory=dict)
    metabotropic: tuple[MetabotropicReceptor, ...] = ()
    cotransmitters: tuple[Cotransmitter, ...] = ()
    facilitation: FacilitationParams = field(default_factory=FacilitationParams)

    def __post_init__(self) -> None:
        if not isinstance(self.transmitter, str) or not self.transmitter.isidentifier():
            raise ParameterError(f'"transmitter" must be an identifier, got {self.transmitter!r}')
        if check_finite("temperature_C", self.temperature_C) < -273.15:
            raise ParameterError(
                f'"temperature_C" must be at least -273.15 (absolute zero), got {self.temperature_C!r}')
        check_finite("v_hold_mV", self.v_hold_mV)
        check_nonnegative("mg_mM", self.mg_mM)
        check_nonnegative("sync_window_ms", self.sync_window_ms)
        if check_nonnegative("async_window_ms", self.async_window_ms) < self.sync_window_ms:
            raise ParameterError(
                f'"async_window_ms" must be at least "sync_window_ms" ({self.sync_window_ms!r}), '
                f"got {self.async_window_ms!r}: no fusion could be classed asynchronous"
            )
        for name, kind in _BLOCKS.items():
            value = getattr(self, name)
            if not isinstance(value, kind):
                raise ParameterError(
                    f'"{name}" must be a {kind.__name__} (or, in replace(), a dict of its fields), '
                    f"got {value!r}"
                )
        for group, kind in _GROUPS.items():
            items = getattr(self, group)
            if isinstance(items, (str, bytes, Mapping)) or not isinstance(items, Iterable):
                raise ParameterError(f'"{group}" must be a tuple of {kind.__name__}, got {items!r}')
            items = tuple(items)
            for item in items:
                if not isinstance(item, kind):
                    raise ParameterError(f'"{group}" must hold {kind.__name__} objects, got {item!r}')
            object.__setattr__(self, group, items)
        names = [p.scheme.name for p in self.receptors]
        names += [t.name for t in self.transporters] + [e.name for e in self.enzymes]
        names += [m.name for m in self.metabotropic]
        if len(set(names)) != len(names):
            raise ParameterError(
                f"receptor, metabotropic receptor, transporter and enzyme names must be unique, got {names}"
            )
        self._check_transmitters()

    @property
    def transmitters(self) -> tuple[str, ...]:
        """The main transmitter, then each cotransmitter."""
        return (self.transmitter,) + tuple(c.transmitter for c in self.cotransmitters)

    def substrate_of(self, population: Any) -> str:
        """The transmitter a receptor population, transporter or enzyme acts on."""
        own = getattr(population, "transmitter", None) or getattr(population, "substrate", None)
        return own or self.transmitter

    def _check_transmitters(self) -> None:
        known = self.transmitters
        if len(set(known)) != len(known):
            raise ParameterError(f"transmitter and cotransmitter names must differ, got {list(known)}")
        for kind, group in (("receptors", self.receptors), ("transporters", self.transporters),
                            ("enzymes", self.enzymes)):
            for item in group:
                tx = self.substrate_of(item)
                if tx not in known:
                    name = item.scheme.name if kind == "receptors" else item.name
                    raise ParameterError(
                        f'{kind}[{name}] acts on "{tx}", which the terminal does not release; '
                        f"transmitters are {list(known)}"
                    )

    def replace(self, **changes: Any) -> SynapseParams:
        """A copy with fields replaced; nested blocks accept dicts of their own fields.

        Examples
        --------
        >>> from synevent import presets
        >>> s = presets.glutamatergic().replace(vesicles={"n_sites": 4})
        >>> s.vesicles.n_sites
        4
        """
        fields = {f.name for f in dataclasses.fields(self)}
        resolved: dict[str, Any] = {}
        for key, value in changes.items():
            if key not in fields:
                raise ParameterError(f'unknown synapse field "{key}"; valid fields are {sorted(fields)}')
            current = getattr(self, key)
            if isinstance(value, Mapping) and dataclasses.is_dataclass(current):
                valid = {f.name for f in dataclasses.fields(current)}
                bad = sorted(set(value) - valid)
                if bad:
                    raise ParameterError(
                        f'unknown field(s) {bad} in "{key}"; valid fields are {sorted(valid)}'
                    )
                value = dataclasses.replace(current, **value)
            resolved[key] = value
        return dataclasses.replace(self, **resolved)

    def to_dict(self) -> dict[str, Any]:
        """Every parameter as plain data (for provenance and export)."""
        return dataclasses.asdict(self)


# The parameter blocks and population groups of a synapse, with the type each must hold.
_BLOCKS = {"calcium": CalciumParams, "sensor": SensorParams, "vesicles": VesicleParams,
           "cleft": CleftParams, "facilitation": FacilitationParams}
_GROUPS = {"receptors": ReceptorPopulation, "transporters": TransporterParams,
           "enzymes": EnzymeParams, "metabotropic": MetabotropicReceptor,
           "cotransmitters": Cotransmitter}
