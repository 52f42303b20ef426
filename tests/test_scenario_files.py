"""Scenario files: validation messages, runs, resolved JSON, exports and the CLI around them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import synevent as se
from synevent.cli import main
from synevent.export.events import EventWriter
from synevent.scenario import json_schema, load_scenario
from synevent.scenario.build import build_inputs
from synevent.scenario.plain import from_plain, to_plain

DATA = Path(__file__).parent / "data" / "scenarios"
MALFORMED = DATA / "malformed"
VALID = DATA / "valid_glutamate.toml"

#: Each malformed file and what the message must name.
EXPECTED = {
    "unknown_key": ['run: unknown key "replicate"', "'replicates'"],
    "wrong_type": ["stimulus.n_spikes", "valid integer", "'five'"],
    "negative_rate": ["stimulus.rate_hz", "greater than 0", "-10.0"],
    "probability_above_one": ["synapse.vesicles.p_kiss_and_run", "less than or equal to 1", "1.3"],
    "unknown_preset": ["synapse.preset", '"glutamatergik"', "'glutamatergic'"],
    "unknown_drug": ["interventions[0].drug", '"cocain"', "'cocaine'"],
    "wrong_unit_suffix": ['run: unknown key "t_end_s": wrong unit suffix', '"t_end_ms"'],
    "empty_stimulus": ['stimulus: "kind" is missing', "'regular'"],
    "schedule_ends_before_start": ["interventions[0].schedule", "stop_ms (100.0)",
                                   "start_ms (200.0)"],
    "toml_syntax_error": ["TOML syntax error", "line 5"],
    "unknown_transporter_target": ["interventions", '"target"', "'DAT'", "EAAT2"],
    "missing_run": ["run: required"],
    "empty_explicit_train": ["stimulus.times_ms", "at least 1 item"],
    "bad_block_field": ['synapse.cleft: unknown key "radius_um"', '"radius_nm"'],
}


def test_every_malformed_file_has_an_expectation():
    assert {p.stem for p in MALFORMED.glob("*.toml")} == set(EXPECTED)
    assert len(EXPECTED) >= 10


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_validate_refuses_malformed_file_naming_the_field(name, capsys):
    path = MALFORMED / f"{name}.toml"
    assert main(["validate", str(path)]) == 2
    out, err = capsys.readouterr()
    assert "Traceback" not in err and out == ""
    assert str(path) in err
    for text in EXPECTED[name]:
        assert text in err, f"{text!r} not in {err!r}"


def test_validate_accepts_valid_files(capsys):
    files = [VALID, *sorted((Path(__file__).parents[1] / "scenarios" / "files").glob("*.toml"))]
    assert main(["validate", *map(str, files)]) == 0
    out = capsys.readouterr().out
    assert out.count(": OK (") == len(files)
    assert "sweep of 120 tasks" in out


def test_dotted_overrides_are_validated_like_the_file(capsys):
    assert main(["validate", str(VALID), "--set", "run.t_end_ms=-5"]) == 2
    assert "run.t_end_ms: Input should be greater than 0, got -5" in capsys.readouterr().err
    assert main(["validate", str(VALID), "--set", "synapse.vesicles.n_sites=4",
                 "--set", "synapse.preset=calyx_of_held"]) == 0
    sc = load_scenario(VALID, ["synapse.vesicles.n_sites=4", "stimulus.rate_hz=50"])
    inputs = build_inputs(sc)
    assert inputs.synapse.vesicles.n_sites == 4 and sc.stimulus.rate_hz == 50.0
    assert main(["validate", str(VALID), "--set", "run.t_end_ms"]) == 2
    assert "KEY=VALUE" in capsys.readouterr().err


@pytest.mark.parametrize("override, message", [
    ("stimulus.rate_hz=true", "stimulus.rate_hz: Input should be a valid number, got True"),
    ('synapse.mg_mM="1"', "synapse.mg_mM: Input should be a valid number, got '1'"),
    ("synapse.vesicles.n_sites=2.5", "synapse.vesicles.n_sites: Input should be a valid integer, got 2.5"),
    ("synapse.temperature_C=-400", "synapse.temperature_C: Input should be greater than or equal to -273.15"),
    ("run.trace_dt_ms=1000", "run: trace_dt_ms (1000.0) must be at most t_end_ms"),
])
def test_values_of_the_wrong_type_or_impossible_are_refused(override, message, capsys):
    # A quoted number, or true for a count, is a mistake to report, not to convert.
    assert main(["validate", str(VALID), "--set", override]) == 2
    assert message in capsys.readouterr().err


def test_unknown_files_and_formats_are_refused(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "missing.toml")]) == 2
    (tmp_path / "s.yaml").write_text("a: 1")
    assert main(["validate", str(tmp_path / "s.yaml")]) == 2
    err = capsys.readouterr().err
    assert "no such scenario file" in err and '".toml"' in err


def test_every_preset_round_trips_through_plain_data():
    for name in se.presets.PRESETS:
        s = se.presets.get(name)
        assert from_plain(se.SynapseParams, json.loads(json.dumps(to_plain(s)))) == s


def _run(tmp_path: Path, file: Path, out: str, *extra: str) -> Path:
    folder = tmp_path / out
    assert main(["run", str(file), "--out", str(folder), "--no-progress", *extra]) == 0
    return folder


def test_resolved_json_reproduces_the_event_log_exactly(tmp_path, capsys):
    first = _run(tmp_path, VALID, "first", "--set", "run.log_level=reaction")
    resolved = json.loads((first / "resolved.json").read_text())
    assert resolved["run"]["seed"] == 11 and resolved["resolved"]["seed_entropy"] == 11
    assert resolved["resolved"]["synapse_parameters"]["name"] == "glutamatergic"
    assert resolved["run"]["log_level"] == "reaction" and resolved["run"]["mode"] == "exact"
    again = _run(tmp_path, first / "resolved.json", "again")
    a, b = (pd.read_parquet(f / "events.parquet") for f in (first, again))
    assert len(a) > 10_000 and a["replicate"].nunique() == 3
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(pd.read_csv(first / "summary.csv"),
                                  pd.read_csv(again / "summary.csv"))
    assert (again / "resolved.json").read_text() == (first / "resolved.json").read_text()


def test_fresh_entropy_is_recorded_and_reproduces(tmp_path):
    text = VALID.read_text().replace("seed = 11\n", "").replace("replicates = 3", "replicates = 1")
    f = tmp_path / "unseeded.toml"
    f.write_text(text)
    first = _run(tmp_path, f, "first")
    entropy = json.loads((first / "resolved.json").read_text())["run"]["seed"]
    assert entropy > 2**64  # 128 bits from the operating system
    again = _run(tmp_path, first / "resolved.json", "again")
    pd.testing.assert_frame_equal(pd.read_parquet(first / "events.parquet"),
                                  pd.read_parquet(again / "events.parquet"))


def test_a_finished_run_is_not_overwritten_by_accident(tmp_path, capsys):
    _run(tmp_path, VALID, "r")
    assert main(["run", str(VALID), "--out", str(tmp_path / "r"), "--no-progress"]) == 2
    assert "--overwrite" in capsys.readouterr().err
    _run(tmp_path, VALID, "r", "--overwrite")


def test_recorded_parameters_win_over_a_changed_preset(tmp_path):
    first = _run(tmp_path, VALID, "first")
    data = json.loads((first / "resolved.json").read_text())
    data["resolved"]["synapse_parameters"]["vesicles"]["n_sites"] = 3
    f = tmp_path / "edited.json"
    f.write_text(json.dumps(data))
    assert build_inputs(load_scenario(f)).synapse.vesicles.n_sites == 3
    data["synapse"]["preset"] = "gabaergic"
    f.write_text(json.dumps(data))
    with pytest.raises(se.ParameterError, match="delete the \\[resolved\\] table"):
        build_inputs(load_scenario(f))


def test_event_writer_equals_the_in_memory_table(tmp_path):
    r = se.simulate(se.presets.glutamatergic(), se.regular(20.0, 3), t_end_ms=200.0, seed=5,
                    log_level="reaction")
    expected = r.events
    for fmt in ("parquet", "csv"):
        w = EventWriter(tmp_path / f"ev.{fmt}", fmt)
        assert w.write(r.log) == len(expected)
        w.close()
    got = pd.read_parquet(tmp_path / "ev.parquet")
    csv = pd.read_csv(tmp_path / "ev.csv", keep_default_na=False)
    for col in expected.columns:
        if isinstance(expected[col].dtype, pd.CategoricalDtype):
            exp = expected[col].astype(str).to_numpy()
            assert np.array_equal(got[col].astype(str).to_numpy(), exp)
            assert np.array_equal(csv[col].astype(str).to_numpy(), exp)
        else:
            assert np.array_equal(got[col].to_numpy(), expected[col].to_numpy())
            assert np.array_equal(csv[col].to_numpy(), expected[col].to_numpy())
    assert not list(tmp_path.glob(".*partial*"))


def test_csv_events_traces_off_and_plot(tmp_path, capsys):
    folder = _run(tmp_path, VALID, "csv", "--set", 'outputs.events="csv"')
    assert (folder / "events.csv").is_file() and (folder / "traces.parquet").is_file()
    assert main(["plot", str(folder)]) == 0 and (folder / "traces.png").stat().st_size > 10_000
    assert main(["plot", str(folder), "--columns", "nope"]) == 2
    bare = _run(tmp_path, VALID, "bare", "--set", "outputs.traces=false",
                "--set", 'outputs.events="none"')
    assert sorted(p.name for p in bare.iterdir()) == ["resolved.json", "summary.csv"]
    assert main(["plot", str(bare)]) == 2
    assert "traces.parquet is missing" in capsys.readouterr().err


def test_nwb_export(tmp_path):
    pynwb = pytest.importorskip("pynwb")
    folder = _run(tmp_path, VALID, "nwb", "--set", "outputs.nwb=true")
    summary = pd.read_csv(folder / "summary.csv")
    traces = pd.read_parquet(folder / "traces.parquet")
    with pynwb.NWBHDF5IO(str(folder / "run.nwb"), "r") as io:
        f = io.read()
        cur = f.acquisition["clamp_current_rep0001"]
        rep1 = traces[traces["replicate"] == 1]
        assert cur.conversion == 1e-12 and cur.rate == pytest.approx(1000.0 / 0.05)
        assert np.array_equal(cur.data[:], rep1["current_pA"].to_numpy())
        v = f.acquisition["membrane_potential_rep0000"]
        assert v.conversion == 1e-3 and np.all(v.data[:] == -70.0)
        rel = f.processing["synevent"]["release_events"].to_dataframe()
        assert len(rel) == int(summary[["quanta_sync", "quanta_async", "quanta_spont"]].sum().sum())
        spikes = f.processing["synevent"]["presynaptic_spikes"].to_dataframe()
        assert np.allclose(spikes["t_s"][:5], (5.0 + 50.0 * np.arange(5)) * 1e-3)


def test_compare_pairs_replicates(tmp_path, capsys):
    treated = tmp_path / "low_calcium.toml"
    treated.write_text(VALID.read_text().replace(
        'preset = "glutamatergic"', 'preset = "glutamatergic"\n[synapse.calcium]\nca_ext_mM = 0.5'))
    assert main(["compare", str(VALID), str(treated), "--out", str(tmp_path / "cmp"),
                 "--no-progress", "--metrics", "quanta_per_spike"]) == 0
    table = pd.read_csv(tmp_path / "cmp" / "comparison.csv")
    row = table[(table.condition == "low_calcium") & (table.metric == "quanta_per_spike")].iloc[0]
    assert row["test"] == "paired" and row["n"] == 3
    assert "low_calcium" in capsys.readouterr().out
    other_seed = tmp_path / "other.toml"
    other_seed.write_text(VALID.read_text().replace("seed = 11", "seed = 12"))
    assert main(["compare", str(VALID), str(other_seed), "--out", str(tmp_path / "x")]) == 2


def test_presets_and_schema(capsys):
    assert main(["presets"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in se.presets.PRESETS)
    assert main(["presets", "glutamatergic", "--json"]) == 0
    rows = {r["parameter"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["vesicles.molecules_per_vesicle"]["value"] == 3000.0
    assert "Franks" in rows["vesicles.molecules_per_vesicle"]["source"]
    assert "Clements" in rows["cleft.k_escape_per_ms"]["source"]
    assert main(["presets", "nope"]) == 2
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema == json.loads(json.dumps(json_schema()))
    assert set(schema["required"]) == {"stimulus", "run"}  # and one of synapse, volume
    assert {"synapse", "volume"} <= set(schema["properties"])
    assert schema["properties"]["run"]["$ref"].endswith("RunSection")


DOCS = Path(__file__).parents[1] / "docs" / "how-to"


@pytest.mark.parametrize("page", ["scenario_files.md", "sweeps.md"])
def test_docs_scenario_pages(page, tmp_path, monkeypatch, capsys):
    """Write each ```toml block with a "# file:" line, run each "$ synevent" line and each
    ```python block (except the SLURM recipe), in the order of the page."""
    import re
    import shlex

    monkeypatch.chdir(tmp_path)
    text = (DOCS / page).read_text()
    blocks = re.findall(r"```(toml|console|python)\n(.*?)```", text, flags=re.S)
    ran = 0
    scope: dict = {}
    for lang, body in blocks:
        if lang == "toml":
            name = re.match(r"# file: (\S+)\n", body)
            if name:
                Path(name.group(1)).write_text(body)
        elif lang == "console":
            for line in body.splitlines():
                argv = shlex.split(line.removeprefix("$ "))
                assert argv[0] == "synevent", line
                assert main(argv[1:]) == 0, (line, capsys.readouterr().err)
                ran += 1
        elif "dask_jobqueue" not in body:
            exec(compile(body, page, "exec"), scope)
    assert ran >= 3


def test_hybrid_mode_from_a_file_reruns_exactly(tmp_path, capsys):
    assert main(["validate", str(VALID), "--set", 'run.mode="fast"']) == 2
    assert "run.mode: Input should be 'exact' or 'hybrid'" in capsys.readouterr().err
    first = _run(tmp_path, VALID, "hybrid", "--set", 'run.mode="hybrid"', "--set",
                 "run.replicates=1")
    assert json.loads((first / "resolved.json").read_text())["run"]["mode"] == "hybrid"
    again = _run(tmp_path, first / "resolved.json", "again")
    pd.testing.assert_frame_equal(pd.read_parquet(first / "events.parquet"),
                                  pd.read_parquet(again / "events.parquet"))
    assert pd.read_csv(first / "summary.csv")["conserved"].all()


def test_a_closed_pipe_is_not_a_traceback():
    """``synevent presets NAME | head -1``: the reader leaves early; exit 0, nothing on stderr.

    The read end is closed before the child (still importing) writes, so its first write fails.
    """
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "synevent", "presets", "glutamatergic"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
    proc.stdout.close()
    assert proc.wait(timeout=60) == 0
    assert proc.stderr.read() == b""
    proc.stderr.close()


VOLUME = """
[volume]
preset = "striatum_dopamine"
tissue_volume_um3 = 300.0

[stimulus]
kind = "burst"
spikes_per_burst = 4
intra_rate_hz = 15.0
start_ms = 300.0

[run]
t_end_ms = 700.0
replicates = 3
seed = 11
trace_dt_ms = 1.0
"""


def test_a_volume_scenario_runs_reruns_and_compares(tmp_path, capsys):
    control = tmp_path / "control.toml"
    control.write_text(VOLUME)
    cocaine = tmp_path / "cocaine.toml"
    cocaine.write_text(VOLUME + '\n[[interventions]]\ndrug = "cocaine"\nconc_uM = 1.0\n')
    assert main(["validate", str(cocaine)]) == 0
    assert "OK (striatum_dopamine, burst stimulus, 1 intervention(s)" in capsys.readouterr().out
    folder = _run(tmp_path, cocaine, "vol")
    summary = pd.read_csv(folder / "summary.csv")
    assert summary["conserved"].all() and (summary["molecules_released"] > 0).all()
    recorded = json.loads((folder / "resolved.json").read_text())["resolved"]
    assert recorded["volume_parameters"]["tissue_volume_um3"] == 300.0
    assert recorded["synapse_parameters"] == {}
    again = _run(tmp_path, folder / "resolved.json", "vol_again")
    assert pd.read_parquet(folder / "events.parquet").equals(
        pd.read_parquet(again / "events.parquet"))
    assert main(["compare", str(control), str(cocaine), "--out", str(tmp_path / "cmp"),
                 "--metrics", "evoked_peak_uM", "clearance_t50_ms", "--no-progress"]) == 0
    # a run folder of a volume: its default figure shows free and probe dopamine (no current)
    assert main(["plot", str(folder)]) == 0
    assert (folder / "traces.png").is_file()
    # the recorded parameters belong to the preset they were resolved from
    data = json.loads((folder / "resolved.json").read_text())
    data["volume"]["preset"] = "serotonin_volume"
    (tmp_path / "other.json").write_text(json.dumps(data))
    assert main(["validate", str(tmp_path / "other.json")]) == 2
    assert ('volume.preset: "serotonin_volume" differs from the recorded parameters of '
            '"striatum_dopamine"') in capsys.readouterr().err
    table = pd.read_csv(tmp_path / "cmp" / "comparison.csv").set_index(["condition", "metric"])
    # Cocaine blocks DAT: clearance slows in every paired replicate (not a statistical claim:
    # 1 uM at Ki 0.3 uM leaves a quarter of the uptake, t50 grows several-fold).
    assert table.loc[("cocaine", "clearance_t50_ms"), "diff_ci95_low"] > 0


@pytest.mark.parametrize("extra, message", [
    ('[synapse]\npreset = "dopaminergic"\n', "a scenario needs exactly one of [synapse]"),
    ("[outputs]\nnwb = true\n", "outputs.nwb: NWB files hold a synapse's recordings"),
])
def test_volume_scenarios_refuse_what_they_cannot_do(extra, message, tmp_path, capsys):
    f = tmp_path / "v.toml"
    f.write_text(VOLUME + extra)
    assert main(["validate", str(f)]) == 2
    assert message in capsys.readouterr().err
    plain = tmp_path / "plain.toml"
    plain.write_text(VOLUME)
    assert main(["validate", str(plain), "--set", 'run.mode="hybrid"']) == 2
    assert 'run.mode: "hybrid" is not available for a [volume] scenario' in capsys.readouterr().err


def test_a_volume_scenario_sweeps(tmp_path, capsys):
    f = tmp_path / "vs.toml"
    f.write_text(VOLUME.replace("replicates = 3", "replicates = 2") + """
[outputs]
events = "none"

[sweep.parameters]
"volume.tonic_rate_hz" = [4.0]

[[sweep.conditions]]
name = "control"

[[sweep.conditions]]
name = "cocaine"
interventions = [{ drug = "cocaine", conc_uM = 1.0 }]
""")
    assert main(["sweep", str(f), "--out", str(tmp_path / "s"), "--executor", "inprocess",
                 "--no-progress"]) == 0
    rows = pd.read_csv(tmp_path / "s" / "summary.csv")
    assert len(rows) == 4 and rows["conserved"].all()
    assert (rows["volume.tonic_rate_hz"] == 4.0).all()
    t50 = rows.pivot(index="replicate", columns="condition", values="clearance_t50_ms")
    # Paired replicates: blocked uptake clears more slowly (NaN: not halved before the end).
    assert (t50["cocaine"].fillna(np.inf) > t50["control"]).all()


def test_compare_refuses_a_synapse_against_a_volume(tmp_path, capsys):
    volume = tmp_path / "v.toml"
    volume.write_text(VOLUME)
    synapse = tmp_path / "s.toml"
    synapse.write_text(VALID.read_text())
    assert main(["compare", str(synapse), str(volume), "--set", "run.seed=11", "--set",
                 "run.replicates=3", "--out", str(tmp_path / "c"), "--no-progress"]) == 2
    assert "compare pairs files of one kind" in capsys.readouterr().err
    assert not (tmp_path / "c").exists()


def test_keys_of_the_other_kind_of_scenario_are_named(tmp_path, capsys):
    volume = tmp_path / "v.toml"
    volume.write_text(VOLUME)
    assert main(["validate", str(volume), "--set", "synapse.mg_mM=1.0"]) == 2
    assert "synapse.mg_mM does not apply" in capsys.readouterr().err
    from synevent.scenario.build import build_synapse, build_volume

    with pytest.raises(se.ParameterError, match=r"this is a \[volume\] scenario"):
        build_synapse(load_scenario(volume, []))
    with pytest.raises(se.ParameterError, match=r"this is a \[synapse\] scenario"):
        build_volume(load_scenario(VALID, []))
