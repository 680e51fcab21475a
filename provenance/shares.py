"""Who made which pixels: each pixel of the final picture belongs to the last stage that changed it. Pure.

Stages are given first to last with their change masks. The first stage made every pixel; a later stage
takes the pixels its mask covers; a stage without a mask (a selection) takes none. A stage whose work was
never measured leaves its pixels with whoever had them before, so its share is unknown (``None``).

>>> owners = ownership([(True, None), (False, ai_mask), (False, None), (False, paint_mask)], (512, 288))
... # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

# Shares are percentages of a picture: 512 px on the long side resolves them to a few thousandths, and
# keeps the audit of a 4K plate cheap. The heatmap is drawn at this size too.
SHARE_SIZE = 512


@dataclass(frozen=True)
class StageMask:
    first: bool
    mask: np.ndarray | None
    measured: bool = True


def share_size(size: tuple[int, int]) -> tuple[int, int]:
    width, height = size
    scale = min(1.0, SHARE_SIZE / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def ownership(stages: list[StageMask], size: tuple[int, int]) -> np.ndarray:
    """An array of shape (height, width): the index of the stage that last changed each pixel (-1: none)."""
    width, height = size
    owners = np.full((height, width), -1, dtype=np.int16)
    for index, stage in enumerate(stages):
        if stage.first:
            owners[:] = index
        elif stage.mask is not None:
            owners[fit_mask(stage.mask, size)] = index
    return owners


def shares(stages: list[StageMask], owners: np.ndarray) -> list[float | None]:
    """Each stage's fraction of the final pixels; None for a stage whose changes were never measured."""
    counts = np.bincount(owners.ravel() + 1, minlength=len(stages) + 1)[1:] / owners.size
    return [float(counts[index]) if stage.measured else None for index, stage in enumerate(stages)]


def fit_mask(mask: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The mask at ``size`` (width, height), by nearest neighbour."""
    if mask.shape == (size[1], size[0]):
        return mask
    return np.asarray(Image.fromarray(mask).resize(size, Image.Resampling.NEAREST), dtype=bool)
