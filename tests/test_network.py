"""Exact simulation of user-defined reaction networks."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import synevent as se
from synevent.engine import kernel


def decay_network(n0: int, k: float) -> se.ReactionNetwork:
    return se.ReactionNetwork(("A", "B"), (se.Reaction("decay", {"A": 1}, {"B": 1}, k),), {"A": n0})


def test_zero_rate_fires_nothing():
    run = se.simulate_network(decay_network(100, 0.0), t_end_ms=10.0, dt_out_ms=1.0, seed=1)
    assert run.reactions_fired.tolist() == [0]
    assert (run.species("A") == 100).all()


@pytest.mark.statistical
def test_linear_decay_matches_binomial_law():
    # A -> B at rate k: at time t each molecule survives with probability exp(-k t), so A(t)
    # is Binomial(n0, exp(-k t)); test mean within 4 SE and the full distribution (chi-square).
    n0, k, t = 50, 0.5, 1.0
    run = se.simulate_network(decay_network(n0, k), t_end_ms=2.0, dt_out_ms=0.5,
                              n_trajectories=2000, seed=7)
    a = run.species("A")[:, 2]
    p = math.exp(-k * t)
    se_mean = math.sqrt(n0 * p * (1 - p) / a.size)
    assert abs(a.mean() - n0 * p) < 4 * se_mean
    observed = np.bincount(a, minlength=n0 + 1)
    expected = stats.binom.pmf(np.arange(n0 + 1), n0, p) * a.size
    keep = expected >= 5  # pool the sparse tails
    obs = np.append(observed[keep], observed[~keep].sum())
    exp = np.append(expected[keep], expected[~keep].sum())
    assert stats.chisquare(obs, exp, ddof=0).pvalue > 0.01


@pytest.mark.statistical
def test_first_reaction_time_is_exponential():
    # With one reaction, the first event time is Exp(k * n0): KS test over 2000 trajectories.
    run = se.simulate_network(decay_network(1, 2.0), t_end_ms=50.0, dt_out_ms=50.0,
                              n_trajectories=2000, seed=3, log_level="reaction")
    times = np.array([ev["t_ms"].iloc[0] for ev in run.events])
    assert stats.kstest(times, "expon", args=(0, 1 / 2.0)).pvalue > 0.01


def test_dimerisation_uses_distinct_pairs():
    import simpy

    net = se.ReactionNetwork(("A", "A2"), (se.Reaction("dim", {"A": 2}, {"A2": 1}, 1.0),), {"A": 3})
    sim = se.ExactNetwork(simpy.Environment(), net, se.RandomStream(1))
    assert sim.propensities([3, 0]) == [3.0]  # 3 distinct pairs
    assert sim.propensities([1, 1]) == [0.0]
    # Two molecules dimerise once; the odd one out stays: A ends at 1, never negative.
    run = se.simulate_network(net, t_end_ms=100.0, dt_out_ms=100.0, n_trajectories=20, seed=2)
    assert (run.species("A")[:, -1] == 1).all() and (run.species("A2")[:, -1] == 1).all()


def test_plain_env_run_without_end_stops_when_nothing_can_happen():
    import simpy

    env = simpy.Environment()
    sim = se.ExactNetwork(env, decay_network(5, 1.0), se.RandomStream(4))
    env.run()  # no `until`: the queue empties once every molecule has decayed
    assert sim.counts() == {"A": 0, "B": 5}


def test_remove_refuses_more_than_present():
    import simpy

    env = simpy.Environment()
    sim = se.ExactNetwork(env, decay_network(5, 0.0), se.RandomStream(4))
    sim.remove("A", 2)
    assert sim.count("A") == 3
    with pytest.raises(ValueError, match='cannot remove 4 "A": only 3 present'):
        sim.remove("A", 4)


def test_same_seed_same_trajectories_different_seed_differs():
    net = decay_network(30, 1.0)
    a = se.simulate_network(net, t_end_ms=5.0, dt_out_ms=0.1, n_trajectories=3, seed=11)
    b = se.simulate_network(net, t_end_ms=5.0, dt_out_ms=0.1, n_trajectories=3, seed=11)
    c = se.simulate_network(net, t_end_ms=5.0, dt_out_ms=0.1, n_trajectories=3, seed=12)
    assert np.array_equal(a.counts, b.counts)
    assert not np.array_equal(a.counts, c.counts)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())


def test_outside_changes_are_applied_at_their_time():
    # Molecules added at t = 2 ms by another process appear in the trace from that grid time.
    import simpy

    env = simpy.Environment()
    sim = se.ExactNetwork(env, decay_network(0, 0.0), se.RandomStream(1), trace_dt_ms=1.0,
                          t_end_ms=4.0)

    def feeder():
        yield env.timeout(2.0)
        sim.add("A", 5)
        yield env.timeout(1.0)
        sim.set_rate("decay", 1e6)  # everything decays right after t = 3

    env.process(feeder())
    env.run(until=4.0)
    sim.finish(4.0)
    assert sim.trace_array()[:, 0].tolist() == [0, 0, 5, 5, 0]


@pytest.mark.statistical
@pytest.mark.slow
def test_canonical_cleft_network_matches_reference(shared_benchmarks):
    spec = json.loads((shared_benchmarks / "cleft_network.json").read_text())
    net = se.ReactionNetwork.from_dict(spec)
    run = se.simulate_network(net, t_end_ms=spec["t_end_ms"], dt_out_ms=spec["dt_out_ms"],
                              n_trajectories=1000, seed=2026)
    o = run.species(spec["observed"])
    peak = o.max(axis=1)
    area = np.trapezoid(o, dx=spec["dt_out_ms"], axis=1)
    ref = spec["reference"]["peak_O"]
    se_mean = ref["sd"] / math.sqrt(peak.size)
    assert abs(peak.mean() - ref["mean"]) < 4 * se_mean
    sample = pd.read_csv(shared_benchmarks / "reference_sample.csv")
    assert stats.ks_2samp(peak, sample["peak_O"]).pvalue > 0.01
    assert stats.ks_2samp(area, sample["area_O_ms"]).pvalue > 0.01


def test_batched_exact_mode_gives_the_scalar_trajectories(monkeypatch):
    # With the Python loops, simulate_network advances many trajectories together; each must
    # be the trajectory the scalar engine (Python or compiled loop) gives alone for the same
    # seed (same draws, same sums, same selection).
    net = se.ReactionNetwork(
        ("A", "B", "C"),
        (se.Reaction("bind", {"A": 1, "B": 1}, {"C": 1}, 0.01),
         se.Reaction("unbind", {"C": 1}, {"A": 1, "B": 1}, 0.5),
         se.Reaction("pair", {"A": 2}, {"B": 1}, 0.001),
         se.Reaction("make", {}, {"A": 1}, 2.0)),
        {"A": 60, "B": 30},
    )
    loop = kernel.KERNEL
    monkeypatch.setattr(kernel, "KERNEL", "python")
    batched = se.simulate_network(net, t_end_ms=20.0, dt_out_ms=0.5, n_trajectories=100, seed=5)
    monkeypatch.setattr(kernel, "KERNEL", loop)
    # Reaction logs need the scalar engine, one trajectory at a time.
    scalar = se.simulate_network(net, t_end_ms=20.0, dt_out_ms=0.5, n_trajectories=100, seed=5,
                                 log_level="reaction")
    assert batched.events is None and scalar.events is not None
    assert np.array_equal(batched.counts, scalar.counts)
    assert np.array_equal(batched.reactions_fired, scalar.reactions_fired)


def test_mode_is_checked():
    with pytest.raises(se.ParameterError, match=r'"mode" must be one of \['):
        se.simulate_network(decay_network(5, 1.0), t_end_ms=1.0, dt_out_ms=0.5, mode="fast")


def test_simulate_network_equals_a_network_run_by_simpy():
    """In exact mode simulate_network runs each trajectory as a passive network; the same
    network as a SimPy process of its own gives the same events. (Hybrid mode differs by
    design: simulate_network integrates pools from the rate equations, a SimPy network leaps.)"""
    mode = "exact"
    import simpy

    from synevent.engine.random import make_seed_sequence

    net = se.ReactionNetwork(
        ("G", "R", "RG", "Gout"),
        (se.Reaction("bind", {"G": 1, "R": 1}, {"RG": 1}, 0.01),
         se.Reaction("unbind", {"RG": 1}, {"G": 1, "R": 1}, 5.0),
         se.Reaction("escape", {"G": 1}, {"Gout": 1}, 1.0)),
        {"G": 3000, "R": 40},
    )
    run = se.simulate_network(net, t_end_ms=5.0, dt_out_ms=0.05, n_trajectories=3, seed=8,
                              mode=mode)
    for i, child in enumerate(make_seed_sequence(8).spawn(3)):
        env = simpy.Environment()
        sim = se.ExactNetwork(env, net, se.RandomStream(child), trace_dt_ms=0.05, t_end_ms=5.0,
                              mode=mode)
        env.run(until=5.0)
        sim.finish(5.0)
        assert np.array_equal(sim.trace_array(), run.counts[i])
        assert sim.fired == run.reactions_fired[i]


def test_a_seed_sequence_gives_the_same_trajectories_every_time():
    # spawn() would count the children already handed out and give new ones on a second call.
    net = se.ReactionNetwork(("A", "B"), (se.Reaction("r", {"A": 1}, {"B": 1}, 0.5),), {"A": 100})
    root = np.random.SeedSequence(11)
    a = se.simulate_network(net, t_end_ms=5.0, dt_out_ms=0.5, n_trajectories=3, seed=root)
    b = se.simulate_network(net, t_end_ms=5.0, dt_out_ms=0.5, n_trajectories=3, seed=root)
    c = se.simulate_network(net, t_end_ms=5.0, dt_out_ms=0.5, n_trajectories=3, seed=11)
    np.testing.assert_array_equal(a.counts, b.counts)
    np.testing.assert_array_equal(a.counts, c.counts)
    assert root.n_children_spawned == 0


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: se.ReactionNetwork("AB", ()), r'"species" must be a sequence of species names, got \'AB\''),
        (lambda: se.ReactionNetwork(("A", "B"), se.Reaction("r", {"A": 1}, {"B": 1}, 1.0)),
         r'"reactions" must be a sequence of Reaction objects, got Reaction\(name=\'r\''),
        (lambda: se.ReactionNetwork(("A",), [{"name": "r"}]), r'"reactions" must hold Reaction objects, got \{\'name\': \'r\'\}'),
        (lambda: se.stochastic_rate(3, 1.0), r'"order" must be 0, 1 or 2, got 3'),
        (lambda: se.stochastic_rate("1", 1.0), r'"order" must be 0, 1 or 2, got \'1\''),
    ],
)
def test_network_of_wrong_types_is_refused(build, message):
    with pytest.raises(se.ParameterError, match=message):
        build()
