"""What each person gave, on chains whose answers are known without a trained model.

A layout of lines; an "AI" output through the engine seam that keeps those lines (blurred, recoloured,
noised) or keeps nothing (pure noise); a paint-over of a known rectangle that repaints it and redraws the
layout's lines inside it. The composition measure must be high where the lines survive and near zero where
they do not, and the pixel shares must match the known areas.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image, ImageChops, ImageDraw

from provenance import record
from provenance.audit import AuditReport, audit_file
from provenance.audit.composition import TOLERANCE, WORKING_SIZE, composition, edges, working_size
from provenance.cli import main
from provenance.demo import draw_layout
from provenance.project import Project

from .conftest import STEPS, read_image
from .fake_engine import line_keeping_generate, noise_generate

# The paint-over repaints this rectangle of the 512x288 picture: a quarter of it.
REPAINTED = (0, 0, 256, 144)
REPAINTED_AREA = 0.25


def repaint(picture: Image.Image) -> Image.Image:
    """A person's paint-over: the rectangle painted a flat blue-grey, the layout's lines redrawn in it in brown."""
    painted = picture.copy()
    left, top, right, bottom = REPAINTED
    ImageDraw.Draw(painted).rectangle((left, top, right - 1, bottom - 1), fill=(90, 110, 150))
    ink = draw_layout().convert("L")
    lines = ImageChops.multiply(Image.new("RGB", painted.size, (150, 90, 60)), ink.convert("RGB"))
    inked = Image.composite(lines, painted, ink.point(lambda v: 255 if v < 128 else 0))
    painted.paste(inked.crop(REPAINTED), (left, top))
    return painted


def record_chain(project: Project, tmp_path: Path, generator, *, paint: bool) -> tuple[Path, list[int]]:  # type: ignore[no-untyped-def]
    """sketch -> 2 candidates from ``generator`` -> selection of the first -> paint-over (when ``paint``)."""
    layout = tmp_path / "layout.png"
    draw_layout().save(layout)
    sketch = record.record_sketch(project, "harbor/C012", layout, artist="tanaka-aiko")
    candidates = record.record_generation(
        project, str(sketch.asset_id), operator="sato-ken", prompt="harbor", seed=7, steps=STEPS, strength=0.6,
        candidates=2, generator=generator,
    )  # fmt: skip
    chosen = candidates[0]
    record.record_selection(project, str(chosen.asset_id), by="yamada-hanako")
    if not paint:
        return project.absolute(chosen.path), [c.asset_id for c in candidates]
    paint_file = tmp_path / "paint.png"
    repaint(read_image(project.absolute(chosen.path)).convert("RGB")).save(paint_file)
    final = record.record_revision(project, str(chosen.asset_id), paint_file, artist="suzuki-ren")
    return project.absolute(final.path), [c.asset_id for c in candidates]


def truth_mask(size: tuple[int, int]) -> np.ndarray:
    """The repainted rectangle at the ownership map's size."""
    width, height = size
    mask = np.zeros((height, width), dtype=bool)
    mask[: round(REPAINTED[3] * height / 288), : round(REPAINTED[2] * width / 512)] = True
    return mask


def test_lines_that_survive_are_the_layout_artists_composition(project: Project, tmp_path: Path) -> None:
    final, candidates = record_chain(project, tmp_path, line_keeping_generate, paint=True)
    report = audit_file(project, final)
    assert report.verdict == "trusted"
    sketch, generated, selection, revise = report.stages
    assert [s.contribution.kind for s in report.stages if s.contribution] == [
        "composition", "pixels", "decision", "pixels",
    ]  # fmt: skip
    assert sketch.contribution and sketch.contribution.measure is not None
    assert sketch.contribution.measure > 0.6
    assert sketch.contribution.text == f"composition {sketch.contribution.measure:.2f}"
    measured = sketch.contribution.composition
    assert measured is not None and measured.stage_picture == measured.final_picture == "manifest thumbnail"
    assert (measured.working_size, measured.tolerance) == (WORKING_SIZE, TOLERANCE)
    # Pixels: the AI changed every pixel of the layout, the paint-over took back the rectangle.
    assert sketch.share is not None and sketch.share < 0.01
    assert revise.share == pytest.approx(REPAINTED_AREA, abs=0.02)
    assert generated.share == pytest.approx(1 - REPAINTED_AREA, abs=0.02)
    assert report.ownership is not None
    owned = report.ownership == 3
    truth = truth_mask((report.ownership.shape[1], report.ownership.shape[0]))
    assert (owned & truth).sum() / (owned | truth).sum() >= 0.95
    # The selection is a decision: 1 of the 2 candidates, the other named.
    assert selection.contribution and selection.contribution.decision
    assert selection.contribution.decision.candidates == 2
    assert selection.contribution.decision.alternatives == candidates[1:]
    assert selection.contribution.text == "chose 1 of 2 candidates"
    # Totals keep their pixel meaning, and say so.
    assert report.shares is not None and report.shares.measure == "pixels changed last"


def test_lines_that_do_not_survive_measure_near_zero(project: Project, tmp_path: Path) -> None:
    candidate, _ = record_chain(project, tmp_path, noise_generate, paint=False)
    report = audit_file(project, candidate)
    sketch = report.stages[0]
    assert sketch.contribution and sketch.contribution.measure is not None
    assert sketch.contribution.measure < 0.05
    assert report.stages[1].share == pytest.approx(1.0, abs=0.01)


def test_the_same_candidate_keeps_the_lines_through_the_line_keeping_stand_in(project: Project, tmp_path: Path) -> None:
    candidate, _ = record_chain(project, tmp_path, line_keeping_generate, paint=False)
    report = audit_file(project, candidate)
    sketch = report.stages[0].contribution
    assert sketch and sketch.measure is not None and sketch.measure > 0.6


def test_the_measure_on_pictures_whose_answer_is_known() -> None:
    layout = draw_layout()
    noise = Image.fromarray(np.random.default_rng(1).integers(0, 256, (288, 512, 3), dtype=np.uint8))
    blank = Image.new("RGB", layout.size, (246, 244, 238))
    assert composition(layout, layout).score == 1.0
    assert composition(layout, noise).score < 0.05
    assert composition(layout, blank).score == 0.0
    assert composition(blank, layout).score == 0.0  # a blank page fixes no lines
    # The same lines moved 4 px across and down still count; moved 40 px across and 30 down, mostly not.
    near, far = (
        layout.transform(layout.size, Image.Transform.AFFINE, (1, 0, dx, 0, 1, dy), fillcolor=(246, 244, 238))
        for dx, dy in ((4, 4), (40, 30))
    )
    assert composition(layout, near).score > 0.6 and composition(layout, far).score < 0.3


def test_the_edges_are_cannys() -> None:
    """Our numpy edges against scikit-image's Canny with the same smoothing and thresholds."""
    from skimage.feature import canny

    from provenance.audit import composition as measure

    noisy = np.asarray(draw_layout(), dtype=np.float32) + np.random.default_rng(2).normal(0, 25, (288, 512, 3))
    for picture in (draw_layout(), Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))):
        size = working_size(picture.size)
        ours = edges(picture, size)
        luminance = np.asarray(picture.convert("L").resize(size, Image.Resampling.BOX), dtype=np.float32) / 255
        theirs = canny(
            luminance, sigma=measure.EDGE_SIGMA, low_threshold=measure.LOW_THRESHOLD,
            high_threshold=measure.HIGH_THRESHOLD, mode="nearest",
        )  # fmt: skip
        agreement = measure.edge_agreement(theirs, ours)
        assert agreement.recall > 0.9 and agreement.precision > 0.9


def test_a_layout_whose_file_is_gone_is_unmeasured_and_says_so(project: Project, tmp_path: Path) -> None:
    final, _ = record_chain(project, tmp_path, line_keeping_generate, paint=True)
    stripped = tmp_path / "posted.png"
    read_image(final).save(stripped)  # no manifest: the audit reads our records and the recorded files
    first = audit_file(project, stripped)
    assert first.verdict == "matched-without-manifest"
    sketch = first.stages[0].contribution
    assert sketch and sketch.composition and sketch.composition.stage_picture == "recorded file"
    assert sketch.composition.final_picture == "audited file" and sketch.measure and sketch.measure > 0.6
    assert first.stages[0].path is not None
    project.absolute(first.stages[0].path).unlink()
    report = audit_file(project, stripped)
    sketch = report.stages[0].contribution
    assert sketch and sketch.measure is None and sketch.text == "composition unmeasured"
    assert sketch.unmeasured and "no intact recorded file" in sketch.unmeasured
    assert any("composition of stage 1 (sketch) is unmeasured" in note for note in report.notes)


def test_the_text_report_says_what_each_person_gave(project: Project, tmp_path: Path) -> None:
    final, _ = record_chain(project, tmp_path, line_keeping_generate, paint=True)
    result = CliRunner().invoke(main, ["--project", str(project.root), "audit", str(final)])
    assert result.exit_code in (0, 9), result.output
    report = AuditReport.model_validate(
        json.loads(CliRunner().invoke(main, ["--project", str(project.root), "audit", str(final), "--json"]).output)
    )
    score = report.stages[0].contribution.measure if report.stages[0].contribution else None
    assert score is not None
    row = next(line for line in result.output.splitlines() if line.startswith("1 "))
    assert f"composition {score:.2f}" in row and "Tanaka Aiko" in row
    assert "chose 1 of 2 candidates" in result.output
    assert f"Composition: Tanaka Aiko 田中 愛子: {score:.2f}" in result.output
    assert "Pixels changed last: human" in result.output
    assert " 0%" not in result.output  # no one is shown as a bare zero
