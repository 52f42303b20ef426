"""Published transporter kinetics as factories: DAT, SERT, NET, EAAT1, EAAT2, GAT1.

Each factory returns a :class:`TransporterParams` with ``n`` transporters whose cycle (bind,
unbind, translocate, reorient) has the measured Michaelis constant and turnover. Where only Km
and the turnover are known, the binding rate is derived from them through
``Km = (koff + kt)/kon · kcat/kt`` with ``kcat = 1/(1/kt + 1/kr)``; the choices are listed in
``docs/pharmacology/transporters.md``.
"""

from __future__ import annotations

from collections.abc import Callable

from ..engine.checks import ParameterError
from .clearance import TransporterParams

__all__ = ["TRANSPORTERS", "dat", "eaat1", "eaat2", "gat1", "net", "sert", "transporter"]

#: DAT Km target (µM): V-07 gives 0.21-0.22 (DAcomp after Wu et al. 2001); V-08 uses 0.22.
DAT_KM_UM = 0.22


def _kon_for(km_uM: float, koff: float, kt: float, kr: float) -> float:
    kcat = 1.0 / (1.0 / kt + 1.0 / kr)
    return (koff + kt) / km_uM * kcat / kt


def _koff_for(km_uM: float, kon: float, kt: float, kr: float) -> float:
    kcat = 1.0 / (1.0 / kt + 1.0 / kr)
    return km_uM * kon * kt / kcat - kt


def dat(n: int) -> TransporterParams:
    """Dopamine transporter: Kaya et al. 2018 cycle (binding 9.6e6 /M/s, translocation 20 /s,
    return 1/(1/5 + 1/2 s)), unbinding set so that Km = 0.22 µM; turnover 1.33 /s."""
    kon, kt, kr = 0.0096, 0.02, 1.0 / 700.0
    return TransporterParams("DAT", n, kon_per_uM_per_ms=kon, koff_per_ms=_koff_for(DAT_KM_UM, kon, kt, kr),
                             k_translocate_per_ms=kt, k_reorient_per_ms=kr, into_terminal=True)


def sert(n: int) -> TransporterParams:
    """Serotonin transporter: Km 0.17 µM (Bunin & Wightman 1998), binding as DAT."""
    return TransporterParams("SERT", n, kon_per_uM_per_ms=0.0096, koff_per_ms=0.0,
                             k_translocate_per_ms=0.00163, k_reorient_per_ms=1.0 / 0.7,
                             into_terminal=True)


def net(n: int) -> TransporterParams:
    """Noradrenaline transporter: Km 0.4 µM (Pacholczyk, Blakely & Amara 1991, 0.3-0.5),
    turnover 2 /s (monoamine transporters 1-5 /s); cycle shaped like DAT's."""
    kt, kr, koff = 0.02, 1.0 / 450.0, 0.01
    return TransporterParams("NET", n, kon_per_uM_per_ms=_kon_for(0.4, koff, kt, kr), koff_per_ms=koff,
                             k_translocate_per_ms=kt, k_reorient_per_ms=kr, into_terminal=True)


def eaat2(n: int) -> TransporterParams:
    """GLT-1/EAAT2: binding 1e7 /M/s (as fast as receptor binding, Wadiche & Kavanaugh 1998, who
    give no number: unverified), cycle ~70 ms (Wadiche et al. 1995); unbinding and translocation
    as in the canonical cleft network. Km 8.6 µM."""
    return TransporterParams("EAAT2", n, kon_per_uM_per_ms=0.01, koff_per_ms=0.5,
                             k_translocate_per_ms=0.1, k_reorient_per_ms=1.0 / 60.0)


def eaat1(n: int) -> TransporterParams:
    """GLAST/EAAT1: Km 20 µM (Arriza et al. 1994), cycle as EAAT2 (~70 ms)."""
    kt, kr, koff = 0.1, 1.0 / 60.0, 0.5
    return TransporterParams("EAAT1", n, kon_per_uM_per_ms=_kon_for(20.0, koff, kt, kr), koff_per_ms=koff,
                             k_translocate_per_ms=kt, k_reorient_per_ms=kr)


def gat1(n: int) -> TransporterParams:
    """GABA transporter GAT1: Km 5 µM (2.5-7 reported), turnover 10 /s (6-15 /s, Mager et al.
    1993), into the terminal."""
    kt, kr, koff = 0.1, 1.0 / 90.0, 0.1
    return TransporterParams("GAT1", n, kon_per_uM_per_ms=_kon_for(5.0, koff, kt, kr), koff_per_ms=koff,
                             k_translocate_per_ms=kt, k_reorient_per_ms=kr, into_terminal=True)


TRANSPORTERS: dict[str, Callable[[int], TransporterParams]] = {
    "DAT": dat, "SERT": sert, "NET": net, "EAAT1": eaat1, "EAAT2": eaat2, "GAT1": gat1,
}

#: Michaelis constants the factories are built to (µM), for tests and docs.
TARGET_KM_UM = {"DAT": DAT_KM_UM, "SERT": 0.17, "NET": 0.4, "EAAT1": 20.0, "EAAT2": 8.571428571428571,
                "GAT1": 5.0}


def transporter(name: str, n: int) -> TransporterParams:
    """The library transporter ``name`` with ``n`` copies."""
    if name not in TRANSPORTERS:
        raise ParameterError(f'unknown transporter "{name}"; valid transporters are {sorted(TRANSPORTERS)}')
    return TRANSPORTERS[name](n)
