"""In-silico assays of the clearance mechanisms: steady-state flux at a clamped substrate.

A transporter or enzyme population is simulated exactly (Gillespie) with the substrate held at
a fixed concentration (a bath, as in an uptake or Ellman assay) and any inhibitors bound through
the same reactions :func:`synevent.simulate` uses (each held at its level, so only
inhibitors present throughout are accepted). After a warm-up the turnover is counted. The
apparent Km and Vmax then come from a Michaelis–Menten fit, and an inhibitor's IC50 from a Hill
fit, so the emergent kinetics can be compared with the analytic predictions (for example
``Km_app = Km (1 + [I]/Ki)`` or the Cheng–Prusoff ``IC50 = Ki (1 + [S]/Km)``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import curve_fit

from ..cleft.clearance import EnzymeParams, TransporterParams
from ..cleft.cleft import CleftParams
from ..engine.checks import ParameterError, check_count, check_nonnegative, check_positive
from ..engine.network import ReactionNetwork, molecules_per_uM
from ..engine.random import child_seeds
from ..network_runs import simulate_network
from ..synapse import SynapseParams
from .interventions import Intervention
from .mechanisms import initial_counts, plan
from .schedule import Schedule

__all__ = ["MichaelisMentenFit", "clamp_species", "fit_michaelis_menten", "steady_state_flux"]

_VOLUME_L = 1e-15  # any volume works: after clamping every reaction is first order


def clamp_species(net: ReactionNetwork, species: str, conc_uM: float) -> ReactionNetwork:
    """The network with ``species`` held at ``conc_uM``: it leaves every reaction, and a
    reaction that consumed it becomes pseudo-first-order with its rate times the count."""
    check_nonnegative("conc_uM", conc_uM)
    n = conc_uM * molecules_per_uM(net.volume_L)
    rx = []
    for r in net.reactions:
        reactants = {s: k for s, k in r.reactants.items() if s != species}
        products = {s: k for s, k in r.products.items() if s != species}
        k = r.reactants.get(species, 0)
        if k > 1:
            raise ParameterError(f'cannot clamp "{species}": reaction "{r.name}" consumes {k} of it')
        rate = r.rate_per_ms * n if k == 1 else r.rate_per_ms
        rx.append(dataclasses.replace(r, reactants=reactants, products=products, rate_per_ms=rate))
    species_left = tuple(s for s in net.species if s != species)
    counts = {s: c for s, c in net.initial_counts.items() if s != species}
    return ReactionNetwork(species_left, tuple(rx), counts, net.volume_L)


def _assay_network(
    mechanism: TransporterParams | EnzymeParams, substrate: str, interventions: Sequence[Intervention],
) -> tuple[ReactionNetwork, str, list]:
    vol = _VOLUME_L
    if isinstance(mechanism, TransporterParams):
        species, rx = mechanism.reactions(substrate, vol)
        product = f"{mechanism.name}.uptake"
        syn_kw = {"transporters": (mechanism,)}
    elif isinstance(mechanism, EnzymeParams):
        species, rx = mechanism.reactions(substrate, vol)
        product = f"{mechanism.name}.degraded"
        syn_kw = {"enzymes": (mechanism,)}
    else:
        raise ParameterError(f'"mechanism" must be TransporterParams or EnzymeParams, got {mechanism!r}')
    net = ReactionNetwork(tuple(species) + (substrate,), tuple(rx), {mechanism.name: mechanism.n}, vol)
    syn = SynapseParams(name="assay", transmitter=substrate, animal="-", temperature_C=0.0,
                        cleft=CleftParams(), **syn_kw)
    drugs = plan(syn, interventions)
    for iv in drugs.interventions:
        # The assay holds each drug at its t = 0 level: it measures a steady state.
        if iv not in drugs.network_interventions or iv.schedule != Schedule():
            raise ParameterError(
                f'steady_state_flux takes inhibitors of "{mechanism.name}" present throughout '
                f"(default schedule), got {iv!r}"
            )
    net, _, bindings = drugs.attach(net, {})
    return net, product, bindings


def steady_state_flux(
    mechanism: TransporterParams | EnzymeParams,
    substrate_uM: Sequence[float],
    *,
    interventions: Sequence[Intervention] = (),
    substrate: str = "S",
    warmup_ms: float = 5000.0,
    measure_ms: float = 20000.0,
    n_trajectories: int = 4,
    seed: int | np.random.SeedSequence | None = 0,
) -> pd.DataFrame:
    """Turnover per transporter (or enzyme site) and ms at each clamped substrate level.

    Returns a table with ``substrate_uM``, ``flux_per_ms`` (mean over trajectories, per
    molecule of the population), ``sem_per_ms`` and ``events`` (turnovers counted).
    The warm-up must exceed the slowest relaxation (reorientation, inhibitor unbinding).
    """
    check_positive("warmup_ms", warmup_ms)
    check_positive("measure_ms", measure_ms)
    check_count("n_trajectories", n_trajectories, minimum=2)
    check_count(f"{getattr(mechanism, 'name', 'mechanism')}.n", getattr(mechanism, "n", 0), minimum=1)
    levels = [check_nonnegative("substrate_uM", s) for s in substrate_uM]
    if not levels:
        raise ParameterError('"substrate_uM" must hold at least one concentration, got []')
    base, product, bindings = _assay_network(mechanism, substrate, interventions)
    level_seeds = child_seeds(seed, len(levels))
    rows = []
    for k, s_uM in enumerate(levels):
        # Level k: one child for the initial inhibitor counts, one whose children run the
        # trajectories (simulate_network's trajectory i takes child i of the seed it gets).
        init_ss, runs_ss = child_seeds(level_seeds[k], 2)
        gen = np.random.Generator(np.random.PCG64(init_ss))
        net = base.with_counts(**initial_counts(bindings, base, gen)) if bindings else base
        net = clamp_species(net, substrate, s_uM)
        run = simulate_network(net, t_end_ms=warmup_ms + measure_ms, dt_out_ms=warmup_ms,
                               n_trajectories=n_trajectories, seed=runs_ss)
        t_grid = run.t_ms
        j0 = int(np.argmin(np.abs(t_grid - warmup_ms)))
        counts = run.species(product)
        done = counts[:, -1] - counts[:, j0]
        dt = t_grid[-1] - t_grid[j0]
        per = done / dt / mechanism.n
        rows.append({
            "substrate_uM": s_uM,
            "flux_per_ms": float(per.mean()),
            "sem_per_ms": float(per.std(ddof=1) / np.sqrt(per.size)),
            "events": int(done.sum()),
        })
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class MichaelisMentenFit:
    """``v = Vmax S / (Km + S)`` fitted by weighted least squares."""

    km_uM: float
    vmax: float
    km_se_uM: float
    vmax_se: float

    def predict(self, s_uM: np.ndarray | float) -> np.ndarray:
        s = np.asarray(s_uM, dtype=float)
        return self.vmax * s / (self.km_uM + s)


def fit_michaelis_menten(
    s_uM: Sequence[float], v: Sequence[float], sigma: Sequence[float] | None = None
) -> MichaelisMentenFit:
    """Fit Km and Vmax (units of ``v``) to rates ``v`` at substrate levels ``s_uM``."""
    s = np.asarray(s_uM, dtype=float)
    y = np.asarray(v, dtype=float)
    if s.shape != y.shape or s.size < 3:
        raise ParameterError(f'"s_uM" and "v" must have the same length >= 3, got {s.size} and {y.size}')
    if np.any(s < 0):
        raise ParameterError(f'"s_uM" must be >= 0, got {s.min()!r}')
    p0 = (float(np.max(y)) * 1.2, float(np.median(s)))
    sig = None if sigma is None else np.maximum(np.asarray(sigma, dtype=float), 1e-300)
    popt, pcov = curve_fit(lambda x, vm, km: vm * x / (km + x), s, y, p0=p0, sigma=sig,
                           absolute_sigma=sig is not None, maxfev=10000)
    se = np.sqrt(np.diag(pcov))
    return MichaelisMentenFit(float(popt[1]), float(popt[0]), float(se[1]), float(se[0]))
