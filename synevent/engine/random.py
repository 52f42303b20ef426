"""One random stream per run, derived from a :class:`numpy.random.SeedSequence`.

The stream hands out uniforms and unit exponentials in blocks: drawing one scalar at a time
from a numpy ``Generator`` costs far more than the event it times, so the hot loops take
pre-drawn numbers from plain Python lists. Consumption order is fixed by the simulation, so the
same seed always gives the same sequence of events.
"""

from __future__ import annotations

import numpy as np

__all__ = ["BLOCK_SIZE", "RandomStream", "child_seeds", "make_seed_sequence"]

#: Numbers per pre-drawn block.
BLOCK_SIZE = 4096
_BLOCK = BLOCK_SIZE
#: First spawn-key entry of a stream's side generators (:meth:`RandomStream.side_generator`),
#: far above the child indices a run's own code uses (trajectories, levels), so that a side
#: generator never equals one of the run's own children.
_SIDE_KEY = 2**31


def make_seed_sequence(seed: int | np.random.SeedSequence | None) -> np.random.SeedSequence:
    """Return a ``SeedSequence`` for ``seed`` (fresh OS entropy when ``seed`` is None)."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise ValueError(f'"seed" must be a non-negative integer or None, got {seed!r}')
    return np.random.SeedSequence(seed)


def child_seeds(seed: int | np.random.SeedSequence | None, n: int) -> list[np.random.SeedSequence]:
    """The children ``0 .. n-1`` of ``seed`` (spawn keys ``spawn_key + (i,)``).

    Equal to ``SeedSequence(seed).spawn(n)`` for an integer seed, but a ``SeedSequence`` passed
    in is not mutated (``spawn`` counts the children it has handed out, so a second call with
    the same object would give other children, and other numbers).
    """
    root = make_seed_sequence(seed)
    return [np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, i), pool_size=root.pool_size)
            for i in range(n)]


class RandomStream:
    """Buffered draws from one ``numpy.random.Generator``.

    Parameters
    ----------
    seed : int, SeedSequence or None
        Entropy for the run. ``None`` draws fresh entropy, recorded in :attr:`entropy`.
    """

    def __init__(self, seed: int | np.random.SeedSequence | None = None) -> None:
        self.seed_sequence = make_seed_sequence(seed)
        self.generator = np.random.Generator(np.random.PCG64(self.seed_sequence))
        self._u: list[float] = []
        self._iu = 0
        self._e: list[float] = []
        self._ie = 0
        self._n_side = 0

    @property
    def entropy(self) -> int:
        """The entropy of the seed sequence (store it to reproduce the run)."""
        return int(self.seed_sequence.entropy)  # type: ignore[arg-type]

    def side_generator(self) -> np.random.Generator:
        """A generator independent of :attr:`generator`, for draws that must not shift the
        main stream (e.g. those of an intervention, which would otherwise change every later
        event of the run even at zero dose).

        The k-th call returns the generator of child key ``spawn_key + (2**31 + k,)``; the seed
        sequence itself is not mutated.
        """
        ss = self.seed_sequence
        child = np.random.SeedSequence(ss.entropy, spawn_key=(*ss.spawn_key, _SIDE_KEY + self._n_side),
                                       pool_size=ss.pool_size)
        self._n_side += 1
        return np.random.Generator(np.random.PCG64(child))

    def uniform(self) -> float:
        """One draw from U[0, 1)."""
        i = self._iu
        if i == len(self._u):
            self._u = self.generator.random(_BLOCK).tolist()
            i = 0
        self._iu = i + 1
        return self._u[i]

    def exponential(self) -> float:
        """One draw from the unit-rate exponential distribution."""
        i = self._ie
        if i == len(self._e):
            self._e = self.generator.standard_exponential(_BLOCK).tolist()
            i = 0
        self._ie = i + 1
        return self._e[i]

    def uniform_block(self) -> list[float]:
        """A fresh block of uniforms, for loops that keep their own index."""
        return self.generator.random(_BLOCK).tolist()

    def exponential_block(self) -> list[float]:
        """A fresh block of unit exponentials, for loops that keep their own index."""
        return self.generator.standard_exponential(_BLOCK).tolist()

    def uniform_array(self) -> np.ndarray:
        """The numbers :meth:`uniform_block` would give, as an array (for batched loops)."""
        return self.generator.random(_BLOCK)

    def exponential_array(self) -> np.ndarray:
        """The numbers :meth:`exponential_block` would give, as an array (for batched loops)."""
        return self.generator.standard_exponential(_BLOCK)
