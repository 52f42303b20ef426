"""The scenario scripts run end to end (``--quick``) and write their figure and table."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

SCENARIOS = pathlib.Path(__file__).resolve().parents[1] / "scenarios"
NAMES = [
    "cocaine_dopamine",
    "ssri_serotonin",
    "neostigmine_nmj",
    "botulinum_nmj",
    "glutamate_transporter_block",
]


@pytest.mark.parametrize("name", NAMES)
def test_scenario_quick_run(name: str, tmp_path: pathlib.Path) -> None:
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, str(SCENARIOS / f"{name}.py"), "--quick", "--out", str(out)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, f"{name} failed:\n{proc.stdout}\n{proc.stderr}"
    assert (out / f"{name}.png").stat().st_size > 0
    assert (out / "replicates.csv").stat().st_size > 0
    assert "molecules conserved in every run: True" in proc.stdout
    assert "diff 95% CI" in proc.stdout  # the comparison table was printed


#: Scenarios of the postsynaptic neuron and circuits (no drug comparison table).
CIRCUIT_SCENARIOS = ["summation", "nmda_iv", "convergent_circuit"]


@pytest.mark.parametrize("name", CIRCUIT_SCENARIOS)
def test_circuit_scenario_quick_run(name: str, tmp_path: pathlib.Path) -> None:
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, str(SCENARIOS / f"{name}.py"), "--quick", "--out", str(out)],
        cwd=tmp_path, capture_output=True, text=True, timeout=180,
    )
    assert proc.returncode == 0, f"{name} failed:\n{proc.stdout}\n{proc.stderr}"
    assert (out / f"{name}.png").stat().st_size > 0
    assert "molecules conserved in every run: True" in proc.stdout


def test_dsi_scenario_quick_run(tmp_path: pathlib.Path) -> None:
    """DSI (not a drug comparison): the CB1 condition is suppressed, the no-CB1 control runs."""
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, str(SCENARIOS / "dsi.py"), "--quick", "--out", str(out)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, f"dsi failed:\n{proc.stdout}\n{proc.stderr}"
    assert (out / "dsi.png").stat().st_size > 0
    for table in ("replicates", "stimuli", "summary"):
        assert (out / f"{table}.csv").stat().st_size > 0
    assert "molecules conserved in every run: True" in proc.stdout
    assert "recovery tau" in proc.stdout
