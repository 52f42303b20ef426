"""NWB export of a run (optional extra ``nwb``: pynwb).

Neurodata Without Borders stores SI units and seconds, so values are converted here, at the
boundary: times ms → s, currents through ``conversion = 1e-12`` (pA → A), potentials through
``conversion = 1e-3`` (mV → V). Each replicate's clamp current and clamp potential are
``TimeSeries`` in ``acquisition``; presynaptic spikes and vesicle fusions are tables in a
``synevent`` processing module.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

from ..engine.checks import ParameterError
from .atomic import atomic_path

__all__ = ["write_nwb"]


def _table(name: str, description: str, df: pd.DataFrame, columns: dict[str, str]):
    from hdmf.common import DynamicTable, VectorData

    cols = [VectorData(name=c, description=d, data=df[c].to_numpy()) for c, d in columns.items()]
    return DynamicTable(name=name, description=description, columns=cols)


def write_nwb(path: Path, scenario, traces: pd.DataFrame, spikes: pd.DataFrame,
              fusions: pd.DataFrame) -> Path:
    """Write ``run.nwb`` from a run's traces, presynaptic spikes and fusions (all replicates)."""
    try:
        from pynwb import NWBHDF5IO, NWBFile, TimeSeries
    except ImportError:
        raise ParameterError(
            'outputs.nwb: needs pynwb; install the extra with pip install "synevent[nwb]"'
        ) from None

    v_hold = float(scenario.resolved.synapse_parameters.get("v_hold_mV", np.nan))
    nwb = NWBFile(
        session_description=scenario.scenario.description or f"synevent scenario {scenario.name}",
        identifier=str(uuid.uuid4()),
        session_start_time=_dt.datetime.now(_dt.timezone.utc),
        source_script=f"synevent {scenario.resolved.synevent_version}",
        source_script_file_name=scenario.resolved.source or scenario.name,
    )
    for r, tr in traces.groupby("replicate", sort=True):
        t0 = float(tr["t_ms"].iloc[0]) * 1e-3
        rate_hz = 1000.0 / scenario.run.trace_dt_ms
        nwb.add_acquisition(TimeSeries(
            name=f"clamp_current_rep{r:04d}", data=tr["current_pA"].to_numpy(), unit="A",
            conversion=1e-12, starting_time=t0, rate=rate_hz,
            description="postsynaptic voltage-clamp current (stored in pA)"))
        nwb.add_acquisition(TimeSeries(
            name=f"membrane_potential_rep{r:04d}", data=np.full(len(tr), v_hold), unit="V",
            conversion=1e-3, starting_time=t0, rate=rate_hz,
            description="membrane potential, held by the voltage clamp (stored in mV)"))
    mod = nwb.create_processing_module("synevent", "events of the synevent run")
    sp = spikes.assign(t_s=spikes["t_ms"] * 1e-3)
    mod.add(_table("presynaptic_spikes", "spike arrivals at the terminal", sp,
                   {"replicate": "replicate", "t_s": "arrival time (s)"}))
    fu = fusions.assign(t_s=fusions["t_ms"] * 1e-3, lag_s=fusions["lag_ms"] * 1e-3,
                        release_class=fusions["release_class"].astype(str),
                        mode=fusions["detail"].astype(str))
    mod.add(_table("release_events", "vesicle fusions", fu, {
        "replicate": "replicate", "t_s": "fusion time (s)", "site": "release site",
        "vesicle": "vesicle id", "mode": "full or kiss-and-run",
        "lag_s": "time after the last spike (s; inf before the first)",
        "release_class": "sync, async or spont"}))
    with atomic_path(path) as tmp, NWBHDF5IO(str(tmp), "w") as io:
        io.write(nwb)
    return path
