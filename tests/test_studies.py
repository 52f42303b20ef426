"""The study layer: statistics against scipy, comparisons on common seeds, Hill fits, plots."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import synevent as se
from synevent.studies import (
    SynapseModel,
    compare,
    dose_response,
    fit_hill,
    hill_curve,
    plot_dose_response,
    plot_traces,
    replicate_seed,
)
from synevent.pharmacology.drugs import drug
from synevent.pharmacology.interventions import ReceptorAntagonist
from synevent.studies import models as models_module
from synevent.studies.statistics import (
    describe,
    hedges_g,
    mean_ci,
    paired_difference,
    ratio_of_means,
    welch_difference,
)

PE = se.ParameterError


# -- models used by the tests (top level, so process pools can pickle them) ------------------

def synapse_model() -> SynapseModel:
    return SynapseModel(se.presets.glutamatergic(), se.regular(20.0, 2, start_ms=1.0),
                        t_end_ms=60.0, trace_dt_ms=0.2)


@dataclass(frozen=True)
class MgBath:
    """Sets extracellular Mg²⁺: it only changes the NMDA block, never the random events."""

    mg_mM: float


@dataclass(frozen=True)
class MgModel(SynapseModel):
    def run(self, interventions, seed):
        s = self.synapse
        for iv in interventions:
            s = s.replace(mg_mM=iv.mg_mM)
        return SynapseModel.run(dataclasses.replace(self, synapse=s), (), seed)


@dataclass(frozen=True)
class Shift:
    amount: float


@dataclass
class ToyRun:
    summary: dict
    traces: pd.DataFrame


@dataclass(frozen=True)
class ToyModel:
    """value = base + shift + noise; ``maybe`` is NaN where base < 9.5 (same replicates in every
    condition), ``flaky`` where base + shift < 10 (depends on the condition)."""

    default_trace_columns = ("x",)

    def run(self, interventions, seed):
        rng = np.random.default_rng(seed)
        shift = sum(iv.amount for iv in interventions)
        base, noise = rng.normal(10.0, 2.0), rng.normal(0.0, 0.5)
        value = base + shift + noise
        t = np.arange(11) * 0.5
        summary = {
            "value": value,
            "maybe": value if base >= 9.5 else float("nan"),
            "flaky": value if base + shift >= 10.0 else float("nan"),
            "count": 3,
            "ok": True,
        }
        return ToyRun(summary, pd.DataFrame({"t_ms": t, "x": value * np.exp(-t)}))


# -- statistics --------------------------------------------------------------------------------

X = np.array([3.1, 2.4, 5.0, 4.2, 3.3, 6.1])
Y = np.array([2.0, 2.5, 3.9, 3.0, 3.4, 4.0])


def test_describe_matches_scipy():
    d = describe(X)
    assert d.n == 6
    assert d.mean == X.mean()
    assert d.sd == np.std(X, ddof=1)
    assert d.sem == pytest.approx(stats.sem(X), rel=1e-15)
    assert (d.ci_low, d.ci_high) == stats.t.interval(0.95, 5, loc=X.mean(), scale=d.sem)
    assert mean_ci(X, 0.9) == stats.t.interval(0.9, 5, loc=X.mean(), scale=d.sem)


def test_describe_degenerate_cases():
    assert describe([np.nan, 2.0, np.nan, 4.0]).n == 2
    assert describe([np.nan, 2.0, np.nan, 4.0]).mean == 3.0
    empty = describe([])
    assert empty.n == 0 and all(math.isnan(v) for v in empty[1:])
    one = describe([5.0])
    assert one.n == 1 and one.mean == 5.0 and math.isnan(one.sd) and math.isnan(one.ci_low)
    assert describe([2.0, 2.0, 2.0])[1:] == (2.0, 0.0, 0.0, 2.0, 2.0)
    with pytest.raises(PE, match='"level" must be in \\(0, 1\\), got 1.5'):
        describe(X, 1.5)


def test_paired_difference_matches_ttest_rel():
    d = paired_difference(X, Y)
    ref = stats.ttest_rel(X, Y)
    ci = ref.confidence_interval(0.95)
    assert d.n == 6 and d.test == "paired"
    assert d.diff == pytest.approx((X - Y).mean(), rel=1e-15)
    assert d.ci_low == pytest.approx(ci.low, rel=1e-12)
    assert d.ci_high == pytest.approx(ci.high, rel=1e-12)
    assert d.p_value == ref.pvalue


def test_paired_difference_drops_nan_pairs_and_handles_zero_variance():
    x, y = X.copy(), Y.copy()
    x[1], y[4] = np.nan, np.nan
    keep = [0, 2, 3, 5]
    assert paired_difference(x, y).p_value == stats.ttest_rel(X[keep], Y[keep]).pvalue
    same = paired_difference(X, X)
    assert (same.n, same.diff, same.ci_low, same.ci_high) == (6, 0.0, 0.0, 0.0)
    assert math.isnan(same.p_value)
    shifted = paired_difference([2.0, 3.0, 5.0], [1.0, 2.0, 4.0])  # constant difference
    assert shifted.ci_low == shifted.ci_high == shifted.diff == 1.0
    assert math.isnan(shifted.p_value)
    with pytest.raises(PE, match='"treated" and "control" must be 1-D of equal length'):
        paired_difference(X, Y[:3])


def test_welch_difference_matches_ttest_ind():
    y = Y[:4]
    d = welch_difference(X, y)
    ref = stats.ttest_ind(X, y, equal_var=False)
    ci = ref.confidence_interval(0.95)
    assert d.test == "welch" and d.n == 10
    assert d.diff == X.mean() - y.mean()
    assert d.ci_low == pytest.approx(ci.low, rel=1e-12)
    assert d.ci_high == pytest.approx(ci.high, rel=1e-12)
    assert d.p_value == ref.pvalue
    assert math.isnan(welch_difference([1.0], y).ci_low)


def test_hedges_g_by_hand():
    t, c = np.array([1.0, 2.0, 3.0, 4.0]), np.array([0.0, 1.0, 2.0, 3.0])
    df = 6
    j = math.gamma(df / 2) / (math.sqrt(df / 2) * math.gamma((df - 1) / 2))
    assert hedges_g(t, c) == pytest.approx(j * 1.0 / math.sqrt(5.0 / 3.0), rel=1e-14)
    assert j == pytest.approx(1 - 3 / (4 * df - 1), abs=2e-3)  # the usual approximation
    assert hedges_g(c, t) == pytest.approx(-hedges_g(t, c), rel=1e-15)
    assert hedges_g(X, X) == 0.0
    assert math.isnan(hedges_g([1.0, 1.0], [1.0, 1.0]))  # both constant
    assert math.isnan(hedges_g([1.0], [2.0, 3.0]))  # df = 1
    assert ratio_of_means(3.0, 2.0) == 1.5
    assert math.isnan(ratio_of_means(3.0, 0.0))


# -- compare -----------------------------------------------------------------------------------

def test_replicate_seed_is_the_spawned_child():
    for r in range(3):
        child = np.random.SeedSequence(11).spawn(4)[r]
        s = replicate_seed(11, r)
        assert s.spawn_key == (r,) == child.spawn_key and s.entropy == 11
        assert (s.generate_state(4) == child.generate_state(4)).all()


def test_identical_conditions_give_identical_rows_and_zero_differences():
    cmp = compare(synapse_model(), {"control": [], "same": ()}, n_replicates=4, seed=3)
    tab = cmp.table
    assert list(tab.columns[:3]) == ["condition", "replicate", "seed_entropy"]
    assert tab["condition"].cat.ordered and list(tab["condition"].cat.categories) == ["control", "same"]
    assert tab["replicate"].tolist() == [0, 1, 2, 3] * 2
    assert (tab["seed_entropy"] == 3).all()
    assert "conserved" not in tab.columns and "psc_charge_pC" in tab.columns
    metrics = list(cmp.metrics)
    a = tab[tab["condition"] == "control"][metrics].reset_index(drop=True)
    b = tab[tab["condition"] == "same"][metrics].reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    s = cmp.summary()
    assert len(s) == 2 * len(metrics)
    assert (s["diff"] == 0.0).all()
    assert (s["test"] == "paired").all()
    assert s["p_value"].isna().all()
    defined = s[s["n"] >= 2]
    assert (defined["diff_ci95_low"] == 0.0).all() and (defined["diff_ci95_high"] == 0.0).all()
    charge = s[(s["metric"] == "psc_charge_pC")]
    assert charge["n"].tolist() == [4, 4] and (charge["ratio"] == 1.0).all()


def test_rows_are_the_runs_of_their_own_seed():
    m = synapse_model()
    cmp = compare(m, {"a": []}, n_replicates=3, seed=8, metrics=["psc_charge_pC", "quanta_sync"])
    for r in range(3):
        res = se.simulate(m.synapse, m.stimulus, t_end_ms=60.0, trace_dt_ms=0.2,
                          seed=np.random.SeedSequence(entropy=8, spawn_key=(r,)))
        row = cmp.table.iloc[r]
        assert row["psc_charge_pC"] == res.summary["psc_charge_pC"]
        assert row["quanta_sync"] == res.summary["quanta_sync"]
        pd.testing.assert_series_equal(pd.Series(cmp.rerun("a", r).summary), pd.Series(res.summary))
    # A replicate's numbers do not depend on how many replicates run.
    more = compare(m, {"a": []}, n_replicates=5, seed=8, metrics=["psc_charge_pC", "quanta_sync"])
    pd.testing.assert_frame_equal(cmp.table, more.table.iloc[:3])


def test_results_do_not_depend_on_the_executor():
    kwargs = dict(n_replicates=4, seed=21, trace_every_ms=1.0)
    conds = {
        "control": [],
        "nbqx": [drug("nbqx", conc_uM=1.0)],
        "tboa": [drug("tboa", conc_uM=50.0)],
        "antagonist": [ReceptorAntagonist(target="AMPA", conc_uM=3.0, kd_uM=1.0)],
    }
    model = synapse_model()
    ref = compare(model, conds, **kwargs)
    assert (ref.summary().query("condition == 'nbqx' and metric == 'psc_peak_pA'")["ratio"] < 1).all()
    for workers in (1, 2):
        with se.process_pool(workers) as pool:
            got = compare(model, conds, executor=pool, **kwargs)
        pd.testing.assert_frame_equal(got.table, ref.table)
        pd.testing.assert_frame_equal(got.traces, ref.traces)
        pd.testing.assert_frame_equal(got.summary(), ref.summary())


def test_common_random_numbers_isolate_the_intervention():
    """Mg²⁺ changes only the NMDA block: release is identical replicate by replicate, and the
    charge difference is exactly paired."""
    model = MgModel(se.presets.glutamatergic(), se.regular(20.0, 2, start_ms=1.0), 60.0, 0.2)
    cmp = compare(model, {"control": [], "mg_free": [MgBath(0.0)]}, n_replicates=6, seed=5)
    s = cmp.summary().set_index(["condition", "metric"], drop=False)
    for m in ("quanta_sync", "molecules_released", "peak_free_uM"):
        assert s.loc[("mg_free", m), "diff"] == 0.0
    charge = s.loc[("mg_free", "psc_charge_pC")]
    assert charge["diff"] < 0 and charge["ratio"] > 1  # more inward charge without Mg²⁺
    tab = cmp.table
    x = tab.loc[tab["condition"] == "mg_free", "psc_charge_pC"].to_numpy()
    c = tab.loc[tab["condition"] == "control", "psc_charge_pC"].to_numpy()
    assert charge["p_value"] == stats.ttest_rel(x, c).pvalue
    assert charge["hedges_g"] == hedges_g(x, c)


def test_nan_metrics_are_dropped_per_metric():
    cmp = compare(ToyModel(), {"control": [], "up": [Shift(3.0)]}, n_replicates=12, seed=4)
    assert cmp.metrics == ("value", "maybe", "flaky", "count")  # the boolean is not a metric
    s = cmp.summary().set_index(["condition", "metric"])
    tab = cmp.table
    ctrl, up = tab[tab["condition"] == "control"], tab[tab["condition"] == "up"]
    assert s.loc[("up", "value"), "n"] == 12
    n_maybe = int(up["maybe"].notna().sum())
    assert 0 < n_maybe < 12 and s.loc[("up", "maybe"), "n"] == n_maybe
    assert s.loc[("up", "maybe"), "test"] == "paired"  # the same replicates are defined
    assert s.loc[("up", "maybe"), "diff"] == pytest.approx(3.0)
    # The shift defines more replicates of "flaky" in "up" than in control: Welch.
    assert up["flaky"].notna().sum() > ctrl["flaky"].notna().sum()
    assert s.loc[("up", "flaky"), "test"] == "welch"
    ref = stats.ttest_ind(up["flaky"].dropna(), ctrl["flaky"].dropna(), equal_var=False)
    assert s.loc[("up", "flaky"), "p_value"] == ref.pvalue
    # An integer constant: SD 0, effect size undefined, difference exactly 0.
    assert s.loc[("up", "count"), "sd"] == 0.0 and s.loc[("up", "count"), "diff"] == 0.0
    assert math.isnan(s.loc[("up", "count"), "hedges_g"])


def test_traces_subsampling_and_band():
    cmp = compare(synapse_model(), {"control": [], "b": []}, n_replicates=3, seed=2,
                  trace_every_ms=1.0)
    tr = cmp.traces
    assert list(tr.columns) == ["condition", "replicate", "t_ms", "glu_free_uM", "current_pA"]
    t = np.unique(tr["t_ms"])
    np.testing.assert_allclose(t, np.arange(61) * 1.0, atol=1e-9)
    assert len(tr) == 2 * 3 * 61
    band = cmp.trace_band("current_pA")
    assert list(band.columns) == ["t_ms", "condition", "mean", "sd", "n"]
    assert len(band) == 2 * 61 and (band["n"] == 3).all()
    ref = tr[tr["condition"] == "b"].groupby("t_ms")["current_pA"]
    np.testing.assert_array_equal(band.loc[band["condition"] == "b", "mean"], ref.mean())
    np.testing.assert_array_equal(band.loc[band["condition"] == "b", "sd"], ref.std())
    none = compare(synapse_model(), {"a": []}, n_replicates=1, seed=2, trace_columns=())
    assert list(none.traces.columns) == ["condition", "replicate", "t_ms"] and none.traces.empty
    with pytest.raises(PE, match='"column" must be one of'):
        cmp.trace_band("ca_uM")


def test_synapse_model_passes_interventions(monkeypatch):
    seen = []
    monkeypatch.setattr(models_module, "simulate", lambda *a, **kw: seen.append(kw))
    m = synapse_model()
    m.run([], np.random.SeedSequence(1))
    m.run([Shift(1.0)], np.random.SeedSequence(1))
    assert seen[0]["interventions"] == ()
    assert seen[1]["interventions"] == (Shift(1.0),)
    assert m.default_trace_columns == ("glu_free_uM", "current_pA")
    with pytest.raises(PE, match='"t_end_ms" must be > 0, got -1.0'):
        SynapseModel(se.presets.glutamatergic(), None, t_end_ms=-1.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_replicates": 0}, '"n_replicates" must be an integer >= 1, got 0'),
        ({"control": "placebo"}, "\"control\" must be one of \\['control', 'up'\\], got 'placebo'"),
        ({"conditions": {}}, '"conditions" must be a non-empty mapping'),
        ({"conditions": {"control": Shift(1.0)}}, "\"conditions\\['control'\\]\" must be a sequence"),
        ({"metrics": ["value", "psc_peak_pA"]}, '"metrics" must be distinct keys of the run summary'),
        ({"trace_columns": ["nope"]}, '"trace_columns" must be columns of the traces'),
        ({"trace_every_ms": 0.7}, '"trace_every_ms" must be a multiple of the trace grid step 0.5 ms'),
        ({"executor": 2}, '"executor" must be a concurrent.futures.Executor or None, got int'),
        ({"seed": -1}, '"seed" must be a non-negative integer or None, got -1'),
    ],
)
def test_compare_validation(kwargs, message):
    args = {"conditions": {"control": [], "up": [Shift(1.0)]}, "n_replicates": 2, "seed": 1}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        compare(ToyModel(), **args)


# -- Hill fits ---------------------------------------------------------------------------------

CONC = np.array([0.0, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0])


@pytest.mark.parametrize(
    "true", [dict(bottom=2.0, top=10.0, ec50_uM=2.5, slope=1.3),
             dict(bottom=-5.0, top=1.0, ec50_uM=0.7, slope=-0.8)],
)
def test_fit_hill_recovers_noise_free_parameters(true):
    y = hill_curve(CONC, **true)
    for kw in ({}, {"fix_bottom": true["bottom"]}, {"fix_top": true["top"]}):
        f = fit_hill(CONC, y, **kw)
        for k in ("bottom", "top", "ec50_uM", "slope"):
            assert getattr(f, k) == pytest.approx(true[k], rel=1e-6), (k, kw)
        assert f.ic50_uM == f.ec50_uM and f.increasing == (true["slope"] > 0)
    # Zero concentration is the low-concentration plateau.
    assert f.predict([0.0])[0] == pytest.approx(true["bottom"] if true["slope"] > 0 else true["top"])
    assert f.fixed == ("top",) and f.top_se == 0.0


def test_fit_hill_noisy_data_within_four_standard_errors():
    rng = np.random.default_rng(2024)
    c = np.repeat(CONC, 5)
    y = hill_curve(c, bottom=2.0, top=10.0, ec50_uM=2.5, slope=1.3) + rng.normal(0.0, 0.5, c.size)
    f = fit_hill(c, y)
    assert f.n_points == 40
    for est, true, se_ in ((f.bottom, 2.0, f.bottom_se), (f.top, 10.0, f.top_se),
                           (f.log10_ec50, math.log10(2.5), f.log10_ec50_se),
                           (f.slope, 1.3, f.slope_se)):
        assert 0 < se_ < 1 and abs(est - true) < 4 * se_
    assert f.ec50_se_uM == pytest.approx(f.ec50_uM * math.log(10) * f.log10_ec50_se)
    # NaN responses are dropped.
    y2 = y.copy()
    y2[[3, 17]] = np.nan
    assert fit_hill(c, y2).n_points == 38


@pytest.mark.parametrize(
    ("conc", "resp", "message"),
    [
        ([0.0, -1.0, 1.0, 10.0], [1, 2, 3, 4], '"conc_uM" must be finite and >= 0, got -1.0'),
        ([0.0, 1.0, 10.0, 100.0], [1, 2, 3], '"response" must have the shape of "conc_uM"'),
        ([1.0, 10.0, 100.0], [1, 2, 3], '"conc_uM" must hold at least 4 points with a defined response, got 3'),
        ([0.0, 1.0, 1.0, 10.0], [1, 2, 3, 4], '"conc_uM" must hold at least 4 distinct concentrations'),
        ([0.0, 0.0, 1.0, 1.0], [1, 2, 3, 4], '"conc_uM" must hold at least 4 distinct'),
        ([0.0, 1.0, 3.0, 10.0], [1, np.inf, 3, 4], '"response" must be finite or NaN, got inf'),
    ],
)
def test_fit_hill_refuses_bad_input(conc, resp, message):
    with pytest.raises(PE, match=message):
        fit_hill(conc, resp)


# -- dose-response -----------------------------------------------------------------------------

MG_UM = [0.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0, 3000.0]


def mg_model() -> MgModel:
    return MgModel(se.presets.glutamatergic(), se.regular(20.0, 2, start_ms=1.0), 60.0, 0.2)


def test_dose_response_recovers_the_mg_block_ic50():
    """On common seeds every replicate's charge is AMPA + NMDA · B([Mg]), so the fit must find
    the Jahr–Stevens IC50 of the block at −70 mV and a Hill slope of 1 (to fit precision).

    The charge is inward (negative), so blocking NMDA receptors makes it rise towards the AMPA
    plateau: in signed terms an increasing curve."""
    dr = dose_response(mg_model(), lambda c: [MgBath(c / 1000.0)], MG_UM[::-1],
                       metric="psc_charge_pC", n_replicates=4, seed=12)
    assert list(dr.table.columns) == ["conc_uM", "replicate", "seed_entropy", "psc_charge_pC"]
    assert dr.table["conc_uM"].tolist() == [c for c in MG_UM for _ in range(4)]
    assert list(dr.means["n"]) == [4] * len(MG_UM)
    ic50_uM = 1000.0 * 3.57 * math.exp(0.062 * -70.0)
    f = dr.fit
    assert f.ic50_uM == pytest.approx(ic50_uM, rel=1e-6)
    assert f.slope == pytest.approx(1.0, rel=1e-6)
    assert f.bottom == pytest.approx(dr.means["mean"].iloc[0], rel=1e-6)  # Mg-free: AMPA + NMDA
    assert f.predict([0.0])[0] == f.bottom
    with se.process_pool(2) as pool:
        again = dose_response(mg_model(), lambda c: [MgBath(c / 1000.0)], MG_UM,
                              metric="psc_charge_pC", n_replicates=4, seed=12, executor=pool)
    pd.testing.assert_frame_equal(again.table, dr.table)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"concentrations_uM": [0.0, 1.0, 1.0, 3.0, 10.0]}, '"concentrations_uM" must be distinct'),
        ({"concentrations_uM": [0.0, 1.0, 3.0]}, '"concentrations_uM" must hold at least 4 distinct'),
        ({"concentrations_uM": [0.0, -1.0, 3.0, 10.0]}, '"concentrations_uM" must be finite and >= 0, got -1.0'),
        ({"metric": "potency"}, '"metric" must be distinct keys of the run summary'),
        ({"make_interventions": lambda c: Shift(c)}, '"make_interventions\\(0.0\\)" must return a sequence'),
        ({"make_interventions": 3}, '"make_interventions" must be callable'),
        ({"n_replicates": 0}, '"n_replicates" must be an integer >= 1, got 0'),
    ],
)
def test_dose_response_validation(kwargs, message):
    args = {"make_interventions": lambda c: [Shift(c)], "concentrations_uM": [0.0, 1.0, 3.0, 10.0],
            "metric": "value", "n_replicates": 2, "seed": 1}
    args.update(kwargs)
    with pytest.raises(PE, match=message):
        dose_response(ToyModel(), **args)


# -- plots -------------------------------------------------------------------------------------

@pytest.fixture
def plt():
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


def test_plot_traces_draws_a_line_and_band_per_condition(plt):
    cmp = compare(ToyModel(), {"control": [], "up": [Shift(2.0)], "down": [Shift(-2.0)]},
                  n_replicates=3, seed=1)
    ax = plot_traces(cmp, "x")
    assert len(ax.lines) == 3 and len(ax.collections) == 3
    assert [line.get_label() for line in ax.lines] == ["control", "up", "down"]
    _, ax2 = plt.subplots()
    assert plot_traces(cmp, "x", ax=ax2, conditions=["up"]) is ax2
    assert len(ax2.lines) == 1 and len(ax2.collections) == 1
    with pytest.raises(PE, match="\"conditions\" must be one of"):
        plot_traces(cmp, "x", conditions=["sideways"])


def test_plot_dose_response_draws_points_control_and_fit(plt):
    dr = dose_response(mg_model(), lambda c: [MgBath(c / 1000.0)], MG_UM,
                       metric="psc_charge_pC", n_replicates=2, seed=3)
    ax = plot_dose_response(dr)
    assert ax.get_xscale() == "log"
    assert len(ax.containers) == 2  # positive concentrations, and the control marker
    fit_lines = [line for line in ax.lines if line.get_label().startswith("Hill fit: EC50")]
    assert len(fit_lines) == 1
    _, ax2 = plt.subplots()
    plot_dose_response(dr, ax=ax2, zero="omit", fit=False)
    assert len(ax2.containers) == 1
    assert not [line for line in ax2.lines if line.get_label().startswith("Hill")]
    with pytest.raises(PE, match="\"zero\" must be one of \\['marker', 'omit'\\], got 'left'"):
        plot_dose_response(dr, zero="left")
