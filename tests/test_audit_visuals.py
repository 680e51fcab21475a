"""The process sheet and the heatmap: drawn, with Japanese names as glyphs rather than boxes."""

from __future__ import annotations

import os

import pytest
from PIL import Image, ImageDraw, ImageFont

from provenance.audit import audit_file
from provenance.audit.visuals import render_heatmap, render_process_sheet, stage_thumbnails
from provenance.errors import MissingFontError
from provenance.fonts import find_japanese_font
from provenance.project import Project

from .conftest import Chain, read_image


@pytest.fixture
def font_path() -> str:
    try:
        return str(find_japanese_font())
    except MissingFontError as error:
        if os.environ.get("CI"):
            pytest.fail(f"CI must install a Japanese font: {error}")
        pytest.skip(str(error))


def test_the_font_draws_japanese_glyphs_not_boxes(font_path: str) -> None:
    font = ImageFont.truetype(font_path, 24)

    def drawn(text: str) -> bytes:
        canvas = Image.new("L", (32, 32))
        ImageDraw.Draw(canvas).text((2, 2), text, font=font, fill=255)
        return canvas.tobytes()

    shapes = {drawn(text) for text in ("田", "中", "鈴", "\U0010ffff")}
    assert len(shapes) == 4  # a font without these glyphs draws the same box for every one


def test_process_sheet_has_a_column_per_stage(project: Project, chain: Chain, font_path: str) -> None:
    final = project.absolute(chain.final.path)
    report = audit_file(project, final, thumbnails=True)
    assert set(report.thumbnails) == {stage.manifest for stage in report.stages}
    pictures = stage_thumbnails(project, report)
    assert [p is None for p in pictures] == [False, False, True, False]  # the selection has no picture
    sheet = render_process_sheet(report, pictures)
    assert sheet.width == 24 + 4 * (320 + 24)
    assert len(sheet.getcolors(maxcolors=1 << 20) or []) > 100  # thumbnails, not a blank page


def test_heatmap_colours_each_stage(project: Project, chain: Chain, font_path: str) -> None:
    final = project.absolute(chain.final.path)
    report = audit_file(project, final)
    heatmap = render_heatmap(report, read_image(final))
    assert report.ownership is not None
    height, width = report.ownership.shape
    assert heatmap.size == (width, height + 28 * 4 + 20)
