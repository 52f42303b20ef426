"""Sweeps: identity-derived seeds, executors that agree, and resumption after SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import synevent as se
from synevent.cli import main
from synevent.scenario import load_scenario
from synevent.sweep import expand, run_sweep
from synevent.sweep.store import TaskStore

SWEEP = Path(__file__).parents[1] / "scenarios" / "files" / "cocaine_dose_sweep.toml"
#: 2 DAT densities x (control + 5 doses) x 17 replicates = 204 tasks of 60 ms each.
SMALL = ["run.t_end_ms=60", "run.replicates=17"]


def _tasks(*overrides: str):
    return expand(load_scenario(SWEEP, [*SMALL, *overrides]), str(SWEEP))


def test_seeds_come_from_task_identity_not_position():
    tasks = _tasks()
    assert len(tasks) == 204
    assert len({t.task_id for t in tasks}) == 204
    by_id = {t.task_id: t for t in tasks}
    # a smaller grid (one density, two doses, fewer replicates) holds the same tasks unchanged
    fewer = _tasks('sweep.parameters."synapse.transporter_counts.DAT"=[113]', "run.replicates=3")
    assert len(fewer) == 1 * 6 * 3
    for t in fewer:
        assert by_id[t.task_id].spawn_key == t.spawn_key and by_id[t.task_id].data == t.data
    # paired seeding: replicate r shares its stream across grid points; independent does not
    assert {t.spawn_key for t in tasks if t.replicate == 4} == {(4,)}
    indep = _tasks('sweep.seeding="independent"')
    assert len({t.spawn_key for t in indep}) == 204


def test_sweep_input_errors_name_the_field(tmp_path, capsys):
    assert main(["validate", str(SWEEP), "--set", 'sweep.parameters."synapse.mg_mM"=[1.0, -2.0]']) == 2
    err = capsys.readouterr().err
    assert "sweep point" in err and "synapse.mg_mM" in err and "-2.0" in err
    assert main(["validate", str(SWEEP), "--set", 'sweep.parameters."run.seed"=[1]']) == 2
    assert "run.seed" in capsys.readouterr().err
    no_seed = tmp_path / "no_seed.toml"
    no_seed.write_text(SWEEP.read_text().replace("seed = 2024\n", ""))
    assert main(["sweep", str(no_seed), "--out", str(tmp_path / "s")]) == 2
    assert "run.seed: a sweep needs a fixed seed" in capsys.readouterr().err
    with pytest.raises(se.ParameterError, match='"workers" must be an integer >= 1'):
        run_sweep(_tasks(), tmp_path / "w", workers=0)


@pytest.mark.slow
def test_executors_and_worker_counts_give_identical_summaries(tmp_path):
    tasks = _tasks()
    one = run_sweep(tasks, tmp_path / "one", executor="processes", workers=1)
    two = run_sweep(tasks, tmp_path / "two", executor="processes", workers=2)
    dask = run_sweep(tasks, tmp_path / "dask", executor="dask", workers=2)
    assert len(one) == 204 and one["conserved"].all()
    pd.testing.assert_frame_equal(one, two)
    pd.testing.assert_frame_equal(one, dask)
    # every dose of the cocaine arm is present with all its tasks
    doses = one[one["condition"] == "cocaine"].groupby("dose_uM").size()
    assert doses.index.tolist() == [0.1, 0.3, 1.0, 3.0, 10.0] and (doses == 2 * 17).all()
    # the Parquet dataset partitioned by scenario reads back as the same table
    ds = pd.read_parquet(tmp_path / "one" / "summary")
    assert len(ds) == 204 and set(ds["scenario"].astype(str)) == {"cocaine_dose_sweep"}


def _summary_files(root: Path) -> list[Path]:
    return list((root / "summary").glob("scenario=*/*.parquet"))


@pytest.mark.slow
def test_sweep_killed_with_sigkill_resumes_without_duplicates(tmp_path):
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "synevent", "sweep", str(SWEEP), "--out", str(out),
           "--workers", "2", "--no-progress", *[a for s in SMALL for a in ("--set", s)]]
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while len(_summary_files(out)) < 40 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, proc.stderr.read().decode()
    os.killpg(proc.pid, signal.SIGKILL)  # the parent and its workers, as a batch system would
    proc.wait()
    proc.stderr.close()
    n_before = len(_summary_files(out))
    assert 40 <= n_before < 204
    assert subprocess.run(cmd, capture_output=True).returncode == 0
    files = _summary_files(out)
    ids = [p.stem for p in files]
    assert len(ids) == len(set(ids)) == 204
    assert not [p for p in out.rglob("*") if "partial" in p.name]
    resumed = pd.read_csv(out / "summary.csv")
    fresh = run_sweep(_tasks(), tmp_path / "fresh", executor="inprocess")
    pd.testing.assert_frame_equal(resumed, pd.read_csv(tmp_path / "fresh" / "summary.csv"))
    assert len(fresh) == 204


def test_sweep_writes_events_per_task_and_refuses_a_foreign_folder(tmp_path):
    tasks = _tasks('sweep.parameters."synapse.transporter_counts.DAT"=[113]', "run.replicates=1",
                   'outputs.events="parquet"')
    summary = run_sweep(tasks, tmp_path / "ev", executor="inprocess")
    store = TaskStore(tmp_path / "ev")
    for t in tasks:
        ev = pd.read_parquet(store.events_path(t.scenario, t.task_id))
        assert (ev["kind"] == "spike").sum() == 1  # 60 ms hold the burst's first spike only
    assert len(summary) == 6
    other = _tasks("run.replicates=1")
    with pytest.raises(se.ParameterError, match="another sweep"):
        run_sweep(other, tmp_path / "ev", executor="inprocess",
                  manifest={"scenarios": {"x": "elsewhere.toml"}})
