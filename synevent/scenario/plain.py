"""Rebuild parameter dataclasses from the plain data ``dataclasses.asdict`` gives.

``resolved.json`` stores every synapse parameter a run used; a rerun rebuilds the synapse from
them, so it reproduces the run even after a preset's defaults change in a later version.
"""

from __future__ import annotations

import dataclasses
import sys
import types
import typing
from collections.abc import Mapping
from typing import Any

from ..engine.checks import ParameterError

__all__ = ["from_plain", "to_plain"]


def to_plain(obj: Any) -> Any:
    """JSON-ready data of a parameter dataclass (tuples become lists)."""
    return _jsonable(dataclasses.asdict(obj))


def _jsonable(x: Any) -> Any:
    if isinstance(x, Mapping):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    return x


def _hints(cls: type) -> dict[str, Any]:
    module = sys.modules[cls.__module__]
    return typing.get_type_hints(cls, globalns=vars(module))


def _build(tp: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is Any or tp is None or tp is type(None):
        return value
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        inner = [a for a in args if a is not type(None)]
        return _build(inner[0], value, where) if len(inner) == 1 else value
    if dataclasses.is_dataclass(tp):
        return from_plain(tp, value, where)
    if origin is tuple:
        item = args[0] if args else Any
        return tuple(_build(item, v, f"{where}[{i}]") for i, v in enumerate(value))
    if origin in (dict, Mapping) or tp in (dict, Mapping) or origin is typing.Mapping:
        return dict(value)
    if origin is list:
        return list(value)
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def from_plain(cls: type, data: Mapping[str, Any], where: str = "") -> Any:
    """An instance of dataclass ``cls`` from ``data`` (as :func:`to_plain` wrote it)."""
    if not isinstance(data, Mapping):
        raise ParameterError(f'"{where or cls.__name__}" must be a table of {cls.__name__} fields')
    hints = _hints(cls)
    init = {f.name for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(set(data) - init)
    if unknown:
        raise ParameterError(f'unknown field(s) {unknown} in "{where or cls.__name__}"; '
                             f"valid fields are {sorted(init)}")
    kwargs = {k: _build(hints[k], v, f"{where}.{k}" if where else k) for k, v in data.items()}
    return cls(**kwargs)
