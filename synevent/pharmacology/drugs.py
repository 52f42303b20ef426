"""A library of drugs: each is a set of actions (intervention kinds on named targets) with
sourced affinities. ``drug("cocaine", conc_uM=1.0)`` gives an application that
:func:`synevent.simulate` expands into interventions on whichever targets the synapse has.

Sources and the choices made where they disagree are in ``docs/pharmacology/drugs.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..engine.checks import ParameterError, check_nonnegative
from .interventions import (
    AllostericModulator,
    CaChannelBlocker,
    ChannelBlocker,
    EnzymeInhibitor,
    Intervention,
    ReceptorAntagonist,
    ReleaseBlocker,
    TransporterInhibitor,
    VMATInhibitor,
)
from .schedule import Schedule

__all__ = ["DRUGS", "Action", "Drug", "DrugApplication", "drug"]


@dataclass(frozen=True)
class Action:
    """One effect of a drug: an intervention kind on a target, with its parameters."""

    kind: type[Intervention]
    target: str
    params: Mapping[str, Any]
    source: str


@dataclass(frozen=True)
class Drug:
    """A named drug and its actions."""

    name: str
    label: str
    actions: tuple[Action, ...]
    description: str = ""

    def at(self, conc_uM: float, schedule: Schedule | None = None) -> DrugApplication:
        """This drug applied at ``conc_uM`` with ``schedule`` (default: equilibrated)."""
        return DrugApplication(self, conc_uM, schedule if schedule is not None else Schedule())


@dataclass(frozen=True)
class DrugApplication:
    """A drug at a bath concentration with a schedule."""

    drug: Drug
    conc_uM: float
    schedule: Schedule = field(default_factory=Schedule)

    def __post_init__(self) -> None:
        check_nonnegative(f"{self.drug.name}.conc_uM", self.conc_uM)
        if not isinstance(self.schedule, Schedule):
            raise ParameterError(f'"schedule" must be a Schedule, got {self.schedule!r}')

    def interventions(self) -> list[Intervention]:
        """One intervention per action."""
        return [
            a.kind(target=a.target, conc_uM=self.conc_uM, schedule=self.schedule,
                   label=self.drug.label, **a.params)
            for a in self.drug.actions
        ]


def drug(name: str, conc_uM: float, schedule: Schedule | None = None) -> DrugApplication:
    """The library drug ``name`` (case-insensitive) at ``conc_uM``."""
    if not isinstance(name, str):
        raise ParameterError(f'"name" must be a drug name (str), got {name!r}')
    key = name.lower()
    if key not in DRUGS:
        raise ParameterError(f'unknown drug "{name}"; valid drugs are {sorted(DRUGS)}')
    return DRUGS[key].at(conc_uM, schedule)


def _d(name: str, label: str, description: str, *actions: Action) -> Drug:
    return Drug(name, label, tuple(actions), description)


_TATSUMI = "Tatsumi et al. 1997 Eur J Pharmacol 340:249, Kd at human transporters (verified table)"
_HAN_GU = "Han & Gu 2006 BMC Pharmacol 6:6: Ki 0.2-0.7 uM at DAT, SERT and NET (verified abstract)"
_T = TransporterInhibitor

DRUGS: dict[str, Drug] = {
    d.name.lower(): d
    for d in [
        # -- monoamine uptake blockers --------------------------------------------------------
        _d("cocaine", "cocaine", "Non-selective competitive monoamine uptake blocker.",
           Action(_T, "DAT", {"ki_uM": 0.3}, _HAN_GU + "; 0.3 uM picked (Volkow 1999 quotes 0.64)"),
           Action(_T, "SERT", {"ki_uM": 0.3}, _HAN_GU),
           Action(_T, "NET", {"ki_uM": 0.3}, _HAN_GU)),
        _d("methylphenidate", "methylphenidate", "DAT/NET-selective uptake blocker.",
           Action(_T, "DAT", {"ki_uM": 0.1}, "Han & Gu 2006 (verified abstract)"),
           Action(_T, "NET", {"ki_uM": 0.1}, "Han & Gu 2006 (verified abstract)"),
           Action(_T, "SERT", {"ki_uM": 100.0}, "Han & Gu 2006 (verified abstract)")),
        _d("GBR-12909", "GBR12909", "Highly selective DAT blocker (vanoxerine).",
           Action(_T, "DAT", {"ki_uM": 0.001}, "Andersen 1989 Eur J Pharmacol 166:493 (recollection)"),
           Action(_T, "SERT", {"ki_uM": 0.1}, ">100-fold weaker than at DAT (recollection)"),
           Action(_T, "NET", {"ki_uM": 0.1}, ">100-fold weaker than at DAT (recollection)")),
        _d("fluoxetine", "fluoxetine", "SSRI.",
           Action(_T, "SERT", {"ki_uM": 0.00081}, _TATSUMI),
           Action(_T, "NET", {"ki_uM": 0.24}, _TATSUMI),
           Action(_T, "DAT", {"ki_uM": 3.6}, _TATSUMI)),
        _d("citalopram", "citalopram", "SSRI (racemate).",
           Action(_T, "SERT", {"ki_uM": 0.00116}, _TATSUMI),
           Action(_T, "NET", {"ki_uM": 4.07}, _TATSUMI),
           Action(_T, "DAT", {"ki_uM": 28.1}, _TATSUMI)),
        _d("escitalopram", "escitalopram", "SSRI (S-enantiomer of citalopram).",
           Action(_T, "SERT", {"ki_uM": 0.0011}, "Owens, Knight & Nemeroff 2001 Biol Psychiatry 50:345 (secondary)"),
           Action(_T, "NET", {"ki_uM": 7.8}, "Owens et al. 2001 (recollection)"),
           Action(_T, "DAT", {"ki_uM": 27.4}, "Owens et al. 2001 (recollection)")),
        _d("paroxetine", "paroxetine", "SSRI.",
           Action(_T, "SERT", {"ki_uM": 0.00013}, _TATSUMI),
           Action(_T, "NET", {"ki_uM": 0.040}, _TATSUMI),
           Action(_T, "DAT", {"ki_uM": 0.49}, _TATSUMI)),
        _d("sertraline", "sertraline", "SSRI with appreciable DAT affinity (Kd 25 nM).",
           Action(_T, "SERT", {"ki_uM": 0.00029}, _TATSUMI),
           Action(_T, "NET", {"ki_uM": 0.42}, _TATSUMI),
           Action(_T, "DAT", {"ki_uM": 0.025}, _TATSUMI)),
        _d("TBOA", "TBOA", "DL-threo-beta-benzyloxyaspartate, competitive blocker of glutamate transporters.",
           Action(_T, "EAAT2", {"ki_uM": 5.7}, "Shimamoto et al. 1998 Mol Pharmacol 53:195 (recollection)"),
           Action(_T, "EAAT1", {"ki_uM": 42.0}, "Shimamoto et al. 1998 (recollection)")),
        # -- anticholinesterases: carbamylation lumped into an apparent Ki ----------------------
        _d("neostigmine", "neostigmine", "Quaternary carbamate anticholinesterase.",
           Action(EnzymeInhibitor, "AChE", {"ki_uM": 0.03},
                  "IC50 0.01-0.06 uM (recollection), used as Ki; carbamylation lumped (decarbamylation t1/2 20 min to 1 h >> run)")),
        _d("physostigmine", "physostigmine", "Tertiary carbamate anticholinesterase.",
           Action(EnzymeInhibitor, "AChE", {"ki_uM": 0.028},
                  "IC50 27.9 nM, human erythrocyte AChE (PMC6009976 Table 4, secondary); carbamylation lumped")),
        _d("donepezil", "donepezil", "Reversible, mainly noncompetitive AChE inhibitor.",
           Action(EnzymeInhibitor, "AChE", {"ki_uM": 0.022, "mode": "noncompetitive"},
                  "IC50 22 nM human recombinant AChE (Marco-Contelles review, PMC5831731, secondary); 5.7-33 nM across preparations")),
        # -- receptor antagonists, blockers, modulators -------------------------------------------
        _d("NBQX", "NBQX", "Competitive AMPA/kainate receptor antagonist.",
           Action(ReceptorAntagonist, "AMPA", {"kd_uM": 0.15}, "Sheardown et al. 1990 Science 247:571 (IC50 vs [3H]AMPA, recollection)")),
        _d("APV", "APV", "D-AP5, competitive NMDA receptor antagonist.",
           Action(ReceptorAntagonist, "NMDA", {"kd_uM": 1.4}, "Benveniste & Mayer 1991 (recollection)")),
        _d("MK-801", "MK801", "Use-dependent, trapping NMDA open-channel blocker (dizocilpine).",
           Action(ChannelBlocker, "NMDA", {"kd_uM": 1.85e-5, "trapping": True},
                  "unblock tau ~90 min at -70 mV (Huettner & Bean 1988 PNAS 85:1307, verified) with kon 1e7 /M/s (recollection): Kd = koff/kon; no voltage dependence modelled; IC50 0.01-0.04 uM in 0 Mg (Dravid et al. 2007, secondary)")),
        _d("curare", "curare", "d-Tubocurarine, competitive nicotinic antagonist at the endplate.",
           Action(ReceptorAntagonist, "nAChR", {"kd_uM": 0.34, "kon_per_uM_per_ms": 2.0},
                  "Kd 0.34 uM: Colquhoun, Dreyer & Sheridan 1979 J Physiol 293:247 (verified); kon from dissociation t1/2 ~1 ms (Br J Pharmacol, PMC1666385)")),
        _d("bicuculline", "bicuculline", "Competitive GABA-A receptor antagonist.",
           Action(ReceptorAntagonist, "GABAA", {"kd_uM": 0.7},
                  "KB 0.6-0.8 uM (pA2 6.1-6.24): Kemp, Marshall & Woodruff 1986 Br J Pharmacol (verified abstract)")),
        _d("diazepam", "diazepam", "Benzodiazepine positive allosteric modulator of GABA-A receptors.",
           Action(AllostericModulator, "GABAA", {"kd_uM": 0.03, "efficacy": 2.0},
                  "EC50 17-48 nM (Dawson et al. 2006 JPET 316:1335, verified table); agonist potency doubled: Riley & Scholfield 1983 Pflugers Arch 397:312")),
        # -- presynaptic -----------------------------------------------------------------------
        _d("omega-conotoxin", "omega_conotoxin", "omega-Conotoxin GVIA, irreversible N-type Ca channel blocker.",
           Action(CaChannelBlocker, "CaV", {"ic50_uM": 0.002, "max_block": 0.3, "irreversible": True},
                  "IC50 ~2 nM (Br J Pharmacol abstract, verified); N-type share of CA3-CA1 presynaptic Ca influx ~30 % (Wu & Saggau 1994 J Neurosci 14:5613, recollection)")),
        _d("BoNT/A", "BoNT_A", "Botulinum neurotoxin A: cleaves SNAP-25.",
           Action(ReleaseBlocker, "SNARE", {"k_cleave_per_uM_per_ms": 0.0686},
                  "hemidiaphragm paralysis t1/2 51 min at 500 pg/mL = 3.3 pM (Toxins 2015 7:4895, verified): ln2/(51 min x 3.3e-6 uM)")),
        _d("reserpine", "reserpine", "Irreversible VMAT inhibitor.",
           Action(VMATInhibitor, "VMAT", {"ki_uM": 0.0032, "irreversible": True},
                  "high-affinity site 3.2 nM with ATP: Near 1986 Mol Pharmacol 30:252 (verified abstract)")),
    ]
}
