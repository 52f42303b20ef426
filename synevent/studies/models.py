"""What a study runs: a model that maps (interventions, seed) to a result.

The study functions (:func:`~synevent.studies.compare.compare`,
:func:`~synevent.studies.dose_response.dose_response`) are generic over any object with this
duck-typed interface (:class:`Model`), so a second kind of model (e.g. an extrasynaptic volume
compartment) plugs in without touching them. :class:`SynapseModel` is the one for a synapse.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd

from ..engine.checks import ParameterError, check_grid, check_nonnegative, check_positive
from ..engine.log import LogLevel
from ..extrasynaptic.volume import VolumeParams, VolumeResult, simulate_volume
from ..pharmacology.mechanisms import plan
from ..results import Result
from ..simulation import simulate
from ..stimulus.trains import SpikeTrain
from ..synapse import SynapseParams

__all__ = ["Model", "RunOutput", "SynapseModel", "VolumeModel"]


class RunOutput(Protocol):
    """What a study reads from one run: a dict of metrics and a table of traces with ``t_ms``."""

    @property
    def summary(self) -> dict[str, Any]: ...

    @property
    def traces(self) -> pd.DataFrame: ...


class Model(Protocol):
    """The interface the study layer relies on.

    A model must be picklable (frozen dataclasses of plain data are) when a process executor
    runs the replicates, and :meth:`run` must draw every random number from ``seed`` alone.
    It may also have ``check_interventions(interventions)``, which the studies call for every
    condition before the first run, so that a bad intervention fails at once.
    """

    @property
    def default_trace_columns(self) -> tuple[str, ...]: ...

    def run(self, interventions: Sequence[Any], seed: np.random.SeedSequence) -> RunOutput: ...


@dataclass(frozen=True)
class SynapseModel:
    """One synapse under one stimulus protocol, ready to be run under interventions.

    Parameters
    ----------
    synapse : SynapseParams
        The synapse (e.g. from :mod:`synevent.presets`).
    stimulus : SpikeTrain or None
        Spike arrivals; ``None`` for spontaneous activity only.
    t_end_ms : float
        Simulated time of every run.
    trace_dt_ms : float
        Grid of the sampled traces (a coarser grid makes studies cheaper).
    log_level : str
        Passed to :func:`synevent.simulate` (``"vesicle"`` or ``"reaction"``).

    Examples
    --------
    >>> import synevent as se
    >>> from synevent.studies.models import SynapseModel
    >>> m = SynapseModel(se.presets.glutamatergic(), se.regular(20.0, 2), t_end_ms=60.0)
    >>> m.default_trace_columns
    ('glu_free_uM', 'current_pA')
    """

    synapse: SynapseParams
    stimulus: SpikeTrain | None
    t_end_ms: float
    trace_dt_ms: float = 0.05
    log_level: str = "vesicle"

    def __post_init__(self) -> None:
        if not isinstance(self.synapse, SynapseParams):
            raise ParameterError(
                f'"synapse" must be a SynapseParams, got {type(self.synapse).__name__}'
            )
        if self.stimulus is not None and not isinstance(self.stimulus, SpikeTrain):
            raise ParameterError(
                f'"stimulus" must be a SpikeTrain or None, got {type(self.stimulus).__name__}'
            )
        check_grid("trace_dt_ms", self.trace_dt_ms, "t_end_ms",
                   check_positive("t_end_ms", self.t_end_ms))
        LogLevel.parse(self.log_level)

    @property
    def default_trace_columns(self) -> tuple[str, ...]:
        """Free transmitter (µM) and the clamp current (pA)."""
        return (f"{self.synapse.transmitter}_free_uM", "current_pA")

    def check_interventions(self, interventions: Sequence[Any]) -> None:
        """Refuse interventions that :meth:`run` would refuse (wrong type or target).

        A subclass that overrides :meth:`run` may take interventions of its own: they are
        left to it.
        """
        if type(self).run is SynapseModel.run:
            plan(self.synapse, tuple(interventions))

    def run(self, interventions: Sequence[Any], seed: np.random.SeedSequence) -> Result:
        """Simulate once under ``interventions`` with the random stream of ``seed``."""
        return simulate(
            self.synapse,
            self.stimulus,
            t_end_ms=self.t_end_ms,
            seed=seed,
            log_level=self.log_level,
            trace_dt_ms=self.trace_dt_ms,
            interventions=tuple(interventions),
        )


@dataclass(frozen=True)
class VolumeModel:
    """An extrasynaptic volume (:func:`synevent.simulate_volume`) under an evoked stimulus.

    Parameters
    ----------
    params : VolumeParams
        The block of tissue (e.g. :func:`synevent.extrasynaptic.volume.striatum_dopamine`).
    evoked : SpikeTrain or None
        Stimulus reaching every terminal at once.
    t_end_ms, trace_dt_ms : float
        Simulated time and trace grid.
    initial_uM : float
        Bolus of transmitter at t = 0 (e.g. for clearance of a puff with no release).
    """

    params: VolumeParams
    evoked: SpikeTrain | None
    t_end_ms: float
    trace_dt_ms: float = 1.0
    initial_uM: float = 0.0

    def __post_init__(self) -> None:
        if not isinstance(self.params, VolumeParams):
            raise ParameterError(
                f'"params" must be a VolumeParams (e.g. se.striatum_dopamine()), '
                f"got {type(self.params).__name__}"
            )
        if self.evoked is not None and not isinstance(self.evoked, SpikeTrain):
            raise ParameterError(
                f'"evoked" must be a SpikeTrain or None, got {type(self.evoked).__name__}'
            )
        check_grid("trace_dt_ms", self.trace_dt_ms, "t_end_ms",
                   check_positive("t_end_ms", self.t_end_ms))
        check_nonnegative("initial_uM", self.initial_uM)

    @property
    def default_trace_columns(self) -> tuple[str, ...]:
        """Free extracellular transmitter and what a voltammetric probe reads (µM)."""
        tx = self.params.terminal.transmitter
        return (f"{tx}_free_uM", f"{tx}_probe_uM")

    def check_interventions(self, interventions: Sequence[Any]) -> None:
        """Refuse interventions that :meth:`run` would refuse (wrong type or target).

        A subclass that overrides :meth:`run` may take interventions of its own: they are
        left to it.
        """
        if type(self).run is VolumeModel.run:
            plan(self.params.as_synapse(), tuple(interventions))

    def run(self, interventions: Sequence[Any], seed: np.random.SeedSequence) -> VolumeResult:
        """Simulate once under ``interventions`` with the random stream of ``seed``."""
        return simulate_volume(
            self.params, self.evoked, t_end_ms=self.t_end_ms, seed=seed,
            trace_dt_ms=self.trace_dt_ms, interventions=tuple(interventions),
            initial_uM=self.initial_uM,
        )
