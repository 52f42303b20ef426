"""A second, high-affinity Ca²⁺ sensor that facilitates release: the site XF of Dittman et al.

Dittman, Kreitzer & Regehr (2000) describe facilitation with a Ca²⁺-bound site ``XF``: each spike
adds ``delta_f`` to its amount ``CaXF``, which decays with ``tau_f_ms``, and a release-ready site
is activated by a spike with probability

``F = F1 + (1 - F1) * CaXF / (CaXF + k_f)``

where ``F1`` is the probability without facilitation. Jackman et al. (2016) identified the
sensor: without synaptotagmin 7, facilitation disappears while the initial release probability
and the residual Ca²⁺ are unchanged.

Here ``F1`` is not a parameter: it is what the fast sensor of each primed vesicle gives for the
spike. The site adds a second, independent route to fusion. A spike arriving at ``t_k`` meets
the occupancy ``phi_k = CaXF / (CaXF + k_f)`` left by the earlier spikes, and every primed
vesicle then fuses through XF at the rate

``h(t) = -ln(1 - phi_k) * s(t - t_k)``,

where ``s`` is the local Ca²⁺ transient's time course normalised to unit area. The route alone
fuses a vesicle with probability ``1 - exp(-(-ln(1 - phi_k))) = phi_k``; with the fast sensor,
which acts independently, a vesicle escapes both with ``(1 - F1)(1 - phi_k)``, which is the
equation above. Like the Ca²⁺ signal, the rate is a sum of exponentials, so two running sums
give it at any time and an upper bound over any interval (needed by the thinning in
:class:`~synevent.presynaptic.terminal.Terminal`).

The increment of each spike scales with its Ca²⁺ entry relative to the reference (``[Ca²⁺]o``
and channel availability, as for the residual Ca²⁺); a spike with no Ca²⁺ entry activates no
vesicle through XF.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..engine.checks import ParameterError, check_nonnegative, check_positive, check_probability

__all__ = [
    "FacilitationParams",
    "FacilitationState",
    "facilitated_probability",
    "k_f_from_paired_pulse",
]

#: Below this XF fusion rate per primed vesicle (per ms) the route counts as settled.
SETTLED_RATE_PER_MS = 1e-9


@dataclass(frozen=True)
class FacilitationParams:
    """The facilitation site XF (dimensionless amounts; time in ms).

    Parameters
    ----------
    delta_f : float
        Ca²⁺-bound XF added by one spike at the reference Ca²⁺ entry. 0 means no facilitation
        site (the default).
    k_f : float
        Amount of Ca²⁺-bound XF that gives half-maximal occupancy (same units as ``delta_f``).
    tau_f_ms : float
        Decay time constant of the Ca²⁺-bound XF.
    """

    delta_f: float = 0.0
    k_f: float = 1.0
    tau_f_ms: float = 100.0

    def __post_init__(self) -> None:
        check_nonnegative("delta_f", self.delta_f)
        check_positive("k_f", self.k_f)
        check_positive("tau_f_ms", self.tau_f_ms)

    @property
    def enabled(self) -> bool:
        """True when spikes load the site."""
        return self.delta_f > 0.0

    def occupancy_after(self, intervals_ms: list[float], entry: float = 1.0) -> float:
        """Occupancy met by a spike that follows earlier spikes by ``intervals_ms``.

        Every earlier spike carries the Ca²⁺ entry ``entry`` relative to the reference.
        """
        c = sum(self.delta_f * entry * math.exp(-dt / self.tau_f_ms) for dt in intervals_ms)
        return c / (c + self.k_f)


def k_f_from_paired_pulse(f1: float, rho: float) -> float:
    """``k_f`` (with ``delta_f = 1``) implied by a release probability and a paired-pulse ratio.

    Dittman et al. (2000) fix the site's affinity by the ratio ``rho`` of the second to the first
    response at very short intervals, where the second spike meets ``CaXF = delta_f = 1`` and a
    fraction ``1 - f1`` of the sites: ``rho = F2 (1 - f1) / f1`` with
    ``F2 = f1 + (1 - f1) / (1 + k_f)``.

    Parameters
    ----------
    f1 : float
        Release probability of a release-ready site at the first spike, in (0, 1).
    rho : float
        Paired-pulse ratio at very short intervals; facilitation needs ``rho > 1 - f1`` and the
        second probability cannot exceed one, so ``rho < (1 - f1) / f1``.

    Returns
    -------
    float
        ``k_f = (1 - f1) / (F2 - f1) - 1``.
    """
    f1 = check_probability("f1", f1)
    if not 0.0 < f1 < 1.0:
        raise ParameterError(f'"f1" must be in (0, 1), got {f1!r}')
    rho = check_positive("rho", rho)
    low, high = 1.0 - f1, (1.0 - f1) / f1
    if not low < rho < high:
        raise ParameterError(
            f'"rho" must be in ({low:.4g}, {high:.4g}) for "f1" = {f1!r} (between no facilitation '
            f"and a second release probability of 1), got {rho!r}"
        )
    f2 = rho * f1 / (1.0 - f1)
    return (1.0 - f1) / (f2 - f1) - 1.0


def facilitated_probability(p_fast: float, occupancy: float) -> float:
    """Release probability of a primed vesicle with both routes: ``1 - (1 - p)(1 - phi)``."""
    p = check_probability("p_fast", p_fast)
    phi = check_probability("occupancy", occupancy)
    return 1.0 - (1.0 - p) * (1.0 - phi)


class FacilitationState:
    """Ca²⁺-bound XF and the running sums of the XF fusion rate of one primed vesicle.

    Parameters
    ----------
    params : FacilitationParams
        The site.
    tau_rise_ms, tau_decay_ms : float
        Time constants of the local Ca²⁺ transient, which the XF route follows.
    """

    def __init__(self, params: FacilitationParams, tau_rise_ms: float, tau_decay_ms: float) -> None:
        self.p = params
        self.tau_r = float(tau_rise_ms)
        self.tau_d = float(tau_decay_ms)
        self._inv_width = 1.0 / (self.tau_d - self.tau_r)  # unit area of the transient's shape
        self.t_ref = 0.0
        self.ca_xf = 0.0  # Ca²⁺-bound XF at t_ref
        # Sums over spikes of lambda_k / (tau_d - tau_r) * exp(-(t_ref - t_k) / tau), for the
        # decay and the rise time constant.
        self.h_decay = 0.0
        self.h_rise = 0.0

    def _move(self, t_ms: float) -> None:
        dt = t_ms - self.t_ref
        if dt:
            self.ca_xf *= math.exp(-dt / self.p.tau_f_ms)
            self.h_decay *= math.exp(-dt / self.tau_d)
            self.h_rise *= math.exp(-dt / self.tau_r)
            self.t_ref = t_ms

    def occupancy(self, t_ms: float) -> float:
        """Fraction of XF activated at ``t_ms`` (not before the last spike)."""
        c = self.ca_xf * math.exp(-(t_ms - self.t_ref) / self.p.tau_f_ms)
        return c / (c + self.p.k_f)

    def spike(self, t_ms: float, entry: float) -> float:
        """A spike at ``t_ms`` with relative Ca²⁺ entry ``entry``; returns the occupancy it met.

        The occupancy is read before this spike's own increment: a spike is facilitated by the
        spikes before it.
        """
        self._move(t_ms)
        phi = self.ca_xf / (self.ca_xf + self.p.k_f)
        if entry > 0.0 and phi > 0.0:
            amp = -math.log1p(-phi) * self._inv_width
            self.h_decay += amp
            self.h_rise += amp
        self.ca_xf += self.p.delta_f * entry
        return phi

    def rate(self, t_ms: float) -> float:
        """XF fusion rate of one primed vesicle at ``t_ms`` (per ms)."""
        dt = t_ms - self.t_ref
        r = self.h_decay * math.exp(-dt / self.tau_d) - self.h_rise * math.exp(-dt / self.tau_r)
        return r if r > 0.0 else 0.0

    def rate_bound(self, t0_ms: float, t1_ms: float) -> float:
        """An upper bound of :meth:`rate` over ``[t0_ms, t1_ms]`` (both after the last spike)."""
        # As for the Ca²⁺ transient: the decay sum is largest at t0, the subtracted rise sum
        # smallest at t1.
        b = (
            self.h_decay * math.exp(-(t0_ms - self.t_ref) / self.tau_d)
            - self.h_rise * math.exp(-(t1_ms - self.t_ref) / self.tau_r)
        )
        return b if b > 0.0 else 0.0

    def settled(self, t_ms: float) -> bool:
        """True when the XF fusion rate is below :data:`SETTLED_RATE_PER_MS` from ``t_ms`` on."""
        return self.h_decay * math.exp(-(t_ms - self.t_ref) / self.tau_d) < SETTLED_RATE_PER_MS
