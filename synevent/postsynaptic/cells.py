"""Neuron presets: published cells reduced to one compartment (sources in each ``sources``)."""

from __future__ import annotations

from .ions import IonConcentrations
from .neuron import NeuronParams

__all__ = ["ca1_pyramidal", "cerebellar_granule"]


def ca1_pyramidal(**overrides) -> NeuronParams:
    """A CA1 pyramidal cell reduced to one compartment; the leak reverses at the GHK potential."""
    base = NeuronParams(
        capacitance_pF=200.0,
        g_leak_nS=10.0,
        ions=IonConcentrations(),
        v_threshold_mV=-50.0,
        v_reset_mV=-65.0,
        t_refractory_ms=2.0,
        name="ca1_pyramidal",
        sources={
            "capacitance_pF": "Whole-cell capacitance ~200 pF from a specific capacitance of "
            "~0.9-1 uF/cm2 (Gentet, Stuart & Clements 2000 Biophys J 79:314)",
            "g_leak_nS": "Input resistance ~100 MOhm, membrane time constant ~20 ms "
            "(Spruston & Johnston 1992 J Neurophysiol 67:508)",
            "v_threshold_mV": "Somatic spike threshold about -50 mV (Kole & Stuart 2008 Nat "
            "Neurosci 11:1253; -45 to -55 mV across studies)",
            "ions": "Hille 2001, Ion Channels of Excitable Membranes, Table 1.1; Hodgkin & Katz "
            "1949 J Physiol 108:37 (permeability ratios)",
            "t_refractory_ms": "assumption: absolute refractory period of 2 ms",
            "v_reset_mV": "assumption: reset 15 mV below threshold",
        },
    )
    return base.replace(**overrides) if overrides else base


def cerebellar_granule(**overrides) -> NeuronParams:
    """A cerebellar granule cell: tiny, electrically compact, four mossy-fibre inputs.

    Its rest is set mostly by tonic GABA-A and K2P conductances rather than by the resting
    permeabilities of ``ions``, so the leak reversal is the measured resting potential.
    """
    base = NeuronParams(
        capacitance_pF=3.0,
        g_leak_nS=1.0,
        e_leak_mV=-64.0,
        v_threshold_mV=-40.0,
        v_reset_mV=-64.0,
        t_refractory_ms=2.0,
        name="cerebellar_granule",
        sources={
            "capacitance_pF": "~3 pF (D'Angelo et al. 1995 J Physiol 484:397; Silver et al. "
            "1996 J Physiol 494:231)",
            "g_leak_nS": "Input resistance ~1 GOhm (D'Angelo et al. 1995 J Physiol 484:397)",
            "e_leak_mV": "Resting potential -64 mV in vivo (Chadderton, Margrie & Hausser 2004 "
            "Nature 428:856)",
            "v_threshold_mV": "Spike threshold about -40 mV in vivo (Chadderton, Margrie & "
            "Hausser 2004 Nature 428:856)",
            "inputs": "Four mossy-fibre inputs on average, of which two or more must be active "
            "together to fire the cell (Jakab & Hamori 1988; Jorntell & Ekerot 2006 J Neurosci "
            "26:11786)",
            "t_refractory_ms": "assumption: absolute refractory period of 2 ms",
            "v_reset_mV": "assumption: reset to rest",
        },
    )
    return base.replace(**overrides) if overrides else base
