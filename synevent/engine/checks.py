"""Validation of user-supplied values, with messages that name field, value and what is allowed.

Every constructor in synevent calls these before storing a parameter, so a bad value is refused
where the user wrote it rather than surfacing later from inside the event loop.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

__all__ = [
    "ParameterError",
    "check_finite",
    "check_nonnegative",
    "check_positive",
    "check_probability",
    "check_count",
    "check_choice",
    "check_grid",
]


class ParameterError(ValueError):
    """A parameter value outside its allowed range (subclass of ``ValueError``)."""


def _as_float(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParameterError(f'"{name}" must be a number, got {value!r}')
    value = float(value)
    if math.isnan(value):
        raise ParameterError(f'"{name}" must be a number, got nan')
    return value


def check_finite(name: str, value: Any) -> float:
    """Return ``value`` as float if it is a finite number."""
    v = _as_float(name, value)
    if not math.isfinite(v):
        raise ParameterError(f'"{name}" must be finite, got {value!r}')
    return v


def check_nonnegative(name: str, value: Any, *, allow_inf: bool = False) -> float:
    """Return ``value`` as float if it is ``>= 0`` (and finite unless ``allow_inf``)."""
    v = _as_float(name, value)
    if v < 0 or (math.isinf(v) and not allow_inf):
        allowed = "[0, inf]" if allow_inf else "[0, inf)"
        raise ParameterError(f'"{name}" must be in {allowed}, got {value!r}')
    return v


def check_positive(name: str, value: Any, *, allow_inf: bool = False) -> float:
    """Return ``value`` as float if it is ``> 0`` (and finite unless ``allow_inf``)."""
    v = _as_float(name, value)
    if v <= 0 or (math.isinf(v) and not allow_inf):
        raise ParameterError(f'"{name}" must be > 0, got {value!r}')
    return v


def check_probability(name: str, value: Any) -> float:
    """Return ``value`` as float if it lies in ``[0, 1]``."""
    v = _as_float(name, value)
    if not 0.0 <= v <= 1.0:
        raise ParameterError(f'"{name}" must be in [0, 1], got {value!r}')
    return v


def check_count(name: str, value: Any, *, minimum: int = 0) -> int:
    """Return ``value`` if it is an integer ``>= minimum``."""
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise ParameterError(f'"{name}" must be an integer >= {minimum}, got {value!r}')
    if value < minimum:
        raise ParameterError(f'"{name}" must be an integer >= {minimum}, got {value!r}')
    return int(value)


def check_choice(name: str, value: Any, allowed: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``allowed``."""
    allowed = list(allowed)
    if value not in allowed:
        raise ParameterError(f'"{name}" must be one of {allowed}, got {value!r}')
    return value


def check_grid(name: str, dt: Any, t_end_name: str, t_end: float) -> float:
    """Return the grid step ``dt`` if it is positive and no longer than the run.

    A step longer than the run leaves one sample (at t = 0), from which every peak reads 0.
    """
    v = check_positive(name, dt)
    if v > t_end:
        raise ParameterError(
            f'"{name}" must be at most "{t_end_name}" ({t_end:g} ms), got {dt!r}: a longer step '
            "samples the run only at t = 0"
        )
    return v
