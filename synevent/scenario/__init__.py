"""Scenario files: the TOML format, its validation and the runs it describes."""

from .loading import load_scenario, scenario_from_dict
from .schema import Scenario, json_schema

__all__ = ["Scenario", "json_schema", "load_scenario", "scenario_from_dict"]
