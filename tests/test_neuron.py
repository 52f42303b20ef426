"""The postsynaptic neuron: ions, passive integration, NMDA block, Hodgkin–Huxley, clamps."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import synevent as se
from synevent.assembly import ConductanceGroup
from synevent.postsynaptic.membrane import Membrane

RT_F_37 = 8.314462618 * 310.15 / 96485.33212 * 1000.0  # mV, written out independently


def test_nernst_and_ghk_equal_their_analytic_values():
    ions = se.IonConcentrations()
    assert ions.e_k_mV == pytest.approx(RT_F_37 * math.log(4.0 / 155.0), abs=1e-9)
    assert ions.e_na_mV == pytest.approx(RT_F_37 * math.log(145.0 / 12.0), abs=1e-9)
    assert ions.e_cl_mV == pytest.approx(-RT_F_37 * math.log(123.0 / 4.2), abs=1e-9)
    assert ions.e_ca_mV == pytest.approx(RT_F_37 / 2 * math.log(2.0 / 1e-4), abs=1e-9)
    num = 4.0 + 0.04 * 145.0 + 0.45 * 4.2
    den = 155.0 + 0.04 * 12.0 + 0.45 * 123.0
    assert ions.resting_potential_mV == pytest.approx(RT_F_37 * math.log(num / den), abs=1e-9)
    # Only K+ permeable: GHK reduces to the K+ Nernst potential.
    k_only = se.IonConcentrations(p_na_rel=0.0, p_cl_rel=0.0)
    assert k_only.resting_potential_mV == pytest.approx(k_only.e_k_mV, abs=1e-12)
    assert se.nernst_mV(1, 10.0, 10.0, 20.0) == 0.0


def test_cell_without_input_stays_at_the_ghk_potential():
    c = se.Circuit()
    c.add_neuron("n", se.ca1_pyramidal())
    v = c.run(50.0, seed=1).voltage("n")
    assert np.all(v == se.ca1_pyramidal().ions.resting_potential_mV)


def test_passive_response_to_a_current_step_is_the_analytic_exponential():
    p = se.ca1_pyramidal()
    c = se.Circuit()
    c.add_neuron("n", p, se.CurrentClamp(steps_pA=[(10.0, 60.0, 100.0)]))
    r = c.run(100.0, seed=1, trace_dt_ms=0.05)
    t = r.traces["t_ms"].to_numpy()
    e, tau, dv = p.e_rest_mV, p.tau_m_ms, 100.0 / p.g_leak_nS
    on = np.clip(t - 10.0, 0, 50.0)
    expected = e + dv * (1 - np.exp(-on / tau))
    expected = np.where(t > 60.0, e + (expected[np.searchsorted(t, 60.0)] - e)
                        * np.exp(-(t - 60.0) / tau), expected)
    assert np.max(np.abs(r.voltage("n") - expected)) < 1e-9  # the must-show asks 0.1 mV


class _Events:
    """Stands in for a cleft network: the channel events a membrane reads."""

    def __init__(self, events):
        self.watch_t = [t for t, _, _ in events]
        self.watch_g = [g for _, g, _ in events]
        self.watch_d = [d for _, _, d in events]

    def catch_up(self, t_ms: float) -> None:
        pass


def test_nmda_integration_agrees_with_an_independent_solver():
    p = se.NeuronParams(capacitance_pF=100.0, g_leak_nS=5.0, e_leak_mV=-70.0,
                        v_threshold_mV=0.0, v_reset_mV=-80.0)
    groups = [ConductanceGroup("NMDA", ("x",), 0.2, 0.0, True),
              ConductanceGroup("AMPA", ("y",), 0.1, 0.0, False)]
    events = [(1.0, 0, 120), (1.0, 1, 300), (3.0, 1, -300), (12.0, 0, -60), (30.0, 0, -60)]
    m = Membrane(p, se.CurrentClamp(), t_end_ms=60.0, trace_dt_ms=0.5)
    m.attach(_Events(events), groups, 1.0, [0, 0])
    m.finish(60.0)

    def rhs(_t, v, g_n, g_a):
        b = 1 / (1 + math.exp(-0.062 * v[0]) / 3.57)
        return [(-5.0 * (v[0] + 70.0) - g_n * b * v[0] - g_a * v[0]) / 100.0]

    pieces = [(0, 1, 0, 0), (1, 3, 24.0, 30.0), (3, 12, 24.0, 0), (12, 30, 12.0, 0), (30, 60, 0, 0)]
    t_grid = np.arange(121) * 0.5
    ref = np.empty_like(t_grid)
    v0 = -70.0
    for a, b, gn, ga in pieces:
        sel = (t_grid >= a) & (t_grid < b) if b < 60 else (t_grid >= a)
        sol = solve_ivp(rhs, (a, b), [v0], args=(gn, ga), method="LSODA", rtol=1e-11,
                        atol=1e-11, t_eval=t_grid[sel], dense_output=True)
        ref[sel] = sol.y[0]
        v0 = float(sol.sol(b)[0])
    v = np.asarray(m.rec_v)
    assert v.max() > -45.0  # the NMDA conductance was engaged well off rest
    assert np.max(np.abs(v - ref)) < 1e-3


V04 = {-100: 0.0072, -80: 0.0244, -60: 0.0796, -40: 0.2302, -20: 0.5081, 0: 0.7812,
       20: 0.9250, 40: 0.9771}


def test_nmda_current_voltage_relation_shows_the_v04_block():
    nmda_only = se.presets.glutamatergic().replace(
        receptors=tuple(p for p in se.presets.glutamatergic().receptors if p.scheme.name == "NMDA"))

    def peak_conductance(v_mV: float, mg_mM: float) -> float:
        c = se.Circuit()
        c.add_neuron("n", se.ca1_pyramidal(), se.VoltageClamp(holding_mV=v_mV))
        c.add_input("a", se.explicit([2.0]))
        c.connect("a", "n", nmda_only.replace(mg_mM=mg_mM), n=4)
        return float(np.max(np.abs(c.run(60.0, seed=11).traces["n.g_syn_nS"])))

    for v, b in V04.items():
        # Gating does not depend on voltage, so the same seed gives the same open channels.
        assert peak_conductance(v, 1.0) / peak_conductance(v, 0.0) == pytest.approx(b, abs=6e-5)


def test_hodgkin_huxley_rests_and_fires_repetitively_at_the_published_rate():
    p = se.NeuronParams(model="hh")
    step_pA = 10.0 * p.area_cm2 * 1e6  # 10 uA/cm2
    c = se.Circuit()
    c.add_neuron("n", p, se.CurrentClamp(steps_pA=[(20.0, 520.0, step_pA)]))
    r = c.run(540.0, seed=0, trace_dt_ms=0.02)
    v = r.voltage("n")
    assert np.all(np.abs(v[:900] + 65.0) < 0.1)  # rest before the step
    spikes = r.neuron_spikes["n"]
    assert v.max() > 30.0  # overshoot
    late = spikes[spikes > 120.0]
    rate = (len(late) - 1) / (late[-1] - late[0]) * 1000.0
    # Repetitive firing of the squid-axon model at 10 uA/cm2, 6.3 C: about 68 Hz.
    assert 60.0 < rate < 75.0


def test_bad_neuron_input_is_refused_with_the_field_named():
    with pytest.raises(se.ParameterError, match="capacitance_pF"):
        se.NeuronParams(capacitance_pF=-1.0)
    with pytest.raises(se.ParameterError, match="v_reset_mV"):
        se.NeuronParams(v_reset_mV=-40.0, v_threshold_mV=-50.0)
    with pytest.raises(se.ParameterError, match="model"):
        se.NeuronParams(model="izhikevich")
    with pytest.raises(se.ParameterError, match="overlap"):
        se.VoltageClamp(steps_mV=[(0, 10, 0.0), (5, 20, -20.0)])
    with pytest.raises(se.ParameterError, match="stop after it starts"):
        se.CurrentClamp(steps_pA=[(10, 5, 1.0)])
    with pytest.raises(se.ParameterError, match="unknown neuron field"):
        se.ca1_pyramidal(tau=3)
