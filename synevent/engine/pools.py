"""Hybrid runs of a network on its own: pools from the rate equations, the rest exact.

``simulate_network(..., mode="hybrid")`` runs here. Species are split once per run by their
conserved pools (:func:`~synevent.engine.partition.conservation_bounds`, the rule of the leap
stepper): a species is *continuous* when no conservation law bounds it below
:data:`~synevent.engine.partition.MIN_POOL` molecules at the start and it is not in
``exact_species``. A reaction is *integrated* when every species it changes is continuous (free
transmitter escaping, binding and leaving a large transporter or enzyme pool); every other
reaction (receptor and channel states) is *exact*.

How a trajectory runs (``docs/background/hybrid.md`` gives the reasons and the measured error):

* **Shared pools.** The rate equations of the whole network are solved once per run, in
  reaction extents (``x = x0 + S @ xi``, so every conservation law holds to rounding), with
  LSODA (scipy's ``odeint``). This gives the continuous species' mean course ``P(t)`` and
  the mean exchange of the exact reactions with the pools.
* **Exact events.** Exact reactions fire by the direct method on steps of the output grid
  (subdivided where an integrated reaction would change a continuous reactant by more than
  :data:`EPSILON_FIELD` of itself). Within a step, continuous reactants are held at their step
  average without the mean exchange with exact reactions, plus this trajectory's own deviation;
  an exact event moves whole molecules in and out of that deviation at once. The unused
  exponential hazard carries over to the next step, which is exact for propensities constant
  on each step. A reaction that takes molecules from a continuous pool fires only while the
  pool holds them.
* **Own deviation.** A trajectory's continuous species are ``P(t) + d(t)``. Its exact events'
  exchange, minus the mean exchange, enters ``d``, which relaxes through the integrated
  reactions linearised about ``P`` (the propagator ``expm(J h)`` of each step,
  :func:`_propagators`): a molecule a
  receptor keeps is missing from free transmitter, and from what transporters and escape
  would have taken. ``w @ J = 0`` for every conservation law ``w``, so the laws hold exactly
  (to rounding) in every trajectory.

The pools carry no noise of their own. The loop is generated for each network structure
(:func:`kernel_source`) and compiled with numba when compiled loops are in use; the same
source runs as plain Python otherwise, with the same draws, so a seed gives the same
trajectories either way. Where events spread over many reactions, the compiled loop picks the
firing reaction without branching (:data:`BRANCHLESS_MISSES`); that too gives the same
trajectories. One generator serves a run, trajectory after trajectory, so
trajectory ``i`` depends on the seed and on ``i`` only.
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
import os
import pathlib
import sys
from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy.integrate import odeint
from scipy.linalg import expm

from . import kernel as _kernel
from .network import ReactionNetwork
from .partition import MIN_POOL, conservation_bounds

__all__ = ["EPSILON_FIELD", "PoolPlan", "chain_misses", "kernel_source", "run_pools"]

#: Largest relative change of a continuous reactant, by the integrated reactions, over a step.
EPSILON_FIELD = 0.1
#: Tolerances of the rate equations (relative; absolute in molecules).
RTOL, ATOL = 1e-7, 1e-6
#: The loop picks the firing reaction without branching when there are at most
#: BRANCHLESS_MAX exact reactions and the rate equations expect at least BRANCHLESS_MISSES
#: mispredicted branches per event from a chain of tests (:func:`chain_misses`).
BRANCHLESS_MAX = 12
BRANCHLESS_MISSES = 0.75
#: Most internal steps of the rate equations' solver between two requested times.
MXSTEP = 100_000
#: Largest column sum of ``J h`` whose propagator is the [3/3] Pade approximant.
PADE_NORM = 0.5

_LAWS: dict[tuple, list[np.ndarray | None]] = {}
_KERNELS: dict[str, Callable] = {}
_ONE = np.ones(1)
# Two-point Gauss-Legendre nodes on [0, 1]: step averages exact for cubics.
_GAUSS = (0.5 - 0.5 / math.sqrt(3.0), 0.5 + 0.5 / math.sqrt(3.0))


def _laws(net: ReactionNetwork) -> list[np.ndarray | None]:
    # One linear programme per species: cached per structure (rates and counts do not enter).
    laws = _LAWS.get(net.structure)
    if laws is None:
        if len(_LAWS) > 256:
            _LAWS.clear()
        laws = _LAWS[net.structure] = conservation_bounds(net)
    return laws


@dataclass(frozen=True)
class PoolPlan:
    """The split of a network into continuous species, integrated and exact reactions.

    Attributes
    ----------
    continuous : ndarray of bool
        Per species: integrated as an amount.
    exact, integrated : tuple of int
        Reaction indices of each kind.
    stoich : ndarray, shape (n_species, n_reactions)
    """

    continuous: np.ndarray
    exact: tuple[int, ...]
    integrated: tuple[int, ...]
    stoich: np.ndarray

    @classmethod
    def build(cls, net: ReactionNetwork, exact_species: tuple[str, ...] = ()) -> PoolPlan:
        """Split ``net`` by its pools at its initial counts (see the module docstring)."""
        x0 = np.array(net.initial_state(), dtype=float)
        protected = {net.index(s) for s in exact_species}
        cont = np.array([s not in protected and (w is None or float(w @ x0) >= MIN_POOL)
                         for s, w in enumerate(_laws(net))], dtype=bool)
        stoich = np.zeros((len(net.species), len(net.reactions)))
        exact, integrated = [], []
        for j, r in enumerate(net.reactions):
            for s, d in r.delta().items():
                stoich[net.index(s), j] = d
            changed = np.flatnonzero(stoich[:, j])
            (integrated if changed.size and cont[changed].all() else exact).append(j)
        return cls(cont, tuple(exact), tuple(integrated), stoich)

    @property
    def continuous_index(self) -> np.ndarray:
        """Indices of the continuous species, in network order."""
        return np.flatnonzero(self.continuous)


class _MassAction:
    """Propensities of a network and their derivatives, vectorised over states."""

    def __init__(self, net: ReactionNetwork) -> None:
        ns = len(net.species)
        self.c = np.array([r.rate_per_ms for r in net.reactions], dtype=float)
        # Up to two reactant slots per reaction; slot ns is a constant 1.
        self.r1 = np.full(len(net.reactions), ns)
        self.r2 = np.full(len(net.reactions), ns)
        self.pair = np.zeros(len(net.reactions), dtype=bool)
        for j, r in enumerate(net.reactions):
            reac = [(net.index(s), n) for s, n in r.reactants.items()]
            if reac:
                self.r1[j] = reac[0][0]
                self.pair[j] = reac[0][1] == 2
            if len(reac) > 1:
                self.r2[j] = reac[1][0]
        self.ns = ns
        self.has_pair = bool(self.pair.any())

    def _pad(self, x: np.ndarray) -> np.ndarray:
        return np.concatenate([x, np.ones((1,) + x.shape[1:])], axis=0)

    def rates(self, x: np.ndarray) -> np.ndarray:
        """Propensities, shape (n_reactions, ...) for states ``x`` of shape (n_species, ...)."""
        if x.ndim == 1:
            # The rate equations' right-hand side: called hundreds of times a run.
            v = np.concatenate((x, _ONE))
            a = v[self.r1]
            if self.has_pair:
                a = np.where(self.pair, a * (a - 1.0) * 0.5, a)
            return self.c * a * v[self.r2]
        v = self._pad(x)
        a, b = v[self.r1], v[self.r2]
        first = np.where(self.pair[(slice(None),) + (None,) * (x.ndim - 1)], a * (a - 1) * 0.5, a)
        return self.c.reshape((-1,) + (1,) * (x.ndim - 1)) * first * b

    def gradient(self, x: np.ndarray) -> np.ndarray:
        """d propensity / d count: shape (n_reactions, n_species) for one state ``x`` of
        shape (n_species,), (m, n_reactions, n_species) for states of shape (n_species, m)."""
        v = self._pad(x.reshape(self.ns, -1))
        g = np.zeros((v.shape[1], len(self.c), self.ns + 1))
        for j, (c, i1, i2, pair) in enumerate(zip(self.c, self.r1, self.r2, self.pair)):
            a, b = v[i1], v[i2]
            g[:, j, i1] += c * (a - 0.5 if pair else b)
            if not pair:
                g[:, j, i2] += c * a
        g = g[:, :, : self.ns]
        return g[0] if x.ndim == 1 else g


@dataclass(frozen=True)
class _Shared:
    """What every trajectory of a run shares: steps, pool course, exchange and propagators."""

    tb: np.ndarray  # step boundaries, ms
    grid_step: np.ndarray  # step index ending at each grid point (0 for t = 0), then -1
    field: np.ndarray  # (n_steps, n_species): held continuous reactants, mean exchange removed
    pools: np.ndarray  # (n_grid, n_species): P at the grid
    exchange: np.ndarray  # (n_steps, n_continuous): mean exchange with exact reactions
    propagator: np.ndarray  # (n_steps, n_continuous, n_continuous)
    firings: np.ndarray  # (n_exact,): mean events of each exact reaction over the run


def _steps(grid: np.ndarray, hazard: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Step boundaries and the step ending at each grid point: each grid interval cut into
    equal steps, enough that ``hazard`` (per ms, at the grid, the larger end taken for an
    interval) times a step stays within EPSILON_FIELD."""
    dt = np.diff(grid)
    cuts = np.maximum(1, np.ceil(np.maximum(hazard[:-1], hazard[1:]) * dt / EPSILON_FIELD))
    cuts = cuts.astype(np.int64)
    grid_step = np.concatenate([[0], np.cumsum(cuts)])
    k = np.repeat(np.arange(cuts.size), cuts)
    j = np.arange(grid_step[-1]) - grid_step[k]
    tb = np.append(grid[k] + dt[k] * j / cuts[k], grid[-1])
    return tb, grid_step


def _propagators(x: np.ndarray) -> np.ndarray:
    """``expm(x)`` for a stack of matrices ``x``.

    The steps keep ``|x|_1`` small (0.2 to 0.4 at most on the preset clefts), where the [3/3]
    Pade approximant is within 1e-7 of the exponential, relative (its error term is
    ``x^7 / 100800``); it costs two matrix products and one solve for the whole stack, where
    ``scipy.linalg.expm`` takes a stack one matrix at a time (10 us each, a tenth of a run's
    wall time on the canonical network). Larger matrices go to ``scipy.linalg.expm``. Every
    conservation law ``w`` with ``w @ x = 0`` holds for the result either way.
    """
    if x.shape[-1] == 0:
        return x.copy()
    eye = np.eye(x.shape[-1])
    x2 = x @ x
    odd = x @ (eye / 2.0 + x2 / 120.0)
    even = eye + x2 / 10.0
    out = np.linalg.solve(even - odd, even + odd)
    large = np.abs(x).sum(axis=-2).max(axis=-1) > PADE_NORM
    if large.any():
        out[large] = expm(x[large])
    return out


def _shared(net: ReactionNetwork, plan: PoolPlan, t_end: float, dt: float) -> _Shared:
    ma = _MassAction(net)
    S = plan.stoich
    x0 = np.array(net.initial_state(), dtype=float)
    nr = len(net.reactions)

    def f(_t: float, xi: np.ndarray) -> np.ndarray:
        return ma.rates(x0 + S @ xi)

    def jac(_t: float, xi: np.ndarray) -> np.ndarray:
        return ma.gradient(x0 + S @ xi) @ S

    def extents(times: np.ndarray) -> np.ndarray:
        # LSODA through odeint: its loop and its interpolation to the requested times run in
        # Fortran (solve_ivp's dense output took twice as long here).
        if nr == 0:  # nothing happens (odeint refuses an empty system)
            return np.zeros((0, times.size))
        order = np.argsort(times, kind="stable")
        xi, info = odeint(f, np.zeros(nr), np.concatenate([[0.0], times[order]]), Dfun=jac,
                          rtol=RTOL, atol=ATOL, tfirst=True, full_output=True, mxstep=MXSTEP)
        if info["message"] != "Integration successful.":
            raise RuntimeError(f"the rate equations of the network failed: {info['message']}")
        out = np.empty((nr, times.size))
        out[:, order] = xi[1:].T
        return out

    n_grid = int(np.floor(t_end / dt + 1e-9)) + 1
    grid = np.arange(n_grid) * dt
    ci = plan.continuous_index
    ex = np.array(plan.exact, dtype=int)
    ig = np.array(plan.integrated, dtype=int)
    if n_grid == 1:
        return _Shared(grid, np.array([0, -1]), np.zeros((0, x0.size)), x0[None, :],
                       np.zeros((0, ci.size)), np.zeros((0, ci.size, ci.size)),
                       np.zeros(ex.size))
    # Steps: the grid, each interval cut so that no integrated reaction changes a continuous
    # reactant by more than EPSILON_FIELD of itself (per-molecule hazard x step).
    hazard = np.zeros(n_grid)
    if ig.size:
        xg = x0[:, None] + S @ extents(grid)
        ag = ma.rates(xg)
        for j in ig:
            for i in np.flatnonzero(S[:, j] < 0):
                hazard = np.maximum(hazard, -S[i, j] * ag[j] / np.maximum(xg[i], 1.0))
    tb, grid_step = _steps(grid, hazard)
    h = np.diff(tb)
    k = h.size
    xi_all = extents(np.concatenate([tb, tb[:-1] + _GAUSS[0] * h, tb[:-1] + _GAUSS[1] * h,
                                     tb[:-1] + 0.5 * h]))
    xi_b = xi_all[:, : k + 1]
    xi_mean = 0.5 * (xi_all[:, k + 1: 2 * k + 1] + xi_all[:, 2 * k + 1: 3 * k + 1])
    xm = x0[:, None] + S @ xi_all[:, 3 * k + 1:]
    pools = (x0[:, None] + S @ xi_b[:, grid_step]).T
    # Held values: the step average, less the mean exchange with exact reactions since the
    # step's start (each trajectory's own exchange is added as its events happen).
    held = x0[:, None] + S @ xi_mean
    if ex.size:
        held -= S[:, ex] @ (xi_mean[ex] - xi_b[ex][:, :-1])
    field = np.where(plan.continuous[None, :], held.T, 0.0)
    exchange = (S[np.ix_(ci, ex)] @ np.diff(xi_b[ex], axis=1)).T if ex.size else \
        np.zeros((k, ci.size))
    # Linearised integrated reactions at each step's midpoint, continuous species only.
    jm = np.zeros((k, ci.size, ci.size))
    if ig.size:
        grad = ma.gradient(xm)[:, ig][:, :, ci]
        jm = np.einsum("ij,sjk->sik", S[np.ix_(ci, ig)], grad) * h[:, None, None]
    return _Shared(tb, np.append(grid_step, -1), np.ascontiguousarray(field),
                   np.ascontiguousarray(pools), np.ascontiguousarray(exchange),
                   np.ascontiguousarray(_propagators(jm)), xi_b[ex, -1])


def _coupling(net: ReactionNetwork, plan: PoolPlan) -> np.ndarray:
    """Which deviations can move which over a step: the closure of the linearised integrated
    reactions' structure (a structural zero of every step's propagator stays zero)."""
    ci = plan.continuous_index
    pos = {int(i): q for q, i in enumerate(ci)}
    link = np.eye(ci.size, dtype=bool)
    for j in plan.integrated:
        r = net.reactions[j]
        for s in r.reactants:
            for k in np.flatnonzero(plan.stoich[:, j]):
                link[pos[int(k)], pos[net.index(s)]] = True
    while True:
        wider = (link.astype(int) @ link.astype(int)) > 0
        if (wider == link).all():
            return link
        link = wider


def _tree_sum(terms: list[str]) -> str:
    """``terms`` summed pairwise, as one expression."""
    while len(terms) > 1:
        odd = terms[-1:] if len(terms) % 2 else []
        terms = [f"({a} + {b})" for a, b in zip(terms[::2], terms[1::2])] + odd
    return terms[0] if terms else "0.0"


def _exact_moves(net: ReactionNetwork, plan: PoolPlan) -> tuple[list[int], np.ndarray]:
    """The species that exact reactions change, and their changes: row r is species
    ``moved[r]``, column m exact reaction m; a last column of zeros for "nothing fired"."""
    moved = [i for i in range(len(net.species)) if plan.stoich[i, list(plan.exact)].any()]
    delta = np.zeros((len(moved), len(plan.exact) + 1))
    delta[:, :-1] = plan.stoich[np.ix_(moved, list(plan.exact))]
    return moved, delta


def chain_misses(firings: np.ndarray) -> float:
    """Mispredicted branches per event expected from testing the reactions one after the other
    (in network order), when each event is an independent draw with the shares of ``firings``:
    at each test the less likely outcome is the miss."""
    total = float(np.sum(firings))
    if total <= 0.0:
        return 0.0
    misses, left = 0.0, 1.0
    for share in np.asarray(firings, dtype=float) / total:
        if left <= 0.0:
            break
        taken = min(share / left, 1.0)
        misses += left * min(taken, 1.0 - taken)
        left -= share
    return misses


def kernel_source(net: ReactionNetwork, plan: PoolPlan, branchless: bool = False) -> str:
    """Python source of the trajectory loop for ``net`` split by ``plan``.

    ``kernel(n, c, init, tb, gs, field, pools, exchange, propagator, delta, gen, out, fired)``
    runs ``n`` trajectories one after the other on ``gen`` and fills ``out`` (trajectory x grid
    x species) and ``fired`` (exact events per trajectory). Species, reactions and dependencies
    are written out, so the loop keeps everything in local variables; rates stay arguments.
    ``branchless`` picks the firing reaction by counting and a table instead of a chain of
    tests: the same trajectories, at another cost (see :data:`BRANCHLESS_MISSES`).
    """
    ns = len(net.species)
    ci = [int(i) for i in plan.continuous_index]
    qpos = {i: q for q, i in enumerate(ci)}
    exact = list(plan.exact)
    cont = plan.continuous
    field_sp = sorted({net.index(s) for j in exact for s in net.reactions[j].reactants
                       if cont[net.index(s)]})

    def val(i: int) -> str:
        return f"f{i}" if cont[i] else f"x{i}"

    def propensity(m: int) -> str:
        r = net.reactions[exact[m]]
        terms = [f"k{m}"]
        guards = []
        for s, n in r.reactants.items():
            i = net.index(s)
            terms.append(val(i) if n == 1 else f"{val(i)} * ({val(i)} - 1.0) * 0.5")
            taken = -r.delta().get(s, 0)
            if cont[i] and taken > 0:
                guards.append(f"{val(i)} >= {float(taken)!r}")
        # A guard multiplies (a bool) rather than branches: cheaper in the compiled loop.
        return " * ".join(terms + [f"({g})" for g in guards])

    # Propensities that read a held pool change with every step; the others only with events.
    on_field = {m for m, j in enumerate(exact)
                if any(cont[net.index(s)] for s in net.reactions[j].reactants)}
    deps = []
    for j in exact:
        changed = set(net.reactions[j].delta())
        deps.append([m for m, k in enumerate(exact) if changed & set(net.reactions[k].reactants)])
    link = _coupling(net, plan)
    ne = len(exact)
    moved = _exact_moves(net, plan)[0]
    # The total is a balanced sum: a shorter chain of dependent additions than a running sum.
    total = _tree_sum([f"p{m}" for m in range(ne)])
    L: list[str] = []
    w = L.append

    def move(i: int, amount: str, ind: str) -> None:
        # An exact event changes an exact count, or a pool's deviation (and its held value).
        if cont[i]:
            w(f"{ind}d{qpos[i]} += {amount}")
            if i in field_sp:
                w(f"{ind}f{i} += {amount}")
        else:
            w(f"{ind}x{i} += {amount}")

    w("def kernel(n, c, init, tb, gs, field, pools, exchange, propagator, delta, gen, out, "
      "fired):")
    for m, j in enumerate(exact):
        w(f"    k{m} = c[{j}]")
    w("    nst = tb.shape[0] - 1")
    w("    for it in range(n):")
    for i in range(ns):
        if not cont[i]:
            w(f"        x{i} = init[{i}]")
    for q in range(len(ci)):
        w(f"        d{q} = 0.0")
    w("        o = out[it]")
    w(f"        for i in range({ns}):")
    w("            o[0, i] = init[i]")
    w("        g = 1")
    w("        nf = 0")
    w("        h = gen.standard_exponential()")
    for m in range(ne):
        if m not in on_field:
            w(f"        p{m} = {propensity(m)}")
    w("        for s in range(nst):")
    w("            t = tb[s]")
    w("            te = tb[s + 1]")
    for i in field_sp:
        w(f"            f{i} = field[s, {i}] + d{qpos[i]}")
    if ne:
        for m in sorted(on_field):
            w(f"            p{m} = {propensity(m)}")
        w(f"            a0 = {total}")
        w("            rem = a0 * (te - t)")
        w("            while h < rem:")
        w("                t += h / a0")
        w("                u = gen.random() * a0")
        if branchless:
            # Which reaction fires, and what it changes, without a branch: counting the running
            # totals below u, then reading each species' change from a table. Where events are
            # spread over many reactions, a mispredicted test per event costs more than
            # recomputing every propensity (docs/benchmarks.md has the measurements).
            w("                c0 = p0")
            for m in range(1, ne):
                w(f"                c{m} = c{m - 1} + p{m}")
            # int(): numpy adds two bools as "or" (in the Python loop, where u is a numpy
            # float).
            w("                j = " + " + ".join(f"int(u >= c{m})" for m in range(ne)))
            for r, i in enumerate(moved):
                w(f"                dd = delta[{r}, j]")
                move(i, "dd", "                ")
            for m in range(ne):
                w(f"                p{m} = {propensity(m)}")
            # j == ne where rounding leaves u at or above the running total (which differs
            # from the balanced total in the last bits): nothing fires, thinning at the level
            # of rounding, never a reaction of propensity 0.
            w(f"                nf -= j == {ne}")
        else:
            ind = "                    "
            for m, j in enumerate(exact):
                head = "if" if m == 0 else "elif"
                w(f"                {head} u < " + " + ".join(f"p{k}" for k in range(m + 1))
                  + ":")
                for s, d in net.reactions[j].delta().items():
                    move(net.index(s), repr(float(d)), ind)
                for k in deps[m]:
                    w(f"{ind}p{k} = {propensity(k)}")
            # As above: where u is at or above the running total, nothing fires.
            w("                else:")
            w("                    nf -= 1")
        w(f"                a0 = {total}")
        w("                nf += 1")
        w("                h = gen.standard_exponential()")
        w("                rem = a0 * (te - t)")
        w("            h -= rem")
    for q in range(len(ci)):
        w(f"            e{q} = d{q} - exchange[s, {q}]")
    if ci:
        w("            m = propagator[s]")
    for q in range(len(ci)):
        terms = [f"m[{q}, {r}] * e{r}" for r in range(len(ci)) if link[q, r]]
        w(f"            d{q} = " + " + ".join(terms))
    w("            if gs[g] == s + 1:")
    for i in range(ns):
        w(f"                o[g, {i}] = " + (f"pools[g, {i}] + d{qpos[i]}" if cont[i]
                                              else f"x{i}"))
    w("                g += 1")
    w("        fired[it] = nf")
    return "\n".join(L) + "\n"


def _cache_dir() -> pathlib.Path | None:
    """A writable directory for generated loops (numba caches compiled code beside them)."""
    root = os.environ.get("SYNEVENT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "synevent")
    path = pathlib.Path(root) / "generated"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return path if os.access(path, os.W_OK) else None


def _compiled(source: str, compiled: bool) -> Callable:
    """The loop of ``source``: compiled with numba (cached on disk where possible) or not."""
    key = hashlib.sha256(source.encode()).hexdigest()[:20] + ("n" if compiled else "p")
    fn = _KERNELS.get(key)
    if fn is not None:
        return fn
    namespace: dict = {}
    where = _cache_dir() if compiled else None
    if where is not None:
        # numba keys its disk cache on the defining file: one file per generated source.
        file = where / f"pools_{key}.py"
        if not file.exists():
            tmp = file.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(source)
            os.replace(tmp, file)
        name = f"synevent_pools_{key}"
        spec = importlib.util.spec_from_file_location(name, file)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        # numba's disk cache finds the function's globals again by module name.
        sys.modules[name] = module
        spec.loader.exec_module(module)
        fn = _kernel.loops.jit(module.kernel)
    else:
        exec(compile(source, f"<synevent pools {key}>", "exec"), namespace)  # noqa: S102
        fn = namespace["kernel"]
        if compiled:
            import numba

            fn = numba.njit(nogil=True)(fn)
    if len(_KERNELS) > 64:
        _KERNELS.clear()
    _KERNELS[key] = fn
    return fn


def run_pools(
    net: ReactionNetwork,
    gen: np.random.Generator,
    n: int,
    *,
    t_end_ms: float,
    dt_out_ms: float,
    exact_species: tuple[str, ...] = (),
    branchless: bool | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` hybrid trajectories of ``net`` on ``gen`` (see the module docstring).

    ``branchless`` forces one way of picking the firing reaction (:func:`kernel_source`; the
    same trajectories either way); by default it is chosen for speed.

    Returns
    -------
    counts : ndarray of float64, shape (n, n_grid, n_species)
        Exact species are whole numbers; continuous species are amounts.
    fired : ndarray of int64
        Exact reaction events per trajectory.
    """
    plan = PoolPlan.build(net, exact_species)
    shared = _shared(net, plan, t_end_ms, dt_out_ms)
    compiled = _kernel.use_compiled()
    if branchless is None:
        # As Python, recomputing every propensity always costs more than a branch.
        branchless = (compiled and len(plan.exact) <= BRANCHLESS_MAX
                      and chain_misses(shared.firings) >= BRANCHLESS_MISSES)
    loop = _compiled(kernel_source(net, plan, branchless), compiled)
    x0 = np.array(net.initial_state(), dtype=float)
    c = np.array([r.rate_per_ms for r in net.reactions], dtype=float)
    counts = np.empty((n, shared.pools.shape[0], len(net.species)))
    fired = np.zeros(n, dtype=np.int64)
    loop(n, c, x0, shared.tb, shared.grid_step, shared.field, shared.pools, shared.exchange,
         shared.propagator, _exact_moves(net, plan)[1], gen, counts, fired)
    return counts, fired
