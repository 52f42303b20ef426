"""Spike trains."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import synevent as se


def test_regular_burst_paired_explicit_and_delay():
    assert se.regular(50.0, 3, start_ms=1.0).times().tolist() == [1.0, 21.0, 41.0]
    assert se.paired_pulse(20.0, start_ms=5.0).times().tolist() == [5.0, 25.0]
    b = se.burst(2, 3, 100.0, 100.0).times()
    assert b.tolist() == [0.0, 10.0, 20.0, 100.0, 110.0, 120.0]
    assert se.explicit([1.0, 2.5], conduction_delay_ms=0.5).times().tolist() == [1.5, 3.0]
    assert se.regular(10.0, 2).with_delay(2.0).times().tolist() == [2.0, 102.0]


def test_burst_longer_than_interval_is_refused():
    with pytest.raises(se.ParameterError, match='"burst_interval_ms" must exceed the burst length'):
        se.burst(2, 10, 10.0, 500.0)


@pytest.mark.statistical
def test_poisson_train_counts_and_intervals():
    gen = np.random.Generator(np.random.PCG64(3))
    train = se.poisson(50.0, 2000.0)
    counts = np.array([train.times(gen).size for _ in range(400)])
    assert abs(counts.mean() - 100.0) < 4 * math.sqrt(100.0 / counts.size)
    t = train.times(gen)
    assert stats.kstest(np.diff(t), "expon", args=(0, 20.0)).pvalue > 0.01


def test_spikes_reach_the_terminal_at_their_times():
    r = se.simulate(se.presets.glutamatergic(), se.regular(100.0, 3, start_ms=2.0, conduction_delay_ms=1.5),
                    t_end_ms=50.0, seed=1)
    spikes = r.events.query("kind == 'spike'")["t_ms"].tolist()
    assert spikes == pytest.approx([3.5, 13.5, 23.5])
