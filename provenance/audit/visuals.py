"""Pictures of an audit: the process sheet (the stages side by side) and the heatmap of who made what.

The process sheet is the end-credits illustration of the short film credited to "AI (+Human)", done
right: every stage as a thumbnail captioned with the stage in words, its people in native script and
romanized with their roles' English and Japanese titles, the tool or model, and what the stage gave (a
layout's composition, a painting's or AI's pixels, a selection's decision), never a bare percentage under a
layout artist's name.
Thumbnails come from the file's own manifests, so a partner's file works without our records; a file
with no manifest uses the recorded files. Names are drawn with a Japanese font (:mod:`provenance.fonts`).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ..errors import InputFileError
from ..fonts import find_japanese_font
from ..project import Project
from ..vocabulary import kind_label, role_title
from .contributions import percent, pixels_text
from .report import AuditReport, AuditStage

THUMB_WIDTH = 320
PALETTE = [(66, 133, 244), (219, 68, 55), (244, 180, 0), (15, 157, 88), (171, 71, 188), (0, 172, 193), (255, 112, 67)]
_INK = (28, 28, 30)
_MUTED = (110, 110, 115)


def stage_thumbnails(project: Project, report: AuditReport) -> list[Image.Image | None]:
    """One picture per stage of the report (None for a selection, which has none of its own).

    Signed stages use the thumbnails the audit kept (``audit_file(..., thumbnails=True)``); otherwise the
    recorded files.
    """
    by_label = report.thumbnails
    pictures: list[Image.Image | None] = []
    for stage in report.stages:
        if stage.kind == "select":
            pictures.append(None)
        elif stage.manifest and stage.manifest in by_label:
            pictures.append(_open(by_label[stage.manifest]))
        elif stage.path and project.absolute(stage.path).is_file():
            pictures.append(_open(project.absolute(stage.path).read_bytes()))
        else:
            pictures.append(None)
    return pictures


def render_process_sheet(report: AuditReport, pictures: list[Image.Image | None]) -> Image.Image:
    """The stages side by side, each captioned with its people, their roles, the tool and what it gave."""
    fonts = _fonts()
    thumb_height = max((round(THUMB_WIDTH * p.height / p.width) for p in pictures if p), default=180)
    column = THUMB_WIDTH + 24
    captions = [_caption(index, stage, fonts) for index, stage in enumerate(report.stages)]
    caption_height = 40 + max((sum(round(font.size) + 6 for _, font, _ in lines) for lines in captions), default=0)
    sheet = Image.new("RGB", (24 + column * max(1, len(report.stages)), 90 + thumb_height + caption_height), "white")
    draw = ImageDraw.Draw(sheet)
    draw.text((24, 20), f"{report.background or Path(report.file).name} — {report.verdict}", font=fonts[0], fill=_INK)
    draw.text((24, 52), report.statement[:150], font=fonts[2], fill=_MUTED)
    for index, (stage, picture, caption) in enumerate(zip(report.stages, pictures, captions, strict=True)):
        left, top = 24 + index * column, 80
        box = (left, top, left + THUMB_WIDTH, top + thumb_height)
        if picture is not None:
            sheet.paste(picture.convert("RGB").resize((THUMB_WIDTH, thumb_height)), box[:2])
        else:
            draw.rectangle(box, fill=(244, 244, 246), outline=(210, 210, 214))
            note = "a decision, no file" if stage.kind == "select" else "no picture"
            draw.text((left + 16, top + thumb_height // 2 - 10), note, font=fonts[2], fill=_MUTED)
        draw.rectangle((left, top + thumb_height + 8, left + THUMB_WIDTH, top + thumb_height + 12),
                       fill=PALETTE[index % len(PALETTE)])  # fmt: skip
        y = top + thumb_height + 20
        for text, font, colour in caption:
            draw.text((left, y), text, font=font, fill=colour)
            y += round(font.size) + 6
    return sheet


def render_heatmap(report: AuditReport, background: Image.Image) -> Image.Image:
    """The final picture tinted by the stage that last changed each pixel, with a legend."""
    owners = report.ownership
    if owners is None:
        raise InputFileError("this audit measured no shares (tampered, or no stages), so there is no heatmap")
    fonts = _fonts()
    height, width = owners.shape
    base = np.asarray(background.convert("L").convert("RGB").resize((width, height)), dtype=np.float32)
    colours = np.zeros((height, width, 3), dtype=np.float32)
    for index in range(len(report.stages)):
        colours[owners == index] = PALETTE[index % len(PALETTE)]
    tinted = np.where((owners >= 0)[..., None], base * 0.45 + colours * 0.55, base).astype(np.uint8)
    legend = [_legend_lines(index, stage) for index, stage in enumerate(report.stages)]
    legend_width = max(fonts[2].getlength(line) for lines in legend for line in lines)
    picture = Image.new("RGB", (max(width, 50 + round(legend_width)), height + 44 * len(legend) + 20), "white")
    picture.paste(Image.fromarray(tinted), (0, 0))
    draw = ImageDraw.Draw(picture)
    for index, (title, people) in enumerate(legend):
        y = height + 10 + 44 * index
        draw.rectangle((10, y + 3, 30, y + 19), fill=PALETTE[index % len(PALETTE)])
        draw.text((40, y), title, font=fonts[2], fill=_INK)
        draw.text((40, y + 19), people, font=fonts[2], fill=_MUTED)
    return picture


def _legend_lines(index: int, stage: AuditStage) -> tuple[str, str]:
    """The stage in words with what it gave, then its people with their roles. The swatch is the stage's
    pixels on the map, so a layout or a selection also says the pixels it holds, when it holds any."""
    gave = contribution_text(stage)
    if stage.contribution and stage.contribution.kind != "pixels" and stage.share:
        gave += f" · pixels {percent(stage.share)}"
    people = " · ".join(
        _name(p.native_name, p.name) + (f" ({role_title(p.role)})" if p.role else "") for p in stage.people
    )
    return f"{index + 1}  {kind_label(stage.kind)} · {gave}", people or "no person named"


def contribution_text(stage: AuditStage) -> str:
    """What the stage gave, in words: its contribution, or (a report from before contributions) its pixels."""
    return stage.contribution.text if stage.contribution else pixels_text(stage.share)


def _caption(
    index: int, stage: AuditStage, fonts: list[ImageFont.FreeTypeFont]
) -> list[tuple[str, ImageFont.FreeTypeFont, tuple[int, int, int]]]:
    origin = {"ai": "AI", "human": "human"}.get(stage.origin, "origin undeclared")
    lines = [(f"{index + 1}  {kind_label(stage.kind)}  ·  {origin}", fonts[1], _INK)]
    for person in stage.people:
        lines.append((_name(person.native_name, person.name), fonts[1], _INK))
        if person.role:
            title = role_title(person.role)
            # "Image Generation Operator / 画像生成オペレーター" is wider than a column: one title a line.
            titles = [title] if fonts[2].getlength(f"    {title}") <= THUMB_WIDTH else title.split(" / ")
            lines += [(f"    {part}", fonts[2], _MUTED) for part in titles]
    tool = stage.model or stage.tool
    if tool:
        lines.append((tool[:44], fonts[2], _MUTED))
    lines.append((_gave(stage), fonts[2], _INK))
    return lines


def _gave(stage: AuditStage) -> str:
    contribution = stage.contribution
    if contribution is None or contribution.measure is None:
        return contribution_text(stage)
    if contribution.kind == "composition":
        return f"{contribution.text}: its lines in the final"
    return f"{contribution.text} of the final picture" if stage.share else contribution.text


def _name(native: str | None, romanized: str) -> str:
    return f"{native}  {romanized}" if native and native != romanized else romanized


def _fonts() -> list[ImageFont.FreeTypeFont]:
    font = str(find_japanese_font())
    return [ImageFont.truetype(font, size) for size in (22, 17, 14)]


def _open(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.copy()
