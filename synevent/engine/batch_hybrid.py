"""Hybrid mode for many trajectories at once: exact events in lockstep, leaps in rounds.

The same rules as :class:`~synevent.engine.hybrid.HybridStepper` (which reactions are leaped,
per-molecule binomial leaps with integer counts, midpoint placement of the leaps, see
:mod:`synevent.engine.partition`), vectorised over trajectories as in
:mod:`synevent.engine.batch`. Two differences, both for speed:

* leaps are applied in rounds every few lockstep iterations: a trajectory whose leap is due
  waits for the next round (its clock does not move, so this costs time, not accuracy);
* one random generator serves the whole batch (drawing per trajectory would cost a Python call
  per trajectory and leap), so a hybrid trajectory depends on the seed *and* the batch size.
"""

from __future__ import annotations

import numpy as np

from .batch import BatchTables, _cumsum_rows
from .partition import (
    EPSILON,
    LEAP_MIN_EVENTS,
    MIN_POOL,
    SMALL_COUNT,
    TAU_MAX_MS,
    TAU_MIN_MS,
    TURNOVER,
    LeapPlan,
)

__all__ = ["run_hybrid_batch"]

_ROWS = 512  # random numbers are drawn in blocks of this many rows of n
_LEAP_EVERY = 16  # lockstep iterations between two rounds of leaps


class _Draws:
    """Uniforms and exponentials for the lockstep loop, one row of n at a time."""

    def __init__(self, gen: np.random.Generator, n: int) -> None:
        self.gen, self.n = gen, n
        self.i = _ROWS
        self.u = self.e = np.empty((0, n))

    def next(self) -> tuple[np.ndarray, np.ndarray]:
        if self.i == _ROWS:
            self.u = self.gen.random((_ROWS, self.n))
            self.e = self.gen.standard_exponential((_ROWS, self.n))
            self.i = 0
        i = self.i
        self.i = i + 1
        return self.u[i], self.e[i]


class _Leaps:
    """Vectorised classification, step size and binomial leaps (rules of LeapPlan).

    The per-reaction rules are turned into incidence matrices once, so that a round of leaps
    costs a few matrix products instead of a Python loop over reactions.
    """

    def __init__(self, net, tab: BatchTables, protected: tuple[str, ...] = ()) -> None:
        self.plan = plan = LeapPlan(net, protected)
        self.tab = tab
        ns, nr = len(net.species), len(net.reactions)
        self.ns = ns
        self.c = tab.rate_per_ms
        self.law_of = plan.law_of
        self.law_matrix = plan.law_matrix
        n_laws = len(plan.laws)
        self.cand = np.zeros(nr, dtype=bool)
        self.cand[plan.candidates] = True
        # need[j, l] = 1 if reaction j needs law l high to be leaped
        self.need = np.zeros((nr, n_laws))
        for j, laws in zip(plan.candidates, plan.needs):
            self.need[j, laws] = 1.0
        self.react = np.zeros((ns, nr))  # reactant stoichiometry
        for j, re in enumerate(plan.reactants):
            for s in re:
                self.react[s, j] += 1
        self.delta_t = tab.delta.T.astype(np.float64)
        self.is_reactant = self.react.sum(axis=1) > 0
        self.made_t = np.maximum(self.delta_t, 0.0)  # molecules each reaction makes
        # Field rules (LeapPlan.step_ms): incidence of the reactant of unimolecular reactions
        # (a field when the reaction is exact), of both reactants of bimolecular ones (fields
        # when exact; when leaped only the larger is), and of paired reactants (always).
        live = self.c > 0
        self.m_uni = np.zeros((ns, nr))
        self.m_bi = np.zeros((ns, nr))
        self.pair_sp = np.zeros(ns, dtype=bool)
        bi = []
        for j, re in enumerate(plan.reactants):
            if not live[j] or not re:
                continue
            if len(re) == 1:
                self.m_uni[re[0], j] = 1.0
            elif re[0] == re[1]:
                self.pair_sp[re[0]] = True
            else:
                self.m_bi[re[0], j] = self.m_bi[re[1], j] = 1.0
                bi.append((j, re[0], re[1]))
        self.bi_j = np.array([b[0] for b in bi], dtype=np.intp)
        self.bi_a = np.array([b[1] for b in bi], dtype=np.intp)
        self.bi_b = np.array([b[2] for b in bi], dtype=np.intp)
        self.m_a = np.zeros((ns, len(bi)))
        self.m_b = np.zeros((ns, len(bi)))
        for i, (_, a, b) in enumerate(bi):
            self.m_a[a, i] = self.m_b[b, i] = 1.0

    def classify(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(leaped (nr, n), high (ns, n)) for states ``x`` (ns, n)."""
        n = x.shape[1]
        high = np.ones((self.ns, n), dtype=bool)
        if self.law_matrix.size:
            high_law = (self.law_matrix @ x) >= MIN_POOL
            bounded = self.law_of >= 0
            high[bounded] = high_law[self.law_of[bounded]]
            low = (~high_law).astype(np.float64)
            leaped = (self.need @ low == 0.0) & self.cand[:, None]
        else:
            leaped = np.repeat(self.cand[:, None], n, axis=1)
        return leaped, high

    def step_ms(self, x: np.ndarray, leaped: np.ndarray, high: np.ndarray,
                a: np.ndarray) -> np.ndarray:
        """Each trajectory's leap step (the rules of LeapPlan.step_ms), shape (n,).

        ``a`` holds the propensities of every reaction (nr, n).
        """
        drift = self.delta_t @ a
        cons = self.react @ a
        exact = (~leaped).astype(np.float64)
        field = (((self.m_uni + self.m_bi) @ exact) > 0.0) & high
        field |= self.pair_sp[:, None] & high
        if self.bi_j.size:
            lb = leaped[self.bi_j]
            big_a = x[self.bi_a] >= x[self.bi_b]
            field |= (self.m_a @ (lb & big_a) + self.m_b @ (lb & ~big_a)) > 0.0
        ok = field & (x > 0) & (cons > 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            t1 = np.where(high & self.is_reactant[:, None] & (drift != 0.0),
                          np.maximum(EPSILON * x, SMALL_COUNT) / np.abs(drift), np.inf)
            t2 = np.where(ok, TURNOVER * x / cons, np.inf)  # TURNOVER / per-molecule hazard
        tau = np.minimum(t1.min(axis=0), t2.min(axis=0))
        return np.clip(tau, TAU_MIN_MS, TAU_MAX_MS)

    def busy(self, a: np.ndarray, leaped: np.ndarray, tau_ms: np.ndarray) -> np.ndarray:
        """``leaped`` restricted to reactions expecting LEAP_MIN_EVENTS within ``tau_ms``."""
        return leaped & (a * tau_ms >= LEAP_MIN_EVENTS)

    def leap(self, x: np.ndarray, leaped: np.ndarray, tau_ms: np.ndarray,
             gen: np.random.Generator) -> np.ndarray:
        """Apply the leaps of ``tau_ms`` to ``x`` (in place); return events per trajectory.

        The driver rule of :meth:`LeapPlan.draws`, vectorised: per driver species one binomial
        (molecules that react) and, per competing fate, one conditional binomial (which fate).
        """
        ns, n = x.shape
        js = [j for j in np.flatnonzero(leaped.any(axis=1)) if self.c[j]]
        hz = np.zeros((ns, n))  # total hazard per driver species and trajectory
        plan = []
        for j in js:
            _, kind, a, b, _ = self.plan._rx[j]
            lj = leaped[j]
            cj = self.c[j]
            if kind == 0:
                plan.append((j, kind, None, None, gen.poisson(cj * tau_ms) * lj))
                continue
            if kind == 1:
                drv = np.full(n, a)
                h = np.full(n, cj)
            elif kind == 2:
                drv = np.full(n, a)
                h = cj * np.maximum(x[a] - 1, 0)
            else:
                on_a = x[a] <= x[b]
                drv = np.where(on_a, a, b)
                h = cj * np.where(on_a, x[b], x[a])
                # The partner's share competes with its own fates, and is dropped (kind -1).
                ptn = np.where(on_a, b, a)
                hp = np.where(lj & (x[a] > 0) & (x[b] > 0), cj * np.where(on_a, x[a], x[b]), 0.0)
                np.add.at(hz, (ptn, np.arange(n)), hp)
                plan.append((j, -1, ptn, hp, None))
            h = np.where(lj & (x[drv, np.arange(n)] > 0), h, 0.0)
            np.add.at(hz, (drv, np.arange(n)), h)
            plan.append((j, kind, drv, h, None))
        left = gen.binomial(x.astype(np.int64), -np.expm1(-hz * tau_ms)).astype(np.float64)
        made = np.zeros_like(x)
        n_events = self._split_apply(x, plan, left, hz, gen, made, first=True)
        # Molecules made during the step: the survival correction of LeapPlan.draws.
        ht = hz * tau_ms
        with np.errstate(divide="ignore", invalid="ignore"):
            p_react = np.where(ht > 0.0, 1.0 + np.expm1(-ht) / np.where(ht > 0.0, ht, 1.0), 0.0)
        if (made > 0).any():
            left = gen.binomial(made.astype(np.int64), np.clip(p_react, 0.0, 1.0))
            if left.any():
                n_events += self._split_apply(x, plan, left.astype(np.float64), hz, gen, None,
                                              first=False)
        return n_events

    def _split_apply(self, x: np.ndarray, plan: list, left: np.ndarray, hz: np.ndarray,
                     gen: np.random.Generator, made: np.ndarray | None, *,
                     first: bool) -> np.ndarray:
        # Split each driver's reacting molecules over its fates (conditional binomials) and
        # apply the events, capped by the reactants left, in reaction order.
        n = x.shape[1]
        cols = np.arange(n)
        hz_left = hz.copy()
        n_events = np.zeros(n, dtype=np.int64)
        for j, kind, drv, h, k0 in plan:
            if kind == 0:
                if not first:
                    continue
                k = k0.astype(np.float64)
            else:
                kd, hd = left[drv, cols], hz_left[drv, cols]
                with np.errstate(divide="ignore", invalid="ignore"):
                    p = np.where(hd > 0.0, np.minimum(h / np.where(hd > 0.0, hd, 1.0), 1.0), 0.0)
                k = gen.binomial(kd.astype(np.int64), p).astype(np.float64)
                left[drv, cols] = kd - k
                hz_left[drv, cols] = hd - h
                if kind == -1:  # a partner's share: competes, then is dropped
                    continue
                if kind == 2:
                    k = k // 2
            for s in set(self.plan.reactants[j]):  # capped by what the reactions before left
                k = np.minimum(k, x[s] // self.plan.reactants[j].count(s))
            x += self.delta_t[:, j:j + 1] * k
            if made is not None:
                made += self.made_t[:, j:j + 1] * k
            n_events += k.astype(np.int64)
        return n_events


def run_hybrid_batch(
    net,
    generator: np.random.Generator,
    n: int,
    *,
    t_end_ms: float,
    dt_out_ms: float,
    exact_species: tuple[str, ...] = (),
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` hybrid trajectories of ``net``; return (grid counts, reaction events per trajectory).

    Grid counts have shape (n, n_grid, n_species), as in
    :func:`~synevent.engine.batch.run_direct_batch`; leaped events count one per reaction.
    """
    tab = BatchTables(net)
    lp = _Leaps(net, tab, exact_species)
    ns = len(net.species)
    kmax = int(np.floor(t_end_ms / dt_out_ms + 1e-9))
    grid_pad = np.append(np.arange(kmax + 1) * dt_out_ms, np.inf)
    out = np.empty((n, kmax + 1, ns), dtype=np.int64)
    fired = np.zeros(n, dtype=np.int64)
    xp = np.ones((ns + 1, n))
    xp[:ns] = np.asarray(net.initial_state(), dtype=np.float64)[:, None]
    x = xp[:ns]  # a view: leaps and exact events update the same array
    draws = _Draws(generator, n)
    k = np.zeros(n, dtype=np.intp)
    g_next = grid_pad[k]

    def exact_part(leaped: np.ndarray):
        # Only reactions exact in some trajectory enter the lockstep loop, and only the species
        # they change are updated there (fewer rows per numpy call).
        rows = np.flatnonzero(~leaped.all(axis=1))
        c_run = np.where(leaped[rows], 0.0, tab.rate_per_ms[rows, None])
        d = tab.delta_t[:, rows]
        sp = np.flatnonzero(np.abs(d).sum(axis=1))
        return rows, c_run, tab.first[rows], tab.second[rows], tab.pair_col[rows], \
            tab.half_col[rows], sp, d[sp]

    def cum_of(part) -> np.ndarray:
        _, c_run, first, second, pair, half = part[:6]
        if not len(first):  # everything leaped: no exact reaction pending anywhere
            return np.zeros((1, n))
        if not tab.any_pair:
            return _cumsum_rows(c_run * xp[first] * xp[second])
        return _cumsum_rows(c_run * xp[first] * (xp[second] - pair) * half)

    def plan_cols(xc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        leaped_c, high_c = lp.classify(xc)
        tau_c = np.full(xc.shape[1], TAU_MAX_MS)
        if leaped_c.any():
            a = tab.propensities(np.vstack([xc, np.ones((1, xc.shape[1]))]))
            tau_c = lp.step_ms(xc, leaped_c, high_c, a)
            leaped_c = lp.busy(a, leaped_c, tau_c)
        return leaped_c, tau_c

    # Each trajectory has its own leap schedule: leap i covers [span, span + tau) and is
    # applied at tmid = span + tau / 2 (midpoint rule).
    leaped, tau = plan_cols(x)
    span = np.zeros(n)
    tmid = 0.5 * tau
    part = exact_part(leaped)
    cum = cum_of(part)
    _, e = draws.next()
    with np.errstate(divide="ignore"):
        tn = np.where(cum[-1] > 0.0, e / cum[-1], np.inf)
    tcap = np.minimum(tmid, t_end_ms)  # exact events fire up to the next leap (or the end)
    it = 0
    while True:
        lim = np.minimum(tn, tcap)
        rec = g_next < lim
        while rec.any():
            rows = np.flatnonzero(rec)
            out[rows, k[rows]] = x[:, rows].T
            k[rows] += 1
            g_next[rows] = grid_pad[k[rows]]
            rec[rows] = g_next[rows] < lim[rows]
        act = tn <= lim
        any_act = act.any()
        if any_act:
            u, e = draws.next()
            r = u * cum[-1]
            j = (r >= cum[:-1]).sum(axis=0)
            sp, d = part[6], part[7]
            sl = slice(sp[0], sp[-1] + 1) if len(sp) and sp[-1] - sp[0] + 1 == len(sp) else None
            if sl is not None:  # the species the exact reactions change are one block
                x[sl] += d[:, j] * act
            else:
                x[sp] += d[:, j] * act
            fired += act
            cum = cum_of(part)
            total = cum[-1]
            with np.errstate(divide="ignore", invalid="ignore"):
                # e > 0, so a zero total gives inf: no reaction pending
                tn = np.where(act, tn + e / total, tn)
        it += 1
        # Leaps are applied in groups every few iterations (a trajectory whose leap is due
        # waits, doing nothing, meanwhile): per-leap numpy calls on a handful of columns
        # would otherwise cost as much as the exact events.
        if any_act and it % _LEAP_EVERY:
            continue
        ready = (tmid < tn) & (tmid <= t_end_ms)
        if not ready.any():
            if any_act:
                continue
            break
        cols = np.flatnonzero(ready)
        xc = x[:, cols]
        lc = leaped[:, cols]
        if lc.any():
            fired[cols] += lp.leap(xc, lc, tau[cols], generator)
            x[:, cols] = xc
        t_leap = tmid[cols]
        span[cols] += tau[cols]
        new_l, new_tau = plan_cols(xc)
        tau[cols] = new_tau
        tmid[cols] = np.maximum(span[cols] + 0.5 * new_tau, t_leap)
        tcap[cols] = np.minimum(tmid[cols], t_end_ms)
        if not np.array_equal(new_l, lc):
            leaped[:, cols] = new_l
            rows_now = np.flatnonzero(~leaped.all(axis=1))
            if np.array_equal(rows_now, part[0]):
                part[1][:, cols] = np.where(new_l[part[0]], 0.0, tab.rate_per_ms[part[0], None])
            else:
                part = exact_part(leaped)
        # New counts: redraw the pending exact reaction of each leaped trajectory (memoryless).
        cum = cum_of(part)
        _, e = draws.next()
        total = cum[-1, cols]
        with np.errstate(divide="ignore"):
            tn[cols] = np.where(total > 0.0, t_leap + e[cols] / total, np.inf)
    for i in range(n):
        out[i, k[i]:] = x[:, i]
    return out, fired
