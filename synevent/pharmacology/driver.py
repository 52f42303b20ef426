"""The SimPy process that makes interventions follow their schedules during a run.

Drug-binding rates in the cleft network follow each schedule as a piecewise-constant function
(:meth:`Schedule.steps`: the mean level over intervals of ``tau/50`` while it changes, so the
drug exposure is exact). Ca-channel and VMAT availabilities change the terminal for the spikes
and refills that follow. Release sites are cleaved at exact times: a site's cleavage time solves
``H(t) = E`` with ``E ~ Exp(1)`` and ``H`` the integrated hazard of the schedule, which needs no
time discretisation.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterator, Sequence

import simpy
from scipy.optimize import brentq

from ..engine.log import EventLog
from ..engine.random import RandomStream
from ..engine.ssa import ExactNetwork
from ..presynaptic.terminal import Terminal
from .interventions import CaChannelBlocker, Intervention, ReleaseBlocker, VMATInhibitor
from .mechanisms import Binding
from .schedule import Schedule

__all__ = ["start_interventions"]


def start_interventions(
    env: simpy.Environment,
    bindings: Sequence[Binding],
    presynaptic: Sequence[Intervention],
    cleft: ExactNetwork,
    terminals: Sequence[Terminal],
    rs: RandomStream,
    log: EventLog,
    t_end_ms: float,
) -> None:
    """Apply the t = 0 state and start the processes that follow the schedules."""
    changes: list[tuple[float, int, object]] = []  # (time, order, action)
    for k, b in enumerate(bindings):
        for t, value in b.intervention.schedule.steps(0.0, t_end_ms):
            changes.append((t, k, lambda v=value, b=b: cleft.set_rates(b.rates(v))))
    ca_blockers = [iv for iv in presynaptic if isinstance(iv, CaChannelBlocker)]
    vmat = [iv for iv in presynaptic if isinstance(iv, VMATInhibitor)]
    for group, method in ((ca_blockers, "set_channel_availability"),
                          (vmat, "set_vmat_availability")):
        if group:
            steps = [_irreversible(iv.schedule, t_end_ms) if iv.irreversible
                     else iv.schedule.steps(0.0, t_end_ms) for iv in group]
            for t in sorted({t for st in steps for t, _ in st}):
                a = math.prod(iv.availability(_value_at(st, t)) for iv, st in zip(group, steps))
                changes.append((t, len(bindings), lambda a=a, m=method: [getattr(term, m)(a) for term in terminals]))
    for iv in presynaptic:
        if isinstance(iv, ReleaseBlocker):
            for terminal in terminals:
                _schedule_cleavage(env, iv, terminal, rs, t_end_ms)
    for iv in [b.intervention for b in bindings] + list(presynaptic):
        _log_edges(env, log, iv, t_end_ms)
    changes.sort(key=lambda c: (c[0], c[1]))
    now = [c for c in changes if c[0] <= env.now]
    for _, _, action in now:
        action()
    later = [c for c in changes if c[0] > env.now]
    if later:
        env.process(_follow(env, later))


def _follow(env: simpy.Environment, changes: list[tuple[float, int, object]]) -> Iterator[simpy.Event]:
    for t, _, action in changes:
        if t > env.now:
            yield env.timeout(t - env.now)
        action()  # type: ignore[operator]


def _irreversible(schedule: Schedule, t_end_ms: float) -> list[tuple[float, float]]:
    # A block that does not wash out: the level never falls below the highest reached, counting
    # the time before the run (the level peaks at the wash-out, or at t = 0 if that comes first).
    top = schedule.peak_before(0.0)
    out = []
    for t, v in schedule.steps(0.0, t_end_ms):
        top = max(top, v)
        out.append((t, top))
    return out


def _value_at(steps: list[tuple[float, float]], t: float) -> float:
    # Independent blockers multiply (each removes its share of what the others leave), so each
    # one's level is looked up at every change time of the group.
    k = bisect.bisect_right([tt for tt, _ in steps], t) - 1
    return steps[k][1] if k >= 0 else 0.0


def _schedule_cleavage(
    env: simpy.Environment,
    iv: ReleaseBlocker,
    terminal: Terminal,
    rs: RandomStream,
    t_end_ms: float,
) -> None:
    # NOTE: a side generator, so the toxin's draws leave the run's main stream as it is: before
    # the first cleavage (and at zero dose) the run equals the control event for event.
    gen = rs.side_generator()
    h_before = iv.hazard_integral(iv.schedule.start_ms, 0.0) if iv.schedule.start_ms < 0 else 0.0
    h_run = iv.hazard_integral(0.0, t_end_ms)
    for site in range(terminal.vp.n_sites):
        e = float(gen.exponential())
        if e <= h_before:
            terminal.cleave_site(site)
            continue
        target = e - h_before
        if target >= h_run:
            continue
        t = brentq(lambda x: iv.hazard_integral(0.0, x) - target, 0.0, t_end_ms, xtol=1e-9, rtol=1e-12)
        ev = env.timeout(t - env.now)
        ev.callbacks.append(lambda _e, s=site: terminal.cleave_site(s))


def _log_edges(env: simpy.Environment, log: EventLog, iv: Intervention, t_end_ms: float) -> None:
    s = iv.schedule
    for t, kind in ((s.start_ms, "drug_on"), (s.stop_ms, "drug_off")):
        if math.isfinite(t) and env.now <= t < t_end_ms:
            ev = env.timeout(t - env.now)
            ev.callbacks.append(
                lambda _e, k=kind: log.record(env.now, k, iv.target, detail=iv.label)
            )
