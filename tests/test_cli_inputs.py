"""Bad input on the command line: exit 2 with a message naming the option and value, never a
traceback; output paths are checked before any work, and messages name the files really written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from synevent.cli import main

DATA = Path(__file__).parent / "data" / "scenarios"
VALID = DATA / "valid_glutamate.toml"


def _refused(argv: list[str], capsys, *texts: str) -> str:
    """Run ``synevent argv``; assert exit 2, no traceback, and every text in the message."""
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "AssertionError" not in err
    for text in texts:
        assert text in err, f"{text!r} not in {err!r}"
    return err


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    """A finished run folder with traces (two short replicates)."""
    folder = tmp_path_factory.mktemp("cli") / "run"
    with pytest.warns(UserWarning, match="not delivered"):  # cut short to stay fast
        assert main(["run", str(VALID), "--out", str(folder), "--no-progress",
                     "--set", "run.replicates=2", "--set", "run.t_end_ms=100"]) == 0
    return folder


# -- output paths (item: tracebacks for --out) -----------------------------------------------------
def test_schema_out_into_a_missing_folder_is_refused(tmp_path, capsys):
    target = tmp_path / "missing" / "s.json"
    _refused(["schema", "--out", str(target)], capsys, "--out", str(target), "does not exist")
    assert not target.parent.exists()


def test_schema_out_onto_a_folder_or_under_a_file_is_refused(tmp_path, capsys):
    _refused(["schema", "--out", str(tmp_path)], capsys, "--out", str(tmp_path), "is a folder")
    afile = tmp_path / "afile"
    afile.write_text("")
    _refused(["schema", "--out", str(afile / "s.json")], capsys, str(afile), "is a file")


def test_schema_out_writes_the_file(tmp_path, capsys):
    target = tmp_path / "s.json"
    assert main(["schema", "--out", str(target)]) == 0
    assert f"written to {target}" in capsys.readouterr().out
    assert json.loads(target.read_text())["required"]


def test_plot_out_into_a_missing_folder_or_onto_a_folder_is_refused(run_folder, tmp_path, capsys):
    target = tmp_path / "missing" / "x.png"
    _refused(["plot", str(run_folder), "--out", str(target)], capsys, str(target), "does not exist")
    _refused(["plot", str(run_folder), "--out", str(tmp_path)], capsys, str(tmp_path), "is a folder")
    assert not list(tmp_path.glob("*.png"))


def test_plot_refuses_an_unknown_image_format_listing_the_allowed(run_folder, tmp_path, capsys):
    target = tmp_path / "x.nope"
    _refused(["plot", str(run_folder), "--out", str(target)], capsys,
             str(target), '".nope"', ".png", ".pdf", ".svg")
    assert not target.exists()


def test_plot_names_the_file_really_written(run_folder, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["plot", str(run_folder), "--out", "myfig"]) == 0
    assert "Figure written to myfig.png" in capsys.readouterr().out
    assert Path("myfig.png").stat().st_size > 1000 and not Path("myfig").exists()
    assert main(["plot", str(run_folder), "--out", "fig.PDF"]) == 0
    assert "Figure written to fig.PDF" in capsys.readouterr().out
    assert Path("fig.PDF").read_bytes()[:4] == b"%PDF"


def test_run_out_onto_or_under_a_file_is_refused_before_running(tmp_path, capsys):
    afile = tmp_path / "afile"
    afile.write_text("")
    _refused(["run", str(VALID), "--out", str(afile), "--no-progress"], capsys,
             "--out", str(afile), "is a file")
    _refused(["run", str(VALID), "--out", str(afile / "sub"), "--no-progress"], capsys,
             str(afile / "sub"), f'lies under "{afile}"')
    scenario = tmp_path / "s.toml"
    scenario.write_text(VALID.read_text() + f'\n[outputs]\nfolder = "{afile.as_posix()}"\n')
    _refused(["run", str(scenario), "--no-progress"], capsys, "outputs.folder", "is a file")


def _treated(tmp_path: Path) -> Path:
    treated = tmp_path / "low_calcium.toml"
    treated.write_text(VALID.read_text().replace(
        'preset = "glutamatergic"', 'preset = "glutamatergic"\n[synapse.calcium]\nca_ext_mM = 0.5'))
    return treated


def test_compare_refuses_bad_out_and_finished_runs_before_running(tmp_path, capsys):
    treated = _treated(tmp_path)
    afile = tmp_path / "afile"
    afile.write_text("")
    argv = ["compare", str(VALID), str(treated), "--no-progress", "--out"]
    _refused([*argv, str(afile)], capsys, "--out", str(afile), "is a file")
    root = tmp_path / "cmp"
    (root / "low_calcium").mkdir(parents=True)
    (root / "low_calcium" / "resolved.json").write_text("{}")
    _refused([*argv, str(root)], capsys, str(root / "low_calcium"), "--overwrite")
    assert not (root / "valid_glutamate").exists()  # the control did not run first


@pytest.fixture
def no_cases(monkeypatch):
    """Fail if verify gets as far as running its cases (the refusals must come before)."""
    import synevent.validation.report as report

    def run_cases(*args, **kwargs):
        raise AssertionError("verify ran its cases despite bad input")

    monkeypatch.setattr(report, "run_cases", run_cases)


def test_verify_out_onto_a_file_is_refused(tmp_path, capsys, no_cases):
    afile = tmp_path / "afile"
    afile.write_text("")
    _refused(["verify", "--fast", "--case", "V-01", "--no-progress", "--out", str(afile)], capsys,
             "--out", str(afile), "is a file")


def test_verify_doc_must_be_a_markdown_file_name(tmp_path, capsys, no_cases):
    out = tmp_path / "report"
    argv = ["verify", "--no-progress", "--out", str(out), "--doc"]
    _refused([*argv, str(tmp_path)], capsys, "--doc", str(tmp_path), ".md")
    page = tmp_path / "page.md"
    page.mkdir()
    _refused([*argv, str(page)], capsys, "--doc", str(page), "is a folder")
    assert not out.exists()  # refused before anything was created or run


# -- compare --metrics -----------------------------------------------------------------------------
@pytest.mark.parametrize("metrics, texts", [
    (["nope"], ["['nope']", "not numeric metrics", "'psc_peak_pA'", "'peak_free_uM'"]),
    (["psc_peak_pA", "nope"], ["['nope']", "'quanta_per_spike'"]),
    (["conserved"], ["['conserved']", "yes/no check", "'clearance_t50_ms'"]),
    (["psc_peak_pA", "psc_peak_pA"], ["['psc_peak_pA'] repeated"]),
])
def test_compare_refuses_bad_metrics_before_running(metrics, texts, tmp_path, capsys):
    root = tmp_path / "cmp"
    err = _refused(["compare", str(VALID), str(_treated(tmp_path)), "--no-progress",
                    "--out", str(root), "--metrics", *metrics], capsys, "--metrics", *texts)
    assert "'conserved'" not in err.split("allowed:")[1]
    assert not root.exists()  # nothing ran


def test_compare_metrics_are_the_numeric_columns_of_a_run_summary(run_folder):
    import pandas as pd

    from synevent.cli.scenario import summary_metrics
    from synevent.scenario import load_scenario

    summary = pd.read_csv(run_folder / "summary.csv")
    numeric = [c for c in summary.select_dtypes("number").columns
               if c not in ("replicate", "seed_entropy")]
    assert list(summary_metrics(load_scenario(VALID, []))) == numeric


# -- clearer messages ------------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["validate", "run", "sweep"])
def test_a_folder_given_as_scenario_file_is_called_a_folder(command, tmp_path, capsys):
    err = _refused([command, str(tmp_path)], capsys,
                   str(tmp_path), "is a folder, not a scenario file")
    assert "no such" not in err


def test_presets_json_without_name_lists_every_preset(capsys):
    import synevent as se

    assert main(["presets", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert [p["name"] for p in listing] == list(se.presets.PRESETS)
    glu = next(p for p in listing if p["name"] == "glutamatergic")
    assert glu["transmitter"] == se.presets.get("glutamatergic").transmitter and glu["description"]


def test_run_of_a_file_with_a_sweep_says_the_grid_is_ignored(tmp_path, capsys):
    scenario = tmp_path / "with_sweep.toml"
    scenario.write_text(VALID.read_text()
                        + '\n[sweep.parameters]\n"synapse.vesicles.n_sites" = [1, 2]\n')
    with pytest.warns(UserWarning, match="not delivered"):
        assert main(["run", str(scenario), "--out", str(tmp_path / "r"), "--no-progress",
                     "--set", "run.replicates=1", "--set", "run.t_end_ms=50"]) == 0
    out, err = capsys.readouterr()
    assert "1 replicate(s)" in out
    assert "ignores the [sweep] table" in err and f"synevent sweep {scenario} runs the grid" in err


def test_a_run_cut_short_says_once_which_spikes_it_drops(tmp_path, capsys):
    import warnings

    args = ["--set", "run.replicates=2", "--set", "run.t_end_ms=50"]
    lost = '4 of the 5 spikes of the regular train come at or after "t_end_ms" = 50'
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["run", str(VALID), "--out", str(tmp_path / "r"), "--no-progress", *args]) == 0
    # once per file, not once per replicate
    assert [str(w.message) for w in caught if "not delivered" in str(w.message)] == [
        f"{VALID}: {lost} (the last at 205 ms) and are not delivered"]
    note = f"{VALID}: note: {lost}"
    assert main(["validate", str(VALID), *args]) == 0
    assert capsys.readouterr().err.count(note) == 1
    assert main(["validate", str(VALID)]) == 0
    assert "note:" not in capsys.readouterr().err
    # a sweep whose grid shortens some runs: counted over its tasks
    swept = tmp_path / "swept.toml"
    swept.write_text(VALID.read_text() + '\n[sweep.parameters]\n"run.t_end_ms" = [50.0, 300.0]\n')
    assert main(["validate", str(swept), "--set", "run.replicates=2"]) == 0
    assert (f"{swept}: note: 2 of the sweep's 4 tasks leave spikes out, e.g. {lost}"
            in capsys.readouterr().err)


# -- plot: bad run folders and columns ------------------------------------------------------------
def test_plot_refuses_unreadable_or_foreign_traces(tmp_path, capsys):
    import pandas as pd

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "traces.parquet").write_text("junk")
    _refused(["plot", str(broken)], capsys, str(broken / "traces.parquet"), "cannot be read")
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    pd.DataFrame({"a": [1.0]}).to_parquet(foreign / "traces.parquet")
    _refused(["plot", str(foreign)], capsys, "not the traces of a run", "'t_ms'")


@pytest.mark.parametrize("column", ["replicate", "t_ms"])
def test_plot_refuses_the_key_columns(column, run_folder, capsys):
    _refused(["plot", str(run_folder), "--columns", column], capsys,
             f"--columns: unknown ['{column}']", "'current_pA'")


@pytest.mark.parametrize("argv", [
    ["schema", "--out", ""],
    ["run", str(VALID), "--no-progress", "--out", " "],
    ["compare", str(VALID), str(VALID), "--out", ""],
    ["plot", ".", "--out", ""],
    ["verify", "--out", ""],
    ["verify", "--doc", ""],
])
def test_an_empty_output_path_is_refused(argv, capsys, no_cases, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # without the check, "" and " " would be written in the cwd
    _refused(argv, capsys, f"argument {argv[-2]}: an empty path")
    assert not list(tmp_path.iterdir())


def test_sweep_out_onto_a_file_is_refused_before_running(tmp_path, capsys):
    afile = tmp_path / "afile"
    afile.write_text("")
    _refused(["sweep", str(VALID), "--out", str(afile), "--no-progress"], capsys,
             f'--out "{afile}" is a file')
    _refused(["sweep", str(VALID), "--out", str(afile / "under"), "--no-progress"], capsys,
             "--out")
