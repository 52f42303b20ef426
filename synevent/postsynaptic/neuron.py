"""The postsynaptic cell as parameters: a single compartment and how it is recorded.

Two membrane models share these parameters:

* ``"lif"``: conductance-based integrate-and-fire. The leak reverses at the Goldman–Hodgkin–
  Katz potential of the cell's ions; crossing ``v_threshold_mV`` is an all-or-none spike,
  after which the potential is held at ``v_reset_mV`` for ``t_refractory_ms``.
* ``"hh"``: Hodgkin & Huxley's (1952) Na⁺ and K⁺ conductances added to the same compartment,
  for teaching the action potential itself (a spike is an upward crossing of 0 mV).

A cell is either free (current clamp, with optional injected current steps) or voltage-clamped
to a command potential that steps in time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..engine.checks import (
    ParameterError,
    check_choice,
    check_finite,
    check_nonnegative,
    check_positive,
)
from .ions import IonConcentrations

__all__ = ["CurrentClamp", "HHParams", "NeuronParams", "VoltageClamp"]

MODELS = ("lif", "hh")


@dataclass(frozen=True)
class HHParams:
    """Hodgkin & Huxley (1952) squid-axon conductances per unit area, at 6.3 °C.

    Reversal potentials are HH's, shifted to an absolute scale with rest at −65 mV
    (E_Na = +50, E_K = −77, E_L = −54.387 mV).
    """

    g_na_mS_per_cm2: float = 120.0
    g_k_mS_per_cm2: float = 36.0
    g_leak_mS_per_cm2: float = 0.3
    e_na_mV: float = 50.0
    e_k_mV: float = -77.0
    e_leak_mV: float = -54.387
    c_uF_per_cm2: float = 1.0

    def __post_init__(self) -> None:
        for name in ("g_na_mS_per_cm2", "g_k_mS_per_cm2", "g_leak_mS_per_cm2"):
            check_nonnegative(name, getattr(self, name))
        for name in ("e_na_mV", "e_k_mV", "e_leak_mV"):
            check_finite(name, getattr(self, name))
        check_positive("c_uF_per_cm2", self.c_uF_per_cm2)


@dataclass(frozen=True)
class NeuronParams:
    """A single-compartment postsynaptic neuron (units in the names).

    Parameters
    ----------
    capacitance_pF : float
        Membrane capacitance.
    g_leak_nS : float
        Resting (leak) conductance; ``capacitance_pF / g_leak_nS`` is the membrane time
        constant in ms.
    ions : IonConcentrations
        Concentrations and resting permeabilities; the leak reverses at their GHK potential
        unless ``e_leak_mV`` is given.
    e_leak_mV : float, optional
        Leak reversal that overrides the GHK potential.
    v_threshold_mV, v_reset_mV, t_refractory_ms : float
        Integrate-and-fire threshold, reset and absolute refractory period.
    v_initial_mV : float, optional
        Potential at t = 0 (default: the leak reversal, i.e. rest).
    model : {"lif", "hh"}
        Membrane model (see the module docstring).
    hh : HHParams
        Conductance densities of the ``"hh"`` model; the area follows from the capacitance.
    sources : mapping
        Field → citation (reproduced in the parameter table).
    """

    capacitance_pF: float = 200.0
    g_leak_nS: float = 10.0
    ions: IonConcentrations = field(default_factory=IonConcentrations)
    e_leak_mV: float | None = None
    v_threshold_mV: float = -50.0
    v_reset_mV: float = -65.0
    t_refractory_ms: float = 2.0
    v_initial_mV: float | None = None
    model: str = "lif"
    hh: HHParams = field(default_factory=HHParams)
    name: str = "neuron"
    sources: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_positive("capacitance_pF", self.capacitance_pF)
        check_positive("g_leak_nS", self.g_leak_nS)
        check_choice("model", self.model, MODELS)
        check_finite("v_threshold_mV", self.v_threshold_mV)
        check_finite("v_reset_mV", self.v_reset_mV)
        check_nonnegative("t_refractory_ms", self.t_refractory_ms)
        if self.e_leak_mV is not None:
            check_finite("e_leak_mV", self.e_leak_mV)
        if self.v_initial_mV is not None:
            check_finite("v_initial_mV", self.v_initial_mV)
        if self.model == "lif" and not self.v_reset_mV < self.v_threshold_mV:
            raise ParameterError(
                f'"v_reset_mV" must be below "v_threshold_mV" ({self.v_threshold_mV!r}), '
                f"got {self.v_reset_mV!r}"
            )

    @property
    def tau_m_ms(self) -> float:
        """Membrane time constant at rest."""
        return self.capacitance_pF / self.g_leak_nS

    @property
    def e_rest_mV(self) -> float:
        """Leak reversal: ``e_leak_mV`` if given, else the GHK potential of ``ions``."""
        return self.ions.resting_potential_mV if self.e_leak_mV is None else self.e_leak_mV

    @property
    def v_start_mV(self) -> float:
        return self.e_rest_mV if self.v_initial_mV is None else self.v_initial_mV

    @property
    def area_cm2(self) -> float:
        """Membrane area implied by the capacitance and the specific capacitance of ``hh``."""
        return self.capacitance_pF * 1e-6 / self.hh.c_uF_per_cm2

    def replace(self, **changes) -> NeuronParams:
        """A copy with fields replaced (``ions`` and ``hh`` accept dicts of their fields)."""
        import dataclasses

        valid = {f.name for f in dataclasses.fields(self)}
        for key, value in list(changes.items()):
            if key not in valid:
                raise ParameterError(f'unknown neuron field "{key}"; valid fields are {sorted(valid)}')
            current = getattr(self, key)
            if isinstance(value, Mapping) and dataclasses.is_dataclass(current):
                changes[key] = dataclasses.replace(current, **value)
        return dataclasses.replace(self, **changes)


def _steps(name: str, steps: Iterable[tuple[float, float, float]]) -> tuple[tuple[float, float, float], ...]:
    out = []
    for k, step in enumerate(steps):
        if len(step) != 3:
            raise ParameterError(f'"{name}[{k}]" must be (start_ms, stop_ms, value), got {step!r}')
        start, stop, value = (float(x) for x in step)
        check_nonnegative(f"{name}[{k}].start_ms", start)
        check_finite(f"{name}[{k}].value", value)
        if not stop > start:
            raise ParameterError(
                f'"{name}[{k}]" must stop after it starts ({start!r} ms), got stop {stop!r} ms'
            )
        out.append((start, stop, value))
    out.sort()
    for (a0, a1, _), (b0, _, _) in zip(out, out[1:]):
        if b0 < a1:
            raise ParameterError(f'"{name}" steps must not overlap: one ends at {a1} ms, the next starts at {b0} ms')
    return tuple(out)


@dataclass(frozen=True)
class CurrentClamp:
    """Current clamp with injected current steps ``(start_ms, stop_ms, amplitude_pA)``.

    Positive current depolarises (it flows into the cell).
    """

    steps_pA: tuple[tuple[float, float, float], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps_pA", _steps("steps_pA", self.steps_pA))

    def changes(self) -> list[tuple[float, float]]:
        """``(t_ms, injected_pA)`` from each change on."""
        out: list[tuple[float, float]] = []
        for start, stop, amp in self.steps_pA:
            out += [(start, amp), (stop, 0.0)]
        return out


@dataclass(frozen=True)
class VoltageClamp:
    """An ideal voltage clamp at ``holding_mV`` with command steps ``(start_ms, stop_ms, v_mV)``."""

    holding_mV: float = -70.0
    steps_mV: tuple[tuple[float, float, float], ...] = ()

    def __post_init__(self) -> None:
        check_finite("holding_mV", self.holding_mV)
        object.__setattr__(self, "steps_mV", _steps("steps_mV", self.steps_mV))

    def changes(self) -> list[tuple[float, float]]:
        """``(t_ms, command_mV)`` from each change on."""
        out: list[tuple[float, float]] = []
        for start, stop, v in self.steps_mV:
            out += [(start, v), (stop, self.holding_mV)]
        return out
