"""Event-driven integration of a single-compartment membrane under stochastic conductances.

The synaptic conductances change only when a channel opens or closes, which the exact
simulation of each cleft reports with its time. Between two such events every conductance is
constant, so the membrane equation

``C dV/dt = -g_L (V - E_L) - Σ_k g_k B_k(V) (V - E_k) + I_inj``

is integrated interval by interval:

* without Mg²⁺-blocked conductances it is linear, and ``V`` relaxes exponentially to
  ``V_inf = (g_L E_L + Σ g_k E_k + I_inj) / G`` with time constant ``C/G``: the solution and the
  threshold-crossing time are exact (closed form);
* with an NMDA conductance, whose unblocked fraction ``B(V)`` follows the instantaneous
  voltage (Jahr & Stevens 1990), the equation is nonlinear. It is integrated with the
  exponential Rosenbrock–Euler method (exact for the linear part, second order) with step
  doubling: each accepted step's local error estimate is below ``TOL_MV`` (1e-6 mV);
* the Hodgkin–Huxley model is integrated by scipy's ``solve_ivp`` (RK45, rtol 1e-8) with
  spikes located as events.

The receptors' gating does not depend on the membrane potential (the Mg²⁺ block acts on the
open channel), so the membrane can be integrated after the channel events it depends on have
happened; a cell with outgoing synapses is brought up to date often enough (at most its
shortest conduction delay apart) that its spikes reach their targets on time.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence

import numpy as np

from ..assembly import ConductanceGroup
from ..engine import kernel as _kernel
from ..engine.ssa import ExactNetwork
from . import membrane_kernel
from .hh import hh_derivatives, hh_steady_state
from .mg_block import MG_BLOCK_K_MM, MG_BLOCK_SLOPE_PER_MV
from .neuron import CurrentClamp, NeuronParams, VoltageClamp

__all__ = ["Membrane", "TOL_MV"]

#: Largest accepted local error estimate of one nonlinear step (mV).
TOL_MV = 1e-6


class Membrane:
    """The membrane potential of one cell, advanced over the channel events of its synapses.

    Parameters
    ----------
    params : NeuronParams
    clamp : CurrentClamp or VoltageClamp
    t_end_ms, trace_dt_ms : float
        Grid ``0, dt, ...`` on which V, the synaptic conductance and current are recorded.
    on_spike : callable(t_ms), optional
        Called for every spike, in time order, when the integration reaches it.
    """

    def __init__(
        self,
        params: NeuronParams,
        clamp: CurrentClamp | VoltageClamp,
        *,
        t_end_ms: float,
        trace_dt_ms: float,
        on_spike: Callable[[float], None] | None = None,
    ) -> None:
        self.p = params
        self.hh = params.model == "hh"
        self.clamped = isinstance(clamp, VoltageClamp)
        self.command = clamp.holding_mV if self.clamped else math.nan
        self.protocol = sorted(clamp.changes())
        self._ip = 0
        self.i_inj = 0.0
        self.on_spike = on_spike
        self.c = params.capacitance_pF
        if self.hh:
            hh, area = params.hh, params.area_cm2
            # mS/cm² × cm² = mS; × 1e6 gives nS.
            self.hh_g = (hh.g_na_mS_per_cm2 * area * 1e6, hh.g_k_mS_per_cm2 * area * 1e6)
            self.hh_e = (hh.e_na_mV, hh.e_k_mV)
            self.gl = hh.g_leak_mS_per_cm2 * area * 1e6
            self.el = hh.e_leak_mV
            self.c = hh.c_uF_per_cm2 * area * 1e6
        else:
            self.gl = params.g_leak_nS
            self.el = params.e_rest_mV
        if self.clamped:
            self.v = self.command
        elif self.hh and params.v_initial_mV is None:
            self.v = -65.0  # the HH model's own rest, not the GHK potential of the ions
        else:
            self.v = params.v_start_mV
        self.gates = hh_steady_state(self.v) if self.hh else None
        self.t = 0.0
        self.refractory_until = -math.inf
        # The compiled stepper runs when the reaction loops are compiled (same steps, same
        # numbers); its Mg²⁺-blocked groups as arrays, rebuilt when a conductance changes.
        self.compiled = _kernel.use_compiled()
        if self.compiled:
            membrane_kernel.compile_loops()
        self._blocked: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._state = np.zeros(4)
        self.spikes: list[float] = []
        # Conductance groups of every synapse, in one flat list.
        self.g1: list[float] = []
        self.e: list[float] = []
        self.mg: list[float] = []  # Mg²⁺ of a blocked group, nan if unblocked
        self.n_open: list[int] = []
        self.g_lin = self.gl
        self.i_lin = self.gl * self.el
        self.g_mg: dict[tuple[float, float], float] = {}
        self.sources: list[tuple[ExactNetwork, int]] = []
        self.dt = float(trace_dt_ms)
        self.kmax = int(math.floor(t_end_ms / trace_dt_ms + 1e-9))
        self.k = 0
        self.rec_v: list[float] = []
        self.rec_g: list[float] = []
        self.rec_i: list[float] = []

    # -- wiring --------------------------------------------------------------------------------
    def attach(self, network: ExactNetwork, groups: Sequence[ConductanceGroup], mg_mM: float,
               open_now: Sequence[int]) -> None:
        """Follow the conductance groups of one synapse (its cleft network reports changes)."""
        offset = len(self.g1)
        for grp, n in zip(groups, open_now):
            self.g1.append(grp.g_open_nS)
            self.e.append(grp.e_rev_mV)
            self.mg.append(mg_mM if grp.mg_block else math.nan)
            self.n_open.append(0)
            self._open(len(self.g1) - 1, int(n))
        self.sources.append((network, offset))

    def _open(self, k: int, d: int) -> None:
        self.n_open[k] += d
        g = self.g1[k] * d
        mg = self.mg[k]
        if mg != mg:
            self.g_lin += g
            self.i_lin += g * self.e[k]
        else:
            key = (self.e[k], mg)
            total = self.g_mg.get(key, 0.0) + g
            # Integer counts make an exact zero possible only by rounding: clear it so the
            # cheaper linear path is taken when no blocked channel is open.
            if abs(total) < 1e-12:
                self.g_mg.pop(key, None)
            else:
                self.g_mg[key] = total
            self._blocked = None

    # -- advancing -----------------------------------------------------------------------------
    def _pull(self, t_target: float) -> tuple[list[float], list[int], list[int]]:
        ts: list[float] = []
        ks: list[int] = []
        ds: list[int] = []
        for net, offset in self.sources:
            net.catch_up(t_target)
            wt = net.watch_t
            if not wt:
                continue
            hi = bisect.bisect_left(wt, t_target)
            if hi == 0:
                continue
            ts.extend(wt[:hi])
            ks.extend(g + offset for g in net.watch_g[:hi])
            ds.extend(net.watch_d[:hi])
            del wt[:hi], net.watch_g[:hi], net.watch_d[:hi]
        if len(self.sources) > 1 and ts:
            order = np.argsort(np.asarray(ts), kind="stable")
            ts = [ts[i] for i in order]
            ks = [ks[i] for i in order]
            ds = [ds[i] for i in order]
        return ts, ks, ds

    def advance(self, t_target: float) -> None:
        """Integrate up to ``t_target`` over every channel event before it."""
        ts, ks, ds = self._pull(t_target)
        i, n = 0, len(ts)
        proto = self.protocol
        while True:
            t_ev = ts[i] if i < n else math.inf
            t_pr = proto[self._ip][0] if self._ip < len(proto) else math.inf
            t_next = min(t_ev, t_pr, t_target)
            self._evolve_recording(t_next)
            if t_next == t_target and t_ev >= t_target and t_pr >= t_target:
                return
            if t_pr <= t_ev:
                value = proto[self._ip][1]
                self._ip += 1
                if self.clamped:
                    self.command = value
                    self.v = value
                else:
                    self.i_inj = value
            else:
                self._open(ks[i], ds[i])
                i += 1

    def _evolve_recording(self, t1: float) -> None:
        # Grid points up to t1 get the state they had, then the interval's end.
        dt, kmax = self.dt, self.kmax
        while self.k <= kmax and self.k * dt < t1:
            tg = self.k * dt
            self._evolve(tg)
            self._record()
            self.k += 1
        self._evolve(t1)

    def finish(self, t_end_ms: float) -> None:
        """Advance to the end and fill the last grid point."""
        self.advance(t_end_ms)
        while self.k <= self.kmax:
            self._record()
            self.k += 1

    def _record(self) -> None:
        v = self.v
        g = self.g_lin - self.gl
        i = g * v - (self.i_lin - self.gl * self.el)
        for (e, mg), gm in self.g_mg.items():
            gb = gm * _unblocked(v, mg)
            g += gb
            i += gb * (v - e)
        self.rec_v.append(v)
        self.rec_g.append(g)
        self.rec_i.append(i)

    # -- the three integrators -----------------------------------------------------------------
    def _evolve(self, t1: float) -> None:
        if t1 <= self.t:
            return
        if self.clamped:
            self.t = t1
        elif self.hh:
            self._evolve_hh(t1)
        elif self.g_mg:
            if self.compiled:
                self._evolve_nonlinear_compiled(t1)
            else:
                self._evolve_nonlinear(t1)
        else:
            self._evolve_linear(t1)

    def _spike(self, t: float) -> None:
        self.spikes.append(t)
        self.v = self.p.v_reset_mV
        self.refractory_until = t + self.p.t_refractory_ms
        if self.on_spike is not None:
            self.on_spike(t)

    def _evolve_linear(self, t1: float) -> None:
        p = self.p
        theta = p.v_threshold_mV
        g = self.g_lin
        v_inf = (self.i_lin + self.i_inj) / g
        tau = self.c / g
        t, v = self.t, self.v
        while True:
            if self.refractory_until > t:
                t = min(self.refractory_until, t1)
                v = p.v_reset_mV
                if t >= t1:
                    break
            if v >= theta:
                self.v = v
                self._spike(t)
                v = self.v
                continue
            if v_inf > theta:
                ts = t + tau * math.log((v - v_inf) / (theta - v_inf))
                if ts < t1:
                    self.v = v
                    self._spike(ts)
                    t, v = ts, self.v
                    continue
            v = v_inf + (v - v_inf) * math.exp(-(t1 - t) / tau)
            t = t1
            break
        self.t, self.v = t, v

    def _rhs(self, v: float) -> tuple[float, float]:
        # dV/dt and its derivative in V (for the exponential Rosenbrock step).
        f = self.i_lin + self.i_inj - self.g_lin * v
        df = -self.g_lin
        for (e, mg), gm in self.g_mg.items():
            b = _unblocked(v, mg)
            f -= gm * b * (v - e)
            df -= gm * (b + MG_BLOCK_SLOPE_PER_MV * b * (1.0 - b) * (v - e))
        return f / self.c, df / self.c

    def _step(self, v: float, h: float) -> float:
        f, j = self._rhs(v)
        z = j * h
        phi = math.expm1(z) / z if abs(z) > 1e-12 else 1.0 + 0.5 * z
        return v + phi * h * f

    def _evolve_nonlinear(self, t1: float) -> None:
        p = self.p
        theta = p.v_threshold_mV
        t, v = self.t, self.v
        h = getattr(self, "_h", 0.05)
        while t < t1:
            if self.refractory_until > t:
                t = min(self.refractory_until, t1)
                v = p.v_reset_mV
                continue
            if v >= theta:
                self.v = v
                self._spike(t)
                v = self.v
                continue
            h = min(h, t1 - t)
            full = self._step(v, h)
            half = self._step(self._step(v, 0.5 * h), 0.5 * h)
            err = abs(half - full)
            if err > TOL_MV and h > 1e-9:
                h *= max(0.2, 0.9 * (TOL_MV / err) ** (1 / 3))
                continue
            if half >= theta:
                # Locate the crossing on the step's own solution (monotone over one step).
                lo, hi = 0.0, h
                for _ in range(50):
                    mid = 0.5 * (lo + hi)
                    if self._step(self._step(v, 0.5 * mid), 0.5 * mid) >= theta:
                        hi = mid
                    else:
                        lo = mid
                self.v = theta
                self._spike(t + hi)
                t, v = t + hi, self.v
                continue
            t += h
            v = half
            h *= min(4.0, 0.9 * (TOL_MV / err) ** (1 / 3)) if err > 0 else 4.0
        self._h = h
        self.t, self.v = t, v

    def _evolve_nonlinear_compiled(self, t1: float) -> None:
        # The same steps as _evolve_nonlinear, compiled; Python takes over at each spike.
        p = self.p
        state = self._state
        state[:] = (self.t, self.v, getattr(self, "_h", 0.05), self.refractory_until)
        while True:
            if self._blocked is None:  # rebuilt after any change of the blocked conductances
                self._blocked = membrane_kernel.blocked_arrays(self.g_mg)
            e, mg, gm = self._blocked
            if membrane_kernel.evolve_nonlinear(
                state, t1, p.v_threshold_mV, p.v_reset_mV, TOL_MV, self.i_lin, self.i_inj,
                self.g_lin, self.c, e, mg, gm, MG_BLOCK_SLOPE_PER_MV, MG_BLOCK_K_MM,
            ) != membrane_kernel.SPIKE:
                break
            t, v, _, _ = state.tolist()
            self.v = v
            self._spike(t)
            state[0], state[1], state[3] = t, self.v, self.refractory_until
        self.t, self.v, self._h, _ = state.tolist()

    def _evolve_hh(self, t1: float) -> None:
        from scipy.integrate import solve_ivp

        g_syn_lin = self.g_lin - self.gl
        i_syn_lin = self.i_lin - self.gl * self.el
        blocked = list(self.g_mg.items())

        def rhs(_t, y):
            v = y[0]
            i_syn = g_syn_lin * v - i_syn_lin
            for (e, mg), gm in blocked:
                i_syn += gm * _unblocked(v, mg) * (v - e)
            return hh_derivatives(y, self.hh_g, self.hh_e, self.gl, self.el, self.c,
                                  self.i_inj - i_syn)

        def crossing(_t, y):
            return y[0]

        crossing.direction = 1.0
        y0 = np.array([self.v, *self.gates])
        sol = solve_ivp(rhs, (self.t, t1), y0, method="RK45", rtol=1e-8, atol=1e-8,
                        events=crossing, max_step=0.05)
        for ts in sol.t_events[0]:
            if ts > self.t:
                self.spikes.append(float(ts))
                if self.on_spike is not None:
                    self.on_spike(float(ts))
        self.v = float(sol.y[0, -1])
        self.gates = tuple(float(x) for x in sol.y[1:, -1])
        self.t = t1

    # -- output --------------------------------------------------------------------------------
    def traces(self) -> dict[str, np.ndarray]:
        """``V_mV``, ``g_syn_nS`` and ``i_syn_pA`` on the grid."""
        return {
            "V_mV": np.asarray(self.rec_v),
            "g_syn_nS": np.asarray(self.rec_g),
            "i_syn_pA": np.asarray(self.rec_i),
        }


def _unblocked(v: float, mg: float) -> float:
    return 1.0 / (1.0 + math.exp(-MG_BLOCK_SLOPE_PER_MV * v) * mg / MG_BLOCK_K_MM)
