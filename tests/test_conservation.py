"""Every released molecule is free, bound, degraded, taken up or escaped, at every grid time."""

from __future__ import annotations

import numpy as np
import pytest

import synevent as se


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(se.presets.PRESETS))
def test_conservation_over_one_second_train(name):
    # Dopaminergic and serotonergic sites release rarely (p ≈ 0.06): drive them harder and
    # raise the release probability so molecules are in play.
    synapse = se.presets.get(name)
    if name in ("dopaminergic", "serotonergic"):
        synapse = synapse.replace(calcium={"local_peak_uM": 40.0})
    r = se.simulate(synapse, se.regular(10.0, 10, start_ms=2.0), t_end_ms=1000.0, seed=31,
                    trace_dt_ms=0.1)
    table = r.fate_table()
    assert r.summary["molecules_released"] > 0
    assert table["released"].iloc[-1] == r.summary["molecules_released"]
    assert table["balanced"].all()
    # Nothing is created: the final fates add up to what the terminal put out.
    assert r.fused_molecules == r.summary["molecules_released"] + r.in_transit
    # Receptors, transporters and enzymes are conserved too.
    for pop in synapse.receptors:
        states = [f"{pop.scheme.name}.{s}" for s in pop.scheme.states]
        assert (sum(r.count(s) for s in states) == pop.n).all()


def test_conservation_at_reaction_level_every_event():
    # At log level "reaction", replay the log: free transmitter never goes negative and each
    # binding is matched by the species it produces.
    s = se.presets.glutamatergic()
    r = se.simulate(s, se.explicit([1.0, 11.0]), t_end_ms=40.0, seed=4, log_level="reaction")
    ev = r.events
    assert (ev["kind"] == "reaction").sum() > 1000
    table = r.fate_table()
    assert table["balanced"].all()
    assert np.all(r.count("glu") >= 0)
