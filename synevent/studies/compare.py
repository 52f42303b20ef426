"""Compare interventions: replicated runs of one model under named conditions, on common seeds.

Replicate ``r`` of every condition runs on the same child seed (spawn key ``(r,)`` of the root
``SeedSequence``), so conditions differ only by their interventions, not by luck (common random
numbers). Differences are then analysed per replicate (a paired design), which is more
sensitive than comparing independent samples the more random events the conditions share. A
task's numbers depend only on (seed, replicate): results are identical whatever the executor,
worker count or completion order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from ..engine.checks import ParameterError, check_choice, check_count, check_positive
from ..engine.random import make_seed_sequence
from .models import Model, RunOutput
from .statistics import describe, hedges_g, paired_difference, ratio_of_means, welch_difference

__all__ = ["Comparison", "compare", "replicate_seed"]

_KEYS = ("condition", "replicate", "t_ms")


def replicate_seed(seed: int | np.random.SeedSequence, replicate: int) -> np.random.SeedSequence:
    """The seed of replicate ``replicate`` (the same for every condition).

    ``SeedSequence(entropy=root.entropy, spawn_key=root.spawn_key + (replicate,))``: for an
    integer seed this is ``np.random.SeedSequence(seed).spawn(n)[replicate]`` for any
    ``n > replicate``, so it depends on neither the number of replicates nor the order of runs.
    """
    root = make_seed_sequence(seed)
    r = check_count("replicate", replicate)
    return np.random.SeedSequence(
        entropy=root.entropy, spawn_key=(*root.spawn_key, r), pool_size=root.pool_size
    )


def _run_task(
    model: Model,
    interventions: tuple,
    seed: np.random.SeedSequence,
    trace_columns: tuple[str, ...],
    trace_every_ms: float | None,
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """One run, reduced in the worker to its summary and the selected traces.

    Top-level so process pools can pickle it; only small plain data travels back.
    """
    out = model.run(interventions, seed)
    summary = dict(out.summary)
    if not trace_columns:
        return summary, {}
    tr = out.traces
    missing = [c for c in trace_columns if c not in tr.columns]
    if missing:
        raise ParameterError(
            f'"trace_columns" must be columns of the traces {list(tr.columns)}, '
            f"got unknown {missing}"
        )
    t = tr["t_ms"].to_numpy()
    step = 1
    if trace_every_ms is not None and t.size > 1:
        dt = float(t[1] - t[0])
        step = int(round(trace_every_ms / dt))
        if step < 1 or abs(step * dt - trace_every_ms) > 1e-9 * trace_every_ms:
            raise ParameterError(
                f'"trace_every_ms" must be a multiple of the trace grid step {dt} ms, '
                f"got {trace_every_ms!r}"
            )
    return summary, {c: tr[c].to_numpy()[::step] for c in ("t_ms", *trace_columns)}


def numeric_metrics(summary: Mapping[str, Any]) -> tuple[str, ...]:
    """Summary keys with numeric, non-boolean values (the default metrics)."""
    return tuple(
        k for k, v in summary.items()
        if isinstance(v, (int, float, np.number)) and not isinstance(v, (bool, np.bool_))
    )


def check_metrics(
    metrics: Sequence[str] | str | None, summary: Mapping[str, Any], name: str = "metrics"
) -> tuple[str, ...]:
    """The requested metrics (``name`` is the argument's name), checked against a summary's keys."""
    if metrics is None:
        return numeric_metrics(summary)
    chosen = (metrics,) if isinstance(metrics, str) else tuple(metrics)
    unknown = [m for m in chosen if m not in summary]
    if unknown or not chosen or len(set(chosen)) != len(chosen):
        raise ParameterError(
            f'"{name}" must be distinct keys of the run summary {list(summary)}, got {list(chosen)}'
        )
    return chosen


class Runs(NamedTuple):
    """Raw output of :func:`run_grid`, in task order (condition-major, then replicate)."""

    root: np.random.SeedSequence
    summaries: list[dict[str, Any]]
    traces: list[dict[str, np.ndarray]]


def run_grid(
    model: Model,
    interventions: Sequence[tuple],
    *,
    n_replicates: int,
    seed: int | np.random.SeedSequence | None,
    executor: Any = None,
    trace_columns: tuple[str, ...] = (),
    trace_every_ms: float | None = None,
    check_first: Callable[[dict[str, Any]], object] | None = None,
) -> Runs:
    """Run every (interventions, replicate) pair, in-process or on ``executor``.

    ``check_first`` sees the first summary before the remaining results are collected, so a bad
    metric name fails after one run rather than after the whole study; a model's
    ``check_interventions`` sees every set of interventions before the first run.
    """
    if executor is not None and not callable(getattr(executor, "submit", None)):
        raise ParameterError(
            '"executor" must be a concurrent.futures.Executor or None, '
            f"got {type(executor).__name__}"
        )
    check = getattr(model, "check_interventions", None)
    for ivs in interventions if callable(check) else ():
        check(ivs)  # at once, not when a condition's turn comes after hours of runs
    root = make_seed_sequence(seed)
    every = None if trace_every_ms is None else check_positive("trace_every_ms", trace_every_ms)
    tasks = [
        (model, ivs, replicate_seed(root, r), trace_columns, every)
        for ivs in interventions
        for r in range(n_replicates)
    ]
    results: list[tuple[dict[str, Any], dict[str, np.ndarray]]] = []
    if executor is None:
        for task in tasks:
            results.append(_run_task(*task))
            if len(results) == 1 and check_first is not None:
                check_first(results[0][0])
    else:
        futures = [executor.submit(_run_task, *task) for task in tasks]
        try:
            for f in futures:  # in task order, whatever order they finish in
                results.append(f.result())
                if len(results) == 1 and check_first is not None:
                    check_first(results[0][0])
        except BaseException:
            for f in futures:
                f.cancel()
            raise
    return Runs(root, [s for s, _ in results], [t for _, t in results])


def _check_conditions(conditions: Mapping[str, Sequence]) -> dict[str, tuple]:
    if not isinstance(conditions, Mapping) or not conditions:
        raise ParameterError(
            f'"conditions" must be a non-empty mapping of name to interventions, got {conditions!r}'
        )
    out: dict[str, tuple] = {}
    for name, ivs in conditions.items():
        if not isinstance(name, str) or not name:
            raise ParameterError(f'"conditions" keys must be non-empty strings, got {name!r}')
        if isinstance(ivs, (str, bytes)) or not isinstance(ivs, Sequence):
            raise ParameterError(
                f'"conditions[{name!r}]" must be a sequence of interventions (empty for the '
                f"control), got {ivs!r}"
            )
        out[name] = tuple(ivs)
    return out


def _long_traces(names: list[str], n_rep: int, traces: list[dict[str, np.ndarray]],
                 columns: tuple[str, ...]) -> pd.DataFrame:
    """Per-task trace arrays stacked into one tidy table (built once, column by column)."""
    lengths = np.array([len(t.get("t_ms", ())) for t in traces], dtype=np.int64)
    codes = np.repeat(np.repeat(np.arange(len(names)), n_rep), lengths)
    cols: dict[str, Any] = {
        "condition": pd.Categorical.from_codes(codes, categories=names, ordered=True),
        "replicate": np.repeat(np.tile(np.arange(n_rep), len(names)), lengths),
    }
    for c in ("t_ms", *columns):
        parts = [t[c] for t in traces if c in t]
        cols[c] = np.concatenate(parts) if parts else np.zeros(0)
    return pd.DataFrame(cols)


@dataclass
class Comparison:
    """The outcome of :func:`compare`.

    Attributes
    ----------
    table : DataFrame
        One row per condition and replicate: ``condition`` (ordered categorical), ``replicate``,
        ``seed_entropy``, then one column per metric (named as in the run summary, with units).
    traces : DataFrame
        ``condition``, ``replicate``, ``t_ms`` and one column per selected trace column.
    model, conditions, control, n_replicates, metrics
        What was run.
    seed_entropy
        Entropy of the root seed; with ``replicate`` it reproduces any run (see :meth:`rerun`).
    root_seed : SeedSequence
        The root seed itself (it also holds the spawn key of a ``SeedSequence`` passed as seed).
    """

    model: Model
    conditions: dict[str, tuple]
    control: str
    n_replicates: int
    seed_entropy: Any
    metrics: tuple[str, ...]
    table: pd.DataFrame
    traces: pd.DataFrame
    root_seed: np.random.SeedSequence

    def summary(self) -> pd.DataFrame:
        """Per condition and metric: statistics of the condition and its contrast with control.

        Columns: ``condition``, ``metric``, ``n`` (replicates with a defined value), ``mean``,
        ``sd``, ``sem``, ``ci95_low``, ``ci95_high`` (t interval of the mean), ``n_control``,
        ``diff`` (condition − control), ``diff_ci95_low``, ``diff_ci95_high``, ``ratio``
        (mean / control mean, NaN if that is 0), ``hedges_g`` (pooled-SD effect size, see
        :func:`~synevent.studies.statistics.hedges_g`), ``p_value`` (two-sided) and ``test``.

        ``test`` is ``"paired"`` when the same replicates are defined in both conditions (the
        usual case, since they share seeds): ``diff`` is then the mean of per-replicate
        differences and the p-value that of :func:`scipy.stats.ttest_rel`. If NaNs leave
        different replicates it is ``"welch"`` (independent samples, unequal variances). The
        control's own row compares it with itself (``diff`` 0, ``ratio`` 1, ``p_value`` NaN).
        """
        rows = []
        ctrl = self.table[self.table["condition"] == self.control]
        for name in self.conditions:
            sub = self.table[self.table["condition"] == name]
            for m in self.metrics:
                x = sub[m].to_numpy(dtype=float)
                xc = ctrl[m].to_numpy(dtype=float)
                d, dc = describe(x), describe(xc)
                if np.array_equal(np.isnan(x), np.isnan(xc)):
                    diff = paired_difference(x, xc)
                else:
                    diff = welch_difference(x, xc)
                rows.append({
                    "condition": name, "metric": m, "n": d.n, "mean": d.mean, "sd": d.sd,
                    "sem": d.sem, "ci95_low": d.ci_low, "ci95_high": d.ci_high,
                    "n_control": dc.n, "diff": diff.diff, "diff_ci95_low": diff.ci_low,
                    "diff_ci95_high": diff.ci_high, "ratio": ratio_of_means(d.mean, dc.mean),
                    "hedges_g": hedges_g(x, xc), "p_value": diff.p_value, "test": diff.test,
                })
        df = pd.DataFrame(rows)
        cats = {"condition": list(self.conditions), "metric": list(self.metrics)}
        for col, categories in cats.items():
            df[col] = pd.Categorical(df[col], categories=categories, ordered=True)
        return df

    def trace_band(self, column: str) -> pd.DataFrame:
        """Mean and SD (ddof = 1) of one trace column across replicates, per condition and time.

        Columns ``t_ms``, ``condition``, ``mean``, ``sd``, ``n``; ``sd`` is NaN with one replicate.
        """
        allowed = [c for c in self.traces.columns if c not in _KEYS]
        check_choice("column", column, allowed)
        g = self.traces.groupby(["condition", "t_ms"], observed=True, sort=True)[column]
        out = g.agg(mean="mean", sd="std", n="count").reset_index()
        return out[["t_ms", "condition", "mean", "sd", "n"]]

    def rerun(self, condition: str, replicate: int) -> RunOutput:
        """Run one replicate of one condition again, in full (events, traces), on its own seed."""
        check_choice("condition", condition, list(self.conditions))
        if not 0 <= check_count("replicate", replicate) < self.n_replicates:
            raise ParameterError(
                f'"replicate" must be in [0, {self.n_replicates - 1}], got {replicate!r}'
            )
        return self.model.run(self.conditions[condition], replicate_seed(self.root_seed, replicate))


def compare(
    model: Model,
    conditions: Mapping[str, Sequence],
    *,
    n_replicates: int,
    seed: int | np.random.SeedSequence | None,
    executor: Any = None,
    control: str | None = None,
    metrics: Sequence[str] | str | None = None,
    trace_columns: Sequence[str] | None = None,
    trace_every_ms: float | None = None,
) -> Comparison:
    """Run ``model`` under each condition ``n_replicates`` times on shared seeds and tabulate.

    Parameters
    ----------
    model : Model
        E.g. :class:`~synevent.studies.models.SynapseModel`; anything with
        ``run(interventions, seed)`` returning an object with ``.summary`` and ``.traces``.
    conditions : mapping of str to sequence
        Condition name → interventions (an empty sequence for the control). Order is kept.
    n_replicates : int
        Runs per condition (≥ 1; statistics need ≥ 2).
    seed : int or SeedSequence or None
        Root seed; replicate ``r`` of every condition uses :func:`replicate_seed` ``(seed, r)``.
        ``None`` draws fresh entropy, recorded in :attr:`Comparison.seed_entropy`.
    executor : concurrent.futures.Executor, optional
        ``None`` runs in this process. A process pool (:func:`synevent.process_pool`, whose
        workers are not forked from this process) runs replicates in parallel; the model and
        interventions must then be picklable. Results do not depend on it.
    control : str, optional
        Reference condition; ``"control"`` if present, else the first condition.
    metrics : sequence of str, optional
        Summary keys to tabulate; default every numeric (non-boolean) key.
    trace_columns : sequence of str, optional
        Trace columns to keep; default ``model.default_trace_columns``; ``()`` keeps none.
    trace_every_ms : float, optional
        Keep traces every this many ms (a multiple of the model's trace grid); default all.

    Returns
    -------
    Comparison
    """
    conds = _check_conditions(conditions)
    names = list(conds)
    n_rep = check_count("n_replicates", n_replicates, minimum=1)
    if control is None:
        control = "control" if "control" in conds else names[0]
    check_choice("control", control, names)
    if trace_columns is None:
        columns = tuple(model.default_trace_columns)
    else:
        columns = (trace_columns,) if isinstance(trace_columns, str) else tuple(trace_columns)
    chosen: list[tuple[str, ...]] = []
    runs = run_grid(
        model, [conds[n] for n in names], n_replicates=n_rep, seed=seed, executor=executor,
        trace_columns=columns, trace_every_ms=trace_every_ms,
        check_first=lambda s: chosen.append(check_metrics(metrics, s)),
    )
    ms = chosen[0]
    codes = np.repeat(np.arange(len(names)), n_rep)
    cols: dict[str, Any] = {
        "condition": pd.Categorical.from_codes(codes, categories=names, ordered=True),
        "replicate": np.tile(np.arange(n_rep), len(names)),
        "seed_entropy": [runs.root.entropy] * len(codes),
    }
    for m in ms:
        cols[m] = [s[m] for s in runs.summaries]
    return Comparison(
        model=model,
        conditions=conds,
        control=control,
        n_replicates=n_rep,
        seed_entropy=runs.root.entropy,
        metrics=ms,
        table=pd.DataFrame(cols),
        traces=_long_traces(names, n_rep, runs.traces, columns),
        root_seed=runs.root,
    )
