"""The validation registry: each case is a published experiment and a way to simulate it.

A case names its preparation (a preset), the protocol, the measured quantity, the published
value with its source (so a reader can find the figure or table), and a tolerance justified in
words. Running it returns an :class:`Outcome`: one :class:`Check` per compared number (simulated
against published, with the tolerance actually applied) and a figure of simulated against
published. ``fast`` runs use fewer replicates (their tolerances follow from the statistics of
the smaller sample, never widened to pass).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..engine.checks import ParameterError

__all__ = ["CASES", "Case", "Check", "Outcome", "register"]


@dataclass(frozen=True)
class Check:
    """One compared number.

    Parameters
    ----------
    quantity : str
        What is compared, with its unit (e.g. ``"failure fraction"``).
    simulated, published : float
        The simulated value and the published (or analytic) target.
    tolerance : float
        Largest accepted ``|simulated - published|`` (absolute, same unit).
    unit : str
        Unit of the three numbers ("" for dimensionless).
    """

    quantity: str
    simulated: float
    published: float
    tolerance: float
    unit: str = ""

    @property
    def passed(self) -> bool:
        return abs(self.simulated - self.published) <= self.tolerance


@dataclass
class Outcome:
    """What running a case gives: its checks and a function drawing its figure on an axes."""

    checks: list[Check]
    figure: Callable[[Any], None] | None = None
    notes: str = ""

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks)


@dataclass(frozen=True)
class Case:
    """A validation case (see the module docstring)."""

    id: str
    title: str
    preparation: str
    protocol: str
    quantity: str
    published: str
    source: str
    tolerance: str
    run: Callable[[bool], Outcome] = field(compare=False)


CASES: dict[str, Case] = {}


def register(case: Case) -> Case:
    """Add ``case`` to :data:`CASES` (ids are unique)."""
    if case.id in CASES:
        raise ParameterError(f'validation case "{case.id}" is registered twice')
    CASES[case.id] = case
    return case
