"""simulate_network's hybrid mode (engine.pools): split, exactness where nothing is pooled,
conservation, determinism, the Python loop against the compiled one, and error against exact
mode on a preset's cleft."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import synevent as se
from synevent.assembly import build_synapse_network, conductance_groups
from synevent.engine import kernel, pools
from synevent.engine.partition import LeapPlan


def _cleft(name: str, vesicles: int = 1) -> tuple[se.ReactionNetwork, tuple[str, ...], tuple]:
    syn = se.presets.get(name)
    net, _ = build_synapse_network(syn)
    net = net.with_counts(**{syn.transmitter: vesicles * syn.vesicles.molecules_per_vesicle})
    receptors = tuple(s for s in net.species
                      if any(s.startswith(f"{p.scheme.name}.") for p in syn.receptors))
    return net, receptors, conductance_groups(syn)[0].species


def test_split_by_pools(shared_benchmarks):
    net = se.ReactionNetwork.from_json(shared_benchmarks / "cleft_network.json")
    plan = pools.PoolPlan.build(net)
    names = lambda js: [net.reactions[j].name for j in js]  # noqa: E731
    assert names(plan.integrated) == ["tbind", "tunbind", "uptake", "escape"]
    assert names(plan.exact) == ["bind1", "unbind1", "bind2", "unbind2", "open", "close",
                                 "desens", "resens"]
    assert [s for s, c in zip(net.species, plan.continuous) if c] == ["G", "T", "TG", "Gin",
                                                                      "Gout"]
    # exact_species keeps a pool whole-numbered and its reactions exact.
    plan = pools.PoolPlan.build(net, ("T", "TG"))
    assert names(plan.integrated) == ["escape"]


def test_without_pools_it_is_the_direct_method():
    # Nothing pooled (50 molecules): every reaction is exact, and A <-> B relaxes to the
    # binomial law of the master equation: mean and variance of A within 4 SE at 3 ms.
    kf, kb, n0, t = 0.7, 0.3, 50, 3.0
    net = se.ReactionNetwork(("A", "B"), (se.Reaction("f", {"A": 1}, {"B": 1}, kf),
                                          se.Reaction("b", {"B": 1}, {"A": 1}, kb)), {"A": n0})
    assert not pools.PoolPlan.build(net).continuous.any()
    n = 4000
    run = se.simulate_network(net, t_end_ms=t, dt_out_ms=0.5, n_trajectories=n, seed=5,
                              mode="hybrid")
    a = run.species("A")[:, -1]
    p = (kb + kf * math.exp(-(kf + kb) * t)) / (kf + kb)  # one molecule still (or again) A
    mean, var = n0 * p, n0 * p * (1 - p)
    assert abs(a.mean() - mean) < 4 * math.sqrt(var / n)
    # SE of the sample variance of a binomial: sqrt((mu4 - var^2 (n-3)/(n-1)) / n).
    mu4 = n0 * p * (1 - p) * (1 + 3 * (n0 - 2) * p * (1 - p))
    assert abs(a.var(ddof=1) - var) < 4 * math.sqrt((mu4 - var**2 * (n - 3) / (n - 1)) / n)
    assert (run.counts == np.round(run.counts)).all()
    assert (run.species("A") + run.species("B") == n0).all()


def test_same_seed_same_trajectories_and_prefixes():
    net, receptors, _ = _cleft("glutamatergic")
    kw = dict(t_end_ms=3.0, dt_out_ms=0.05, seed=11, mode="hybrid", exact_species=receptors)
    a = se.simulate_network(net, n_trajectories=6, **kw)
    b = se.simulate_network(net, n_trajectories=6, **kw)
    c = se.simulate_network(net, n_trajectories=3, **kw)
    assert np.array_equal(a.counts, b.counts) and np.array_equal(a.counts[:3], c.counts)
    assert a.counts.dtype == np.float64


@pytest.mark.parametrize("preset", ["glutamatergic", "gabaergic"])
def test_python_loop_gives_the_compiled_loops_trajectories(monkeypatch, preset):
    # The glutamatergic cleft's loop tests reactions one after the other, the GABAergic one's
    # picks them by counting (chain_misses 0.65 and 0.88): both are checked.
    pytest.importorskip("numba")
    if kernel.KERNEL != "numba":
        pytest.skip("SYNEVENT_KERNEL asks for the Python loops")
    net, receptors, _ = _cleft(preset)
    kw = dict(t_end_ms=2.0, dt_out_ms=0.05, n_trajectories=3, seed=3, mode="hybrid",
              exact_species=receptors)
    compiled = se.simulate_network(net, **kw)
    monkeypatch.setattr(kernel, "KERNEL", "python")
    python = se.simulate_network(net, **kw)
    assert np.array_equal(compiled.reactions_fired, python.reactions_fired)
    assert np.array_equal(compiled.counts, python.counts)


def test_both_ways_of_picking_a_reaction_give_the_same_trajectories():
    # A chain of tests, or counting and a table (kernel_source): the same trajectories, in
    # whichever loop is in use.
    net, receptors, _ = _cleft("glutamatergic")
    runs = [pools.run_pools(net, np.random.default_rng(8), 12, t_end_ms=3.0, dt_out_ms=0.02,
                            exact_species=receptors, branchless=b) for b in (False, True)]
    assert np.array_equal(runs[0][0], runs[1][0])
    assert np.array_equal(runs[0][1], runs[1][1]) and runs[0][1].min() > 0


def test_chain_misses():
    assert pools.chain_misses(np.array([5.0])) == 0.0
    assert pools.chain_misses(np.zeros(3)) == 0.0
    assert pools.chain_misses(np.array([1.0, 1.0])) == 0.5
    # Three equal shares: 1/3 at the first test, then 2/3 x 1/2 at the second.
    assert pools.chain_misses(np.ones(3)) == pytest.approx(2.0 / 3.0)


def test_propagators_are_the_matrix_exponential():
    # Small matrices (the Pade approximant) and large ones (scipy's expm): within 1e-7 of
    # scipy.linalg.expm, and every conservation law of the generator kept to rounding.
    from scipy.linalg import expm

    gen = np.random.default_rng(4)
    x = gen.normal(size=(400, 4, 4))
    x -= x.sum(axis=1, keepdims=True) / 4  # columns sum to 0: (1, 1, 1, 1) is conserved
    x *= gen.uniform(0.0, 2.0, size=(400, 1, 1)) / np.abs(x).sum(axis=1).max(axis=1)[:, None, None]
    got = pools._propagators(x)
    norms = np.abs(x).sum(axis=1).max(axis=1)
    assert (norms > pools.PADE_NORM).any() and (norms <= pools.PADE_NORM).any()  # both ways
    assert np.abs(got - expm(x)).max() < 1e-7
    assert np.abs(got.sum(axis=1) - 1.0).max() < 1e-12
    assert pools._propagators(np.zeros((3, 0, 0))).shape == (3, 0, 0)


@pytest.mark.parametrize("mode", ["exact", "hybrid"])
def test_a_network_without_reactions_keeps_its_counts(mode):
    net = se.ReactionNetwork(("A", "B"), (), {"A": 300, "B": 2})
    run = se.simulate_network(net, t_end_ms=2.0, dt_out_ms=0.5, n_trajectories=3, seed=1,
                              mode=mode)
    assert (run.species("A") == 300).all() and (run.species("B") == 2).all()
    assert (run.reactions_fired == 0).all()


@pytest.mark.parametrize("mode", ["exact", "hybrid"])
@pytest.mark.parametrize("bad, message", [
    (("nope",), "names unknown species \\['nope'\\]"),
    ("A", "must be a sequence of species names, got 'A'"),
])
def test_exact_species_are_checked_in_both_modes(mode, bad, message):
    net = se.ReactionNetwork(("A",), (), {"A": 1})
    with pytest.raises(se.ParameterError, match=message):
        se.simulate_network(net, t_end_ms=1.0, dt_out_ms=1.0, mode=mode, exact_species=bad)


def test_reaction_logs_need_exact_mode():
    net = se.ReactionNetwork(("A",), (), {"A": 1})
    with pytest.raises(se.ParameterError, match='log_level "reaction" needs mode "exact"'):
        se.simulate_network(net, t_end_ms=1.0, dt_out_ms=1.0, mode="hybrid",
                            log_level="reaction")


@pytest.mark.statistical
def test_neuromuscular_cleft_against_exact_mode():
    # 500,000 receptors exchange ACh with a pool they dominate (the case where holding the
    # pools' mean exchange within a step, instead of removing it, cost 2.6 % of the peak).
    # Open channels' peak and area within 4 SE of exact mode, KS not rejecting at 0.01, and
    # every conservation law to rounding at every grid time.
    net, receptors, open_sp = _cleft("neuromuscular")
    kw = dict(t_end_ms=3.0, dt_out_ms=0.01, n_trajectories=300, exact_species=receptors)
    runs = [se.simulate_network(net, seed=20, **kw),
            se.simulate_network(net, seed=21, mode="hybrid", **kw)]
    obs = [sum(r.species(s) for s in open_sp) for r in runs]
    for f in (lambda o: o.max(axis=1), lambda o: np.trapezoid(o, dx=0.01, axis=1)):
        a, b = (f(o).astype(float) for o in obs)
        se_d = math.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
        assert abs(b.mean() - a.mean()) < 4 * se_d
        assert stats.ks_2samp(a, b).pvalue > 0.01
    laws = LeapPlan(net).law_matrix
    totals = np.einsum("ls,ngs->nlg", laws, runs[1].counts)
    assert np.abs(totals - totals[:, :, :1]).max() < 1e-9 * totals.max()
    assert (runs[1].counts >= 0).all()
