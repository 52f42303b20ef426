"""Parameter sweeps: a grid of tasks with identity-derived seeds, run on any executor."""

from .grid import Task, expand
from .run import EXECUTORS, run_sweep

__all__ = ["EXECUTORS", "Task", "expand", "run_sweep"]
