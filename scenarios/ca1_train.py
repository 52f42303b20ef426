"""Scenario: a CA3→CA1 synapse driven by a 10-spike, 20 Hz train, 50 replicates.

Prints the mean per-run summary with its standard error and writes the event log of every
replicate (one Parquet file, a ``replicate`` column added) and the summary table to ``--out``.

    python scenarios/ca1_train.py --out runs/ca1_train
"""

from __future__ import annotations

import argparse
import pathlib

import numpy as np
import pandas as pd

import synevent as se


def main(argv: list[str] | None = None) -> pd.DataFrame:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="runs/ca1_train", help="output folder")
    ap.add_argument("--replicates", type=int, default=50)
    ap.add_argument("--seed", type=int, default=20261121)
    args = ap.parse_args(argv)

    synapse = se.presets.glutamatergic()
    train = se.regular(rate_hz=20.0, n_spikes=10, start_ms=5.0)
    seeds = np.random.SeedSequence(args.seed).spawn(args.replicates)
    rows, logs = [], []
    for rep, seed in enumerate(seeds):
        res = se.simulate(synapse, train, t_end_ms=600.0, seed=seed, trace_dt_ms=0.05)
        rows.append({"replicate": rep, **res.summary})
        ev = res.events
        ev.insert(0, "replicate", rep)
        logs.append(ev)
    summary = pd.DataFrame(rows)
    events = pd.concat(logs, ignore_index=True)
    for col in ("kind", "component", "detail"):
        events[col] = events[col].astype(str).astype("category")

    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    events.to_parquet(out / "events.parquet", index=False)
    summary.to_csv(out / "summary.csv", index=False)

    metrics = ["quanta_per_spike", "failure_fraction", "psc_peak_pA", "psc_charge_pC",
               "psc_decay_ms", "peak_free_uM", "molecules_released"]
    table = pd.DataFrame({
        "mean": summary[metrics].mean(),
        "sem": summary[metrics].sem(),
    })
    print(f"CA3->CA1 synapse ({synapse.animal}, {synapse.temperature_C} C), 10 spikes at 20 Hz, "
          f"{args.replicates} replicates, seed {args.seed}")
    print(table.to_string(float_format=lambda v: f"{v:.4g}"))
    print(f"conserved in every replicate: {bool(summary['conserved'].all())}")
    print(f"wrote {len(events)} events to {out / 'events.parquet'} and {out / 'summary.csv'}")
    return summary


if __name__ == "__main__":
    main()
