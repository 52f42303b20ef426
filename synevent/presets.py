"""Preset synapses with sourced parameters.

Each factory returns a :class:`SynapseParams`; keyword overrides are applied with
:meth:`SynapseParams.replace` (nested blocks take dicts), e.g.
``presets.glutamatergic(vesicles={"n_sites": 4})``. The sources of every number are in each
preset's ``sources`` mapping and in ``docs/reference/parameters.md``, which also says where
sources disagree and which value was picked.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .cleft.cleft import CleftParams
from .cleft.clearance import EnzymeParams
from .cleft.transporter_library import dat, eaat2, sert
from .engine.checks import ParameterError
from .postsynaptic.library import (
    ampa_destexhe_6state,
    gabaa_destexhe_5state,
    nachr_two_site,
    nmda_destexhe_5state,
)
from .postsynaptic.receptors import ReceptorScheme, Transition
from .presynaptic.calcium import CalciumParams
from .presynaptic.facilitation import FacilitationParams, k_f_from_paired_pulse
from .presynaptic.sensor import SensorParams
from .presynaptic.vesicles import VesicleParams
from .synapse import ReceptorPopulation, SynapseParams

__all__ = [
    "PRESETS",
    "calyx_of_held",
    "dopaminergic",
    "facilitation_schaffer_collateral",
    "gabaergic",
    "get",
    "glutamatergic",
    "neuromuscular",
    "neuromuscular_site",
    "serotonergic",
    "sensor_five_site",
    "sensor_allosteric",
]


def sensor_five_site() -> SensorParams:
    """Five-site sequential sensor, rates of Sun et al. 2007 (Nature 450:676; ModelDB 105506).

    kon 1.53e8 /M/s, koff 5800 /s, b 0.25, γ 6000 /s, and the measured Ca²⁺-independent
    spontaneous fusion rate 4.17e-4 /s per vesicle as ``l_plus`` (``f = 1``). Reproduces the
    Schneggenburger & Neher (2000) observation that a 10 µM step releases ~80 % of the pool
    within 3 ms (78 %, see the tests).
    """
    return SensorParams(
        n_sites=5, kon_per_uM_per_ms=0.153, koff_per_ms=5.8, b=0.25,
        l_plus_per_ms=4.17e-7, f=1.0, gamma_per_ms=6.0,
    )


def sensor_allosteric() -> SensorParams:
    """Allosteric sensor of Lou, Scheuss & Schneggenburger 2005 (Nature 435:497).

    kon 1e8 /M/s, koff 4000 /s, b 0.5, l+ 2e-4 /s, f 31.3 (values as carried by three
    independent model codes; the paper itself was not available to us). Note: with these
    constants a 10 µM step releases only 23 % of the pool in 3 ms, against ~80 % measured by
    Schneggenburger & Neher (2000); see docs/background/model.md.
    """
    return SensorParams(
        n_sites=5, kon_per_uM_per_ms=0.1, koff_per_ms=4.0, b=0.5,
        l_plus_per_ms=2e-7, f=31.3, gamma_per_ms=0.0,
    )


# Half-saturation of the Ca2+ flux through an open channel against [Ca2+]o: permeation saturates
# at tens of mM (single-site permeation, Hess, Lansman & Tsien 1986). NOTE: Bennett et al.'s
# 0.13 mM (1977) is the constant of the whole p-[Ca]o law, which the sensor already produces;
# using it here too counted the saturation twice and flattened the cooperativity (CA-COOP).
CA_FLUX_KD_MM = 14.0


def _ca(**kw: Any) -> CalciumParams:
    # Local transient with half-width 0.4 ms (Meinrenken, Borst & Sakmann 2002).
    base = dict(ca_rest_uM=0.05, tau_rise_ms=0.1, tau_decay_ms=0.25, residual_uM=0.1,
                tau_residual_ms=100.0, ca_ext_mM=2.0, ca_ext_ref_mM=2.0, kd_ca_ext_mM=CA_FLUX_KD_MM)
    base.update(kw)
    return CalciumParams(**base)


# Schaffer collateral fit of Dittman, Kreitzer & Regehr 2000 (J Neurosci 20:1374), as coded in
# ModelDB 98003 (Baker): first-spike release probability F1, paired-pulse ratio at short
# intervals rho, decay of the Ca-bound facilitation site tau_F.
SC_F1, SC_RHO, SC_TAU_F_MS = 0.24, 2.2, 100.0


def facilitation_schaffer_collateral() -> FacilitationParams:
    """Facilitation site XF of the CA3→CA1 synapse (Dittman, Kreitzer & Regehr 2000).

    ``delta_f`` 1 (the paper's unit increment), ``tau_f_ms`` 100, and ``k_f`` 0.671 from the
    fitted F1 = 0.24 and rho = 2.2
    (:func:`~synevent.presynaptic.facilitation.k_f_from_paired_pulse`).
    """
    return FacilitationParams(delta_f=1.0, k_f=k_f_from_paired_pulse(SC_F1, SC_RHO),
                              tau_f_ms=SC_TAU_F_MS)


def _with_sources(s: SynapseParams, drop: tuple[str, ...], add: dict[str, str],
                  overrides: dict[str, Any]) -> SynapseParams:
    """Replace inherited source entries that no longer apply, then apply user overrides."""
    kept = {k: v for k, v in s.sources.items() if not k.startswith(drop)}
    s = s.replace(sources={**kept, **add})
    return s.replace(**overrides) if overrides else s


_COMMON_SOURCES = {
    "sensor": "Sun et al. 2007 Nature 450:676 (ModelDB 105506, authors' code)",
    "calcium.tau_rise_ms/tau_decay_ms": "half-width 0.4 ms: Meinrenken, Borst & Sakmann 2002 J Neurosci 22:1648",
    "calcium.kd_ca_ext_mM": "14 mM: saturation of Ca2+ permeation of an open Ca channel, Hess, Lansman & Tsien 1986 J Gen Physiol 88:293 (recollection, not verified); not Bennett et al. 1977's 0.13 mM, which is the constant of the whole p-[Ca]o law",
    "calcium.residual_uM/tau_residual_ms": "~0.1 uM, ~100 ms: Helmchen, Borst & Sakmann 1997 Biophys J 72:1458 (unverified recollection)",
    "calcium.ca_rest_uM": "50 nM: Keller et al. 2015 PLoS Comput Biol 11:e1004253 model (range 50-100 nM)",
    "vesicles.tau_retrieval_kr_ms": "0.4-0.86 s: Gandhi & Stevens 2003 Nature 423:607; <2 s: Wu & Wu 2009 J Neurosci 29:11038",
    "vesicles.tau_retrieval_full_ms": "8-21 s: Gandhi & Stevens 2003; 10-20 s: Wu & Wu 2009",
    "vesicles.kiss_and_run_fraction": "at most 40 % of content per event: Omiatek et al. 2013 Sci Rep 3:1447 (assumption 0.3)",
}


# First-order escape of glutamate from one CA1-sized cleft (see the source entry in
# ``glutamatergic``): slower than 1/1.2 ms because EAAT2 and receptor binding also clear the cleft.
GLU_ESCAPE_PER_MS = 0.6


def glutamatergic(**overrides: Any) -> SynapseParams:
    """CA3→CA1 Schaffer collateral synapse (rat hippocampus, 35 °C)."""
    s = SynapseParams(
        name="glutamatergic",
        transmitter="glu",
        animal="rat",
        temperature_C=35.0,
        description="Schaffer collateral CA3->CA1 synapse: one active zone, AMPA + NMDA receptors, "
        "glial EAAT2 transporters, 3000 glutamate per vesicle.",
        calcium=_ca(local_peak_uM=21.87),
        sensor=sensor_five_site(),
        facilitation=facilitation_schaffer_collateral(),
        vesicles=VesicleParams(
            n_sites=1, slots_per_site=2, n_reserve=200, k_dock_per_ms=2.4e-4, k_undock_per_ms=0.0,
            k_prime_per_ms=0.1, k_unprime_per_ms=0.0, molecules_per_vesicle=3000.0, quantal_cv=0.2,
            p_kiss_and_run=0.2, kiss_and_run_fraction=0.3, tau_retrieval_full_ms=15000.0,
            tau_retrieval_kr_ms=1000.0, tau_refill_ms=1000.0,
        ),
        cleft=CleftParams(radius_nm=150.0, height_nm=20.0, diffusion_um2_per_ms=0.33,
                          k_escape_per_ms=GLU_ESCAPE_PER_MS),
        receptors=(
            ReceptorPopulation(ampa_destexhe_6state(conductance_pS=10.0), 80),
            ReceptorPopulation(nmda_destexhe_5state(conductance_pS=50.0), 20),
        ),
        transporters=(eaat2(600),),
        v_hold_mV=-70.0,
        mg_mM=1.0,
        sources={
            **_COMMON_SOURCES,
            "calcium.local_peak_uM": "21.87 uM: calibrated so that p = 0.24 per primed vesicle, F1 of the Schaffer collateral fit of Dittman, Kreitzer & Regehr 2000 J Neurosci 20:1374 (via ModelDB 98003); the calyx estimate of 25 uM (Schneggenburger & Neher 2000) gives 0.32, above the 1/(1 + rho) = 0.31 that the measured facilitation allows",
            "facilitation": "site XF of Dittman, Kreitzer & Regehr 2000 J Neurosci 20:1374, Schaffer collateral fit (F1 0.24, rho 2.2, tau_F 100 ms, delta_F 1; k_f = 0.671 derived), values as coded in ModelDB 98003 (Baker); the sensor is synaptotagmin 7 (Jackman et al. 2016 Nature 529:88)",
            "vesicles.slots_per_site": "2 docked vesicles: Nikonenko & Skibo 2006 (via model code)",
            "vesicles.k_dock_per_ms": "0.24 /s replacement: Wesseling & Lo 2002 J Neurosci 22:9708",
            "vesicles.molecules_per_vesicle": "3000: Franks, Bartol & Sejnowski 2002 Biophys J 83:2333",
            "vesicles.quantal_cv": "<=0.2: Kullmann 1993 Proc R Soc B 253:107",
            "vesicles.tau_refill_ms": "~1 s reacidification at 35 C: Granseth & Lagnado 2008 J Physiol",
            "cleft": "h 20 nm, r 150 nm: Saftenku 2005 (ModelDB 3658), Garris 1994; D 0.33 um2/ms: Nielsen et al. 2004 Neuron 42:757",
            "cleft.k_escape_per_ms": "0.6 /ms: set so that the preset's mean single-quantum cleft glutamate transient, with its EAAT2 and receptors binding, decays to 1/e in 1.2 ms (1.17 ms simulated) as measured by Clements et al. 1992 Science 258:1498; escape alone at 0.8 /ms (1/1.25 ms) ignored that binding and gave 0.88 ms",
            "receptors": "80 AMPA + 20 NMDA: Franks et al. 2002; schemes: Destexhe et al. 1994 (ampa5.mod, nmda5.mod)",
            "receptors.conductance_pS": "AMPA 10 pS, NMDA 50 pS: textbook values (unverified)",
            "transporters.EAAT2.n": "8500 /um2 (Lehre & Danbolt 1998 J Neurosci 18:8751) x PSD area (assumption)",
            "transporters.EAAT2.kinetics": "kon ~1e7 /M/s (as fast as receptor binding per Wadiche & Kavanaugh 1998, no number given: unverified); cycle ~70 ms (Wadiche et al. 1995 Neuron 14:1019); koff, translocation as in the canonical network",
        },
    )
    return s.replace(**overrides) if overrides else s


def calyx_of_held(**overrides: Any) -> SynapseParams:
    """Calyx of Held → MNTB principal cell (rat, P8-P10, room temperature)."""
    s = glutamatergic().replace(
        name="calyx_of_held",
        temperature_C=23.0,
        description="Giant calyx of Held terminal: ~700 readily releasable vesicles at ~700 "
        "release sites, lumped into one cleft compartment.",
        calcium={"local_peak_uM": 20.26},
        facilitation=FacilitationParams(),
        vesicles={"n_sites": 700, "slots_per_site": 1, "n_reserve": 2000, "k_dock_per_ms": 2.2e-4,
                  "k_prime_per_ms": 0.1, "p_kiss_and_run": 0.0, "tau_refill_ms": 5500.0},
        cleft=CleftParams(radius_nm=150.0 * 700 ** 0.5, height_nm=20.0, diffusion_um2_per_ms=0.33,
                          k_escape_per_ms=GLU_ESCAPE_PER_MS),
        receptors=(ReceptorPopulation(ampa_destexhe_6state(conductance_pS=10.0), 80 * 700),),
        transporters=(eaat2(600 * 700),),
    )
    return _with_sources(s, ("vesicles.slots_per_site", "receptors", "cleft", "transporters.EAAT2.n",
                             "facilitation"), {
        "calcium.local_peak_uM": "20.26 uM: calibrated so that p = 0.2 of the RRP per AP (Schneggenburger, Meyer & Neher 1999); the S&N 2000 estimate of 25 uM would give 0.32",
        "vesicles.n_sites": "RRP ~700 quanta, ~0.2 released per AP: Schneggenburger, Meyer & Neher 1999 Neuron 23:399",
        "vesicles.k_dock_per_ms": "RRP recovery tau ~4.5 s: von Gersdorff et al. 1997 Neuron 18:795 (unverified recollection)",
        "vesicles.tau_refill_ms": "5.5 s reacidification at 25 C: Granseth & Lagnado 2008",
        "cleft": "700 CA1-sized clefts lumped (assumption); escape rate of one cleft of the glutamatergic preset (Clements et al. 1992, with the same EAAT2 and receptor densities)",
        "receptors": "80 AMPA per active zone (Franks et al. 2002) x 700; scheme ampa5.mod (Destexhe et al. 1994)",
        "receptors.conductance_pS": "AMPA 10 pS: textbook value (unverified)",
        "transporters.EAAT2.n": "600 per active zone as in the glutamatergic preset, x 700 (assumption)",
    }, overrides)


def gabaergic(**overrides: Any) -> SynapseParams:
    """GABAergic synapse onto dentate granule cells (adult rat, 34-35 °C)."""
    s = glutamatergic().replace(
        name="gabaergic",
        transmitter="GABA",
        temperature_C=34.5,
        description="Inhibitory synapse: one active zone, GABA-A receptors (Destexhe gabaa5 scheme, "
        "Otis & Mody 1992 data); clearance by diffusion.",
        receptors=(ReceptorPopulation(gabaa_destexhe_5state(conductance_pS=29.0), 60),),
        transporters=(),
        calcium={"local_peak_uM": 25.0},
        facilitation=FacilitationParams(),
        vesicles={"molecules_per_vesicle": 3000.0, "p_kiss_and_run": 0.0},
        # No transporters here, so escape alone must give the 1.2 ms decay (1/1.25 ms).
        cleft={"k_escape_per_ms": 0.8},
        v_hold_mV=0.0,
    )
    return _with_sources(s, ("transporters", "receptors", "facilitation"), {
        "calcium.local_peak_uM": "25 uM: Schneggenburger & Neher 2000 Nature 406:889 (calyx estimate, assumed here)",
        "cleft.k_escape_per_ms": "0.8 /ms: the 1.2 ms decay of cleft glutamate (Clements et al. 1992) with escape as the only sink (this preset has no transporters); assumption for GABA",
        "receptors": "gabaa5.mod (Destexhe et al. 1994; data Otis & Mody 1992 Neuroscience 49:13); <80 receptors per synapse: Nusser, Cull-Candy & Farrant 1997 Neuron 19:697",
        "receptors.conductance_pS": "29 pS: recombinant a1b1g2 (J Neurosci, PMC6762978) and a1b2g2L in HEK293 cells (~29 pS)",
        "vesicles.molecules_per_vesicle": "few thousand GABA per vesicle (unverified); 3000 assumed",
        "v_hold_mV": "0 mV so the Cl- current (E_rev -80 mV) is outward",
    }, overrides)


# The endplate is built from release sites, each facing its own patch of primary cleft with the
# measured receptor and AChE densities. 1 µm² per site is an assumption (a quantum acts on < 2 µm²:
# Hartzell, Kuffler & Yoshikami 1975); the reserve pool is also per site (5000 for 50 sites).
NMJ_AREA_PER_SITE_UM2, NMJ_RESERVE_PER_SITE = 1.0, 100
NACHR_PER_UM2, ACHE_PER_UM2 = 1e4, 3000


def _endplate(name: str, n_sites: int, description: str) -> SynapseParams:
    """Rat diaphragm release sites and the cleft patch they face, lumped into one compartment."""
    area_um2 = n_sites * NMJ_AREA_PER_SITE_UM2
    return SynapseParams(
        name=name,
        transmitter="ACh",
        animal="rat",
        temperature_C=23.0,
        description=description,
        calcium=_ca(local_peak_uM=52.9),
        sensor=sensor_five_site(),
        vesicles=VesicleParams(
            n_sites=n_sites, slots_per_site=1, n_reserve=NMJ_RESERVE_PER_SITE * n_sites,
            k_dock_per_ms=2.2e-4, k_prime_per_ms=0.1, molecules_per_vesicle=9000.0,
            quantal_cv=0.2, p_kiss_and_run=0.0, tau_retrieval_full_ms=15000.0,
            tau_retrieval_kr_ms=1000.0, tau_refill_ms=5500.0,
        ),
        cleft=CleftParams(radius_nm=(area_um2 / math.pi) ** 0.5 * 1000.0, height_nm=50.0,
                          diffusion_um2_per_ms=0.4),
        receptors=(ReceptorPopulation(nachr_two_site(conductance_pS=50.0),
                                      int(NACHR_PER_UM2 * area_um2)),),
        enzymes=(EnzymeParams("AChE", int(ACHE_PER_UM2 * area_um2), kon_per_uM_per_ms=0.16,
                              koff_per_ms=0.0, kcat_per_ms=10.0),),
        v_hold_mV=-80.0,
        mg_mM=1.0,
        sources={
            **_COMMON_SOURCES,
            "calcium.local_peak_uM": "52.9 uM: calibrated so that p = 0.85 per site (rat diaphragm binomial fits, V-01; Wood & Slater 2001 Prog Neurobiol 64:393)",
            "vesicles.n_sites": "n = 45-53 (rat diaphragm binomial fits, V-01)",
            "vesicles.molecules_per_vesicle": "9000 ACh: Bennett et al. 1997 Biophys J 72:1595; <=10^4: Kuffler & Yoshikami 1975 J Physiol 251:465",
            "cleft.height_nm": "50 nm primary cleft (textbook)",
            "cleft.area": "one quantum acts on < 2 um2: Hartzell, Kuffler & Yoshikami 1975; 1 um2 per release site (assumption)",
            "receptors": "AChR 1e4 /um2: Matthews-Bellinger & Salpeter 1983; Salpeter et al. 1988",
            "receptors.conductance_pS": "50 pS (textbook, unverified)",
            "enzymes.AChE.n": "2990 /um2: Anglister et al. 1998 J Neurosci Methods 81:63",
            "enzymes.AChE.kcat_per_ms": "~1e4 /s: Rosenberry 1975 PNAS 72:3834 (via secondary)",
            "enzymes.AChE.kon_per_uM_per_ms": "1.6e8 /M/s, diffusion-limited (assumption)",
        },
    )


def neuromuscular(**overrides: Any) -> SynapseParams:
    """Neuromuscular junction (rat diaphragm quantal parameters), nicotinic receptors, AChE.

    All 50 release sites share one well-mixed cleft of 50 µm², so a quantum is diluted over the
    whole endplate: release statistics and relative effects (AChE inhibition, toxins) are right,
    absolute quantal currents are ~20 times too small (validation case QUANTUM). For absolute
    currents use :func:`neuromuscular_site`, one site with its own 1 µm² patch, and connect 50 of
    them to one clamped fibre in a :class:`~synevent.Circuit`.
    """
    s = _endplate("neuromuscular", 50, "Endplate with 50 release sites of high release "
                  "probability (binomial fits, rat diaphragm), nicotinic receptors and "
                  "acetylcholinesterase in one lumped cleft (a quantum is diluted over the whole "
                  "endplate: absolute currents ~20x too small, validation case QUANTUM; "
                  "neuromuscular_site has the patch of one site).")
    return s.replace(**overrides) if overrides else s


def neuromuscular_site(**overrides: Any) -> SynapseParams:
    """One release site of the rat diaphragm endplate and the 1 µm² cleft patch its quantum acts on.

    The release machinery, receptor scheme and AChE are those of :func:`neuromuscular`; the cleft,
    receptors (10⁴) and AChE (3000) are one site's share of its 50 µm². A quantum's ACh reaches
    ~0.3 mM here instead of ~6 µM in the lumped endplate, as at a real endplate, where it acts on
    less than 2 µm². ACh that diffuses out of the patch is lost, which is right for a single
    quantum among idle neighbours and underestimates the cleft ACh when neighbours release too.
    """
    s = _endplate("neuromuscular_site", 1, "One release site of the rat diaphragm endplate "
                  "(p = 0.85) with its 1 µm² patch of cleft, nicotinic receptors and "
                  "acetylcholinesterase: absolute quantal currents (validation case QUANTUM); "
                  "50 of them onto one fibre make an endplate.")
    return _with_sources(s, ("vesicles.n_sites",), {
        "vesicles.n_sites": "one of the endplate's 45-53 sites (rat diaphragm binomial fits, V-01)",
    }, overrides)


def _binding_receptor(name: str, kon_per_uM_per_ms: float, koff_per_ms: float, source: str) -> ReceptorScheme:
    return ReceptorScheme(
        name, ("R", "RL"),
        (Transition("R", "RL", kon_per_uM_per_ms, "bind"), Transition("RL", "R", koff_per_ms, "unbind")),
        (), 0.0, 0.0, False, source,
    )


def dopaminergic(**overrides: Any) -> SynapseParams:
    """Striatal dopaminergic varicosity (rat, in vivo 37 °C), DAT uptake, D1 receptor binding."""
    area_um2 = 2 * 3.141592653589793 * 0.15**2
    s = SynapseParams(
        name="dopaminergic",
        transmitter="DA",
        animal="rat",
        temperature_C=37.0,
        description="One striatal dopamine release site with low release probability; DAT on the "
        "terminal feeds the cytosolic stock; D1 receptors bind (metabotropic: no current here).",
        calcium=_ca(local_peak_uM=13.19),
        sensor=sensor_five_site(),
        vesicles=VesicleParams(
            n_sites=1, slots_per_site=1, n_reserve=200, k_dock_per_ms=2.4e-4, k_prime_per_ms=0.1,
            molecules_per_vesicle=3000.0, quantal_cv=0.2, p_kiss_and_run=0.0,
            tau_refill_ms=1000.0, stock_initial=1_000_000, stock_max=1_000_000, synthesis_per_ms=10.0,
        ),
        cleft=CleftParams(radius_nm=150.0, height_nm=15.0, diffusion_um2_per_ms=0.763 / 1.54**2),
        receptors=(ReceptorPopulation(_binding_receptor(
            "D1", 0.01, 0.01, "Dreyer et al. 2010 J Neurosci 30:14273 (DopamineToolbox code): kon 0.01 /nM/s, koff 10 /s"), 100),),
        transporters=(
            dat(int(800 * area_um2)),
        ),
        v_hold_mV=-70.0,
        sources={
            **_COMMON_SOURCES,
            "calcium.local_peak_uM": "13.19 uM: calibrated so that p = 0.06 (Dreyer et al. 2010, via DAcomp)",
            "vesicles.molecules_per_vesicle": "3000 released: Pothos, Davila & Sulzer 1998 J Neurosci 18:4106 (via DAcomp); content 33,000: Omiatek 2013",
            "cleft": "width 15 nm, radius 0.15 um: Garris et al. 1994 (via DAcomp); D 763 um2/s / tortuosity 1.54^2 (Nicholson 1995)",
            "transporters.DAT": "800 /um2 and k12 9.6e6 /M/s, k23 20 /s, k34 5 /s, k41 2 /s (return rate 1/(1/5 s^-1 + 1/2 s^-1) = 1.43 /s, i.e. 0.7 s): Kaya et al. 2018 eNeuro (MCell model, Table 2)",
            "transporters.DAT.koff_per_ms": "11.7 /s, set so that Km = 0.22 uM (V-07; Wu et al. 2001 via DAcomp); Kaya's k14 8 /s would give 0.194 uM",
            "vesicles.synthesis_per_ms": "assumption (keeps the stock full)",
            "receptors.D1": "100 receptors (assumption); kinetics Dreyer 2010 code",
        },
    )
    return s.replace(**overrides) if overrides else s


def serotonergic(**overrides: Any) -> SynapseParams:
    """Serotonergic varicosity (rat, 37 °C), SERT uptake; receptors are extrasynaptic."""
    s = dopaminergic().replace(
        name="serotonergic",
        transmitter="HT",
        description="One serotonergic release site; SERT (Km 0.17 uM) on the terminal. Receptors "
        "are extrasynaptic and metabotropic (not modelled in the cleft).",
        receptors=(),
        vesicles={"molecules_per_vesicle": 4700.0},
        transporters=(
            sert(113),
        ),
    )
    return _with_sources(s, ("transporters", "receptors"), {
        "vesicles.molecules_per_vesicle": "~4700 per small vesicle: Bruns & Jahn 1995 Nature 377:62 (unverified recollection)",
        "transporters.SERT": "Km 0.17 uM: Bunin & Wightman 1998 J Neurosci 18:4854 (via model code); number and kon as DAT (assumption); translocation set so Km = 0.17 uM",
        "calcium.local_peak_uM": "as dopaminergic (assumption: no measured p for 5-HT varicosities)",
    }, overrides)


PRESETS: dict[str, Callable[..., SynapseParams]] = {
    "glutamatergic": glutamatergic,
    "calyx_of_held": calyx_of_held,
    "gabaergic": gabaergic,
    "neuromuscular": neuromuscular,
    "neuromuscular_site": neuromuscular_site,
    "dopaminergic": dopaminergic,
    "serotonergic": serotonergic,
}


def get(name: str, **overrides: Any) -> SynapseParams:
    """The preset called ``name`` with overrides; unknown names raise with the valid list."""
    try:
        factory = PRESETS[name]
    except KeyError:
        volume = ("; striatum_dopamine and serotonin_volume are blocks of tissue, not synapses "
                  "(synevent.striatum_dopamine(), [volume] in scenario files)"
                  if name in ("striatum_dopamine", "serotonin_volume") else "")
        raise ParameterError(
            f'unknown preset "{name}"; valid presets are {sorted(PRESETS)}{volume}') from None
    return factory(**overrides)
