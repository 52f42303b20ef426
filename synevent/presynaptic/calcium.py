"""Presynaptic Ca²⁺ at a release site: a local transient per spike plus a summing residual.

At a release site the Ca²⁺ sensor sees

``ca(t) = ca_rest + sum_k A * n * (exp(-(t - t_k)/tau_decay) - exp(-(t - t_k)/tau_rise))
                 + sum_k residual * exp(-(t - t_k)/tau_residual)``

over spikes ``t_k <= t``, where ``n`` normalises the difference of exponentials to a peak of
one, so ``A`` is the peak local concentration. ``A`` is the reference peak scaled by the
extracellular Ca²⁺ (a saturating channel flux, ``[Ca]o/([Ca]o + K)`` relative to the reference
``[Ca]o``) and by the fraction of available Ca channels. Because every term is an exponential,
three running sums describe the whole history and ``ca(t)`` costs O(1) whatever the number of
spikes; the same sums give a rigorous upper bound over any interval, which the exact
time-inhomogeneous simulation of the sensor (thinning) needs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..engine.checks import check_nonnegative, check_positive, check_probability

__all__ = ["CalciumParams", "CalciumState"]


@dataclass(frozen=True)
class CalciumParams:
    """Parameters of the site's Ca²⁺ signal (concentrations µM, times ms, [Ca]o mM).

    Parameters
    ----------
    ca_rest_uM : float
        Resting intracellular [Ca²⁺].
    local_peak_uM : float
        Peak of the local transient per spike at ``ca_ext_ref_mM`` with all channels available.
    tau_rise_ms, tau_decay_ms : float
        Time constants of the local transient (difference of exponentials).
    residual_uM : float
        Residual (volume-averaged) [Ca²⁺] added by each spike.
    tau_residual_ms : float
        Decay time constant of the residual Ca²⁺.
    ca_ext_mM, ca_ext_ref_mM : float
        Extracellular [Ca²⁺] of the run and at which ``local_peak_uM`` was set.
    kd_ca_ext_mM : float
        Half-saturating [Ca²⁺]o of the Ca²⁺ flux through the channels.
    channel_availability : float
        Fraction of Ca channels available (1 without blockers).
    """

    ca_rest_uM: float = 0.05
    local_peak_uM: float = 25.0
    tau_rise_ms: float = 0.1
    tau_decay_ms: float = 0.25
    residual_uM: float = 0.1
    tau_residual_ms: float = 50.0
    ca_ext_mM: float = 2.0
    ca_ext_ref_mM: float = 2.0
    kd_ca_ext_mM: float = 0.9
    channel_availability: float = 1.0

    def __post_init__(self) -> None:
        check_nonnegative("ca_rest_uM", self.ca_rest_uM)
        check_nonnegative("local_peak_uM", self.local_peak_uM)
        check_positive("tau_rise_ms", self.tau_rise_ms)
        check_positive("tau_decay_ms", self.tau_decay_ms)
        if not self.tau_decay_ms > self.tau_rise_ms:
            raise ValueError(
                f'"tau_decay_ms" must be greater than "tau_rise_ms" ({self.tau_rise_ms!r}), '
                f"got {self.tau_decay_ms!r}"
            )
        check_nonnegative("residual_uM", self.residual_uM)
        check_positive("tau_residual_ms", self.tau_residual_ms)
        check_nonnegative("ca_ext_mM", self.ca_ext_mM)
        check_positive("ca_ext_ref_mM", self.ca_ext_ref_mM)
        check_positive("kd_ca_ext_mM", self.kd_ca_ext_mM)
        check_probability("channel_availability", self.channel_availability)

    @property
    def influx_scale(self) -> float:
        """Factor on the per-spike Ca²⁺ signals from [Ca²⁺]o and channel availability."""
        k = self.kd_ca_ext_mM
        sat = self.ca_ext_mM / (self.ca_ext_mM + k)
        ref = self.ca_ext_ref_mM / (self.ca_ext_ref_mM + k)
        return self.channel_availability * sat / ref

    @property
    def norm(self) -> float:
        """Factor that gives the difference of exponentials a peak of one."""
        tr, td = self.tau_rise_ms, self.tau_decay_ms
        t_peak = tr * td / (td - tr) * math.log(td / tr)
        return 1.0 / (math.exp(-t_peak / td) - math.exp(-t_peak / tr))

    def transient(self, t_ms: float) -> float:
        """Local [Ca²⁺] above rest at ``t_ms`` after one spike from rest (no residual)."""
        if t_ms < 0:
            return 0.0
        a = self.local_peak_uM * self.influx_scale * self.norm
        return a * (math.exp(-t_ms / self.tau_decay_ms) - math.exp(-t_ms / self.tau_rise_ms))


class CalciumState:
    """The running sums that give [Ca²⁺] at a site for any time after the last spike.

    Parameters
    ----------
    params : CalciumParams
        The signal's parameters.
    """

    def __init__(self, params: CalciumParams) -> None:
        self.p = params
        self._scale = params.influx_scale
        self._amp = params.local_peak_uM * self._scale * params.norm
        self._res = params.residual_uM * self._scale
        self.blocked_factor = 1.0
        self.t_ref = 0.0
        self.s_decay = 0.0  # sum of amp * exp(-(t_ref - t_k)/tau_decay)
        self.s_rise = 0.0
        self.s_res = 0.0

    def set_availability(self, factor: float) -> None:
        """Scale the Ca²⁺ entry of later spikes by ``factor`` (channels left by a blocker)."""
        p = self.p
        self.blocked_factor = factor
        self._amp = p.local_peak_uM * self._scale * p.norm * factor
        self._res = p.residual_uM * self._scale * factor

    @property
    def entry(self) -> float:
        """Ca²⁺ entry of the next spike relative to the reference ([Ca²⁺]o, channels, blockers)."""
        return self._scale * self.blocked_factor

    def spike(self, t_ms: float) -> None:
        """Add the Ca²⁺ entry of a spike arriving at ``t_ms``."""
        self._move(t_ms)
        self.s_decay += self._amp
        self.s_rise += self._amp
        self.s_res += self._res

    def _move(self, t_ms: float) -> None:
        dt = t_ms - self.t_ref
        if dt:
            p = self.p
            self.s_decay *= math.exp(-dt / p.tau_decay_ms)
            self.s_rise *= math.exp(-dt / p.tau_rise_ms)
            self.s_res *= math.exp(-dt / p.tau_residual_ms)
            self.t_ref = t_ms

    def ca(self, t_ms: float | np.ndarray, exp: Callable = math.exp) -> float | np.ndarray:
        """[Ca²⁺] in µM at ``t_ms`` (not before the last spike).

        ``t_ms`` may be an array when ``exp`` is ``numpy.exp``.
        """
        dt = t_ms - self.t_ref
        p = self.p
        return (
            p.ca_rest_uM
            + self.s_decay * exp(-dt / p.tau_decay_ms)
            - self.s_rise * exp(-dt / p.tau_rise_ms)
            + self.s_res * exp(-dt / p.tau_residual_ms)
        )

    def ca_bound(self, t0_ms: float, t1_ms: float) -> float:
        """An upper bound of [Ca²⁺] over ``[t0_ms, t1_ms]`` (both after the last spike)."""
        # Every decay term is largest at t0 and the subtracted rise term smallest at t1.
        p = self.p
        d0 = t0_ms - self.t_ref
        d1 = t1_ms - self.t_ref
        return (
            p.ca_rest_uM
            + self.s_decay * math.exp(-d0 / p.tau_decay_ms)
            - self.s_rise * math.exp(-d1 / p.tau_rise_ms)
            + self.s_res * math.exp(-d0 / p.tau_residual_ms)
        )

    def transient_settled(self, t_ms: float, rel: float = 1e-3) -> bool:
        """True when the local transient adds less than ``rel`` × resting [Ca²⁺] at ``t_ms``."""
        dt = t_ms - self.t_ref
        return self.s_decay * math.exp(-dt / self.p.tau_decay_ms) < rel * max(
            self.p.ca_rest_uM, 1e-6
        )

