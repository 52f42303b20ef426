"""Import every validation case module, which registers its cases in :data:`CASES`."""

from . import (cases_blockers, cases_clearance, cases_metabotropic, cases_nmj, cases_patch,
               cases_quantum, cases_receptors, cases_release, cases_uptake_block)
from .registry import CASES

__all__ = ["CASES"]

#: Imported for their registration side effect.
MODULES = (cases_receptors, cases_patch, cases_release, cases_clearance, cases_nmj,
           cases_uptake_block, cases_quantum, cases_blockers, cases_metabotropic)

# Report order: the public cases V-01 ... V-08 by number, then the others as registered.
_order = sorted(CASES, key=lambda k: (0, k) if k.startswith("V-") else (1, ""))
_cases = {k: CASES[k] for k in _order}
CASES.clear()
CASES.update(_cases)
