"""A sweep folder resumes only its own sweep; errors of the sweep command name what is wrong."""

from __future__ import annotations

import json
import socket
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest

import synevent as se
from synevent.cli import main
from synevent.scenario import load_scenario
from synevent.sweep import expand, run_sweep

SWEEP = Path(__file__).parents[1] / "scenarios" / "files" / "cocaine_dose_sweep.toml"
#: 1 DAT density x control x 2 replicates = 2 tasks of 20 ms each: quick to run twice.
TINY = ["run.t_end_ms=20", "run.replicates=2",
        'sweep.parameters."synapse.transporter_counts.DAT"=[113]',
        'sweep.conditions=[{name="control"}]']


def _sweep(out: Path, *overrides: str) -> list[str]:
    sets = [a for o in (*TINY, *overrides) for a in ("--set", o)]
    return ["sweep", str(SWEEP), "--out", str(out), "--executor", "inprocess", "--no-progress",
            *sets]


def test_a_changed_sweep_is_refused_naming_what_differs(tmp_path, capsys):
    out = tmp_path / "s"
    assert main(_sweep(out)) == 0
    first = pd.read_csv(out / "summary.csv")
    assert len(first) == 2
    cases = {  # overrides -> what the message must name
        ("run.replicates=3", "run.seed=99"): ["run.replicates: 2 -> 3", "run.seed: 2024 -> 99"],
        ("run.t_end_ms=15",): ["run.t_end_ms: 20.0 -> 15.0"],
        ("stimulus.spikes_per_burst=1",): ["stimulus.spikes_per_burst"],
        ('sweep.seeding="independent"',): ['sweep.seeding: "paired" -> "independent"'],
    }
    for overrides, named in cases.items():
        assert main(_sweep(out, *overrides)) == 2, overrides
        err = capsys.readouterr().err
        assert f'sweep folder "{out}" holds another sweep' in err and "--out" in err
        for text in named:
            assert text in err, (overrides, err)
        assert "Traceback" not in err
    # nothing of the refused sweeps reached the folder
    assert len(list((out / "summary").glob("scenario=*/*.parquet"))) == 2
    assert json.loads((out / "sweep.json").read_text())["overrides"] == TINY
    pd.testing.assert_frame_equal(pd.read_csv(out / "summary.csv"), first)


def test_the_same_sweep_resumes_and_skips_finished_tasks(tmp_path, capsys):
    out = tmp_path / "s"
    assert main(_sweep(out)) == 0
    files = sorted((out / "summary").glob("scenario=*/*.parquet"))
    stamps = [p.stat().st_mtime_ns for p in files]
    files[0].unlink()  # as if the sweep had been killed before this task finished
    time.sleep(0.01)
    # an edited description changes no number: still the same sweep
    assert main(_sweep(out, 'scenario.description="edited"')) == 0
    again = sorted((out / "summary").glob("scenario=*/*.parquet"))
    assert [p.name for p in again] == [p.name for p in files]
    assert again[1].stat().st_mtime_ns == stamps[1]  # skipped, not rerun
    assert "2 of 2 tasks finished" in capsys.readouterr().out


def test_run_sweep_refuses_other_tasks_without_a_manifest(tmp_path):
    """From Python, the tasks themselves identify the sweep: no file names needed."""
    tasks = expand(load_scenario(SWEEP, TINY), str(SWEEP))
    run_sweep(tasks, tmp_path / "s", executor="inprocess")
    other = expand(load_scenario(SWEEP, [*TINY, "stimulus.intra_rate_hz=50.0"]), str(SWEEP))
    assert [t.task_id for t in other] != [t.task_id for t in tasks]  # content is in the id
    with pytest.raises(se.ParameterError, match="holds another sweep") as info:
        run_sweep(other, tmp_path / "s", executor="inprocess")
    assert "cocaine_dose_sweep: tasks" not in str(info.value)  # same shape: no difference named
    more = expand(load_scenario(SWEEP, [*TINY, "run.replicates=3"]), str(SWEEP))
    with pytest.raises(se.ParameterError, match="cocaine_dose_sweep: replicates: 2 -> 3"):
        run_sweep(more, tmp_path / "s", executor="inprocess")
    assert len(run_sweep(tasks, tmp_path / "s", executor="inprocess")) == 2


def test_a_folder_without_a_task_fingerprint_is_refused(tmp_path, capsys):
    out = tmp_path / "old"
    out.mkdir()
    (out / "sweep.json").write_text(json.dumps({"synevent_version": "0.0.9", "tasks": 2,
                                                "scenarios": {}, "overrides": []}))
    assert main(_sweep(out)) == 2
    assert "does not identify its tasks" in capsys.readouterr().err


def test_an_unreachable_scheduler_is_refused_naming_its_address(tmp_path, capsys, monkeypatch):
    pytest.importorskip("distributed")
    import synevent.sweep.run as run

    monkeypatch.setattr(run, "CONNECT_TIMEOUT_S", 1)
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{s.getsockname()[1]}"
    argv = ["sweep", str(SWEEP), "--out", str(tmp_path / "x"), "--scheduler", address,
            "--no-progress", *[a for o in TINY for a in ("--set", o)]]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f'scheduler "{address}": no dask scheduler could be reached' in err
    assert "Traceback" not in err
    assert main([*argv[:5], "nonsense", *argv[6:]]) == 2
    assert 'scheduler "nonsense"' in capsys.readouterr().err


def test_swept_stimulus_kind_names_only_the_users_keys(tmp_path, capsys):
    assert main(["validate", str(SWEEP), "--set",
                 'sweep.parameters={"stimulus.kind"=["burst","none"]}']) == 2
    err = capsys.readouterr().err
    for default in ("n_bursts", "burst_interval_ms", "conduction_delay_ms"):
        assert default not in err  # fields the file never wrote
    assert '"spikes_per_burst"' in err and 'sweep whole stimulus tables' in err
    whole = ('sweep.parameters={"stimulus"=[{kind="burst",spikes_per_burst=2,'
             'intra_rate_hz=50.0},{kind="none"}]}')
    assert main(["validate", str(SWEEP), "--set", whole]) == 0


def test_local_workers_are_not_forked_from_this_process(tmp_path):
    """Forking a process that runs threads can deadlock the child (Python 3.12 warns)."""
    from synevent.parallel import pool_context

    assert pool_context().get_start_method() in ("forkserver", "spawn")
    tasks = expand(load_scenario(SWEEP, TINY), str(SWEEP))
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        two = run_sweep(tasks, tmp_path / "p", executor="processes", workers=2)
    pd.testing.assert_frame_equal(two, run_sweep(tasks, tmp_path / "i", executor="inprocess"))


def test_another_synevent_version_does_not_resume_the_folder(tmp_path, capsys, monkeypatch):
    # Another version's engine may give other numbers for the same files.
    import synevent.sweep.run as sweep_run

    out = tmp_path / "s"
    assert main(_sweep(out)) == 0
    monkeypatch.setattr(sweep_run, "__version__", "99.0")
    assert main(_sweep(out)) == 2
    err = capsys.readouterr().err
    assert f"synevent {se.__version__} -> 99.0" in err and "--out" in err


def test_outputs_a_sweep_does_not_write_are_no_change(tmp_path, capsys):
    out = tmp_path / "s"
    assert main(_sweep(out)) == 0
    assert main(_sweep(out, "outputs.traces=false", "outputs.folder=\"elsewhere\"")) == 0
    assert "2 of 2 tasks finished" in capsys.readouterr().out
