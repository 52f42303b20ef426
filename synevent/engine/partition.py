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

:class:`LeapPlan` holds the tables and the rules: classification (:meth:`LeapPlan.classify`),
step size (:meth:`LeapPlan.step_ms`) and the integer binomial draws with competing fates
(:meth:`LeapPlan.draws`); ``docs/background/hybrid.md`` explains them.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import linprog

from .network import ReactionNetwork

__all__ = [
    "EPSILON",
    "LEAP_MIN_EVENTS",
    "MIN_POOL",
    "SMALL_COUNT",
    "TAU_MAX_MS",
    "TAU_MIN_MS",
    "TURNOVER",
    "LeapPlan",
    "conservation_bounds",
]

#: Pools bounded below this many molecules stay exact.
MIN_POOL = 200
#: Largest relative change of the mean of a high-copy reactant within one leap.
EPSILON = 0.05
#: Bounds of the leap step.
TAU_MAX_MS = 1.0
#: A leapable reaction is leaped only if it expects at least this many events per step; a
#: quieter one (transporters reorienting long after the transmitter is gone) fires exactly,
#: which costs less than stepping through idle time.
LEAP_MIN_EVENTS = 1.0
#: Floor of the drift bound, in molecules (1 / EPSILON).
SMALL_COUNT = 20.0
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


def _sum_left(values) -> float:
    # Left to right, as the compiled stepper adds (synevent.engine.loops): the built-in sum()
    # of floats is compensated from Python 3.12 on and could differ in the last bit.
    total = 0.0
    for v in values:
        total += v
    return total


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
        # NOTE: plain-Python tables for the scalar stepper, which classifies and sizes a leap
        # in a few tens of microseconds: numpy scalar access would cost more than the work.
        self._laws_sparse = [[(i, float(w)) for i, w in enumerate(law) if w] for law in self.laws]
        self._law_of = [int(v) for v in self.law_of]
        groups: dict[tuple[int, ...], list[int]] = {}
        for j, need in zip(self.candidates, self.needs):
            groups.setdefault(tuple(need), []).append(j)
        self._need_groups = sorted(groups.items(), key=lambda kv: min(kv[1]))
        self._rx = []  # (j, kind, a, b, delta items): kind 0 none, 1 A, 2 A + A, 3 A + B
        for j, re in enumerate(self.reactants):
            kind = (0, 1, 3)[len(re)] if len(re) < 2 or re[0] != re[1] else 2
            a = re[0] if re else -1
            b = re[1] if len(re) == 2 else -1
            self._rx.append((j, kind, a, b, self.delta_items[j]))
        self._is_reactant = [any(s in re for re in self.reactants) for s in range(ns)]
        # The same tables as flat arrays, built by the compiled stepper when it first needs them
        # (synevent.engine.kernel_hybrid.LeapTables).
        self.flat_tables = None

    def classify(self, x: list[int]) -> tuple[list[int], list[bool]]:
        """Reactions to leap in state ``x``, and which species are high-copy.

        A species is high-copy when no conservation law bounds it below :data:`MIN_POOL`; a
        candidate reaction is leaped when all the species it changes are high-copy.
        """
        high_law = [_sum_left(w * x[i] for i, w in law) >= MIN_POOL for law in self._laws_sparse]
        high = [k < 0 or high_law[k] for k in self._law_of]
        leaped: list[int] = []
        for need, js in self._need_groups:
            if all(high_law[k] for k in need):
                leaped.extend(js)
        leaped.sort()
        return leaped, high

    def step_ms(self, x: list[int], c: list[float], leaped: list[int], high: list[bool]) -> float:
        """Leap step: no *field* count changes by more than allowed within one step.

        Fields are the counts a leap freezes: the larger reactant of a leaped binding (the
        smaller one draws its fate molecule by molecule, which is exact for it), and any
        high-copy reactant of an exact reaction (which the exact reactions see as constant
        between leaps). A leaped unimolecular reaction draws each molecule's fate exactly: its
        reactant is no field on that account.

        Two bounds. (1) The mean of every high-copy reactant may move by EPSILON of itself or by
        SMALL_COUNT molecules, whichever is larger (the relative bound of Cao, Gillespie and
        Petzold's tau selection, J Chem Phys 124:044109, 2006, with a floor: a few free
        transmitter molecules at a steady level fluctuate by their whole count, and a floor of
        one molecule would shrink the step to nothing). This also holds a species at zero that
        is being produced fast: transmitter unbinding from transporters must not pile up over
        a long step and meet the receptors all at once. (2) No field molecule may expect more
        than TURNOVER reactions within a step.
        """
        ns = len(x)
        h = [0.0] * ns  # per-molecule consumption hazard, over every reaction
        drift = [0.0] * ns
        field = [False] * ns
        is_leaped = [False] * len(c)
        for j in leaped:
            is_leaped[j] = True
        for j, kind, a, b, items in self._rx:
            cj = c[j]
            if not cj:
                continue
            if kind == 1:
                prop = cj * x[a]
                h[a] += cj
                if not is_leaped[j] and high[a]:
                    field[a] = True
            elif kind == 3:
                xa, xb = x[a], x[b]
                prop = cj * xa * xb
                h[a] += cj * xb
                h[b] += cj * xa
                if is_leaped[j]:
                    field[a if xa >= xb else b] = True
                else:
                    field[a] = field[a] or high[a]
                    field[b] = field[b] or high[b]
            elif kind == 2:
                xa = x[a]
                prop = cj * xa * (xa - 1) * 0.5
                h[a] += cj * max(xa - 1, 0)
                field[a] = field[a] or high[a]
            else:
                prop = cj
            if prop > 0.0:
                for s0, d in items:
                    drift[s0] += prop * d
        tau = TAU_MAX_MS
        for s0 in range(ns):
            mu = abs(drift[s0])
            if mu > 0.0 and high[s0] and self._is_reactant[s0]:
                tau = min(tau, max(EPSILON * x[s0], SMALL_COUNT) / mu)
            if field[s0] and x[s0] > 0 and h[s0] > 0.0:
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

        Every leaped reaction has a *driver*: its reactant (unimolecular), or the scarcer of its
        two reactants, whose partner count ``M`` is frozen over the step. A driver molecule with
        fates of hazards ``h_j`` (``c_j`` or ``c_j M``) reacts within the step with probability
        ``1 - exp(-H tau)``, ``H = sum h_j``, and then takes fate ``j`` with probability
        ``h_j / H``: a binomial and a multinomial per driver species, exact per molecule while
        the partners stay constant. Competing fates must be drawn together: drawn one after the
        other, the first reaction in the list would take molecules the others should have had.
        Counts are integers and each reaction's events are capped by the reactants left, so no
        count goes negative and every conservation law holds exactly.
        """
        out = dict.fromkeys(leaped, 0)
        # fates[d]: (reaction, hazard per molecule of d, whether d drives it). A partner's
        # share is drawn and dropped: its molecules are taken by the driver's draw, but they
        # compete with the partner's own fates (free transmitter that binds a scarce
        # transporter cannot also escape).
        fates: dict[int, list[tuple[int, float, bool]]] = {}
        for j in leaped:
            jj, kind, a, b, _ = self._rx[j]
            cj = c[j]
            if not cj:
                continue
            if kind == 0:
                out[j] = int(generator.poisson(cj * tau_ms))
                continue
            if kind == 1:
                fates.setdefault(a, []).append((j, cj, True))
            elif kind == 2:  # per molecule; an event takes two
                fates.setdefault(a, []).append((j, cj * max(x[a] - 1, 0), True))
            elif x[a] and x[b]:
                d, p = (a, b) if x[a] <= x[b] else (b, a)
                fates.setdefault(d, []).append((j, cj * x[p], True))
                fates.setdefault(p, []).append((j, cj * x[d], False))
        fates = {d: lst for d, lst in fates.items() if x[d] > 0 and any(f[2] for f in lst)}
        for d, lst in fates.items():
            total = _sum_left(h for _, h, _ in lst)
            k = int(generator.binomial(x[d], -math.expm1(-total * tau_ms)))
            if not k:
                continue
            if len(lst) == 1:
                out[lst[0][0]] = k
            else:
                split = generator.multinomial(k, [h / total for _, h, _ in lst])
                for (j, _, drives), kj in zip(lst, split):
                    if drives:
                        out[j] = int(kj)
        result = self._apply(x, leaped, out)
        # Molecules made during the step (transmitter unbinding from a transporter) would
        # otherwise all survive to its end, and a species made and consumed fast would sit
        # too high by H tau / 2 of itself. A molecule made at a uniform time in the step
        # survives to its end with probability (1 - exp(-H tau)) / (H tau); the others react
        # within the step, with their fates split as above.
        made = [0] * len(x)
        for j, kj in zip(leaped, result):
            if kj:
                for s0, dd in self._rx[j][4]:
                    if dd > 0:
                        made[s0] += dd * kj
        more = dict.fromkeys(leaped, 0)
        again = False
        for d, lst in fates.items():
            if not made[d]:
                continue
            total = _sum_left(h for _, h, _ in lst)
            ht = total * tau_ms
            if ht == 0.0:  # no fate can take them
                continue
            k = int(generator.binomial(made[d], 1.0 + math.expm1(-ht) / ht))
            if not k:
                continue
            again = True
            split = [k] if len(lst) == 1 else generator.multinomial(
                k, [h / total for _, h, _ in lst])
            for (j, _, drives), kj in zip(lst, split):
                if drives:
                    more[j] = int(kj)
        if again:
            for i, kj in enumerate(self._apply(x, leaped, more)):
                result[i] += kj
        return result

    def _apply(self, x: list[int], leaped: list[int], events: dict[int, int]) -> list[int]:
        # Events of each reaction, capped by the reactants left, applied in reaction order.
        result = []
        for j in leaped:
            kj = events[j]
            _, kind, a, b, items = self._rx[j]
            if kind == 2:
                kj = min(kj // 2, x[a] // 2)
            elif kind == 1:
                kj = min(kj, x[a])
            elif kind == 3:
                kj = min(kj, x[a], x[b])
            if kj:
                for s0, dd in items:
                    x[s0] += dd * kj
            result.append(kj)
        return result
