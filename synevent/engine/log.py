"""The event log: fixed-schema records kept in column buffers, one DataFrame built at the end.

Records are appended to plain Python lists (one per column) because appending to a DataFrame
inside the event loop is quadratic. Reaction-level records from the kinetic networks are kept
in their own compact buffers (time and reaction index) and expanded only when the table is built.
"""

from __future__ import annotations

import enum

import numpy as np
import pandas as pd

__all__ = ["EVENT_COLUMNS", "EventLog", "LogLevel"]


class LogLevel(enum.IntEnum):
    """How much the event log records.

    ``VESICLE`` (the default) records spikes at the terminal and every vesicle step (dock,
    undock, prime, unprime, fuse, arrival in the cleft, retrieval, refilling). ``REACTION`` adds
    every reaction of every kinetic network: Ca²⁺ binding and unbinding on the sensors, receptor
    transitions, transmitter binding, uptake, breakdown and escape.
    """

    VESICLE = 1
    REACTION = 2

    @classmethod
    def parse(cls, value: LogLevel | str | int) -> LogLevel:
        """Accept a member, its name (any case) or its value."""
        if isinstance(value, LogLevel):
            return value
        if isinstance(value, str) and value.upper() in cls.__members__:
            return cls[value.upper()]
        if isinstance(value, int) and not isinstance(value, bool):
            try:
                return cls(value)
            except ValueError:
                pass
        raise ValueError(
            f'"log_level" must be one of {[m.name.lower() for m in cls]}, got {value!r}'
        )


#: Columns of :meth:`EventLog.to_frame`, in order, with their dtypes.
EVENT_COLUMNS: dict[str, str] = {
    "t_ms": "float64",
    "kind": "category",
    "component": "category",
    "site": "int32",
    "vesicle": "int64",
    "spike": "int32",
    "amount": "int64",
    "detail": "category",
}


class EventLog:
    """Column buffers for the events of one run.

    Parameters
    ----------
    level : LogLevel
        What to record; components ask :attr:`reactions` before logging reaction events.
    """

    def __init__(self, level: LogLevel = LogLevel.VESICLE) -> None:
        self.level = LogLevel.parse(level)
        self.reactions = self.level >= LogLevel.REACTION
        self._t: list[float] = []
        self._kind: list[str] = []
        self._component: list[str] = []
        self._site: list[int] = []
        self._vesicle: list[int] = []
        self._spike: list[int] = []
        self._amount: list[int] = []
        self._detail: list[str] = []
        # (component, reaction names, time buffer, reaction-index buffer) per kinetic network
        self._reaction_sources: list[tuple[str, list[str], list[float], list[int]]] = []

    def record(
        self,
        t_ms: float,
        kind: str,
        component: str,
        *,
        site: int = -1,
        vesicle: int = -1,
        spike: int = -1,
        amount: int = 0,
        detail: str = "",
    ) -> None:
        """Append one event (``-1`` means "not applicable" for ids)."""
        self._t.append(t_ms)
        self._kind.append(kind)
        self._component.append(component)
        self._site.append(site)
        self._vesicle.append(vesicle)
        self._spike.append(spike)
        self._amount.append(amount)
        self._detail.append(detail)

    def reaction_buffers(self, component: str, names: list[str]) -> tuple[list[float], list[int]]:
        """Register a kinetic network; return the (time, reaction index) lists it appends to."""
        t: list[float] = []
        j: list[int] = []
        self._reaction_sources.append((component, list(names), t, j))
        return t, j

    def buffers(self) -> tuple[dict[str, list], list[tuple[str, list[str], list[float], list[int]]]]:
        """The raw column buffers (for streaming writers): the records' columns by name, and
        per kinetic network ``(component, reaction names, times, reaction indices)``.

        The table of :meth:`to_frame` is their concatenation in this order, stably sorted by time.
        """
        main = {"t_ms": self._t, "kind": self._kind, "component": self._component,
                "site": self._site, "vesicle": self._vesicle, "spike": self._spike,
                "amount": self._amount, "detail": self._detail}
        return main, list(self._reaction_sources)

    def __len__(self) -> int:
        return len(self._t) + sum(len(src[2]) for src in self._reaction_sources)

    def to_frame(self, networks: bool = True) -> pd.DataFrame:
        """All events as one DataFrame sorted by time (stable: ties keep recording order).

        ``networks=False`` leaves out the reaction records of the kinetic networks (the bulk
        of a reaction-level log), keeping the terminal's records.
        """
        parts = [
            pd.DataFrame(
                {
                    "t_ms": np.asarray(self._t, dtype=np.float64),
                    "kind": self._kind,
                    "component": self._component,
                    "site": np.asarray(self._site, dtype=np.int32),
                    "vesicle": np.asarray(self._vesicle, dtype=np.int64),
                    "spike": np.asarray(self._spike, dtype=np.int32),
                    "amount": np.asarray(self._amount, dtype=np.int64),
                    "detail": self._detail,
                }
            )
        ]
        for component, names, t, j in self._reaction_sources if networks else ():
            if not t:
                continue
            n = len(t)
            parts.append(
                pd.DataFrame(
                    {
                        "t_ms": np.asarray(t, dtype=np.float64),
                        "kind": "reaction",
                        "component": component,
                        "site": np.full(n, -1, np.int32),
                        "vesicle": np.full(n, -1, np.int64),
                        "spike": np.full(n, -1, np.int32),
                        "amount": np.ones(n, np.int64),
                        "detail": np.asarray(names, dtype=object)[np.asarray(j, dtype=np.intp)],
                    }
                )
            )
        df = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        df = df.sort_values("t_ms", kind="stable", ignore_index=True)
        for col, dtype in EVENT_COLUMNS.items():
            if dtype == "category":
                df[col] = df[col].astype(str).astype("category")
        return df
