"""Pictures of an audit: the process sheet (the stages side by side) and the heatmap of who made what.

The process sheet is the end-credits illustration of the short film in DESIGN.md, done right: every stage
as a thumbnail captioned with the stage, its people in native script and romanized, and the tool or model.
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
    """The stages side by side, each captioned with its people and tool."""
    fonts = _fonts()
    thumb_height = max((round(THUMB_WIDTH * p.height / p.width) for p in pictures if p), default=180)
    column = THUMB_WIDTH + 24
    caption_height = 150
    sheet = Image.new("RGB", (24 + column * max(1, len(report.stages)), 90 + thumb_height + caption_height), "white")
    draw = ImageDraw.Draw(sheet)
    draw.text((24, 20), f"{report.background or Path(report.file).name} — {report.verdict}", font=fonts[0], fill=_INK)
    draw.text((24, 52), report.statement[:150], font=fonts[2], fill=_MUTED)
    for index, (stage, picture) in enumerate(zip(report.stages, pictures, strict=True)):
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
        for text, font, colour in _caption(index, stage, fonts):
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
    legend_height = 28 * len(report.stages) + 20
    picture = Image.new("RGB", (width, height + legend_height), "white")
    picture.paste(Image.fromarray(tinted), (0, 0))
    draw = ImageDraw.Draw(picture)
    for index, stage in enumerate(report.stages):
        y = height + 10 + 28 * index
        draw.rectangle((10, y + 3, 30, y + 19), fill=PALETTE[index % len(PALETTE)])
        share = "unmeasured" if stage.share is None else f"{stage.share:.0%}"
        names = ", ".join(_name(p.native_name, p.name) for p in stage.people) or "-"
        draw.text((40, y), f"{index + 1} {stage.kind}  {share}  {names}", font=fonts[2], fill=_INK)
    return picture


def _caption(
    index: int, stage: AuditStage, fonts: list[ImageFont.FreeTypeFont]
) -> list[tuple[str, ImageFont.FreeTypeFont, tuple[int, int, int]]]:
    lines = [(f"{index + 1}  {stage.kind}  ·  {'AI' if stage.ai else 'human'}", fonts[1], _INK)]
    for person in stage.people:
        lines.append((_name(person.native_name, person.name), fonts[1], _INK))
        if person.role:
            lines.append((f"    {person.role}", fonts[2], _MUTED))
    tool = stage.model or stage.tool
    if tool:
        lines.append((tool[:44], fonts[2], _MUTED))
    if stage.share is not None:
        lines.append((f"{stage.share:.0%} of the final picture", fonts[2], _MUTED))
    return lines


def _name(native: str | None, romanized: str) -> str:
    return f"{native}  {romanized}" if native and native != romanized else romanized


def _fonts() -> list[ImageFont.FreeTypeFont]:
    font = str(find_japanese_font())
    return [ImageFont.truetype(font, size) for size in (22, 17, 14)]


def _open(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.copy()
