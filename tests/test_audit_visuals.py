"""The process sheet and the heatmap: drawn, with Japanese names as glyphs rather than boxes."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from provenance.audit import audit_file
from provenance.audit.visuals import (
    _caption,
    _fonts,
    _legend_lines,
    render_heatmap,
    render_process_sheet,
    stage_thumbnails,
)
from provenance.fonts import FONT_VARIABLE, SHIPPED_FONT, find_japanese_font
from provenance.project import Project

from .conftest import Chain, read_image


def distinct_drawings(font: ImageFont.FreeTypeFont, texts: tuple[str, ...]) -> int:
    """How many different pictures the font draws for these characters; a missing glyph draws the same box."""

    def drawn(text: str) -> bytes:
        canvas = Image.new("L", (32, 32))
        ImageDraw.Draw(canvas).text((2, 2), text, font=font, fill=255)
        return canvas.tobytes()

    return len({drawn(text) for text in texts})


# Three kanji of the names on the sheets, and a code point no font has: with real glyphs, four pictures.
KANJI_AND_NO_GLYPH = ("田", "中", "鈴", "\U0010ffff")


def test_the_shipped_font_is_ipaex_gothic(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FONT_VARIABLE, raising=False)
    font = find_japanese_font()
    assert font == SHIPPED_FONT and font.is_file()
    assert ImageFont.truetype(str(font), 24).getname() == ("IPAexGothic", "Regular")
    licence = (font.parent / "IPA_Font_License_Agreement_v1.0.txt").read_text(encoding="utf-8-sig")
    assert licence.startswith("-" * 50 + "\nIPA Font License Agreement v1.0") and "Article 3 (Restriction)" in licence


def test_the_font_draws_japanese_glyphs_not_boxes() -> None:
    font = ImageFont.truetype(str(find_japanese_font()), 24)
    assert distinct_drawings(font, KANJI_AND_NO_GLYPH) == 4


def test_a_latin_only_font_fails_the_glyph_check() -> None:
    latin_only = ImageFont.load_default(size=24)  # Pillow's Aileron: no kanji
    assert isinstance(latin_only, ImageFont.FreeTypeFont) and latin_only.getname()[0] == "Aileron"
    assert distinct_drawings(latin_only, KANJI_AND_NO_GLYPH) < 4


def test_the_variable_overrides_the_shipped_font(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    other = tmp_path / "other.ttf"
    other.write_bytes(SHIPPED_FONT.read_bytes())
    monkeypatch.setenv(FONT_VARIABLE, str(other))
    assert find_japanese_font() == other


def test_process_sheet_has_a_column_per_stage(project: Project, chain: Chain) -> None:
    final = project.absolute(chain.final.path)
    report = audit_file(project, final, thumbnails=True)
    assert set(report.thumbnails) == {stage.manifest for stage in report.stages}
    pictures = stage_thumbnails(project, report)
    assert [p is None for p in pictures] == [False, False, True, False]  # the selection has no picture
    sheet = render_process_sheet(report, pictures)
    assert sheet.width == 24 + 4 * (320 + 24)
    assert len(sheet.getcolors(maxcolors=1 << 20) or []) > 100  # thumbnails, not a blank page


def test_heatmap_colours_each_stage(project: Project, chain: Chain) -> None:
    final = project.absolute(chain.final.path)
    report = audit_file(project, final)
    heatmap = render_heatmap(report, read_image(final))
    assert report.ownership is not None
    height, width = report.ownership.shape
    assert heatmap.height == height + 44 * 4 + 20 and heatmap.width >= width
    legend = [_legend_lines(index, stage) for index, stage in enumerate(report.stages)]
    assert [title.split(" · ")[0] for title, _ in legend] == [
        "1  Layout sketch", "2  AI generation", "3  Selection", "4  Paint-over",
    ]  # fmt: skip
    composition = report.stages[0].contribution
    assert composition and composition.kind == "composition"
    assert f"composition {composition.measure:.2f}" in legend[0][0]
    assert legend[0][1] == "田中 愛子  Tanaka Aiko (Background Layout / 背景原図)"
    assert "chose 1 of 3 candidates" in legend[2][0] and "Art Director / 美術監督" in legend[2][1]


def test_the_sheet_names_roles_and_kinds_in_words_and_says_what_each_gave(project: Project, chain: Chain) -> None:
    """Issue #10's pictures: titles, not codes; and the layout artist's composition, not a bare 0%."""
    report = audit_file(project, project.absolute(chain.final.path), thumbnails=True)
    captions = [[text for text, _, _ in _caption(i, stage, _fonts())] for i, stage in enumerate(report.stages)]
    sketch, generated, selection, revise = captions
    assert sketch[0] == "1  Layout sketch  ·  human" and "    Background Layout / 背景原図" in sketch
    composition = report.stages[0].contribution
    assert composition and composition.measure is not None
    assert sketch[-1] == f"composition {composition.measure:.2f}: its lines in the final"
    assert generated[0] == "2  AI generation  ·  AI"
    assert ["    Image Generation Operator", "    画像生成オペレーター"] == generated[2:4]  # too wide for one line
    assert selection[-1] == "chose 1 of 3 candidates" and "    Art Director / 美術監督" in selection
    assert revise[0] == "4  Paint-over  ·  human" and revise[-1].startswith("pixels ")
    every_line = [line for lines in captions for line in lines]
    assert not any(code in line for line in every_line for code in ("BG_", "AI_OPERATOR", "ai_generate"))
    assert not any(line.endswith(" 0% of the final picture") for line in every_line)
