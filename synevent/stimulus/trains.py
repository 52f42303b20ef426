"""Spike trains that drive the presynaptic terminal.

A train is a description; :meth:`SpikeTrain.times` turns it into spike arrival times at the
terminal (ms) for one run, drawing from the run's random generator where the train is random
(Poisson). Every arrival is shifted by the conduction delay.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..engine.checks import ParameterError, check_count, check_nonnegative, check_positive

__all__ = ["DroppedSpikesWarning", "SpikeTrain", "regular", "poisson", "burst", "paired_pulse",
           "explicit"]


class DroppedSpikesWarning(UserWarning):
    """Spikes of a stimulus fall at or after the end of the run and are not delivered."""


@dataclass(frozen=True)
class SpikeTrain:
    """A spike train description.

    Use the factory functions (:func:`regular`, :func:`poisson`, :func:`burst`,
    :func:`paired_pulse`, :func:`explicit`) rather than this class directly.
    """

    kind: str
    spec: dict = field(default_factory=dict)
    conduction_delay_ms: float = 0.0

    def __post_init__(self) -> None:
        check_nonnegative("conduction_delay_ms", self.conduction_delay_ms)

    def times(self, generator: np.random.Generator | None = None) -> np.ndarray:
        """Arrival times at the terminal (ms), sorted."""
        s = self.spec
        if self.kind == "explicit":
            t = np.asarray(s["times_ms"], dtype=float)
        elif self.kind == "regular":
            t = s["start_ms"] + np.arange(s["n_spikes"]) * 1000.0 / s["rate_hz"]
        elif self.kind == "burst":
            intra = np.arange(s["spikes_per_burst"]) * 1000.0 / s["intra_rate_hz"]
            starts = s["start_ms"] + np.arange(s["n_bursts"]) * s["burst_interval_ms"]
            t = (starts[:, None] + intra[None, :]).ravel()
        elif self.kind == "poisson":
            if generator is None:
                raise ValueError("a Poisson train needs the run's random generator")
            n = generator.poisson(s["rate_hz"] * s["duration_ms"] / 1000.0)
            t = s["start_ms"] + np.sort(generator.uniform(0.0, s["duration_ms"], size=n))
        else:  # pragma: no cover - guarded by the factories
            raise ParameterError(f"unknown train kind {self.kind!r}")
        return t + self.conduction_delay_ms

    def last_arrival_ms(self) -> float | None:
        """The latest time a spike of this train can reach the terminal (ms), ``None`` if it
        has no spikes: the last spike of a fixed train, the end of a Poisson train's window."""
        if self.kind == "poisson":
            s = self.spec
            return s["start_ms"] + s["duration_ms"] + self.conduction_delay_ms
        t = self.times()
        return float(t[-1]) if t.size else None

    def beyond(self, t_end_ms: float) -> str | None:
        """What of this train a run ending at ``t_end_ms`` would not deliver (``None``: nothing)."""
        last = self.last_arrival_ms()
        if last is None:
            return None
        if self.kind == "poisson":
            if last <= t_end_ms:
                return None
            return (f"the Poisson train runs to {last:g} ms (start_ms + duration_ms + "
                    f'conduction_delay_ms), past "t_end_ms" = {t_end_ms:g}: its spikes after the '
                    "end of the run are not delivered")
        if last < t_end_ms:
            return None
        t = self.times()
        return (f"{int(np.count_nonzero(t >= t_end_ms))} of the {t.size} spikes of the "
                f'{self.kind} train come at or after "t_end_ms" = {t_end_ms:g} (the last at '
                f"{last:g} ms) and are not delivered")

    def with_delay(self, conduction_delay_ms: float) -> SpikeTrain:
        """The same train with another conduction delay."""
        return SpikeTrain(self.kind, dict(self.spec), conduction_delay_ms)


def regular(
    rate_hz: float, n_spikes: int, *, start_ms: float = 0.0, conduction_delay_ms: float = 0.0
) -> SpikeTrain:
    """``n_spikes`` at ``rate_hz`` from ``start_ms``."""
    return SpikeTrain(
        "regular",
        {
            "rate_hz": check_positive("rate_hz", rate_hz),
            "n_spikes": check_count("n_spikes", n_spikes, minimum=1),
            "start_ms": check_nonnegative("start_ms", start_ms),
        },
        conduction_delay_ms,
    )


def poisson(
    rate_hz: float, duration_ms: float, *, start_ms: float = 0.0, conduction_delay_ms: float = 0.0
) -> SpikeTrain:
    """A homogeneous Poisson train of ``rate_hz`` over ``duration_ms`` from ``start_ms``."""
    return SpikeTrain(
        "poisson",
        {
            "rate_hz": check_nonnegative("rate_hz", rate_hz),
            "duration_ms": check_positive("duration_ms", duration_ms),
            "start_ms": check_nonnegative("start_ms", start_ms),
        },
        conduction_delay_ms,
    )


def burst(
    n_bursts: int,
    spikes_per_burst: int,
    intra_rate_hz: float,
    burst_interval_ms: float,
    *,
    start_ms: float = 0.0,
    conduction_delay_ms: float = 0.0,
) -> SpikeTrain:
    """``n_bursts`` bursts of ``spikes_per_burst`` at ``intra_rate_hz``, one every ``burst_interval_ms``."""
    n = check_count("n_bursts", n_bursts, minimum=1)
    spikes = check_count("spikes_per_burst", spikes_per_burst, minimum=1)
    rate = check_positive("intra_rate_hz", intra_rate_hz)
    interval = check_positive("burst_interval_ms", burst_interval_ms)
    if n > 1 and (spikes - 1) * 1000.0 / rate >= interval:
        raise ParameterError(
            f'"burst_interval_ms" must exceed the burst length {(spikes - 1) * 1000.0 / rate} ms, '
            f"got {burst_interval_ms!r}"
        )
    return SpikeTrain(
        "burst",
        {
            "n_bursts": n,
            "spikes_per_burst": spikes,
            "intra_rate_hz": rate,
            "burst_interval_ms": interval,
            "start_ms": check_nonnegative("start_ms", start_ms),
        },
        conduction_delay_ms,
    )


def paired_pulse(
    interval_ms: float, *, start_ms: float = 0.0, conduction_delay_ms: float = 0.0
) -> SpikeTrain:
    """Two spikes ``interval_ms`` apart."""
    iv = check_positive("interval_ms", interval_ms)
    start = check_nonnegative("start_ms", start_ms)
    return SpikeTrain("explicit", {"times_ms": [start, start + iv]}, conduction_delay_ms)


def explicit(times_ms, *, conduction_delay_ms: float = 0.0) -> SpikeTrain:
    """Spikes at the given times (ms, non-negative, strictly increasing).

    Two spikes of one axon at the same time are not a train: the second would take every
    fusion of the first (``quanta_per_spike`` counts a fusion for the last spike at or before
    it), so the first would count as a failure.
    """
    try:
        t = np.asarray(times_ms, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(
            f'"times_ms" must be a sequence of spike times in ms (numbers), got {times_ms!r}'
        ) from None
    if t.ndim > 1:
        raise ParameterError(f'"times_ms" must be one-dimensional, got shape {t.shape}')
    t = t.ravel()
    if t.size and (not np.all(np.isfinite(t)) or t.min() < 0 or np.any(np.diff(t) <= 0)):
        raise ParameterError(
            f'"times_ms" must be finite, non-negative and strictly increasing, got {list(times_ms)!r}'
        )
    return SpikeTrain("explicit", {"times_ms": t.tolist()}, conduction_delay_ms)
