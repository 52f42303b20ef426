"""The strict base of every scenario-file section: typed values, unknown keys refused.

Shared by the synapse and volume sections (:mod:`.schema`) and by the stimulus and
intervention sections (:mod:`.protocol`).
"""

from __future__ import annotations

import difflib
import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

__all__ = ["NonNegFloat", "PY_TYPES", "PositiveFloat", "Strict", "choice", "unknown_keys_message"]

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

#: Field types of the parameter dataclasses that a file may set, by their annotation.
PY_TYPES = {"float": float, "int": int, "bool": bool, "str": str, "float | None": float | None}


def choice(kind: str, value: str, allowed: list[str], fold_case: bool = False) -> str:
    key = value.lower() if fold_case else value
    if key not in allowed:
        raise PydanticCustomError(
            f"unknown_{kind}", f'unknown {kind} "{value}"; allowed: {sorted(allowed)}'
        )
    return key
