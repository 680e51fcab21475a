"""Connected regions of a boolean picture, for cleaning the ownership map and following edges.

numpy alone, on runs of pixels: the audit otherwise never imports scipy, whose ``ndimage`` takes about a
quarter of a second to import, longer than the rest of a signed file's audit. A region is a set of runs
(row, first column, end column) joined where runs of neighbouring rows touch: by a shared column, or with
``diagonal`` also by a corner (4- or 8-connectivity, as ``scipy.ndimage.label`` counts them).

>>> regions = Regions.of(np.array([[1, 0, 1], [1, 0, 0]], dtype=bool))
>>> regions.count, regions.areas().tolist()
(2, [2, 1])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Regions:
    """The runs of a boolean picture and the region each run belongs to (``region``: 0..count-1)."""

    shape: tuple[int, int]
    rows: np.ndarray
    starts: np.ndarray
    ends: np.ndarray  # exclusive
    region: np.ndarray
    count: int

    @classmethod
    def of(cls, mask: np.ndarray, *, diagonal: bool = False) -> Regions:
        height, width = mask.shape
        padded = np.zeros((height, width + 2), dtype=np.int8)
        padded[:, 1:-1] = mask
        steps = np.diff(padded, axis=1)
        rows, starts = np.nonzero(steps == 1)
        _, ends = np.nonzero(steps == -1)  # row-major order: the n-th end closes the n-th start
        above, below = _touching(rows, starts, ends, width, diagonal)
        parent = _join(np.arange(len(rows)), above, below)
        roots, region = np.unique(parent, return_inverse=True)
        return cls((height, width), rows, starts, ends, region.reshape(-1), len(roots))

    def areas(self) -> np.ndarray:
        """Pixels in each region."""
        return np.bincount(self.region, weights=self.ends - self.starts, minlength=self.count).astype(np.int64)

    def counts(self, pixels: np.ndarray) -> np.ndarray:
        """How many pixels of ``pixels`` (a boolean picture of the same shape) lie in each region."""
        running = np.zeros((self.shape[0], self.shape[1] + 1), dtype=np.int64)
        np.cumsum(pixels, axis=1, out=running[:, 1:])
        inside = running[self.rows, self.ends] - running[self.rows, self.starts]
        return np.bincount(self.region, weights=inside, minlength=self.count).astype(np.int64)

    def picture(self, chosen: np.ndarray) -> np.ndarray:
        """A boolean picture of the regions marked in ``chosen`` (one flag a region)."""
        keep = chosen[self.region]
        edges = np.zeros((self.shape[0], self.shape[1] + 1), dtype=np.int32)
        np.add.at(edges, (self.rows[keep], self.starts[keep]), 1)
        np.add.at(edges, (self.rows[keep], self.ends[keep]), -1)
        return np.cumsum(edges, axis=1)[:, :-1] > 0


def _touching(
    rows: np.ndarray, starts: np.ndarray, ends: np.ndarray, width: int, diagonal: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of run indices, one run in the row above the other, that touch."""
    reach = 1 if diagonal else 0
    # One sorted key for every run of every row: a row's runs are sorted and apart, so the runs above that
    # touch a run are one stretch, found by two binary searches (a row's keys never reach the next row's).
    line = width + 4
    lower = np.nonzero(rows > 0)[0]
    row_above = (rows[lower] - 1) * line
    low = np.searchsorted(rows * line + ends, row_above + starts[lower] - reach, side="right")
    high = np.searchsorted(rows * line + starts, row_above + ends[lower] + reach, side="left")
    many = np.maximum(high - low, 0)
    below = np.repeat(lower, many)
    offsets = np.arange(many.sum()) - np.repeat(np.cumsum(many) - many, many)
    return np.repeat(low, many) + offsets, below


def _join(parent: np.ndarray, above: np.ndarray, below: np.ndarray) -> np.ndarray:
    """Each run's root, the smallest run index of its region: the roots at the two ends of each pair are
    hooked, the larger under the smaller, and every path is then shortened to point at its root, until
    every pair has one root. A few rounds, whatever the regions' shapes."""
    while True:
        first, second = parent[above], parent[below]
        apart = first != second
        if not apart.any():
            return parent
        above, below, first, second = above[apart], below[apart], first[apart], second[apart]
        np.minimum.at(parent, np.maximum(first, second), np.minimum(first, second))
        while True:
            shortened = parent[parent]
            if np.array_equal(shortened, parent):
                break
            parent = shortened
