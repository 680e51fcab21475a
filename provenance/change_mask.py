"""Which pixels a stage changed: a CIEDE2000 colour difference between its input and output.

Both pictures are brought to one working size (at most 1024 px on the long side: enough to measure
shares of a picture, and it keeps a 4K paint-over to a fraction of a second), lightly blurred so that
re-encoding noise and anti-aliasing do not count, compared in CIELAB with CIEDE2000, thresholded, and
cleared of specks smaller than a few pixels. Measured, this finds a paint-over's area within a few
percent and ignores JPEG re-encoding.

The input of several candidates is prepared once (:class:`MaskBase`); CIELAB is computed in float32
planes (skimage's formula, at about half its time here), and skimage's CIEDE2000 is worked out only where
two cheap bounds on it leave the threshold undecided (a few percent of the pixels).

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

# sRGB (D65) to CIE XYZ, each row divided by the D65 white's tristimulus value: the constants skimage's
# rgb2lab uses, so that a colour difference means here what it means there.
_XYZ_OVER_WHITE = (
    np.array(
        [
            [0.412453, 0.357580, 0.180423],
            [0.212671, 0.715160, 0.072169],
            [0.019334, 0.119193, 0.950227],
        ]
    )
    / np.array([[0.95047], [1.0], [1.08883]])
).astype(np.float32)


class MaskBase:
    """An input as :func:`change_mask` compares it, prepared once for every output made from it: its
    blurred CIELAB planes, worked out the first time each working size is asked for.

    >>> base = MaskBase(sketch)  # doctest: +SKIP
    >>> masks = [change_mask(base, candidate) for candidate in candidates]  # doctest: +SKIP
    """

    def __init__(self, image: Image.Image) -> None:
        self.image = image
        self._planes: dict[tuple[int, int], np.ndarray] = {}

    def planes(self, size: tuple[int, int]) -> np.ndarray:
        if size not in self._planes:
            self._planes[size] = _blurred_lab(self.image, size)
        return self._planes[size]


def working_size(size: tuple[int, int]) -> tuple[int, int]:
    width, height = size
    scale = min(1.0, WORKING_SIZE / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def change_mask(before: Image.Image | MaskBase, after: Image.Image) -> np.ndarray:
    """A boolean mask, at the working size of ``after``, of the pixels that differ visibly."""
    from scipy import ndimage

    size = working_size(after.size)
    base = before if isinstance(before, MaskBase) else MaskBase(before)
    changed = _differs(base.planes(size), _blurred_lab(after, size))
    # Drop specks: connected regions of MIN_SPECK pixels or fewer.
    regions, _ = ndimage.label(changed)
    sizes = np.bincount(regions.ravel())
    keep = sizes > MIN_SPECK
    keep[0] = False
    return keep[regions]


def _blurred_lab(image: Image.Image, size: tuple[int, int]) -> np.ndarray:
    """The picture at ``size``, blurred, as CIELAB planes ``(3, height, width)``."""
    from scipy import ndimage

    rgb = image.convert("RGB").resize(size, Image.Resampling.BILINEAR)
    planes = np.empty((3, size[1], size[0]), dtype=np.float32)
    for index, band in enumerate(rgb.split()):
        planes[index] = np.asarray(band)
    planes /= 255
    # float32 throughout: half the time of float64, and far finer than a threshold of 8 units needs.
    return _lab(ndimage.gaussian_filter(planes, sigma=(0, BLUR_SIGMA, BLUR_SIGMA)))


def _lab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB (D65, 2 degrees) of sRGB planes in [0, 1], as skimage's ``rgb2lab`` computes it."""
    linear = np.where(rgb > 0.04045, ((rgb + 0.055) / 1.055) ** 2.4, rgb / 12.92)
    # Three weighted sums rather than a matrix product: BLAS would start threads for a 3x3 matrix.
    xyz = np.empty_like(linear)
    for row, weights in zip(xyz, _XYZ_OVER_WHITE, strict=True):
        np.multiply(linear[0], weights[0], out=row)
        row += weights[1] * linear[1]
        row += weights[2] * linear[2]
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16.0 / 116.0)
    lab = np.empty_like(f)
    np.multiply(f[1], 116.0, out=lab[0])
    lab[0] -= 16.0
    np.subtract(f[0], f[1], out=lab[1])
    lab[1] *= 500.0
    np.subtract(f[1], f[2], out=lab[2])
    lab[2] *= 200.0
    return lab


def _differs(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Where CIEDE2000 between two CIELAB plane stacks exceeds :data:`THRESHOLD`.

    With x = dC'/SC and y = dH'/SH, CIEDE2000 squared is (dL'/SL)^2 + x^2 + y^2 + RT*x*y, and |RT| < 2 sin 60
    degrees, so x^2 + y^2 + RT*x*y lies between 0 and (1 + sin 60)(x^2 + y^2). SC and SH are at least 1, and
    x^2 + y^2 is then at most |a'b' before - a'b' after|^2 <= (1+G)^2 da^2 + db^2 with 1+G <= 1.5. So
    (dL'/SL)^2 bounds it from below and that plus 1.8661 (2.25 da^2 + db^2) from above; only pixels whose
    bounds straddle the threshold need the whole formula. The bounds get a small margin for rounding.
    """
    limit = THRESHOLD**2
    lightness_mean = 0.5 * (before[0] + after[0])
    lightness_mean -= 50
    lightness_mean *= lightness_mean  # (L-bar - 50)^2
    sl = 1 + 0.015 * lightness_mean / np.sqrt(20 + lightness_mean)
    lightness = after[0] - before[0]
    lightness /= sl
    lightness *= lightness  # (dL'/SL)^2: the lower bound
    da = after[1] - before[1]
    db = after[2] - before[2]
    upper = da * da
    upper *= 2.25
    upper += db * db
    upper *= 1.8661
    upper += lightness
    changed = lightness > limit * 1.001
    undecided = ~changed & (upper > limit * 0.999)
    if undecided.any():
        from skimage.color import deltaE_ciede2000

        whole = deltaE_ciede2000(before[:, undecided], after[:, undecided], channel_axis=0)
        changed[undecided] = whole > THRESHOLD
    return changed


def mask_png(mask: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    # Pillow's default compression: `optimize` took 5-22 ms a mask at 512 px to save 1-13 % of a few kilobytes.
    Image.fromarray(mask).save(buffer, format="PNG")
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
