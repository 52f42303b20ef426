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
from ..scenario.plain import to_plain
from ..scenario.schema import Scenario

__all__ = ["Task", "content_digest", "expand", "resolved_sweep", "task_seed"]


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
    content : str
        SHA-256 of everything in ``data`` that determines the task's numbers, and of the
        synapse parameters it resolves to (see :func:`content_digest`).
    """

    scenario: str
    point: dict[str, Any]
    condition: str | None
    dose_uM: float | None
    replicate: int
    seed_entropy: int
    spawn_key: tuple[int, ...]
    data: dict[str, Any]
    content: str

    @property
    def task_id(self) -> str:
        """Name of the task's files: grid point, content and replicate.

        The content is part of it so that a folder's results of a changed scenario (another
        seed, stimulus or preset) never pass for this task's.
        """
        return (f"{_digest(self.scenario, self.identity + chr(10) + self.content)[:16]}"
                f"-r{self.replicate:05d}")

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


#: Fields that do not change a task's numbers or files: editing them does not make a new
#: sweep (a sweep task writes its summary and, unless ``outputs.events = "none"``, its events).
_INERT = (("scenario", "description"), ("outputs", "folder"), ("outputs", "traces"),
          ("outputs", "nwb"))


def content_digest(data: dict[str, Any], synapse: dict[str, Any]) -> str:
    """SHA-256 of a task's scenario data (without :data:`_INERT` fields) and of the synapse (or
    volume) parameters it resolves to; the latter catch a preset that changed between versions."""
    kept = {k: ({kk: vv for kk, vv in v.items() if (k, kk) not in _INERT}
                if isinstance(v, dict) else v) for k, v in data.items()}
    text = json.dumps({"scenario": kept, "synapse_parameters": synapse}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def resolved_sweep(sc: Scenario) -> dict[str, Any]:
    """The scenario with its sweep, every default filled in, as plain data: recorded in a
    sweep folder so that a refused resume can name the fields that differ."""
    data = sc.model_dump(mode="json", exclude={"resolved"})
    for table, key in _INERT:
        data.get(table, {}).pop(key, None)
    return data


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
    # only what the file sets: a swept value (say stimulus.kind) is then checked against the
    # user's own keys, not against defaults of the table it replaces
    base = sc.model_dump(mode="json", exclude={"sweep", "resolved"}, exclude_unset=True)
    base["run"]["replicates"] = 1  # a task is one replicate
    keys = list(sc.sweep.parameters)
    tasks: list[Task] = []
    for values in itertools.product(*(sc.sweep.parameters[k] for k in keys)):
        point = dict(zip(keys, values))
        data = apply_overrides(base, point.items(), origin)
        for condition, dose, entries in _conditions(sc):
            task_data = {**data, "interventions": data.get("interventions", []) + entries}
            label = f"{point} {condition or ''} {'' if dose is None else dose}".strip()
            try:
                checked = scenario_from_dict(task_data, f"{origin} (sweep point {label})")
            except ParameterError as exc:
                raise ParameterError(f"{exc}{_kind_hint(point, origin)}") from None
            try:
                inputs = build_inputs(checked)
            except ParameterError as exc:
                raise ParameterError(f"{origin}: sweep point {label}: {exc}") from None
            task_data = checked.model_dump(mode="json")
            params = inputs.volume if inputs.volume is not None else inputs.synapse
            content = content_digest(task_data, to_plain(params))
            identity = _identity(point, condition, dose)
            for r in range(sc.run.replicates):
                tasks.append(Task(sc.name, point, condition, dose, r, sc.run.seed,
                                  task_seed(sc.sweep.seeding, sc.name, identity, r), task_data,
                                  content))
    return tasks


def _kind_hint(point: dict[str, Any], origin: str) -> str:
    """How to sweep the stimulus kind, when a swept kind does not fit the file's stimulus keys."""
    if "stimulus.kind" not in point:
        return ""
    return (f'\n{origin}: sweep.parameters: "stimulus.kind" changes the kind but keeps the '
            "file's other stimulus keys, which belong to its own kind; sweep whole stimulus "
            'tables instead, e.g. "stimulus" = [{kind = "burst", spikes_per_burst = 4, '
            'intra_rate_hz = 100.0}, {kind = "none"}]')
