"""Files whose metadata was stripped are found again by their pixels; unrelated ones are not."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageEnhance

from provenance.audit import audit_file
from provenance.cli.exit_codes import audit_code
from provenance.project import Project
from provenance.reidentify import HashIndex, image_hashes

from .conftest import Chain, read_image


def jpeg(image: Image.Image, quality: int = 75) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return read_image_bytes(buffer.getvalue())


def read_image_bytes(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.convert("RGB")


def crop(image: Image.Image, fraction: float = 0.05) -> Image.Image:
    dx, dy = round(image.width * fraction / 2), round(image.height * fraction / 2)
    return image.crop((dx, dy, image.width - dx, image.height - dy))


VARIANTS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "re-saved": lambda image: image.copy(),
    "jpeg q75": jpeg,
    "half size": lambda image: image.resize((image.width // 2, image.height // 2)),
    "brightened": lambda image: ImageEnhance.Brightness(image).enhance(1.2),
    "cropped 5%": crop,
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_stripped_copies_are_matched_to_their_asset(
    project: Project, chain: Chain, tmp_path: Path, variant: str
) -> None:
    original = read_image(project.absolute(chain.final.path)).convert("RGB")
    copy = tmp_path / "posted.jpg"
    VARIANTS[variant](original).save(copy, quality=95)
    report = audit_file(project, copy)
    assert report.verdict == "matched-without-manifest", report.statement
    assert report.match is not None and report.match.asset_id == chain.final.asset_id
    assert "proves nothing by itself" in report.statement
    assert [s.kind for s in report.stages] == ["sketch", "ai_generate", "select", "revise"]
    assert all(s.record == "from-records" for s in report.stages)
    assert report.shares is not None and audit_code(report) == 7


def test_an_unrelated_picture_matches_nothing(project: Project, chain: Chain, tmp_path: Path) -> None:
    unrelated = tmp_path / "unrelated.png"
    Image.effect_noise((128, 72), 80).convert("RGB").save(unrelated)
    report = audit_file(project, unrelated)
    assert report.verdict == "unknown" and report.match is None and report.stages == []


def test_a_candidate_is_not_mistaken_for_its_sibling(project: Project, chain: Chain, tmp_path: Path) -> None:
    copy = tmp_path / "sibling.jpg"
    jpeg(read_image(project.absolute(chain.candidates[2].path)).convert("RGB")).save(copy)
    report = audit_file(project, copy)
    assert report.match is not None and report.match.asset_id == chain.candidates[2].asset_id


def test_the_index_finds_near_hashes_among_many() -> None:
    rng = np.random.default_rng(1)
    rows = [(i, f"{int(h):016x}", f"{int(d):016x}") for i, (h, d) in enumerate(rng.integers(0, 2**63, (10_000, 2)))]
    target_p, target_d = int(rows[1234][1], 16) ^ 0b101, int(rows[1234][2], 16) ^ 0b1
    [best, *_] = HashIndex.build(rows).nearest(target_p, target_d)
    assert (best.asset_id, best.phash_distance, best.dhash_distance) == (1234, 2, 1)
    assert HashIndex.build([]).nearest(1, 1) == []
    assert image_hashes(Image.new("RGB", (32, 32))) == image_hashes(Image.new("RGB", (64, 64)))
