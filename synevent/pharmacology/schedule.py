"""When a drug is present: wash-in and wash-out as first-order approach to the bath level.

The relative level ``f(t)`` (0 = absent, 1 = the nominal concentration) is

* 0 before ``start_ms``;
* ``1 - exp(-(t - start)/tau_on)`` from ``start_ms`` to ``stop_ms`` (a step when ``tau_on = 0``);
* ``f(stop) * exp(-(t - stop)/tau_off)`` after ``stop_ms`` (a step down when ``tau_off = 0``).

``start_ms = -inf`` (the default) means the drug was applied long before the run: the tissue is
at equilibrium with it at ``t = 0``.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

from ..engine.checks import ParameterError, check_nonnegative

__all__ = ["Schedule"]

#: Piecewise-constant steps per time constant when a rate follows a changing level.
STEPS_PER_TAU = 50
#: After this many time constants the level is taken as settled (residual e^-7 < 0.1 %).
SETTLE_TAUS = 7.0


@dataclass(frozen=True)
class Schedule:
    """Presence of a drug over time.

    Parameters
    ----------
    start_ms : float
        Application time (``-inf``: at equilibrium before the run starts).
    stop_ms : float
        Start of the wash-out (``inf``: never).
    tau_on_ms, tau_off_ms : float
        Wash-in and wash-out time constants (0: instantaneous).
    """

    start_ms: float = -math.inf
    stop_ms: float = math.inf
    tau_on_ms: float = 0.0
    tau_off_ms: float = 0.0

    def __post_init__(self) -> None:
        for name in ("start_ms", "stop_ms"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, numbers.Real) or math.isnan(v):
                raise ParameterError(f'"schedule.{name}" must be a number, got {v!r}')
        if self.start_ms == math.inf:
            raise ParameterError('"schedule.start_ms" must be finite or -inf, got inf')
        if not self.stop_ms > self.start_ms:
            raise ParameterError(
                f'"schedule.stop_ms" must be after "schedule.start_ms" ({self.start_ms!r}), '
                f"got {self.stop_ms!r}"
            )
        check_nonnegative("schedule.tau_on_ms", self.tau_on_ms)
        check_nonnegative("schedule.tau_off_ms", self.tau_off_ms)

    @property
    def pre_equilibrated(self) -> bool:
        """Whether the drug was present at its full level long before ``t = 0``."""
        return self.start_ms == -math.inf

    def _on(self, u: float) -> float:
        # level u ms after the start, ignoring the stop
        if u < 0:
            return 0.0
        if self.tau_on_ms == 0 or self.pre_equilibrated:
            return 1.0
        return -math.expm1(-u / self.tau_on_ms)

    def level(self, t_ms: float) -> float:
        """Relative level ``f(t)`` in [0, 1]."""
        if t_ms < self.stop_ms:
            return self._on(t_ms - self.start_ms)
        f_stop = self._on(self.stop_ms - self.start_ms)
        if self.tau_off_ms == 0:
            return 0.0
        return f_stop * math.exp(-(t_ms - self.stop_ms) / self.tau_off_ms)

    def peak_before(self, t_ms: float) -> float:
        """Highest level reached up to ``t_ms`` (the level rises until the wash-out starts)."""
        return self._on(min(self.stop_ms, t_ms) - self.start_ms)

    def integral(self, t0_ms: float, t1_ms: float) -> float:
        """``∫ f(t) dt`` from ``t0_ms`` to ``t1_ms`` (exact), for finite bounds."""
        if not t1_ms > t0_ms:
            return 0.0
        total = 0.0
        a, b = max(t0_ms, self.start_ms), min(t1_ms, self.stop_ms)
        if b > a:
            if self.pre_equilibrated or self.tau_on_ms == 0:
                total += b - a
            else:
                total += self._on_integral(a - self.start_ms, b - self.start_ms)
        a, b = max(t0_ms, self.stop_ms), t1_ms
        if b > a and self.tau_off_ms > 0:
            f_stop, tau = self._on(self.stop_ms - self.start_ms), self.tau_off_ms
            u0, u1 = a - self.stop_ms, b - self.stop_ms
            total += f_stop * tau * (math.exp(-u0 / tau) - math.exp(-u1 / tau))
        return total

    def _on_integral(self, u0: float, u1: float) -> float:
        tau = self.tau_on_ms
        return (u1 - u0) - tau * (math.exp(-u0 / tau) - math.exp(-u1 / tau))

    def steps(self, t0_ms: float, t_end_ms: float) -> list[tuple[float, float]]:
        """Piecewise-constant approximation of ``f`` on ``[t0_ms, t_end_ms)``.

        Returns ``(t, value)`` pairs: the value holds from ``t`` to the next pair's time. Each
        value is the mean of ``f`` over its interval, so the drug exposure ``∫ f dt`` is exact;
        intervals are ``tau / STEPS_PER_TAU`` long while the level changes (for
        ``SETTLE_TAUS`` time constants after each edge).
        """
        cuts = {t0_ms}
        for t_edge, tau in ((self.start_ms, self.tau_on_ms), (self.stop_ms, self.tau_off_ms)):
            if not math.isfinite(t_edge) or t_edge >= t_end_ms:
                continue
            if t_edge > t0_ms:
                cuts.add(t_edge)
            if tau > 0 and not (t_edge == self.start_ms and self.pre_equilibrated):
                dt = tau / STEPS_PER_TAU
                k_first = max(1, math.ceil((t0_ms - t_edge) / dt))
                k_last = int(SETTLE_TAUS * STEPS_PER_TAU)
                for k in range(k_first, k_last + 1):
                    t = t_edge + k * dt
                    if t >= t_end_ms or (t_edge == self.start_ms and t >= self.stop_ms):
                        break
                    cuts.add(t)
        times = sorted(c for c in cuts if t0_ms <= c < t_end_ms)
        out: list[tuple[float, float]] = []
        for i, t in enumerate(times):
            t_next = times[i + 1] if i + 1 < len(times) else t_end_ms
            value = self.integral(t, t_next) / (t_next - t)
            if not out or out[-1][1] != value:
                out.append((t, value))
        return out
