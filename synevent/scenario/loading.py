"""Read scenario files (TOML, or the JSON a run writes), apply dotted overrides, validate.

Every mistake becomes a :class:`~synevent.engine.checks.ParameterError` whose message names
the file, the field (as a dotted path) and what is allowed, one line per problem.
"""

from __future__ import annotations

import copy
import json
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..engine.checks import ParameterError
from .protocol import STIMULUS_KINDS
from .schema import Scenario

__all__ = ["apply_overrides", "load_scenario", "parse_assignment", "read_file", "scenario_from_dict"]


def read_file(path: str | Path) -> dict[str, Any]:
    """The raw contents of a ``.toml`` or ``.json`` scenario file."""
    p = Path(path)
    if p.is_dir():
        raise ParameterError(f"{p}: is a folder, not a scenario file (.toml or .json)")
    if not p.is_file():
        raise ParameterError(f"{p}: no such scenario file")
    text = p.read_bytes()
    if p.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ParameterError(f"{p}: not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise ParameterError(f"{p}: a scenario must be a JSON object, got {type(data).__name__}")
        return data
    if p.suffix.lower() != ".toml":
        raise ParameterError(f'{p}: scenario files end in ".toml" (or ".json"), got "{p.suffix}"')
    try:
        return tomllib.loads(text.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ParameterError(f"{p}: not UTF-8 text: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ParameterError(f"{p}: TOML syntax error: {exc}") from None


def _key_path(key: str, text: str) -> tuple[str, ...]:
    """The parts of a TOML dotted key (``a."b.c".d`` is three parts)."""
    try:
        node: Any = tomllib.loads(f"{key} = 0")
    except tomllib.TOMLDecodeError:
        raise ParameterError(f'--set expects KEY=VALUE with a dotted KEY, got "{text}"') from None
    parts = []
    while isinstance(node, dict):
        (part, node), = node.items()
        parts.append(part)
    return tuple(parts)


def parse_assignment(text: str) -> tuple[tuple[str, ...], Any]:
    """``"run.t_end_ms=200"`` → ``(("run", "t_end_ms"), 200)``; key and value are read as TOML.

    A value that is not valid TOML (``preset=gabaergic``) is taken as a string.
    """
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ParameterError(f'--set expects KEY=VALUE with a dotted KEY, got "{text}"')
    path = _key_path(key.strip(), text)
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return path, value


def _set_dotted(data: dict[str, Any], parts: tuple[str, ...], value: Any, origin: str) -> None:
    key = ".".join(parts)
    node: Any = data
    for i, part in enumerate(parts[:-1]):
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise ParameterError(f'{origin}: "{".".join(parts[: i + 1])}" is not an index of '
                                     f"a list of {len(node)}")
            node = node[int(part)]
            continue
        nxt = node.setdefault(part, {})
        if not isinstance(nxt, (dict, list)):
            raise ParameterError(f'{origin}: "{".".join(parts[: i + 1])}" is a value, not a table')
        node = nxt
    if isinstance(node, list):
        raise ParameterError(f'{origin}: "{key}" ends in a list; give an index')
    node[parts[-1]] = value


def apply_overrides(data: Mapping[str, Any], overrides: Iterable[tuple[str | tuple[str, ...], Any]],
                    origin: str = "--set") -> dict[str, Any]:
    """A deep copy of ``data`` with each ``(key, value)`` set; a key is a tuple of parts or a
    string split at its dots."""
    out = copy.deepcopy(dict(data))
    for key, value in overrides:
        _set_dotted(out, tuple(key.split(".")) if isinstance(key, str) else key, value, origin)
    return out


def _path(loc: tuple) -> str:
    """Dotted path of a pydantic error location, without the union tags pydantic inserts."""
    parts: list[str] = []
    for i, part in enumerate(loc):
        prev = loc[i - 1] if i else None
        tagged_union = (prev == "stimulus" and part in STIMULUS_KINDS) or (
            isinstance(prev, int) and i >= 2 and loc[i - 2] == "interventions")
        if tagged_union:
            continue
        parts.append(f"[{part}]" if isinstance(part, int) else ("." if parts else "") + str(part))
    return "".join(parts) or "(top level)"


def _describe(err: dict[str, Any]) -> str:
    kind, msg = err["type"], err["msg"]
    value = err.get("input")
    if kind == "missing":
        return "required, missing"
    if kind == "union_tag_not_found":
        return f'"kind" is missing; allowed kinds are {list(STIMULUS_KINDS)}'
    if kind == "union_tag_invalid":
        return f"{msg}"
    if kind in ("unknown_key", "intervention_kind") or kind.startswith("unknown_"):
        return msg
    if isinstance(value, (dict, list)):
        return msg
    return f"{msg}, got {value!r}"


def scenario_from_dict(data: Mapping[str, Any], origin: str = "<scenario>") -> Scenario:
    """Validate raw scenario data; every problem is reported, each naming its field."""
    try:
        return Scenario.model_validate(dict(data))
    except ValidationError as exc:
        lines = [f"{origin}: {_path(e['loc'])}: {_describe(e)}" for e in exc.errors()]
        raise ParameterError("\n".join(dict.fromkeys(lines))) from None


def load_scenario(path: str | Path, overrides: Iterable[str] = ()) -> Scenario:
    """Read, override (``KEY=VALUE`` strings, dotted keys) and validate a scenario file.

    The scenario's name defaults to the file's stem.
    """
    p = Path(path)
    data = read_file(p)
    pairs = [parse_assignment(o) for o in overrides]
    data = apply_overrides(data, pairs)
    meta = data.setdefault("scenario", {})
    if isinstance(meta, dict) and "name" not in meta and data.get("resolved") is None:
        meta["name"] = p.stem
    return scenario_from_dict(data, str(p))
