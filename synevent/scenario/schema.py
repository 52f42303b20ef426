"""The scenario file format: pydantic models, unknown keys refused.

A scenario file (TOML) has the sections ``[scenario]``, ``[synapse]``, ``[stimulus]``,
``[[interventions]]``, ``[run]``, ``[outputs]`` and, for studies, ``[sweep]``. The models here
check types, ranges and names before anything runs; :mod:`synevent.scenario.build` then turns
a validated scenario into the objects :func:`synevent.simulate` takes, where the parameter
blocks' own checks apply as well.

Parameter blocks of the synapse (``[synapse.vesicles]`` ...) are generated from the parameter
dataclasses, so every field the library knows is accepted, with its type, and nothing else.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ..cleft.cleft import CleftParams
from ..extrasynaptic.volume import serotonin_volume, striatum_dopamine
from ..pharmacology import interventions as iv
from ..pharmacology.drugs import DRUGS
from ..presets import PRESETS
from ..presynaptic.calcium import CalciumParams
from ..presynaptic.facilitation import FacilitationParams
from ..presynaptic.sensor import SensorParams
from ..presynaptic.vesicles import VesicleParams

__all__ = [
    "INTERVENTION_KINDS",
    "OutputsSection",
    "RunSection",
    "Scenario",
    "ScheduleSection",
    "SweepSection",
    "SynapseSection",
    "VOLUME_PRESETS",
    "VolumeSection",
]

#: Unit suffixes of field names; a key that differs from a field only in its unit gets a hint.
UNIT_SUFFIXES = ("ms", "s", "us", "uM", "nM", "mM", "M", "nm", "um", "pA", "nA", "mV", "V", "nS",
                 "pS", "hz", "Hz", "per_ms", "per_s", "per_uM_per_ms", "C", "um2_per_ms")
_SUFFIX_RE = re.compile(r"_(" + "|".join(sorted(map(re.escape, UNIT_SUFFIXES), key=len,
                                              reverse=True)) + r")$")


def _stem(key: str) -> str:
    return _SUFFIX_RE.sub("", key)


def unknown_keys_message(keys: list[str], allowed: list[str]) -> str:
    """Why ``keys`` are refused: a unit hint or the closest valid key for each, and the valid
    keys once (not once per key)."""
    parts, listed = [], False
    for key in keys:
        same_stem = [a for a in allowed if _stem(a) == _stem(key) and _SUFFIX_RE.search(a)]
        if same_stem:
            parts.append(f'unknown key "{key}": wrong unit suffix; synevent uses one unit system '
                         f'and this field is "{same_stem[0]}"')
            continue
        close = difflib.get_close_matches(key, allowed, n=2)
        hint = f' (did you mean {" or ".join(repr(c) for c in close)}?)' if close else ""
        parts.append(f'unknown key "{key}"{hint}')
        listed = True
    if listed:
        parts[-1] += f"; allowed keys are {sorted(allowed)}"
    return "; ".join(parts)


class Strict(BaseModel):
    """Base of every section: unknown keys are refused with the list of valid ones."""

    # strict: a string where a number belongs, or true where a count belongs, is refused rather
    # than converted (TOML has typed values; a quoted number is a mistake worth reporting).
    model_config = ConfigDict(extra="forbid", validate_default=True, strict=True)

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            allowed = list(cls.model_fields)
            unknown = [k for k in data if k not in allowed]
            if unknown:
                raise PydanticCustomError("unknown_key", unknown_keys_message(unknown, allowed))
        return data


PositiveFloat = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNegFloat = Annotated[float, Field(ge=0, allow_inf_nan=False)]


# -- synapse ------------------------------------------------------------------------------------
_PY_TYPES = {"float": float, "int": int, "bool": bool, "str": str, "float | None": float | None}


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
        py = _PY_TYPES.get(f.type if isinstance(f.type, str) else getattr(f.type, "__name__", ""))
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


def _choice(kind: str, value: str, allowed: list[str], fold_case: bool = False) -> str:
    key = value.lower() if fold_case else value
    if key not in allowed:
        raise PydanticCustomError(
            f"unknown_{kind}", f'unknown {kind} "{value}"; allowed: {sorted(allowed)}'
        )
    return key


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
        return _choice("preset", v, list(PRESETS))


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
        return _choice("volume preset", v, list(VOLUME_PRESETS))


# -- stimulus -----------------------------------------------------------------------------------
class _Train(Strict):
    start_ms: NonNegFloat = 0.0
    conduction_delay_ms: NonNegFloat = 0.0


class RegularStimulus(_Train):
    """``n_spikes`` at ``rate_hz`` from ``start_ms``."""

    kind: Literal["regular"]
    rate_hz: PositiveFloat
    n_spikes: Annotated[int, Field(ge=1)]


class PoissonStimulus(_Train):
    """A Poisson train of ``rate_hz`` over ``duration_ms``."""

    kind: Literal["poisson"]
    rate_hz: PositiveFloat
    duration_ms: PositiveFloat


class BurstStimulus(_Train):
    """``n_bursts`` of ``spikes_per_burst`` at ``intra_rate_hz``, one every ``burst_interval_ms``."""

    kind: Literal["burst"]
    n_bursts: Annotated[int, Field(ge=1)] = 1
    spikes_per_burst: Annotated[int, Field(ge=1)]
    intra_rate_hz: PositiveFloat
    burst_interval_ms: PositiveFloat = 1000.0


class PairedPulseStimulus(_Train):
    """Two spikes ``interval_ms`` apart."""

    kind: Literal["paired_pulse"]
    interval_ms: PositiveFloat


class ExplicitStimulus(Strict):
    """Spikes at the listed times."""

    kind: Literal["explicit"]
    times_ms: Annotated[list[NonNegFloat], Field(min_length=1)]
    conduction_delay_ms: NonNegFloat = 0.0

    @field_validator("times_ms")
    @classmethod
    def _sorted(cls, v: list[float]) -> list[float]:
        if any(b <= a for a, b in zip(v, v[1:])):
            raise PydanticCustomError("unsorted", "spike times must be strictly increasing")
        return v


class NoStimulus(Strict):
    """No spikes: spontaneous release only."""

    kind: Literal["none"]


STIMULUS_KINDS = ("regular", "poisson", "burst", "paired_pulse", "explicit", "none")
Stimulus = Annotated[
    Union[RegularStimulus, PoissonStimulus, BurstStimulus, PairedPulseStimulus, ExplicitStimulus,
          NoStimulus],
    Field(discriminator="kind"),
]


# -- interventions ------------------------------------------------------------------------------
class ScheduleSection(Strict):
    """When a drug is present (see :class:`synevent.Schedule`); omitted bounds are -inf / inf."""

    start_ms: Annotated[float, Field(allow_inf_nan=False)] | None = None
    stop_ms: Annotated[float, Field(allow_inf_nan=False)] | None = None
    tau_on_ms: NonNegFloat = 0.0
    tau_off_ms: NonNegFloat = 0.0

    @model_validator(mode="after")
    def _order(self) -> ScheduleSection:
        if self.start_ms is not None and self.stop_ms is not None and self.stop_ms <= self.start_ms:
            raise PydanticCustomError(
                "schedule_order",
                "the schedule ends before it starts: stop_ms ({stop}) must be after start_ms "
                "({start})", {"stop": self.stop_ms, "start": self.start_ms},
            )
        return self

    def bounds(self) -> tuple[float, float]:
        return (-math.inf if self.start_ms is None else self.start_ms,
                math.inf if self.stop_ms is None else self.stop_ms)


class DrugEntry(Strict):
    """A library drug (``synevent.DRUGS``) at a bath concentration."""

    drug: str = Field(json_schema_extra={"enum": sorted(DRUGS)})
    conc_uM: NonNegFloat
    schedule: ScheduleSection = Field(default_factory=ScheduleSection)

    @field_validator("drug")
    @classmethod
    def _known(cls, v: str) -> str:
        return _choice("drug", v, list(DRUGS), fold_case=True)


INTERVENTION_KINDS: dict[str, type] = {
    c.kind: c
    for c in (iv.TransporterInhibitor, iv.EnzymeInhibitor, iv.ReceptorAntagonist,
              iv.ChannelBlocker, iv.AllostericModulator, iv.CaChannelBlocker, iv.ReleaseBlocker,
              iv.VMATInhibitor, iv.Knockout)
}


def _intervention_model(kind: str, cls: type) -> type[BaseModel]:
    fields: dict[str, Any] = {"kind": (Literal[kind], ...),
                              "schedule": (ScheduleSection, Field(default_factory=ScheduleSection))}
    for f in dataclasses.fields(cls):
        if f.name in ("schedule",):
            continue
        py = _PY_TYPES[f.type]
        default = ... if f.default is dataclasses.MISSING else f.default
        if f.name == "mode":
            choices = {"transporter_inhibitor": ("competitive", "noncompetitive"),
                       "enzyme_inhibitor": ("competitive", "noncompetitive")}[kind]
            py = Literal[choices]  # type: ignore[valid-type]
        elif f.name in ("target", "label"):
            pass
        elif f.name in ("max_block", "fraction_remaining"):
            py = Annotated[float, Field(ge=0, le=1)]
        elif py is float:
            py = NonNegFloat if f.name == "conc_uM" else (
                PositiveFloat if f.name != "efficacy" else NonNegFloat)
        fields[f.name] = (py, default)
    doc = (cls.__doc__ or kind).strip().splitlines()[0]
    return create_model(f"{cls.__name__}Entry", __base__=Strict, __doc__=doc, **fields)


_KIND_MODELS = {k: _intervention_model(k, c) for k, c in INTERVENTION_KINDS.items()}


def _intervention_tag(v: Any) -> str | None:
    if isinstance(v, dict):
        return "drug" if "drug" in v else v.get("kind")
    return "drug" if isinstance(v, DrugEntry) else getattr(v, "kind", None)


Intervention = Annotated[
    Union[tuple(Annotated[m, Tag(k)] for k, m in {"drug": DrugEntry, **_KIND_MODELS}.items())],
    Discriminator(
        _intervention_tag,
        custom_error_type="intervention_kind",
        custom_error_message="an intervention needs \"drug\" (a library drug) or \"kind\" "
        f"(one of {sorted(INTERVENTION_KINDS)})",
    ),
]


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

