"""Summation, coincidence detection and circuits: the postsynaptic must-show lines."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.stats import chi2, fisher_exact

import synevent as se

GLU = se.presets.glutamatergic()
GABA = se.presets.gabaergic()
#: Synapses per stimulated Schaffer-collateral bundle: one bundle gives a ~17 mV EPSP.
BUNDLE = 120


def _ca1_trial(seed: int, excitatory_ms: list[float], inhibitory_ms: list[float] = ()) -> np.ndarray:
    c = se.Circuit()
    cell = c.add_neuron("ca1", se.ca1_pyramidal())
    for k, t in enumerate(excitatory_ms):
        c.connect(c.add_input(f"e{k}", se.explicit([t])), cell, GLU, n=BUNDLE)
    for k, t in enumerate(inhibitory_ms):
        c.connect(c.add_input(f"i{k}", se.explicit([t])), cell, GABA, n=60)
    r = c.run(max([*excitatory_ms, *inhibitory_ms]) + 25.0, seed=seed)
    assert r.conserved
    return r.neuron_spikes["ca1"]


@pytest.mark.slow
def test_coincidence_and_inhibition_decide_whether_the_cell_fires():
    n = 5  # 0/5 against 5/5 is significant at p < 0.01 (Fisher exact)
    # Two volleys 100 ms apart (five membrane time constants, tau_m = 20 ms); the first
    # 100 ms of these runs are the single-EPSP trials.
    apart = [_ca1_trial(s, [5.0, 105.0]) for s in range(n)]
    one = [bool(np.any(sp < 100.0)) for sp in apart]
    apart = [len(sp) > 0 for sp in apart]
    two = [len(_ca1_trial(100 + s, [5.0, 5.0])) > 0 for s in range(n)]
    shunted = [len(_ca1_trial(300 + s, [5.0, 5.0], [5.0])) > 0 for s in range(n)]
    assert sum(one) == 0 and sum(apart) == 0 and sum(shunted) == 0
    assert sum(two) == n
    for other in (one, apart, shunted):
        table = [[sum(two), n - sum(two)], [sum(other), n - sum(other)]]
        assert fisher_exact(table)[1] < 0.01


def test_spike_probability_against_synchronous_inputs_is_a_monotone_sigmoid():
    # Cerebellar granule cell with mossy-fibre-like inputs of five release sites each.
    mf = GLU.replace(vesicles={"n_sites": 5})
    levels, trials = np.arange(1, 7), 20
    fired = []
    for n_in in levels:
        k = 0
        for s in range(trials):
            c = se.Circuit()
            cell = c.add_neuron("grc", se.cerebellar_granule())
            c.connect(c.add_inputs("mf", se.explicit([2.0]), int(n_in)), cell, mf)
            k += len(c.run(20.0, seed=int(1000 * n_in + s)).neuron_spikes["grc"]) > 0
        fired.append(k)
    fired = np.asarray(fired)
    p = fired / trials
    se_p = np.sqrt(np.maximum(p * (1 - p), 1.0 / trials) / trials)
    # Monotone: no level lower than the one before beyond sampling error.
    assert np.all(np.diff(p) > -2 * np.hypot(se_p[1:], se_p[:-1]))
    assert p[0] < 0.1 and p[-1] > 0.9

    def nll(theta):
        q = 1 / (1 + np.exp(-(levels - theta[0]) / abs(theta[1])))
        q = np.clip(q, 1e-9, 1 - 1e-9)
        return -np.sum(fired * np.log(q) + (trials - fired) * np.log(1 - q))

    fit = minimize(nll, [3.0, 0.5], method="Nelder-Mead")
    q = 1 / (1 + np.exp(-(levels - fit.x[0]) / abs(fit.x[1])))
    expected = np.clip(trials * q, 1e-9, None)
    var = np.clip(trials * q * (1 - q), 0.5, None)
    stat = np.sum((fired - expected) ** 2 / var)
    assert chi2.sf(stat, len(levels) - 2) > 0.01  # a logistic curve is not rejected
    assert 1.0 < fit.x[0] < 6.0


def test_chain_delivers_spikes_after_the_conduction_delay():
    c = se.Circuit()
    # Cell a fires repetitively under a suprathreshold current step (24 pA reaches threshold).
    a = c.add_neuron("a", se.cerebellar_granule(), se.CurrentClamp(steps_pA=[(5.0, 200.0, 30.0)]))
    b = c.add_neuron("b", se.cerebellar_granule())
    (name,) = c.connect(a, b, GLU, delay_ms=1.5)
    r = c.run(220.0, seed=4)
    spikes_a = r.neuron_spikes["a"]
    assert len(spikes_a) >= 3
    arrivals = r.synapses[name].spikes_ms
    np.testing.assert_allclose(arrivals, spikes_a + 1.5, rtol=0, atol=1e-9)
    ev = r.events
    assert set(ev.loc[ev["kind"] == "spike", "component"].astype(str)) >= {"a", "a->b#0.terminal"}


def test_divergent_synapses_release_independently():
    c = se.Circuit()
    cell = c.add_neuron("n", se.ca1_pyramidal())
    names = c.connect(c.add_input("fibre", se.regular(20.0, 5, start_ms=1.0)), cell, GLU, n=30)
    r = c.run(260.0, seed=8)
    q = np.array([r.synapses[k].quanta_per_spike() for k in names])  # synapses x spikes
    for k in names:
        np.testing.assert_array_equal(r.synapses[k].spikes_ms, r.input_spikes["fibre"])
    # Independent release: first-spike quanta vary across synapses (binomial, not all equal).
    assert q[:, 0].std() > 0
    assert r.conserved


def test_same_seed_same_circuit_run():
    def run():
        c = se.Circuit()
        cell = c.add_neuron("grc", se.cerebellar_granule())
        c.connect(c.add_inputs("mf", se.poisson(40.0, 100.0), 4), cell, GLU)
        return c.run(100.0, seed=21)

    a, b = run(), run()
    assert a.events.equals(b.events)
    np.testing.assert_array_equal(a.voltage("grc"), b.voltage("grc"))
    np.testing.assert_array_equal(a.neuron_spikes["grc"], b.neuron_spikes["grc"])


def test_bad_circuit_input_is_refused_with_the_field_named():
    c = se.Circuit()
    c.add_neuron("a")
    c.add_neuron("b")
    c.add_input("x", se.explicit([1.0]))
    with pytest.raises(se.ParameterError, match='unknown target neuron "c"'):
        c.connect("x", "c", GLU)
    with pytest.raises(se.ParameterError, match="delay_ms"):
        c.connect("a", "b", GLU, delay_ms=0.0)
    with pytest.raises(se.ParameterError, match='unknown source "y"'):
        c.connect("y", "a", GLU)
    with pytest.raises(se.ParameterError, match="already exists"):
        c.add_neuron("a")
    with pytest.raises(se.ParameterError, match='"n"'):
        c.connect("x", "a", GLU, n=0)


def test_a_refused_connect_leaves_the_circuit_unchanged():
    c = se.Circuit()
    c.add_neuron("a")
    c.add_input("x", se.explicit([1.0]))
    c.add_input("y", se.explicit([1.0]))
    with pytest.raises(se.ParameterError, match='unknown source "z"'):
        c.connect(["x", "z"], "a", GLU)
    with pytest.raises(se.ParameterError, match=r'knockout "target" must name .* got \'AMPAR\''):
        c.connect("x", "a", GLU, interventions=[se.Knockout(target="AMPAR")])
    assert c.connections == []
    # Interventions given as a generator reach every source, and one application is accepted.
    c.connect(["x", "y"], "a", GLU, interventions=(d for d in [se.drug("NBQX", 1.0)]))
    c.connect("x", "a", GLU, interventions=se.drug("NBQX", 1.0))
    assert [len(conn.interventions) for conn in c.connections] == [1, 1, 1]
