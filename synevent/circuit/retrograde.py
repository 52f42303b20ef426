"""Retrograde endocannabinoid signalling: postsynaptic Ca²⁺ → 2-AG → presynaptic CB1.

Depolarising a neuron opens its high-voltage-activated Ca²⁺ channels; the Ca²⁺ rise drives the
synthesis of the endocannabinoid 2-AG, which leaves the cell, binds CB1 receptors on the
terminals that contact it and, through Gβγ, reduces the Ca²⁺ entry of their later spikes. The
terminal's Ca²⁺ sensor turns that modest reduction into a large fall in release: this is
depolarisation-induced suppression of inhibition (DSI) at GABAergic synapses.

The chain has many molecules at every stage, so it is integrated as ordinary differential
equations (deterministic), driven by the membrane potential the neuron records:

``dΔc/dt = J(V) − J(v_rest) − Δc / τ_Ca``, with ``J(V) = j_max · a(V) · (E_Ca − V)⁺ / E_Ca``
and a Boltzmann activation ``a(V) = 1 / (1 + exp(−(V − V½)/k))``;

``de/dt = r_max · Δc⁺ⁿ / (Δc⁺ⁿ + Kⁿ) − e / τ_eCB``;

occupancy ``o = e / (e + K_d)``, and every CB1-expressing terminal scales the Ca²⁺ entry of its
later spikes by ``1 − I_max · o`` (:meth:`synevent.presynaptic.terminal.Terminal.set_modulation`).

``Δc`` is the free [Ca²⁺]i above its resting value ``ca_rest_uM``, which is the steady state at
``v_rest_mV`` (pumps balance the resting channel flux), so a cell held at ``v_rest_mV`` makes no
2-AG at all and its terminals stay exactly unmodulated.

Over each update step ``h`` (the neuron's update interval, 5 ms by default: 400 times shorter
than τ_Ca and 3000 times shorter than τ_eCB) the Ca²⁺ flux is the mean of ``J`` over the
potential recorded in the step; the linear Ca²⁺ equation is then solved exactly and the 2-AG
equation by its variation-of-constants formula with a three-point Gauss–Legendre rule for the
synthesis integral. The tests compare this with scipy's ``solve_ivp`` at tight tolerance.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..engine.checks import ParameterError, check_finite, check_positive, check_probability

if TYPE_CHECKING:  # pragma: no cover
    from ..postsynaptic.membrane import Membrane
    from ..presynaptic.terminal import Terminal
    from ..synapse import SynapseParams

__all__ = [
    "CB1_SOURCE",
    "SOURCES",
    "EndocannabinoidParams",
    "EndocannabinoidState",
    "RetrogradeSignal",
    "RetrogradeSpec",
    "ca_entry_inhibition_for_release",
]

#: Name under which CB1 scales a terminal's Ca²⁺ entry (``Terminal.set_modulation``).
CB1_SOURCE = "CB1"

# Nodes and weights of the three-point Gauss–Legendre rule on [0, 1].
_GL_X = (0.5 - math.sqrt(15.0) / 10.0, 0.5, 0.5 + math.sqrt(15.0) / 10.0)
_GL_W = (5.0 / 18.0, 8.0 / 18.0, 5.0 / 18.0)


#: Citations of the defaults of :class:`EndocannabinoidParams` (docs/reference/parameters.md).
SOURCES: dict[str, str] = {
    "ca_rest_uM": "50 nM, as the presynaptic resting [Ca2+] of the presets (a model choice, 50-100 nM)",
    "v_rest_mV": "-70 mV holding potential of the DSI experiments (Wang & Zucker 2001 J Physiol 533:757; "
                 "Wilson & Nicoll 2001 Nature 410:588)",
    "ca_v_half_mV/ca_slope_mV": "Boltzmann fit (max deviation 0.024) to m_inf^2 of the N-type channel of "
                                "Jaffe et al. 1994 J Neurophysiol 71:1065 as coded in ModelDB can2.mod "
                                "(Migliore); N-type channels initiate DSI: Lenz, Wagner & Alger 1998 J Physiol 512:61",
    "e_ca_mV": "Nernst potential of the neuron's default ions (2 mM / 0.1 uM, 37 C): 132.3 mV",
    "ca_influx_uM_per_s": "chosen so that a 5 s step to 0 mV raises [Ca2+]i by ~5 uM, the micromolar range "
                          "Wang & Zucker 2001 measured with such steps (assumption)",
    "tau_ca_ms": "2 s: [Ca2+]i recovers faster than DSI (Wang & Zucker 2001); value an assumption",
    "ca_half_synthesis_uM": "3.7 uM: 50 % DSI at [Ca2+]i 3.6-3.9 uM in CA1 (Wang & Zucker 2001), used as "
                            "the half-activation of 2-AG synthesis; ~15 uM in Purkinje cells "
                            "(Brenowitz & Regehr 2003 J Neurosci 23:6373)",
    "synthesis_hill": "1: DSI rose linearly with [Ca2+]i (Wang & Zucker 2001)",
    "synthesis_max_uM_per_s": "calibrated: a 5 s step gives ~60 % DSI of the IPSC in scenarios/dsi.py (assumption)",
    "tau_ecb_ms": "15 s: 2-AG hydrolysis by presynaptic MGL ends DSI (Hashimotodani et al. 2007 J Neurosci "
                  "27:1211); low end of the 15-30 s DSI decay because the Ca2+ tail and CB1 saturation "
                  "prolong the recovery (measured: docs/background/retrograde.md)",
    "cb1_kd_uM": "Ki 472 nM of 2-AG at CB1 (Mechoulam et al. 1995 Biochem Pharmacol 50:83)",
    "cb1_max_ca_inhibition": "derived: the Ca2+-entry reduction at which the gabaergic preset's sensor "
                             "releases 10 % as often (ca_entry_inhibition_for_release); saturating CB1 agonist "
                             "abolishes CB1-sensitive IPSCs (Foldy et al. 2006 J Neurosci 26:1465); CB1 acts "
                             "by reducing presynaptic Ca2+ influx (Kreitzer & Regehr 2001 Neuron 29:717; "
                             "Brown, Safo & Regehr 2004 J Neurosci 24:5623)",
}


@dataclass(frozen=True)
class EndocannabinoidParams:
    """Postsynaptic Ca²⁺, 2-AG and presynaptic CB1 (defaults: CA1 pyramidal cell → CB1⁺ basket
    cell terminals; sources in ``sources`` and docs/background/retrograde.md).

    Parameters
    ----------
    ca_rest_uM : float
        Free [Ca²⁺]i at ``v_rest_mV``.
    v_rest_mV : float
        Potential at which [Ca²⁺]i rests at ``ca_rest_uM`` (no net Ca²⁺ load, no 2-AG).
    ca_v_half_mV, ca_slope_mV : float
        Boltzmann activation of the Ca²⁺ channels (half-activation, slope factor).
    e_ca_mV : float
        Ca²⁺ reversal potential of the driving force ``(E_Ca − V)⁺ / E_Ca`` (must be > 0).
    ca_influx_uM_per_s : float
        Rate of rise of free [Ca²⁺]i at 0 mV with every channel activated (``j_max``).
    tau_ca_ms : float
        Time constant of Ca²⁺ extrusion and buffering back to rest.
    synthesis_max_uM_per_s : float
        Maximal rate of 2-AG production, as a rise of its concentration at the terminals.
    ca_half_synthesis_uM : float
        [Ca²⁺]i rise (above rest) that gives half-maximal synthesis (``K``).
    synthesis_hill : float
        Hill coefficient of the synthesis (``n``).
    tau_ecb_ms : float
        Time constant of 2-AG removal (hydrolysis by presynaptic MGL, uptake).
    cb1_kd_uM : float
        Dissociation constant of 2-AG at CB1 (binding at equilibrium: it is fast next to τ_eCB).
    cb1_max_ca_inhibition : float
        Fraction of the spike's Ca²⁺ entry removed at full CB1 occupancy (``I_max``, in [0, 1]).
    sources : mapping
        Field → citation.
    """

    ca_rest_uM: float = 0.05
    v_rest_mV: float = -70.0
    ca_v_half_mV: float = -14.0
    ca_slope_mV: float = 6.9
    e_ca_mV: float = 132.0
    ca_influx_uM_per_s: float = 3.0
    tau_ca_ms: float = 2000.0
    synthesis_max_uM_per_s: float = 0.4
    ca_half_synthesis_uM: float = 3.7
    synthesis_hill: float = 1.0
    tau_ecb_ms: float = 15000.0
    cb1_kd_uM: float = 0.472
    cb1_max_ca_inhibition: float = 0.5545
    sources: Mapping[str, str] = field(default_factory=lambda: dict(SOURCES))

    def __post_init__(self) -> None:
        check_positive("ca_rest_uM", self.ca_rest_uM)
        check_finite("v_rest_mV", self.v_rest_mV)
        check_finite("ca_v_half_mV", self.ca_v_half_mV)
        check_positive("ca_slope_mV", self.ca_slope_mV)
        check_positive("e_ca_mV", self.e_ca_mV)
        check_positive("ca_influx_uM_per_s", self.ca_influx_uM_per_s)
        check_positive("tau_ca_ms", self.tau_ca_ms)
        check_positive("synthesis_max_uM_per_s", self.synthesis_max_uM_per_s)
        check_positive("ca_half_synthesis_uM", self.ca_half_synthesis_uM)
        check_positive("synthesis_hill", self.synthesis_hill)
        check_positive("tau_ecb_ms", self.tau_ecb_ms)
        check_positive("cb1_kd_uM", self.cb1_kd_uM)
        check_probability("cb1_max_ca_inhibition", self.cb1_max_ca_inhibition)

    def replace(self, **changes) -> EndocannabinoidParams:
        """A copy with fields replaced; unknown names are refused with the valid ones."""
        valid = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(changes) - valid)
        if unknown:
            raise ParameterError(f"unknown endocannabinoid field(s) {unknown}; valid fields are {sorted(valid)}")
        return dataclasses.replace(self, **changes)

    # -- the right-hand sides (vectorised over arrays of potentials or concentrations) ---------
    def activation(self, v_mV: np.ndarray | float) -> np.ndarray | float:
        """Boltzmann activation ``a(V)`` of the Ca²⁺ channels."""
        return 1.0 / (1.0 + np.exp(-(np.asarray(v_mV, dtype=float) - self.ca_v_half_mV) / self.ca_slope_mV))

    def ca_flux_uM_per_ms(self, v_mV: np.ndarray | float) -> np.ndarray | float:
        """Ca²⁺ load ``J(V) − J(v_rest)`` (µM/ms): zero at ``v_rest_mV``, negative below it."""
        return self._flux(np.asarray(v_mV, dtype=float)) - self._flux(np.asarray(self.v_rest_mV))

    def _flux(self, v: np.ndarray) -> np.ndarray:
        drive = np.maximum(self.e_ca_mV - v, 0.0) / self.e_ca_mV
        return self.ca_influx_uM_per_s * 1e-3 * self.activation(v) * drive

    def synthesis_uM_per_ms(self, dca_uM: np.ndarray | float) -> np.ndarray | float:
        """2-AG production at a [Ca²⁺]i rise of ``dca_uM`` (none at or below rest)."""
        x = np.maximum(np.asarray(dca_uM, dtype=float), 0.0) ** self.synthesis_hill
        return self.synthesis_max_uM_per_s * 1e-3 * x / (x + self.ca_half_synthesis_uM ** self.synthesis_hill)

    def occupancy(self, ecb_uM: np.ndarray | float) -> np.ndarray | float:
        """Fraction of CB1 bound at 2-AG concentration ``ecb_uM``."""
        e = np.asarray(ecb_uM, dtype=float)
        return e / (e + self.cb1_kd_uM)

    def ca_entry_factor(self, ecb_uM: np.ndarray | float) -> np.ndarray | float:
        """Factor on the terminals' Ca²⁺ entry: ``1 − I_max · occupancy``."""
        return 1.0 - self.cb1_max_ca_inhibition * self.occupancy(ecb_uM)

    def rhs(self, v_mV: float, state: Sequence[float]) -> list[float]:
        """``[dΔc/dt, de/dt]`` (per ms) at potential ``v_mV``: for independent solvers."""
        dca, ecb = state
        return [float(self.ca_flux_uM_per_ms(v_mV)) - dca / self.tau_ca_ms,
                float(self.synthesis_uM_per_ms(dca)) - ecb / self.tau_ecb_ms]


class EndocannabinoidState:
    """``Δc`` (µM above rest) and 2-AG ``e`` (µM), advanced step by step.

    Parameters
    ----------
    params : EndocannabinoidParams
    """

    def __init__(self, params: EndocannabinoidParams) -> None:
        self.p = params
        self.dca_uM = 0.0
        self.ecb_uM = 0.0

    def step(self, h_ms: float, flux_uM_per_ms: float) -> None:
        """Advance by ``h_ms`` under a constant Ca²⁺ load ``flux_uM_per_ms``.

        Exact for the Ca²⁺ pool; the 2-AG synthesis integral uses three Gauss–Legendre nodes on
        the exact Ca²⁺ trajectory (error of order ``(h/τ_Ca)⁶``).
        """
        if h_ms <= 0.0:
            return
        p = self.p
        tc, te = p.tau_ca_ms, p.tau_ecb_ms
        c0 = self.dca_uM
        c_inf = flux_uM_per_ms * tc
        if c0 == 0.0 and c_inf == 0.0:
            # NOTE: the resting cell: nothing to integrate, and e decays exactly.
            self.ecb_uM *= math.exp(-h_ms / te)
            return
        integral = 0.0
        for x, w in zip(_GL_X, _GL_W):
            s = x * h_ms
            c = c_inf + (c0 - c_inf) * math.exp(-s / tc)
            integral += w * float(p.synthesis_uM_per_ms(c)) * math.exp(-(h_ms - s) / te)
        self.ecb_uM = self.ecb_uM * math.exp(-h_ms / te) + integral * h_ms
        self.dca_uM = c_inf + (c0 - c_inf) * math.exp(-h_ms / tc)


@dataclass(frozen=True)
class RetrogradeSpec:
    """Endocannabinoid signalling from neuron ``post`` to the terminals of ``cb1_sources``.

    ``cb1_sources`` names the presynaptic nodes whose synapses onto ``post`` express CB1
    (``None``: every synapse onto ``post``; an empty tuple: none).
    """

    post: str
    params: EndocannabinoidParams
    cb1_sources: tuple[str, ...] | None = None


class RetrogradeSignal:
    """The running chain of one neuron: updated by the neuron's update process.

    Parameters
    ----------
    params : EndocannabinoidParams
    membrane : Membrane
        The postsynaptic neuron; its recorded potential drives the Ca²⁺ channels.
    terminals : sequence of Terminal
        The CB1-expressing terminals it modulates.
    """

    def __init__(self, params: EndocannabinoidParams, membrane: Membrane,
                 terminals: Sequence[Terminal]) -> None:
        self.p = params
        self.m = membrane
        self.terminals = list(terminals)
        self.state = EndocannabinoidState(params)
        self.t = 0.0
        self._k = 0  # first sample of the membrane's potential record not yet used
        self.factor = 1.0
        self.rec_t: list[float] = [0.0]
        self.rec_dca: list[float] = [0.0]
        self.rec_ecb: list[float] = [0.0]
        self.rec_factor: list[float] = [1.0]

    def update(self, t_ms: float) -> None:
        """Integrate to ``t_ms`` (the membrane must have been advanced to it) and apply CB1."""
        h = t_ms - self.t
        if h <= 0.0:
            return
        rec = self.m.rec_v
        if len(rec) > self._k:
            flux = float(np.mean(self.p.ca_flux_uM_per_ms(np.asarray(rec[self._k:]))))
            self._k = len(rec)
        else:  # trace grid coarser than the update step: hold the current potential
            flux = float(self.p.ca_flux_uM_per_ms(self.m.v))
        self.state.step(h, flux)
        self.t = t_ms
        factor = float(self.p.ca_entry_factor(self.state.ecb_uM))
        if factor != self.factor:
            self.factor = factor
            for term in self.terminals:
                term.set_modulation(CB1_SOURCE, factor)
        self.rec_t.append(t_ms)
        self.rec_dca.append(self.state.dca_uM)
        self.rec_ecb.append(self.state.ecb_uM)
        self.rec_factor.append(factor)

    def traces(self, trace_dt_ms: float, n: int) -> dict[str, np.ndarray]:
        """``ca_uM``, ``ecb_uM``, ``cb1_occupancy`` (linear between steps) and ``cb1_factor``
        (the factor in force, a step function) on the neuron's trace grid of ``n`` points."""
        t = np.arange(n) * trace_dt_ms
        rt = np.asarray(self.rec_t)
        ecb = np.interp(t, rt, self.rec_ecb)
        held = np.searchsorted(rt, t, side="right") - 1
        return {
            "ca_uM": self.p.ca_rest_uM + np.interp(t, rt, self.rec_dca),
            "ecb_uM": ecb,
            "cb1_occupancy": np.asarray(self.p.occupancy(ecb)),
            "cb1_factor": np.asarray(self.rec_factor)[held],
        }


def ca_entry_inhibition_for_release(synapse: SynapseParams, release_ratio: float,
                                    window_ms: float = 5.0) -> float:
    """The ``cb1_max_ca_inhibition`` at which a primed vesicle of ``synapse`` releases
    ``release_ratio`` times as often per spike as without CB1 (from the sensor's master
    equation, :func:`synevent.presynaptic.calibration.release_probability`)."""
    from scipy.optimize import brentq

    from ..presynaptic.calibration import release_probability

    ratio = check_probability("release_ratio", release_ratio)
    if not 0.0 < ratio < 1.0:
        raise ParameterError(f'"release_ratio" must be in (0, 1), got {release_ratio!r}')
    p1 = release_probability(synapse.sensor, synapse.calcium, window_ms)

    def gap(factor: float) -> float:
        c = dataclasses.replace(synapse.calcium, channel_availability=factor)
        return release_probability(synapse.sensor, c, window_ms) / p1 - ratio

    return 1.0 - float(brentq(gap, 1e-6, 1.0, xtol=1e-9))
