"""Independent solvers for small reaction networks: rate equations and the master equation.

Both read a :class:`ReactionNetwork` as data and share no code with the exact simulator, so they
can check it:

* :func:`rate_equations` integrates the deterministic mass-action ODE of the expected counts
  (the large-number limit; for networks with bimolecular steps the exact mean differs from it
  by terms of order of the count fluctuations);
* :func:`master_equation_mean` solves the chemical master equation on the reachable state
  space (exact for any network, feasible for a few thousand states).

Rate constants may change at given times (``segments``), as transmitter pulses do in a
concentration-clamp protocol.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy.integrate import solve_ivp

from .checks import ParameterError
from .network import ReactionNetwork

__all__ = ["master_equation_mean", "rate_equations"]

Segments = Sequence[tuple[float, Mapping[str, float]]]


def _rate_table(net: ReactionNetwork, segments: Segments) -> list[tuple[float, np.ndarray]]:
    """Rate vectors in force from each segment start (overrides accumulate over segments)."""
    rates = np.array([r.rate_per_ms for r in net.reactions], dtype=float)
    out = []
    last = -np.inf
    for t0, changes in segments:
        if t0 < last:
            raise ParameterError(f'"segments" must be in time order, got {t0!r} after {last!r}')
        last = t0
        rates = rates.copy()
        for name, value in changes.items():
            rates[net.reaction_index(name)] = value
        out.append((float(t0), rates))
    return out


def _pieces(t: np.ndarray, table, base: np.ndarray):
    """(t_start, t_end, rates) pieces covering ``[t[0], t[-1]]``."""
    edges = sorted({float(t[0]), float(t[-1])} | {t0 for t0, _ in table if t[0] < t0 < t[-1]})
    for a, b in zip(edges[:-1], edges[1:]):
        rates = base
        for t0, r in table:
            if t0 <= a:
                rates = r
        yield a, b, rates


def rate_equations(
    network: ReactionNetwork, t_ms: Sequence[float], segments: Segments = ()
) -> np.ndarray:
    """Mass-action rate equations of the expected counts from the initial counts.

    Parameters
    ----------
    network : ReactionNetwork
        Stochastic rate constants as in the exact simulation (propensity ``c·x·y``; two
        identical reactants ``c·x²/2`` in this limit).
    t_ms : sequence of float
        Output times, increasing; the first is the start.
    segments : sequence of (t_ms, {reaction: rate_per_ms})
        Rate constants replaced from each time on.

    Returns
    -------
    ndarray, shape (len(t_ms), n_species)
    """
    net = network
    t = np.asarray(t_ms, dtype=float)
    base = np.array([r.rate_per_ms for r in net.reactions], dtype=float)
    table = _rate_table(net, segments)
    stoich = np.zeros((len(net.reactions), len(net.species)))
    reactants = []
    for j, r in enumerate(net.reactions):
        for s, d in r.delta().items():
            stoich[j, net.index(s)] = d
        reactants.append([(net.index(s), n) for s, n in r.reactants.items()])

    def rhs(_t: float, x: np.ndarray, c: np.ndarray) -> np.ndarray:
        a = c.copy()
        for j, rs in enumerate(reactants):
            for i, n in rs:
                a[j] *= x[i] if n == 1 else 0.5 * x[i] * x[i]
        return a @ stoich

    out = np.empty((t.size, len(net.species)))
    x = np.asarray(net.initial_state(), dtype=float)
    out[0] = x
    for a, b, c in _pieces(t, table, base):
        inside = (t > a) & (t <= b)
        sol = solve_ivp(rhs, (a, b), x, args=(c,), method="LSODA", rtol=1e-8, atol=1e-10,
                        t_eval=t[inside] if inside.any() else None, max_step=max(b - a, 1e-9) / 4)
        if inside.any():
            out[inside] = sol.y.T[-inside.sum():]
        x = sol.y[:, -1]
    return out


def master_equation_mean(
    network: ReactionNetwork,
    t_ms: Sequence[float],
    segments: Segments = (),
    *,
    max_states: int = 200_000,
) -> np.ndarray:
    """Expected counts from the chemical master equation on the reachable state space.

    Species that are never reactants (sinks such as escaped transmitter) change no propensity;
    they are left out of the state, which keeps it small, and their columns are ``nan``.
    Returns an array like :func:`rate_equations`.
    """
    from scipy.sparse import csr_matrix
    from scipy.sparse.linalg import expm_multiply

    net = network
    t = np.asarray(t_ms, dtype=float)
    used = sorted({net.index(s) for r in net.reactions for s in r.reactants})
    pos = {i: k for k, i in enumerate(used)}
    x0 = tuple(net.initial_state()[i] for i in used)
    moves = []
    for r in net.reactions:
        need = [(pos[net.index(s)], n) for s, n in r.reactants.items()]
        d = [(pos[net.index(s)], v) for s, v in r.delta().items() if net.index(s) in pos]
        moves.append((need, d))

    def step(x: tuple[int, ...], d) -> tuple[int, ...]:
        y = list(x)
        for i, v in d:
            y[i] += v
        return tuple(y)

    # Breadth-first enumeration of the states reachable through any reaction.
    index = {x0: 0}
    states = [x0]
    k = 0
    while k < len(states):
        x = states[k]
        k += 1
        for need, d in moves:
            if all(x[i] >= n for i, n in need):
                y = step(x, d)
                if y not in index:
                    if len(states) >= max_states:
                        raise ParameterError(
                            f'the master equation needs more than "max_states" = {max_states} states'
                        )
                    index[y] = len(states)
                    states.append(y)
    X = np.asarray(states, dtype=float)
    n_st = len(states)
    # Per reaction: propensity without its constant in every state, and the state it leads to.
    props, targets = [], []
    for need, d in moves:
        p = np.ones(n_st)
        for i, n in need:
            p *= X[:, i] if n == 1 else X[:, i] * (X[:, i] - 1) * 0.5
        nz = np.nonzero(p)[0]
        props.append((nz, p[nz]))
        targets.append(np.array([index[step(states[s], d)] for s in nz], dtype=np.int64))

    def generator(c: np.ndarray):
        rows, cols, vals = [], [], []
        for j, ((nz, a), tgt) in enumerate(zip(props, targets)):
            if c[j] == 0 or nz.size == 0:
                continue
            rows += [tgt, nz]
            cols += [nz, nz]
            vals += [c[j] * a, -c[j] * a]
        if not rows:
            return csr_matrix((n_st, n_st))
        # Column-stochastic generator: dp/dt = Q p.
        return csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                          shape=(n_st, n_st))

    base = np.array([r.rate_per_ms for r in net.reactions], dtype=float)
    out = np.full((t.size, len(net.species)), np.nan)
    prob = np.zeros(n_st)
    prob[0] = 1.0
    out[0, used] = X[0]
    for a, b, c in _pieces(t, _rate_table(net, segments), base):
        Q = generator(c)
        t_prev = a
        for i_out in np.nonzero((t > a) & (t <= b))[0]:
            prob = expm_multiply(Q * (t[i_out] - t_prev), prob)
            t_prev = t[i_out]
            out[i_out, used] = prob @ X
        if b > t_prev:
            prob = expm_multiply(Q * (b - t_prev), prob)
    return out
