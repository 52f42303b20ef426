"""``synevent verify``: running cases, the results table, the report files and the command line.

Fake cases are registered into a fresh registry, so these tests do not depend on the real
validation cases; one slow test runs the real fast suite through ``python -m synevent``.
"""

from __future__ import annotations

import importlib
import pathlib
import subprocess
import sys

import pandas as pd
import pytest

from synevent import __version__
from synevent.cli import main
from synevent.engine.checks import ParameterError
from synevent.validation import registry, report
from synevent.validation.registry import Case, Check, Outcome, register

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _draw(ax):
    ax.plot([0, 1, 2], [1.0, 1.1, 0.9], label="simulated")
    ax.axhline(1.0, ls="--", label="published")
    ax.legend()


def _case(case_id: str, title: str, run) -> Case:
    return Case(
        id=case_id, title=title, preparation=f"preset for {case_id}", protocol="one spike",
        quantity="mean current (pA)", published="1.0 pA", source="Author & Other 2000, Fig. 2B",
        tolerance="0.1 pA: 3 SEM of the mean over the replicates", run=run,
    )


@pytest.fixture
def fake_cases(monkeypatch):
    """Three fake cases (pass, fail, raise) in a fresh registry; returns the fast flags seen."""
    monkeypatch.setattr(registry, "CASES", {})
    monkeypatch.setattr(report, "load_cases", lambda: registry.CASES)
    seen: list[bool] = []

    def passing(fast):
        seen.append(fast)
        return Outcome([Check("mean current", 1.02, 1.0, 0.1, "pA"),
                        Check("failure fraction", 0.37, 0.368, 0.02)],
                       figure=_draw, notes="a note on the pass")

    def failing(fast):
        return Outcome([Check("decay time", 7.0, 5.26, 0.1, "ms")], figure=_draw)

    def raising(fast):
        raise RuntimeError("boom in the protocol")

    register(_case("T-01", "A passing case", passing))
    register(_case("T-02", "A failing case", failing))
    register(_case("T-03", "A raising case", raising))
    return seen


def test_run_cases_reports_pass_fail_and_errors_without_hiding_others(fake_cases):
    results = report.run_cases(progress=False)
    assert [r.case.id for r in results] == ["T-01", "T-02", "T-03"]
    assert [r.passed for r in results] == [True, False, False]
    assert (results[0].n_passed, results[0].n_checks) == (2, 2)
    assert (results[1].n_passed, results[1].n_checks) == (0, 1)
    err = results[2]
    assert err.outcome is None and err.error == "RuntimeError: boom in the protocol"
    assert "raising" in err.traceback
    assert all(r.seconds >= 0 for r in results)
    assert fake_cases == [False]


def test_run_cases_selects_ids_and_passes_fast(fake_cases):
    results = report.run_cases(["t-01", "T-01"], fast=True, progress=False)
    assert [r.case.id for r in results] == ["T-01"]
    assert fake_cases == [True]


def test_run_cases_refuses_unknown_ids_before_running(fake_cases):
    with pytest.raises(ParameterError, match=r'"V-99".*valid ids: T-01, T-02, T-03'):
        report.run_cases(["T-01", "V-99"], progress=False)
    assert fake_cases == []


def test_run_cases_refuses_an_empty_registry(monkeypatch):
    monkeypatch.setattr(report, "load_cases", lambda: {})
    with pytest.raises(ParameterError, match="no validation cases are registered"):
        report.run_cases(progress=False)


def test_non_outcome_is_an_error(monkeypatch):
    monkeypatch.setattr(report, "load_cases",
                        lambda: {"T-09": _case("T-09", "wrong return", lambda fast: 1.0)})
    (r,) = report.run_cases(progress=False)
    assert not r.passed and r.error == "TypeError: run() returned float, not an Outcome"


def test_progress_bar_goes_to_stderr(fake_cases, capsys):
    report.run_cases(["T-01"], progress=True)
    out, err = capsys.readouterr()
    assert out == "" and "verify" in err and "1/1" in err


def test_results_table_has_one_row_per_check_and_error_rows(fake_cases):
    table = report.results_table(report.run_cases(progress=False))
    assert list(table.columns) == ["case_id", "title", "quantity", "simulated", "published",
                                   "tolerance", "unit", "passed", "error"]
    assert list(table["case_id"]) == ["T-01", "T-01", "T-02", "T-03"]
    assert list(table["passed"]) == [True, True, False, False]
    row = table.iloc[2]
    assert (row.quantity, row.simulated, row.published, row.tolerance, row.unit) == (
        "decay time", 7.0, 5.26, 0.1, "ms")
    err = table.iloc[3]
    assert err.quantity == "error" and "boom" in err.error and pd.isna(err.simulated)


def test_write_report_writes_markdown_csv_and_figures(fake_cases, tmp_path):
    results = report.run_cases(progress=False)
    path = report.write_report(results, tmp_path / "out", fast=True)
    assert path == tmp_path / "out" / "report.md"
    text = path.read_text()
    assert "**1 of 3 cases pass**" in text and "fast (reduced replicates" in text
    for case_id, title in [("T-01", "A passing case"), ("T-02", "A failing case"),
                           ("T-03", "A raising case")]:
        assert f"## {case_id}: {title}" in text
    for field in ["preset for T-01", "one spike", "mean current (pA)", "1.0 pA",
                  "Author & Other 2000, Fig. 2B", "3 SEM of the mean", "a note on the pass",
                  "| decay time | 7 | 5.26 | ± 0.1 | ms | **FAIL** |",
                  "RuntimeError: boom in the protocol"]:
        assert field in text
    assert "![T-01: simulated against published](figures/T-01.png)" in text
    assert "figures/T-03.png" not in text
    for case_id in ["T-01", "T-02"]:
        assert (tmp_path / "out" / "figures" / f"{case_id}.png").read_bytes()[:4] == b"\x89PNG"
    assert not (tmp_path / "out" / "figures" / "T-03.png").exists()
    csv = pd.read_csv(tmp_path / "out" / "results.csv")
    assert list(csv["case_id"]) == ["T-01", "T-01", "T-02", "T-03"]


def test_a_figure_that_raises_fails_its_case(monkeypatch, tmp_path):
    def bad_figure(ax):
        raise ValueError("no data to plot")

    case = _case("T-05", "bad figure",
                 lambda fast: Outcome([Check("x", 1.0, 1.0, 0.1)], figure=bad_figure))
    monkeypatch.setattr(report, "load_cases", lambda: {"T-05": case})
    results = report.run_cases(progress=False)
    assert results[0].passed
    text = report.write_report(results, tmp_path, fast=False).read_text()
    assert not results[0].passed
    assert "Could not be drawn: `ValueError: no data to plot`" in text
    assert not (tmp_path / "figures" / "T-05.png").exists()


def test_write_report_doc_page_links_figures_beside_it(fake_cases, tmp_path):
    results = report.run_cases(progress=False)
    doc = tmp_path / "docs" / "validation.md"
    doc.parent.mkdir()
    report.write_report(results, tmp_path / "out", fast=False, doc=doc)
    text = doc.read_text()
    assert text.startswith(report.DOC_HEADER)
    assert "## Latest full run" in text and "### T-01: A passing case" in text
    assert "](validation/figures/T-01.png)" in text
    assert (tmp_path / "docs" / "validation" / "figures" / "T-01.png").exists()


def test_docs_page_starts_with_the_header_kept_in_code():
    assert (ROOT / "docs" / "validation.md").read_text().startswith(report.DOC_HEADER)


def test_one_sided_indicator_check_allows_three_sem():
    from synevent.validation._casekit import at_least_check

    assert at_least_check("x", 1.8, 0.1, 2.0).passed
    assert not at_least_check("x", 1.6, 0.1, 2.0).passed


# --- command line --------------------------------------------------------------------------------

def _verify(tmp_path, *args):
    return main(["verify", "--out", str(tmp_path / "out"), "--no-progress", *args])


def test_cli_exit_0_when_all_selected_cases_pass(fake_cases, tmp_path, capsys):
    assert _verify(tmp_path, "--case", "T-01") == 0
    out = capsys.readouterr().out
    assert "T-01" in out and "2/2" in out and "PASS" in out and "T-02" not in out
    assert "1 of 1 cases pass" in out
    assert (tmp_path / "out" / "report.md").exists()


def test_cli_exit_1_when_a_case_fails(fake_cases, tmp_path, capsys):
    assert _verify(tmp_path, "--fast") == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["id", "title", "checks", "result", "seconds"]
    assert lines[2].split()[:5] == ["T-02", "A", "failing", "case", "0/1"]
    assert "FAIL" in lines[2] and "FAIL" in lines[3]
    assert fake_cases == [True]
    assert (tmp_path / "out" / "figures" / "T-01.png").exists()


def test_cli_exit_2_on_unknown_case_names_it_and_lists_valid_ids(fake_cases, tmp_path, capsys):
    assert _verify(tmp_path, "--case", "T-01", "--case", "V-99") == 2
    out, err = capsys.readouterr()
    assert 'unknown validation case "V-99"; valid ids: T-01, T-02, T-03' in err
    assert "Traceback" not in err and out == ""
    assert fake_cases == []


def test_cli_exit_2_on_unwritable_out_and_doc_of_a_partial_run(fake_cases, tmp_path, capsys):
    (tmp_path / "file").write_text("")
    assert main(["verify", "--out", str(tmp_path / "file" / "sub"), "--no-progress"]) == 2
    assert '--out "' in capsys.readouterr().err
    assert _verify(tmp_path, "--fast", "--doc", str(tmp_path / "v.md")) == 2
    assert "--doc documents a full run" in capsys.readouterr().err
    assert fake_cases == []


def test_cli_version_help_and_missing_command(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"synevent {__version__}"
    assert main([]) == 2
    assert "verify" in capsys.readouterr().err
    assert main(["verify", "--bogus"]) == 2


def test_python_dash_m_synevent():
    proc = subprocess.run([sys.executable, "-m", "synevent", "--version"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == f"synevent {__version__}"


# --- the real suite ------------------------------------------------------------------------------

def _registered_case_ids() -> list[str]:
    try:
        importlib.import_module("synevent.validation.cases")
    except ImportError as exc:
        # Only a case module that does not exist yet skips; any other import error fails.
        if not (exc.name or "").startswith("synevent.validation"):
            raise
        pytest.skip(f"synevent.validation.cases is not importable yet ({exc})")
    return list(registry.CASES)


@pytest.mark.slow
def test_fast_suite_runs_end_to_end(tmp_path):
    """The fast suite runs within the CI budget and reports every case; the cases known to fail
    (model findings, reported with their numbers in docs/validation.md) are the only failures."""
    ids = _registered_case_ids()
    assert ids, "synevent.validation.cases registers no case"
    out = tmp_path / "verify"
    proc = subprocess.run(
        [sys.executable, "-m", "synevent", "verify", "--fast", "--no-progress", "--out", str(out)],
        capture_output=True, text=True, timeout=300,  # the issue asks for < 5 minutes in CI
    )
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    text = (out / "report.md").read_text()
    failing = set()
    for case_id in ids:
        title = registry.CASES[case_id].title
        assert f"## {case_id}: {title} (PASS)" in text or f"## {case_id}: {title} (FAIL)" in text
        if f"## {case_id}: {title} (FAIL)" in text:
            failing.add(case_id)
    assert failing <= KNOWN_FAILING, f"new failures: {sorted(failing - KNOWN_FAILING)}"
    assert (proc.returncode == 1) == bool(failing)


#: Cases the model does not pass yet (see docs/validation.md for the numbers and reasons).
KNOWN_FAILING = {"V-05", "V-07"}
