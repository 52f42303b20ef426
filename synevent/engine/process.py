"""The pattern shared by every exact component: advance internally, sleep, wake on change.

A component holds a stochastic state whose next event it can compute. Nothing outside it can act
before the next event in SimPy's queue, so :meth:`advance` may fire every internal event up to
``env.peek()`` without yielding. It then sleeps until its own next event. Another component that
changes it calls :meth:`wake`, which interrupts the sleep so the pending event time is redrawn
from the new state (exact, since waiting times of Markov jump processes are memoryless).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import simpy

__all__ = ["ExactProcess"]


class ExactProcess:
    """Base class: subclasses implement :meth:`advance`."""

    env: simpy.Environment

    def _start(self) -> None:
        self._waiting = False
        self._interrupted = False
        self.process = self.env.process(self._run())

    def advance(self, t_limit: float) -> float:
        """Fire internal events up to ``t_limit``; return the time of the next one (or inf)."""
        raise NotImplementedError

    def wake(self) -> None:
        """Make the component re-plan at ``env.now`` (call after changing its state)."""
        if self._waiting and not self._interrupted:
            self._interrupted = True
            self.process.interrupt()

    def _run(self) -> Iterator[simpy.Event]:
        env = self.env
        advance = self.advance
        while True:
            tn = advance(env.peek())
            self._waiting = True
            try:
                if tn == math.inf:
                    yield env.event()  # idle until woken
                else:
                    yield env.timeout(tn - env.now)
            except simpy.Interrupt:
                pass
            self._waiting = False
            self._interrupted = False
