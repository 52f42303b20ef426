"""Shared fixtures: the shared benchmark folder, when it is beside the project."""

from __future__ import annotations

import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "benchmarks"


@pytest.fixture(scope="session")
def shared_benchmarks() -> pathlib.Path:
    if not (SHARED / "cleft_network.json").exists():
        pytest.skip("../shared/benchmarks is not beside the project")
    return SHARED
