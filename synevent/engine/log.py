"""The event log: fixed-schema records kept in column buffers, one DataFrame built at the end.

Records are appended to typed column buffers (``array.array``, one per column) because appending
to a DataFrame inside the event loop is quadratic, and because a Python list holds an 8-byte
pointer *and* a 24- to 32-byte object per number. Strings (kind, component, detail) are stored
as small integer codes into per-log tables. Reaction-level records from the kinetic networks
are kept in their own compact buffers (8-byte time, 4-byte reaction index) and expanded only
when the table is built. Memory per logged event: 12 bytes for a reaction, 44 for any other
record (:meth:`EventLog.nbytes`).
"""

from __future__ import annotations

import enum
from array import array

import numpy as np
import pandas as pd

__all__ = ["EVENT_COLUMNS", "EventLog", "LogLevel", "text_category"]


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


def text_category(values: pd.Series) -> pd.Series:
    """``values`` as a categorical of strings, with sorted string categories even when empty.

    NOTE: ``astype(str).astype("category")`` of an empty column gives categories that Arrow
    stores as a dictionary of nulls, which Parquet reads back as ``object``: an empty log would
    not round-trip with its dtypes.
    """
    text = values.astype(str)
    categories = pd.Index(np.unique(text.to_numpy(dtype=object)).astype(str), dtype=str)
    return text.astype(pd.CategoricalDtype(categories))


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
        self._t = array("d")
        self._kind = array("H")  # codes into self._strings
        self._component = array("I")
        self._site = array("i")
        self._vesicle = array("q")
        self._spike = array("i")
        self._amount = array("q")
        self._detail = array("I")
        self._codes: dict[str, int] = {}
        self._strings: list[str] = []
        # (component, reaction names, time buffer, reaction-index buffer) per kinetic network
        self._reaction_sources: list[tuple[str, list[str], array, array]] = []

    def _code(self, s: str) -> int:
        c = self._codes.get(s)
        if c is None:
            c = self._codes[s] = len(self._strings)
            self._strings.append(s)
        return c

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
        code = self._code
        self._t.append(t_ms)
        self._kind.append(code(kind))
        self._component.append(code(component))
        self._site.append(site)
        self._vesicle.append(vesicle)
        self._spike.append(spike)
        self._amount.append(amount)
        self._detail.append(code(detail))

    def reaction_buffers(self, component: str, names: list[str]) -> tuple[array, array]:
        """Register a kinetic network; return the (time, reaction index) buffers it appends to.

        Both are ``array.array`` (float64 times, int32 indices): ``append`` and ``extend`` work
        as on lists.
        """
        t = array("d")
        j = array("i")
        self._reaction_sources.append((component, list(names), t, j))
        return t, j

    def __len__(self) -> int:
        return len(self._t) + sum(len(src[2]) for src in self._reaction_sources)

    def nbytes(self) -> int:
        """Bytes held by the column buffers (excluding their small over-allocation)."""
        cols = (self._t, self._kind, self._component, self._site, self._vesicle, self._spike,
                self._amount, self._detail)
        n = sum(c.itemsize * len(c) for c in cols)
        for _, _, t, j in self._reaction_sources:
            n += t.itemsize * len(t) + j.itemsize * len(j)
        return n

    def _decoder(self):
        strings = np.asarray(self._strings + [""], dtype=object)

        def decode(codes: array) -> np.ndarray:
            return strings[np.frombuffer(codes, dtype=np.uint32 if codes.typecode == "I"
                                         else np.uint16).astype(np.intp)] if len(codes) else \
                np.zeros(0, dtype=object)

        return decode

    def buffers(self) -> tuple[dict[str, np.ndarray], list[tuple[str, list[str], array, array]]]:
        """The columns of the records (copies; text decoded), and per kinetic network its
        ``(component, reaction names, time buffer, reaction-index buffer)`` (the buffers
        themselves: float64 and int32 ``array.array``), for streaming writers.

        The table of :meth:`to_frame` is their concatenation in this order, stably sorted by time.
        """
        decode = self._decoder()
        main = {"t_ms": np.array(self._t, dtype=np.float64), "kind": decode(self._kind),
                "component": decode(self._component), "site": np.array(self._site, np.int32),
                "vesicle": np.array(self._vesicle, np.int64),
                "spike": np.array(self._spike, np.int32),
                "amount": np.array(self._amount, np.int64), "detail": decode(self._detail)}
        return main, list(self._reaction_sources)

    def to_frame(self, networks: bool = True) -> pd.DataFrame:
        """All events as one DataFrame sorted by time (stable: ties keep recording order).

        ``networks=False`` leaves out the reaction records of the kinetic networks (the bulk
        of a reaction-level log), keeping the terminal's records.
        """
        decode = self._decoder()
        parts = [
            pd.DataFrame(
                {
                    "t_ms": np.frombuffer(self._t, dtype=np.float64).copy(),
                    "kind": decode(self._kind),
                    "component": decode(self._component),
                    "site": np.asarray(self._site, dtype=np.int32),
                    "vesicle": np.asarray(self._vesicle, dtype=np.int64),
                    "spike": np.asarray(self._spike, dtype=np.int32),
                    "amount": np.asarray(self._amount, dtype=np.int64),
                    "detail": decode(self._detail),
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
                        "t_ms": np.frombuffer(t, dtype=np.float64).copy(),
                        "kind": "reaction",
                        "component": component,
                        "site": np.full(n, -1, np.int32),
                        "vesicle": np.full(n, -1, np.int64),
                        "spike": np.full(n, -1, np.int32),
                        "amount": np.ones(n, np.int64),
                        "detail": np.asarray(names, dtype=object)[
                            np.frombuffer(j, dtype=np.int32).astype(np.intp)],
                    }
                )
            )
        df = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        df = df.sort_values("t_ms", kind="stable", ignore_index=True)
        for col, dtype in EVENT_COLUMNS.items():
            if dtype == "category":
                df[col] = text_category(df[col])
        return df
