"""The cooperative Ca²⁺ sensor of a primed vesicle and its forward (master) equation.

A primed vesicle's sensor has ``n_sites`` Ca²⁺ binding sites filled one at a time. From the
state with ``i`` ions bound:

* binding to ``i + 1`` at ``(n_sites - i) * kon * [Ca]``;
* unbinding to ``i - 1`` at ``i * koff * b**(i - 1)`` (``b < 1``: bound ions stabilise each other);
* fusion at ``l_plus * f**i + gamma * [i == n_sites]``.

With ``gamma = 0`` this is the allosteric model of Lou, Scheuss & Schneggenburger (2005), where
fusion is possible from every state and each bound ion multiplies the fusion rate by ``f``; with
``f = 1`` and ``gamma > 0`` it is the five-site sequential model of Schneggenburger & Neher
(2000), with ``l_plus`` as a Ca²⁺-independent spontaneous rate. Synchronous, asynchronous and
spontaneous release all come from this one scheme. Rates are per ms, ``kon`` per µM per ms.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..engine.checks import check_count, check_nonnegative, check_positive

__all__ = ["SensorParams", "fusion_time_cdf", "release_fraction_step", "spontaneous_rate_per_ms"]


@dataclass(frozen=True)
class SensorParams:
    """Rate constants of the Ca²⁺ sensor (defaults: Lou et al. 2005, allosteric)."""

    n_sites: int = 5
    kon_per_uM_per_ms: float = 0.1
    koff_per_ms: float = 4.0
    b: float = 0.5
    l_plus_per_ms: float = 2e-7
    f: float = 31.3
    gamma_per_ms: float = 0.0

    def __post_init__(self) -> None:
        check_count("n_sites", self.n_sites, minimum=1)
        check_nonnegative("kon_per_uM_per_ms", self.kon_per_uM_per_ms)
        check_positive("koff_per_ms", self.koff_per_ms)
        check_positive("b", self.b)
        check_nonnegative("l_plus_per_ms", self.l_plus_per_ms)
        check_positive("f", self.f)
        check_nonnegative("gamma_per_ms", self.gamma_per_ms)

    def unbind_rates(self) -> list[float]:
        """Unbinding rate from each state ``0..n_sites`` (per ms)."""
        return [i * self.koff_per_ms * self.b ** (i - 1) if i else 0.0 for i in self.states]

    def bind_factors(self) -> list[int]:
        """Free sites in each state (binding rate = factor × kon × [Ca])."""
        return [self.n_sites - i for i in self.states]

    def fusion_rates(self) -> list[float]:
        """Fusion rate from each state (per ms)."""
        n = self.n_sites
        return [
            self.l_plus_per_ms * self.f**i + (self.gamma_per_ms if i == n else 0.0)
            for i in self.states
        ]

    @property
    def states(self) -> range:
        return range(self.n_sites + 1)

    def generator(self, ca_uM: float) -> np.ndarray:
        """Rate matrix ``Q`` (rows: from, columns: to) over states ``0..n`` plus 'fused'."""
        n = self.n_sites
        q = np.zeros((n + 2, n + 2))
        kon = self.kon_per_uM_per_ms
        for i, (bf, ub, fu) in enumerate(
            zip(self.bind_factors(), self.unbind_rates(), self.fusion_rates())
        ):
            if i < n:
                q[i, i + 1] = bf * kon * ca_uM
            if i > 0:
                q[i, i - 1] = ub
            q[i, n + 1] = fu
            q[i, i] = -q[i].sum()
        return q

    def resting_distribution(self, ca_uM: float) -> np.ndarray:
        """Occupancy of states ``0..n`` at binding equilibrium for constant ``ca_uM``."""
        w = [1.0]
        kon = self.kon_per_uM_per_ms
        ub = self.unbind_rates()
        for i in range(self.n_sites):
            w.append(w[-1] * (self.n_sites - i) * kon * ca_uM / ub[i + 1])
        w_arr = np.asarray(w)
        return w_arr / w_arr.sum()


def spontaneous_rate_per_ms(params: SensorParams, ca_rest_uM: float) -> float:
    """Fusion rate of one primed vesicle at constant ``ca_rest_uM``, binding at equilibrium.

    Binding equilibrates in well under a millisecond while spontaneous fusion takes minutes, so
    the rate is the equilibrium-weighted fusion rate (exact to first order in the fusion rates).
    """
    return float(params.resting_distribution(ca_rest_uM) @ np.asarray(params.fusion_rates()))


def fusion_time_cdf(
    params: SensorParams,
    ca_of_t: Callable[[float], float],
    t_ms: np.ndarray,
    *,
    p0: np.ndarray | None = None,
    max_step_ms: float = 0.01,
) -> np.ndarray:
    """P(fused by t) for one vesicle under the waveform ``ca_of_t``, from the master equation.

    Integrates ``dp/dt = p Q(ca(t))`` with scipy's LSODA (an independent solver), starting
    from ``p0`` (default: all in state 0 at ``t_ms[0]``).
    """
    from scipy.integrate import solve_ivp

    n = params.n_sites
    if p0 is None:
        p0 = np.zeros(n + 2)
        p0[0] = 1.0
    q0 = params.generator(0.0)
    q1 = params.generator(1.0) - q0  # the part proportional to [Ca]

    def rhs(t: float, p: np.ndarray) -> np.ndarray:
        return p @ (q0 + ca_of_t(t) * q1)

    sol = solve_ivp(
        rhs,
        (float(t_ms[0]), float(t_ms[-1])),
        np.asarray(p0, dtype=float),
        method="LSODA",
        t_eval=t_ms,
        rtol=1e-9,
        atol=1e-12,
        max_step=max_step_ms,
    )
    if not sol.success:  # pragma: no cover - LSODA on a linear system
        raise RuntimeError(sol.message)
    return sol.y[n + 1]


def release_fraction_step(params: SensorParams, ca_uM: float, t_ms: float) -> float:
    """Fraction of vesicles fused ``t_ms`` after a step to ``ca_uM`` from state 0 (exact)."""
    from scipy.linalg import expm

    n = params.n_sites
    p = expm(params.generator(ca_uM) * t_ms)[0]
    return float(p[n + 1])


