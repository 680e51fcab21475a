"""Credit sheets, their formats and sign-off, and the lineage exports.

:func:`credit_sheet` names every human who worked on a production by role, with AI use disclosed apart
and never credited as an artist; :func:`render` writes it as txt, md, csv, json, html or pdf;
:func:`lock_credits` signs a sheet off. :func:`asset_lineage` and :func:`lineage_prov` export the recorded
tree behind one asset, as our JSON and as W3C PROV-JSON.

>>> sheet = credit_sheet(project, "harbor")  # doctest: +SKIP
>>> render(sheet, "txt").decode().splitlines()[0]  # doctest: +SKIP
'Harbor Lights — Harbor Studio'
"""

from .export import FORMATS, render
from .lineage import Lineage, LineageNode, asset_lineage
from .lock import LockComparison, LockedSheet, SheetStatus, lock_credits, locked_changes, sheet_status
from .prov import lineage_prov
from .sheet import CreditSheet, build_credit_sheet, credit_sheet

__all__ = [
    "FORMATS",
    "CreditSheet",
    "Lineage",
    "LineageNode",
    "LockComparison",
    "LockedSheet",
    "SheetStatus",
    "asset_lineage",
    "build_credit_sheet",
    "credit_sheet",
    "lineage_prov",
    "lock_credits",
    "locked_changes",
    "render",
    "sheet_status",
]
