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


def test_volume_summary_keys_are_documented():
    block = se.simulate_volume(se.striatum_dopamine(tissue_volume_um3=50.0), None, t_end_ms=5.0,
                               seed=1, initial_uM=0.1)
    text = (DOCS / "pharmacology" / "volume_transmission.md").read_text()
    # The probe keys are documented once, as `probe_*`.
    assert [k for k in block.summary if f"`{k}`" not in text and not k.startswith("probe_")] == []


PHARMACOLOGY_PAGES = [
    "index.md",
    "transporters.md",
    "enzymes.md",
    "volume_transmission.md",
    "transporter_inhibitors.md",
    "enzyme_inhibitors.md",
    "receptor_antagonists.md",
    "channel_blockers.md",
    "allosteric_modulators.md",
    "ca_channel_blockers.md",
    "release_blockers.md",
    "vmat_inhibitors.md",
    "knockouts.md",
    "schedules.md",
    "drugs.md",
]


@pytest.mark.parametrize(
    "page",
    ["tutorial.md", "how-to/seeding.md", "how-to/custom_kinetics.md", "how-to/comparisons.md",
     "how-to/circuits.md", "background/retrograde.md"]
    + [f"pharmacology/{name}" for name in PHARMACOLOGY_PAGES]
    + ["background/metabotropic.md", "background/cotransmission.md", "background/hybrid.md"],
)
def test_doc_examples_run(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"```python\n(.*?)```", (DOCS / page).read_text(), flags=re.S)
    assert blocks
    scope: dict = {}
    for block in blocks:
        exec(compile(block, f"{page}", "exec"), scope)


def test_drug_table_matches_library():
    """Every action of ``DRUGS`` has one row in docs/pharmacology/drugs.md with its constant."""
    text = (DOCS / "pharmacology" / "drugs.md").read_text()
    rows = re.findall(
        r"^\| `([^`]+)` \| (\w+) \| `(\w+)`[^|]* \| `(\w+)` \| ([0-9.e+-]+) \|", text, flags=re.M
    )
    documented = {(name, target, kind, key): float(value) for name, target, kind, key, value in rows}
    assert len(documented) == len(rows)
    library = {}
    for d in se.DRUGS.values():
        for a in d.actions:
            key = next(k for k in ("ki_uM", "kd_uM", "ic50_uM", "k_cleave_per_uM_per_ms") if k in a.params)
            library[(d.name, a.target, a.kind.kind, key)] = a.params[key]
    assert documented == library


def test_trace_columns_of_the_glutamatergic_preset_are_as_documented():
    text = (DOCS / "reference" / "event_log.md").read_text()
    listed = re.search(r"the glutamatergic preset gives the columns `([^`]+)`", text).group(1)
    r = se.simulate(se.presets.glutamatergic(), None, t_end_ms=1.0, seed=1)
    assert [c.strip() for c in listed.split(",")] == list(r.traces.columns)
    first_cells = re.findall(r"^\|([^|]*)\|", text.split("## Summary")[1].split("## Provenance")[0],
                             flags=re.M)
    documented = {k for cell in first_cells for k in re.findall(r"`([A-Za-z0-9_]+)`", cell)}
    assert set(r.summary) <= documented
