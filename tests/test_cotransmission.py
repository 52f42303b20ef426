"""Cotransmission: a second transmitter from the same vesicles or from a vesicle population of its own."""

from __future__ import annotations

import numpy as np
import pytest

import synevent as se

GLU = se.presets.glutamatergic()
GABAA = se.presets.gabaergic().receptors[0]


def _synapse(mode: str, content: float = 2000.0, **vesicles) -> se.SynapseParams:
    base = GLU.replace(vesicles=vesicles) if vesicles else GLU
    return base.replace(
        cotransmitters=(se.Cotransmitter("GABA", mode, content),),
        receptors=base.receptors + (se.ReceptorPopulation(GABAA.scheme, GABAA.n, transmitter="GABA"),),
    )


def test_same_vesicle_release_carries_both_transmitters_in_a_fixed_ratio():
    r = se.simulate(_synapse("same_vesicle"), se.regular(20.0, 5, start_ms=1.0), t_end_ms=300.0, seed=5)
    arr = r.events[r.events["kind"] == "cleft_arrival"]
    main = arr[arr["detail"].astype(str) == ""].reset_index(drop=True)
    co = arr[arr["detail"].astype(str) == "GABA"].reset_index(drop=True)
    assert len(main) == len(co) > 0
    np.testing.assert_array_equal(main["t_ms"], co["t_ms"])
    np.testing.assert_array_equal(main["vesicle"], co["vesicle"])
    ratio = 2000.0 / GLU.vesicles.molecules_per_vesicle
    np.testing.assert_array_equal(co["amount"], np.round(main["amount"] * ratio).astype(int))
    assert r.summary["conserved"]
    assert r.fused_molecules == r.summary["molecules_released"] + r.in_transit


def test_separate_vesicles_release_on_their_own_draw_at_the_same_probability():
    syn = _synapse("separate_vesicles", n_sites=10)
    main, co = [], []
    for s in range(40):
        r = se.simulate(syn, se.explicit([1.0]), t_end_ms=8.0, seed=s, trace_dt_ms=1.0)
        f = r.fusions()
        comp = f["component"].astype(str)
        main.append(int((comp == "terminal").sum()))
        co.append(int((comp == "terminal.GABA").sum()))
        assert r.summary["conserved"]
    main, co = np.asarray(main, float), np.asarray(co, float)
    # Same sensor, same Ca2+ and the same cycle: equal mean quanta, independent draws.
    se_diff = np.sqrt(main.var(ddof=1) / len(main) + co.var(ddof=1) / len(co))
    assert abs(main.mean() - co.mean()) < 4 * se_diff
    assert not np.array_equal(main, co)


def test_cotransmitter_receptors_bind_only_their_transmitter():
    r = se.simulate(_synapse("same_vesicle"), se.explicit([1.0]), t_end_ms=30.0, seed=2)
    for rx in r.network.reactions:
        if rx.name.startswith("GABAA:"):
            assert "glu" not in rx.reactants and "glu" not in rx.products
        if rx.name.startswith(("AMPA:", "NMDA:")):
            assert "GABA" not in rx.reactants and "GABA" not in rx.products
    assert r.summary["quanta_sync"] > 0
    opened = sum(r.count(f"GABAA.{o}") for o in GABAA.scheme.open_states)
    assert opened.max() > 0
    assert r.summary["conserved"]


def test_bad_cotransmission_input_is_refused_with_the_field_named():
    with pytest.raises(se.ParameterError, match="mode"):
        se.Cotransmitter("GABA", "both", 100.0)
    with pytest.raises(se.ParameterError, match="molecules_per_vesicle"):
        se.Cotransmitter("GABA", "same_vesicle", -5.0)
    with pytest.raises(se.ParameterError, match='"vesicles" applies only'):
        se.Cotransmitter("GABA", "same_vesicle", 100.0, vesicles=se.VesicleParams())
    with pytest.raises(se.ParameterError, match=r'receptors\[GABAA\] acts on "gly"'):
        GLU.replace(receptors=(se.ReceptorPopulation(GABAA.scheme, 5, transmitter="gly"),))
    with pytest.raises(se.ParameterError, match="must differ"):
        GLU.replace(cotransmitters=(se.Cotransmitter("glu", "same_vesicle", 100.0),))
