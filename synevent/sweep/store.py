"""The sweep's output: a Parquet dataset partitioned by scenario, one file per finished task.

Layout under the sweep folder::

    summary/scenario=<name>/<task_id>.parquet   one row: the task's identity and metrics
    events/scenario=<name>/<task_id>.parquet    its event log (when outputs.events is set)
    summary.csv                                 every task, written when the sweep completes

A task's files are written under a hidden partial name (:mod:`synevent.export.atomic`) and
renamed into place, summary last, so a task counts as finished only when all its files are
whole. Readers of the dataset (pyarrow, dask, pandas) skip hidden files; a restarted sweep
deletes them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..export.atomic import atomic_path, remove_partials

__all__ = ["TaskStore"]


class TaskStore:
    """Finished-task bookkeeping and atomic writes for one sweep folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def summary_path(self, scenario: str, task_id: str) -> Path:
        return self.root / "summary" / f"scenario={scenario}" / f"{task_id}.parquet"

    def events_path(self, scenario: str, task_id: str) -> Path:
        return self.root / "events" / f"scenario={scenario}" / f"{task_id}.parquet"

    def write_summary(self, scenario: str, task_id: str, row: pd.DataFrame) -> Path:
        path = self.summary_path(scenario, task_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp:
            row.to_parquet(tmp, index=False)
        return path

    def clean_partials(self) -> int:
        """Delete what interrupted writers left; return how many files."""
        return sum(remove_partials(self.root / part, "scenario=*/")
                   for part in ("summary", "events"))

    def finished(self) -> set[tuple[str, str]]:
        """``(scenario, task_id)`` of every task whose summary is in place."""
        out = set()
        for p in (self.root / "summary").glob("scenario=*/*.parquet"):
            out.add((p.parent.name.removeprefix("scenario="), p.stem))
        return out

    def collect(self) -> pd.DataFrame:
        """Every finished task's summary row, sorted by scenario and task id."""
        tables = []
        for p in sorted((self.root / "summary").glob("scenario=*/*.parquet")):
            t = pq.read_table(p)
            scenario = pa.array([p.parent.name.removeprefix("scenario=")] * t.num_rows)
            tables.append(t.add_column(0, "scenario", scenario))
        if not tables:
            return pd.DataFrame()
        # permissive: swept values may be int in one grid point and float in another
        table = pa.concat_tables(tables, promote_options="permissive")
        return table.to_pandas().sort_values(["scenario", "task_id"], ignore_index=True)
