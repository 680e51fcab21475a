"""How much of a layout's structure is in the final picture: the composition a layout artist gave.

A layout fixes the lines of a background: horizon, perspective, buildings, the street. img2img at strength
0.5-0.7 keeps them, and so does a paint-over, although both change nearly every pixel. So a layout is
measured by its edges, not its pixels: both pictures are brought to one small working size
(:data:`WORKING_SIZE` px on the long side, where a line is a line and brush texture is gone), their edges
found with Canny, and each picture's edges matched to the other's within :data:`TOLERANCE` px.

The score is an edge F-score corrected for chance, as Cohen's kappa corrects agreement: an edge falls
near some edge of the other picture by luck as often as the other picture's edges, widened by the
tolerance, cover the frame. Plain F-scores give pure noise about 0.6 against a detailed layout, because
noise has edges everywhere; corrected, noise scores about 0, the layout against itself 1, and a final
that keeps the layout's lines well above 0.6.

>>> composition(layout, final).score  # doctest: +SKIP
0.93
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from .regions import Regions

WORKING_SIZE = 256  # px on the long side
TOLERANCE = 2  # px at the working size: an edge this close counts as the same edge
EDGE_SIGMA = 1.5  # Canny's smoothing at the working size: lines, not pencil grain or JPEG ringing
# Canny's hysteresis thresholds on the gradient of luminance in 0..1: a faint line counts, paper grain not.
LOW_THRESHOLD = 0.05
HIGH_THRESHOLD = 0.12


@dataclass(frozen=True)
class CompositionScore:
    """``score``: the chance-corrected edge F-score; ``recall``: the share of the layout's edges found in
    the final; ``precision``: the share of the final's edges that lie on the layout's; all 0..1."""

    score: float
    recall: float
    precision: float


def working_size(size: tuple[int, int]) -> tuple[int, int]:
    """The size (width, height) at which a picture of ``size`` is compared."""
    width, height = size
    scale = WORKING_SIZE / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def edges(picture: Image.Image, size: tuple[int, int]) -> np.ndarray:
    """The picture's edges at ``size`` (width, height), as a boolean array: Canny's, in numpy.

    Luminance smoothed by a Gaussian of :data:`EDGE_SIGMA`, Sobel gradients, thinned to the ridge across
    the gradient, and kept where above :data:`HIGH_THRESHOLD` or joined (8-connected) to such a pixel above
    :data:`LOW_THRESHOLD`, as ``skimage.feature.canny`` does without importing scipy.
    """
    luminance = np.asarray(picture.convert("L").resize(size, Image.Resampling.BOX), dtype=np.float32) / 255
    smooth = _gaussian(luminance, EDGE_SIGMA)
    padded = np.pad(smooth, 1, mode="edge")
    across = padded[:-2, 2:] + 2 * padded[1:-1, 2:] + padded[2:, 2:] - padded[:-2, :-2] - 2 * padded[1:-1, :-2]
    across -= padded[2:, :-2]
    down = padded[2:, :-2] + 2 * padded[2:, 1:-1] + padded[2:, 2:] - padded[:-2, :-2] - 2 * padded[:-2, 1:-1]
    down -= padded[:-2, 2:]
    magnitude = np.hypot(across, down)
    ridge = _ridge(magnitude, across, down)
    candidates = Regions.of(ridge & (magnitude > LOW_THRESHOLD), diagonal=True)
    return candidates.picture(candidates.counts(ridge & (magnitude > HIGH_THRESHOLD)) > 0)


def _gaussian(values: np.ndarray, sigma: float) -> np.ndarray:
    radius = int(4 * sigma + 0.5)
    taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2).astype(np.float32)
    taps /= taps.sum()
    for axis in (0, 1):
        padded = np.pad(values, [(radius, radius) if a == axis else (0, 0) for a in (0, 1)], mode="edge")
        length = values.shape[axis]
        values = sum(
            (weight * padded[offset : offset + length] if axis == 0 else weight * padded[:, offset : offset + length]
             for offset, weight in enumerate(taps)),
            start=np.zeros_like(values),
        )  # fmt: skip
    return values


def _ridge(magnitude: np.ndarray, across: np.ndarray, down: np.ndarray) -> np.ndarray:
    """Where the gradient magnitude peaks along the gradient's direction (in four sectors of 45 degrees)."""
    # The sector of the gradient's direction, without an arctangent: within 22.5 degrees of an axis, else
    # on the diagonal whose signs it shares (rows grow down).
    tilt = np.tan(np.pi / 8)
    along_x = np.abs(down) <= tilt * np.abs(across)
    along_y = np.abs(across) <= tilt * np.abs(down)
    diagonal = ~along_x & ~along_y
    rising = across * down > 0
    sectors = (along_x, diagonal & rising, along_y & ~along_x, diagonal & ~rising)
    padded = np.pad(magnitude, 1, mode="constant")
    height, width = magnitude.shape
    peak = np.zeros(magnitude.shape, dtype=bool)
    # Neighbours along the gradient: horizontal, one diagonal, vertical, the other diagonal.
    for sector, (dy, dx) in zip(sectors, ((0, 1), (1, 1), (1, 0), (1, -1)), strict=True):
        ahead = padded[1 + dy : 1 + dy + height, 1 + dx : 1 + dx + width]
        behind = padded[1 - dy : 1 - dy + height, 1 - dx : 1 - dx + width]
        peak |= sector & (magnitude >= ahead) & (magnitude > behind)
    return peak & (magnitude > 0)


def composition(layout: Image.Image, final: Image.Image) -> CompositionScore:
    """How much of ``layout``'s structure ``final`` keeps, compared at the final's working size."""
    size = working_size(final.size)
    return edge_agreement(edges(layout, size), edges(final, size))


def edge_agreement(layout: np.ndarray, final: np.ndarray) -> CompositionScore:
    """The chance-corrected F-score of two edge maps of one size (see the module's docstring)."""
    if not layout.any():
        # A blank layout fixes no lines: there is nothing of it to find.
        return CompositionScore(score=0.0, recall=0.0, precision=0.0)
    reach = np.hypot(*np.mgrid[-TOLERANCE : TOLERANCE + 1, -TOLERANCE : TOLERANCE + 1]) <= TOLERANCE
    near_layout = _widened(layout, reach)
    near_final = _widened(final, reach)
    recall = float((layout & near_final).sum() / layout.sum())
    precision = float((final & near_layout).sum() / final.sum()) if final.any() else 0.0
    # What luck alone gives: an edge placed anywhere lands near the other picture's edges this often.
    kept = _above_chance(recall, float(near_final.mean()))
    placed = _above_chance(precision, float(near_layout.mean()))
    score = 2 * kept * placed / (kept + placed) if kept + placed else 0.0
    return CompositionScore(score=round(score, 4), recall=round(recall, 4), precision=round(precision, 4))


def _widened(pixels: np.ndarray, reach: np.ndarray) -> np.ndarray:
    """Every pixel within ``reach`` (a centred footprint) of a true pixel: a binary dilation."""
    radius = reach.shape[0] // 2
    height, width = pixels.shape
    padded = np.pad(pixels, radius)
    widened = np.zeros_like(pixels)
    for dy, dx in zip(*np.nonzero(reach), strict=True):
        widened |= padded[dy : dy + height, dx : dx + width]
    return widened


def _above_chance(observed: float, chance: float) -> float:
    if chance >= 1.0:
        return 0.0
    return max(0.0, (observed - chance) / (1.0 - chance))
