"""What a scenario does to its synapse or tissue: the ``[stimulus]`` and ``[[interventions]]``
sections of a scenario file."""

from __future__ import annotations

import dataclasses
import math
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, Discriminator, Field, Tag, create_model, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ..pharmacology import interventions as iv
from ..pharmacology.drugs import DRUGS
from .strict import PY_TYPES, NonNegFloat, PositiveFloat, Strict, choice

__all__ = ["INTERVENTION_KINDS", "STIMULUS_KINDS", "DrugEntry", "Intervention", "ScheduleSection",
           "Stimulus"]


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
        return choice("drug", v, list(DRUGS), fold_case=True)


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
        py = PY_TYPES[f.type]
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


# Built outside the annotation: a string inside a subscript reads as a forward reference to linters.
_TAGGED_INTERVENTIONS = tuple(Annotated[m, Tag(k)] for k, m in {"drug": DrugEntry, **_KIND_MODELS}.items())

Intervention = Annotated[
    Union[_TAGGED_INTERVENTIONS],
    Discriminator(
        _intervention_tag,
        custom_error_type="intervention_kind",
        custom_error_message="an intervention needs \"drug\" (a library drug) or \"kind\" "
        f"(one of {sorted(INTERVENTION_KINDS)})",
    ),
]
