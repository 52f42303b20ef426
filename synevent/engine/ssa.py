"""Exact stochastic simulation of a reaction network as a SimPy process.

:class:`ExactNetwork` runs Gillespie's direct method inside one SimPy process. Other processes
change the network (molecules arriving from a fusion, a rate changing under a drug) through
:meth:`ExactNetwork.add`, :meth:`~ExactNetwork.remove` and :meth:`~ExactNetwork.set_rate`; each
such change discards the pending reaction time and draws a new one from the new propensities,
which is exact because the waiting time of a Markov jump process is memoryless.

Between two SimPy events nothing outside the network can act on it, so the process fires all
its reactions up to the time of the next scheduled SimPy event (``env.peek()``) in one call of
the generated inner loop, and yields to SimPy only when another process may run. The reactions
keep their exact times; only the bookkeeping of SimPy's event queue is saved.
"""

from __future__ import annotations

import math
import numpy as np
import simpy

from .codegen import generate_advance
from .hybrid import HybridStepper, plan_for
from . import kernel as _kernel
from .kernel import CompiledLoop, KernelTables
from .kernel_hybrid import CompiledHybridLoop, LeapTables
from .modes import check_mode
from .network import ReactionNetwork
from .process import ExactProcess
from .random import RandomStream

__all__ = ["ExactNetwork"]

_CACHE: dict[tuple, object] = {}


def _cached(key: tuple, make):
    # Generated loops and the compiled loops' tables, built once per network structure; the
    # cache is bounded so that a session of many different networks does not grow without end.
    value = _CACHE.get(key)
    if value is None:
        if len(_CACHE) > 512:
            _CACHE.clear()
        value = _CACHE[key] = make()
    return value


def _generated(net: ReactionNetwork, log_reactions: bool, watch: tuple[tuple[str, int], ...]):
    src = generate_advance(net, log_reactions=log_reactions, watch=watch)
    scope: dict[str, object] = {"INF": math.inf}
    exec(compile(src, f"<synevent advance: {len(net.reactions)} reactions>", "exec"), scope)
    return scope["advance"]


def _compile(net: ReactionNetwork, log_reactions: bool, watch: tuple[tuple[str, int], ...] = ()):
    return _cached(("generated", net.structure, log_reactions, watch),
                   lambda: _generated(net, log_reactions, watch))


def _tables(net: ReactionNetwork, watch: tuple[tuple[str, int], ...]) -> KernelTables:
    return _cached(("tables", net.structure, watch), lambda: KernelTables(net, watch))


def _leap_tables(plan) -> LeapTables:
    # Plans are cached per structure (hybrid.plan_for): their flat tables live with them.
    if plan.flat_tables is None:
        plan.flat_tables = LeapTables(plan)
    return plan.flat_tables


class ExactNetwork(ExactProcess):
    """A reaction network simulated exactly in a SimPy environment.

    Parameters
    ----------
    env : simpy.Environment
        Time is in ms.
    network : ReactionNetwork
        The scheme; its initial counts are the state at ``env.now``.
    rs : RandomStream
        The run's random stream.
    name : str
        Component name in the event log.
    trace_dt_ms : float, optional
        Record every species count on the grid ``0, dt, 2 dt, ...`` up to ``t_end_ms``.
    t_end_ms : float, optional
        Last grid time; required with ``trace_dt_ms``.
    log : EventLog, optional
        Where reaction events go when its level asks for them.
    watch : mapping of str to int, optional
        Species → group number. Reactions that change a group's summed count append
        ``(t_ms, group, change)`` to the column buffers ``watch_t``, ``watch_g``, ``watch_d``
        (used to follow the open receptors that set a neuron's conductances).
    passive : bool
        Run without a SimPy process of its own: reactions fire only when the state is needed
        (:meth:`catch_up`, which :meth:`count`, :meth:`add`, :meth:`remove`, :meth:`set_rate`
        and :meth:`finish` call first). Exact whenever everything that reads or changes the
        network goes through these methods, and much cheaper when many networks share one
        environment, since none of them has to stop at the others' events.
    mode : {"exact", "hybrid"}
        ``"hybrid"`` leaps the reactions that change only high-copy pools (see
        :mod:`synevent.engine.partition`); watched species are never leaped.
    exact_species : tuple of str
        In hybrid mode, species whose reactions always stay exact, however large their pool
        (receptor and channel states of a synapse).
    """

    def __init__(
        self,
        env: simpy.Environment,
        network: ReactionNetwork,
        rs: RandomStream,
        *,
        name: str = "network",
        trace_dt_ms: float | None = None,
        t_end_ms: float | None = None,
        log=None,
        watch: dict[str, int] | None = None,
        passive: bool = False,
        mode: str = "exact",
        exact_species: tuple[str, ...] = (),
    ) -> None:
        self.mode = check_mode(mode)
        self.env = env
        self.network = network
        self.name = name
        self.rs = rs
        self.x: list[int] = network.initial_state()
        self.c: list[float] = [r.rate_per_ms for r in network.reactions]
        self.c_run: list[float] = self.c  # exact mode: the same list, so set_rate reaches both
        self._react = network.reactant_indices
        self.a: list[float] = self.propensities(self.x)
        self.t = float(env.now)
        self.t_next = math.nan
        self.fired = 0
        # Blocks are lists for the Python loop and arrays for the compiled one (same numbers,
        # drawn in the same order).
        compiled = _kernel.use_compiled()
        self._E = rs.exponential_array() if compiled else rs.exponential_block()
        self._ie = 0
        self._U = rs.uniform_array() if compiled else rs.uniform_block()
        self._iu = 0
        # Grid states: one tuple per point (Python loop, changes from outside) or blocks of rows
        # (the compiled loop); trace_array() joins them.
        self.trace: list[tuple[int, ...] | np.ndarray] = []
        self.trace_append = self.trace.append
        if trace_dt_ms is not None:
            if t_end_ms is None:
                raise ValueError('"t_end_ms" is required with "trace_dt_ms"')
            self.grid_dt = float(trace_dt_ms)
            self.grid_kmax = int(math.floor(t_end_ms / trace_dt_ms + 1e-9))
            self.grid_k = int(math.ceil(self.t / trace_dt_ms - 1e-9))
        else:
            self.grid_dt, self.grid_kmax, self.grid_k = 1.0, -1, 0
        log_reactions = bool(log is not None and log.reactions)
        self.log_reactions = log_reactions
        if log_reactions:
            self.log_t, self.log_j = log.reaction_buffers(name, [r.name for r in network.reactions])
        watched = tuple(sorted((watch or {}).items()))
        for species, _ in watched:
            network.index(species)  # unknown species fail here, not in the generated loop
        self.watch_t: list[float] = []
        self.watch_g: list[int] = []
        self.watch_d: list[int] = []
        self.c_version = 0  # counts changes of rates in place (the compiled loops' cue)
        if compiled:
            loop = CompiledLoop(self, _tables(network, watched))
            self.advance = lambda t_limit: loop.advance(self, t_limit)  # type: ignore[method-assign]
        else:
            self.advance = _compile(network, log_reactions, watched).__get__(self)  # type: ignore[attr-defined]
        self.hybrid: HybridStepper | None = None
        if self.mode == "hybrid":
            for species in exact_species:
                network.index(species)
            protected = tuple(sorted({s for s, _ in watched} | set(exact_species)))
            plan = plan_for(network.structure, network, protected)
            self.hybrid = HybridStepper(self, plan)
            self.c_run = list(self.c)
            self.hybrid.replan(self.t)
            self.a = self.loop_propensities(self.x)
            self._advance_exact = self.advance
            if compiled:
                hloop = CompiledHybridLoop(self, loop, _leap_tables(plan))
                self.advance = lambda t_limit: hloop.advance(self, t_limit)  # type: ignore[method-assign]
            else:
                self.advance = self._advance_hybrid  # type: ignore[method-assign]
        self.passive = passive
        if passive:
            self._waiting = False
        else:
            self._start()

    # -- state access -------------------------------------------------------------------------
    def catch_up(self, t_ms: float | None = None) -> None:
        """Fire the pending reactions up to ``t_ms`` (default ``env.now``) of a passive network."""
        if self.passive:
            self.advance(self.env.now if t_ms is None else t_ms)

    def count(self, species: str) -> int:
        """Current count of ``species``."""
        self.catch_up()
        return self.x[self.network.index(species)]

    def counts(self) -> dict[str, int]:
        """Current counts of every species."""
        self.catch_up()
        return dict(zip(self.network.species, self.x))

    def _advance_hybrid(self, t_limit: float) -> float:
        # Exact reactions up to each scheduled leap, the leap, and so on up to t_limit.
        hy = self.hybrid
        exact = self._advance_exact
        while True:
            tl = hy.t_leap
            # NOTE: t_limit may be inf (env.run() without an end): a leap at inf never comes.
            if tl > t_limit or tl == math.inf:
                return min(exact(t_limit), tl)
            exact(tl)
            hy.step()

    def propensities(self, x: list[int]) -> list[float]:
        """Propensities for state ``x`` with the current rate constants."""
        return self._propensities(x, self.c)

    def loop_propensities(self, x: list[int]) -> list[float]:
        """Propensities of the exact loop (leaped reactions at 0 in hybrid mode)."""
        return self._propensities(x, self.c_run)

    def _propensities(self, x: list[int], c: list[float]) -> list[float]:
        # NOTE: runs at every change from outside (and every leap): species indices are
        # resolved once in __init__, not looked up by name here.
        out = []
        for a, react in zip(c, self._react):
            for i, n in react:
                v = x[i]
                a *= v if n == 1 else v * (v - 1) * 0.5
            out.append(a)
        return out

    def trace_array(self) -> np.ndarray:
        """Recorded grid states, shape (n_grid_points, n_species)."""
        ns = len(self.network.species)
        if not any(isinstance(e, np.ndarray) for e in self.trace):
            return np.asarray(self.trace, dtype=np.int64).reshape(-1, ns)
        return np.concatenate([np.asarray(e, dtype=np.int64).reshape(-1, ns) for e in self.trace])

    # -- changes from other processes ---------------------------------------------------------
    def add(self, species: str, n: int) -> None:
        """Add ``n`` molecules of ``species`` at ``env.now``."""
        self._change(self.network.index(species), int(n))

    def remove(self, species: str, n: int) -> None:
        """Remove ``n`` molecules of ``species`` at ``env.now`` (at most as many as exist)."""
        i = self.network.index(species)
        if n > self.x[i]:
            raise ValueError(f'cannot remove {n} "{species}": only {self.x[i]} present')
        self._change(i, -int(n))

    def set_rate(self, reaction: str, rate_per_ms: float) -> None:
        """Change the stochastic rate constant of ``reaction`` from ``env.now`` on."""
        if not rate_per_ms >= 0 or math.isinf(rate_per_ms):
            raise ValueError(
                f'rate of reaction "{reaction}" must be finite and >= 0, got {rate_per_ms!r}'
            )
        j = self.network.reaction_index(reaction)
        self._sync()
        self.c[j] = float(rate_per_ms)
        self.c_version += 1
        self._restart()

    def set_rates(self, rates: dict[str, float]) -> None:
        """Change several rate constants at once (one redraw)."""
        idx = {}
        for reaction, rate in rates.items():
            if not rate >= 0 or math.isinf(rate):
                raise ValueError(f'rate of reaction "{reaction}" must be finite and >= 0, got {rate!r}')
            idx[self.network.reaction_index(reaction)] = float(rate)
        if all(self.c[j] == r for j, r in idx.items()):
            return
        self._sync()
        for j, r in idx.items():
            self.c[j] = r
        self.c_version += 1
        self._restart()

    def _change(self, i: int, d: int) -> None:
        if d == 0:
            return
        self._sync()
        self.x[i] += d
        self._restart()

    def _fill_grid(self, before: float) -> None:
        # Grid points before `before` get the current state (nothing fired since the last one).
        k, dg, kmax = self.grid_k, self.grid_dt, self.grid_kmax
        state = tuple(self.x)
        while k <= kmax and k * dg < before:
            self.trace_append(state)
            k += 1
        self.grid_k = k

    def _sync(self) -> None:
        # Record grid points before the change with the state they had.
        self.catch_up()
        self._fill_grid(self.env.now)
        self.t = self.env.now
        if self.hybrid is not None:
            self.hybrid.interrupt(self.env.now)

    def _restart(self) -> None:
        if self.hybrid is not None:
            self.hybrid.replan(self.env.now)
        self.a = self.loop_propensities(self.x)
        self.t_next = math.nan
        self.wake()

    def finish(self, t_end_ms: float) -> None:
        """Fill the trace grid up to ``t_end_ms`` with the final state (call after the run)."""
        self.catch_up(t_end_ms)
        self._fill_grid(t_end_ms + 1e-9 * self.grid_dt)
