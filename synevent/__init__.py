"""synevent: a stochastic, discrete-event simulator of chemical synaptic transmission.

The public API is listed in ``__all__`` and documented in ``docs/reference/api.md``.
"""

from . import presets
from ._version import __version__
from .circuit.circuit import Circuit
from .circuit.plots import plot_membrane, plot_raster, plot_summation
from .circuit.result import CircuitResult
from .circuit.retrograde import EndocannabinoidParams
from .cleft.cleft import CleftParams
from .cleft.clearance import EnzymeParams, TransporterParams
from .cleft.transporter_library import TRANSPORTERS, transporter
from .engine.checks import ParameterError
from .engine.log import EVENT_COLUMNS, EventLog, LogLevel
from .engine.network import Reaction, ReactionNetwork, molecules_per_uM, stochastic_rate
from .engine.random import RandomStream
from .engine.ssa import ExactNetwork
from .extrasynaptic.probe import fscv_probe
from .extrasynaptic.volume import (
    VolumeParams,
    VolumeResult,
    serotonin_volume,
    simulate_volume,
    striatum_dopamine,
)
from .network_runs import NetworkRun, simulate_network
from .parallel import process_pool
from .pharmacology.assays import fit_michaelis_menten, steady_state_flux
from .pharmacology.drugs import DRUGS, Drug, DrugApplication, drug
from .pharmacology.interventions import (
    AllostericModulator,
    CaChannelBlocker,
    ChannelBlocker,
    EnzymeInhibitor,
    Intervention,
    Knockout,
    ReceptorAntagonist,
    ReleaseBlocker,
    TransporterInhibitor,
    VMATInhibitor,
)
from .pharmacology.schedule import Schedule
from .postsynaptic.gpcr_library import d2_autoreceptor, gabab_autoreceptor, gabab_girk, girk_for_hill
from .postsynaptic.metabotropic import GIRKParams, MetabotropicReceptor
from .postsynaptic.ions import IonConcentrations, ghk_potential_mV, nernst_mV
from .postsynaptic.library import RECEPTOR_LIBRARY
from .postsynaptic.mg_block import mg_unblocked_fraction
from .postsynaptic.cells import ca1_pyramidal, cerebellar_granule
from .postsynaptic.neuron import CurrentClamp, HHParams, NeuronParams, VoltageClamp
from .postsynaptic.receptors import ReceptorScheme, Transition
from .presynaptic.autoreceptors import CaInhibition
from .presynaptic.calcium import CalciumParams
from .presynaptic.cotransmission import Cotransmitter
from .presynaptic.facilitation import FacilitationParams
from .presynaptic.calibration import calibrate_local_peak, release_probability
from .presynaptic.sensor import SensorParams, fusion_time_cdf, spontaneous_rate_per_ms
from .presynaptic.vesicles import VesicleParams
from .results import Result
from .scenario.loading import load_scenario
from .scenario.run import run_scenario
from .scenario.schema import Scenario
from .sweep.run import run_sweep
from .simulation import simulate
from .studies import (
    Comparison,
    DoseResponse,
    HillFit,
    SynapseModel,
    VolumeModel,
    compare,
    dose_response,
    fit_hill,
    hill_curve,
    plot_dose_response,
    plot_traces,
    replicate_seed,
)
from .stimulus.trains import (DroppedSpikesWarning, SpikeTrain, burst, explicit, paired_pulse, poisson,
                              regular)
from .synapse import ReceptorPopulation, SynapseParams

__all__ = [
    "AllostericModulator",
    "CaChannelBlocker",
    "CaInhibition",
    "CalciumParams",
    "ChannelBlocker",
    "Circuit",
    "CircuitResult",
    "CleftParams",
    "Comparison",
    "Cotransmitter",
    "CurrentClamp",
    "DRUGS",
    "DoseResponse",
    "DroppedSpikesWarning",
    "Drug",
    "DrugApplication",
    "EVENT_COLUMNS",
    "EndocannabinoidParams",
    "EnzymeInhibitor",
    "EnzymeParams",
    "EventLog",
    "ExactNetwork",
    "FacilitationParams",
    "GIRKParams",
    "HHParams",
    "HillFit",
    "Intervention",
    "IonConcentrations",
    "Knockout",
    "LogLevel",
    "MetabotropicReceptor",
    "NetworkRun",
    "NeuronParams",
    "ParameterError",
    "RECEPTOR_LIBRARY",
    "RandomStream",
    "Reaction",
    "ReactionNetwork",
    "ReceptorAntagonist",
    "ReceptorPopulation",
    "ReceptorScheme",
    "ReleaseBlocker",
    "Result",
    "Scenario",
    "Schedule",
    "SensorParams",
    "SpikeTrain",
    "SynapseModel",
    "SynapseParams",
    "TRANSPORTERS",
    "Transition",
    "TransporterInhibitor",
    "TransporterParams",
    "VMATInhibitor",
    "VesicleParams",
    "VoltageClamp",
    "VolumeModel",
    "VolumeParams",
    "VolumeResult",
    "__version__",
    "burst",
    "ca1_pyramidal",
    "calibrate_local_peak",
    "cerebellar_granule",
    "compare",
    "d2_autoreceptor",
    "dose_response",
    "drug",
    "explicit",
    "fit_hill",
    "fit_michaelis_menten",
    "fscv_probe",
    "fusion_time_cdf",
    "gabab_autoreceptor",
    "gabab_girk",
    "ghk_potential_mV",
    "girk_for_hill",
    "hill_curve",
    "load_scenario",
    "mg_unblocked_fraction",
    "molecules_per_uM",
    "nernst_mV",
    "paired_pulse",
    "plot_dose_response",
    "plot_membrane",
    "plot_raster",
    "plot_summation",
    "plot_traces",
    "poisson",
    "presets",
    "process_pool",
    "regular",
    "release_probability",
    "replicate_seed",
    "run_scenario",
    "run_sweep",
    "serotonin_volume",
    "simulate",
    "simulate_network",
    "simulate_volume",
    "spontaneous_rate_per_ms",
    "steady_state_flux",
    "stochastic_rate",
    "striatum_dopamine",
    "transporter",
]
