"""What each stage gave the final picture, measured the way that fits it: composition, pixels or a decision.

A layout artist's drawing fixes the lines of the whole background and then nearly every pixel is changed
by img2img and paint-over: counted in pixels, the layout is "0%", the mistake the short film's credits
made. So a layout (``sketch``, ``design``, ``art_board``) is measured by how much of its structure is in
the final (:mod:`.composition`), a painting or AI stage by the pixels it changed last (:mod:`.shares`), and
a selection as the decision it was: one of N candidates, with the others named.

>>> [stage.contribution.text for stage in report.stages]  # doctest: +SKIP
['composition 0.59', 'pixels 41%', 'chose 1 of 3 candidates', 'pixels 59%']
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image

from ..errors import InputFileError
from ..imaging import decode_image, mime_type_of
from ..project import Project
from ..vocabulary import contribution_kind
from .chain import Link
from .composition import TOLERANCE, WORKING_SIZE, composition, working_size
from .report import AuditStage, CompositionMeasure, Decision, PictureSource, StageContribution


@dataclass(frozen=True)
class Picture:
    image: Image.Image
    source: PictureSource


FinalPicture = Callable[[], Picture | None]


def percent(share: float) -> str:
    """A share of the picture in words: "43%", or "<1%" where rounding would print a bare 0% for work done."""
    return "<1%" if 0 < share < 0.005 else f"{share:.0%}"


def pixels_text(share: float | None) -> str:
    if share is None:
        return "pixels unmeasured"
    return "no pixels left in the final" if share == 0 else f"pixels {percent(share)}"


def contributions(
    project: Project,
    stages: list[AuditStage],
    links: list[Link],
    thumbnails: dict[str, bytes],
    final: FinalPicture,
    *,
    unmeasured: str | None = None,
) -> list[str]:
    """Give each stage its ``contribution``; return the notes on what could not be measured.

    ``thumbnails`` are the manifests' thumbnails by label, ``final`` gives the audited picture when a layout
    needs it; ``unmeasured`` says why nothing is measured (a file changed after signing).
    """
    notes: list[str] = []
    final_once = functools.cache(final)  # decoded once, and only if a layout is measured
    for index, (stage, link) in enumerate(zip(stages, links, strict=True), start=1):
        kind = contribution_kind(stage.kind)
        if kind == "decision":
            stage.contribution = decision(stage, link)
        elif kind == "pixels":
            stage.contribution = StageContribution(
                kind="pixels", measure=stage.share, text=pixels_text(stage.share),
                unmeasured=None if stage.share is not None else unmeasured or "its changes were never measured",
            )  # fmt: skip
        else:
            layout = layout_contribution(project, stage, thumbnails, final_once, unmeasured)
            stage.contribution = layout
            if layout.unmeasured:
                notes.append(f"the composition of stage {index} ({stage.kind}) is unmeasured: {layout.unmeasured}")
    return notes


def layout_contribution(
    project: Project, stage: AuditStage, thumbnails: dict[str, bytes], final: FinalPicture, unmeasured: str | None
) -> StageContribution:
    """A layout's composition in the final, or why it is unmeasured."""
    picture = None if unmeasured else stage_picture(project, stage, thumbnails)
    final_picture = final() if picture is not None else None
    if picture is not None and final_picture is not None:
        return measured_composition(picture, final_picture)
    reason = unmeasured or (
        "the stage's picture is not here (no thumbnail in its manifest, no intact recorded file)"
        if picture is None
        else "the audited file's picture could not be read"
    )
    return StageContribution(kind="composition", measure=None, text="composition unmeasured", unmeasured=reason)


def measured_composition(stage: Picture, final: Picture) -> StageContribution:
    score = composition(stage.image, final.image)
    return StageContribution(
        kind="composition",
        measure=score.score,
        text=f"composition {score.score:.2f}",
        composition=CompositionMeasure(
            score=score.score,
            recall=score.recall,
            precision=score.precision,
            working_size=WORKING_SIZE,
            tolerance=TOLERANCE,
            stage_picture=stage.source,
            final_picture=final.source,
        ),
    )


def decision(stage: AuditStage, link: Link) -> StageContribution:
    """A selection: chose 1 of N; the passed-over candidates by asset id where our records hold them."""
    passed_over = int(stage.settings.get("alternatives", 0))
    recorded = link.row.parameters.get("alternatives") if link.row is not None else None
    alternatives = [int(asset_id) for asset_id in recorded] if isinstance(recorded, list) else None
    candidates = passed_over + 1
    return StageContribution(
        kind="decision",
        measure=None,
        text=f"chose 1 of {candidates} candidates" if candidates > 1 else "chose the only candidate",
        decision=Decision(candidates=candidates, alternatives=alternatives),
    )


def stage_picture(project: Project, stage: AuditStage, thumbnails: dict[str, bytes]) -> Picture | None:
    """The stage's own picture: the thumbnail its manifest signed, else its recorded file if intact."""
    if stage.manifest and stage.manifest in thumbnails:
        image = small_picture(thumbnails[stage.manifest], stage.manifest)
        if image is not None:
            return Picture(image, "manifest thumbnail")
    if stage.path and stage.file == "intact":
        try:
            data = project.absolute(stage.path).read_bytes()
        except OSError:
            return None
        image = small_picture(data, stage.path)
        return Picture(image, "recorded file") if image is not None else None
    return None


def small_picture(data: bytes, name: str) -> Image.Image | None:
    """Decode a picture for comparison at the working size; a JPEG (a thumbnail) decodes at a fraction of its
    size, anything else through :func:`decode_image` and its bound on pixels. None when it cannot be read."""
    try:
        if mime_type_of(data) != "image/jpeg":
            return decode_image(data, name=name)
        with Image.open(io.BytesIO(data)) as opened:
            opened.draft("RGB", working_size(opened.size))
            return opened.convert("RGB")
    except (InputFileError, OSError, SyntaxError, ValueError):
        return None
