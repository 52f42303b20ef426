"""Bad input is refused at construction with a message naming field, value and what is allowed."""

from __future__ import annotations

import math
import warnings

import pytest

import synevent as se


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: se.VesicleParams(p_kiss_and_run=1.3), r'"p_kiss_and_run" must be in \[0, 1\], got 1.3'),
        (lambda: se.CalciumParams(channel_availability=-0.1), r'"channel_availability" must be in \[0, 1\], got -0.1'),
        (lambda: se.VesicleParams(k_dock_per_ms=-2.0), r'"k_dock_per_ms" must be in \[0, inf\), got -2.0'),
        (lambda: se.SensorParams(koff_per_ms=-1), r'"koff_per_ms" must be > 0, got -1'),
        (lambda: se.SensorParams(kon_per_uM_per_ms=math.nan), r'"kon_per_uM_per_ms" must be a number, got nan'),
        (lambda: se.VesicleParams(n_sites=0), r'"n_sites" must be an integer >= 1, got 0'),
        (lambda: se.VesicleParams(n_sites=2.5), r'"n_sites" must be an integer >= 1, got 2.5'),
        (lambda: se.CalciumParams(tau_rise_ms=0.3, tau_decay_ms=0.2), r'"tau_decay_ms" must be greater than "tau_rise_ms"'),
        (lambda: se.Reaction("r", {"A": 1}, {"B": 1}, -0.5), r'reaction "r": rate_per_ms" must be in \[0, inf\), got -0.5'),
        (lambda: se.ReactionNetwork(("A",), (se.Reaction("r", {"A": 1}, {"Z": 1}, 1.0),)), r'reaction "r": products name unknown species "Z"; known species are \[\'A\'\]'),
        (lambda: se.ReactionNetwork(("A",), (), {"A": -3}), r'"initial_counts\["A"\]" must be an integer >= 0, got -3'),
        (lambda: se.Reaction("r", {"A": 3}, {}, 1.0), r"at most two reactant molecules"),
        (lambda: se.CleftParams(height_nm=0.0), r'"height_nm" must be > 0, got 0.0'),
        (lambda: se.TransporterParams("DAT", 10, -1.0, 0.1, 0.1), r'"DAT.kon_per_uM_per_ms" must be in \[0, inf\), got -1.0'),
        (lambda: se.regular(-5.0, 3), r'"rate_hz" must be > 0, got -5.0'),
        (lambda: se.explicit([3.0, 1.0]), r'"times_ms" must be finite, non-negative and strictly increasing'),
        # Two spikes at once: the second took every fusion and the first counted as a failure.
        (lambda: se.explicit([5.0, 5.0]), r'"times_ms" must be .*strictly increasing, got \[5.0, 5.0\]'),
        (lambda: se.presets.get("purkinje"), r'unknown preset "purkinje"; valid presets are \['),
        (lambda: se.presets.glutamatergic(vesicles={"n_site": 3}), r"unknown field\(s\) \['n_site'\] in \"vesicles\""),
        (lambda: se.presets.glutamatergic(colour="red"), r'unknown synapse field "colour"'),
        (lambda: se.LogLevel.parse("verbose"), r'"log_level" must be one of \[\'vesicle\', \'reaction\'\], got \'verbose\''),
        (lambda: se.RandomStream(-1), r'"seed" must be a non-negative integer or None, got -1'),
        (lambda: se.stochastic_rate(2, -0.01, 1.41e-18), r'"k" must be in \[0, inf\), got -0.01'),
        (lambda: se.stochastic_rate(0, 1.0, 0.0), r'"volume_L" must be > 0, got 0.0'),
        (lambda: se.presets.glutamatergic(temperature_C=-400), r'"temperature_C" must be at least -273.15 \(absolute zero\), got -400'),
    ],
)
def test_bad_values_are_refused(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_simulate_refuses_bad_run_settings():
    s = se.presets.glutamatergic()
    with pytest.raises(ValueError, match=r'"t_end_ms" must be > 0, got -1'):
        se.simulate(s, None, t_end_ms=-1)
    with pytest.raises(ValueError, match=r'"trace_dt_ms" must be > 0, got 0'):
        se.simulate(s, None, t_end_ms=10, trace_dt_ms=0)
    # A step longer than the run would sample only t = 0 and report every peak as 0.
    with pytest.raises(se.ParameterError, match=r'"trace_dt_ms" must be at most "t_end_ms" \(10 ms\), got 1000'):
        se.simulate(s, se.regular(20.0, 2), t_end_ms=10, trace_dt_ms=1000)
    with pytest.raises(se.ParameterError, match=r'"dt_out_ms" must be at most "t_end_ms"'):
        se.simulate_network(se.ReactionNetwork(("A",), ()), t_end_ms=1.0, dt_out_ms=2.0)


def test_wrong_argument_types_are_refused_with_a_hint():
    s = se.presets.glutamatergic()
    with pytest.raises(se.ParameterError, match=r'"synapse" must be a SynapseParams .*got \'glutamatergic\'; for the preset use se.presets.get\("glutamatergic"\)'):
        se.simulate("glutamatergic", se.regular(20.0, 2), t_end_ms=10, seed=1)
    with pytest.raises(se.ParameterError, match=r'"stimulus" must be a SpikeTrain .*got \[1.0, 2.0\]; for spike times use se.explicit\(times\)'):
        se.simulate(s, [1.0, 2.0], t_end_ms=10, seed=1)
    with pytest.raises(se.ParameterError, match=r'"params" must be a VolumeParams'):
        se.simulate_volume(s, None, t_end_ms=10)
    with pytest.raises(se.ParameterError, match=r'"evoked" must be a SpikeTrain'):
        se.simulate_volume(se.striatum_dopamine(), [1.0], t_end_ms=10)


def test_shared_network_format_refuses_unknown_keys():
    with pytest.raises(se.ParameterError, match=r"reactions\[0\] has unknown keys \['speed'\]"):
        se.ReactionNetwork.from_dict({"species": ["A"], "reactions": [
            {"name": "r", "reactants": {"A": 1}, "products": {}, "rate_per_ms": 1.0, "speed": 2}]})


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: se.presets.glutamatergic(calcium=None),
         r'"calcium" must be a CalciumParams \(or, in replace\(\), a dict of its fields\), got None'),
        (lambda: se.presets.glutamatergic(vesicles=4),
         r'"vesicles" must be a VesicleParams .*got 4'),
        (lambda: se.presets.glutamatergic(receptors={"n": 3}),
         r'"receptors" must be a tuple of ReceptorPopulation, got \{\'n\': 3\}'),
        (lambda: se.presets.glutamatergic(transporters=("EAAT2",)),
         r'"transporters" must hold TransporterParams objects, got \'EAAT2\''),
        (lambda: se.presets.glutamatergic(transmitter=3), r'"transmitter" must be an identifier, got 3'),
        # With the sync window beyond the async one no fusion could ever be called asynchronous.
        (lambda: se.presets.glutamatergic(sync_window_ms=600.0),
         r'"async_window_ms" must be at least "sync_window_ms" \(600.0\), got 500.0'),
        (lambda: se.burst("2", 3, 100.0, 50.0), r'"n_bursts" must be an integer >= 1, got \'2\''),
        (lambda: se.explicit(["a"]), r'"times_ms" must be a sequence of spike times in ms \(numbers\), got \[\'a\'\]'),
        (lambda: se.explicit([[1.0, 2.0], [3.0, 4.0]]), r'"times_ms" must be one-dimensional, got shape \(2, 2\)'),
    ],
)
def test_wrong_types_in_synapses_and_trains_are_refused(build, message):
    with pytest.raises(se.ParameterError, match=message):
        build()


@pytest.mark.parametrize(
    "stimulus, message",
    [
        (se.regular(20.0, 10), r'stimulus: 8 of the 10 spikes of the regular train come at or after '
                               r'"t_end_ms" = 100 \(the last at 450 ms\) and are not delivered'),
        (se.explicit([10.0, 100.0]), r"1 of the 2 spikes of the explicit train .* \(the last at 100 ms\)"),
        (se.burst(2, 3, 100.0, 80.0, conduction_delay_ms=5.0), r"1 of the 6 spikes of the burst train"),
        (se.poisson(10.0, 200.0), r'the Poisson train runs to 200 ms .*, past "t_end_ms" = 100'),
    ],
)
def test_a_run_shorter_than_its_stimulus_says_what_it_drops(stimulus, message):
    s = se.presets.glutamatergic()
    with pytest.warns(se.DroppedSpikesWarning, match=message):
        r = se.simulate(s, stimulus, t_end_ms=100.0, seed=1)
    assert (r.spikes_ms < 100.0).all()
    with pytest.warns(se.DroppedSpikesWarning, match=message.replace("stimulus:", "evoked:")):
        se.simulate_volume(se.striatum_dopamine(tissue_volume_um3=50.0), stimulus, t_end_ms=100.0, seed=1)
    c = se.Circuit()
    c.add_input("fibre", stimulus)
    c.add_neuron("cell")
    c.connect("fibre", "cell", s)
    with pytest.warns(se.DroppedSpikesWarning, match='input "fibre": ' + message.removeprefix("stimulus: ")):
        c.run(100.0, seed=1)


def test_a_train_inside_the_run_gives_no_warning():
    s = se.presets.glutamatergic()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert se.simulate(s, se.explicit([]), t_end_ms=1.0, seed=1).summary["n_spikes"] == 0
        assert se.simulate(s, se.poisson(10.0, 100.0), t_end_ms=100.0, seed=1).summary["conserved"]
        assert se.simulate(s, se.regular(20.0, 2), t_end_ms=50.1, seed=1).summary["n_spikes"] == 2


def test_volume_model_refuses_bad_input_at_construction():
    with pytest.raises(se.ParameterError, match=r'"params" must be a VolumeParams .*got str'):
        se.VolumeModel("striatum", None, t_end_ms=100.0)
    with pytest.raises(se.ParameterError, match=r'"evoked" must be a SpikeTrain or None, got list'):
        se.VolumeModel(se.striatum_dopamine(), [1.0], t_end_ms=100.0)
    with pytest.raises(se.ParameterError, match=r'"initial_uM" must be in \[0, inf\), got -1.0'):
        se.VolumeModel(se.striatum_dopamine(), None, t_end_ms=100.0, initial_uM=-1.0)


def test_studies_refuse_a_bad_intervention_before_the_first_run(monkeypatch):
    from synevent.studies import models

    runs = []
    monkeypatch.setattr(models, "simulate", lambda *a, **kw: runs.append(kw))
    m = se.SynapseModel(se.presets.glutamatergic(), se.regular(20.0, 2), t_end_ms=200.0)
    with pytest.raises(se.ParameterError, match=r'"interventions" must hold Intervention objects .*got \'cocaine\''):
        se.compare(m, {"control": [], "cocaine": ["cocaine"]}, n_replicates=5, seed=1)
    with pytest.raises(se.ParameterError, match=r'knockout "target" must name'):
        se.dose_response(m, lambda c: [se.Knockout(target="DAT", fraction_remaining=min(c, 1.0))],
                         [0.0, 0.1, 0.3, 1.0], metric="psc_peak_pA", n_replicates=2, seed=1)
    assert runs == []  # the control's replicates did not run first
