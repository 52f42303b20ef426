"""Wall time of every preset for a 1 s, 10 Hz train (default log level), with event counts.

    python benchmarks/bench_presets.py
"""

from __future__ import annotations

import time

import synevent as se


def main() -> None:
    print(f"{'preset':15s} {'wall_s':>8s} {'fusions':>8s} {'molecules':>10s} {'log rows':>9s}")
    for name in se.presets.PRESETS:
        t0 = time.perf_counter()
        r = se.simulate(se.presets.get(name), se.regular(10.0, 10, start_ms=2.0), t_end_ms=1000.0,
                        seed=1, trace_dt_ms=0.1)
        wall = time.perf_counter() - t0
        print(f"{name:15s} {wall:8.2f} {r.summary['quanta_sync'] + r.summary['quanta_async']:8d} "
              f"{r.summary['molecules_released']:10d} {len(r.events):9d}")


if __name__ == "__main__":
    main()
