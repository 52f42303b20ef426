"""Peak memory of a run that logs more than 10⁷ events to Parquet.

Runs ``synevent run scenarios/files/nmj_reaction_log.toml`` (every reaction of a neuromuscular
junction logged, 60 spikes at 10 Hz) in a child process and prints the number of events written, the
wall time, the child's peak resident memory and the file size. Figures, not a timed test.

    python benchmarks/bench_large_event_log.py
"""

from __future__ import annotations

import pathlib
import resource
import subprocess
import sys
import tempfile
import time

import pyarrow.parquet as pq

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "files" / "nmj_reaction_log.toml"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp) / "run"
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "synevent", "run", str(SCENARIO), "--out", str(out),
                        "--no-progress"], check=True, capture_output=True)
        wall = time.perf_counter() - t0
        peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # Linux: KiB
        meta = pq.ParquetFile(out / "events.parquet").metadata
        size_mib = (out / "events.parquet").stat().st_size / 2**20
        print(f"events written: {meta.num_rows:,} in {meta.num_row_groups} row groups")
        print(f"wall time: {wall:.1f} s; peak resident memory of the run: {peak_mib:.0f} MiB")
        print(f"events.parquet: {size_mib:.1f} MiB ({8 * 2**20 * size_mib / meta.num_rows:.1f} "
              "bits per event)")


if __name__ == "__main__":
    main()
