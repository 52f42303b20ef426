"""Expand a scenario's ``[sweep]`` into tasks, each with an identity and the seed it implies.

A task is one replicate at one grid point (parameter values × condition × dose). Its seed is
``SeedSequence(run.seed, spawn_key=...)`` with a spawn key made from the task's identity, never
from its position in a queue: the numbers do not depend on the number of workers, the order
tasks finish in, or which other tasks the grid holds.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..engine.checks import ParameterError
from ..scenario.build import build_inputs
from ..scenario.loading import apply_overrides, scenario_from_dict
from ..scenario.schema import Scenario

__all__ = ["Task", "expand", "task_seed"]


@dataclass(frozen=True)
class Task:
    """One run of a sweep.

    Attributes
    ----------
    scenario : str
        Name of the scenario (the dataset partition).
    point : dict
        Dotted key → value of the swept parameters.
    condition, dose_uM : str, float or None
        The arm of the sweep and its dose.
    replicate : int
    seed_entropy : int
        Root entropy (``run.seed``).
    spawn_key : tuple of int
        Derived from the identity (see :func:`task_seed`).
    data : dict
        The complete scenario of this task (validated), as plain data.
    """

    scenario: str
    point: dict[str, Any]
    condition: str | None
    dose_uM: float | None
    replicate: int
    seed_entropy: int
    spawn_key: tuple[int, ...]
    data: dict[str, Any]

    @property
    def task_id(self) -> str:
        return f"{_digest(self.scenario, self.identity)[:16]}-r{self.replicate:05d}"

    @property
    def identity(self) -> str:
        """Canonical text of the grid point (not the replicate)."""
        return _identity(self.point, self.condition, self.dose_uM)

    def seed(self) -> np.random.SeedSequence:
        return np.random.SeedSequence(self.seed_entropy, spawn_key=self.spawn_key)


def _identity(point: dict[str, Any], condition: str | None, dose_uM: float | None) -> str:
    return json.dumps({"point": point, "condition": condition, "dose_uM": dose_uM},
                      sort_keys=True)


def _digest(scenario: str, identity: str) -> str:
    return hashlib.sha256(f"{scenario}\n{identity}".encode()).hexdigest()


def task_seed(seeding: str, scenario: str, identity: str, replicate: int) -> tuple[int, ...]:
    """Spawn key of a task: ``(replicate,)`` when paired (the same stream at every grid point,
    as :func:`synevent.replicate_seed`), else two 32-bit words of the identity's SHA-256 too."""
    if seeding == "paired":
        return (replicate,)
    h = _digest(scenario, identity)
    return (int(h[:8], 16), int(h[8:16], 16), replicate)


def _conditions(sc: Scenario) -> list[tuple[str | None, float | None, list[dict[str, Any]]]]:
    sweep = sc.sweep
    assert sweep is not None
    if not sweep.conditions:
        return [(None, None, [])]
    arms = []
    for c in sweep.conditions:
        entries = [e.model_dump(mode="json") for e in c.interventions]
        if c.doses_uM is None:
            arms.append((c.name, None, entries))
        else:
            for dose in c.doses_uM:
                arms.append((c.name, float(dose), [{**e, "conc_uM": dose} for e in entries]))
    return arms


def expand(sc: Scenario, origin: str = "<scenario>") -> list[Task]:
    """Every task of ``sc``'s sweep, each grid point checked as a scenario of its own.

    ``run.seed`` must be set: a sweep is resumable, so its seed cannot be drawn afresh.
    """
    if sc.sweep is None:
        raise ParameterError(f"{origin}: sweep: the file has no [sweep] table")
    if sc.run.seed is None:
        raise ParameterError(f"{origin}: run.seed: a sweep needs a fixed seed (an integer >= 0) so "
                             "that an interrupted sweep resumes with the same numbers")
    base = sc.model_dump(mode="json", exclude={"sweep", "resolved"})
    base["run"]["replicates"] = 1  # a task is one replicate
    keys = list(sc.sweep.parameters)
    tasks: list[Task] = []
    for values in itertools.product(*(sc.sweep.parameters[k] for k in keys)):
        point = dict(zip(keys, values))
        data = apply_overrides(base, point.items(), origin)
        for condition, dose, entries in _conditions(sc):
            task_data = {**data, "interventions": data["interventions"] + entries}
            label = f"{point} {condition or ''} {'' if dose is None else dose}".strip()
            checked = scenario_from_dict(task_data, f"{origin} (sweep point {label})")
            try:
                build_inputs(checked)
            except ParameterError as exc:
                raise ParameterError(f"{origin}: sweep point {label}: {exc}") from None
            task_data = checked.model_dump(mode="json")
            identity = _identity(point, condition, dose)
            for r in range(sc.run.replicates):
                tasks.append(Task(sc.name, point, condition, dose, r, sc.run.seed,
                                  task_seed(sc.sweep.seeding, sc.name, identity, r), task_data))
    return tasks
