"""Compiled reaction loops (numba, optional): which loop runs, and the exact loop's Python side.

The generated Python loop (:mod:`synevent.engine.codegen`) costs about a microsecond per
reaction event; a circuit of 100 synapses fires millions of events per simulated second, most of
them receptors flickering between closed and desensitised states. With numba installed
(``pip install "synevent[fast]"``) the same loop runs compiled
(:func:`synevent.engine.loops.direct_advance`): the same random numbers in the same order,
propensities computed and summed in the same order, and the reaction chosen by the same
comparisons, so a network gives bit for bit the same events with either loop
(``tests/test_kernel.py``). The environment variable ``SYNEVENT_KERNEL`` (``auto``, ``python``
or ``numba``) chooses; the Python loop stays the reference and the fallback.

The compiled loop stops and hands back to Python whenever it needs something only Python has: a
fresh block of random numbers (drawn from the run's generator at exactly the moment the Python
loop draws it, so every other use of the generator keeps its place) or room in its buffers of
grid rows, log and watch entries. :class:`CompiledLoop` is that Python side.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import warnings

import numpy as np

from . import loops
from .checks import ParameterError
from .loops import DONE, NEED_E, NEED_U
from .network import ReactionNetwork

__all__ = ["BUFFER", "KERNEL", "CompiledLoop", "KernelTables", "available", "kernel_name",
           "use_compiled"]

# numba is an optional extra, imported only when a compiled loop is first needed (importing it
# costs about 0.2 s, which a run on the Python loop, or the command line, should not pay).
_HAS_NUMBA = importlib.util.find_spec("numba") is not None

#: Room in the compiled loop's event and grid buffers before it hands them to Python.
BUFFER = 4096
#: Entries of the exact loop's integer state ``iv`` (the hybrid loop appends its own).
EXACT_IV = 8
IV_SIZE = 12


def _choice() -> str:
    choice = os.environ.get("SYNEVENT_KERNEL", "auto").strip().lower()
    if choice not in ("auto", "numba", "python"):
        raise ParameterError(
            f'SYNEVENT_KERNEL must be "auto", "numba" or "python", got {choice!r}')
    return choice


def available() -> bool:
    """True when numba is installed and ``SYNEVENT_KERNEL`` does not ask for the Python loop.

    Raises :class:`ParameterError` for a value of ``SYNEVENT_KERNEL`` that is not allowed, or
    ``numba`` without numba installed.
    """
    choice = _choice()
    if choice == "numba" and not _HAS_NUMBA:
        raise ParameterError(
            'SYNEVENT_KERNEL is "numba" but numba is not installed: pip install "synevent[fast]"')
    return _HAS_NUMBA and choice != "python"


def _initial() -> str:
    # A bad SYNEVENT_KERNEL must not make `import synevent` fail with a traceback: it is
    # refused with its message when a first network is built (use_compiled), and up front by
    # the command line.
    try:
        return "numba" if available() else "python"
    except ParameterError:
        return "unchecked"


#: The loop networks use: ``"numba"`` or ``"python"`` (chosen at import; see :func:`use_compiled`).
KERNEL = _initial()


def use_compiled() -> bool:
    """Whether to build compiled loops now; compiles them (or loads them from cache) once.

    A numba that is installed but does not import (one built for another numpy, say) leaves
    the Python loops in use, with a warning, unless ``SYNEVENT_KERNEL=numba`` asked for it.
    """
    global KERNEL
    if KERNEL == "unchecked":
        available()  # raises with the message
    if KERNEL != "numba":
        return False
    try:
        loops.compile_loops()
    except ImportError as exc:
        if _choice() == "numba":
            raise
        warnings.warn(f"numba is installed but does not import ({exc}); the Python loops run",
                      RuntimeWarning, stacklevel=2)
        KERNEL = "python"
        return False
    return True


def kernel_name() -> str:
    """The loop in use, for provenance: ``"numba <version>"`` or ``"python"``."""
    return f"numba {importlib.metadata.version('numba')}" if KERNEL == "numba" else "python"


class KernelTables:
    """A network's reactants, changes, dependencies and watched groups as flat arrays.

    Attributes
    ----------
    first, second : ndarray of int64
        Reactant columns (-1 for none); ``pair`` marks two identical reactants.
    dptr, didx, dval : ndarray of int64
        Species changes of reaction ``j``: ``didx[dptr[j]:dptr[j+1]]`` by ``dval[...]``.
    eptr, eidx : ndarray of int64
        Propensities to recompute after reaction ``j`` (those whose reactants it changes).
    wptr, wgrp, wdel : ndarray of int64
        Watched groups whose summed count reaction ``j`` changes, and by how much.
    """

    def __init__(self, net: ReactionNetwork, watch: tuple[tuple[str, int], ...] = ()) -> None:
        nr = len(net.reactions)
        self.first = np.full(nr, -1, dtype=np.int64)
        self.second = np.full(nr, -1, dtype=np.int64)
        self.pair = np.zeros(nr, dtype=np.int64)
        dptr, didx, dval = [0], [], []
        eptr, eidx = [0], []
        wptr, wgrp, wdel = [0], [], []
        groups = dict(watch)
        for j, r in enumerate(net.reactions):
            for s, n in r.reactants.items():
                i = net.index(s)
                if n == 2:
                    self.first[j] = i
                    self.pair[j] = 1
                elif self.first[j] < 0:
                    self.first[j] = i
                else:
                    self.second[j] = i
            delta = r.delta()
            for s, d in delta.items():
                didx.append(net.index(s))
                dval.append(d)
            dptr.append(len(didx))
            changed = set(delta)
            eidx += [k for k, rk in enumerate(net.reactions) if changed & set(rk.reactants)]
            eptr.append(len(eidx))
            change: dict[int, int] = {}
            for s, d in delta.items():
                if s in groups:
                    change[groups[s]] = change.get(groups[s], 0) + d
            for grp, d in change.items():
                if d:
                    wgrp.append(grp)
                    wdel.append(d)
            wptr.append(len(wgrp))
        as_i64 = lambda v: np.asarray(v, dtype=np.int64)  # noqa: E731
        self.dptr, self.didx, self.dval = as_i64(dptr), as_i64(didx), as_i64(dval)
        self.eptr, self.eidx = as_i64(eptr), as_i64(eidx)
        self.wptr, self.wgrp, self.wdel = as_i64(wptr), as_i64(wgrp), as_i64(wdel)
        self.max_watch = int(max(np.diff(self.wptr), default=0))


class CompiledLoop:
    """The compiled loop bound to one :class:`~synevent.engine.ssa.ExactNetwork`.

    :meth:`advance` has the contract of the generated ``advance(sim, t_limit)``: the network's
    state stays in its Python lists between calls (everything else in the package reads and
    changes them there), and is copied into arrays for the loop.
    """

    def __init__(self, sim, tables: KernelTables) -> None:
        self.tab = tables
        self.fs = np.zeros(4)
        self.iv = np.zeros(IV_SIZE, dtype=np.int64)
        self.log = bool(sim.log_reactions)
        self.lt = np.empty(BUFFER if self.log else 0)
        self.lj = np.empty(BUFFER if self.log else 0, dtype=np.int32)
        n_watch = BUFFER if tables.max_watch else 0
        self.wt = np.empty(n_watch)
        self.wg = np.empty(n_watch, dtype=np.int64)
        self.wd = np.empty(n_watch, dtype=np.int64)
        # Grid rows: a trace of a few points (a circuit's synapses) needs no room at all.
        n_grid = min(BUFFER, max(sim.grid_kmax - sim.grid_k + 1, 0))
        self.gb = np.empty((n_grid, len(sim.x)), dtype=np.int64)
        self.c_list = None
        self.c_version = -1
        self.c_arr = np.empty(0)
        tab = tables
        self.static = (tab.first, tab.second, tab.pair, tab.dptr, tab.didx, tab.dval, tab.eptr,
                       tab.eidx, tab.wptr, tab.wgrp, tab.wdel)
        self.buffers = (self.gb, self.lt, self.lj, self.wt, self.wg, self.wd, self.log,
                        tab.max_watch)

    def rates(self, sim) -> np.ndarray:
        """The exact loop's rates as an array (rebuilt only when they changed)."""
        if sim.c_run is not self.c_list or sim.c_version != self.c_version:
            # set_rate changes the rate list in place, so identity alone is not enough
            self.c_list = sim.c_run
            self.c_version = sim.c_version
            self.c_arr = np.array(sim.c_run, dtype=np.float64)
        return self.c_arr

    def load(self, sim, t_limit: float) -> None:
        """Copy the network's scalars into ``fs`` and ``iv``."""
        self.fs[:] = (sim.t, sim.t_next, t_limit, sim.grid_dt)
        self.iv[:EXACT_IV] = (sim._ie, sim._iu, sim.fired, 0, 0, sim.grid_k, sim.grid_kmax, 0)

    def serve(self, sim, status: int) -> None:
        """Give the loop what it stopped for: a random block or room in a buffer."""
        iv = self.iv
        if status == NEED_U:
            sim._U = sim.rs.uniform_array()
            iv[1] = 0
        elif status == NEED_E:
            sim._E = sim.rs.exponential_array()
            iv[0] = 0
        else:
            self.flush(sim)

    def flush(self, sim) -> None:
        """Move buffered grid rows, log and watch entries to the network's Python buffers."""
        iv = self.iv
        nl, nw, ng = int(iv[3]), int(iv[4]), int(iv[7])
        if ng:
            sim.trace_append(self.gb[:ng].copy())
        if nl:
            sim.log_t.frombytes(self.lt[:nl].tobytes())
            sim.log_j.frombytes(self.lj[:nl].tobytes())
        if nw:
            sim.watch_t.extend(self.wt[:nw].tolist())
            sim.watch_g.extend(self.wg[:nw].tolist())
            sim.watch_d.extend(self.wd[:nw].tolist())
        iv[3] = iv[4] = iv[7] = 0

    def store(self, sim, x: np.ndarray, a: np.ndarray) -> None:
        """Write the state back to the network's Python objects."""
        iv = self.iv
        if iv[3] or iv[4] or iv[7]:
            self.flush(sim)
        sim.x = x.tolist()
        sim.a = a.tolist()
        sim.t, sim.t_next, _, _ = self.fs.tolist()
        sim._ie, sim._iu, sim.fired, _, _, sim.grid_k = iv[:6].tolist()

    def advance(self, sim, t_limit: float) -> float:
        # NOTE: called once per network and membrane update (tens of thousands of times in a
        # circuit second): the Python work around the compiled call is kept to a minimum.
        c = self.rates(sim)
        x = np.array(sim.x, dtype=np.int64)
        a = np.array(sim.a, dtype=np.float64)
        self.load(sim, t_limit)
        fs, iv = self.fs, self.iv
        while True:
            status = loops.direct_advance(x, a, c, *self.static, fs, iv, sim._E, sim._U, *self.buffers)
            if status == DONE:
                break
            self.serve(sim, status)
        self.store(sim, x, a)
        return sim.t_next
