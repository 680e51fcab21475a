"""Finding the recorded asset behind a file whose metadata was stripped: perceptual hashes, then SSIM.

A re-saved, re-encoded, resized, brightened or slightly cropped copy keeps its 64-bit pHash and dHash
within a few bits of the original (measured: 0-1 for JPEG, resize and brightness; ~10 pHash and ~3 dHash
for a 5 % crop), while unrelated pictures sit at 30 and more. Candidates within the bounds are confirmed
by structural similarity with the recorded file at its own size, aligning a cropped copy first, so two
similar-looking candidates from one generation batch are told apart.

The index is brute force over numpy arrays: XOR and popcount over a million hashes take milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

# Loose on purpose: a 5 % corner crop reaches 14 bits on both hashes, and SSIM makes the decision.
PHASH_BOUND = 18
DHASH_BOUND = 18
SSIM_BOUND = 0.8
_CONFIRM_SIZE = 512  # SSIM is compared at this long side: enough detail, a few milliseconds
_SSIM_WINDOW = 7  # skimage's structural_similarity window: both sides of a picture must be at least this


@dataclass(frozen=True)
class Candidate:
    asset_id: int
    phash_distance: int
    dhash_distance: int


@dataclass(frozen=True)
class HashIndex:
    """Perceptual hashes of recorded assets, as arrays for vectorised Hamming distances."""

    asset_ids: np.ndarray
    phashes: np.ndarray
    dhashes: np.ndarray

    @classmethod
    def build(cls, rows: list[tuple[int, str, str]]) -> HashIndex:
        """From ``(asset id, pHash hex, dHash hex)`` rows."""
        return cls(
            asset_ids=np.array([row[0] for row in rows], dtype=np.int64),
            phashes=np.array([int(row[1], 16) for row in rows], dtype=np.uint64),
            dhashes=np.array([int(row[2], 16) for row in rows], dtype=np.uint64),
        )

    def nearest(self, phash: int, dhash: int, *, limit: int = 5) -> list[Candidate]:
        """Assets within both bounds, closest first."""
        if not len(self.asset_ids):
            return []
        p_distance = np.bitwise_count(self.phashes ^ np.uint64(phash))
        d_distance = np.bitwise_count(self.dhashes ^ np.uint64(dhash))
        within = np.flatnonzero((p_distance <= PHASH_BOUND) & (d_distance <= DHASH_BOUND))
        closest = within[np.argsort(p_distance[within] + d_distance[within], kind="stable")[:limit]]
        return [Candidate(int(self.asset_ids[i]), int(p_distance[i]), int(d_distance[i])) for i in closest]


def image_hashes(image: Image.Image) -> tuple[int, int]:
    import imagehash  # a signed file is found by its manifest: only a file without one is hashed

    return int(str(imagehash.phash(image)), 16), int(str(imagehash.dhash(image)), 16)


def similarity(recorded: Image.Image, query: Image.Image) -> float:
    """SSIM of ``query`` against ``recorded`` at the recorded picture's proportions.

    Tries the copy stretched to the recorded size (re-saves, resizes, brightness) and, when the copy is
    smaller in both directions, the best-matching position inside the recorded picture (a slight crop).
    """
    from skimage.feature import match_template
    from skimage.metrics import structural_similarity

    # Compared no finer than the copy itself: a half-size copy has lost the finest detail.
    scale = min(1.0, _CONFIRM_SIZE / max(recorded.size), max(query.size) / max(recorded.size))
    size = (max(1, round(recorded.width * scale)), max(1, round(recorded.height * scale)))
    if min(size) < _SSIM_WINDOW:
        return 0.0  # a copy a few pixels across keeps nothing to confirm a match with (SSIM needs 7x7)
    reference = _gray(recorded.resize(size, Image.Resampling.BILINEAR))
    scores = [structural_similarity(reference, _gray(query.resize(size, Image.Resampling.BILINEAR)), data_range=1.0)]

    cropped = (round(query.width * scale), round(query.height * scale))
    if _SSIM_WINDOW <= cropped[0] < size[0] and _SSIM_WINDOW <= cropped[1] < size[1]:
        patch = _gray(query.resize(cropped, Image.Resampling.BILINEAR))
        response = match_template(reference, patch)
        top, left = np.unravel_index(int(np.argmax(response)), response.shape)
        window = reference[top : top + cropped[1], left : left + cropped[0]]
        scores.append(structural_similarity(window, patch, data_range=1.0))
    return float(max(scores))


def _gray(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L"), dtype=np.float64) / 255.0
