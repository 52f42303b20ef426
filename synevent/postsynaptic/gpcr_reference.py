"""The transmitter-pulse protocol of the reduced GABA-B model, three ways.

Destexhe's reduced model drives the receptor with square pulses of transmitter (0.5 mM for
0.3 ms per spike). This module applies the same pulses to

* the published deterministic model itself (:func:`destexhe_gabab`),
* the rate equations of a :class:`MetabotropicReceptor`'s own network
  (:func:`cascade_rate_equations`),
* the exact simulation of that network, many times (:func:`cascade_exact_runs`),

so that the exact cascade can be compared with the model its constants come from.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import simpy
from scipy.integrate import solve_ivp

from ..engine.checks import check_count, check_nonnegative, check_positive
from ..engine.meanfield import rate_equations
from ..engine.random import RandomStream, child_seeds
from ..engine.ssa import ExactNetwork
from .gpcr_library import DESTEXHE_GABAB
from .metabotropic import MetabotropicReceptor

__all__ = ["cascade_exact_runs", "cascade_rate_equations", "destexhe_gabab", "pulse_segments"]


def pulse_segments(
    receptor: MetabotropicReceptor,
    pulse_times_ms: Sequence[float],
    *,
    conc_uM: float = DESTEXHE_GABAB["pulse_mM"] * 1e3,
    duration_ms: float = DESTEXHE_GABAB["pulse_ms"],
) -> list[tuple[float, dict[str, float]]]:
    """Rate changes of the clamped binding reactions: on at each pulse, off after it."""
    check_nonnegative("conc_uM", conc_uM)
    check_positive("duration_ms", duration_ms)
    kon = receptor.scheme.binding_reactions()
    on = {name: k * conc_uM for name, k in kon.items()}
    off = {name: 0.0 for name in kon}
    times = sorted(float(t) for t in pulse_times_ms)
    for a, b in zip(times[:-1], times[1:]):
        if b < a + duration_ms:
            raise ValueError(f'"pulse_times_ms" must be at least {duration_ms} ms apart, got {a}, {b}')
    out: list[tuple[float, dict[str, float]]] = []
    for t in times:
        out += [(t, on), (t + duration_ms, off)]
    return out


def destexhe_gabab(
    pulse_times_ms: Sequence[float], t_ms: Sequence[float], params: dict | None = None
) -> np.ndarray:
    """The published reduced GABA-B model under transmitter pulses.

    Returns an array with columns ``R`` (active receptor fraction), ``G`` (active G-protein,
    model units) and the open fraction ``G^n / (G^n + KD)``, one row per time.
    """
    p = dict(DESTEXHE_GABAB, **(params or {}))
    t = np.asarray(t_ms, dtype=float)
    k1 = p["K1_per_mM_per_ms"] * p["pulse_mM"]
    edges = sorted({float(t[0]), float(t[-1])} | {
        e for s in pulse_times_ms for e in (float(s), float(s) + p["pulse_ms"]) if t[0] < e < t[-1]
    })
    pulses = [(float(s), float(s) + p["pulse_ms"]) for s in pulse_times_ms]

    def rhs(_t: float, y: np.ndarray, on: bool) -> list[float]:
        r, g = y
        return [(k1 * (1.0 - r) if on else 0.0) - p["K2_per_ms"] * r, p["K3_per_ms"] * r - p["K4_per_ms"] * g]

    out = np.zeros((t.size, 2))
    y = np.zeros(2)
    for a, b in zip(edges[:-1], edges[1:]):
        on = any(s <= a < e for s, e in pulses)
        inside = (t > a) & (t <= b)
        sol = solve_ivp(rhs, (a, b), y, args=(on,), method="LSODA", rtol=1e-9, atol=1e-12,
                        t_eval=t[inside] if inside.any() else None)
        if inside.any():
            out[inside] = sol.y.T[-inside.sum():]
        y = sol.y[:, -1]
    gn = out[:, 1] ** p["n_sites"]
    return np.column_stack([out, gn / (gn + p["KD"])])


def cascade_rate_equations(
    receptor: MetabotropicReceptor, pulse_times_ms: Sequence[float], t_ms: Sequence[float], **pulse
) -> np.ndarray:
    """Rate equations of the receptor's clamped network under the pulses (species columns)."""
    net = receptor.clamped_network(0.0)
    return rate_equations(net, t_ms, pulse_segments(receptor, pulse_times_ms, **pulse))


def cascade_exact_runs(
    receptor: MetabotropicReceptor,
    pulse_times_ms: Sequence[float],
    t_ms: Sequence[float],
    *,
    n_runs: int,
    seed: int | np.random.SeedSequence | None = None,
    species: Sequence[str] = (),
    **pulse,
) -> np.ndarray:
    """Exact runs of the clamped network under the pulses.

    Returns counts of ``species`` (default: the open GIRK state) at the times ``t_ms`` (a grid
    ``0, dt, 2 dt ...``), shape ``(n_runs, len(t_ms), len(species))``. Run ``i`` uses the
    ``i``-th child of the seed.
    """
    check_count("n_runs", n_runs, minimum=1)
    t = np.asarray(t_ms, dtype=float)
    dt = float(t[1] - t[0])
    if t[0] != 0 or not np.allclose(np.diff(t), dt):
        raise ValueError('"t_ms" must be a regular grid starting at 0')
    net = receptor.clamped_network(0.0)
    names = list(species) or [receptor.girk_open]
    cols = [net.index(s) for s in names]
    segments = pulse_segments(receptor, pulse_times_ms, **pulse)
    out = np.empty((n_runs, t.size, len(cols)), dtype=np.int64)
    for i, child in enumerate(child_seeds(seed, n_runs)):
        env = simpy.Environment()
        sim = ExactNetwork(env, net, RandomStream(child), trace_dt_ms=dt, t_end_ms=float(t[-1]))

        def drive(sim: ExactNetwork = sim, env: simpy.Environment = env) -> Iterator[simpy.Event]:
            for t0, rates in segments:
                yield env.timeout(t0 - env.now)
                sim.set_rates(rates)

        env.process(drive())
        env.run(until=float(t[-1]) + 1e-9)
        sim.finish(float(t[-1]))
        out[i] = sim.trace_array()[: t.size, cols]
    return out
