"""Plumbing shared by the pharmacology scenarios: command line, executor, compact tables, files.

Not a scenario itself (the leading underscore). Each scenario script imports it as ``_common``,
which works because Python puts the script's own folder first on ``sys.path``.
"""

from __future__ import annotations

import argparse
import math
import pathlib
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # NOTE: before pyplot is imported anywhere: scripts run headless (CI)

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

import synevent as se  # noqa: E402
from synevent.parallel import optional_pool  # noqa: E402

__all__ = ["compact_table", "drug_ki", "executor", "parse_args", "percent_change", "plt",
           "finish", "write_outputs"]


def drug_ki(drug_name: str, target: str) -> float:
    """The library's Ki of ``drug_name`` (case-insensitive) at ``target``."""
    (action,) = [a for a in se.DRUGS[drug_name.lower()].actions if a.target == target]
    return float(action.params["ki_uM"])


def parse_args(doc: str, name: str, *, replicates: int, quick_replicates: int, seed: int,
               argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The common command line; ``args.replicates`` is resolved for ``--quick``."""
    ap = argparse.ArgumentParser(description=doc.strip().splitlines()[0])
    ap.add_argument("--replicates", type=int, default=None,
                    help=f"replicates per condition (default {replicates}; {quick_replicates} with --quick)")
    ap.add_argument("--out", default=f"runs/{name}", help="output folder (default %(default)s)")
    ap.add_argument("--seed", type=int, default=seed, help="root seed (default %(default)s)")
    ap.add_argument("--quick", action="store_true",
                    help="few replicates and a shorter protocol: a smoke test, not a result")
    ap.add_argument("--workers", type=int, default=2,
                    help="worker processes (1: in this process); the numbers do not depend on it")
    args = ap.parse_args(argv)
    if args.replicates is None:
        args.replicates = quick_replicates if args.quick else replicates
    if args.replicates < 2:
        ap.error(f"--replicates must be >= 2 (confidence intervals need two), got {args.replicates}")
    if args.workers < 1:
        ap.error(f"--workers must be >= 1, got {args.workers}")
    args.out = pathlib.Path(args.out)
    return args


def executor(workers: int):
    """A process pool of ``workers`` (not forked from here), or ``None`` for one worker."""
    return optional_pool(workers)


def _g(v: float) -> str:
    return "nan" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.4g}"


def _ci(lo: float, hi: float) -> str:
    return "" if math.isnan(lo) and math.isnan(hi) else f"[{_g(lo)}, {_g(hi)}]"


def compact_table(summary: pd.DataFrame, metrics: Sequence[str] | None = None,
                  control: str | None = None) -> pd.DataFrame:
    """The columns of :meth:`Comparison.summary` worth reading, as short strings.

    One row per condition and metric: ``n``, ``mean``, ``95% CI``, ``diff`` (vs control) with its
    CI, ``ratio``, Hedges' ``g`` and the ``test`` behind the CI (``paired`` per replicate, or
    ``welch`` when undefined values left different replicates). The control's own rows leave the
    contrast columns empty.
    """
    s = summary if metrics is None else summary[summary["metric"].isin(metrics)]
    ctrl = control if control is not None else str(summary["condition"].cat.categories[0])
    rows = []
    for r in s.itertuples(index=False):
        is_ctrl = str(r.condition) == ctrl
        rows.append({
            "condition": str(r.condition),
            "metric": str(r.metric),
            "n": r.n,
            "mean": _g(r.mean),
            "95% CI": _ci(r.ci95_low, r.ci95_high),
            "diff": "" if is_ctrl else _g(r.diff),
            "diff 95% CI": "" if is_ctrl else _ci(r.diff_ci95_low, r.diff_ci95_high),
            "ratio": "" if is_ctrl else _g(r.ratio),
            "g": "" if is_ctrl else _g(r.hedges_g),
            "test": "" if is_ctrl else r.test,
        })
    out = pd.DataFrame(rows)
    # Metric-major order reads best: each metric's conditions next to each other.
    order = {m: i for i, m in enumerate(s["metric"].cat.categories)}
    out["_m"] = out["metric"].map(order)
    return out.sort_values("_m", kind="stable").drop(columns="_m").reset_index(drop=True)


def percent_change(summary: pd.DataFrame, condition: str, metric: str) -> tuple[float, float, float]:
    """``diff / control mean`` in %, with the difference's CI on the same scale.

    The control mean is taken as exact (its own uncertainty is not propagated).
    """
    row = summary[(summary["condition"] == condition) & (summary["metric"] == metric)].iloc[0]
    base = row["mean"] / row["ratio"] if row["ratio"] else float("nan")
    return tuple(100.0 * row[c] / base for c in ("diff", "diff_ci95_low", "diff_ci95_high"))


def write_outputs(out: pathlib.Path, name: str, fig, tables: dict[str, pd.DataFrame]) -> list[pathlib.Path]:
    """Save the figure as ``<name>.png`` and each table as ``<key>.csv`` in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{name}.png"]
    fig.savefig(paths[0], dpi=120, bbox_inches="tight")
    plt.close(fig)
    for key, df in tables.items():
        paths.append(out / f"{key}.csv")
        df.to_csv(paths[-1], index=False)
    return paths


def finish(out: pathlib.Path, name: str, fig, tables: dict[str, pd.DataFrame], conserved: bool) -> None:
    """Write the outputs, say where, and fail the script if any run lost or made molecules."""
    paths = write_outputs(out, name, fig, tables)
    print("wrote " + ", ".join(str(p) for p in paths))
    if not conserved:
        raise SystemExit("molecule conservation failed in at least one run")
