"""Reaction networks as data: species, mass-action reactions, initial counts.

A :class:`ReactionNetwork` is the user-facing description of a kinetic scheme. It holds
stochastic rate constants (``rate_per_ms``: the propensity of a reaction is this constant times
the product of its reactant counts, or ``c * n * (n - 1) / 2`` for two identical reactants).
Macroscopic constants are converted with :func:`stochastic_rate`, at the boundary, never in the
event loop.
"""

from __future__ import annotations

import json
import pathlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .checks import ParameterError, check_count, check_nonnegative, check_positive

__all__ = [
    "AVOGADRO_PER_MOL",
    "Reaction",
    "ReactionNetwork",
    "molecules_per_uM",
    "stochastic_rate",
]

AVOGADRO_PER_MOL = 6.02214076e23


def molecules_per_uM(volume_L: float) -> float:
    """Number of molecules that make 1 µM in ``volume_L`` litres."""
    return AVOGADRO_PER_MOL * check_positive("volume_L", volume_L) * 1e-6


def stochastic_rate(order: int, k: float, volume_L: float | None = None) -> float:
    """Stochastic rate constant (per ms) from a macroscopic one.

    Parameters
    ----------
    order : int
        Number of reactant molecules (0, 1 or 2).
    k : float
        Macroscopic constant: µM/ms for order 0, 1/ms for order 1, 1/(µM·ms) for order 2.
    volume_L : float, optional
        Reaction volume; required for orders 0 and 2.
    """
    if isinstance(order, bool) or order not in (0, 1, 2):
        raise ParameterError(f'"order" must be 0, 1 or 2, got {order!r}')
    check_nonnegative("k", k)
    if order == 1:
        return float(k)
    if volume_L is None:
        raise ParameterError(f'"volume_L" is required for a reaction of order {order}')
    n_per_uM = molecules_per_uM(check_positive("volume_L", volume_L))
    if order == 0:
        return k * n_per_uM
    return k / n_per_uM


def _stoich(name: str, field_name: str, value: Any) -> dict[str, int]:
    if not isinstance(value, Mapping):
        raise ParameterError(
            f'reaction "{name}": "{field_name}" must map species to counts, got {value!r}'
        )
    out: dict[str, int] = {}
    for sp, n in value.items():
        out[str(sp)] = check_count(f'reaction "{name}": {field_name}["{sp}"]', n, minimum=1)
    return out


@dataclass(frozen=True)
class Reaction:
    """One mass-action reaction.

    Parameters
    ----------
    name : str
        Unique name within the network (used in the event log).
    reactants, products : mapping of str to int
        Stoichiometry. At most two reactant molecules in all.
    rate_per_ms : float
        Stochastic rate constant ``c`` (per ms, per combination of reactant molecules).
    """

    name: str
    reactants: Mapping[str, int]
    products: Mapping[str, int]
    rate_per_ms: float

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ParameterError(f'reaction "name" must be a non-empty string, got {self.name!r}')
        object.__setattr__(self, "reactants", _stoich(self.name, "reactants", self.reactants))
        object.__setattr__(self, "products", _stoich(self.name, "products", self.products))
        object.__setattr__(
            self,
            "rate_per_ms",
            check_nonnegative(f'reaction "{self.name}": rate_per_ms', self.rate_per_ms),
        )
        if self.order > 2:
            raise ParameterError(
                f'reaction "{self.name}": at most two reactant molecules are allowed, '
                f"got {dict(self.reactants)}"
            )

    @property
    def order(self) -> int:
        """Number of reactant molecules."""
        return sum(self.reactants.values())

    def delta(self) -> dict[str, int]:
        """Net change of each species when the reaction fires (zeros dropped)."""
        d: dict[str, int] = {}
        for s, n in self.reactants.items():
            d[s] = d.get(s, 0) - n
        for s, n in self.products.items():
            d[s] = d.get(s, 0) + n
        return {s: v for s, v in d.items() if v}


@dataclass(frozen=True)
class ReactionNetwork:
    """Species, reactions and initial counts of one well-mixed compartment.

    Parameters
    ----------
    species : sequence of str
        Species names, unique.
    reactions : sequence of Reaction
        Reactions over those species; names unique.
    initial_counts : mapping of str to int, optional
        Counts at t = 0; missing species start at 0.
    volume_L : float, optional
        Compartment volume, used to report concentrations in µM.
    """

    species: tuple[str, ...]
    reactions: tuple[Reaction, ...]
    initial_counts: Mapping[str, int] = field(default_factory=dict)
    volume_L: float | None = None

    def __post_init__(self) -> None:
        for name, kind in (("species", "species names"), ("reactions", "Reaction objects")):
            value = getattr(self, name)
            if isinstance(value, (str, bytes, Mapping, Reaction)) or not isinstance(value, Iterable):
                raise ParameterError(f'"{name}" must be a sequence of {kind}, got {value!r}')
        species = tuple(str(s) for s in self.species)
        if len(set(species)) != len(species):
            dup = sorted({s for s in species if species.count(s) > 1})
            raise ParameterError(f'"species" must be unique, got duplicates {dup}')
        object.__setattr__(self, "species", species)
        reactions = tuple(self.reactions)
        for r in reactions:
            if not isinstance(r, Reaction):
                raise ParameterError(f'"reactions" must hold Reaction objects, got {r!r}')
        names = [r.name for r in reactions]
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise ParameterError(f"reaction names must be unique, got duplicates {dup}")
        known = set(species)
        for r in reactions:
            for role, stoich in (("reactants", r.reactants), ("products", r.products)):
                for s in stoich:
                    if s not in known:
                        raise ParameterError(
                            f'reaction "{r.name}": {role} name unknown species "{s}"; '
                            f"known species are {list(species)}"
                        )
        object.__setattr__(self, "reactions", reactions)
        counts: dict[str, int] = {}
        for s, n in dict(self.initial_counts).items():
            if s not in known:
                raise ParameterError(
                    f'"initial_counts" names unknown species "{s}"; known species are {list(species)}'
                )
            counts[s] = check_count(f'initial_counts["{s}"]', n)
        object.__setattr__(self, "initial_counts", counts)
        if self.volume_L is not None:
            object.__setattr__(self, "volume_L", check_positive("volume_L", self.volume_L))

    @cached_property
    def structure(self) -> tuple:
        """Species and stoichiometry, without rates or counts.

        The key under which generated loops, kernel tables and leap plans are cached: networks
        that differ only in rates or initial counts share them. Computed once per network (it
        is looked up for every trajectory).
        """
        return (
            self.species,
            tuple((tuple(r.reactants.items()), tuple(r.products.items())) for r in self.reactions),
        )

    @cached_property
    def reactant_indices(self) -> tuple[tuple[tuple[int, int], ...], ...]:
        """Per reaction, ``(species index, molecules)`` of each reactant."""
        return tuple(tuple((self.index(s), n) for s, n in r.reactants.items())
                     for r in self.reactions)

    def index(self, species: str) -> int:
        """Position of ``species`` in :attr:`species`."""
        try:
            return self.species.index(species)
        except ValueError:
            raise ParameterError(
                f'unknown species "{species}"; known species are {list(self.species)}'
            ) from None

    def reaction_index(self, name: str) -> int:
        """Position of the reaction called ``name``."""
        for i, r in enumerate(self.reactions):
            if r.name == name:
                return i
        raise ParameterError(
            f'unknown reaction "{name}"; known reactions are {[r.name for r in self.reactions]}'
        )

    def initial_state(self) -> list[int]:
        """Initial counts in species order."""
        return [self.initial_counts.get(s, 0) for s in self.species]

    def with_counts(self, **counts: int) -> ReactionNetwork:
        """A copy with some initial counts replaced."""
        merged = dict(self.initial_counts)
        merged.update(counts)
        return ReactionNetwork(self.species, self.reactions, merged, self.volume_L)

    @classmethod
    def combine(
        cls, parts: Iterable[ReactionNetwork], volume_L: float | None = None
    ) -> ReactionNetwork:
        """Union of several networks; shared species names are the same species."""
        species: list[str] = []
        reactions: list[Reaction] = []
        counts: dict[str, int] = {}
        for p in parts:
            for s in p.species:
                if s not in species:
                    species.append(s)
            reactions.extend(p.reactions)
            for s, n in p.initial_counts.items():
                counts[s] = counts.get(s, 0) + n
        return cls(tuple(species), tuple(reactions), counts, volume_L)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReactionNetwork:
        """Build from a mapping in the format of ``cleft_network.json``.

        Keys: ``species`` (list), ``reactions`` (list of mappings with ``name``, ``reactants``,
        ``products``, ``rate_per_ms``), optional ``initial_counts`` and ``volume_L``. Other keys
        (descriptions, reference statistics) are ignored; unknown keys inside a reaction other
        than documented annotations are refused.
        """
        allowed_rx = {"name", "reactants", "products", "rate_per_ms"}
        reactions = []
        for i, rx in enumerate(data.get("reactions", [])):
            missing = {"name", "reactants", "products", "rate_per_ms"} - set(rx)
            if missing:
                raise ParameterError(f"reactions[{i}] lacks required keys {sorted(missing)}")
            extra = {k for k in rx if k not in allowed_rx and not _is_annotation(k)}
            if extra:
                raise ParameterError(
                    f"reactions[{i}] has unknown keys {sorted(extra)}; allowed are "
                    f"{sorted(allowed_rx)} plus annotations (note, k_*, kon_*)"
                )
            reactions.append(
                Reaction(rx["name"], rx["reactants"], rx["products"], rx["rate_per_ms"])
            )
        if "species" not in data:
            raise ParameterError('network lacks required key "species"')
        return cls(
            tuple(data["species"]),
            tuple(reactions),
            dict(data.get("initial_counts", {})),
            data.get("volume_L"),
        )

    @classmethod
    def from_json(cls, path: str | pathlib.Path) -> ReactionNetwork:
        """Read a network from a JSON file (see :meth:`from_dict`)."""
        return cls.from_dict(json.loads(pathlib.Path(path).read_text()))


def _is_annotation(key: str) -> bool:
    # Macroscopic constants and notes sit beside rate_per_ms in the shared format.
    return key == "note" or key.startswith(("k_", "kon_", "koff_"))
