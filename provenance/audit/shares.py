"""Who made which pixels: each pixel of the final picture belongs to the last stage that changed it. Pure.

Stages are given first to last with their change masks. The first stage made every pixel; a later stage
takes the pixels its mask covers; a stage without a mask (a selection) takes none. A stage whose work was
never measured leaves its pixels with whoever had them before, so its share is unknown (``None``).

A change mask has holes where the new paint happens to match the colour below it (a repainted sky over
noisy AI output keeps specks of AI). Holes in a stage's mask smaller than :data:`MIN_ISLAND` of the picture
are counted as that stage's: an island of earlier work inside a region a later stage repainted contradicts
its surroundings. A later stage's own small marks (a lit window, a highlight) are never removed.

>>> owners = ownership([(True, None), (False, ai_mask), (False, None), (False, paint_mask)], (512, 288))
... # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..change_mask import fit_mask, read_mask, share_size
from ..project import Project
from ..store import Stage
from .chain import Link
from .regions import Regions
from .report import AuditStage, Origin, PersonShare, Shares

# A hole under 0.2% of the picture (294 px of a 512x288 map, a 17 px square) is paint that matched the
# colour below it by chance. Measured on paint-overs over noisy underlayers (tests/test_audit_shares.py):
# holes from colour matches reach ~200 px there; the repainted sky of the demo had specks up to 162 px.
MIN_ISLAND = 0.002


@dataclass(frozen=True)
class StageMask:
    first: bool
    mask: np.ndarray | None
    measured: bool = True


def ownership(stages: list[StageMask], size: tuple[int, int], *, min_island: float = MIN_ISLAND) -> np.ndarray:
    """An array of shape (height, width): the index of the stage that last changed each pixel (-1: none).

    Holes in a stage's mask smaller than ``min_island`` of the picture are that stage's (0: keep every hole).
    """
    width, height = size
    owners = np.full((height, width), -1, dtype=np.int16)
    smallest = max(1, round(min_island * width * height))
    for index, stage in enumerate(stages):
        if stage.first:
            owners[:] = index
        elif stage.mask is not None:
            owners[filled(fit_mask(stage.mask, size), smallest)] = index
    return owners


def filled(mask: np.ndarray, smallest: int) -> np.ndarray:
    """The mask with its holes (4-connected regions outside it) of fewer than ``smallest`` pixels filled."""
    if mask.all() or not mask.any():
        return mask
    holes = Regions.of(~mask)
    return mask | holes.picture(holes.areas() < smallest)


def shares(stages: list[StageMask], owners: np.ndarray) -> list[float | None]:
    """Each stage's fraction of the final pixels; None for a stage whose changes were never measured."""
    counts = np.bincount(owners.ravel() + 1, minlength=len(stages) + 1)[1:] / owners.size
    return [float(counts[index]) if stage.measured else None for index, stage in enumerate(stages)]


def stage_mask(project: Project, link: Link, *, first: bool) -> StageMask:
    """What a link contributes to the ownership map.

    The first stage made every pixel. A selection changed none. A recorded stage changed what its mask
    covers; any other stage (unrecorded, from another tool, or recorded before masks) is unmeasured.
    """
    if link.selection_of is not None:
        return StageMask(first=False, mask=None, measured=True)
    mask = _load_mask(project, link.row) if link.row is not None else None
    return StageMask(first=first, mask=mask, measured=first or mask is not None)


def _load_mask(project: Project, row: Stage) -> np.ndarray | None:
    if not row.mask_path:
        return None
    try:
        return read_mask(project.absolute(row.mask_path).read_bytes())
    except OSError:
        return None


def mask_size(masks: list[StageMask]) -> tuple[int, int] | None:
    last = next((m.mask for m in reversed(masks) if m.mask is not None), None)
    return share_size((last.shape[1], last.shape[0])) if last is not None else None


def share_summary(stages: list[AuditStage]) -> Shares:
    people: dict[str, PersonShare] = {}
    for stage in stages:
        if not stage.share or not stage.people:
            continue
        portion = stage.share / len(stage.people)
        for person in stage.people:
            key = person.handle or person.name
            entry = people.setdefault(
                key, PersonShare(handle=person.handle, name=person.name, native_name=person.native_name, share=0.0)
            )
            entry.share = round(entry.share + portion, 6)

    def total(origin: Origin) -> float:
        return round(sum(s.share or 0.0 for s in stages if s.origin == origin), 6)

    return Shares(
        human=total("human"),
        ai=total("ai"),
        undeclared=total("undeclared"),
        complete=all(stage.share is not None for stage in stages),
        people=sorted(people.values(), key=lambda p: -p.share),
    )
