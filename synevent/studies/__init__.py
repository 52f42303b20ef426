"""The study layer: replicated comparisons of interventions, statistics, dose–response fits and
plots.

The same names are exported from :mod:`synevent`. matplotlib is only imported when a plot is
drawn.
"""

from .compare import Comparison, compare, replicate_seed
from .dose_response import DoseResponse, HillFit, dose_response, fit_hill, hill_curve
from .models import SynapseModel, VolumeModel
from .plots import plot_dose_response, plot_traces

__all__ = [
    "Comparison",
    "DoseResponse",
    "HillFit",
    "SynapseModel",
    "VolumeModel",
    "compare",
    "dose_response",
    "fit_hill",
    "hill_curve",
    "plot_dose_response",
    "plot_traces",
    "replicate_seed",
]
