"""Receptor kinetic schemes as data, and their mean-field (master-equation) solution.

A :class:`ReceptorScheme` lists states and transitions. A transition is one of:

* ``"bind"``: ``source + transmitter -> target`` with ``rate`` in 1/(µM·ms);
* ``"unbind"``: ``source -> target + transmitter`` with ``rate`` in 1/ms;
* ``"conf"``: ``source -> target`` (a conformational change) with ``rate`` in 1/ms.

Statistical factors (two free sites bind twice as fast) are part of the rate, as in the
published schemes. In the synapse, each receptor is a molecule of the cleft's kinetic network,
so binding consumes a free transmitter molecule and unbinding returns it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..engine.checks import ParameterError, check_choice, check_finite, check_nonnegative
from ..engine.network import Reaction, ReactionNetwork, molecules_per_uM

__all__ = ["ReceptorScheme", "Transition"]

KINDS = ("bind", "unbind", "conf")


@dataclass(frozen=True)
class Transition:
    """One transition of a receptor scheme (see module docstring for units)."""

    source: str
    target: str
    rate: float
    kind: str = "conf"

    def __post_init__(self) -> None:
        check_choice("kind", self.kind, KINDS)
        check_nonnegative(f"rate of {self.source}->{self.target}", self.rate)


@dataclass(frozen=True)
class ReceptorScheme:
    """A receptor's kinetic scheme.

    Parameters
    ----------
    name : str
        Short name, used as species prefix (``"AMPA.C0"``) and in the trace columns.
    states : sequence of str
        State names; the first is the unbound resting state.
    transitions : sequence of Transition
    open_states : sequence of str
        Conducting states.
    conductance_pS : float
        Single-channel conductance.
    e_rev_mV : float
        Reversal potential.
    mg_block : bool
        Whether the open channel is blocked by extracellular Mg²⁺ (Jahr & Stevens 1990).
    source : str
        Citation of the scheme and its rates.
    """

    name: str
    states: tuple[str, ...]
    transitions: tuple[Transition, ...]
    open_states: tuple[str, ...]
    conductance_pS: float
    e_rev_mV: float
    mg_block: bool = False
    source: str = ""

    def __post_init__(self) -> None:
        states = tuple(self.states)
        object.__setattr__(self, "states", states)
        object.__setattr__(self, "transitions", tuple(self.transitions))
        object.__setattr__(self, "open_states", tuple(self.open_states))
        if not states:
            raise ParameterError(f'receptor scheme "{self.name}": "states" must not be empty')
        if len(set(states)) != len(states):
            raise ParameterError(f'receptor scheme "{self.name}": state names must be unique')
        known = set(states)
        for k, tr in enumerate(self.transitions):
            for end in (tr.source, tr.target):
                if end not in known:
                    raise ParameterError(
                        f'receptor scheme "{self.name}": transition {k} ({tr.source} -> '
                        f'{tr.target}) names unknown state "{end}"; known states are {list(states)}'
                    )
        for s in self.open_states:
            if s not in known:
                raise ParameterError(
                    f'receptor scheme "{self.name}": open state "{s}" is unknown; '
                    f"known states are {list(states)}"
                )
        check_nonnegative(f'receptor scheme "{self.name}": conductance_pS', self.conductance_pS)
        check_finite(f'receptor scheme "{self.name}": e_rev_mV', self.e_rev_mV)
        self.bound_counts()  # consistency of bind/unbind steps

    def bound_counts(self) -> dict[str, int]:
        """Transmitter molecules bound in each state (checked for consistency)."""
        bound = {self.states[0]: 0}
        changed = True
        while changed:
            changed = False
            for tr in self.transitions:
                step = {"bind": 1, "unbind": -1, "conf": 0}[tr.kind]
                for a, b, d in ((tr.source, tr.target, step), (tr.target, tr.source, -step)):
                    if a in bound:
                        want = bound[a] + d
                        if b not in bound:
                            bound[b] = want
                            changed = True
                        elif bound[b] != want:
                            raise ParameterError(
                                f'receptor scheme "{self.name}": state "{b}" would hold both '
                                f"{bound[b]} and {want} transmitter molecules"
                            )
        for s in self.states:
            if s not in bound:
                raise ParameterError(
                    f'receptor scheme "{self.name}": state "{s}" is not reachable from "{self.states[0]}"'
                )
            if bound[s] < 0:
                raise ParameterError(
                    f'receptor scheme "{self.name}": state "{s}" would hold {bound[s]} molecules'
                )
        return bound

    def species(self) -> list[str]:
        """Species names of the states in the cleft network."""
        return [f"{self.name}.{s}" for s in self.states]

    def network(self, transmitter: str, n_receptors: int, volume_L: float) -> ReactionNetwork:
        """The scheme as reactions on ``transmitter`` in a compartment of ``volume_L``."""
        n_per_uM = molecules_per_uM(volume_L)
        reactions = []
        for tr in self.transitions:
            src, dst = f"{self.name}.{tr.source}", f"{self.name}.{tr.target}"
            rname = f"{self.name}:{tr.source}->{tr.target}"
            if tr.kind == "bind":
                reactions.append(
                    Reaction(rname, {src: 1, transmitter: 1}, {dst: 1}, tr.rate / n_per_uM)
                )
            elif tr.kind == "unbind":
                reactions.append(Reaction(rname, {src: 1}, {dst: 1, transmitter: 1}, tr.rate))
            else:
                reactions.append(Reaction(rname, {src: 1}, {dst: 1}, tr.rate))
        return ReactionNetwork(
            tuple(self.species()) + (transmitter,),
            tuple(reactions),
            {f"{self.name}.{self.states[0]}": n_receptors},
            volume_L,
        )

    def clamped_network(self, n_receptors: int, conc_uM: float) -> ReactionNetwork:
        """The scheme under a held transmitter concentration (e.g. fast perfusion of a patch).

        Binding is pseudo-first-order at ``kon * conc_uM`` and does not consume transmitter;
        change the concentration during a run with :meth:`ExactNetwork.set_rate` on the
        reactions named in :meth:`binding_reactions` (rate ``kon * C``).
        """
        check_nonnegative("conc_uM", conc_uM)
        reactions = []
        for tr in self.transitions:
            rate = tr.rate * conc_uM if tr.kind == "bind" else tr.rate
            reactions.append(
                Reaction(
                    f"{self.name}:{tr.source}->{tr.target}",
                    {f"{self.name}.{tr.source}": 1},
                    {f"{self.name}.{tr.target}": 1},
                    rate,
                )
            )
        return ReactionNetwork(
            tuple(self.species()), tuple(reactions), {f"{self.name}.{self.states[0]}": n_receptors}
        )

    def binding_reactions(self) -> dict[str, float]:
        """Names of the binding reactions of :meth:`clamped_network` and their kon (1/(µM·ms))."""
        return {
            f"{self.name}:{tr.source}->{tr.target}": tr.rate
            for tr in self.transitions
            if tr.kind == "bind"
        }

    # -- mean field -------------------------------------------------------------------------
    def rate_matrices(self) -> tuple[np.ndarray, np.ndarray]:
        """``(Q0, Q1)`` with the generator ``Q(C) = Q0 + C·Q1`` for transmitter ``C`` in µM."""
        idx = {s: i for i, s in enumerate(self.states)}
        n = len(self.states)
        q0 = np.zeros((n, n))
        q1 = np.zeros((n, n))
        for tr in self.transitions:
            q = q1 if tr.kind == "bind" else q0
            i, j = idx[tr.source], idx[tr.target]
            q[i, j] += tr.rate
            q[i, i] -= tr.rate
        return q0, q1

    def occupancy(
        self,
        conc_uM: Callable[[float], float],
        t_ms: Sequence[float],
        *,
        max_step_ms: float = 0.01,
    ) -> np.ndarray:
        """State occupancies of one receptor under a prescribed transmitter time course.

        Solves the master equation ``dp/dt = p·Q(C(t))`` from the resting state with scipy's
        LSODA; rows of the result are times, columns states.
        """
        from scipy.integrate import solve_ivp

        q0, q1 = self.rate_matrices()
        p0 = np.zeros(len(self.states))
        p0[0] = 1.0
        t = np.asarray(t_ms, dtype=float)
        sol = solve_ivp(
            lambda tt, p: p @ (q0 + conc_uM(tt) * q1),
            (float(t[0]), float(t[-1])),
            p0,
            method="LSODA",
            t_eval=t,
            rtol=1e-9,
            atol=1e-12,
            max_step=max_step_ms,
        )
        return sol.y.T

    def open_probability(self, conc_uM: Callable[[float], float], t_ms: Sequence[float]) -> np.ndarray:
        """Mean open fraction of the scheme under ``conc_uM(t)`` (see :meth:`occupancy`)."""
        occ = self.occupancy(conc_uM, t_ms)
        cols = [self.states.index(s) for s in self.open_states]
        return occ[:, cols].sum(axis=1)
