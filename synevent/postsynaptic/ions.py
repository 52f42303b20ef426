"""Ion concentrations, Nernst reversal potentials and the Goldman–Hodgkin–Katz resting potential."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..engine.checks import check_finite, check_nonnegative, check_positive

__all__ = [
    "FARADAY_C_PER_MOL",
    "GAS_J_PER_MOL_K",
    "IonConcentrations",
    "ghk_potential_mV",
    "nernst_mV",
    "thermal_voltage_mV",
]

#: CODATA 2018 exact values.
FARADAY_C_PER_MOL = 96485.33212
GAS_J_PER_MOL_K = 8.314462618


def thermal_voltage_mV(temperature_C: float) -> float:
    """RT/F in mV at ``temperature_C`` (26.7 mV at 37 °C)."""
    check_finite("temperature_C", temperature_C)
    kelvin = temperature_C + 273.15
    check_positive("temperature_C + 273.15", kelvin)
    return 1000.0 * GAS_J_PER_MOL_K * kelvin / FARADAY_C_PER_MOL


def nernst_mV(z: int, c_out_mM: float, c_in_mM: float, temperature_C: float) -> float:
    """Nernst reversal potential ``(RT/zF) ln(c_out/c_in)`` of an ion of valence ``z``.

    Examples
    --------
    >>> round(nernst_mV(1, 4.0, 155.0, 37.0), 1)
    -97.7
    """
    if z == 0 or int(z) != z:
        raise ValueError(f'"z" must be a non-zero integer valence, got {z!r}')
    check_positive("c_out_mM", c_out_mM)
    check_positive("c_in_mM", c_in_mM)
    return thermal_voltage_mV(temperature_C) / z * math.log(c_out_mM / c_in_mM)


@dataclass(frozen=True)
class IonConcentrations:
    """Free ion concentrations on both sides of the membrane (mM) and resting permeabilities.

    Defaults are the mammalian values of Hille (2001, Table 1.1; intracellular Cl⁻ of a mature
    neuron, with KCC2, from the same range) and the resting permeability ratios
    pK : pNa : pCl = 1 : 0.04 : 0.45 of Hodgkin & Katz (1949). ``temperature_C`` sets RT/F.
    """

    na_in_mM: float = 12.0
    na_out_mM: float = 145.0
    k_in_mM: float = 155.0
    k_out_mM: float = 4.0
    cl_in_mM: float = 4.2
    cl_out_mM: float = 123.0
    ca_in_mM: float = 1.0e-4
    ca_out_mM: float = 2.0
    p_na_rel: float = 0.04
    p_cl_rel: float = 0.45
    temperature_C: float = 37.0

    def __post_init__(self) -> None:
        for name in ("na_in_mM", "na_out_mM", "k_in_mM", "k_out_mM", "cl_in_mM", "cl_out_mM",
                     "ca_in_mM", "ca_out_mM"):
            check_positive(name, getattr(self, name))
        check_nonnegative("p_na_rel", self.p_na_rel)
        check_nonnegative("p_cl_rel", self.p_cl_rel)
        thermal_voltage_mV(self.temperature_C)

    @property
    def e_na_mV(self) -> float:
        return nernst_mV(1, self.na_out_mM, self.na_in_mM, self.temperature_C)

    @property
    def e_k_mV(self) -> float:
        return nernst_mV(1, self.k_out_mM, self.k_in_mM, self.temperature_C)

    @property
    def e_cl_mV(self) -> float:
        return nernst_mV(-1, self.cl_out_mM, self.cl_in_mM, self.temperature_C)

    @property
    def e_ca_mV(self) -> float:
        return nernst_mV(2, self.ca_out_mM, self.ca_in_mM, self.temperature_C)

    @property
    def resting_potential_mV(self) -> float:
        """The Goldman–Hodgkin–Katz potential of K⁺, Na⁺ and Cl⁻ (:func:`ghk_potential_mV`)."""
        return ghk_potential_mV(self)


def ghk_potential_mV(ions: IonConcentrations) -> float:
    """Zero-current potential of the Goldman–Hodgkin–Katz voltage equation.

    ``V = (RT/F) ln((pK K_o + pNa Na_o + pCl Cl_i) / (pK K_i + pNa Na_i + pCl Cl_o))``,
    with permeabilities relative to pK. Ca²⁺ is left out: its resting permeability is
    negligible (Hille 2001).
    """
    num = ions.k_out_mM + ions.p_na_rel * ions.na_out_mM + ions.p_cl_rel * ions.cl_in_mM
    den = ions.k_in_mM + ions.p_na_rel * ions.na_in_mM + ions.p_cl_rel * ions.cl_out_mM
    return thermal_voltage_mV(ions.temperature_C) * math.log(num / den)
