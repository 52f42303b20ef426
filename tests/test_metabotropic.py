"""Metabotropic receptors: G-protein cascades, GIRK channels and presynaptic autoreceptors."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import simpy

import synevent as se
from synevent.assembly import SynapseAssembly, conductance_groups
from synevent.cleft.cleft import build_cleft_network
from synevent.engine.meanfield import master_equation_mean, rate_equations
from synevent.pharmacology.mechanisms import plan
from synevent.postsynaptic.gpcr_library import (
    d2_autoreceptor,
    gabab_autoreceptor,
    gabab_girk,
    girk_for_hill,
)
from synevent.postsynaptic.gpcr_reference import cascade_rate_equations, destexhe_gabab
from synevent.postsynaptic.metabotropic import GIRKParams, MetabotropicReceptor
from synevent.presynaptic.autoreceptors import CaInhibition


def _scheme(conductance_pS: float = 0.0, open_states=("RT",)) -> se.ReceptorScheme:
    return se.ReceptorScheme(
        "M", ("R", "RT"),
        (se.Transition("R", "RT", 0.01, "bind"), se.Transition("RT", "R", 0.05, "unbind")),
        open_states, conductance_pS, 0.0,
    )


# -- input checks -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: GIRKParams(n_channels=-1), r'"girk.n_channels" must be an integer >= 0, got -1'),
        (lambda: GIRKParams(4, n_sites=0), r'"girk.n_sites" must be an integer >= 1, got 0'),
        (lambda: GIRKParams(4, cooperativity=0.5), r'"girk.cooperativity" must be >= 1, got 0.5'),
        (lambda: GIRKParams(4, kd_site_molecules=0.0), r'"girk.kd_site_molecules" must be > 0, got 0.0'),
        (lambda: CaInhibition(1.5, 10.0), r'"ca_inhibition.max_inhibition" must be in \[0, 1\], got 1.5'),
        (lambda: CaInhibition(0.5, -1.0), r'"ca_inhibition.kd_g_molecules" must be > 0, got -1.0'),
        (lambda: MetabotropicReceptor(_scheme(), 10, 100, -0.1, 0.03),
         r'"metabotropic\[M\].k_act_per_ms" must be in \[0, inf\), got -0.1'),
        (lambda: MetabotropicReceptor(_scheme(), 10, 2.5, 0.1, 0.03),
         r'"metabotropic\[M\].n_g_proteins" must be an integer >= 0, got 2.5'),
        (lambda: MetabotropicReceptor(_scheme(conductance_pS=10.0), 10, 100, 0.1, 0.03),
         r'"metabotropic\[M\].scheme.conductance_pS" must be 0 .*got 10.0'),
        (lambda: MetabotropicReceptor(_scheme(open_states=()), 10, 100, 0.1, 0.03),
         r'"metabotropic\[M\].scheme.open_states" must name the active states'),
        (lambda: se.presets.gabaergic(metabotropic=(gabab_girk(name="GABAA"),)),
         r"names must be unique"),
        (lambda: se.presets.gabaergic(metabotropic=("GABAB",)),
         r'"metabotropic" must hold MetabotropicReceptor objects'),
    ],
)
def test_bad_values_are_refused(build, message):
    with pytest.raises(se.ParameterError, match=message):
        build()


# -- the channel ------------------------------------------------------------------------------
def test_cooperative_girk_approaches_the_hill_function():
    girk = girk_for_hill(1, 20.0)  # one model unit of G = 20 free G* molecules
    for g_units in (0.25, 0.5, 1.0, 1.4, 2.0, 3.0, 6.0):
        hill = g_units**4 / (g_units**4 + 100.0)
        p = girk.open_probability(20.0 * g_units)
        assert hill * (0.95 if g_units <= 1.0 else 0.86) <= p <= hill
    # The steps multiply to KD · unit⁴ whatever the cooperativity.
    assert np.prod(girk.step_kd_molecules()) == pytest.approx(100.0 * 20.0**4)


# -- independent solvers ----------------------------------------------------------------------
def _small_cleft():
    """A cleft with 12 transmitter molecules, 3 receptors, 6 G-proteins, 2 two-site channels."""
    m = MetabotropicReceptor(
        se.ReceptorScheme(
            "M", ("R", "RT"),
            (se.Transition("R", "RT", 0.5, "bind"), se.Transition("RT", "R", 0.05, "unbind")),
            ("RT",), 0.0, 0.0,
        ),
        n=3, n_g_proteins=6, k_act_per_ms=0.4, k_gtpase_per_ms=0.1,
        girk=GIRKParams(2, n_sites=2, kd_site_molecules=4.0, cooperativity=3.0, koff_per_ms=1.0),
    )
    cleft = se.CleftParams(radius_nm=20.0, height_nm=20.0, k_escape_per_ms=0.2)
    net, fates = build_cleft_network("T", cleft, [], [], [], [m])
    return m, net.with_counts(T=12), fates


@pytest.mark.statistical
def test_exact_runs_match_the_master_equation():
    m, net, _ = _small_cleft()
    t = np.array([0.0, 2.0, 5.0, 10.0, 20.0, 40.0])
    cme = master_equation_mean(net, t)
    runs = se.simulate_network(net, t_end_ms=40.0, dt_out_ms=1.0, n_trajectories=3000, seed=11)
    grid = [int(x) for x in t]
    for species in (m.g_active, m.girk_open, "M.RT", "T"):
        x = runs.species(species)[:, grid].astype(float)
        mean, se_ = x.mean(0), x.std(0, ddof=1) / np.sqrt(x.shape[0])
        expected = cme[:, net.index(species)]
        ok = np.abs(mean - expected) <= 4 * se_ + 1e-12
        assert ok.all(), (species, mean, expected, se_)
    # The rate equations are not the exact mean here: the check discriminates.
    re = rate_equations(net, t)
    col = net.index(m.girk_state(1))
    assert abs(re[3, col] - cme[3, col]) > 0.05 * cme[3, col]


def test_rate_equations_reproduce_the_published_model():
    """Many receptors, G-proteins in excess: the network's mean field is Destexhe's model."""
    m = gabab_girk(1000, n_channels=1, g_proteins_per_receptor=10_000)
    m = dataclasses.replace(m, girk=girk_for_hill(1, 1000, koff_per_ms=1000.0))
    t = np.arange(0.0, 801.0, 1.0)
    peaks = {}
    for n_pulses in (1, 4, 10):
        pulses = [10.0 + 10.0 * k for k in range(n_pulses)]
        ref = destexhe_gabab(pulses, t)[:, 2]
        ours = cascade_rate_equations(m, pulses, t)[:, m.clamped_network(0.0).index(m.girk_open)]
        # Below the Hill function by up to 7 % at G <= 1.4 (partly bound channels, cooperativity 10).
        assert 0.9 * ref.max() <= ours.max() <= ref.max()
        assert abs(t[ours.argmax()] - t[ref.argmax()]) <= 20.0
        peaks[n_pulses] = (ref.max(), t[ref.argmax()])
    # The published behaviour: the response needs several spikes (cooperative channel).
    assert peaks[10][0] / peaks[1][0] > 1000.0
    assert 100.0 <= peaks[10][1] - 10.0 <= 200.0


# -- the synapse ------------------------------------------------------------------------------
def _gaba_synapse(**kw):
    return se.presets.gabaergic(
        vesicles={"n_sites": 20, "slots_per_site": 2, "k_dock_per_ms": 0.05,
                  "k_prime_per_ms": 0.5, "n_reserve": 2000}, **kw)


def test_girk_current_in_the_synapse_with_conservation():
    m = gabab_girk()
    syn = _gaba_synapse(metabotropic=(m,), v_hold_mV=-50.0)
    r = se.simulate(syn, se.regular(100.0, 5, start_ms=2.0), t_end_ms=300.0, seed=5,
                    trace_dt_ms=0.5)
    assert r.fate_table()["balanced"].all()
    counts = {sp: r.count(sp) for sp in r.network.species}
    assert (m.g_total(counts) == m.n_g_proteins).all()
    assert (sum(counts[f"GABAB.{s}"] for s in ("R", "RT")) == m.n).all()
    assert r.traces["GABAB_GIRK_open"].max() > 0
    # K⁺ current through open GIRK at −50 mV is outward, on top of the GABA-A current.
    gabaa_only = dataclasses.replace(syn, metabotropic=())
    extra = r.current_pA - dataclasses.replace(r, synapse=gabaa_only).current_pA
    expected = m.girk.conductance_pS * r.count(m.girk_open) * (-50.0 + 95.0) * 1e-3
    np.testing.assert_allclose(extra, expected)


def test_girk_is_a_conductance_group_the_neuron_can_watch():
    m = gabab_girk()
    syn = _gaba_synapse(metabotropic=(m, gabab_autoreceptor()))
    groups = conductance_groups(syn)
    assert [g.name for g in groups] == ["GABAA", "GABAB"]
    assert groups[1].species == ("GABAB.GIRK4",)
    assert groups[1].e_rev_mV == -95.0 and groups[1].g_open_nS == pytest.approx(0.005)
    env = simpy.Environment()
    rs = se.RandomStream(2)
    parts = SynapseAssembly(env, plan(syn, []), rs, se.EventLog("vesicle"), t_end_ms=200.0,
                            trace_dt_ms=1.0, watch_open=True)

    def drive():
        for t in (1.0, 11.0, 21.0, 31.0):
            yield env.timeout(t - env.now)
            parts.spike()

    env.process(drive())
    env.run(until=200.0)
    g = np.asarray(parts.cleft.watch_g)
    d = np.asarray(parts.cleft.watch_d)
    assert (g == 1).any()
    assert [int(d[g == k].sum()) for k in range(2)] == parts.open_counts()


def test_degenerate_cases_are_exact():
    m = gabab_girk()
    # No transmitter: no receptor, G-protein or channel ever moves.
    r = se.simulate(_gaba_synapse(metabotropic=(m,)), None, t_end_ms=200.0, seed=1)
    assert r.count(m.g_active).max() == 0 and r.count(m.girk_open).max() == 0
    # No G-proteins: receptors bind, but no channel ever opens.
    none = dataclasses.replace(m, n_g_proteins=0)
    r = se.simulate(_gaba_synapse(metabotropic=(none,)), se.regular(100.0, 5, start_ms=2.0),
                    t_end_ms=200.0, seed=1)
    assert r.count("GABAB.RT").max() > 0
    assert r.count(m.g_active).max() == 0 and r.count(m.girk_open).max() == 0
    without = dataclasses.replace(r, synapse=dataclasses.replace(r.synapse, metabotropic=()))
    assert (r.current_pA == without.current_pA).all()


# -- autoreceptors ----------------------------------------------------------------------------
TRAIN = se.regular(50.0, 10, start_ms=5.0)


def _release(syn, seed, interventions=()):
    r = se.simulate(syn, TRAIN, t_end_ms=200.0, seed=seed, trace_dt_ms=1.0,
                    interventions=interventions)
    return r


@pytest.mark.statistical
def test_autoreceptor_depresses_release_during_a_train():
    control = _gaba_synapse()
    auto = _gaba_synapse(metabotropic=(gabab_autoreceptor(),))
    later = {"control": [], "auto": []}
    for seed in range(8):
        for label, syn in (("control", control), ("auto", auto)):
            r = _release(syn, seed)
            later[label].append(r.quanta_per_spike()[1:].sum())
            if label == "auto":
                f = np.asarray(r.spike_ca_factors)
                assert f[0] == 1.0 and (f[1:] < 1.0).all() and (f[1:] >= 0.6).all()
    a, c = np.asarray(later["auto"], float), np.asarray(later["control"], float)
    diff_se = np.sqrt(a.var(ddof=1) / a.size + c.var(ddof=1) / c.size)
    assert c.mean() - a.mean() > 4 * diff_se
    assert a.mean() < 0.75 * c.mean()


def _fusions(r):
    ev = r.events
    f = ev[ev["kind"] == "fusion"]
    return list(zip(f["t_ms"], f["vesicle"], f["amount"]))


def test_autoreceptor_knockout_restores_control_exactly():
    control = _release(_gaba_synapse(), 7)
    auto = _gaba_synapse(metabotropic=(gabab_autoreceptor(),))
    knocked = _release(auto, 7, [se.Knockout(target="GABAB_pre")])
    zero = _release(_gaba_synapse(metabotropic=(gabab_autoreceptor(n=0),)), 7)
    assert _fusions(control)  # something to compare
    assert _fusions(knocked) == _fusions(control)
    assert _fusions(zero) == _fusions(control)
    assert knocked.spike_ca_factors == control.spike_ca_factors
    assert _fusions(_release(auto, 7)) != _fusions(control)


def test_antagonist_acts_on_the_autoreceptor():
    auto = _gaba_synapse(metabotropic=(gabab_autoreceptor(),))
    blocker = se.ReceptorAntagonist(target="GABAB_pre", conc_uM=100.0, kd_uM=0.01)
    free = _release(auto, 3)
    blocked = _release(auto, 3, [blocker])
    assert np.mean(blocked.spike_ca_factors) > np.mean(free.spike_ca_factors)
    assert min(blocked.spike_ca_factors) > 0.95
    with pytest.raises(se.ParameterError, match=r'channel_blocker "target" must name a receptor'):
        plan(auto, [se.ChannelBlocker(target="GABAB_pre")])


def test_d2_autoreceptor_on_the_dopaminergic_terminal():
    syn = se.presets.dopaminergic(metabotropic=(d2_autoreceptor(),),
                                  calcium={"local_peak_uM": 40.0})
    r = se.simulate(syn, se.regular(20.0, 10, start_ms=2.0), t_end_ms=600.0, seed=2,
                    trace_dt_ms=1.0)
    assert r.fate_table()["balanced"].all()
    assert len(r.spike_ca_factors) == 10 and all(0.6 <= f <= 1.0 for f in r.spike_ca_factors)
