"""Published receptor schemes, rates converted to synevent units (µM, ms).

Every function returns a :class:`ReceptorScheme` whose ``source`` names where the numbers come
from; ``docs/reference/parameters.md`` lists them with units and the line of the model file.
"""

from __future__ import annotations

from .receptors import ReceptorScheme, Transition

__all__ = [
    "ampa_ca3_jonas1993",
    "ampa_destexhe_6state",
    "ampa_purkinje_momiyama2003",
    "ampa_two_state",
    "gabaa_destexhe_5state",
    "gabaa_two_state",
    "nachr_two_site",
    "nmda_destexhe_5state",
    "nmda_two_state",
    "RECEPTOR_LIBRARY",
]

_DMS94 = "Destexhe, Mainen & Sejnowski 1994 (J Comput Neurosci 1:195; ModelDB 18198)"
_JMS93 = "Jonas, Major & Sakmann 1993 (J Physiol 472:615), AMPA receptor kinetic model"
_MOM03 = ("Momiyama et al. 2003 (J Physiol 549:75), Purkinje-cell AMPA receptor model, rates as "
          "cited by Hartveit & Veruki 2006 (J Physiol 574:751) and transcribed in the public "
          "QSTIMB code (github.com/TaggB/QSTIMB, function GluMom03)")


def _pair(a: str, b: str, fwd: float, back: float, kind: str = "conf") -> list[Transition]:
    back_kind = {"bind": "unbind", "conf": "conf"}[kind]
    return [Transition(a, b, fwd, kind), Transition(b, a, back, back_kind)]


def _two_state(name: str, alpha_per_mM_per_ms: float, beta_per_ms: float, e_rev_mV: float,
               conductance_pS: float, mg_block: bool = False) -> ReceptorScheme:
    # C + T <-> O: the closed receptor binds and opens in one step, as in the minimal model.
    return ReceptorScheme(
        name,
        ("C", "O"),
        tuple(_pair("C", "O", alpha_per_mM_per_ms * 1e-3, beta_per_ms, "bind")),
        ("O",),
        conductance_pS,
        e_rev_mV,
        mg_block,
        f"{_DMS94}, two-state minimal model",
    )


def ampa_two_state(conductance_pS: float = 10.0) -> ReceptorScheme:
    """AMPA minimal model: α 1.1 /(mM·ms), β 0.19 /ms, E_rev 0 mV."""
    return _two_state("AMPA", 1.1, 0.19, 0.0, conductance_pS)


def nmda_two_state(conductance_pS: float = 50.0) -> ReceptorScheme:
    """NMDA minimal model: α 0.072 /(mM·ms), β 0.0066 /ms, E_rev 0 mV, Mg²⁺ block."""
    return _two_state("NMDA", 0.072, 0.0066, 0.0, conductance_pS, mg_block=True)


def gabaa_two_state(conductance_pS: float = 29.0) -> ReceptorScheme:
    """GABA-A minimal model: α 5 /(mM·ms), β 0.18 /ms, E_rev −80 mV."""
    return _two_state("GABAA", 5.0, 0.18, -80.0, conductance_pS)


def ampa_destexhe_6state(conductance_pS: float = 10.0) -> ReceptorScheme:
    """Six-state AMPA scheme of ampa5.mod (Rb 13 /(mM·ms) for both bindings)."""
    rb = 13e-3  # per µM per ms
    t = (
        _pair("C0", "C1", rb, 0.0059, "bind")
        + _pair("C1", "C2", rb, 86.0, "bind")
        + _pair("C1", "D1", 0.9, 0.064)
        + _pair("C2", "D2", 0.9, 0.064)
        + _pair("C2", "O", 2.7, 0.2)
    )
    return ReceptorScheme(
        "AMPA", ("C0", "C1", "C2", "D1", "D2", "O"), tuple(t), ("O",), conductance_pS, 0.0,
        False, f"{_DMS94}, ampa5.mod (data: Xiang et al. 1994, rat hippocampus)",
    )


def ampa_ca3_jonas1993(conductance_pS: float = 10.0) -> ReceptorScheme:
    """Seven-state AMPA scheme of Jonas, Major & Sakmann (1993), CA3 pyramidal cells, 22 °C.

    Two bindings then opening (C0 ⇄ C1 ⇄ C2 ⇄ O); C1, C2 and O each desensitise (D1, D2, D3,
    the paper's C3, C4, C5), and D1 binds a second glutamate to D2. Rates as in the paper's
    model (1/(mM·ms) for bindings, converted to µM here); the rows of
    ``docs/reference/parameters.md`` give each rate and where it was read.
    """
    t = (
        _pair("C0", "C1", 4.59e-3, 4.26, "bind")
        + _pair("C1", "C2", 28.4e-3, 3.26, "bind")
        + _pair("C2", "O", 4.24, 0.90)
        + _pair("C1", "D1", 2.89, 0.0392)
        + _pair("C2", "D2", 0.172, 0.000727)
        + _pair("O", "D3", 0.0177, 0.004)
        + _pair("D1", "D2", 1.27e-3, 0.0457, "bind")
        + _pair("D2", "D3", 0.0168, 0.1904)
    )
    return ReceptorScheme(
        "AMPA", ("C0", "C1", "C2", "O", "D1", "D2", "D3"), tuple(t), ("O",), conductance_pS,
        0.0, False, f"{_JMS93} (rat hippocampal CA3 pyramidal cells, 22 °C)",
    )


def ampa_purkinje_momiyama2003(conductance_pS: float = 10.0) -> ReceptorScheme:
    """Nine-state AMPA scheme of cerebellar Purkinje cells (Momiyama et al. 2003).

    Two bindings then opening (C0 ⇄ C1 ⇄ C2 ⇄ O), and O ⇄ OD, a desensitised state entered
    from the open one. C1, C2, O and OD each desensitise to D1, D2, D3 and D4 in a second row,
    where D1 binds a second glutamate (D1 ⇄ D2 ⇄ D3 ⇄ D4). Rates were given in s⁻¹ and
    M⁻¹ s⁻¹; here they are in ms⁻¹ and µM⁻¹ ms⁻¹ (÷ 1000 and ÷ 10⁹). The rows of
    ``docs/reference/parameters.md`` give each rate and where it was read.
    """
    t = (
        _pair("C0", "C1", 13.66e-3, 2.093, "bind")
        + _pair("C1", "C2", 6.019e-3, 4.719, "bind")
        + _pair("C2", "O", 17.23, 3.74)
        + _pair("O", "OD", 0.1141, 0.09047)
        + _pair("C1", "D1", 0.4219, 0.03115)
        + _pair("C2", "D2", 0.8553, 0.04665)
        + _pair("O", "D3", 0.003108, 0.0006912)
        + _pair("OD", "D4", 0.01878, 0.0003242)
        + _pair("D1", "D2", 6.019e-3, 3.486, "bind")
        + _pair("D2", "D3", 0.4764, 0.4209)
        + _pair("D3", "D4", 10.34, 0.6363)
    )
    return ReceptorScheme(
        "AMPA", ("C0", "C1", "C2", "O", "OD", "D1", "D2", "D3", "D4"), tuple(t), ("O",),
        conductance_pS, 0.0, False, f"{_MOM03} (rat cerebellar Purkinje cells)",
    )


def nmda_destexhe_5state(conductance_pS: float = 50.0) -> ReceptorScheme:
    """Five-state NMDA scheme of nmda5.mod, with Mg²⁺ block (Jahr & Stevens 1990)."""
    rb = 5e-3
    t = (
        _pair("C0", "C1", rb, 12.9e-3, "bind")
        + _pair("C1", "C2", rb, 12.9e-3, "bind")
        + _pair("C2", "D", 8.4e-3, 6.8e-3)
        + _pair("C2", "O", 46.5e-3, 73.8e-3)
    )
    return ReceptorScheme(
        "NMDA", ("C0", "C1", "C2", "D", "O"), tuple(t), ("O",), conductance_pS, 0.0, True,
        f"{_DMS94}, nmda5.mod (data: Hessler, Shirke & Malinow 1993)",
    )


def gabaa_destexhe_5state(conductance_pS: float = 29.0) -> ReceptorScheme:
    """Five-state GABA-A scheme of gabaa5.mod (two open states), E_rev −80 mV."""
    t = (
        _pair("C0", "C1", 0.02, 4.6, "bind")
        + _pair("C1", "C2", 0.01, 9.2, "bind")
        + _pair("C1", "O1", 3.3, 9.8)
        + _pair("C2", "O2", 10.6, 0.41)
    )
    return ReceptorScheme(
        "GABAA", ("C0", "C1", "C2", "O1", "O2"), tuple(t), ("O1", "O2"), conductance_pS, -80.0,
        False, f"{_DMS94}, gabaa5.mod (data: Otis & Mody 1992, rat dentate gyrus, 34-35 °C)",
    )


def nachr_two_site(conductance_pS: float = 50.0) -> ReceptorScheme:
    """Muscle nicotinic receptor: two equal binding sites, then opening of A2R.

    Microscopic dissociation constant 77 µM and efficacy β/α = 32 (Colquhoun & Ogden 1988,
    frog endplate); opening rate β = 15 /ms (Liu & Dilger 1991); association rate
    0.1 /(µM·ms) (diffusion-limited, an assumption documented in the parameter table).
    """
    kon = 0.1
    koff = 77.0 * kon
    beta = 15.0
    alpha = beta / 32.0
    t = (
        _pair("R", "AR", 2 * kon, koff, "bind")
        + _pair("AR", "A2R", kon, 2 * koff, "bind")
        + _pair("A2R", "A2O", beta, alpha)
    )
    return ReceptorScheme(
        "nAChR", ("R", "AR", "A2R", "A2O"), tuple(t), ("A2O",), conductance_pS, 0.0, False,
        "Colquhoun & Ogden 1988 (J Physiol 395:131); Liu & Dilger 1991 (Biophys J 60:424)",
    )


#: Built-in schemes by name.
RECEPTOR_LIBRARY = {
    "ampa_two_state": ampa_two_state,
    "ampa_destexhe_6state": ampa_destexhe_6state,
    "ampa_ca3_jonas1993": ampa_ca3_jonas1993,
    "ampa_purkinje_momiyama2003": ampa_purkinje_momiyama2003,
    "nmda_two_state": nmda_two_state,
    "nmda_destexhe_5state": nmda_destexhe_5state,
    "gabaa_two_state": gabaa_two_state,
    "gabaa_destexhe_5state": gabaa_destexhe_5state,
    "nachr_two_site": nachr_two_site,
}
