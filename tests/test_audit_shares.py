"""How much of a picture each stage made: measured when recorded, reported by the audit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw
from sqlmodel import select

from provenance import record
from provenance.audit import audit_file
from provenance.audit.shares import StageMask, ownership, shares
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
