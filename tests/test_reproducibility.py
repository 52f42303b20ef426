"""Same seed, same events; different seed, different events."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

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


def test_traces_cover_every_stage():
    s = se.presets.glutamatergic()
    r = se.simulate(s, se.explicit([2.0]), t_end_ms=20.0, seed=2, trace_dt_ms=0.01)
    tr = r.traces
    for col in ("t_ms", "ca_uM", "primed", "fusions", "glu_free_uM", "AMPA_open", "NMDA_open",
                "current_pA", "released"):
        assert col in tr.columns
    # The Ca²⁺ trace peaks at the local peak plus rest and residual, 0.1-0.2 ms after the spike.
    k = int(tr["ca_uM"].idxmax())
    peak = s.calcium.local_peak_uM
    assert tr["ca_uM"].iloc[k] == pytest.approx(peak + 0.05 + 0.1 * np.exp(-0.15 / 100.0), rel=0.01)
    assert 2.0 < tr["t_ms"].iloc[k] < 2.3
    assert tr["ca_uM"].iloc[0] == pytest.approx(0.05)
    # Primed vesicles never negative and equal to the initial count minus fusions here.
    assert (tr["primed"] >= 0).all()
    assert tr["primed"].iloc[-1] == r.primed_initial - tr["fusions"].iloc[-1]


def test_event_log_round_trips_through_parquet_even_when_empty(tmp_path):
    for name, stim in (("spikes", se.paired_pulse(20.0, start_ms=1.0)), ("none", None)):
        ev = se.simulate(se.presets.glutamatergic(), stim, t_end_ms=40.0, seed=2).events
        ev.to_parquet(tmp_path / f"{name}.parquet")
        back = pd.read_parquet(tmp_path / f"{name}.parquet")
        assert {c: str(d) for c, d in back.dtypes.items()} == se.EVENT_COLUMNS
        assert back.astype(str).equals(ev.astype(str))
    assert back.empty  # no spike, no event: the empty log keeps its categorical columns


def test_volume_provenance_rebuilds_a_replicate_seed():
    seed = se.replicate_seed(7, 3)
    stim = se.regular(10.0, 2, start_ms=50.0)
    vol = se.striatum_dopamine(tissue_volume_um3=50.0)
    a = se.simulate_volume(vol, stim, t_end_ms=300.0, seed=seed, trace_dt_ms=1.0)
    p = a.provenance
    assert p["seed_spawn_key"] == [3] and p["synevent_version"] == se.__version__
    assert p["evoked"] == {"kind": "regular", "rate_hz": 10.0, "n_spikes": 2, "start_ms": 50.0,
                           "conduction_delay_ms": 0.0}
    again = se.simulate_volume(
        vol, stim, t_end_ms=300.0, trace_dt_ms=1.0,
        seed=np.random.SeedSequence(p["seed_entropy"], spawn_key=tuple(p["seed_spawn_key"])))
    pd.testing.assert_frame_equal(a.traces, again.traces)
