"""Run a user-defined reaction network on its own: many trajectories, traces on a grid."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import simpy

from .engine import kernel as _kernel
from .engine.batch import run_direct_batch
from .engine.checks import ParameterError, check_count, check_grid, check_positive
from .engine.log import EventLog, LogLevel
from .engine.modes import check_mode
from .engine.network import ReactionNetwork
from .engine.pools import run_pools
from .engine.random import RandomStream, child_seeds, make_seed_sequence
from .engine.ssa import ExactNetwork

__all__ = ["NetworkRun", "simulate_network"]

# Below this many trajectories the per-event scalar loop is cheaper than the batched one (whose
# cost per event index does not depend on the batch size); both give identical trajectories.
_BATCH_MIN = 64


@dataclass
class NetworkRun:
    """Trajectories of one network.

    Attributes
    ----------
    network : ReactionNetwork
    t_ms : ndarray
        The output grid.
    counts : ndarray, shape (n_trajectories, n_grid, n_species)
        int64 in exact mode; float64 in hybrid mode, where high-copy pools are amounts.
    reactions_fired : ndarray
        Reaction events per trajectory.
    events : list of DataFrame or None
        Per-trajectory reaction logs when ``log_level="reaction"``.
    """

    network: ReactionNetwork
    t_ms: np.ndarray
    counts: np.ndarray
    reactions_fired: np.ndarray
    events: list[pd.DataFrame] | None = None

    def species(self, name: str) -> np.ndarray:
        """Counts of one species, shape (n_trajectories, n_grid)."""
        return self.counts[:, :, self.network.index(name)]

    def to_frame(self) -> pd.DataFrame:
        """Tidy table: one row per trajectory and grid time, one column per species."""
        n, g, s = self.counts.shape
        df = pd.DataFrame(self.counts.reshape(n * g, s), columns=list(self.network.species))
        df.insert(0, "t_ms", np.tile(self.t_ms, n))
        df.insert(0, "replicate", np.repeat(np.arange(n), g))
        return df


def _check_exact_species(network: ReactionNetwork, names: object) -> tuple[str, ...]:
    """``exact_species`` as a tuple of the network's species names, or a ParameterError."""
    if isinstance(names, (str, bytes)) or not isinstance(names, (tuple, list, set, frozenset)):
        raise ParameterError(f'"exact_species" must be a sequence of species names, got '
                             f'{names!r}; the network\'s species are {list(network.species)}')
    unknown = [s for s in names if s not in network.species]
    if unknown:
        raise ParameterError(f'"exact_species" names unknown species {unknown}; the network\'s '
                             f'species are {list(network.species)}')
    return tuple(names)


def simulate_network(
    network: ReactionNetwork,
    *,
    t_end_ms: float,
    dt_out_ms: float,
    n_trajectories: int = 1,
    seed: int | np.random.SeedSequence | None = None,
    log_level: LogLevel | str = LogLevel.VESICLE,
    mode: str = "exact",
    exact_species: tuple[str, ...] = (),
) -> NetworkRun:
    """Simulate ``network`` ``n_trajectories`` times.

    Parameters
    ----------
    network : ReactionNetwork
    t_end_ms, dt_out_ms : float
        End time and output grid step.
    n_trajectories : int
    seed : int or SeedSequence, optional
        Trajectory ``i`` runs on the child of ``seed`` with spawn key ``(*seed.spawn_key, i)``,
        whatever children were spawned from a ``SeedSequence`` before: the same seed gives the
        same trajectories every time. Do not also use children of the same ``SeedSequence`` for
        other draws; give those another branch of its tree.
    log_level : LogLevel or str
        ``"reaction"`` keeps every reaction event of every trajectory.
    mode : {"exact", "hybrid"}
        ``"exact"``: Gillespie's direct method, every reaction drawn. ``"hybrid"``: high-copy
        pools (free transmitter, large transporter and enzyme pools) follow the rate equations
        plus each trajectory's own exchange with the exact reactions, which stay exact (see
        :mod:`synevent.engine.pools` and ``docs/background/hybrid.md``).
    exact_species : tuple of str
        In hybrid mode, species that stay exact whatever their pool size (for example the
        states of a large receptor population). The names are checked in either mode.

    In exact mode trajectory ``i`` uses the ``i``-th child of the seed's ``SeedSequence``, so
    its numbers depend only on the seed and its index. Without compiled loops (numba, see
    ``docs/how-to/speed.md``), many trajectories without reaction logs are advanced together
    with numpy (:func:`~synevent.engine.batch.run_direct_batch`), which gives the same
    trajectories as one at a time. In hybrid mode one generator, from the seed, serves the
    trajectories one after the other: trajectory ``i`` depends on the seed and ``i``, and is
    the same with or without compiled loops.
    """
    t_end = check_positive("t_end_ms", t_end_ms)
    dt = check_grid("dt_out_ms", dt_out_ms, "t_end_ms", t_end)
    n = check_count("n_trajectories", n_trajectories, minimum=1)
    level = LogLevel.parse(log_level)
    mode = check_mode(mode)
    exact_species = _check_exact_species(network, exact_species)
    n_grid = int(np.floor(t_end / dt + 1e-9)) + 1
    # The compiled loop beats the numpy batch per trajectory (0.8 ms against 1.4 ms on the
    # canonical cleft network, docs/benchmarks.md), so batching is for the Python loops only.
    batch = (n >= _BATCH_MIN and level < LogLevel.REACTION and bool(network.reactions)
             and not _kernel.use_compiled())
    if mode == "hybrid":
        if level >= LogLevel.REACTION:
            raise ParameterError(
                'log_level "reaction" needs mode "exact" in simulate_network, got mode '
                '"hybrid": its pools are amounts that follow rate equations, not logged events')
        gen = np.random.Generator(np.random.PCG64(make_seed_sequence(seed)))
        counts, fired = run_pools(network, gen, n, t_end_ms=t_end, dt_out_ms=dt,
                                  exact_species=exact_species)
        return NetworkRun(network, np.arange(n_grid) * dt, counts, fired, None)
    children = child_seeds(seed, n)
    if batch:
        counts, fired = run_direct_batch(
            network, [RandomStream(c) for c in children], t_end_ms=t_end, dt_out_ms=dt
        )
        return NetworkRun(network, np.arange(n_grid) * dt, counts, fired, None)
    counts = np.empty((n, n_grid, len(network.species)), dtype=np.int64)
    fired = np.empty(n, dtype=np.int64)
    logs: list[pd.DataFrame] | None = [] if level >= LogLevel.REACTION else None
    for i, child in enumerate(children):
        log = EventLog(level) if logs is not None else None
        # Nothing else acts on the network, so it needs no SimPy process of its own: passive,
        # it fires every reaction up to t_end in one call of its loop (the same events).
        sim = ExactNetwork(
            simpy.Environment(), network, RandomStream(child), name="network", trace_dt_ms=dt,
            t_end_ms=t_end, log=log, passive=True,
        )
        sim.finish(t_end)
        counts[i] = sim.trace_array()
        fired[i] = sim.fired
        if logs is not None and log is not None:
            logs.append(log.to_frame())
    return NetworkRun(network, np.arange(n_grid) * dt, counts, fired, logs)
