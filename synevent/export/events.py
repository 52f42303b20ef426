"""Write event logs to Parquet or CSV in row groups, without building one big DataFrame.

:meth:`EventLog.to_frame` materialises every column of every event as a pandas object; for a
run of 10⁷ reaction events that alone is several GiB. The writer here keeps, per event, only the
time, the merge order and two small integer codes, and writes the rows a chunk at a time as
dictionary-encoded Arrow columns. The rows it writes equal ``to_frame()`` row for row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..engine.log import EVENT_COLUMNS, EventLog
from .atomic import partial_path

__all__ = ["EventWriter", "ROWS_PER_GROUP", "event_schema"]

#: Rows per Parquet row group (and per CSV batch): ~40 MB of Arrow data at most.
ROWS_PER_GROUP = 1 << 20

_DICT = pa.dictionary(pa.int32(), pa.string())
_ARROW = {"float64": pa.float64(), "int32": pa.int32(), "int64": pa.int64(), "category": _DICT}
#: What reaction events carry in the columns that describe vesicles.
_REACTION_DEFAULTS = {"site": -1, "vesicle": -1, "spike": -1, "amount": 1}


def event_schema(extra: dict[str, pa.DataType] | None = None) -> pa.Schema:
    """Arrow schema of the event table: the log's columns, then ``extra`` ones."""
    fields = [pa.field(c, _ARROW[d], nullable=False) for c, d in EVENT_COLUMNS.items()]
    fields += [pa.field(c, t, nullable=False) for c, t in (extra or {}).items()]
    return pa.schema(fields)


class _Codes:
    """A growing string dictionary shared by every source of one log."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self._index: dict[str, int] = {}

    def code(self, name: str) -> int:
        if name not in self._index:
            self._index[name] = len(self.names)
            self.names.append(name)
        return self._index[name]

    def codes(self, values: list[str]) -> np.ndarray:
        if len(values) == 0:
            return np.zeros(0, np.int32)
        codes, uniques = pd.factorize(np.asarray(values, dtype=object))
        lookup = np.array([self.code(str(u)) for u in uniques], dtype=np.int32)
        return lookup[codes]

    def dictionary(self) -> pa.Array:
        return pa.array(self.names, type=pa.string())


class EventWriter:
    """Append the events of one or more runs to a Parquet or CSV file.

    Parameters
    ----------
    path : Path
        Output file; written under a hidden partial name and renamed by :meth:`close`, so a file
        with the final name is always complete.
    fmt : {"parquet", "csv"}
    extra : dict of str to DataType
        Constant columns per call of :meth:`write` (e.g. ``replicate``).
    """

    def __init__(self, path: Path, fmt: str = "parquet",
                 extra: dict[str, pa.DataType] | None = None) -> None:
        self.path = Path(path)
        self.partial = partial_path(self.path)
        self.fmt = fmt
        self.schema = event_schema(extra)
        self.rows = 0
        if fmt == "parquet":
            self._writer: Any = pq.ParquetWriter(self.partial, self.schema, compression="zstd")
        elif fmt == "csv":
            self._csv_schema = pa.schema([
                pa.field(f.name, pa.string() if f.type == _DICT else f.type, nullable=False)
                for f in self.schema])
            self._writer = pacsv.CSVWriter(self.partial, self._csv_schema)
        else:
            raise ValueError(f'"fmt" must be "parquet" or "csv", got {fmt!r}')

    def write(self, log: EventLog, consume: bool = False, **extra: Any) -> int:
        """Write every event of ``log``, sorted as in ``log.to_frame()``; return the count.

        ``consume=True`` empties the networks' reaction buffers as they are copied (the log
        cannot be read afterwards): the run's peak memory then holds each event once, not twice.
        """
        main, sources = log.buffers()
        kinds, comps, details = _Codes(), _Codes(), _Codes()
        n_main = len(main["t_ms"])
        n_total = n_main + sum(len(src[2]) for src in sources)
        # One array per column, filled source by source (a list of parts plus a concatenate
        # would hold every event twice at the peak).
        t_all = np.empty(n_total, np.float64)
        comp_all = np.empty(n_total, np.int16)
        detail_all = np.empty(n_total, np.int32)
        t_all[:n_main] = main["t_ms"]
        comp_all[:n_main] = comps.codes(main["component"])
        detail_all[:n_main] = details.codes(main["detail"])
        main_cols = {"kind": kinds.codes(main["kind"]),
                     **{c: main[c] for c in ("site", "vesicle", "spike", "amount")}}
        reaction = kinds.code("reaction")
        at = n_main
        for component, names, t, j in sources:
            n = len(t)
            if n == 0:
                continue
            lookup = np.array([details.code(x) for x in names], dtype=np.int32)
            t_all[at: at + n] = np.frombuffer(t, dtype=np.float64)
            detail_all[at: at + n] = lookup[np.frombuffer(j, dtype=np.int32)]
            comp_all[at: at + n] = comps.code(component)
            at += n
            if consume:  # the views above are gone, so the buffers may shrink
                del t[:], j[:]
        order = np.argsort(t_all, kind="stable")
        dicts = {"kind": kinds.dictionary(), "component": comps.dictionary(),
                 "detail": details.dictionary()}
        for lo in range(0, order.size, ROWS_PER_GROUP):
            idx = order[lo: lo + ROWS_PER_GROUP]
            is_main = idx < n_main
            rows_main = idx[is_main]
            cols: dict[str, Any] = {"t_ms": t_all[idx], "component": comp_all[idx].astype(np.int32),
                                    "detail": detail_all[idx]}
            kind = np.full(idx.size, reaction, np.int32)
            kind[is_main] = main_cols["kind"][rows_main]
            cols["kind"] = kind
            for c, default in _REACTION_DEFAULTS.items():
                col = np.full(idx.size, default, dtype=main_cols[c].dtype)
                col[is_main] = main_cols[c][rows_main]
                cols[c] = col
            self._write_batch(cols, dicts, extra, idx.size)
        return int(order.size)

    def _write_batch(self, cols: dict[str, Any], dicts: dict[str, pa.Array],
                     extra: dict[str, Any], n: int) -> None:
        arrays = []
        for f in self.schema:
            if f.name in dicts:
                arr = pa.DictionaryArray.from_arrays(pa.array(cols[f.name], pa.int32()),
                                                     dicts[f.name])
                if self.fmt == "csv":
                    arr = arr.cast(pa.string())
            elif f.name in cols:
                arr = pa.array(cols[f.name], f.type)
            else:
                arr = pa.array(np.full(n, extra[f.name]), f.type)
            arrays.append(arr)
        schema = self._csv_schema if self.fmt == "csv" else self.schema
        self._writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
        self.rows += n

    def close(self) -> Path:
        """Finish the file and give it its final name."""
        self._writer.close()
        self.partial.replace(self.path)
        return self.path

    def abort(self) -> None:
        """Drop the unfinished file."""
        try:
            self._writer.close()
        finally:
            self.partial.unlink(missing_ok=True)
