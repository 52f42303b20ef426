"""Run a scenario's replicates and write its folder.

The folder holds ``events.parquet`` (or ``events.csv``), ``traces.parquet``, ``summary.csv``
and ``resolved.json``: the scenario with every default filled in, the seed's entropy, the
package version and every synapse (or, for a ``[volume]`` file, volume) parameter used.
``synevent run resolved.json`` repeats the run event for event.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from .._version import __version__
from ..engine.checks import ParameterError
from ..export.atomic import atomic_path, remove_partials
from ..export.events import EventWriter
from ..studies.compare import replicate_seed
from ..stimulus.trains import DroppedSpikesWarning
from .build import Inputs, build_inputs, dropped_spikes
from .plain import to_plain
from .schema import Scenario

__all__ = ["RunOutput", "default_folder", "resolve", "run_scenario"]

RESOLVED = "resolved.json"


@dataclass
class RunOutput:
    """Where a run wrote its files, and its per-replicate summary."""

    folder: Path
    summary: pd.DataFrame
    files: dict[str, Path]


def default_folder(sc: Scenario) -> Path:
    """``outputs.folder``, or ``runs/<scenario name>``."""
    return Path(sc.outputs.folder) if sc.outputs.folder else Path("runs") / sc.name


def resolve(sc: Scenario, inputs: Inputs, source: str = "") -> tuple[Scenario, int]:
    """The scenario with its seed fixed (fresh entropy if none was given) and the record of
    everything a rerun needs; returns it with the root seed entropy."""
    entropy = sc.run.seed if sc.run.seed is not None else int(np.random.SeedSequence().entropy)
    data = sc.model_dump(mode="json")
    data["run"]["seed"] = entropy
    data["scenario"]["name"] = sc.name
    data["resolved"] = {
        "synevent_version": __version__,
        "seed_entropy": entropy,
        "source": sc.resolved.source if sc.resolved else source,  # the original file
    }
    if inputs.volume is None:
        data["resolved"]["synapse_parameters"] = to_plain(inputs.synapse)
    else:
        data["resolved"]["volume_parameters"] = to_plain(inputs.volume)
    return Scenario.model_validate(data), entropy


def _prepare_folder(folder: Path, overwrite: bool) -> None:
    if (folder / RESOLVED).exists() and not overwrite:
        raise ParameterError(f'output folder "{folder}" holds a finished run; choose another '
                             "with --out or pass --overwrite")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ParameterError(f'output folder "{folder}" cannot be created: {exc}') from None


def run_scenario(sc: Scenario, *, folder: Path | None = None, source: str = "",
                 overwrite: bool = False, progress: bool = False) -> RunOutput:
    """Run every replicate of ``sc`` and write the run folder.

    Parameters
    ----------
    sc : Scenario
        A validated scenario (:func:`~synevent.scenario.load_scenario`).
    folder : Path, optional
        Output folder (default :func:`default_folder`).
    source : str
        The file the scenario came from (recorded in ``resolved.json``).
    overwrite : bool
        Replace a finished run in ``folder``.
    progress : bool
        A tqdm bar over the replicates, on stderr.
    """
    inputs = build_inputs(sc)
    if lost := dropped_spikes(sc):
        warnings.warn(f"{source or sc.name}: {lost}", DroppedSpikesWarning, stacklevel=2)
    resolved, entropy = resolve(sc, inputs, source)
    folder = Path(folder) if folder is not None else default_folder(sc)
    _prepare_folder(folder, overwrite)
    remove_partials(folder)
    files: dict[str, Path] = {}
    fmt = sc.outputs.events
    writer = None
    if fmt != "none":
        writer = EventWriter(folder / f"events.{fmt}", fmt, extra={"replicate": pa.int32()})
    rows: list[dict[str, Any]] = []
    traces: list[pd.DataFrame] = []
    fusions: list[pd.DataFrame] = []
    spikes: list[pd.DataFrame] = []
    reps = range(sc.run.replicates)
    if progress:
        from tqdm import tqdm

        reps = tqdm(reps, desc=sc.name, unit="replicate")
    try:
        for r in reps:
            res = inputs.run(replicate_seed(entropy, r))
            rows.append({"scenario": sc.name, "replicate": r, "seed_entropy": str(entropy),
                         **res.summary})
            if sc.outputs.traces or sc.outputs.nwb:
                tr = res.traces
                tr.insert(0, "replicate", np.int32(r))
                traces.append(tr)
            if sc.outputs.nwb:
                fusions.append(res.fusions().assign(replicate=r))
                spikes.append(pd.DataFrame({"replicate": r, "t_ms": res.spikes_ms}))
            if writer is not None:
                writer.write(res.log, consume=True, replicate=r)
            del res
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    if writer is not None:
        files["events"] = writer.close()
    summary = pd.DataFrame(rows)
    files["summary"] = folder / "summary.csv"
    summary.to_csv(files["summary"], index=False)
    if sc.outputs.traces:
        files["traces"] = folder / "traces.parquet"
        with atomic_path(files["traces"]) as tmp:
            pd.concat(traces, ignore_index=True).to_parquet(tmp, index=False)
    if sc.outputs.nwb:
        from ..export.nwb import write_nwb

        files["nwb"] = write_nwb(folder / "run.nwb", resolved, pd.concat(traces),
                                 pd.concat(spikes), pd.concat(fusions))
    files["resolved"] = folder / RESOLVED
    text = json.dumps(resolved.model_dump(mode="json"), indent=2, allow_nan=False)
    with atomic_path(files["resolved"]) as tmp:
        tmp.write_text(text + "\n")
    return RunOutput(folder, summary, files)
