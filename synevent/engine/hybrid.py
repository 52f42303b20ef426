"""Hybrid stepping of one network inside SimPy: leaps of high-copy reactions between exact events.

:class:`HybridStepper` is owned by an :class:`~synevent.engine.ssa.ExactNetwork` built with
``mode="hybrid"``. The network's generated exact loop fires only the reactions that stay exact
(their leaped siblings get rate 0 in the loop's rate list ``c_run``); the stepper applies the
leaped reactions in integer binomial steps (:meth:`LeapPlan.draws`).

Time discretisation (midpoint rule): leap ``k`` covers ``[s_k, s_k + tau_k)`` and is applied at
``s_k + tau_k / 2``, so between two leaps the exact reactions see the high-copy counts of the
middle of their interval (second-order accurate in ``tau``). A change from outside (a vesicle's
transmitter arriving, a drug) first applies the leap of the elapsed part of the span, then
starts a new span.
"""

from __future__ import annotations

import math

from .partition import LeapPlan

__all__ = ["HybridStepper"]

_PLANS: dict[tuple, LeapPlan] = {}


def plan_for(structure_key: tuple, net, protected: tuple[str, ...]) -> LeapPlan:
    """The cached :class:`LeapPlan` of a network structure (one LP per species, done once)."""
    key = (structure_key, protected)
    plan = _PLANS.get(key)
    if plan is None:
        plan = LeapPlan(net, protected)
        if len(_PLANS) > 256:
            _PLANS.clear()
        _PLANS[key] = plan
    return plan


class HybridStepper:
    """Leap bookkeeping of one hybrid network (see module docstring).

    Parameters
    ----------
    sim : ExactNetwork
        The owner; its ``x``, ``c``, ``c_run``, ``t`` and random stream are used.
    plan : LeapPlan
    """

    def __init__(self, sim, plan: LeapPlan) -> None:
        self.sim = sim
        self.plan = plan
        self.leaped: list[int] = []
        self.span_start = sim.t
        self.tau_ms = 0.0
        self.t_leap = math.inf
        self.leap_events = 0
        self.n_leaps = 0

    def replan(self, now: float, rates_changed: bool = True) -> None:
        """Classify reactions in the current state and schedule the next leap from ``now``."""
        sim = self.sim
        leaped, high = self.plan.classify(sim.x)
        tau = 0.0
        if leaped:
            tau = self.plan.step_ms(sim.x, sim.c, leaped, high)
            leaped = self.plan.busy(sim.x, sim.c, leaped, tau)
        if leaped != self.leaped:
            self.leaped = leaped
            c_run = list(sim.c)
            for j in leaped:
                c_run[j] = 0.0
            sim.c_run = c_run
        elif rates_changed:  # after set_rate: the exact loop's copy of the rates
            c_run = list(sim.c)
            for j in leaped:
                c_run[j] = 0.0
            sim.c_run = c_run
        self.span_start = now
        if leaped:
            self.tau_ms = tau
            self.t_leap = now + 0.5 * tau
        else:
            # Nothing busy enough to leap: every reaction is exact until a change from outside.
            self.tau_ms = 0.0
            self.t_leap = math.inf

    def leap(self, t_now: float, tau_ms: float) -> None:
        """Apply the leaped reactions of a span of ``tau_ms`` at ``t_now``."""
        sim = self.sim
        if tau_ms > 0.0 and self.leaped:
            counts = self.plan.draws(sim.x, sim.c, self.leaped, tau_ms, sim.rs.generator)
            n = sum(counts)
            self.leap_events += n
            self.n_leaps += 1
            sim.fired += n
            if n and sim.log_reactions:
                lt, lj = sim.log_t, sim.log_j
                for j, k in zip(self.leaped, counts):
                    if k:
                        lt.extend([t_now] * k)
                        lj.extend([j] * k)

    def step(self) -> None:
        """Apply the scheduled leap (at ``t_leap``) and plan the next one."""
        sim = self.sim
        t_now = self.t_leap
        self.leap(t_now, self.tau_ms)
        sim.t = t_now
        end = self.span_start + self.tau_ms
        self.replan(end, rates_changed=False)
        if self.t_leap < t_now:  # a span may not start before the leap just applied
            self.t_leap = t_now
        sim.a = sim.loop_propensities(sim.x)
        sim.t_next = math.nan

    def interrupt(self, now: float) -> None:
        """Before a change from outside: apply the leap of the elapsed part of the span."""
        if self.t_leap < math.inf and now > self.span_start:
            self.leap(now, now - self.span_start)
        self.span_start = now
