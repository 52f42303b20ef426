"""Published G-protein cascades as :class:`MetabotropicReceptor` factories (units µM, ms).

The GABA-B cascade takes its rate constants from the reduced kinetic model of Destexhe and
co-workers (ModelDB ``gabab.mod``: Destexhe, Bal, McCormick & Sejnowski 1996, fitted to the
GABA-B IPSCs of Otis, De Koninck & Mody 1993). That model is deterministic and works with
fractions: ``dR/dt = K1·T·(1 − R) − K2·R``, ``dG/dt = K3·R − K4·G``, open fraction
``G⁴ / (G⁴ + KD)``. Here every quantity is a molecule count, with one unit of the model's ``G``
equal to one free active G-protein per receptor, so that

* ``k_act_per_ms = K3`` (G-proteins activated per ms by one active receptor),
* ``k_gtpase_per_ms = K4``,
* the four GIRK binding steps multiply to ``KD · n_receptors⁴`` (molecules⁴): with strong
  cooperativity the channel's equilibrium open fraction is the model's Hill function
  (see :meth:`GIRKParams.open_probability`).

``docs/reference/parameters.md`` lists every number with its source and confidence.
"""

from __future__ import annotations

from ..engine.checks import check_count, check_nonnegative, check_positive
from ..presynaptic.autoreceptors import CaInhibition
from .metabotropic import GIRKParams, MetabotropicReceptor
from .receptors import ReceptorScheme, Transition

__all__ = [
    "DESTEXHE_GABAB",
    "d2_autoreceptor",
    "gabab_autoreceptor",
    "gabab_girk",
    "girk_for_hill",
]

_GABAB_MOD = (
    "Destexhe, Bal, McCormick & Sejnowski 1996 (J Neurophysiol 76:2049), reduced GABA-B model, "
    "ModelDB gabab.mod; fitted to Otis, De Koninck & Mody 1993 (J Physiol 463:391)"
)

#: Constants of the reduced GABA-B model (gabab.mod PARAMETER block), in that file's units.
DESTEXHE_GABAB = {
    "K1_per_mM_per_ms": 0.52,  # transmitter binding to the receptor
    "K2_per_ms": 0.0013,  # unbinding
    "K3_per_ms": 0.098,  # G-protein production by the active receptor
    "K4_per_ms": 0.033,  # G-protein decay
    "KD": 100.0,  # of the Hill function, in G⁴ units
    "n_sites": 4,  # G-proteins per channel
    "e_rev_mV": -95.0,  # E_K
    "pulse_mM": 0.5,  # Cmax of the transmitter pulse
    "pulse_ms": 0.3,  # Cdur
}


def _one_site_scheme(name: str, kon_per_uM_per_ms: float, koff_per_ms: float,
                     source: str) -> ReceptorScheme:
    # R + T <-> RT; the bound receptor is the active one (no separate activation step).
    return ReceptorScheme(
        name,
        ("R", "RT"),
        (Transition("R", "RT", kon_per_uM_per_ms, "bind"),
         Transition("RT", "R", koff_per_ms, "unbind")),
        ("RT",),
        0.0,
        0.0,
        source=source,
    )


def girk_for_hill(
    n_channels: int,
    g_unit_molecules: float,
    *,
    kd_hill: float = DESTEXHE_GABAB["KD"],
    n_sites: int = 4,
    cooperativity: float = 10.0,
    koff_per_ms: float = 50.0,
    conductance_pS: float = 5.0,
    e_rev_mV: float = DESTEXHE_GABAB["e_rev_mV"],
    source: str = "",
) -> GIRKParams:
    """GIRK channels whose equilibrium open fraction approximates ``G^n / (G^n + kd_hill)``.

    ``G`` is the free active G-protein count divided by ``g_unit_molecules``. The product of
    the step constants is ``kd_hill · g_unit^n``; ``cooperativity`` spreads it over the steps
    (the larger, the closer to the Hill function; with the default 10 the open fraction is
    within 5 % below it for ``G <= 1`` and within 14 % below it for ``G <= 6``).
    """
    n = check_count("n_sites", n_sites, minimum=1)
    check_positive("g_unit_molecules", g_unit_molecules)
    check_positive("kd_hill", kd_hill)
    # prod_b K_b = K_site^n / c^(n(n-1)/2) (the statistical factors cancel in the product).
    kd_site = (kd_hill * g_unit_molecules**n * cooperativity ** (n * (n - 1) / 2)) ** (1.0 / n)
    return GIRKParams(n_channels, n, kd_site, cooperativity, koff_per_ms, conductance_pS,
                      e_rev_mV, source)


def gabab_girk(
    n: int = 20,
    *,
    n_channels: int = 20,
    g_proteins_per_receptor: int = 100,
    name: str = "GABAB",
    conductance_pS: float = 5.0,
    exposure: float = 1.0,
) -> MetabotropicReceptor:
    """Postsynaptic GABA-B receptors with GIRK channels (reduced Destexhe model, exact).

    Parameters
    ----------
    n : int
        Receptors; also the G* count that equals one unit of the model's ``G``.
    n_channels : int
        GIRK channels.
    g_proteins_per_receptor : int
        Inactive G-proteins per receptor at rest (the model assumes them in excess).
    name : str
        Species prefix and target name.
    conductance_pS : float
        Conductance of one open GIRK channel.
    exposure : float
        Factor on the binding rate: the fraction of the cleft's transmitter that perisynaptic
        receptors see (1: they sit in the cleft compartment). See the docs' background page.
    """
    d = DESTEXHE_GABAB
    check_count("n", n)
    kon = d["K1_per_mM_per_ms"] * 1e-3 * check_nonnegative("exposure", exposure)
    scheme = _one_site_scheme(name, kon, d["K2_per_ms"], _GABAB_MOD)
    girk = girk_for_hill(
        n_channels, max(n, 1), conductance_pS=conductance_pS,
        source=f"{_GABAB_MOD}; n = 4 G-proteins per channel (Destexhe & Sejnowski 1995 PNAS "
        "92:9515); four equivalent Gβγ sites per channel: Ivanova-Nikolova et al. 1998 (J Gen Physiol)",
    )
    return MetabotropicReceptor(
        scheme, n, g_proteins_per_receptor * n, d["K3_per_ms"], d["K4_per_ms"], girk=girk,
        source=_GABAB_MOD,
    )


def gabab_autoreceptor(
    n: int = 20,
    *,
    g_proteins_per_receptor: int = 100,
    max_inhibition: float = 0.4,
    name: str = "GABAB_pre",
    exposure: float = 1.0,
) -> MetabotropicReceptor:
    """GABA-B autoreceptors on a GABAergic terminal inhibiting its Ca²⁺ channels.

    Receptor and G-protein kinetics (and ``exposure``) as :func:`gabab_girk`; half of the
    Gβγ-sensitive channels are bound at one free G* per receptor (one unit of the model's ``G``).
    """
    d = DESTEXHE_GABAB
    check_count("n", n)
    kon = d["K1_per_mM_per_ms"] * 1e-3 * check_nonnegative("exposure", exposure)
    scheme = _one_site_scheme(name, kon, d["K2_per_ms"], _GABAB_MOD)
    inhibition = CaInhibition(
        max_inhibition, float(max(n, 1)),
        source="Gβγ binds the Ca-channel α1 subunit (Herlitze et al. 1996 Nature 380:258; Ikeda "
        "1996 Nature 380:255); GABA-B inhibits presynaptic Ca2+ current at the calyx of Held "
        "(Takahashi, Kajikawa & Tsujimoto 1998 J Neurosci 18:3138; Isaacson 1998 J "
        "Neurophysiol 80:1571); max_inhibition 0.4 is an unverified typical value",
    )
    return MetabotropicReceptor(
        scheme, n, g_proteins_per_receptor * n, d["K3_per_ms"], d["K4_per_ms"],
        ca_inhibition=inhibition, source=_GABAB_MOD,
    )


def d2_autoreceptor(
    n: int = 20,
    *,
    g_proteins_per_receptor: int = 100,
    max_inhibition: float = 0.4,
    name: str = "D2",
) -> MetabotropicReceptor:
    """D2 autoreceptors on a dopaminergic terminal (binding from Dreyer's DopamineToolbox).

    Binding: kon 0.003 nM⁻¹ s⁻¹ = 0.003 µM⁻¹ ms⁻¹, koff 0.3 s⁻¹ (Kd 100 nM), the terminal
    feedback receptor of the Lundbeck DopamineToolbox (Dreyer et al.). G-protein kinetics and Ca²⁺
    inhibition are those of the GABA-B autoreceptor (both couple to Gi/o): an assumption.
    """
    check_count("n", n)
    scheme = _one_site_scheme(
        name, 0.003, 3e-4,
        "DopamineToolbox (Lundbeck-Biometrics/Dopamine-Simulation-Tools, Dreyer et al.), "
        "TerminalFeedback(3.0, 0.3e-2 /nM/s, 0.3 /s)",
    )
    inhibition = CaInhibition(
        max_inhibition, float(max(n, 1)),
        source="as gabab_autoreceptor (assumption for D2, Gi/o-coupled)",
    )
    d = DESTEXHE_GABAB
    return MetabotropicReceptor(
        scheme, n, g_proteins_per_receptor * n, d["K3_per_ms"], d["K4_per_ms"],
        ca_inhibition=inhibition, source="binding: DopamineToolbox; cascade: as GABA-B (assumption)",
    )
