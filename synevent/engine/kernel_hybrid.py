"""The hybrid stepper's rules compiled with numba, bit for bit those of the Python stepper.

:class:`~synevent.engine.hybrid.HybridStepper` spends tens of microseconds of interpreter work
per leap (classifying reactions, sizing the step, drawing binomials); in a circuit of 100
synapses that is most of the run. Here the same rules (:class:`~synevent.engine.partition.LeapPlan`)
are written over flat arrays, and :func:`hybrid_advance` runs the whole cycle of
:meth:`~synevent.engine.ssa.ExactNetwork._advance_hybrid` (exact events up to the leap, the leap,
the next plan) without returning to Python. Every floating-point operation is done in the order
the Python stepper does it, and the binomial, multinomial and Poisson draws are numba's ports of
numpy's algorithms on the same generator, so both give the same events for the same seed
(``tests/test_kernel.py``).
"""

from __future__ import annotations

import math

import numpy as np

from . import partition as _p
from . import kernel as _kernel
from .kernel import DONE, EXACT_IV, CompiledLoop
from .partition import LeapPlan

__all__ = ["LEAPED", "CompiledHybridLoop", "LeapTables", "compile_loops", "constants"]

#: Status of :func:`hybrid_advance` after a leap whose events Python must log.
LEAPED = 6


def constants() -> np.ndarray:
    """The leap rules' constants, read from :mod:`~synevent.engine.partition` at call time."""
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


def _loop_propensities(x, c_run, first, second, pair, a):
    # ExactNetwork._propensities: a *= v, or a *= v * (v - 1) * 0.5 for two identical reactants.
    for j in range(a.shape[0]):
        p = c_run[j]
        i1 = first[j]
        if i1 >= 0:
            if pair[j]:
                v = x[i1]
                p *= (v * (v - 1)) * 0.5
            else:
                p *= x[i1]
                i2 = second[j]
                if i2 >= 0:
                    p *= x[i2]
        a[j] = p


def _replan(x, c, c_run, lt_, cst, leaped, nleap, now, hs):
    """LeapPlan.classify, step_ms and busy, then HybridStepper.replan's bookkeeping.

    ``leaped[:nleap[0]]`` holds the leaped reactions and is replaced; ``c_run`` is refilled
    (``c`` with the leaped rates at 0); ``hs`` holds ``span_start, tau_ms, t_leap``. Returns
    True when the leaped set changed.
    """
    (kind, ra, rb, lawptr, lawidx, lawval, law_of, cand, needptr, needidx, is_reactant,
     dptr, didx, dval) = lt_
    min_pool, eps, tau_max, tau_min, min_events, small, turnover = (
        cst[0], cst[1], cst[2], cst[3], cst[4], cst[5], cst[6])
    ns = x.shape[0]
    nr = c.shape[0]
    n_laws = lawptr.shape[0] - 1
    high_law = np.empty(n_laws, dtype=np.bool_)
    for k in range(n_laws):
        s = 0.0
        for q in range(lawptr[k], lawptr[k + 1]):
            s += lawval[q] * x[lawidx[q]]
        high_law[k] = s >= min_pool
    high = np.empty(ns, dtype=np.bool_)
    for s0 in range(ns):
        high[s0] = law_of[s0] < 0 or high_law[law_of[s0]]
    new = np.empty(nr, dtype=np.int64)
    n_new = 0
    for ci in range(cand.shape[0]):
        ok = True
        for q in range(needptr[ci], needptr[ci + 1]):
            if not high_law[needidx[q]]:
                ok = False
                break
        if ok:
            new[n_new] = cand[ci]
            n_new += 1
    tau = 0.0
    if n_new:
        # step_ms
        h = np.zeros(ns)
        drift = np.zeros(ns)
        field = np.zeros(ns, dtype=np.bool_)
        is_leaped = np.zeros(nr, dtype=np.bool_)
        for q in range(n_new):
            is_leaped[new[q]] = True
        for j in range(nr):
            cj = c[j]
            if cj == 0.0:
                continue
            kd = kind[j]
            a = ra[j]
            b = rb[j]
            if kd == 1:
                prop = cj * x[a]
                h[a] += cj
                if not is_leaped[j] and high[a]:
                    field[a] = True
            elif kd == 3:
                xa = x[a]
                xb = x[b]
                prop = cj * xa * xb
                h[a] += cj * xb
                h[b] += cj * xa
                if is_leaped[j]:
                    if xa >= xb:
                        field[a] = True
                    else:
                        field[b] = True
                else:
                    field[a] = field[a] or high[a]
                    field[b] = field[b] or high[b]
            elif kd == 2:
                xa = x[a]
                prop = cj * xa * (xa - 1) * 0.5
                h[a] += cj * max(xa - 1, 0)
                field[a] = field[a] or high[a]
            else:
                prop = cj
            if prop > 0.0:
                for q in range(dptr[j], dptr[j + 1]):
                    drift[didx[q]] += prop * dval[q]
        tau = tau_max
        for s0 in range(ns):
            mu = abs(drift[s0])
            if mu > 0.0 and high[s0] and is_reactant[s0]:
                tau = min(tau, max(eps * x[s0], small) / mu)
            if field[s0] and x[s0] > 0 and h[s0] > 0.0:
                tau = min(tau, turnover / h[s0])
        tau = max(tau_min, tau)
        # busy
        n_busy = 0
        for q in range(n_new):
            j = new[q]
            p = c[j]
            kd = kind[j]
            if kd == 1:
                p *= x[ra[j]]
            elif kd == 3:
                p *= x[ra[j]]
                p *= x[rb[j]]
            elif kd == 2:
                p *= x[ra[j]]
                p *= x[ra[j]] - 1
            if p * tau >= min_events:
                new[n_busy] = j
                n_busy += 1
        n_new = n_busy
    changed = n_new != nleap[0]
    if not changed:
        for q in range(n_new):
            if new[q] != leaped[q]:
                changed = True
                break
    if changed:
        for q in range(n_new):
            leaped[q] = new[q]
        nleap[0] = n_new
        for j in range(nr):
            c_run[j] = c[j]
        for q in range(n_new):
            c_run[new[q]] = 0.0
    hs[0] = now
    if n_new:
        hs[1] = tau
        hs[2] = now + 0.5 * tau
    else:
        hs[1] = 0.0
        hs[2] = math.inf
    return changed


def _multinomial(gen, n, pv, m, out):
    # numpy's random_multinomial: a binomial per category on what the earlier ones left.
    for q in range(m):
        out[q] = 0
    remaining_p = 1.0
    dn = n
    for q in range(m - 1):
        out[q] = gen.binomial(dn, pv[q] / remaining_p)
        dn -= out[q]
        if dn <= 0:
            break
        remaining_p -= pv[q]
    if dn > 0:
        out[m - 1] = dn


def _apply(x, leaped, nl, kind, ra, rb, dptr, didx, dval, events, result):
    for q in range(nl):
        j = leaped[q]
        kj = events[j]
        kd = kind[j]
        if kd == 2:
            kj = min(kj // 2, x[ra[j]] // 2)
        elif kd == 1:
            kj = min(kj, x[ra[j]])
        elif kd == 3:
            kj = min(kj, x[ra[j]], x[rb[j]])
        if kj:
            for k in range(dptr[j], dptr[j + 1]):
                x[didx[k]] += dval[k] * kj
        result[q] += kj


def _draws(x, c, leaped, nl, tau, gen, lt_, result):
    """LeapPlan.draws: events of each leaped reaction over ``tau`` into ``result`` (leaped order)."""
    kind, ra, rb = lt_[0], lt_[1], lt_[2]
    dptr, didx, dval = lt_[11], lt_[12], lt_[13]
    ns = x.shape[0]
    nr = c.shape[0]
    out = np.zeros(nr, dtype=np.int64)
    # Fates in the order the Python stepper's dict holds them: entries in append order, and
    # driver species in order of first appearance.
    ent_d = np.empty(2 * nl, dtype=np.int64)
    ent_j = np.empty(2 * nl, dtype=np.int64)
    ent_h = np.empty(2 * nl)
    ent_drv = np.empty(2 * nl, dtype=np.bool_)
    ne = 0
    keys = np.empty(2 * nl, dtype=np.int64)
    nk = 0
    for q in range(nl):
        j = leaped[q]
        cj = c[j]
        if cj == 0.0:
            continue
        kd = kind[j]
        a = ra[j]
        b = rb[j]
        if kd == 0:
            out[j] = gen.poisson(cj * tau)
            continue
        d0 = -1
        d1 = -1
        p0 = -1
        h0 = 0.0
        h1 = 0.0
        drv0 = True
        if kd == 1:
            d0 = a
            h0 = cj
            drv0 = True
        elif kd == 2:
            d0 = a
            h0 = cj * max(x[a] - 1, 0)
            drv0 = True
        elif x[a] and x[b]:
            if x[a] <= x[b]:
                d0, p0 = a, b
            else:
                d0, p0 = b, a
            h0 = cj * x[p0]
            drv0 = True
            d1 = p0
            h1 = cj * x[d0]
        if d0 >= 0:
            ent_d[ne], ent_j[ne], ent_h[ne], ent_drv[ne] = d0, j, h0, drv0
            ne += 1
            new_key = True
            for u in range(nk):
                if keys[u] == d0:
                    new_key = False
            if new_key:
                keys[nk] = d0
                nk += 1
        if d1 >= 0:
            ent_d[ne], ent_j[ne], ent_h[ne], ent_drv[ne] = d1, j, h1, False
            ne += 1
            new_key = True
            for u in range(nk):
                if keys[u] == d1:
                    new_key = False
            if new_key:
                keys[nk] = d1
                nk += 1
    # Keep the species present with at least one reaction they drive.
    kept = np.empty(nk, dtype=np.int64)
    nkept = 0
    for u in range(nk):
        d = keys[u]
        if x[d] <= 0:
            continue
        drives = False
        for e in range(ne):
            if ent_d[e] == d and ent_drv[e]:
                drives = True
        if drives:
            kept[nkept] = d
            nkept += 1
    pv = np.empty(ne)
    js = np.empty(ne, dtype=np.int64)
    dv = np.empty(ne, dtype=np.bool_)
    split = np.empty(ne, dtype=np.int64)
    for u in range(nkept):
        d = kept[u]
        m = 0
        total = 0.0
        for e in range(ne):
            if ent_d[e] == d:
                pv[m], js[m], dv[m] = ent_h[e], ent_j[e], ent_drv[e]
                total += ent_h[e]
                m += 1
        k = gen.binomial(x[d], -math.expm1(-total * tau))
        if not k:
            continue
        if m == 1:
            out[js[0]] = k
        else:
            for e in range(m):
                pv[e] = pv[e] / total
            _multinomial(gen, k, pv, m, split)
            for e in range(m):
                if dv[e]:
                    out[js[e]] = split[e]
    for q in range(nl):
        result[q] = 0
    _apply(x, leaped, nl, kind, ra, rb, dptr, didx, dval, out, result)
    # Molecules made within the step react within it with the probability a uniform birth
    # time gives (see LeapPlan.draws).
    made = np.zeros(ns, dtype=np.int64)
    for q in range(nl):
        kj = result[q]
        if kj:
            j = leaped[q]
            for k2 in range(dptr[j], dptr[j + 1]):
                if dval[k2] > 0:
                    made[didx[k2]] += dval[k2] * kj
    more = np.zeros(nr, dtype=np.int64)
    again = False
    for u in range(nkept):
        d = kept[u]
        if not made[d]:
            continue
        m = 0
        total = 0.0
        for e in range(ne):
            if ent_d[e] == d:
                pv[m], js[m], dv[m] = ent_h[e], ent_j[e], ent_drv[e]
                total += ent_h[e]
                m += 1
        ht = total * tau
        k = gen.binomial(made[d], 1.0 + math.expm1(-ht) / ht)
        if not k:
            continue
        again = True
        if m == 1:
            if dv[0]:
                more[js[0]] = k
        else:
            for e in range(m):
                pv[e] = pv[e] / total
            _multinomial(gen, k, pv, m, split)
            for e in range(m):
                if dv[e]:
                    more[js[e]] = split[e]
    if again:
        _apply(x, leaped, nl, kind, ra, rb, dptr, didx, dval, more, result)


def _hybrid_advance(x, a, c, c_run, first, second, pair, dptr, didx, dval, eptr, eidx,
                    wptr, wgrp, wdel, fs, iv, E, U, gb, lt, lj, wt, wg, wd, log, max_watch,
                    gen, lt_, cst, leaped, nleap, hs, counts, prev, t_limit):
    """ExactNetwork._advance_hybrid over arrays; returns (status, pending time).

    ``fs`` and ``iv[:8]`` are the exact loop's (:func:`~synevent.engine.kernel.direct_advance`).
    ``hs`` holds ``span_start, tau_ms, t_leap`` and, after a leap with ``log`` on, the leap's
    time (``hs[3]``); the status is then :data:`LEAPED` and ``counts[:iv[11]]`` are the leap's
    events per reaction of ``prev`` (the reactions it leaped). ``iv[8]`` and ``iv[9]`` count
    leaped events and leaps; ``iv[10]`` is set when the leaped set (and ``c_run``) changed.
    """
    while True:
        tl = hs[2]
        fs[2] = t_limit if tl > t_limit else tl
        status = _exact(x, a, c_run, first, second, pair, dptr, didx, dval, eptr, eidx,
                        wptr, wgrp, wdel, fs, iv, E, U, gb, lt, lj, wt, wg, wd, log, max_watch)
        if status != DONE:
            return status, fs[1]
        if tl > t_limit:
            return DONE, min(fs[1], tl)
        # HybridStepper.step
        t_now = tl
        nl = nleap[0]
        n = 0
        if hs[1] > 0.0 and nl:
            _draws(x, c, leaped, nl, hs[1], gen, lt_, counts)
            for q in range(nl):
                n += counts[q]
            iv[8] += n
            iv[9] += 1
            iv[2] += n
        fs[0] = t_now
        end = hs[0] + hs[1]
        for q in range(nl):
            prev[q] = leaped[q]
        if _replan(x, c, c_run, lt_, cst, leaped, nleap, end, hs):
            iv[10] = 1
        if hs[2] < t_now:
            hs[2] = t_now
        _loop_propensities(x, c_run, first, second, pair, a)
        fs[1] = math.nan
        if log and n:
            hs[3] = t_now
            iv[11] = nl
            return LEAPED, fs[1]


_exact = _kernel._direct_advance
_PY = (_loop_propensities, _replan, _multinomial, _apply, _draws, _hybrid_advance)


def compile_loops() -> None:
    """Compile the hybrid functions (once); callees first, since numba binds them by name."""
    global _exact, _loop_propensities, _replan, _multinomial, _apply, _draws, _hybrid_advance
    global hybrid_advance
    if hybrid_advance is not _PY[-1]:
        return
    _kernel.compile_loops()
    _exact = _kernel.direct_advance
    jit = _kernel.jit
    _loop_propensities, _replan, _multinomial, _apply, _draws = (jit(f) for f in _PY[:5])
    _hybrid_advance = hybrid_advance = jit(_PY[5])


hybrid_advance = _hybrid_advance


class CompiledHybridLoop:
    """:func:`hybrid_advance` bound to one hybrid :class:`~synevent.engine.ssa.ExactNetwork`.

    Like :class:`~synevent.engine.kernel.CompiledLoop` (whose buffers and state arrays it
    shares), the state lives in the network's Python objects between calls; changes from
    outside (a vesicle's transmitter, a drug) still go through the Python stepper
    (:meth:`HybridStepper.interrupt` and :meth:`~HybridStepper.replan`), which follows the same
    rules.
    """

    def __init__(self, sim, tables, leap_tables: LeapTables) -> None:
        compile_loops()
        self.exact = CompiledLoop(sim, tables)
        t = leap_tables
        self.lt_ = (t.kind, t.ra, t.rb, t.lawptr, t.lawidx, t.lawval, t.law_of, t.cand,
                    t.needptr, t.needidx, t.is_reactant, tables.dptr, tables.didx, tables.dval)
        nr = len(tables.first)
        self.hs = np.zeros(4)
        self.leaped = np.zeros(nr, dtype=np.int64)
        self.prev = np.zeros(nr, dtype=np.int64)
        self.counts = np.zeros(nr, dtype=np.int64)
        self.nleap = np.zeros(1, dtype=np.int64)
        self.cst = constants()

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
            status, tn = hybrid_advance(
                x, a, c, c_run, *ex.static, fs, iv, sim._E, sim._U, *ex.buffers,
                gen, self.lt_, self.cst, self.leaped, self.nleap, hs, self.counts, self.prev,
                t_limit,
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
