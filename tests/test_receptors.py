"""V-03 receptor schemes and V-04 Mg²⁺ block; scheme validation."""

from __future__ import annotations

import math

import numpy as np
import pytest
import simpy
from scipy import stats

import synevent as se
from synevent.engine.log import EventLog
from synevent.postsynaptic import library as lib

PULSE_UM, PULSE_MS = 1000.0, 1.0


def pulse(t: float) -> float:
    return PULSE_UM if t < PULSE_MS else 0.0


@pytest.mark.parametrize(
    "factory, alpha, beta, r_end, tau_decay",
    [
        (lib.ampa_two_state, 1.1, 0.19, 0.618, 5.26),
        (lib.nmda_two_state, 0.072, 0.0066, 0.0692, 151.5),
        (lib.gabaa_two_state, 5.0, 0.18, 0.960, 5.56),
    ],
)
def test_v03_two_state_mean_field(factory, alpha, beta, r_end, tau_decay):
    scheme = factory()
    po = scheme.open_probability(pulse, [0.0, PULSE_MS])[-1]
    c = PULSE_UM / 1000.0  # mM
    analytic = alpha * c / (alpha * c + beta) * (1 - math.exp(-(alpha * c + beta) * PULSE_MS))
    assert po == pytest.approx(analytic, rel=1e-6)
    assert po == pytest.approx(r_end, abs=5e-4)
    assert 1 / beta == pytest.approx(tau_decay, rel=0.01)


def run_clamped(scheme: se.ReceptorScheme, n: int, seed: int, t_end: float, dt: float):
    env = simpy.Environment()
    log = EventLog("reaction")
    sim = se.ExactNetwork(env, scheme.clamped_network(n, PULSE_UM), se.RandomStream(seed),
                          trace_dt_ms=dt, t_end_ms=t_end, log=log)

    def off():
        yield env.timeout(PULSE_MS)
        for name in scheme.binding_reactions():
            sim.set_rate(name, 0.0)

    env.process(off())
    env.run(until=t_end)
    sim.finish(t_end)
    return sim, log.to_frame()


@pytest.mark.statistical
@pytest.mark.parametrize("factory", [lib.ampa_two_state, lib.gabaa_two_state])
def test_v03_two_state_stochastic(factory):
    # 4000 receptors: the open count at the pulse end is Binomial(n, r_end); after the pulse
    # every closing is first order at beta, so closing times are Exp(beta) (KS).
    scheme = factory()
    n = 4000
    sim, ev = run_clamped(scheme, n, 17, 40.0, PULSE_MS)
    r_end = scheme.open_probability(pulse, [0.0, PULSE_MS])[-1]
    n_open = sim.trace_array()[1, scheme.states.index("O")]
    assert abs(n_open - n * r_end) < 4 * math.sqrt(n * r_end * (1 - r_end))
    beta = scheme.transitions[1].rate
    closings = ev[(ev["detail"] == f"{scheme.name}:O->C") & (ev["t_ms"] > PULSE_MS)]["t_ms"]
    # Channels open at the pulse end close after Exp(beta): their closing times, truncated at
    # the end of the run, follow a truncated exponential.
    t = closings.to_numpy() - PULSE_MS
    t_max = 40.0 - PULSE_MS
    cdf = lambda x: (1 - np.exp(-beta * x)) / (1 - math.exp(-beta * t_max))  # noqa: E731
    assert stats.kstest(t, cdf).pvalue > 0.01


@pytest.mark.statistical
def test_v03_six_state_ampa_peak():
    scheme = lib.ampa_destexhe_6state()
    grid = np.linspace(0.0, 3.0, 301)
    po = scheme.open_probability(pulse, grid)
    k = int(np.argmax(po))
    assert po[k] == pytest.approx(0.17, abs=0.005)
    assert grid[k] == pytest.approx(1.0, abs=0.05)
    # Stochastic: pooled open fraction at 1 ms over 10 runs of 1000 receptors, within 4 SE.
    n, runs = 1000, 10
    opens = [run_clamped(scheme, n, 100 + i, 1.5, 0.5)[0].trace_array()[2, 5] for i in range(runs)]
    p1 = scheme.open_probability(pulse, [0.0, 1.0])[-1]
    mean = np.mean(opens) / n
    assert abs(mean - p1) < 4 * math.sqrt(p1 * (1 - p1) / (n * runs))


V04 = {-100: 0.0072, -80: 0.0244, -60: 0.0796, -40: 0.2302, -20: 0.5081, 0: 0.7812,
       20: 0.9250, 40: 0.9771}


@pytest.mark.parametrize("v, b", sorted(V04.items()))
def test_v04_mg_block(v, b):
    assert se.mg_unblocked_fraction(v, 1.0) == pytest.approx(b, abs=1e-4)
    assert se.mg_unblocked_fraction(v, 0.0) == 1.0


def test_nmda_current_is_scaled_by_block():
    s = se.presets.glutamatergic()
    r = se.simulate(s, se.explicit([1.0]), t_end_ms=30.0, seed=3)
    nmda = s.receptors[1].scheme
    n_open = r.traces["NMDA_open"].to_numpy()
    expected_nmda = nmda.conductance_pS * n_open * se.mg_unblocked_fraction(-70.0, 1.0) * (-70.0) * 1e-3
    ampa = s.receptors[0].scheme.conductance_pS * r.traces["AMPA_open"].to_numpy() * (-70.0) * 1e-3
    assert np.allclose(r.traces["current_pA"].to_numpy(), ampa + expected_nmda)


def test_unknown_state_in_scheme_is_refused():
    with pytest.raises(se.ParameterError, match=r'names unknown state "C9"; known states are'):
        se.ReceptorScheme("X", ("C", "O"), (se.Transition("C", "C9", 1.0, "bind"),), ("O",), 10.0, 0.0)
    with pytest.raises(se.ParameterError, match=r'open state "Q" is unknown'):
        se.ReceptorScheme("X", ("C", "O"), (se.Transition("C", "O", 1.0, "bind"),), ("Q",), 10.0, 0.0)
    with pytest.raises(se.ParameterError, match=r"rate of C->O.* must be in \[0, inf\), got -1"):
        se.Transition("C", "O", -1.0, "bind")
