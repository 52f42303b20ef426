"""synevent: a stochastic, discrete-event simulator of chemical synaptic transmission.

The public API is listed in ``__all__`` and documented in ``docs/reference/api.md``.
"""

from . import presets
from ._version import __version__
from .cleft.cleft import CleftParams
from .cleft.clearance import EnzymeParams, TransporterParams
from .engine.checks import ParameterError
from .engine.log import EVENT_COLUMNS, EventLog, LogLevel
from .engine.network import Reaction, ReactionNetwork, molecules_per_uM, stochastic_rate
from .engine.random import RandomStream
from .engine.ssa import ExactNetwork
from .network_runs import NetworkRun, simulate_network
from .postsynaptic.library import RECEPTOR_LIBRARY
from .postsynaptic.mg_block import mg_unblocked_fraction
from .postsynaptic.receptors import ReceptorScheme, Transition
from .presynaptic.calcium import CalciumParams
from .presynaptic.calibration import calibrate_local_peak, release_probability
from .presynaptic.sensor import SensorParams, fusion_time_cdf, spontaneous_rate_per_ms
from .presynaptic.vesicles import VesicleParams
from .results import Result
from .simulation import simulate
from .stimulus.trains import SpikeTrain, burst, explicit, paired_pulse, poisson, regular
from .synapse import ReceptorPopulation, SynapseParams

__all__ = [
    "EVENT_COLUMNS",
    "CalciumParams",
    "CleftParams",
    "EnzymeParams",
    "EventLog",
    "ExactNetwork",
    "LogLevel",
    "NetworkRun",
    "ParameterError",
    "RECEPTOR_LIBRARY",
    "RandomStream",
    "Reaction",
    "ReactionNetwork",
    "ReceptorPopulation",
    "ReceptorScheme",
    "Result",
    "SensorParams",
    "SpikeTrain",
    "SynapseParams",
    "Transition",
    "TransporterParams",
    "VesicleParams",
    "__version__",
    "burst",
    "calibrate_local_peak",
    "explicit",
    "fusion_time_cdf",
    "mg_unblocked_fraction",
    "molecules_per_uM",
    "paired_pulse",
    "poisson",
    "presets",
    "regular",
    "release_probability",
    "simulate",
    "simulate_network",
    "spontaneous_rate_per_ms",
    "stochastic_rate",
]
