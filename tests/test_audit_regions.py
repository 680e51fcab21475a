"""Connected regions in numpy, checked against scipy.ndimage.label (the standard) on random pictures."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from provenance.audit.regions import Regions


@pytest.mark.parametrize("diagonal", [False, True])
def test_regions_are_scipys_labels(diagonal: bool) -> None:
    rng = np.random.default_rng(0)
    structure = np.ones((3, 3), dtype=bool) if diagonal else None
    for _ in range(150):
        height, width = (int(n) for n in rng.integers(1, 40, 2))
        mask = rng.random((height, width)) < rng.random()
        regions = Regions.of(mask, diagonal=diagonal)
        labels, count = ndimage.label(mask, structure=structure)
        areas = np.bincount(labels.ravel())[1:]
        assert regions.count == count
        assert sorted(regions.areas().tolist()) == sorted(areas.tolist())
        small = regions.picture(regions.areas() < 5)
        assert np.array_equal(small, mask & np.isin(labels, 1 + np.nonzero(areas < 5)[0]))
        marked = rng.random((height, width)) < 0.1
        assert sorted(regions.counts(marked).tolist()) == sorted(
            np.bincount(labels.ravel(), weights=marked.ravel(), minlength=count + 1)[1:].astype(int).tolist()
        )


def test_a_long_snake_is_one_region() -> None:
    """A path that winds down through every row, joined only at alternate ends, is one region."""
    snake = np.zeros((301, 64), dtype=bool)
    snake[::2] = True
    snake[1::4, -1] = True
    snake[3::4, 0] = True
    regions = Regions.of(snake)
    assert regions.count == 1 and regions.areas().tolist() == [int(snake.sum())]
