"""Which reactions the hybrid mode leaps: conserved pools, copy numbers and step sizes.

A species is *low-copy* when a conservation law of the network bounds it below
:data:`MIN_POOL` molecules: the 80 AMPA receptors of a synapse are one pool (R0 + R1 + R2 + O + D
= 80), so every receptor state is low-copy however the receptors are distributed. A species
that no law bounds that tightly (free transmitter, whose law is all the transmitter in the
cleft; a pool of 500 transporters) is *high-copy*. The hybrid mode leaps a reaction when every
species it changes is high-copy (and none is watched); every other reaction stays exact. The
classification is re-evaluated at every leap from the current counts, so a cleft switches to
leaping when a vesicle's transmitter arrives and back to exact events when it is gone.

Conservation laws are found once per network structure with a small linear programme per
species (``scipy.optimize.linprog``): non-negative weights ``w`` with ``w @ delta = 0`` for every
reaction and ``w[s] = 1``, as sparse as possible. Then ``x[s] <= w @ x`` at every moment.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import linprog

from .network import ReactionNetwork

__all__ = ["EPSILON", "LEAP_MIN_EVENTS", "MIN_POOL", "TAU_MAX_MS", "TAU_MIN_MS", "TURNOVER", "LeapPlan"]

#: Pools bounded below this many molecules stay exact.
MIN_POOL = 200
#: Largest relative change of a "field" count (the abundant partner of a leaped bimolecular
#: reaction, or an abundant reactant of an exact one) within one leap.
EPSILON = 0.05
#: Bounds of the leap step.
TAU_MAX_MS = 1.0
#: A leapable reaction is leaped only if it expects at least this many events per step; a
#: quieter one (transporters reorienting long after the transmitter is gone) fires exactly,
#: which costs less than stepping through idle time.
LEAP_MIN_EVENTS = 1.0
#: Expected reactions per field molecule within one leap, at most.
TURNOVER = 0.5
TAU_MIN_MS = 1e-4


def conservation_bounds(net: ReactionNetwork) -> list[np.ndarray | None]:
    """Per species, the weights of the sparsest non-negative conservation law containing it.

    ``None`` where no law exists (a species made from nothing, or by a reaction that creates
    mass): such a species is never bounded and counts as high-copy.
    """
    ns, nr = len(net.species), len(net.reactions)
    delta = np.zeros((ns, nr))
    for j, r in enumerate(net.reactions):
        for s, d in r.delta().items():
            delta[net.index(s), j] = d
    out: list[np.ndarray | None] = []
    for s in range(ns):
        if nr == 0:
            w = np.zeros(ns)
            w[s] = 1.0
            out.append(w)
            continue
        bounds = [(0, None)] * ns
        bounds[s] = (1, 1)
        res = linprog(np.ones(ns), A_eq=delta.T, b_eq=np.zeros(nr), bounds=bounds,
                      method="highs")
        out.append(np.where(np.abs(res.x) < 1e-9, 0.0, res.x) if res.status == 0 else None)
    return out


class LeapPlan:
    """Static tables for leaping one network (shared by the scalar and the batched engine).

    Parameters
    ----------
    net : ReactionNetwork
    protected : iterable of str
        Species never leaped (watched channel states).
    """

    def __init__(self, net: ReactionNetwork, protected=()) -> None:
        self.net = net
        ns = len(net.species)
        laws = conservation_bounds(net)
        # Distinct laws, and for each species the law that bounds it (-1: unbounded).
        self.laws: list[np.ndarray] = []
        self.law_of = np.full(ns, -1, dtype=np.intp)
        for s, w in enumerate(laws):
            if w is None:
                continue
            for k, v in enumerate(self.laws):
                if np.array_equal(v, w):
                    self.law_of[s] = k
                    break
            else:
                self.law_of[s] = len(self.laws)
                self.laws.append(w)
        self.law_matrix = np.array(self.laws).reshape(len(self.laws), ns)
        prot = {net.index(p) for p in protected}
        # Reactions that may ever be leaped, with the laws their changed species need high.
        self.candidates: list[int] = []
        self.needs: list[list[int]] = []
        for j, r in enumerate(net.reactions):
            changed = [net.index(s) for s in r.delta()]
            if not changed or prot & set(changed):
                continue
            self.candidates.append(j)
            self.needs.append(sorted({int(self.law_of[s]) for s in changed if self.law_of[s] >= 0}))
        self.rate = np.array([r.rate_per_ms for r in net.reactions])
        self.reactants = [[net.index(s) for s, n in r.reactants.items() for _ in range(n)]
                          for r in net.reactions]
        self.delta = np.zeros((len(net.reactions), ns), dtype=np.int64)
        for j, r in enumerate(net.reactions):
            for s, d in r.delta().items():
                self.delta[j, net.index(s)] = d
        self.delta_items = [[(net.index(s), d) for s, d in r.delta().items()]
                            for r in net.reactions]

    def classify(self, x: list[int]) -> tuple[list[int], list[bool]]:
        """Reactions to leap in state ``x``, and which species are high-copy.

        A species is high-copy when no conservation law bounds it below :data:`MIN_POOL`; a
        candidate reaction is leaped when all the species it changes are high-copy.
        """
        ns = len(x)
        if self.laws:
            totals = self.law_matrix @ np.asarray(x, dtype=np.float64)
            high_law = [bool(v >= MIN_POOL) for v in totals]
        else:
            high_law = []
        high = [self.law_of[s] < 0 or high_law[self.law_of[s]] for s in range(ns)]
        leaped = [j for j, need in zip(self.candidates, self.needs)
                  if all(high_law[k] for k in need)]
        return leaped, high

    def step_ms(self, x: list[int], c: list[float], leaped: list[int], high: list[bool]) -> float:
        """Leap step: no *field* count changes by more than :data:`EPSILON` of itself.

        Fields are the counts a leap freezes: the larger reactant of a leaped binding (the
        smaller one draws its fate molecule by molecule, which is exact for it), the reactant
        of a leaped unimolecular reaction, and any high-copy reactant of an exact reaction
        (which the exact reactions see as constant between leaps).
        """
        ns = len(x)
        h = [0.0] * ns  # per-molecule consumption hazard, over every reaction
        field = [False] * ns
        is_leaped = set(leaped)
        for j, re in enumerate(self.reactants):
            cj = c[j]
            if not cj or not re:
                continue
            if len(re) == 1:
                s0 = re[0]
                h[s0] += cj
                # Leaped, it draws each molecule's fate exactly; exact, it sees a frozen count.
                if j not in is_leaped:
                    field[s0] = field[s0] or high[s0]
                continue
            a, b = re
            if a == b:
                h[a] += cj * max(x[a] - 1, 0)
                field[a] = field[a] or high[a]
                continue
            h[a] += cj * x[b]
            h[b] += cj * x[a]
            if j in is_leaped:
                big = a if x[a] >= x[b] else b
                field[big] = True
            else:
                field[a] = field[a] or high[a]
                field[b] = field[b] or high[b]
        # Net drift of each species (all reactions): a field's mean may move by EPSILON of itself
        # (the relative bound of Cao, Gillespie and Petzold's tau selection, J Chem Phys
        # 124:044109, 2006), and no field molecule may expect more than TURNOVER reactions
        # within a step. Below 1 / EPSILON molecules only the second bound applies: a few free
        # transmitter molecules at a steady level fluctuate by their whole count, and the drift
        # bound would shrink the step to nothing for no gain in accuracy.
        drift = [0.0] * ns
        for j, re in enumerate(self.reactants):
            cj = c[j]
            if not cj:
                continue
            a = cj
            for i, s0 in enumerate(re):
                a *= x[s0] - (1 if i == 1 and re[0] == s0 else 0)
            if a > 0.0:
                for s0, d in self.delta_items[j]:
                    drift[s0] += a * d
        tau = TAU_MAX_MS
        for s0 in range(ns):
            if field[s0] and x[s0] > 0 and h[s0] > 0.0:
                mu = abs(drift[s0])
                if mu > 0.0 and EPSILON * x[s0] >= 1.0:
                    tau = min(tau, EPSILON * x[s0] / mu)
                tau = min(tau, TURNOVER / h[s0])
        return max(TAU_MIN_MS, tau)

    def busy(self, x: list[int], c: list[float], leaped: list[int], tau_ms: float) -> list[int]:
        """The leaped reactions that expect at least :data:`LEAP_MIN_EVENTS` in ``tau_ms``."""
        out = []
        for j in leaped:
            a = c[j]
            re = self.reactants[j]
            for i, s0 in enumerate(re):
                a *= x[s0] - (1 if i == 1 and re[0] == s0 else 0)
            if a * tau_ms >= LEAP_MIN_EVENTS:
                out.append(j)
        return out

    def draws(
        self, x: list[int], c: list[float], leaped: list[int], tau_ms: float,
        generator: np.random.Generator,
    ) -> list[int]:
        """Events of each leaped reaction over ``tau_ms``, applied to ``x`` in place.

        Each molecule of the scarcer reactant reacts with probability ``1 - exp(-c M tau)`` (``M``
        the other reactant's count, or 1): exact per molecule while ``M`` stays constant. Counts
        are integers and each reaction's events are capped by the reactants left after the
        reactions before it, so no count goes negative and every conservation law holds exactly.
        """
        n = np.zeros(len(leaped), dtype=np.int64)
        p = np.zeros(len(leaped))
        lam = []
        for i, j in enumerate(leaped):
            re = self.reactants[j]
            if not re:
                lam.append(i)
                p[i] = c[j] * tau_ms
            elif len(re) == 1:
                n[i] = x[re[0]]
                p[i] = -math.expm1(-c[j] * tau_ms)
            elif re[0] == re[1]:
                n[i] = x[re[0]] // 2
                p[i] = -math.expm1(-c[j] * max(x[re[0]] - 1, 0) * tau_ms)
            else:
                a, b = x[re[0]], x[re[1]]
                n[i] = min(a, b)
                p[i] = -math.expm1(-c[j] * max(a, b) * tau_ms)
        k = generator.binomial(n, p)
        for i in lam:
            k[i] = generator.poisson(p[i])
        out = []
        for i, j in enumerate(leaped):
            kj = int(k[i])
            for s in self.reactants[j]:
                # a species listed twice needs two molecules per event
                kj = min(kj, x[s] // self.reactants[j].count(s))
            if kj:
                for s, d in self.delta_items[j]:
                    x[s] += d * kj
            out.append(kj)
        return out
