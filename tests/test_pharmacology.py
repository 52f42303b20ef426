"""Interventions: schedules, validation, mechanisms, degenerate cases and conservation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate

import synevent as se
from synevent.engine.checks import ParameterError
from synevent.pharmacology.mechanisms import bound_fraction_at_start, initial_counts, plan
from synevent.pharmacology.schedule import STEPS_PER_TAU


# -- schedules -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "sched",
    [
        se.Schedule(start_ms=10.0, stop_ms=50.0, tau_on_ms=5.0, tau_off_ms=2.0),
        se.Schedule(start_ms=-20.0, stop_ms=30.0, tau_on_ms=8.0),
        se.Schedule(start_ms=5.0),
        se.Schedule(stop_ms=40.0, tau_off_ms=3.0),
    ],
)
def test_schedule_integral_and_steps_preserve_exposure(sched):
    pts = [p for p in (sched.start_ms, sched.stop_ms) if math.isfinite(p)]
    exact = integrate.quad(sched.level, 0.0, 100.0, points=[p for p in pts if 0 < p < 100], limit=500)[0]
    assert sched.integral(0.0, 100.0) == pytest.approx(exact, rel=1e-9, abs=1e-12)
    steps = sched.steps(0.0, 100.0)
    times = [t for t, _ in steps] + [100.0]
    piecewise = sum(v * (times[i + 1] - times[i]) for i, (_, v) in enumerate(steps))
    assert piecewise == pytest.approx(exact, rel=1e-9, abs=1e-12)
    assert all(0.0 <= v <= 1.0 for _, v in steps)


def test_schedule_levels_exact_values():
    s = se.Schedule(start_ms=10.0, stop_ms=50.0, tau_on_ms=5.0, tau_off_ms=2.0)
    assert s.level(9.999) == 0.0
    assert s.level(15.0) == pytest.approx(1 - math.exp(-1))
    f_stop = 1 - math.exp(-8)
    assert s.level(52.0) == pytest.approx(f_stop * math.exp(-1))
    assert se.Schedule().level(-1e9) == 1.0 and se.Schedule().pre_equilibrated
    # steps are tau/50 long while the level changes
    st = s.steps(0.0, 20.0)
    assert st[1][0] == 10.0 and st[2][0] == pytest.approx(10.0 + 5.0 / STEPS_PER_TAU)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start_ms": 10.0, "stop_ms": 5.0}, '"schedule.stop_ms" must be after "schedule.start_ms" \\(10.0\\), got 5.0'),
        ({"tau_on_ms": -1.0}, r'"schedule.tau_on_ms" must be in \[0, inf\), got -1.0'),
        ({"start_ms": math.inf}, '"schedule.start_ms" must be finite or -inf, got inf'),
        ({"start_ms": math.nan}, '"schedule.start_ms" must be a number, got nan'),
    ],
)
def test_schedule_validation(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        se.Schedule(**kwargs)


# -- validation of interventions -------------------------------------------------------------
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: se.TransporterInhibitor(target="DAT", conc_uM=-1.0, ki_uM=0.2), r'"transporter_inhibitor.conc_uM" must be in \[0, inf\), got -1.0'),
        (lambda: se.TransporterInhibitor(target="DAT", conc_uM=1.0, ki_uM=0.0), '"transporter_inhibitor.ki_uM" must be > 0, got 0.0'),
        (lambda: se.TransporterInhibitor(target="DAT", conc_uM=1.0, mode="uncompetitive"), '"transporter_inhibitor.mode" must be one of'),
        (lambda: se.CaChannelBlocker(conc_uM=1.0, max_block=1.3), '"ca_channel_blocker.max_block" must be in \\[0, 1\\], got 1.3'),
        (lambda: se.ReleaseBlocker(conc_uM=1.0), '"release_blocker.schedule.start_ms" must be finite'),
        (lambda: se.Knockout(target="DAT", fraction_remaining=2.0), '"knockout.fraction_remaining" must be in \\[0, 1\\], got 2.0'),
        (lambda: se.ReceptorAntagonist(target="AMPA", conc_uM=1.0, label="not valid"), '"label" must be an identifier'),
        (lambda: se.drug("aspirin", 1.0), 'unknown drug "aspirin"; valid drugs are'),
        (lambda: se.drug("cocaine", -2.0), r'"cocaine.conc_uM" must be in \[0, inf\), got -2.0'),
    ],
)
def test_bad_interventions_are_refused(make, message):
    with pytest.raises(ParameterError, match=message):
        make()


def test_missing_target_is_refused_but_drug_actions_are_filtered():
    syn = se.presets.dopaminergic()
    with pytest.raises(ParameterError, match=r'transporter_inhibitor "target" must name a transporter of synapse "dopaminergic" \(\[\'DAT\'\]\), got \'SERT\''):
        plan(syn, [se.TransporterInhibitor(target="SERT", conc_uM=1.0, ki_uM=0.1)])
    p = plan(syn, [se.drug("cocaine", 1.0)])
    assert [iv.target for iv in p.interventions] == ["DAT"]
    assert p.skipped == ["cocaine on SERT", "cocaine on NET"]
    with pytest.raises(ParameterError, match='share the label "cocaine"'):
        plan(syn, [se.drug("cocaine", 1.0), se.drug("cocaine", 2.0)])
    with pytest.raises(ParameterError, match='"interventions" must hold Intervention objects'):
        plan(syn, ["cocaine"])


def test_every_library_drug_builds_and_names_its_source():
    assert len(se.DRUGS) >= 20
    for d in se.DRUGS.values():
        app = d.at(0.1, se.Schedule(start_ms=0.0)) if d.label == "BoNT_A" else d.at(0.1)
        ivs = app.interventions()
        assert ivs and all(iv.label == d.label for iv in ivs)
        assert all(a.source for a in d.actions)
    required = ["cocaine", "methylphenidate", "gbr-12909", "fluoxetine", "citalopram", "escitalopram",
                "paroxetine", "sertraline", "neostigmine", "physostigmine", "donepezil", "nbqx", "apv",
                "mk-801", "curare", "bicuculline", "diazepam", "omega-conotoxin", "bont/a", "reserpine"]
    assert set(required) <= set(se.DRUGS)


# -- degenerate cases: exact ------------------------------------------------------------------
def _events(res):
    ev = res.events
    return ev[~ev["kind"].isin(["drug_on", "drug_off"])].reset_index(drop=True)


@pytest.mark.parametrize(
    "iv",
    [
        se.ReceptorAntagonist(target="AMPA", conc_uM=0.0, kd_uM=0.15),
        se.TransporterInhibitor(target="EAAT2", conc_uM=0.0, ki_uM=1.0, mode="noncompetitive"),
        se.ChannelBlocker(target="NMDA", conc_uM=0.0, kd_uM=0.02),
        se.AllostericModulator(target="AMPA", conc_uM=0.0, kd_uM=0.1, efficacy=3.0),
        se.Knockout(target="EAAT2", fraction_remaining=1.0),
        se.CaChannelBlocker(conc_uM=0.0),
        se.VMATInhibitor(conc_uM=0.0),
    ],
)
def test_no_drug_gives_the_control_event_log_exactly(iv):
    syn = se.presets.glutamatergic()
    stim = se.regular(50.0, 3, start_ms=1.0)
    a = se.simulate(syn, stim, t_end_ms=80.0, seed=3, trace_dt_ms=0.5)
    b = se.simulate(syn, stim, t_end_ms=80.0, seed=3, trace_dt_ms=0.5, interventions=[iv])
    assert _events(a).equals(_events(b))
    assert np.array_equal(a.current_pA, b.current_pA)


def test_knockout_removes_the_population():
    res = se.simulate(se.presets.glutamatergic(), se.regular(20.0, 1, start_ms=1.0), t_end_ms=20.0,
                      seed=1, interventions=[se.Knockout(target="EAAT2")])
    assert res.synapse.transporters[0].n == 0
    assert res.count("EAAT2.uptake")[-1] == 0
    assert res.summary["conserved"]


def test_full_release_block_stops_evoked_release_exactly():
    syn = se.presets.neuromuscular().replace(receptors=(), enzymes=())
    tox = se.ReleaseBlocker(conc_uM=1e6, k_cleave_per_uM_per_ms=1.0, schedule=se.Schedule(start_ms=-1.0))
    res = se.simulate(syn, se.regular(20.0, 5, start_ms=5.0), t_end_ms=250.0, seed=2,
                      trace_dt_ms=1.0, interventions=[tox])
    ev = res.events
    assert (ev["kind"] == "cleavage").sum() == syn.vesicles.n_sites
    assert (ev["kind"] == "fusion").sum() == 0
    assert res.summary["conserved"]


def test_vmat_block_empties_refilled_vesicles_exactly():
    syn = se.presets.dopaminergic(vesicles={"tau_retrieval_full_ms": 5.0, "tau_refill_ms": 5.0,
                                            "n_reserve": 0, "k_dock_per_ms": 1.0})
    stim = se.regular(20.0, 40, start_ms=1.0)
    res = se.simulate(syn, stim, t_end_ms=2000.0, seed=4, trace_dt_ms=1.0,
                      interventions=[se.drug("reserpine", 1e4)])
    refills = res.events[res.events["kind"] == "refill"]
    assert len(refills) > 0 and (refills["amount"] == 0).all()


def test_trapping_blocker_needs_open_channels():
    """MK-801 binds open NMDA receptors only: no release, no block (exact)."""
    syn = se.presets.glutamatergic()
    res = se.simulate(syn, None, t_end_ms=50.0, seed=5, trace_dt_ms=1.0,
                      interventions=[se.drug("MK-801", 10.0)])
    assert (res.events["kind"] == "fusion").sum() == 0
    blocked = [s for s in res.network.species if s.endswith(".MK801")]
    assert blocked and all(res.count(s).max() == 0 for s in blocked)


def test_trapping_blocker_accumulates_with_use():
    syn = se.presets.glutamatergic(vesicles={"n_sites": 4}, calcium={"local_peak_uM": 40.0})
    res = se.simulate(syn, se.regular(20.0, 10, start_ms=1.0), t_end_ms=500.0, seed=6,
                      trace_dt_ms=1.0, interventions=[se.drug("MK-801", 10.0)])
    blocked = sum(res.count(s) for s in res.network.species if s.endswith(".MK801"))
    assert blocked[-1] > 0  # trapped after the activity is over
    assert res.summary["conserved"]


def test_modulator_slows_agonist_unbinding_by_occupancy():
    iv = se.AllostericModulator(target="GABAA", conc_uM=0.03, kd_uM=0.03, efficacy=2.0)
    syn = se.presets.gabaergic()
    res = se.simulate(syn, None, t_end_ms=1.0, seed=1, interventions=[iv])
    base = se.simulate(syn, None, t_end_ms=1.0, seed=1)
    n_unbind = 0
    for r0, r1 in zip(base.network.reactions, res.network.reactions):
        unbind = r0.name.startswith("GABAA:") and "GABA" in r0.products
        n_unbind += unbind
        assert r1.rate_per_ms == pytest.approx(r0.rate_per_ms / (1.5 if unbind else 1.0), rel=1e-12)
    assert n_unbind > 0
    with pytest.raises(ParameterError, match="at most one allosteric modulator per receptor"):
        plan(syn, [iv, se.AllostericModulator(target="GABAA", conc_uM=1.0, kd_uM=1.0, label="other")])


def test_irreversible_blockers_do_not_wash_out():
    syn = se.presets.glutamatergic()
    sched = se.Schedule(start_ms=5.0, stop_ms=20.0)
    stim = se.regular(20.0, 2, start_ms=1.0)  # spikes at 1 and 51 ms
    kw = dict(t_end_ms=60.0, seed=1, trace_dt_ms=0.05)
    ctl = se.simulate(syn, stim, **kw)
    rev = se.simulate(syn, stim, interventions=[se.CaChannelBlocker(conc_uM=1.0, ic50_uM=1.0, schedule=sched)], **kw)
    irr = se.simulate(syn, stim, interventions=[se.CaChannelBlocker(conc_uM=1.0, ic50_uM=1.0, schedule=sched,
                                                                     irreversible=True)], **kw)
    late = rev.t_ms > 51.0
    assert rev.ca_uM[late] == pytest.approx(ctl.ca_uM[late], rel=1e-12)  # washed out
    rest = syn.calcium.ca_rest_uM
    gain = (irr.ca_uM[late] - rest).max() / (ctl.ca_uM[late] - rest).max()
    assert gain < 0.6  # still blocked (half the influx gone) after the wash-out
    before = se.simulate(syn, stim, interventions=[se.CaChannelBlocker(
        conc_uM=1.0, ic50_uM=1.0, schedule=se.Schedule(start_ms=-100.0, stop_ms=-50.0), irreversible=True)], **kw)
    assert before.ca_uM == pytest.approx(rest + 0.5 * (ctl.ca_uM - rest), rel=1e-9)  # blocked before the run
    with pytest.raises(ParameterError, match='"enzyme_inhibitor.schedule.start_ms" must be finite'):
        se.EnzymeInhibitor(target="AChE", conc_uM=1.0, mode="irreversible")


# -- state at t = 0 -------------------------------------------------------------------------
def test_pre_run_occupancy_follows_the_two_state_solution():
    iv = se.TransporterInhibitor(target="DAT", conc_uM=0.5, ki_uM=0.25, kon_per_uM_per_ms=0.002,
                                 schedule=se.Schedule(start_ms=-300.0))
    k = iv.kon_per_uM_per_ms * iv.conc_uM + iv.koff_per_ms
    expected = iv.occupancy() * (1 - math.exp(-k * 300.0))
    assert bound_fraction_at_start(iv) == pytest.approx(expected, rel=1e-6)
    eq = se.TransporterInhibitor(target="DAT", conc_uM=0.5, ki_uM=0.25)
    assert bound_fraction_at_start(eq) == pytest.approx(2.0 / 3.0, rel=1e-12)
    gone = se.TransporterInhibitor(target="DAT", conc_uM=0.5, ki_uM=0.25, schedule=se.Schedule(stop_ms=-1.0))
    # washed out 1 ms before the run: bound drug leaves at koff
    assert bound_fraction_at_start(gone) == pytest.approx(2.0 / 3.0 * math.exp(-gone.koff_per_ms), rel=1e-6)


@pytest.mark.statistical
def test_initial_occupancy_is_binomial():
    syn = se.presets.dopaminergic()
    p = plan(syn, [se.drug("cocaine", 0.3)])
    from synevent.cleft.cleft import build_cleft_network

    net, fates = build_cleft_network("DA", syn.cleft, [], list(syn.transporters), [])
    net, _, bindings = p.attach(net, fates)
    gen = np.random.default_rng(11)
    n = syn.transporters[0].n
    draws = np.array([initial_counts(bindings, net, gen)["DAT.cocaine"] for _ in range(2000)])
    q = 0.3 / (0.3 + 0.3)
    se_mean = math.sqrt(n * q * (1 - q) / draws.size)
    assert abs(draws.mean() - n * q) < 4 * se_mean
    assert draws.var(ddof=1) == pytest.approx(n * q * (1 - q), rel=0.15)


# -- conservation and reproducibility under interventions ----------------------------------
def test_conservation_holds_under_every_network_intervention():
    syn = se.presets.glutamatergic(vesicles={"n_sites": 3})
    ivs = [
        se.drug("NBQX", 0.15, se.Schedule(start_ms=20.0, tau_on_ms=10.0)),
        se.drug("MK-801", 1.0),
        se.drug("TBOA", 10.0, se.Schedule(start_ms=5.0, stop_ms=60.0, tau_on_ms=5.0, tau_off_ms=5.0)),
        se.AllostericModulator(target="AMPA", conc_uM=1.0, kd_uM=1.0, efficacy=2.0),
        se.drug("omega-conotoxin", 0.1, se.Schedule(start_ms=30.0, tau_on_ms=10.0)),
    ]
    res = se.simulate(syn, se.regular(40.0, 4, start_ms=1.0), t_end_ms=120.0, seed=8, trace_dt_ms=0.2,
                      interventions=ivs)
    table = res.fate_table()
    assert table["balanced"].all() and table["released"].iloc[-1] > 0
    kinds = set(res.events["kind"])
    assert {"drug_on", "drug_off"} <= kinds
    again = se.simulate(syn, se.regular(40.0, 4, start_ms=1.0), t_end_ms=120.0, seed=8, trace_dt_ms=0.2,
                        interventions=ivs)
    assert res.events.equals(again.events)


def test_ca_channel_block_scales_the_transient():
    syn = se.presets.glutamatergic()
    iv = se.CaChannelBlocker(conc_uM=1.0, ic50_uM=1.0, max_block=0.6)
    stim = se.regular(20.0, 2, start_ms=1.0)
    res = se.simulate(syn, stim, t_end_ms=60.0, seed=1, trace_dt_ms=0.01, interventions=[iv])
    ctl = se.simulate(syn, stim, t_end_ms=60.0, seed=1, trace_dt_ms=0.01)
    assert iv.availability() == pytest.approx(0.7)
    rest = syn.calcium.ca_rest_uM
    # every Ca²⁺ entry is scaled by the availability; the resting level is not
    assert (res.ca_uM - rest) == pytest.approx(0.7 * (ctl.ca_uM - rest), rel=1e-9, abs=1e-12)


def test_ca_channel_blocker_wash_in_acts_on_later_spikes_only():
    syn = se.presets.glutamatergic()
    iv = se.CaChannelBlocker(conc_uM=1e9, ic50_uM=1.0, max_block=1.0, schedule=se.Schedule(start_ms=30.0))
    stim = se.regular(20.0, 3, start_ms=1.0)  # spikes at 1, 51, 101 ms
    res = se.simulate(syn, stim, t_end_ms=120.0, seed=2, trace_dt_ms=0.05, interventions=[iv])
    t, ca = res.t_ms, res.ca_uM
    assert ca[(t > 1.0) & (t < 3.0)].max() > 10.0
    after = ca[t > 51.0] - syn.calcium.ca_rest_uM
    # no new entry after the block: only the decaying residual of the first spike remains
    assert np.all(np.diff(after) <= 1e-12)


@pytest.mark.statistical
def test_irreversible_enzyme_inhibitor_inactivates_at_kon_times_conc():
    syn = se.presets.neuromuscular()
    n = syn.enzymes[0].n
    iv = se.EnzymeInhibitor(target="AChE", conc_uM=0.5, mode="irreversible", kon_per_uM_per_ms=0.01,
                            schedule=se.Schedule(start_ms=0.0))
    res = se.simulate(syn, None, t_end_ms=400.0, seed=3, trace_dt_ms=100.0, interventions=[iv])
    dead = res.count("AChE.enzyme_inhibitor")
    p = 1 - np.exp(-0.005 * res.t_ms)
    sd = np.sqrt(n * p * (1 - p))
    assert np.all(np.abs(dead - n * p) <= 4 * sd + 1e-9)
    assert dead[0] == 0


@pytest.mark.statistical
def test_noncompetitive_enzyme_inhibitor_scales_vmax():
    import dataclasses

    ache = dataclasses.replace(se.presets.neuromuscular().enzymes[0], n=20)
    iv = se.EnzymeInhibitor(target="AChE", conc_uM=0.02, ki_uM=0.02, mode="noncompetitive",
                            kon_per_uM_per_ms=1.0)
    s = [20.0, 60.0, 200.0, 1000.0]
    ctl = se.steady_state_flux(ache, s, warmup_ms=200.0, measure_ms=600.0, seed=1)
    inh = se.steady_state_flux(ache, s, interventions=[iv], warmup_ms=200.0, measure_ms=600.0, seed=1)
    ratio = inh["flux_per_ms"] / ctl["flux_per_ms"]
    assert np.all(np.abs(ratio - 0.5) < 0.03)  # half of the enzyme is inhibited at every [S]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: se.VolumeParams(terminal=se.presets.dopaminergic(), transporter="DAT", vmax_uM_per_s=4.1),
         '"transporter" must be a TransporterParams'),
        (lambda: se.striatum_dopamine(foo=1), r"unknown volume field\(s\) \['foo'\]"),
        (lambda: se.simulate_volume(se.striatum_dopamine(), "x", t_end_ms=10.0), '"evoked" must be a SpikeTrain or None'),
        (lambda: se.ReceptorAntagonist(target="AMPA", conc_uM=1.0, label=1), '"label" must be a string, got 1'),
        (lambda: se.drug(None, 1.0), '"name" must be a drug name'),
        (lambda: se.DRUGS["cocaine"].at(1.0, 5), '"schedule" must be a Schedule, got 5'),
        (lambda: se.hill_curve([1.0], bottom=0, top=1, ec50_uM=0.0, slope=1), '"ec50_uM" must be > 0'),
        (lambda: se.steady_state_flux(se.transporter("DAT", 0), [0.1]), '"DAT.n" must be an integer >= 1, got 0'),
        (lambda: se.steady_state_flux(se.transporter("DAT", 10), [0.1], interventions=[se.Knockout(target="DAT")]),
         "steady_state_flux takes inhibitors"),
    ],
)
def test_bad_input_is_refused_with_the_field(make, message):
    with pytest.raises(ParameterError, match=message):
        make()


def test_single_intervention_and_numpy_numbers_are_accepted():
    s = se.Schedule(start_ms=np.int64(5), stop_ms=np.float64(9.5))
    assert s.level(6.0) == 1.0
    res = se.simulate(se.presets.dopaminergic(), None, t_end_ms=5.0, seed=1, interventions=se.drug("cocaine", 1.0))
    assert res.provenance["interventions"][0]["label"] == "cocaine"


def test_release_blocker_leaves_the_run_as_control_until_it_cleaves():
    # Its cleavage times come from a side stream: at zero dose the run is the control, and a
    # toxin applied at 100 ms changes nothing before its first cleavage (common random numbers).
    syn = se.presets.glutamatergic(vesicles={"n_sites": 4})
    stim = se.regular(20.0, 4, start_ms=5.0)

    def before(ev, t):  # as text: the drug rows leave categories behind
        return ev[ev["t_ms"] < t].reset_index(drop=True).astype(str)

    control = _events(se.simulate(syn, stim, t_end_ms=200.0, seed=3))
    zero = _events(se.simulate(syn, stim, t_end_ms=200.0, seed=3,
                               interventions=[se.drug("BoNT/A", 0.0, se.Schedule(start_ms=0.0))]))
    assert before(zero, 200.0).equals(before(control, 200.0))
    late = _events(se.simulate(syn, stim, t_end_ms=200.0, seed=3,
                               interventions=[se.drug("BoNT/A", 1e3, se.Schedule(start_ms=100.0))]))
    first_cut = late.loc[late["kind"] == "cleavage", "t_ms"].min()
    assert first_cut >= 100.0 and (control["t_ms"] < first_cut).sum() > 10
    assert before(late, first_cut).equals(before(control, first_cut))
