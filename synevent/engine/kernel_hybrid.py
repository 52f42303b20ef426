"""The hybrid stepper's compiled loop: tables and the Python side (numba, optional).

:class:`~synevent.engine.hybrid.HybridStepper` spends tens of microseconds of interpreter work
per leap (classifying reactions, sizing the step, drawing binomials); in a circuit of 100
synapses that was most of the run. :func:`synevent.engine.loops.hybrid_advance` runs the same
rules (:class:`~synevent.engine.partition.LeapPlan`) over flat arrays, the whole cycle of
:meth:`~synevent.engine.ssa.ExactNetwork._advance_hybrid` (exact events up to the leap, the leap,
the next plan) without returning to Python. Every floating-point operation is done in the order
the Python stepper does it; the binomial and Poisson draws are numba's ports of numpy's
algorithms on the same generator, and the multinomial is numpy's algorithm (a binomial per
category) written here, so both give the same events for the same seed
(``tests/test_kernel.py``).
"""

from __future__ import annotations

import numpy as np

from . import loops
from . import partition as _p
from .kernel import EXACT_IV, CompiledLoop
from .loops import DONE, LEAPED
from .partition import LeapPlan

__all__ = ["CompiledHybridLoop", "LeapTables", "constants"]


def constants() -> np.ndarray:
    """The leap rules' constants, as :mod:`~synevent.engine.partition` holds them now."""
    return np.array([_p.MIN_POOL, _p.EPSILON, _p.TAU_MAX_MS, _p.TAU_MIN_MS, _p.LEAP_MIN_EVENTS,
                     _p.SMALL_COUNT, _p.TURNOVER], dtype=np.float64)


class LeapTables:
    """A :class:`LeapPlan` as flat arrays (reaction kinds, laws, candidates and their needs)."""

    def __init__(self, plan: LeapPlan) -> None:
        i64 = lambda v: np.asarray(v, dtype=np.int64)  # noqa: E731
        self.plan = plan
        ns = len(plan.net.species)
        self.kind = i64([rx[1] for rx in plan._rx])
        self.ra = i64([rx[2] for rx in plan._rx])
        self.rb = i64([rx[3] for rx in plan._rx])
        ptr, idx, val = [0], [], []
        for law in plan._laws_sparse:
            for i, w in law:
                idx.append(i)
                val.append(w)
            ptr.append(len(idx))
        self.lawptr, self.lawidx = i64(ptr), i64(idx)
        self.lawval = np.asarray(val, dtype=np.float64)
        self.law_of = i64(plan._law_of)
        self.cand = i64(plan.candidates)
        nptr, nidx = [0], []
        for need in plan.needs:
            nidx += need
            nptr.append(len(nidx))
        self.needptr, self.needidx = i64(nptr), i64(nidx)
        self.is_reactant = np.asarray(plan._is_reactant, dtype=np.bool_).reshape(ns)


class CompiledHybridLoop:
    """:func:`hybrid_advance` bound to one hybrid :class:`~synevent.engine.ssa.ExactNetwork`.

    Like :class:`~synevent.engine.kernel.CompiledLoop` (whose buffers and state arrays it
    shares), the state lives in the network's Python objects between calls; changes from
    outside (a vesicle's transmitter, a drug) still go through the Python stepper
    (:meth:`HybridStepper.interrupt` and :meth:`~HybridStepper.replan`), which follows the same
    rules.
    """

    def __init__(self, sim, exact: CompiledLoop, leap_tables: LeapTables) -> None:
        self.exact = exact
        tables = exact.tab
        t = leap_tables
        self.lt_ = (t.kind, t.ra, t.rb, t.lawptr, t.lawidx, t.lawval, t.law_of, t.cand,
                    t.needptr, t.needidx, t.is_reactant, tables.dptr, tables.didx, tables.dval)
        nr = len(tables.first)
        self.hs = np.zeros(4)
        self.leaped = np.zeros(nr, dtype=np.int64)
        self.prev = np.zeros(nr, dtype=np.int64)
        self.counts = np.zeros(nr, dtype=np.int64)
        self.nleap = np.zeros(1, dtype=np.int64)
        self.work = loops.workspace(nr, len(sim.x), len(t.lawptr) - 1)

    def advance(self, sim, t_limit: float) -> float:
        hy = sim.hybrid
        ex = self.exact
        if hy.t_leap > t_limit:
            # No leap due: the exact loop alone, which needs no generator (cheaper to call).
            return min(ex.advance(sim, t_limit), hy.t_leap)
        x = np.array(sim.x, dtype=np.int64)
        a = np.array(sim.a, dtype=np.float64)
        c = np.array(sim.c, dtype=np.float64)
        c_run = np.array(sim.c_run, dtype=np.float64)
        nl = len(hy.leaped)
        self.leaped[:nl] = hy.leaped
        self.nleap[0] = nl
        ex.load(sim, t_limit)
        fs, iv, hs = ex.fs, ex.iv, self.hs
        iv[EXACT_IV:] = 0
        hs[0], hs[1], hs[2] = hy.span_start, hy.tau_ms, hy.t_leap
        gen = sim.rs.generator
        while True:
            status, tn = loops.hybrid_advance(
                x, a, c, c_run, *ex.static, fs, iv, sim._E, sim._U, *ex.buffers,
                gen, self.lt_, constants(), self.leaped, self.nleap, hs, self.counts, self.prev,
                *self.work, t_limit,
            )
            if status == DONE:
                break
            ex.serve(sim, status)
            if status == LEAPED:
                # The exact events before the leap are in the Python log now; then the leap's.
                t_now = float(hs[3])
                n = int(iv[11])
                for j, k in zip(self.prev[:n].tolist(), self.counts[:n].tolist()):
                    if k:
                        sim.log_t.extend([t_now] * k)
                        sim.log_j.extend([j] * k)
        leap_events, n_leaps, changed, _ = iv[EXACT_IV:].tolist()
        ex.store(sim, x, a)
        if changed:
            sim.c_run = c_run.tolist()
            hy.leaped = self.leaped[:self.nleap[0]].tolist()
        hy.span_start, hy.tau_ms, hy.t_leap, _ = hs.tolist()
        hy.leap_events += leap_events
        hy.n_leaps += n_leaps
        return float(tn)
