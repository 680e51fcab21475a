"""Which pixels a stage changed: a CIEDE2000 colour difference between its input and output.

Both pictures are brought to one working size (at most 1024 px on the long side: enough to measure
shares of a picture, and it keeps a 4K paint-over to a fraction of a second), lightly blurred so that
re-encoding noise and anti-aliasing do not count, compared in CIELAB with CIEDE2000, thresholded, and
cleared of specks smaller than a few pixels. Measured, this finds a paint-over's area within
a few percent and ignores JPEG re-encoding.

>>> mask = change_mask(candidate, paint_over)  # doctest: +SKIP
>>> round(float(mask.mean()), 2)  # doctest: +SKIP
0.21
"""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image

# Shares are percentages of a picture: 512 px on the long side resolves them to a few thousandths, and
# keeps the audit of a 4K plate cheap. The heatmap is drawn at this size too.
SHARE_SIZE = 512
WORKING_SIZE = 1024
THRESHOLD = 8.0  # CIEDE2000 units: about where a careful viewer starts to see a difference
BLUR_SIGMA = 1.0
MIN_SPECK = 12  # pixels, at working size
MAX_MASK_PIXELS = WORKING_SIZE * WORKING_SIZE  # masks are kept smaller still, at the share size


def working_size(size: tuple[int, int]) -> tuple[int, int]:
    width, height = size
    scale = min(1.0, WORKING_SIZE / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def change_mask(before: Image.Image, after: Image.Image) -> np.ndarray:
    """A boolean mask, at the working size of ``after``, of the pixels that differ visibly."""
    from scipy import ndimage
    from skimage.color import deltaE_ciede2000, rgb2lab

    size = working_size(after.size)
    # float32 throughout: half the time of float64, and far finer than a threshold of 8 units needs.
    lab = [
        rgb2lab(
            ndimage.gaussian_filter(
                np.asarray(image.convert("RGB").resize(size, Image.Resampling.BILINEAR), dtype=np.float32) / 255,
                sigma=(BLUR_SIGMA, BLUR_SIGMA, 0),
            )
        )
        for image in (before, after)
    ]
    changed = deltaE_ciede2000(lab[0], lab[1]) > THRESHOLD
    # Drop specks: connected regions of MIN_SPECK pixels or fewer.
    regions, _ = ndimage.label(changed)
    sizes = np.bincount(regions.ravel())
    keep = sizes > MIN_SPECK
    keep[0] = False
    return keep[regions]


def mask_png(mask: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(mask).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def read_mask(data: bytes) -> np.ndarray:
    """The mask in a file :func:`mask_png` wrote; OSError for one that is damaged or far larger than any it writes.

    Masks are kept at the share size (a few hundred pixels across), so a mask file of millions of pixels was
    put there by someone else: it is refused from its header, before Pillow would decode it.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_MASK_PIXELS:
                    raise OSError(f"a mask of {image.width}x{image.height} is larger than any mask written here")
                return np.asarray(image.convert("1"), dtype=bool)
        except (Image.DecompressionBombError, SyntaxError, ValueError) as exc:
            raise OSError(f"not a readable mask ({exc})") from exc


def share_size(size: tuple[int, int]) -> tuple[int, int]:
    width, height = size
    scale = min(1.0, SHARE_SIZE / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def fit_mask(mask: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The mask at ``size`` (width, height), by nearest neighbour."""
    if mask.shape == (size[1], size[0]):
        return mask
    return np.asarray(Image.fromarray(mask).resize(size, Image.Resampling.NEAREST), dtype=bool)
