"""Same seed, same events; different seed, different events."""

from __future__ import annotations

import pandas as pd

import synevent as se


def run(seed: int, level: str = "vesicle") -> se.Result:
    return se.simulate(se.presets.glutamatergic(), se.regular(50.0, 5, start_ms=1.0),
                       t_end_ms=150.0, seed=seed, log_level=level)


def test_same_seed_identical_events_and_traces():
    a, b = run(5, "reaction"), run(5, "reaction")
    pd.testing.assert_frame_equal(a.events, b.events)
    pd.testing.assert_frame_equal(a.traces, b.traces)
    assert a.provenance["seed_entropy"] == 5


def test_different_seed_differs():
    a, b = run(5, "reaction"), run(6, "reaction")
    assert not a.events.equals(b.events)


def test_poisson_stimulus_is_seeded():
    s = se.presets.glutamatergic()
    a = se.simulate(s, se.poisson(40.0, 200.0), t_end_ms=200.0, seed=9)
    b = se.simulate(s, se.poisson(40.0, 200.0), t_end_ms=200.0, seed=9)
    assert a.spikes_ms.tolist() == b.spikes_ms.tolist()
    pd.testing.assert_frame_equal(a.events, b.events)
