"""Generates the inner loop of the exact (direct-method) simulator for one network.

The generated function keeps species counts and propensities in local variables, updates only
the propensities a reaction can change (a dependency graph resolved at generation time) and
selects the firing reaction with an unrolled comparison chain. This is plain Python produced
from the network's own data; it is several times faster than a generic loop over lists, because
CPython's local-variable access is its cheapest operation.
"""

from __future__ import annotations

from .network import ReactionNetwork

__all__ = ["generate_advance"]


def _propensity_expr(net: ReactionNetwork, j: int) -> str:
    r = net.reactions[j]
    terms = [f"c{j}"]
    for s, n in r.reactants.items():
        i = net.index(s)
        if n == 1:
            terms.append(f"x{i}")
        else:  # two identical reactants: distinct pairs
            terms.append(f"x{i} * (x{i} - 1) * 0.5")
    return " * ".join(terms)


def generate_advance(
    net: ReactionNetwork, *, log_reactions: bool, watch: tuple[tuple[str, int], ...] = ()
) -> str:
    """Python source of ``advance(sim, t_limit)`` for ``net``.

    The function fires every reaction with time ``<= t_limit``, records the state on the trace
    grid at every grid point ``< t_limit`` and stores the pending next reaction time back on
    ``sim``. ``sim`` must provide ``x``, ``a``, ``c``, ``t``, ``t_next``, the random blocks and
    trace attributes set up by :class:`~synevent.engine.ssa.ExactNetwork`.

    ``watch`` pairs species with group numbers: every reaction that changes the summed count of
    a group appends ``(t, group, change)`` to ``sim.watch_t``, ``sim.watch_g`` and
    ``sim.watch_d`` (how a neuron learns, without polling, when its conductances change).
    """
    groups: dict[str, int] = dict(watch)
    ns = len(net.species)
    nr = len(net.reactions)
    xs = ", ".join(f"x{i}" for i in range(ns))
    as_ = ", ".join(f"a{j}" for j in range(nr))
    cs = ", ".join(f"c{j}" for j in range(nr))
    tup = "(" + xs + ("," if ns == 1 else "") + ")"
    # Reactions whose propensity depends on species changed by reaction j.
    deps: list[list[int]] = []
    for r in net.reactions:
        changed = set(r.delta())
        deps.append([k for k, rk in enumerate(net.reactions) if changed & set(rk.reactants)])

    L: list[str] = []
    w = L.append
    w("def advance(sim, t_limit):")
    w(f"    {xs}{',' if ns == 1 else ''} = sim.x")
    if nr:
        w(f"    {as_}{',' if nr == 1 else ''} = sim.a")
        # c_run: the rates the exact loop uses (in hybrid mode, leaped reactions have 0 here)
        w(f"    {cs}{',' if nr == 1 else ''} = sim.c_run")
    w("    t = sim.t")
    w("    E = sim._E; ie = sim._ie; U = sim._U; iu = sim._iu; NB = len(E)")
    w("    rs = sim.rs")
    w("    k = sim.grid_k; dg = sim.grid_dt; kmax = sim.grid_kmax; rec = sim.trace_append")
    w("    g = k * dg if k <= kmax else INF")
    w("    nf = sim.fired")
    if log_reactions:
        w("    lt = sim.log_t.append; lj = sim.log_j.append")
    if groups:
        w("    wt = sim.watch_t.append; wg = sim.watch_g.append; wd = sim.watch_d.append")
    w("    tn = sim.t_next")
    w("    if tn != tn:")
    _emit_draw(w, nr, indent="        ")
    w("    while True:")
    w("        while g < tn and g < t_limit:")
    w(f"            rec({tup})")
    w("            k += 1")
    w("            g = k * dg if k <= kmax else INF")
    # NOTE: tn == INF with nothing else scheduled (t_limit also INF) must stop, not fire.
    w("        if tn > t_limit or tn == INF:")
    w("            break")
    w("        t = tn")
    w("        if iu == NB:")
    w("            U = rs.uniform_block(); iu = 0")
    if nr:
        w(f"        r = U[iu] * ({' + '.join(f'a{j}' for j in range(nr))})")
    w("        iu += 1")
    w("        nf += 1")
    for j, r in enumerate(net.reactions):
        if j == 0:
            cond = "if r < a0:" if nr > 1 else "if True:"
            w("        acc = a0")
            w(f"        {cond}")
        elif j < nr - 1:
            w(f"        elif r < (acc := acc + a{j}):")
        else:
            # A reaction with zero propensity is never chosen: acc is summed in the same order
            # as the total and U < 1, so r < total and r < acc fails across a zero term.
            w("        else:")
        for s, d in r.delta().items():
            i = net.index(s)
            w(f"            x{i} {'+' if d > 0 else '-'}= {abs(d)}")
        for kk in deps[j]:
            w(f"            a{kk} = {_propensity_expr(net, kk)}")
        if log_reactions:
            w(f"            lt(t); lj({j})")
        change: dict[int, int] = {}
        for s, d in r.delta().items():
            if s in groups:
                change[groups[s]] = change.get(groups[s], 0) + d
        for grp, d in change.items():
            if d:
                w(f"            wt(t); wg({grp}); wd({d})")
    _emit_draw(w, nr, indent="        ")
    w(f"    sim.x = [{xs}]")
    if nr:
        w(f"    sim.a = [{as_}]")
    w("    sim.t = t; sim.t_next = tn; sim.fired = nf; sim.grid_k = k")
    w("    sim._E = E; sim._ie = ie; sim._U = U; sim._iu = iu")
    w("    return tn")
    return "\n".join(L) + "\n"


def _emit_draw(w, nr: int, indent: str) -> None:
    total = " + ".join(f"a{j}" for j in range(nr)) if nr else "0.0"
    w(f"{indent}s = {total}")
    w(f"{indent}if s > 0.0:")
    w(f"{indent}    if ie == NB:")
    w(f"{indent}        E = rs.exponential_block(); ie = 0; NB = len(E)")
    w(f"{indent}    tn = t + E[ie] / s")
    w(f"{indent}    ie += 1")
    w(f"{indent}else:")
    w(f"{indent}    tn = INF")
