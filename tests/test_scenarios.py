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


def _run_quick(name: str, tmp_path: pathlib.Path, timeout_s: float = 180.0) -> tuple[pathlib.Path, str]:
    """Run ``scenarios/<name>.py --quick``; return its output folder and stdout (it must succeed,
    draw its figure and keep every molecule)."""
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, str(SCENARIOS / f"{name}.py"), "--quick", "--out", str(out)],
        cwd=tmp_path, capture_output=True, text=True, timeout=timeout_s,
    )
    assert proc.returncode == 0, f"{name} failed:\n{proc.stdout}\n{proc.stderr}"
    assert (out / f"{name}.png").stat().st_size > 0
    assert "molecules conserved in every run: True" in proc.stdout
    return out, proc.stdout


@pytest.mark.parametrize("name", NAMES)
def test_scenario_quick_run(name: str, tmp_path: pathlib.Path) -> None:
    out, stdout = _run_quick(name, tmp_path)
    assert (out / "replicates.csv").stat().st_size > 0
    assert "diff 95% CI" in stdout  # the comparison table was printed


#: Scenarios of the postsynaptic neuron and circuits (no drug comparison table).
CIRCUIT_SCENARIOS = ["summation", "nmda_iv", "convergent_circuit"]


@pytest.mark.parametrize("name", CIRCUIT_SCENARIOS)
def test_circuit_scenario_quick_run(name: str, tmp_path: pathlib.Path) -> None:
    _run_quick(name, tmp_path)


def test_dsi_scenario_quick_run(tmp_path: pathlib.Path) -> None:
    """DSI (not a drug comparison): the CB1 condition is suppressed, the no-CB1 control runs."""
    out, stdout = _run_quick("dsi", tmp_path)
    for table in ("replicates", "stimuli", "summary"):
        assert (out / f"{table}.csv").stat().st_size > 0
    assert "recovery tau" in stdout
