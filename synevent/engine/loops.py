"""The compiled loops' functions, all in one file.

numba caches compiled functions on disk, keyed on the file that defines them. A function
compiled into another (the exact loop inside the hybrid loop) is not tracked across files: had
they lived in two modules, an edit of the inner one would leave the outer one's cached copy
stale. So every function numba compiles for the reaction loops is here; :mod:`.kernel` and
:mod:`.kernel_hybrid` hold the tables and the Python side.

Each function is plain Python until :func:`compile_loops` replaces it (callees first, since
numba binds called functions by name when it compiles the caller). They mirror, operation for
operation, the generated exact loop (:mod:`.codegen`), the leap rules
(:class:`~.partition.LeapPlan`) and the hybrid stepper (:class:`~.hybrid.HybridStepper`).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["DONE", "GRID_FULL", "LEAPED", "LOG_FULL", "NEED_E", "NEED_U", "WATCH_FULL",
           "compile_loops", "direct_advance", "hybrid_advance", "jit", "workspace"]

#: Why a loop returned: done up to its limit, or what it needs from Python first.
DONE, NEED_U, NEED_E, GRID_FULL, LOG_FULL, WATCH_FULL = range(6)
#: The hybrid loop applied a leap whose events Python must log.
LEAPED = 6


def _direct_advance(x, a, c, first, second, pair, dptr, didx, dval, eptr, eidx, wptr, wgrp, wdel,
                    fs, iv, E, U, gb, lt, lj, wt, wg, wd, log, max_watch):
    """Fire reactions up to ``fs[2]`` (see the module docstring); return a status code.

    ``fs`` holds ``t, t_next, t_limit, grid step``; ``iv`` holds the block indices ``ie, iu``,
    the count of fired reactions, the fill of the log and watch buffers, the next grid index,
    the last grid index and the rows of grid states waiting in ``gb``.
    """
    t, tn, t_limit, dg = fs[0], fs[1], fs[2], fs[3]
    ie, iu, nf, nl, nw, k, kmax, ng = iv[0], iv[1], iv[2], iv[3], iv[4], iv[5], iv[6], iv[7]
    nb_e = E.shape[0]
    nb_u = U.shape[0]
    nr = a.shape[0]
    g = k * dg if k <= kmax else math.inf
    status = DONE
    # The total propensity, summed left to right as the Python loop sums it. The sum drawn for
    # the waiting time is the next selection's sum (nothing changes in between), so it is
    # summed once per event; on entry it is summed afresh (Python may have changed ``a``).
    s = 0.0
    for j in range(nr):
        s += a[j]
    if tn != tn:  # no pending reaction time: draw one from the current propensities
        if s > 0.0:
            if ie == nb_e:
                status = NEED_E
            else:
                tn = t + E[ie] / s
                ie += 1
        else:
            tn = math.inf
    while status == DONE:
        # Grid points before the next reaction get the current state.
        while g < tn and g < t_limit:
            if ng == gb.shape[0]:
                status = GRID_FULL
                break
            gb[ng, :] = x
            ng += 1
            k += 1
            g = k * dg if k <= kmax else math.inf
        if status != DONE:
            break
        if tn > t_limit or tn == math.inf:
            break
        if iu == nb_u:
            status = NEED_U
            break
        if log and nl == lt.shape[0]:
            status = LOG_FULL
            break
        if nw + max_watch > wt.shape[0]:
            status = WATCH_FULL
            break
        t = tn
        r = U[iu] * s
        iu += 1
        nf += 1
        # The same comparisons as the generated chain: the last reaction takes what is left.
        fire = nr - 1
        acc = 0.0
        for j in range(nr - 1):
            acc = a[j] if j == 0 else acc + a[j]
            if r < acc:
                fire = j
                break
        for q in range(dptr[fire], dptr[fire + 1]):
            x[didx[q]] += dval[q]
        for q in range(eptr[fire], eptr[fire + 1]):
            j = eidx[q]
            p = c[j]
            i1 = first[j]
            if i1 >= 0:
                if pair[j]:
                    v = x[i1]
                    p = p * v * (v - 1) * 0.5
                else:
                    p = p * x[i1]
                    i2 = second[j]
                    if i2 >= 0:
                        p = p * x[i2]
            a[j] = p
        if log:
            lt[nl] = t
            lj[nl] = fire
            nl += 1
        for q in range(wptr[fire], wptr[fire + 1]):
            wt[nw] = t
            wg[nw] = wgrp[q]
            wd[nw] = wdel[q]
            nw += 1
        s = 0.0
        for j in range(nr):
            s += a[j]
        if s > 0.0:
            if ie == nb_e:
                tn = math.nan  # drawn when Python has refilled the block
                status = NEED_E
                break
            tn = t + E[ie] / s
            ie += 1
        else:
            tn = math.inf
    fs[0], fs[1] = t, tn
    iv[0], iv[1], iv[2], iv[3], iv[4], iv[5], iv[7] = ie, iu, nf, nl, nw, k, ng
    return status


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


def _replan(x, c, c_run, lt_, cst, leaped, nleap, now, hs, wi, wf, wb):
    """LeapPlan.classify, step_ms and busy, then HybridStepper.replan's bookkeeping.

    ``leaped[:nleap[0]]`` holds the leaped reactions and is replaced; ``c_run`` is refilled
    (``c`` with the leaped rates at 0); ``hs`` holds ``span_start, tau_ms, t_leap``; ``wi``,
    ``wf`` and ``wb`` are scratch space (:func:`workspace`). Returns True when the leaped set
    changed.
    """
    (kind, ra, rb, lawptr, lawidx, lawval, law_of, cand, needptr, needidx, is_reactant,
     dptr, didx, dval) = lt_
    min_pool, eps, tau_max, tau_min, min_events, small, turnover = (
        cst[0], cst[1], cst[2], cst[3], cst[4], cst[5], cst[6])
    ns = x.shape[0]
    nr = c.shape[0]
    n_laws = lawptr.shape[0] - 1
    high_law = wb[:n_laws]
    for k in range(n_laws):
        s = 0.0
        for q in range(lawptr[k], lawptr[k + 1]):
            s += lawval[q] * x[lawidx[q]]
        high_law[k] = s >= min_pool
    high = wb[n_laws:n_laws + ns]
    for s0 in range(ns):
        high[s0] = law_of[s0] < 0 or high_law[law_of[s0]]
    new = wi[:nr]
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
        h = wf[:ns]
        drift = wf[ns:2 * ns]
        field = wb[n_laws + ns:n_laws + 2 * ns]
        is_leaped = wb[n_laws + 2 * ns:n_laws + 2 * ns + nr]
        h[:] = 0.0
        drift[:] = 0.0
        field[:] = False
        is_leaped[:] = False
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


def workspace(n_reactions: int, n_species: int, n_laws: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scratch arrays (int, float, bool) for :func:`_replan` and :func:`_draws`.

    A leap used to allocate some twenty small arrays; allocated once per network, the scratch
    space saves about a third of a leap's cost. Sized for two fates per leaped reaction.
    """
    nr, ns = n_reactions, n_species
    return (np.zeros(14 * nr + ns, dtype=np.int64), np.zeros(4 * nr + 2 * ns),
            np.zeros(n_laws + 2 * ns + 4 * nr, dtype=np.bool_))


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


def _add_fate(ent_d, ent_j, ent_h, ent_drv, ne, keys, nk, d, j, h, drives):
    # Append a fate of species d (reaction j, hazard h); d joins the keys on first sight.
    ent_d[ne], ent_j[ne], ent_h[ne], ent_drv[ne] = d, j, h, drives
    for u in range(nk):
        if keys[u] == d:
            return ne + 1, nk
    keys[nk] = d
    return ne + 1, nk + 1


def _fates_of(d, ent_d, ent_j, ent_h, ent_drv, ne, pv, js, dv):
    # The fates of d in append order into pv, js, dv; their count and total hazard.
    m = 0
    total = 0.0
    for e in range(ne):
        if ent_d[e] == d:
            pv[m], js[m], dv[m] = ent_h[e], ent_j[e], ent_drv[e]
            total += ent_h[e]
            m += 1
    return m, total


def _split(gen, k, pv, js, dv, m, total, split, into):
    # k reacting molecules shared among m fates by their hazards; drivers' shares go to into.
    if m == 1:
        if dv[0]:
            into[js[0]] = k
        return
    for e in range(m):
        pv[e] = pv[e] / total
    _multinomial(gen, k, pv, m, split)
    for e in range(m):
        if dv[e]:
            into[js[e]] = split[e]


def _draws(x, c, leaped, nl, tau, gen, lt_, result, wi, wf, wb):
    """LeapPlan.draws: events of each leaped reaction over ``tau`` into ``result`` (leaped order).

    ``wi``, ``wf`` and ``wb`` are scratch space (:func:`workspace`).
    """
    kind, ra, rb = lt_[0], lt_[1], lt_[2]
    dptr, didx, dval = lt_[11], lt_[12], lt_[13]
    ns = x.shape[0]
    nr = c.shape[0]
    m2 = 2 * nr  # room for two fates per reaction
    out = wi[:nr]
    out[:] = 0
    # Fates in the order the Python stepper's dict holds them: entries in append order, and
    # driver species in order of first appearance.
    ent_d = wi[nr:nr + m2]
    ent_j = wi[nr + m2:nr + 2 * m2]
    ent_h = wf[:m2]
    ent_drv = wb[:m2]
    ne = 0
    keys = wi[nr + 2 * m2:nr + 3 * m2]
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
        if kd == 1:
            d0 = a
            h0 = cj
        elif kd == 2:
            d0 = a
            h0 = cj * max(x[a] - 1, 0)
        elif x[a] and x[b]:
            if x[a] <= x[b]:
                d0, p0 = a, b
            else:
                d0, p0 = b, a
            h0 = cj * x[p0]
            d1 = p0
            h1 = cj * x[d0]
        if d0 >= 0:
            ne, nk = _add_fate(ent_d, ent_j, ent_h, ent_drv, ne, keys, nk, d0, j, h0, True)
        if d1 >= 0:
            ne, nk = _add_fate(ent_d, ent_j, ent_h, ent_drv, ne, keys, nk, d1, j, h1, False)
    # Keep the species present with at least one reaction they drive.
    kept = wi[nr + 3 * m2:nr + 4 * m2]
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
    pv = wf[m2:2 * m2]
    js = wi[nr + 4 * m2:nr + 5 * m2]
    dv = wb[m2:2 * m2]
    split = wi[nr + 5 * m2:nr + 6 * m2]
    for u in range(nkept):
        d = kept[u]
        m, total = _fates_of(d, ent_d, ent_j, ent_h, ent_drv, ne, pv, js, dv)
        k = gen.binomial(x[d], -math.expm1(-total * tau))
        if k:
            _split(gen, k, pv, js, dv, m, total, split, out)
    for q in range(nl):
        result[q] = 0
    _apply(x, leaped, nl, kind, ra, rb, dptr, didx, dval, out, result)
    # Molecules made within the step react within it with the probability a uniform birth
    # time gives (see LeapPlan.draws).
    made = wi[nr + 6 * m2:nr + 6 * m2 + ns]
    made[:] = 0
    for q in range(nl):
        kj = result[q]
        if kj:
            j = leaped[q]
            for k2 in range(dptr[j], dptr[j + 1]):
                if dval[k2] > 0:
                    made[didx[k2]] += dval[k2] * kj
    more = wi[nr + 6 * m2 + ns:2 * nr + 6 * m2 + ns]
    more[:] = 0
    again = False
    for u in range(nkept):
        d = kept[u]
        if not made[d]:
            continue
        m, total = _fates_of(d, ent_d, ent_j, ent_h, ent_drv, ne, pv, js, dv)
        ht = total * tau
        if ht == 0.0:  # no fate can take them (LeapPlan.draws skips them too)
            continue
        k = gen.binomial(made[d], 1.0 + math.expm1(-ht) / ht)
        if k:
            again = True
            _split(gen, k, pv, js, dv, m, total, split, more)
    if again:
        _apply(x, leaped, nl, kind, ra, rb, dptr, didx, dval, more, result)


def _hybrid_advance(x, a, c, c_run, first, second, pair, dptr, didx, dval, eptr, eidx,
                    wptr, wgrp, wdel, fs, iv, E, U, gb, lt, lj, wt, wg, wd, log, max_watch,
                    gen, lt_, cst, leaped, nleap, hs, counts, prev, wi, wf, wb, t_limit):
    """ExactNetwork._advance_hybrid over arrays; returns (status, pending time).

    ``fs`` and ``iv[:8]`` are the exact loop's (:func:`~synevent.engine.kernel.direct_advance`).
    ``hs`` holds ``span_start, tau_ms, t_leap`` and, after a leap with ``log`` on, the leap's
    time (``hs[3]``); the status is then :data:`LEAPED` and ``counts[:iv[11]]`` are the leap's
    events per reaction of ``prev`` (the reactions it leaped). ``iv[8]`` and ``iv[9]`` count
    leaped events and leaps; ``iv[10]`` is set when the leaped set (and ``c_run``) changed.
    ``wi``, ``wf`` and ``wb`` are the leaps' scratch space (:func:`workspace`).
    """
    while True:
        tl = hs[2]
        fs[2] = t_limit if tl > t_limit else tl
        status = _exact(x, a, c_run, first, second, pair, dptr, didx, dval, eptr, eidx,
                        wptr, wgrp, wdel, fs, iv, E, U, gb, lt, lj, wt, wg, wd, log, max_watch)
        if status != DONE:
            return status, fs[1]
        if tl > t_limit or tl == math.inf:
            return DONE, min(fs[1], tl)
        # HybridStepper.step
        t_now = tl
        nl = nleap[0]
        n = 0
        if hs[1] > 0.0 and nl:
            _draws(x, c, leaped, nl, hs[1], gen, lt_, counts, wi, wf, wb)
            for q in range(nl):
                n += counts[q]
            iv[8] += n
            iv[9] += 1
            iv[2] += n
        fs[0] = t_now
        end = hs[0] + hs[1]
        for q in range(nl):
            prev[q] = leaped[q]
        if _replan(x, c, c_run, lt_, cst, leaped, nleap, end, hs, wi, wf, wb):
            iv[10] = 1
        if hs[2] < t_now:
            hs[2] = t_now
        _loop_propensities(x, c_run, first, second, pair, a)
        fs[1] = math.nan
        if log and n:
            hs[3] = t_now
            iv[11] = nl
            return LEAPED, fs[1]


direct_advance = _direct_advance
hybrid_advance = _hybrid_advance
_exact = _direct_advance
_PY = (_direct_advance, _loop_propensities, _replan, _multinomial, _apply, _add_fate,
       _fates_of, _split, _draws, _hybrid_advance)


def jit(fn):
    """``fn`` compiled with numba, cached on disk (the first compilation takes seconds)."""
    import numba

    return numba.njit(cache=True, nogil=True)(fn)


def compile_loops() -> None:
    """Replace every loop function by its compiled version (once; imports numba)."""
    global _direct_advance, _loop_propensities, _replan, _multinomial, _apply, _add_fate
    global _fates_of, _split, _draws, _hybrid_advance, _exact, direct_advance, hybrid_advance
    if direct_advance is not _PY[0]:
        return
    compiled = [jit(f) for f in _PY]
    (_direct_advance, _loop_propensities, _replan, _multinomial, _apply, _add_fate, _fates_of,
     _split, _draws, _hybrid_advance) = compiled
    _exact = direct_advance = _direct_advance
    hybrid_advance = _hybrid_advance
