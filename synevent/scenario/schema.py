"""The scenario file format: pydantic models, unknown keys refused.

A scenario file (TOML) has the sections ``[scenario]``, ``[synapse]``, ``[stimulus]``,
``[[interventions]]``, ``[run]``, ``[outputs]`` and, for studies, ``[sweep]`` (the stimulus and
intervention sections are in :mod:`.protocol`, their strict base in :mod:`.strict`). The models here
check types, ranges and names before anything runs; :mod:`synevent.scenario.build` then turns
a validated scenario into the objects :func:`synevent.simulate` takes, where the parameter
blocks' own checks apply as well.

Parameter blocks of the synapse (``[synapse.vesicles]`` ...) are generated from the parameter
dataclasses, so every field the library knows is accepted, with its type, and nothing else.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, create_model, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ..cleft.cleft import CleftParams
from ..extrasynaptic.volume import serotonin_volume, striatum_dopamine
from ..presets import PRESETS
from ..presynaptic.calcium import CalciumParams
from ..presynaptic.facilitation import FacilitationParams
from ..presynaptic.sensor import SensorParams
from ..presynaptic.vesicles import VesicleParams
from .protocol import Intervention, Stimulus
from .strict import PY_TYPES, NonNegFloat, PositiveFloat, Strict, choice

__all__ = [
    "OutputsSection",
    "RunSection",
    "Scenario",
    "SweepSection",
    "SynapseSection",
    "VOLUME_PRESETS",
    "VolumeSection",
    "json_schema",
]


# -- synapse ------------------------------------------------------------------------------------
def _field_constraint(name: str, py: Any) -> Any:
    """Range a block field must lie in, from its name (the dataclasses re-check on build)."""
    if py is bool or py is str:
        return py
    if name.startswith("p_") or name.endswith(("_fraction", "availability")):
        return Annotated[py, Field(ge=0, le=1)]
    if name.endswith(("_mV", "_C")):
        return Annotated[py, Field(allow_inf_nan=False)]
    return Annotated[py, Field(ge=0, allow_inf_nan=False)]


def _block_model(cls: type) -> type[BaseModel]:
    """An all-optional pydantic model of a parameter dataclass's fields."""
    fields: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        py = PY_TYPES.get(f.type if isinstance(f.type, str) else getattr(f.type, "__name__", ""))
        if py is None:
            continue  # nested objects are not set from files
        fields[f.name] = (_field_constraint(f.name, py) | None, None)
    doc = f"Fields of {cls.__name__} to change (units in the names; see the parameter table)."
    return create_model(f"{cls.__name__}Overrides", __base__=Strict, __doc__=doc, **fields)


BLOCKS: dict[str, type] = {
    "calcium": CalciumParams,
    "sensor": SensorParams,
    "vesicles": VesicleParams,
    "cleft": CleftParams,
    "facilitation": FacilitationParams,
}
_BLOCK_MODELS = {name: _block_model(cls) for name, cls in BLOCKS.items()}


class _SynapseBase(Strict):
    preset: str = Field(json_schema_extra={"enum": sorted(PRESETS)},
                        description="Preset the synapse starts from (synevent presets).")
    v_hold_mV: Annotated[float, Field(allow_inf_nan=False)] | None = None
    mg_mM: NonNegFloat | None = None
    temperature_C: Annotated[float, Field(ge=-273.15, allow_inf_nan=False)] | None = None
    sync_window_ms: NonNegFloat | None = None
    async_window_ms: NonNegFloat | None = None
    receptor_counts: dict[str, Annotated[int, Field(ge=0)]] = Field(
        default_factory=dict, description="Receptor scheme name -> number of receptors.")
    transporter_counts: dict[str, Annotated[int, Field(ge=0)]] = Field(
        default_factory=dict, description="Transporter name -> number of transporters.")

    @field_validator("preset")
    @classmethod
    def _preset(cls, v: str) -> str:
        return choice("preset", v, list(PRESETS))


SynapseSection = create_model(
    "SynapseSection",
    __base__=_SynapseBase,
    __doc__="The synapse: a preset, then changes to its scalar fields and parameter blocks.",
    **{name: (model | None, None) for name, model in _BLOCK_MODELS.items()},
)


# -- volume -------------------------------------------------------------------------------------
#: Blocks of tissue a ``[volume]`` section can start from (:mod:`synevent.extrasynaptic.volume`).
VOLUME_PRESETS = {"striatum_dopamine": striatum_dopamine, "serotonin_volume": serotonin_volume}


class VolumeSection(Strict):
    """Volume transmission: a block of tissue whose release sites feed one extracellular space.

    The alternative to ``[synapse]`` for monoamines, whose clearance after a burst is set by
    uptake in the extracellular space, not in one cleft (``synevent.simulate_volume``).
    """

    preset: str = Field(json_schema_extra={"enum": sorted(VOLUME_PRESETS)},
                        description="Block of tissue the volume starts from.")
    vmax_uM_per_s: PositiveFloat | None = None
    tissue_volume_um3: PositiveFloat | None = None
    ecs_fraction: Annotated[float, Field(gt=0, le=1)] | None = None
    terminal_density_per_um3: NonNegFloat | None = None
    tonic_rate_hz: NonNegFloat | None = None
    k_escape_per_ms: NonNegFloat | None = None
    initial_uM: NonNegFloat = Field(0.0, description="Free transmitter at t = 0 (a bolus).")

    @field_validator("preset")
    @classmethod
    def _preset(cls, v: str) -> str:
        return choice("volume preset", v, list(VOLUME_PRESETS))


# -- run, outputs, sweep ------------------------------------------------------------------------
class RunSection(Strict):
    """How to run: simulated time, replicates, seed, engine mode, logging and the trace grid."""

    t_end_ms: PositiveFloat
    replicates: Annotated[int, Field(ge=1)] = 1
    seed: Annotated[int, Field(ge=0)] | None = Field(
        None, description="Root seed entropy; omitted: fresh entropy, recorded in resolved.json.")
    mode: Literal["exact", "hybrid"] = Field(
        "exact", description="exact: every reaction an SSA event; hybrid: high-copy transmitter "
        "and transporter pools leaped (docs/background/hybrid.md).")
    log_level: Literal["vesicle", "reaction"] = "vesicle"
    trace_dt_ms: PositiveFloat = 0.05

    @model_validator(mode="after")
    def _grid_within_run(self) -> RunSection:
        if self.trace_dt_ms > self.t_end_ms:
            raise PydanticCustomError(
                "grid", "trace_dt_ms ({dt}) must be at most t_end_ms ({t}): a longer step "
                "samples the run only at t = 0", {"dt": self.trace_dt_ms, "t": self.t_end_ms})
        return self


class OutputsSection(Strict):
    """What a run writes into its folder."""

    folder: str | None = Field(None, description="Default: runs/<scenario name>.")
    events: Literal["parquet", "csv", "none"] = "parquet"
    traces: bool = True
    nwb: bool = Field(False, description="Also write run.nwb (needs the nwb extra: pynwb).")


class Condition(Strict):
    """One arm of a sweep: interventions, optionally at several doses."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.+-]+$")]
    interventions: list[Intervention] = Field(default_factory=list)
    doses_uM: list[NonNegFloat] | None = Field(
        None, description="Each dose replaces conc_uM of every intervention of this condition.")

    @model_validator(mode="after")
    def _doses_need_interventions(self) -> Condition:
        if self.doses_uM is not None and not self.interventions:
            raise PydanticCustomError("doses", "doses_uM needs at least one intervention")
        return self


class SweepSection(Strict):
    """A grid: parameters × conditions (× doses) × replicates."""

    parameters: dict[str, Annotated[list[Any], Field(min_length=1)]] = Field(
        default_factory=dict,
        description='Dotted key of this file -> values, e.g. "synapse.vesicles.n_sites" = [1, 2].')
    conditions: list[Condition] = Field(default_factory=list)
    seeding: Literal["paired", "independent"] = Field(
        "paired", description="paired: replicate r has the same seed at every grid point "
        "(common random numbers); independent: seeds also depend on the grid point.")

    @field_validator("parameters")
    @classmethod
    def _keys(cls, v: dict[str, list[Any]]) -> dict[str, list[Any]]:
        for key in v:
            if key.split(".")[0] not in ("synapse", "volume", "stimulus", "run") or key.startswith(
                    ("run.replicates", "run.seed")):
                raise PydanticCustomError(
                    "sweep_key", 'sweep parameter "{key}" must be a dotted key under synapse., '
                    "volume., stimulus. or run. (not run.replicates or run.seed)", {"key": key})
        return v

    @field_validator("conditions")
    @classmethod
    def _unique(cls, v: list[Condition]) -> list[Condition]:
        names = [c.name for c in v]
        if len(set(names)) != len(names):
            raise PydanticCustomError("names", "condition names must be unique, got {n}",
                                      {"n": names})
        return v


class ResolvedInfo(Strict):
    """Written into resolved.json: what a rerun needs beyond the file itself."""

    synevent_version: str
    seed_entropy: int
    source: str = ""
    synapse_parameters: dict[str, Any] = Field(
        default_factory=dict, description="Every synapse parameter the run used.")
    volume_parameters: dict[str, Any] = Field(
        default_factory=dict, description="Every volume parameter the run used ([volume] files).")


class ScenarioMeta(Strict):
    """Name and description of the scenario."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+$")] | None = None
    description: str = ""


class Scenario(Strict):
    """A scenario file."""

    scenario: ScenarioMeta = Field(default_factory=ScenarioMeta)
    synapse: SynapseSection | None = None  # type: ignore[valid-type]
    volume: VolumeSection | None = None
    stimulus: Stimulus
    interventions: list[Intervention] = Field(default_factory=list)
    run: RunSection
    outputs: OutputsSection = Field(default_factory=OutputsSection)
    sweep: SweepSection | None = None
    resolved: ResolvedInfo | None = None

    @model_validator(mode="before")
    @classmethod
    def _stray_section(cls, data: Any) -> Any:
        # A key set for the other kind of scenario (--set synapse.mg_mM=1 on a [volume] file)
        # would otherwise be reported as that section's missing preset.
        if isinstance(data, dict):
            both = [k for k in ("synapse", "volume") if isinstance(data.get(k), dict)]
            if len(both) == 2:
                stray = [k for k in both if "preset" not in data[k]]
                named = "; ".join(f"{k}.{key} does not apply" for k in stray for key in data[k])
                raise PydanticCustomError(
                    "preparation", "a scenario needs exactly one of [synapse] (one synapse) and "
                    "[volume] (volume transmission in a block of tissue){named}",
                    {"named": f": {named}" if named else ""})
        return data

    @model_validator(mode="after")
    def _one_preparation(self) -> Scenario:
        if (self.synapse is None) == (self.volume is None):
            raise PydanticCustomError(
                "preparation", "a scenario needs exactly one of [synapse] (one synapse) and "
                "[volume] (volume transmission in a block of tissue)")
        if self.volume is not None and self.outputs.nwb:
            raise PydanticCustomError(
                "volume_nwb", "outputs.nwb: NWB files hold a synapse's recordings; a [volume] "
                "scenario writes events, traces and summary only (set nwb = false)")
        return self

    @property
    def name(self) -> str:
        return self.scenario.name or "scenario"

    @property
    def preset(self) -> str:
        """The preset of the ``[synapse]`` or ``[volume]`` section."""
        return self.synapse.preset if self.synapse is not None else self.volume.preset


def json_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files (for editors)."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "synevent scenario"
    return schema

