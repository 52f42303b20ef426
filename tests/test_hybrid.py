"""Hybrid mode: which reactions it leaps, conservation, and its statistics against the reference."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
import simpy
from scipy import stats

import synevent as se
from synevent.engine.partition import LeapPlan

ENTRY_POINTS = {
    "simulate": lambda mode: se.simulate(se.presets.glutamatergic(), None, t_end_ms=1.0, mode=mode),
    "simulate_network": lambda mode: se.simulate_network(
        se.ReactionNetwork(("A",), (), {"A": 1}), t_end_ms=1.0, dt_out_ms=1.0, mode=mode),
    "Circuit.run": lambda mode: _tiny_circuit().run(1.0, mode=mode),
}


def _tiny_circuit() -> se.Circuit:
    c = se.Circuit()
    cell = c.add_neuron("cell", se.ca1_pyramidal())
    fibre = c.add_inputs("in", se.regular(20.0, 1, start_ms=0.5), 1)
    c.connect(fibre, cell, se.presets.glutamatergic())
    return c


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_unknown_mode_names_field_value_and_choices(entry):
    with pytest.raises(se.ParameterError, match=r"\"mode\" must be one of \['exact', 'hybrid'\], got 'tau'"):
        ENTRY_POINTS[entry]("tau")


def _cleft(shared) -> tuple[dict, se.ReactionNetwork]:
    spec = json.loads((shared / "cleft_network.json").read_text())
    return spec, se.ReactionNetwork.from_dict(spec)


def test_pools_decide_what_is_leaped(shared_benchmarks):
    # 80 receptors are a small pool: every receptor reaction stays exact. Free glutamate (3000)
    # and the 500 transporters are large pools: escape, transporter binding and uptake leap.
    _, net = _cleft(shared_benchmarks)
    plan = LeapPlan(net)
    leaped, high = plan.classify(net.initial_state())
    assert [net.reactions[j].name for j in leaped] == ["tbind", "tunbind", "uptake", "escape"]
    assert not any(high[net.index(s)] for s in ("R0", "R1", "R2", "O", "D"))
    assert all(high[net.index(s)] for s in ("G", "T", "TG", "Gin", "Gout"))
    # Without transmitter in the cleft the glutamate pool is empty: nothing is leaped (every
    # transporter reaction also moves glutamate).
    empty = net.with_counts(G=0)
    assert plan.classify(empty.initial_state())[0] == []


def _conserved(counts: np.ndarray) -> None:
    # G R0 R1 R2 O D T TG Gin Gout: glutamate (bound twice on R2, O, D), receptors, transporters.
    # In simulate_network's hybrid mode pools are amounts: laws hold to rounding error.
    glu = counts[..., [0, 2, 7, 8, 9]].sum(-1) + 2 * counts[..., [3, 4, 5]].sum(-1)
    assert np.abs(glu - 3000).max() < 1e-9 * 3000
    receptors = counts[..., 1:6]
    assert (receptors == np.round(receptors)).all() and (receptors.sum(-1) == 80).all()
    assert np.abs(counts[..., 6] + counts[..., 7] - 500).max() < 1e-9 * 500
    assert (counts >= 0).all()


def _matches_reference(run, spec: dict, shared) -> None:
    # Mean peak of O within 4 SE of the reference; KS of peak and area against its sample.
    _conserved(run.counts)
    o = run.species("O")
    peak = o.max(axis=1)
    area = np.trapezoid(o, dx=spec["dt_out_ms"], axis=1)
    ref = spec["reference"]["peak_O"]
    assert abs(peak.mean() - ref["mean"]) < 4 * ref["sd"] / math.sqrt(peak.size)
    sample = pd.read_csv(shared / "reference_sample.csv")
    assert stats.ks_2samp(peak, sample["peak_O"]).pvalue > 0.01
    assert stats.ks_2samp(area, sample["area_O_ms"]).pvalue > 0.01


@pytest.mark.statistical
def test_network_hybrid_matches_reference(shared_benchmarks):
    # simulate_network's hybrid (pools from the rate equations, engine.pools), 1000 runs.
    spec, net = _cleft(shared_benchmarks)
    run = se.simulate_network(net, t_end_ms=spec["t_end_ms"], dt_out_ms=spec["dt_out_ms"],
                              n_trajectories=1000, seed=2028, mode="hybrid")
    _matches_reference(run, spec, shared_benchmarks)


@pytest.mark.statistical
def test_scalar_hybrid_matches_reference_and_conserves(shared_benchmarks):
    # The stepper used inside SimPy (one network per synapse), trajectory by trajectory.
    spec, net = _cleft(shared_benchmarks)
    n = 300
    peaks = np.empty(n)
    leaps = 0
    for i, child in enumerate(np.random.SeedSequence(99).spawn(n)):
        env = simpy.Environment()
        sim = se.ExactNetwork(env, net, se.RandomStream(child), trace_dt_ms=spec["dt_out_ms"],
                              t_end_ms=spec["t_end_ms"], mode="hybrid")
        env.run(until=spec["t_end_ms"])
        sim.finish(spec["t_end_ms"])
        trace = sim.trace_array()
        if i < 20:
            _conserved(trace)
        peaks[i] = trace[:, net.index("O")].max()
        leaps += sim.hybrid.n_leaps
    assert leaps > 0
    ref = spec["reference"]["peak_O"]
    assert abs(peaks.mean() - ref["mean"]) < 4 * ref["sd"] / math.sqrt(n)
    sample = pd.read_csv(shared_benchmarks / "reference_sample.csv")
    assert stats.ks_2samp(peaks, sample["peak_O"]).pvalue > 0.01


def test_zero_rate_moves_nothing():
    # Where the process is deterministic, check it exactly.
    net = se.ReactionNetwork(("A", "B"), (se.Reaction("decay", {"A": 1}, {"B": 1}, 0.0),),
                             {"A": 5000})
    run = se.simulate_network(net, t_end_ms=5.0, dt_out_ms=1.0, n_trajectories=30, seed=1,
                              mode="hybrid")
    assert (run.species("A") == 5000).all() and run.reactions_fired.sum() == 0


def test_large_pool_follows_its_rate_equation():
    # A pool of 5000 with no exact partner is integrated: every trajectory follows
    # n0 exp(-k t) (to the solver's tolerance), fast or slow, and nothing is lost.
    for k, t_end in ((1e3, 1.0), (0.5, 2.0)):
        net = se.ReactionNetwork(("A", "B"), (se.Reaction("decay", {"A": 1}, {"B": 1}, k),),
                                 {"A": 5000})
        run = se.simulate_network(net, t_end_ms=t_end, dt_out_ms=1.0, n_trajectories=30,
                                  seed=2, mode="hybrid")
        expected = 5000 * np.exp(-k * run.t_ms)
        assert np.allclose(run.species("A"), expected, rtol=1e-5, atol=1e-5)
        assert np.abs(run.species("A") + run.species("B") - 5000).max() < 1e-9


@pytest.mark.slow
def test_hybrid_synapse_conserves_every_molecule():
    r = se.simulate(se.presets.glutamatergic(), se.regular(20.0, 5, start_ms=1.0),
                    t_end_ms=300.0, seed=4, mode="hybrid", trace_dt_ms=0.1)
    assert r.provenance["mode"] == "hybrid"
    assert r.summary["molecules_released"] > 0
    assert r.summary["conserved"]
    assert r.fused_molecules == r.summary["molecules_released"] + r.in_transit


def test_logged_events_take_at_most_64_bytes():
    r = se.simulate(se.presets.glutamatergic(), se.regular(20.0, 3, start_ms=1.0),
                    t_end_ms=150.0, seed=5, log_level="reaction")
    log = r.log
    assert len(log) > 1000
    assert log.nbytes() / len(log) <= 64
    other = se.EventLog()
    for i in range(100):
        other.record(float(i), "fuse", "terminal", site=1, vesicle=i, spike=0, amount=3000)
    assert other.nbytes() / len(other) <= 64


@pytest.mark.slow
def test_hybrid_synapse_under_a_scheduled_drug_conserves():
    # A transporter blocker washed in during the run changes rates (and binds transporters)
    # while glutamate is being leaped: every molecule must still be accounted for.
    drug = se.TransporterInhibitor(target="EAAT2", conc_uM=50.0, ki_uM=5.0,
                                   schedule=se.Schedule(start_ms=30.0, tau_on_ms=5.0))
    r = se.simulate(se.presets.glutamatergic().replace(calcium={"local_peak_uM": 40.0}),
                    se.regular(20.0, 6, start_ms=1.0), t_end_ms=300.0, seed=8, mode="hybrid",
                    trace_dt_ms=0.1, interventions=[drug])
    assert r.summary["molecules_released"] > 0
    assert r.summary["conserved"]
    assert r.fused_molecules == r.summary["molecules_released"] + r.in_transit


def test_molecules_made_with_no_fate_open_stay():
    # A made during a leap whose only fate (2 A -> B) has no partner for the lone A already
    # there: no hazard, so the made molecules stay (this divided by zero before).
    net = se.ReactionNetwork(
        ("A", "B"),
        (se.Reaction("make", {}, {"A": 1}, 1.0), se.Reaction("pair", {"A": 2}, {"B": 1}, 1e-3)),
        {"A": 1},
    )
    plan = LeapPlan(net)
    x = [1, 0]
    events = plan.draws(x, [1.0, 1e-3], [0, 1], 3.0, np.random.default_rng(3))
    assert events[0] >= 1  # molecules were made within the step
    assert x[0] == 1 + events[0] and x[1] == 0
