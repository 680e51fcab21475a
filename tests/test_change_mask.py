"""The change mask's colour difference: CIELAB as skimage computes it, and a shortcut around CIEDE2000 that
decides as skimage's whole formula would."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw
from skimage.color import deltaE_ciede2000, rgb2lab

from provenance.change_mask import BLUR_SIGMA, MIN_SPECK, THRESHOLD, MaskBase, _differs, _lab, change_mask, working_size


def _random_lab_pairs(seed: int, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of CIELAB colours whose differences fall on both sides of the threshold, greys included."""
    rng = np.random.default_rng(seed)
    first = np.stack([rng.uniform(0, 100, count), rng.uniform(-80, 80, count), rng.uniform(-80, 80, count)])
    first[1:, : count // 10] = 0  # neutral greys: chroma 0, where the hue terms take their special cases
    step = rng.normal(0, 1, (3, count))
    step *= rng.uniform(0, 40, count) / np.linalg.norm(step, axis=0)
    return first, first + step


@pytest.mark.parametrize("seed", [2, 3, 4])
def test_the_bounds_decide_as_the_whole_formula_would(seed: int) -> None:
    first, second = (lab.astype(np.float32).reshape(3, 100, 200) for lab in _random_lab_pairs(seed, 20_000))
    decided = _differs(first, second)
    whole = deltaE_ciede2000(first, second, channel_axis=0) > THRESHOLD
    assert 0.2 < whole.mean() < 0.8  # both sides of the threshold are exercised
    assert np.array_equal(decided, whole)


def test_cielab_is_skimages() -> None:
    rgb = np.random.default_rng(5).uniform(0, 1, (3, 64, 96)).astype(np.float32)
    rgb[:, :8] = np.linspace(0, 0.05, 96, dtype=np.float32)  # the linear segment of the sRGB curve
    reference = np.moveaxis(rgb2lab(np.moveaxis(rgb, 0, -1)), -1, 0)
    np.testing.assert_allclose(_lab(rgb), reference, atol=2e-4)


def test_the_mask_is_the_whole_formulas_on_pictures() -> None:
    """The mask as the straightforward pipeline makes it: blur, skimage's CIELAB and CIEDE2000 everywhere."""
    from scipy import ndimage

    before = Image.effect_noise((320, 200), 40).convert("RGB")
    after = before.copy()
    ImageDraw.Draw(after).ellipse((40, 30, 200, 150), fill=(30, 90, 200))
    ImageDraw.Draw(after).line((0, 190, 320, 120), fill=(250, 240, 200), width=5)
    size = working_size(after.size)
    lab = [
        rgb2lab(ndimage.gaussian_filter(np.asarray(p.resize(size, Image.Resampling.BILINEAR), np.float32) / 255,
                                        sigma=(BLUR_SIGMA, BLUR_SIGMA, 0)))
        for p in (before, after)
    ]  # fmt: skip
    changed = deltaE_ciede2000(lab[0], lab[1]) > THRESHOLD
    regions, _ = ndimage.label(changed)
    expected = (np.bincount(regions.ravel()) > MIN_SPECK)[regions] & changed
    assert 0.2 < expected.mean() < 0.5
    assert np.array_equal(change_mask(before, after), expected)


def test_a_prepared_input_gives_the_same_mask() -> None:
    before = Image.effect_noise((320, 200), 40).convert("RGB")
    after = before.copy()
    ImageDraw.Draw(after).ellipse((40, 30, 200, 150), fill=(30, 90, 200))
    base = MaskBase(before)
    prepared = change_mask(base, after)
    assert np.array_equal(prepared, change_mask(before, after))
    assert np.array_equal(change_mask(base, after), prepared)  # the cached planes are not changed by use
    assert 0.2 < prepared.mean() < 0.4


def test_a_prepared_input_serves_outputs_of_another_size() -> None:
    before = Image.new("RGB", (200, 120), (240, 240, 230))
    after = Image.new("RGB", (96, 64), (20, 20, 60))
    base = MaskBase(before)
    assert change_mask(base, before).shape == (120, 200)
    assert change_mask(base, before).sum() == 0
    assert change_mask(base, after).shape == (64, 96)
    assert change_mask(base, after).all()
