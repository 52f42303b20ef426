"""The documented API matches ``__all__``; the examples in the docs run."""

from __future__ import annotations

import pathlib
import re

import pytest

import synevent as se

DOCS = pathlib.Path(__file__).resolve().parents[1] / "docs"


def test_api_table_matches_all():
    text = (DOCS / "reference" / "api.md").read_text()
    documented = set(re.findall(r"^\| `([^`]+)` \|", text, flags=re.M))
    assert documented == set(se.__all__)


def test_event_columns_are_documented():
    text = (DOCS / "reference" / "event_log.md").read_text()
    for col in se.EVENT_COLUMNS:
        assert f"`{col}`" in text


@pytest.mark.parametrize(
    "page",
    ["tutorial.md", "how-to/seeding.md", "how-to/custom_kinetics.md", "how-to/comparisons.md"],
)
def test_doc_examples_run(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"```python\n(.*?)```", (DOCS / page).read_text(), flags=re.S)
    assert blocks
    scope: dict = {}
    for block in blocks:
        exec(compile(block, f"{page}", "exec"), scope)
