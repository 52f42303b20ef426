"""Retrograde endocannabinoid signalling: the ODE chain, the circuit wiring and DSI itself."""

from __future__ import annotations

import dataclasses
import math
import pathlib
import re

import numpy as np
import pandas as pd
import pytest
from scipy.integrate import solve_ivp

import synevent as se
from synevent.circuit.retrograde import (
    EndocannabinoidParams,
    EndocannabinoidState,
    ca_entry_inhibition_for_release,
)
from synevent.postsynaptic.ions import IonConcentrations

STEP = (1000.0, 6000.0, 0.0)  # (start_ms, stop_ms, command_mV): 5 s to 0 mV, as Wang & Zucker 2001


def _integrate(params: EndocannabinoidParams, protocol, t_end_ms: float, h_ms: float):
    """Step the chain on a grid of ``h_ms`` under a clamp protocol ``[(start, stop, v), ...]``,
    each step's Ca²⁺ load averaged over 0.1 ms samples of the potential (as a run does)."""
    st = EndocannabinoidState(params)
    n = int(round(t_end_ms / h_ms))
    out = np.empty((n + 1, 2))
    out[0] = 0.0
    sub = np.arange(0.0, h_ms, 0.1)
    for k in range(n):
        t = k * h_ms + sub
        v = np.full_like(t, params.v_rest_mV)
        for a, b, cmd in protocol:
            v[(t >= a) & (t < b)] = cmd
        st.step(h_ms, float(np.mean(params.ca_flux_uM_per_ms(v))))
        out[k + 1] = st.dca_uM, st.ecb_uM
    return np.arange(n + 1) * h_ms, out


def _reference(params: EndocannabinoidParams, protocol, t_eval: np.ndarray) -> np.ndarray:
    """scipy's Radau at tight tolerance, restarted at every clamp step."""
    edges = sorted({0.0, float(t_eval[-1]), *[x for a, b, _ in protocol for x in (a, b)]})
    y = np.zeros(2)
    out = np.zeros((t_eval.size, 2))
    for t0, t1 in zip(edges, edges[1:]):
        v = next((cmd for a, b, cmd in protocol if a <= t0 < b), params.v_rest_mV)
        sel = (t_eval >= t0) & (t_eval < t1)
        sol = solve_ivp(lambda _t, s: params.rhs(v, s), (t0, t1), y, method="Radau",
                        rtol=1e-11, atol=1e-14, t_eval=np.append(t_eval[sel], t1))
        out[sel] = sol.y[:, :-1].T
        y = sol.y[:, -1]
    out[-1] = y
    return out


# -- parameters ------------------------------------------------------------------------------
@pytest.mark.parametrize("field, value, message", [
    ("tau_ecb_ms", -1.0, r'"tau_ecb_ms" must be > 0, got -1.0'),
    ("cb1_max_ca_inhibition", 1.2, r'"cb1_max_ca_inhibition" must be in \[0, 1\], got 1.2'),
    ("ca_half_synthesis_uM", 0.0, r'"ca_half_synthesis_uM" must be > 0, got 0.0'),
    ("v_rest_mV", math.nan, r'"v_rest_mV" must be a number, got nan'),
])
def test_bad_parameters_are_refused(field, value, message):
    with pytest.raises(se.ParameterError, match=message):
        EndocannabinoidParams(**{field: value})


def test_replace_refuses_unknown_fields():
    with pytest.raises(se.ParameterError, match=r"unknown endocannabinoid field\(s\) \['tau_2ag'\]"):
        EndocannabinoidParams().replace(tau_2ag=1.0)


def test_add_retrograde_refuses_bad_input():
    c = se.Circuit()
    c.add_input("int", se.regular(1.0, 2))
    c.add_neuron("ca1")
    with pytest.raises(se.ParameterError, match=r'unknown neuron "ca3" for retrograde'):
        c.add_retrograde("ca3")
    with pytest.raises(se.ParameterError, match=r'"cb1_sources" names unknown nodes \[\'bc\'\]'):
        c.add_retrograde("ca1", cb1_sources=["bc"])
    with pytest.raises(se.ParameterError, match=r'"params" must be EndocannabinoidParams, got dict'):
        c.add_retrograde("ca1", {"tau_ecb_ms": 1.0})
    c.add_retrograde("ca1")
    with pytest.raises(se.ParameterError, match=r'neuron "ca1" already has retrograde signalling'):
        c.add_retrograde("ca1")


def test_derived_defaults():
    p = EndocannabinoidParams()
    # Max CB1 inhibition of Ca²⁺ entry: release falls to 10 % through the sensor's cooperativity.
    assert ca_entry_inhibition_for_release(se.presets.gabaergic(), 0.1) == pytest.approx(
        p.cb1_max_ca_inhibition, abs=1e-3)
    assert p.e_ca_mV == pytest.approx(IonConcentrations().e_ca_mV, abs=0.5)
    assert set(p.sources) >= {"tau_ecb_ms", "cb1_kd_uM", "ca_half_synthesis_uM"}


# -- the ODE chain against independent solutions ----------------------------------------------
def test_calcium_pool_is_exact_for_a_constant_load():
    p = EndocannabinoidParams()
    st = EndocannabinoidState(p)
    j = float(p.ca_flux_uM_per_ms(0.0))
    for _ in range(1000):  # 5 s in 5 ms steps
        st.step(5.0, j)
    assert st.dca_uM == pytest.approx(j * p.tau_ca_ms * (1 - math.exp(-5000.0 / p.tau_ca_ms)), rel=1e-12)


def test_ecb_decay_is_exact_without_calcium():
    p = EndocannabinoidParams()
    st = EndocannabinoidState(p)
    st.ecb_uM = 1.0
    for _ in range(200):
        st.step(5.0, 0.0)
    assert st.ecb_uM == pytest.approx(math.exp(-1000.0 / p.tau_ecb_ms), rel=1e-12)


@pytest.mark.parametrize("protocol, tol", [
    ([STEP], 1e-8),  # step edges on the update grid: only the quadrature errs
    ([(1002.5, 6002.5, 0.0)], 1e-5),  # edges inside an update step: the load is averaged (8e-7)
])
def test_chain_matches_solve_ivp(protocol, tol):
    p = EndocannabinoidParams()
    t, y = _integrate(p, protocol, 60000.0, 5.0)
    ref = _reference(p, protocol, t)
    for k, name in enumerate(("dca", "ecb")):
        err = np.max(np.abs(y[:, k] - ref[:, k])) / np.max(np.abs(ref[:, k]))
        assert err < tol, f"{name}: relative error {err:.2e}"
    factor = p.ca_entry_factor(y[:, 1])
    assert np.max(np.abs(factor - p.ca_entry_factor(ref[:, 1]))) < tol


# -- the circuit -----------------------------------------------------------------------------
def _gaba(molecules: float = 30.0):
    # Few molecules per vesicle keep the clefts cheap: these tests are about release.
    return se.presets.gabaergic(vesicles={"molecules_per_vesicle": molecules, "k_dock_per_ms": 2e-3})


def _run(seed, *, params=None, steps=(STEP,), t_end_ms=8000.0, n=4, rate_hz=1.0, sources=None,
         trace_dt_ms=1.0):
    c = se.Circuit()
    cell = c.add_neuron("ca1", se.ca1_pyramidal(), se.VoltageClamp(-70.0, steps_mV=steps))
    c.add_input("int", se.regular(rate_hz, int(t_end_ms / 1000.0 * rate_hz), start_ms=500.0))
    c.connect("int", cell, _gaba(), n=n)
    if params is not None:
        c.add_retrograde(cell, params, cb1_sources=sources)
    return c.run(t_end_ms, seed=seed, trace_dt_ms=trace_dt_ms)


def _same_log(a: se.CircuitResult, b: se.CircuitResult) -> None:
    pd.testing.assert_frame_equal(a.events, b.events)


def test_no_depolarisation_leaves_release_exactly_unchanged():
    control = _run(11, steps=())
    cb1 = _run(11, steps=(), params=EndocannabinoidParams())
    tr = cb1.traces
    assert (tr["ca1.cb1_factor"] == 1.0).all()
    assert (tr["ca1.ecb_uM"] == 0.0).all()
    assert (tr["ca1.ca_uM"] == EndocannabinoidParams().ca_rest_uM).all()
    _same_log(control, cb1)


def test_without_cb1_terminals_release_is_exactly_the_control():
    control = _run(12)
    no_cb1 = _run(12, params=EndocannabinoidParams(), sources=())
    assert no_cb1.provenance["retrograde"]["ca1"]["n_cb1_terminals"] == 0
    assert no_cb1.traces["ca1.cb1_factor"].min() < 0.9  # the signal ran, but reached no terminal
    _same_log(control, no_cb1)
    with_cb1 = _run(12, params=EndocannabinoidParams())
    assert with_cb1.provenance["retrograde"]["ca1"]["n_cb1_terminals"] == 4
    assert not with_cb1.events.equals(control.events)


def test_recorded_calcium_matches_the_analytic_pool():
    p = EndocannabinoidParams()
    r = _run(13, params=p, n=1, t_end_ms=8000.0, trace_dt_ms=0.5)
    tr = r.traces
    t = tr["t_ms"].to_numpy()
    j = float(p.ca_flux_uM_per_ms(0.0))
    tau = p.tau_ca_ms
    on = np.clip(t - STEP[0], 0.0, STEP[1] - STEP[0])
    peak = j * tau * (1 - np.exp(-(STEP[1] - STEP[0]) / tau))
    exact = np.where(t < STEP[1], j * tau * (1 - np.exp(-on / tau)), peak * np.exp(-(t - STEP[1]) / tau))
    assert np.max(np.abs(tr["ca1.ca_uM"].to_numpy() - p.ca_rest_uM - exact)) < 1e-4 * peak


@pytest.mark.statistical
@pytest.mark.slow
def test_depolarisation_suppresses_release_and_it_recovers():
    """DSI: release per stimulus falls after a 5 s step to 0 mV and recovers after ~5 τ.

    A faster 2-AG clearance (τ 4 s) keeps the run short; the ODE chain is checked above.
    """
    p = EndocannabinoidParams().replace(tau_ecb_ms=4000.0, synthesis_max_uM_per_s=1.0)
    step = (5000.0, 10000.0, 0.0)
    before, after, late = [], [], []
    for seed in (21, 22):
        r = _run(seed, params=p, steps=(step,), t_end_ms=55000.0, n=50)
        q = sum(s.quanta_per_spike() for s in r.synapses.values())
        t = r.input_spikes["int"]
        before += list(q[(t > 1000.0) & (t < step[0])])
        after += list(q[(t > step[1]) & (t < step[1] + 4000.0)])
        late += list(q[t > step[1] + 35000.0])
    b, a, lt = (np.asarray(x, dtype=float) for x in (before, after, late))

    def se_diff(x, y):
        return math.sqrt(x.var(ddof=1) / x.size + y.var(ddof=1) / y.size)

    assert b.mean() - a.mean() > 4 * se_diff(b, a), (b.mean(), a.mean())
    assert a.mean() < 0.6 * b.mean()
    # Recovered: within 15 % of the baseline and not distinguishable from it at 4 SE.
    assert abs(lt.mean() - b.mean()) < 0.15 * b.mean()
    assert abs(lt.mean() - b.mean()) < 4 * se_diff(b, lt)


@pytest.mark.parametrize("page", ["background/retrograde.md", "reference/parameters.md"])
def test_documented_values_match_the_code(page):
    text = (pathlib.Path(__file__).resolve().parents[1] / "docs" / page).read_text()
    rows = dict(re.findall(r"^\| `(\w+)` \| (−?[0-9.]+) \|", text, flags=re.M))
    p = EndocannabinoidParams()
    fields = [f.name for f in dataclasses.fields(p) if f.name != "sources"]
    assert set(fields) <= set(rows)
    for name in fields:
        assert float(rows[name].replace("−", "-")) == pytest.approx(getattr(p, name), rel=1e-3), name
