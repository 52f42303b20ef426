"""The presynaptic terminal: vesicle cycle and Ca²⁺ sensors, simulated exactly in one process.

All presynaptic reactions (docking, undocking, priming, unpriming, Ca²⁺ binding and unbinding on
each primed vesicle's sensor, fusion, retrieval, refilling) form one Markov jump process whose
binding propensities follow the time-varying [Ca²⁺]. It is simulated by thinning (Lewis &
Shedler 1979): candidate times come from a Poisson process whose rate bounds the total
propensity over a short horizon (the Ca²⁺ bound of :class:`CalciumState`), and a candidate at
``t`` is accepted with probability ``a(t) / bound``. This is exact for any bound that holds, so
the only approximation left is in the floating-point arithmetic. With a facilitation site
(:mod:`.facilitation`), primed vesicles also fuse through it at a rate that follows each spike's
local transient; its running sums bound that rate the same way.

Vesicles are exchangeable within a state, so each state keeps a list of vesicle ids and a
reaction picks one uniformly; this gives per-vesicle identities in the log at O(1) cost.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import simpy

from ..engine.log import EventLog
from ..engine.process import ExactProcess
from ..engine.random import RandomStream
from .calcium import CalciumParams, CalciumState
from .facilitation import FacilitationParams, FacilitationState
from .sensor import SensorParams
from .vesicles import VesicleParams

__all__ = ["Terminal"]

COMPONENT = "presynaptic"
#: A horizon expecting fewer candidates than this is stretched to about one expected candidate.
_STRETCH_BELOW = 0.5


def _take(lst: list[int], u: float) -> int:
    """Remove and return a uniformly chosen element (swap with the last: O(1))."""
    i = int(u * len(lst))
    v = lst[i]
    last = lst.pop()
    if i < len(lst):
        lst[i] = last
    return v


class Terminal(ExactProcess):
    """A presynaptic terminal in a SimPy environment.

    Parameters
    ----------
    env : simpy.Environment
    calcium : CalciumParams
    sensor : SensorParams
    vesicles : VesicleParams
    rs : RandomStream
    log : EventLog
    release : callable(t_ms, n_molecules, site, vesicle)
        Called when a fusion's content reaches the cleft (after ``diffusion_delay_ms``).
    diffusion_delay_ms : float
        Time from fusion to arrival of the content in the cleft compartment.
    uptake_source : callable() -> int, optional
        Cumulative molecules taken back up into this terminal (feeds the cytosolic stock).
    component : str
        Name in the event log (one per terminal when several share a compartment).
    facilitation : FacilitationParams, optional
        The facilitation site XF; None or ``delta_f = 0`` for none.
    """

    def __init__(
        self,
        env: simpy.Environment,
        calcium: CalciumParams,
        sensor: SensorParams,
        vesicles: VesicleParams,
        rs: RandomStream,
        log: EventLog,
        release: Callable[[float, int, int, int], None],
        *,
        diffusion_delay_ms: float = 0.0,
        uptake_source: Callable[[], int] | None = None,
        component: str = COMPONENT,
        facilitation: FacilitationParams | None = None,
    ) -> None:
        self.env = env
        self.component = component
        self.ca = CalciumState(calcium)
        # None when there is no site: the hot loop then skips the XF route entirely.
        self.fac = (
            FacilitationState(facilitation, calcium.tau_rise_ms, calcium.tau_decay_ms)
            if facilitation is not None and facilitation.enabled
            else None
        )
        self._n_pr = 0
        self.sp = sensor
        self.vp = vesicles
        self.rs = rs
        self.log = log
        self.release = release
        self.delay = float(diffusion_delay_ms)
        self.uptake_source = uptake_source
        self._uptake_seen = 0
        self._t_stock = float(env.now)
        self.t = float(env.now)
        self.t_cand = math.nan  # pending thinning candidate (nan: none)
        self.t_horizon = math.nan
        self.bound = 0.0
        self.n = sensor.n_sites
        self.kon = sensor.kon_per_uM_per_ms
        self.bf = sensor.bind_factors()
        self.ub = sensor.unbind_rates()
        self.fu = sensor.fusion_rates()
        self.last_spike = -1
        self.vmat_availability = 1.0
        self._blocker_factor = 1.0
        self._modulation: dict[str, float] = {}
        self.spike_ca_factors: list[float] = []  # channel availability each spike met
        self.cleaved: set[int] = set()
        self.released_molecules = 0
        self.in_transit = 0
        self._build_initial_state()
        self._start()

    # -- set-up ------------------------------------------------------------------------------
    def _build_initial_state(self) -> None:
        vp, rs = self.vp, self.rs
        gen = rs.generator
        self.site_of: list[int] = []
        self.content: list[int] = []
        self.reserve: list[int] = []
        self.empty_slots: list[int] = []
        self.docked: list[int] = []
        self.primed: list[list[int]] = [[] for _ in range(self.n + 1)]
        self.retr_full: list[int] = []
        self.retr_kr: list[int] = []
        self.unfilled: list[int] = []
        self.disabled: list[int] = []  # held at cleaved sites: can no longer prime
        self.stock = float(vp.stock_initial)
        p_e, p_d, p_p = vp.slot_occupancy()
        rest = self.sp.resting_distribution(self.ca.p.ca_rest_uM)
        slot_state = gen.choice(3, size=vp.n_slots, p=[p_e, p_d, p_p])
        sensor_state = gen.choice(self.n + 1, size=vp.n_slots, p=rest)
        for k in range(vp.n_slots):
            site = k // vp.slots_per_site
            if slot_state[k] == 0:
                self.empty_slots.append(site)
                continue
            v = self._new_vesicle(site)
            if slot_state[k] == 1:
                self.docked.append(v)
            else:
                self.primed[int(sensor_state[k])].append(v)
        for _ in range(vp.n_reserve):
            self.reserve.append(self._new_vesicle(-1))

    def _new_vesicle(self, site: int) -> int:
        v = len(self.site_of)
        self.site_of.append(site)
        self.content.append(self._draw_content())
        return v

    def _draw_content(self) -> int:
        q, cv = self.vp.molecules_per_vesicle, self.vp.quantal_cv
        if cv == 0:
            return int(round(q))
        shape = 1.0 / (cv * cv)
        return int(round(self.rs.generator.gamma(shape, q / shape)))

    # -- inputs from other processes -----------------------------------------------------------
    def spike(self, index: int) -> None:
        """An action potential arrives now: Ca²⁺ enters at every site."""
        now = self.env.now
        self._to(now)
        if self.fac is not None:
            self.fac.spike(now, self.ca.entry)
        self.ca.spike(now)
        self.spike_ca_factors.append(self.ca.blocked_factor)
        self.last_spike = index
        self.log.record(now, "spike", self.component, spike=index)
        self.wake()

    def set_channel_availability(self, factor: float) -> None:
        """Fraction of Ca²⁺ channels left by blockers; later spikes carry that much Ca²⁺."""
        self._blocker_factor = factor
        self.ca.set_availability(factor * math.prod(self._modulation.values()))

    def set_modulation(self, source: str, factor: float) -> None:
        """Scale the Ca²⁺ entry of later spikes by ``factor`` on behalf of ``source``.

        G-protein-coupled receptors on the terminal (autoreceptors, CB1) each keep their own
        factor; the entry is the product of all of them and of the blockers' availability.
        """
        self._modulation[source] = factor
        self.ca.set_availability(self._blocker_factor * math.prod(self._modulation.values()))

    def set_vmat_availability(self, factor: float) -> None:
        """Fraction of vesicular transport left by an inhibitor; later refills load that much."""
        self.vmat_availability = factor

    def cleave_site(self, site: int) -> None:
        """SNARE cleavage at ``site``: its docked and primed vesicles are withdrawn (held in
        ``disabled``) and the site can prime none again."""
        if site in self.cleaved:
            return
        now = self.env.now
        self._to(now)
        self.cleaved.add(site)
        for pool in [self.docked, *self.primed]:
            held = [v for v in pool if self.site_of[v] == site]
            if held:
                pool[:] = [v for v in pool if self.site_of[v] != site]
                self.disabled.extend(held)
        self.log.record(now, "cleavage", self.component, site=site)
        self.wake()

    def _to(self, now: float) -> None:
        # A change at `now` voids the pending candidate: redraw from here (memoryless bound).
        self.t = now
        self.t_cand = math.nan
        self.t_horizon = math.nan

    # -- counts --------------------------------------------------------------------------------
    def n_primed(self) -> int:
        """Primed vesicles, all sensor states."""
        return sum(len(p) for p in self.primed)

    def pool_sizes(self) -> dict[str, int]:
        """Vesicles in each pool of the cycle."""
        return {
            "reserve": len(self.reserve),
            "docked": len(self.docked),
            "primed": self.n_primed(),
            "retrieving": len(self.retr_full) + len(self.retr_kr),
            "unfilled": len(self.unfilled),
            "disabled": len(self.disabled),
        }

    # -- the exact simulation ------------------------------------------------------------------
    def _const_rates(self) -> tuple[float, ...]:
        vp = self.vp
        ub, fu, primed = self.ub, self.fu, self.primed
        a_unbind = 0.0
        a_fuse = 0.0
        n_pr = 0
        for i in range(self.n + 1):
            m = len(primed[i])
            if m:
                n_pr += m
                a_unbind += ub[i] * m
                a_fuse += fu[i] * m
        a_dock = vp.k_dock_per_ms * len(self.empty_slots) if self.reserve else 0.0
        nd = len(self.docked)
        a_refill = len(self.unfilled) / vp.tau_refill_ms
        return (
            a_unbind,
            a_fuse,
            a_dock,
            vp.k_undock_per_ms * nd,
            vp.k_prime_per_ms * nd,
            vp.k_unprime_per_ms * n_pr,
            len(self.retr_full) / vp.tau_retrieval_full_ms,
            len(self.retr_kr) / vp.tau_retrieval_kr_ms,
            a_refill,
        )

    def _free_sites(self) -> int:
        bf, primed = self.bf, self.primed
        return sum(bf[i] * len(primed[i]) for i in range(self.n))

    def _horizon(self, t: float) -> float:
        """End of the interval over which the current bound is used (independent of others)."""
        ca = self.ca
        if not ca.transient_settled(t) or (self.fac is not None and not self.fac.settled(t)):
            return t + 0.5 * ca.p.tau_rise_ms
        if ca.s_res * math.exp(-(t - ca.t_ref) / ca.p.tau_residual_ms) > 0.01 * max(
            ca.p.ca_rest_uM, 1e-6
        ):
            return t + 0.1 * ca.p.tau_residual_ms
        return math.inf

    def _bound(self, t0: float, t1: float) -> float:
        """Upper bound of the total event rate over ``[t0, t1]`` (counts as of the last draw)."""
        bound = sum(self._consts)
        if self._b_free:
            bound += self.kon * self._b_free * self.ca.ca_bound(t0, t1)
        if self.fac is not None and self._n_pr:
            bound += self._n_pr * self.fac.rate_bound(t0, t1)
        return bound

    def advance(self, t_limit: float) -> float:
        rs = self.rs
        while True:
            if self.t_cand != self.t_cand:  # no candidate pending: draw one
                t = self.t
                t1 = self._horizon(t)
                # Kept for _fire: nothing changes between drawing a candidate and firing it
                # (any change voids the candidate), so these stay valid.
                self._consts = self._const_rates()
                self._b_free = self._free_sites()
                if self.fac is not None:
                    self._n_pr = self.n_primed()
                bound = self._bound(t, t1)
                if bound * (t1 - t) < _STRETCH_BELOW:
                    # The tail of a transient: the bound holds over any longer horizon (its decay
                    # terms are taken at t, its rise terms at t1), so stretch the horizon to
                    # about one expected candidate instead of stepping through the tail in
                    # rise-time steps (a hundred steps per spike at 20 Hz with facilitation).
                    t1 = t + 1.0 / bound if bound > 0.0 else math.inf
                    bound = self._bound(t, t1)
                self.bound = bound
                self.t_horizon = t1
                self.t_cand = t + rs.exponential() / bound if bound > 0.0 else math.inf
            tc = self.t_cand
            th = self.t_horizon
            if tc == math.inf:
                return math.inf  # nothing can happen until something changes
            if tc > th:
                # No candidate within the horizon: the bound's Poisson process is memoryless, so
                # move to the horizon and draw afresh with a new bound.
                if th > t_limit:
                    return th
                self.t = th
                self.t_cand = math.nan
                continue
            if tc > t_limit:
                return tc
            self.t = tc
            self.t_cand = math.nan
            self._fire(tc)
            t_limit = min(t_limit, self.env.peek())

    def _fire(self, t: float) -> None:
        rs = self.rs
        r = rs.uniform() * self.bound
        b_free = self._b_free
        a_bind = self.kon * b_free * self.ca.ca(t) if b_free else 0.0
        if r < a_bind:
            self._bind(r / a_bind, t)
            return
        r -= a_bind
        if self.fac is not None and self._n_pr:
            a_fac = self._n_pr * self.fac.rate(t)
            if r < a_fac:
                self._fuse_facilitated(r / a_fac, t)
                return
            r -= a_fac
        for k, a in enumerate(self._consts):
            if r < a:
                self._fire_const(k, r / a, t)
                return
            r -= a
        # rejected candidate: nothing happens (thinning)

    def _bind(self, u: float, t: float) -> None:
        primed, bf = self.primed, self.bf
        w = [bf[i] * len(primed[i]) for i in range(self.n)]
        i = self._pick(w, u)
        v = _take(primed[i], self.rs.uniform())
        primed[i + 1].append(v)
        if self.log.reactions:
            self.log.record(t, "reaction", self.component, site=self.site_of[v], vesicle=v, amount=1, detail="ca_bind")

    def _fuse_facilitated(self, u: float, t: float) -> None:
        # The XF route does not depend on the fast sensor: any primed vesicle, whatever its state.
        primed = self.primed
        i = self._pick([float(len(p)) for p in primed], u)
        self._fuse(_take(primed[i], self.rs.uniform()), t)

    def _pick(self, weights: list[float], u: float) -> int:
        r = u * sum(weights)
        for i, w in enumerate(weights):
            if r < w:
                return i
            r -= w
        return max(i for i, w in enumerate(weights) if w > 0)

    def _fire_const(self, k: int, u: float, t: float) -> None:
        primed = self.primed
        log = self.log
        if k == 0:  # Ca²⁺ unbinding
            i = self._pick([self.ub[i] * len(primed[i]) for i in range(self.n + 1)], u)
            v = _take(primed[i], self.rs.uniform())
            primed[i - 1].append(v)
            if log.reactions:
                log.record(t, "reaction", self.component, site=self.site_of[v], vesicle=v, amount=1, detail="ca_unbind")
        elif k == 1:  # fusion
            i = self._pick([self.fu[i] * len(primed[i]) for i in range(self.n + 1)], u)
            self._fuse(_take(primed[i], self.rs.uniform()), t)
        elif k == 2:  # docking
            site = _take(self.empty_slots, u)
            v = _take(self.reserve, self.rs.uniform())
            self.site_of[v] = site
            (self.disabled if site in self.cleaved else self.docked).append(v)
            log.record(t, "dock", self.component, site=site, vesicle=v)
        elif k == 3:  # undocking
            v = _take(self.docked, u)
            site = self.site_of[v]
            self.empty_slots.append(site)
            self.site_of[v] = -1
            self.reserve.append(v)
            log.record(t, "undock", self.component, site=site, vesicle=v)
        elif k == 4:  # priming: the sensor starts with no Ca²⁺ bound
            v = _take(self.docked, u)
            primed[0].append(v)
            log.record(t, "prime", self.component, site=self.site_of[v], vesicle=v)
        elif k == 5:  # unpriming
            sizes = [len(p) for p in primed]
            i = self._pick([float(s) for s in sizes], u)
            v = _take(primed[i], self.rs.uniform())
            self.docked.append(v)
            log.record(t, "unprime", self.component, site=self.site_of[v], vesicle=v)
        elif k in (6, 7):  # retrieval
            v = _take(self.retr_full if k == 6 else self.retr_kr, u)
            self.unfilled.append(v)
            log.record(
                t, "retrieval", self.component, vesicle=v, detail="full" if k == 6 else "kiss_and_run"
            )
        else:  # refilling from the cytosolic stock
            v = _take(self.unfilled, u)
            self._refill(v, t)

    def _fuse(self, v: int, t: float) -> None:
        vp, gen = self.vp, self.rs.generator
        site = self.site_of[v]
        kiss = vp.p_kiss_and_run > 0 and self.rs.uniform() < vp.p_kiss_and_run
        if kiss:
            amount = int(gen.binomial(self.content[v], vp.kiss_and_run_fraction))
            self.retr_kr.append(v)
        else:
            amount = self.content[v]
            self.retr_full.append(v)
        self.content[v] -= amount
        self.site_of[v] = -1
        self.empty_slots.append(site)
        self.log.record(
            t,
            "fusion",
            self.component,
            site=site,
            vesicle=v,
            spike=self.last_spike,
            amount=amount,
            detail="kiss_and_run" if kiss else "full",
        )
        self.released_molecules += amount
        self.in_transit += amount
        ev = self.env.timeout(t + self.delay - self.env.now)
        ev.callbacks.append(lambda _e, a=amount, s=site, ves=v: self._arrive(a, s, ves))

    def _arrive(self, amount: int, site: int, vesicle: int) -> None:
        self.in_transit -= amount
        self.release(self.env.now, amount, site, vesicle)

    def _refill(self, v: int, t: float) -> None:
        self._fold_stock(t)
        target = self._draw_content()
        if self.vmat_availability < 1.0:
            target = int(round(target * self.vmat_availability))
        load = min(max(target - self.content[v], 0), int(self.stock))
        self.content[v] += load
        self.stock -= load
        self.reserve.append(v)
        self.log.record(t, "refill", self.component, vesicle=v, amount=load)

    def _fold_stock(self, t: float) -> None:
        vp = self.vp
        if self.uptake_source is not None:
            total = self.uptake_source()
            self.stock += total - self._uptake_seen
            self._uptake_seen = total
        # Synthesis is a deterministic flux: the stock is large, single molecules do not matter.
        dt = t - self._t_stock
        self._t_stock = t
        if self.stock < vp.stock_max:
            self.stock = min(float(vp.stock_max), self.stock + vp.synthesis_per_ms * dt)
