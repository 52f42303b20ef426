"""The compiled loops (numba) give bit for bit the events of the Python loops.

Both loops take the same random numbers in the same order and do every floating-point operation
in the same order, so for one seed the event logs, traces and final states must be identical,
not merely close. Every run is done twice, once per loop, and compared exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import simpy

import synevent as se
from synevent.engine import kernel

pytest.importorskip("numba")


@pytest.fixture
def both(monkeypatch):
    """Call ``run()`` with the Python loop, then with the compiled one; return both results."""

    def run_both(run):
        out = []
        for name in ("python", "numba"):
            monkeypatch.setattr(kernel, "KERNEL", name)
            out.append(run())
        return out

    return run_both


def _network() -> se.ReactionNetwork:
    # Every reaction kind the loops handle: zero order, first order, two different reactants,
    # two identical reactants; large pools so that the hybrid mode leaps.
    return se.ReactionNetwork(
        ("A", "B", "C", "E", "EA"),
        (
            se.Reaction("make", {}, {"A": 1}, 50.0),
            se.Reaction("decay", {"A": 1}, {}, 0.2),
            se.Reaction("bind", {"A": 1, "E": 1}, {"EA": 1}, 0.001),
            se.Reaction("unbind", {"EA": 1}, {"A": 1, "E": 1}, 0.5),
            se.Reaction("dimerise", {"A": 2}, {"B": 1}, 1e-5),
            se.Reaction("convert", {"B": 1}, {"C": 1}, 0.05),
        ),
        {"A": 3000, "E": 400},
    )


@pytest.mark.parametrize("buffer", [kernel.BUFFER, 7])
@pytest.mark.parametrize("mode", ["exact", "hybrid"])
def test_network_runs_are_identical(both, monkeypatch, mode, buffer):
    # With 7-entry buffers the compiled loops stop for grid rows and log entries many times.
    monkeypatch.setattr(kernel, "BUFFER", buffer)

    def run():
        env = simpy.Environment()
        log = se.EventLog("reaction")
        sim = se.ExactNetwork(env, _network(), se.RandomStream(11), trace_dt_ms=0.5,
                              t_end_ms=40.0, log=log, mode=mode)
        env.run(until=40.0)
        sim.finish(40.0)
        leaps = sim.hybrid.n_leaps if sim.hybrid else 0
        return log.to_frame(), sim.trace_array(), list(sim.x), sim.fired, leaps

    (lp, tp, xp, fp, np_), (lc, tc, xc, fc, nc) = both(run)
    assert len(lp) > 3 * 4096  # several random blocks and log buffers are used up
    if mode == "hybrid":
        assert np_ > 20 and np_ == nc  # the compiled leaps are exercised
    pd.testing.assert_frame_equal(lp, lc)
    np.testing.assert_array_equal(tp, tc)
    assert (xp, fp) == (xc, fc)


@pytest.mark.parametrize("mode", ["exact", "hybrid"])
def test_synapse_under_a_drug_is_identical(both, mode):
    # Spikes, fusions, transmitter arrivals and a drug changing rates during the run: every
    # change from outside the loop, and (hybrid) leaps interrupted by them.
    drug = se.TransporterInhibitor(target="EAAT2", conc_uM=50.0, ki_uM=5.0,
                                   schedule=se.Schedule(start_ms=30.0, tau_on_ms=5.0))
    syn = se.presets.glutamatergic().replace(calcium={"local_peak_uM": 40.0})

    def run():
        return se.simulate(syn, se.regular(20.0, 6, start_ms=1.0), t_end_ms=300.0, seed=8,
                           mode=mode, trace_dt_ms=0.1, log_level="reaction", interventions=[drug])

    p, c = both(run)
    assert p.summary["molecules_released"] > 0
    pd.testing.assert_frame_equal(p.events, c.events)
    np.testing.assert_array_equal(p.trace, c.trace)
    assert p.summary == c.summary


@pytest.mark.parametrize("mode", ["exact", "hybrid"])
def test_circuit_is_identical_with_tiny_buffers(both, monkeypatch, mode):
    # Watched receptor states drive the neuron; buffers of 7 entries make both loops hand
    # their log and watch entries back to Python many times within one call.
    monkeypatch.setattr(kernel, "BUFFER", 7)

    def run():
        c = se.Circuit()
        cell = c.add_neuron("ca1", se.ca1_pyramidal())
        fibres = c.add_inputs("ca3_", se.regular(40.0, 8, start_ms=1.0), 4)
        c.connect(fibres, cell, se.presets.glutamatergic().replace(calcium={"local_peak_uM": 40.0}))
        return c.run(200.0, seed=3, mode=mode, log_level="reaction")

    p, c = both(run)
    assert p.summary["quanta"] > 0
    np.testing.assert_array_equal(p.voltage("ca1"), c.voltage("ca1"))
    pd.testing.assert_frame_equal(p.events, c.events)
    assert p.provenance["kernel"] == "python" and c.provenance["kernel"].startswith("numba")


def test_kernel_choice_is_checked(monkeypatch):
    monkeypatch.setenv("SYNEVENT_KERNEL", "fortran")
    with pytest.raises(ValueError, match='SYNEVENT_KERNEL must be "auto", "numba" or "python", got \'fortran\''):
        kernel.available()
    monkeypatch.setenv("SYNEVENT_KERNEL", "python")
    assert kernel.available() is False
    monkeypatch.setenv("SYNEVENT_KERNEL", "numba")
    assert kernel.available() is True


def test_firing_cell_is_identical(both):
    # A granule cell driven to fire through NMDA-carrying synapses: the compiled membrane
    # stepper hands every spike (threshold crossings located by bisection) back to Python.
    def run():
        mossy_fibre = se.presets.glutamatergic(vesicles={"n_sites": 5})
        c = se.Circuit()
        cell = c.add_neuron("grc", se.cerebellar_granule())
        fibres = c.add_inputs("mf", se.regular(100.0, 10, start_ms=2.0), 4)
        c.connect(fibres, cell, mossy_fibre)
        return c.run(120.0, seed=7)

    p, c = both(run)
    assert len(p.neuron_spikes["grc"]) >= 2
    np.testing.assert_array_equal(p.neuron_spikes["grc"], c.neuron_spikes["grc"])
    for key in ("V_mV", "g_syn_nS", "i_syn_pA"):
        np.testing.assert_array_equal(p.neuron_traces["grc"][key], c.neuron_traces["grc"][key])


@pytest.mark.parametrize("name", ["python", "numba"])
def test_hybrid_run_without_an_end_stops(monkeypatch, name):
    # env.run() with no end: once the pool is gone no leap is due, and the run must return
    # (a leap scheduled "at infinity" used to be stepped forever).
    monkeypatch.setattr(kernel, "KERNEL", name)
    net = se.ReactionNetwork(("A", "B"), (se.Reaction("decay", {"A": 1}, {"B": 1}, 1.0),),
                             {"A": 5000})
    env = simpy.Environment()
    sim = se.ExactNetwork(env, net, se.RandomStream(1), mode="hybrid")
    env.run()
    assert sim.counts() == {"A": 0, "B": 5000}


def test_bad_kernel_choice_is_refused_without_a_traceback():
    # Importing synevent with a bad SYNEVENT_KERNEL works; the command line refuses it (exit 2,
    # the variable, the value and the allowed ones) and building a network raises the same.
    import os
    import subprocess
    import sys

    env = {**os.environ, "SYNEVENT_KERNEL": "fortran"}
    cli = subprocess.run([sys.executable, "-m", "synevent", "presets"], env=env,
                         capture_output=True, text=True)
    assert cli.returncode == 2
    assert "Traceback" not in cli.stderr
    assert 'SYNEVENT_KERNEL must be "auto", "numba" or "python", got \'fortran\'' in cli.stderr
    api = subprocess.run(
        [sys.executable, "-c",
         "import synevent as se\n"
         "try:\n"
         "    se.simulate_network(se.ReactionNetwork(('A',), (), {'A': 1}), t_end_ms=1.0,"
         " dt_out_ms=1.0)\n"
         "except se.ParameterError as exc:\n"
         "    print('refused:', exc)\n"],
        env=env, capture_output=True, text=True)
    assert api.returncode == 0, api.stderr
    assert "refused: SYNEVENT_KERNEL must be" in api.stdout
