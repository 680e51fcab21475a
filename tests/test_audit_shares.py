"""How much of a picture each stage made: measured when recorded, reported by the audit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter
from sqlmodel import select

from provenance import record
from provenance.audit import audit_file
from provenance.audit.shares import MIN_ISLAND, StageMask, ownership, shares
from provenance.change_mask import change_mask
from provenance.project import Project
from provenance.store import Stage

from .conftest import STEPS, read_image
from .fake_engine import fake_generate


@pytest.fixture
def painted(project: Project, tmp_path: Path) -> tuple[Project, record.RecordedFile, float]:
    """A 256x144 layout, one AI candidate, and a paint-over of a known rectangle (a quarter of the picture)."""
    layout = tmp_path / "layout.png"
    Image.effect_noise((256, 144), 50).convert("RGB").save(layout)
    sketch = record.record_sketch(project, "harbor/C012", layout, artist="tanaka-aiko")
    [candidate] = record.record_generation(
        project, str(sketch.asset_id), operator="sato-ken", prompt="x", seed=3, steps=STEPS, generator=fake_generate
    )
    picture = read_image(project.absolute(candidate.path)).convert("RGB")
    ImageDraw.Draw(picture).rectangle((0, 0, 127, 71), fill=(250, 140, 30))  # 128 x 72 of 256 x 144
    paint = tmp_path / "paint.png"
    picture.save(paint)
    final = record.record_revision(project, str(candidate.asset_id), paint, artist="suzuki-ren")
    return project, final, 0.25


def test_a_paint_over_of_known_area_gets_that_share(painted) -> None:  # type: ignore[no-untyped-def]
    project, final, area = painted
    report = audit_file(project, project.absolute(final.path))
    revise = report.stages[-1]
    assert revise.kind == "revise" and revise.share == pytest.approx(area, abs=0.02)
    assert revise.changed == pytest.approx(area, abs=0.02)
    generated = report.stages[1]
    assert generated.ai and generated.share == pytest.approx(1 - revise.share - report.stages[0].share, abs=1e-6)
    assert report.shares is not None and report.shares.complete
    assert report.shares.human + report.shares.ai == pytest.approx(1.0)
    by_person = {p.handle: p.share for p in report.shares.people}
    assert by_person["suzuki-ren"] == pytest.approx(area, abs=0.02)
    with project.store.session() as session:
        mask_files = [row.mask_path for row in session.exec(select(Stage)) if row.mask_path]
    assert len(mask_files) == 2 and all(project.absolute(m).is_file() for m in mask_files)


def test_ownership_is_the_last_stage_that_changed_each_pixel() -> None:
    left = np.zeros((4, 4), dtype=bool)
    left[:, :2] = True
    corner = np.zeros((4, 4), dtype=bool)
    corner[0, 0] = True
    chain = [StageMask(True, None), StageMask(False, left), StageMask(False, None), StageMask(False, corner)]
    owners = ownership(chain, (4, 4))
    assert shares(chain, owners) == [0.5, 0.5 - 1 / 16, 0.0, 1 / 16]
    unmeasured = [StageMask(True, None), StageMask(False, None, measured=False)]
    assert shares(unmeasured, ownership(unmeasured, (4, 4))) == [1.0, None]


def test_masks_at_another_size_are_fitted() -> None:
    mask = np.zeros((2, 2), dtype=bool)
    mask[0, 0] = True
    owners = ownership([StageMask(True, None), StageMask(False, mask)], (4, 4))
    assert (owners == 1).sum() == 4


def paint_over_noise(seed: int, amplitude: float, region: np.ndarray) -> tuple[Image.Image, Image.Image]:
    """An underlayer of blotchy colour noise around a dusk-sky gradient, and a paint-over of ``region`` (a
    boolean array) with the clean gradient: where the noise is faint the new paint matches what was below."""
    height, width = region.shape
    rows = np.arange(height, dtype=np.float64)[:, None, None] / height
    gradient = np.concatenate([70 + 170 * rows, 60 + 90 * rows, 120 - 40 * rows], axis=2)
    sky = np.broadcast_to(gradient, (height, width, 3))
    blotches = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    blotched = np.asarray(Image.fromarray(blotches).filter(ImageFilter.GaussianBlur(3)), dtype=np.float64)
    noise = (blotched - blotched.mean()) / blotched.std()
    under = np.clip(sky + amplitude * noise, 0, 255).astype(np.uint8)
    painted = np.where(region[..., None], np.clip(sky, 0, 255).astype(np.uint8), under)
    return Image.fromarray(under), Image.fromarray(painted)


def sky_band(height: int, width: int) -> np.ndarray:
    region = np.zeros((height, width), dtype=bool)
    region[: height * 2 // 5] = True
    return region


def disc(height: int, width: int) -> np.ndarray:
    y, x = np.mgrid[:height, :width]
    return (x - width * 0.4) ** 2 + (y - height * 0.5) ** 2 < (height * 0.35) ** 2


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / (a | b).sum())


@pytest.mark.parametrize("amplitude", [40, 60])
@pytest.mark.parametrize("shape", [sky_band, disc])
def test_a_repainted_region_keeps_no_specks_of_what_was_below(shape, amplitude: float) -> None:  # type: ignore[no-untyped-def]
    """Paint-overs of known area over noisy underlayers: share within 0.02, IoU with the truth >= 0.95."""
    for seed in range(3):
        truth = shape(288, 512)
        under, painted = paint_over_noise(seed, amplitude, truth)
        chain = [StageMask(True, None), StageMask(False, change_mask(under, painted))]
        owners = ownership(chain, (512, 288))
        assert shares(chain, owners)[1] == pytest.approx(truth.mean(), abs=0.02)
        assert iou(owners == 1, truth) >= 0.95
        speckled = ownership(chain, (512, 288), min_island=0)
        assert iou(speckled == 1, truth) < iou(owners == 1, truth)


def test_a_later_stages_own_small_marks_stay_and_holes_in_its_paint_are_its() -> None:
    sky = np.zeros((288, 512), dtype=bool)
    sky[:120] = True
    sky[40:50, 100:110] = False  # a 100 px hole in the repainted sky: paint that matched the colour below
    sky[0:6, 300:306] = False  # a hole at the frame's edge is a hole all the same
    window = np.zeros((288, 512), dtype=bool)
    window[200:210, 50:60] = True  # a lit window of 100 px painted on the street
    owners = ownership([StageMask(True, None), StageMask(False, sky | window)], (512, 288))
    assert (owners[:120] == 1).all()
    assert (owners[200:210, 50:60] == 1).all() and (owners == 1).sum() == 120 * 512 + 100
    # A hole of 0.2% of the picture or more is left to the earlier stage: 18 x 18 px here.
    sky[60:78, 200:218] = False
    owners = ownership([StageMask(True, None), StageMask(False, sky)], (512, 288))
    assert (owners[60:78, 200:218] == 0).all() and MIN_ISLAND * 512 * 288 < 18 * 18


def test_a_recorded_paint_over_of_a_noisy_picture_is_measured_cleanly(project: Project, tmp_path: Path) -> None:
    """The same through the records: masks stored when the stages were recorded, cleaned by the audit."""
    truth = sky_band(288, 512)
    under, painted = paint_over_noise(4, 40, truth)
    under.save(tmp_path / "under.png")
    painted.save(tmp_path / "painted.png")
    sketch = record.record_sketch(project, "harbor/C012", tmp_path / "under.png", artist="tanaka-aiko")
    final = record.record_revision(project, str(sketch.asset_id), tmp_path / "painted.png", artist="suzuki-ren")
    report = audit_file(project, project.absolute(final.path))
    assert report.stages[1].share == pytest.approx(truth.mean(), abs=0.02)
    assert report.ownership is not None and iou(report.ownership == 1, truth) >= 0.95
