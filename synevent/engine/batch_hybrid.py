"""Hybrid mode for many trajectories at once: shared leap times, exact events in lockstep.

The same rules as :class:`~synevent.engine.hybrid.HybridStepper` (which reactions are leaped,
per-molecule binomial leaps with integer counts, midpoint placement of the leaps, see
:mod:`synevent.engine.partition`), vectorised over trajectories as in
:mod:`synevent.engine.batch`. Two differences, both for speed:

* the leap times are shared: the step is the smallest any trajectory asks for, so every
  trajectory is leaped at least as finely as it would be alone;
* one random generator serves the whole batch (drawing per trajectory would cost a Python call
  per trajectory and leap), so a hybrid trajectory depends on the seed *and* the batch size.
"""

from __future__ import annotations

import numpy as np

from .batch import BatchTables, _cumsum_rows
from .partition import EPSILON, LEAP_MIN_EVENTS, MIN_POOL, TAU_MAX_MS, TAU_MIN_MS, TURNOVER, LeapPlan

__all__ = ["run_hybrid_batch"]

_ROWS = 512  # random numbers are drawn in blocks of this many rows of n


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
    """Vectorised classification, step size and binomial leaps (rules of LeapPlan)."""

    def __init__(self, net, tab: BatchTables) -> None:
        self.plan = plan = LeapPlan(net)
        self.tab = tab
        ns, nr = len(net.species), len(net.reactions)
        self.ns = ns
        self.c = tab.rate_per_ms
        self.law_of = plan.law_of
        self.law_matrix = plan.law_matrix
        self.cand = np.zeros(nr, dtype=bool)
        self.cand[plan.candidates] = True
        self.needs = dict(zip(plan.candidates, plan.needs))
        self.react = np.zeros((ns, nr))  # reactant stoichiometry
        for j, re in enumerate(plan.reactants):
            for s in re:
                self.react[s, j] += 1
        self.delta_t = tab.delta.T.astype(np.float64)

    def classify(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(leaped (nr, n), high (ns, n)) for states ``x`` (ns, n)."""
        nr, n = len(self.c), x.shape[1]
        high = np.ones((self.ns, n), dtype=bool)
        leaped = np.zeros((nr, n), dtype=bool)
        if self.law_matrix.size:
            high_law = (self.law_matrix @ x) >= MIN_POOL
            bounded = self.law_of >= 0
            high[bounded] = high_law[self.law_of[bounded]]
        else:
            high_law = np.zeros((0, n), dtype=bool)
        for j, need in self.needs.items():
            leaped[j] = high_law[need].all(axis=0) if need else True
        return leaped, high

    def step_ms(self, x: np.ndarray, leaped: np.ndarray, high: np.ndarray) -> float:
        """The smallest step any trajectory asks for (see LeapPlan.step_ms)."""
        xp = np.vstack([x, np.ones((1, x.shape[1]))])
        a = self.tab.propensities(xp)
        drift = self.delta_t @ a
        cons = self.react @ a
        field = np.zeros_like(high)
        for j, re in enumerate(self.plan.reactants):
            if not self.c[j] or not re:
                continue
            lj = leaped[j]
            if len(re) == 1 or re[0] == re[1]:
                s0 = re[0]
                field[s0] |= (~lj if len(re) == 1 else True) & high[s0]
                continue
            s0, s1 = re
            big0 = x[s0] >= x[s1]
            field[s0] |= (lj & big0) | (~lj & high[s0])
            field[s1] |= (lj & ~big0) | (~lj & high[s1])
        ok = field & (x > 0) & (cons > 0.0)
        if not ok.any():
            return TAU_MAX_MS
        xs, ds, cs = x[ok], np.abs(drift[ok]), cons[ok]
        h = cs / xs
        with np.errstate(divide="ignore"):
            t1 = np.where((ds > 0.0) & (xs * EPSILON >= 1.0), EPSILON * xs / ds, np.inf)
        tau = min(float(t1.min()), float((TURNOVER / h).min()), TAU_MAX_MS)
        return max(TAU_MIN_MS, tau)

    def busy(self, x: np.ndarray, leaped: np.ndarray, tau_ms: float) -> np.ndarray:
        """``leaped`` restricted to reactions expecting LEAP_MIN_EVENTS within ``tau_ms``."""
        xp = np.vstack([x, np.ones((1, x.shape[1]))])
        return leaped & (self.tab.propensities(xp) * tau_ms >= LEAP_MIN_EVENTS)

    def leap(self, x: np.ndarray, leaped: np.ndarray, tau_ms: float,
             gen: np.random.Generator) -> np.ndarray:
        """Apply the leaps of ``tau_ms`` to ``x`` (in place); return events per trajectory."""
        n_events = np.zeros(x.shape[1], dtype=np.int64)
        for j in np.flatnonzero(self.cand):
            lj = leaped[j]
            if not lj.any() or not self.c[j]:
                continue
            re = self.plan.reactants[j]
            cj = self.c[j]
            if not re:
                k = gen.poisson(cj * tau_ms, size=x.shape[1]) * lj
            elif len(re) == 1:
                k = gen.binomial((x[re[0]] * lj).astype(np.int64), -np.expm1(-cj * tau_ms))
            elif re[0] == re[1]:
                m = x[re[0]]
                k = gen.binomial((m // 2 * lj).astype(np.int64),
                                 -np.expm1(-cj * np.maximum(m - 1, 0) * tau_ms))
            else:
                a, b = x[re[0]], x[re[1]]
                k = gen.binomial((np.minimum(a, b) * lj).astype(np.int64),
                                 -np.expm1(-cj * np.maximum(a, b) * tau_ms))
            k = k.astype(np.float64)
            for s in set(re):  # events capped by what the reactions before left
                k = np.minimum(k, x[s] // re.count(s))
            x += self.delta_t[:, j:j + 1] * k
            n_events += k.astype(np.int64)
        return n_events


def run_hybrid_batch(
    net,
    generator: np.random.Generator,
    n: int,
    *,
    t_end_ms: float,
    dt_out_ms: float,
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` hybrid trajectories of ``net``; return (grid counts, reaction events per trajectory).

    Grid counts have shape (n, n_grid, n_species), as in
    :func:`~synevent.engine.batch.run_direct_batch`; leaped events count one per reaction.
    """
    tab = BatchTables(net)
    lp = _Leaps(net, tab)
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
    rows_all = np.arange(n)

    def exact_part(leaped: np.ndarray):
        # Only reactions exact in some trajectory enter the lockstep loop, and only the species
        # they change are updated there (fewer rows per numpy call).
        rows = np.flatnonzero(~leaped.all(axis=1))
        c_run = np.where(leaped[rows], 0.0, tab.rate_per_ms[rows, None])
        d = tab.delta_t[:, rows]
        sp = np.flatnonzero(np.abs(d).sum(axis=1))
        return (c_run, tab.first[rows], tab.second[rows], tab.pair_col[rows],
                tab.half_col[rows], sp, d[sp])

    def cum_of(part) -> np.ndarray:
        c_run, first, second, pair, half = part[:5]
        if not len(first):  # everything leaped: no exact reaction pending anywhere
            return np.zeros((1, n))
        return _cumsum_rows(c_run * xp[first] * (xp[second] - pair) * half)

    def plan_step() -> tuple[np.ndarray, float]:
        leaped, high = lp.classify(x)
        if not leaped.any():
            return leaped, TAU_MAX_MS
        tau = lp.step_ms(x, leaped, high)
        return lp.busy(x, leaped, tau), tau

    leaped, tau = plan_step()
    part = exact_part(leaped)
    span = 0.0
    t_mid = span + 0.5 * tau
    t = 0.0
    cum = cum_of(part)
    _, e = draws.next()
    with np.errstate(divide="ignore"):
        tn = np.where(cum[-1] > 0.0, t + e / cum[-1], np.inf)
    while True:
        t_lim = min(t_mid, t_end_ms)
        while True:
            lim = np.minimum(tn, t_lim)
            rec = grid_pad[k] < lim
            while rec.any():
                rows = np.flatnonzero(rec)
                out[rows, k[rows]] = x[:, rows].T
                k[rows] += 1
                rec[rows] = grid_pad[k[rows]] < lim[rows]
            act = tn <= t_lim
            if not act.any():
                break
            u, e = draws.next()
            r = u * cum[-1]
            j = (r >= cum[:-1]).sum(axis=0)
            sp, d = part[5], part[6]
            x[sp] += d[:, j] * act
            fired += act
            cum = cum_of(part)
            total = cum[-1]
            with np.errstate(divide="ignore", invalid="ignore"):
                tn = np.where(act, np.where(total > 0.0, tn + e / total, np.inf), tn)
        if t_mid > t_end_ms:
            break
        # The leap of span [span, span + tau) at its midpoint, for every trajectory.
        if leaped.any():
            fired += lp.leap(x, leaped, tau, generator)
        span += tau
        new_leaped, tau = plan_step()
        if not np.array_equal(new_leaped, leaped):
            leaped = new_leaped
            part = exact_part(leaped)
        t_mid = max(span + 0.5 * tau, t_mid)
        # New propensities: redraw every pending exact reaction (memoryless).
        cum = cum_of(part)
        _, e = draws.next()
        t = t_lim
        with np.errstate(divide="ignore"):
            tn = np.where(cum[-1] > 0.0, t + e / cum[-1], np.inf)
    for i in rows_all:
        out[i, k[i]:] = x[:, i]
    return out, fired
