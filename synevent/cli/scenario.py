"""``synevent run | compare | validate | presets | schema``: scenario files on the command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..engine.checks import ParameterError
from .common import EXIT_OK, check_dir, note_dropped_spikes, path_arg, writable_file

__all__ = ["add_compare", "add_presets", "add_run", "add_schema", "add_validate",
           "flatten_parameters"]


def _add_set(p: argparse.ArgumentParser) -> None:
    p.add_argument("--set", metavar="KEY=VALUE", action="append", default=[], dest="overrides",
                   help="change one field with its dotted key, e.g. --set run.t_end_ms=500 "
                   "--set synapse.vesicles.n_sites=4 (values are read as TOML; repeatable)")


def _load(path: str, overrides: list[str]):
    from ..scenario.loading import load_scenario

    return load_scenario(path, overrides)


# -- run ----------------------------------------------------------------------------------------
def _run(args: argparse.Namespace) -> int:
    from ..scenario.run import default_folder, run_scenario

    sc = _load(args.file, args.overrides)
    if args.out:
        check_dir(Path(args.out), "--out")
    else:
        check_dir(default_folder(sc), "outputs.folder")
    if sc.sweep is not None:
        # a note, not a refusal: the file without its grid is a valid scenario, and running one
        # point is how to check it before a long sweep
        print(f"{args.file}: note: synevent run ignores the [sweep] table and runs the scenario "
              f"once; synevent sweep {args.file} runs the grid", file=sys.stderr)
    out = run_scenario(sc, folder=Path(args.out) if args.out else None, source=args.file,
                       overwrite=args.overwrite, progress=not args.no_progress)
    metrics = [c for c in ("quanta_per_spike", "psc_peak_pA", "peak_free_uM", "evoked_peak_uM",
                           "clearance_t50_ms") if c in out.summary]
    print(out.summary[metrics].agg(["mean", "std"]).to_string())
    print(f"\n{len(out.summary)} replicate(s) of {sc.name}. Files in {out.folder}:")
    for name, path in out.files.items():
        print(f"  {name:9s} {path.name}")
    return EXIT_OK


def add_run(subparsers) -> None:
    p = subparsers.add_parser(
        "run", help="run a scenario file and write its folder of results",
        description="Run a scenario (TOML, or a resolved.json of an earlier run, which repeats "
        "that run exactly). Writes events, traces, summary.csv and resolved.json.")
    p.add_argument("file", help="scenario file (.toml or .json)")
    _add_set(p)
    p.add_argument("--out", type=path_arg, metavar="DIR",
                   help="output folder (default: outputs.folder, or "
                   "runs/<scenario name>)")
    p.add_argument("--overwrite", action="store_true", help="replace a finished run in the folder")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.set_defaults(handler=_run)


# -- validate -----------------------------------------------------------------------------------
def _validate(args: argparse.Namespace) -> int:
    from ..scenario.build import build_inputs
    from ..scenario.schema import Scenario
    from ..sweep.grid import expand

    errors: list[str] = []
    for f in args.files:
        try:
            sc = _load(f, args.overrides)
            inputs = build_inputs(sc)
            tasks = expand(sc, f) if sc.sweep is not None else []
        except ParameterError as exc:
            errors.append(str(exc) if str(exc).startswith(f) else f"{f}: {exc}")
            continue
        spikes = "no spikes" if inputs.stimulus is None else f"{sc.stimulus.kind} stimulus"
        extra = f", sweep of {len(tasks)} tasks" if tasks else ""
        print(f"{f}: OK ({sc.preset}, {spikes}, {len(sc.interventions)} intervention(s), "
              f"{sc.run.replicates} replicate(s) of {sc.run.t_end_ms} ms{extra})")
        note_dropped_spikes(f, [Scenario.model_validate(t.data) for t in tasks] if tasks else sc)
    if errors:
        raise ParameterError("\n".join(errors))
    return EXIT_OK


def add_validate(subparsers) -> None:
    p = subparsers.add_parser(
        "validate", help="check scenario files without running them",
        description="Check each file: syntax, keys, types, ranges, preset and drug names, and "
        "that the synapse, stimulus and interventions can be built. Exit 0 if all are valid, "
        "2 otherwise, with one line per problem naming the file and the field.")
    p.add_argument("files", nargs="+", metavar="FILE")
    _add_set(p)
    p.set_defaults(handler=_validate)


# -- compare ------------------------------------------------------------------------------------
#: Length of the run that finds a scenario's summary keys before compare runs anything.
PROBE_MS = 0.1


def summary_metrics(sc) -> tuple[str, ...]:
    """The numeric metrics of a run summary of ``sc``: what ``compare`` can tabulate.

    Found from a :data:`PROBE_MS` run in memory (nothing written), so that they always match
    what a run returns. Boolean keys (``conserved``, a yes/no check of each run) are left out:
    a mean and a t-test of a yes/no flag are not a comparison of the conditions.
    """
    import dataclasses

    import numpy as np

    from ..scenario.build import build_inputs
    from ..studies.compare import numeric_metrics

    probe = dataclasses.replace(build_inputs(sc), stimulus=None, interventions=(),
                                t_end_ms=PROBE_MS, trace_dt_ms=PROBE_MS, log_level="vesicle")
    return numeric_metrics(probe.run(np.random.SeedSequence(0)).summary)


def _check_metrics(requested: list[str] | None, sc) -> None:
    """Refuse ``--metrics`` that are not numeric summary metrics, or are repeated."""
    if requested is None:
        return
    allowed = summary_metrics(sc)
    bad = [m for m in requested if m not in allowed]
    repeated = sorted({m for m in requested if requested.count(m) > 1})
    if bad or repeated:
        what = f"{bad} are not numeric metrics of the run summary" if bad else \
            f"{repeated} repeated"
        note = (" (conserved is a yes/no check of each run, not a numeric metric)"
                if "conserved" in bad else "")
        raise ParameterError(f"--metrics: {what}{note}; allowed: {list(allowed)}")


def _compare(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..scenario.run import RESOLVED, run_scenario
    from ..studies.compare import Comparison, numeric_metrics

    if len(args.files) < 2:
        raise ParameterError("compare needs at least two scenario files (the first is control)")
    scenarios = [_load(f, args.overrides) for f in args.files]
    names = [sc.name for sc in scenarios]
    if len(set(names)) != len(names):
        raise ParameterError(f"scenario names must differ to be compared, got {names}")
    seeds = {sc.run.seed for sc in scenarios}
    reps = {sc.run.replicates for sc in scenarios}
    if len(seeds) != 1 or None in seeds or len(reps) != 1:
        raise ParameterError("compare pairs replicates on common seeds: every file needs the same "
                             f"run.seed (an integer) and run.replicates; got seeds {sorted(map(str, seeds))}"
                             f" and replicates {sorted(reps)}")
    kinds = {"[volume]" if sc.volume is not None else "[synapse]" for sc in scenarios}
    if len(kinds) > 1:
        raise ParameterError("compare pairs files of one kind: a [synapse] scenario and a "
                             "[volume] scenario have different summaries; got "
                             + ", ".join(f"{f} ({'[volume]' if sc.volume is not None else '[synapse]'})"
                                         for f, sc in zip(args.files, scenarios)))
    for sc in scenarios:  # a metric must be in every file's summary
        _check_metrics(args.metrics, sc)
    root = Path(args.out)
    check_dir(root, "--out")
    if (root / "comparison.csv").is_dir():
        raise ParameterError(f'--out "{root}": comparison.csv in it is a folder; choose another '
                             "--out")
    if not args.overwrite:
        # checked for every file before the first runs: a refusal never comes after a long run
        done = [str(root / n) for n in names if (root / n / RESOLVED).exists()]
        if done:
            raise ParameterError(f"--out: {', '.join(done)} already hold(s) a finished run; "
                                 "choose another --out or pass --overwrite")
    tables = []
    for f, sc in zip(args.files, scenarios):
        out = run_scenario(sc, folder=root / sc.name, source=f, overwrite=args.overwrite,
                           progress=not args.no_progress)
        tables.append(out.summary.rename(columns={"scenario": "condition"}))
    table = pd.concat(tables, ignore_index=True)
    metrics = numeric_metrics(tables[0].iloc[0].to_dict())
    metrics = tuple(m for m in metrics if m not in ("replicate",))
    cmp = Comparison(model=None, conditions={n: () for n in names}, control=names[0],
                     n_replicates=reps.pop(), seed_entropy=seeds.pop(), metrics=metrics,
                     table=table, traces=pd.DataFrame(), root_seed=None)
    summary = cmp.summary()
    try:
        summary.to_csv(root / "comparison.csv", index=False)
    except OSError as exc:
        raise ParameterError(f'"{root / "comparison.csv"}" cannot be written: '
                             f"{exc.strerror or exc}") from None
    shown = summary[summary["metric"].isin(args.metrics or metrics[:6])]
    cols = ["condition", "metric", "mean", "sem", "diff", "diff_ci95_low", "diff_ci95_high",
            "p_value"]
    print(shown[cols].to_string(index=False, float_format=lambda x: f"{x:.4g}"))
    print(f"\nFull table: {root / 'comparison.csv'}")
    return EXIT_OK


def add_compare(subparsers) -> None:
    p = subparsers.add_parser(
        "compare", help="run scenarios on paired seeds and compare their summaries",
        description="Run each scenario (same run.seed and run.replicates, so replicate r of "
        "every file shares its random stream) and tabulate each metric against the first file: "
        "mean, SEM, paired difference with its 95 %% CI and p-value.")
    p.add_argument("files", nargs="+", metavar="FILE", help="scenario files; the first is control")
    _add_set(p)
    p.add_argument("--metrics", nargs="+", metavar="METRIC",
                   help="numeric summary metrics to print, e.g. peak_free_uM clearance_t50_ms "
                   "(default: the first six; comparison.csv holds all)")
    p.add_argument("--out", type=path_arg, metavar="DIR", default="runs/compare",
                   help="folder for each run and comparison.csv (default: %(default)s)")
    p.add_argument("--overwrite", action="store_true", help="replace finished runs")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.set_defaults(handler=_compare)


# -- presets ------------------------------------------------------------------------------------
def _named(items: list[Any]) -> dict[str, Any]:
    out = {}
    for i, x in enumerate(items):
        key = x.get("name") or (x.get("scheme") or {}).get("name") if isinstance(x, dict) else None
        out[str(key if key else i)] = x
    return out


def flatten_parameters(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Dotted path → scalar value of a synapse's parameters (lists keyed by their names)."""
    flat: dict[str, Any] = {}
    for k, v in data.items():
        path = f"{prefix}{k}"
        if isinstance(v, dict):
            flat.update(flatten_parameters(v, path + "."))
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            flat.update(flatten_parameters(_named(v), path + "."))
        else:
            flat[path] = v
    return flat


def _source_of(path: str, sources: dict[str, str]) -> str:
    best, best_len = "", -1
    for key, text in sources.items():
        head, _, tail = key.rpartition(".")
        alternatives = [key] + ([f"{head}.{t}" if head else t for t in tail.split("/")]
                                if "/" in tail else [])
        for alt in alternatives:
            if (path == alt or path.startswith(alt + ".")) and len(alt) > best_len:
                best, best_len = text, len(alt)
    return best


def _presets(args: argparse.Namespace) -> int:
    from .. import presets
    from ..scenario.plain import to_plain

    if args.name is None and args.json:
        listing = [{"name": name, "transmitter": s.transmitter, "description": s.description}
                   for name, s in ((n, f()) for n, f in presets.PRESETS.items())]
        print(json.dumps(listing, indent=1))
        return EXIT_OK
    if args.name is None:
        width = max(map(len, presets.PRESETS))
        for name, factory in presets.PRESETS.items():
            s = factory()
            print(f"{name:{width}s} {s.transmitter:6s} {s.description}")
        print("\nsynevent presets NAME shows every parameter with its source.")
        return EXIT_OK
    s = presets.get(args.name)
    data = to_plain(s)
    sources = dict(data.pop("sources"))
    data.pop("description")
    rows = [(k, v, _source_of(k, sources)) for k, v in flatten_parameters(data).items()]
    if args.json:
        print(json.dumps([{"parameter": k, "value": v, "source": src} for k, v, src in rows],
                         indent=1))
        return EXIT_OK
    print(f"{s.name}: {s.description}\n")
    width = max(len(k) for k, _, _ in rows)
    for k, v, src in rows:
        print(f"{k:{width}s}  {v!s:>14}  {src}")
    return EXIT_OK


def add_presets(subparsers) -> None:
    p = subparsers.add_parser("presets", help="list presets, or show one with its sources",
                              description="Without NAME: list the presets. With NAME: every "
                              "parameter of that preset, its value and its source.")
    p.add_argument("name", nargs="?", metavar="NAME")
    p.add_argument("--json", action="store_true",
                   help="machine-readable output: without NAME, a list of {name, transmitter, "
                   "description}; with NAME, a list of {parameter, value, source}")
    p.set_defaults(handler=_presets)


# -- schema -------------------------------------------------------------------------------------
def _schema(args: argparse.Namespace) -> int:
    from ..scenario.schema import json_schema

    text = json.dumps(json_schema(), indent=2)
    if args.out:
        out = Path(args.out)
        writable_file(out, "--out")
        try:
            out.write_text(text + "\n")
        except OSError as exc:
            raise ParameterError(f'--out "{out}" cannot be written: '
                                 f"{exc.strerror or exc}") from None
        print(f"JSON Schema written to {out}")
    else:
        print(text)
    return EXIT_OK


def add_schema(subparsers) -> None:
    p = subparsers.add_parser("schema", help="print the JSON Schema of scenario files",
                              description="The JSON Schema of scenario files, for editors "
                              "(e.g. Taplo or the VS Code Even Better TOML extension).")
    p.add_argument("--out", type=path_arg, metavar="FILE", help="write to FILE instead of stdout")
    p.set_defaults(handler=_schema)
