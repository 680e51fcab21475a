"""The demo: the short film credited to "AI (+Human)", done right, in a fresh project on the embedded defaults.

A layout artist draws the cut (here: a procedurally drawn harbor street), an operator makes three img2img
candidates with the built-in ``tiny`` model, the art director picks one, a background artist paints over
it (here: simulated by code, and said so), then the final file is audited and the credit sheet written.
Every person is named, and the AI appears only in the disclosure.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw

from . import catalog, record
from .audit import AuditReport, audit_file
from .credits.formats import render_txt
from .credits.sheet import credit_sheet
from .engine import StepObserver
from .errors import InvalidValueError
from .imaging import load_image
from .project import Project

WIDTH, HEIGHT = 512, 288
STRENGTH = 0.6
HORIZON = 150
_INK = (30, 30, 35)
_PAPER = (246, 244, 238)


@dataclass(frozen=True)
class DemoStep:
    """A stage of the story (``sketch``, ``generate``...) that finished, or starts (``seconds`` None: the slow
    ones say so first), or one AI candidate that is made (``candidate``)."""

    name: str
    seconds: float | None
    detail: str


@dataclass
class DemoResult:
    root: Path
    sketch: record.RecordedFile
    candidates: list[record.RecordedFile]
    selected: record.RecordedSelection
    final: record.RecordedFile
    audit: AuditReport
    credits_path: Path
    audit_path: Path
    steps: list[DemoStep] = field(default_factory=list)


def run_demo(
    folder: Path,
    *,
    on_step: Callable[[DemoStep], None] | None = None,
    on_progress: StepObserver | None = None,
    steps: int = 20,
) -> DemoResult:
    """Play the whole story in a new project at ``folder``; report each stage, and each AI candidate, as it finishes.

    ``on_progress`` gets every denoising step (for progress bars); ``on_step`` gets one :class:`DemoStep` a
    stage and one a candidate, so a log or a pipe hears from the demo while the candidates are made.
    """
    if int(STRENGTH * steps) < 1:  # checked before the project is made: a failed demo leaves nothing behind
        raise InvalidValueError(f"{steps} steps at strength {STRENGTH} run no denoising step; give 2 or more")
    timeline: list[DemoStep] = []

    def done(name: str, started: float, detail: str) -> None:
        step = DemoStep(name, time.perf_counter() - started, detail)
        timeline.append(step)
        if on_step:
            on_step(step)

    started = time.perf_counter()
    project = Project.init(folder, studio="Harbor Studio")
    catalog.add_person(project, "Tanaka Aiko", native_name="田中 愛子", organization="Harbor Studio")
    catalog.add_person(project, "Sato Ken", native_name="佐藤 健", organization="Harbor Studio")
    catalog.add_person(project, "Yamada Hanako", native_name="山田 花子", organization="Harbor Studio")
    catalog.add_person(project, "Suzuki Ren", native_name="鈴木 蓮", organization="Studio Kumo")
    catalog.add_production(project, "Harbor Lights", handle="harbor", native_title="港の灯り", studio="Harbor Studio")
    catalog.add_background(project, "harbor", "C012", scene="S03")
    done("project", started, f"new project at {project.root} with 4 people and background harbor/C012")

    started = time.perf_counter()
    incoming = project.root / "incoming"
    incoming.mkdir()
    layout_file = incoming / "C012_layout.png"
    draw_layout().save(layout_file)
    sketch = record.record_sketch(project, "harbor/C012", layout_file, artist="tanaka-aiko", tool="Clip Studio Paint")
    done("sketch", started, f"layout by Tanaka Aiko -> {sketch.path}")

    started = time.perf_counter()
    if on_step:
        on_step(DemoStep("generate", None, "loading the tiny model (built on first use), then 3 candidates"))
    finished_candidates = _CandidateTimer(3, done, on_progress)
    candidates = record.record_generation(
        project,
        str(sketch.asset_id),
        operator="sato-ken",
        prompt="harbor street at dusk, warm lamps, anime background painting",
        negative_prompt="people, text",
        seed=1203,
        strength=STRENGTH,
        steps=steps,
        candidates=3,
        on_step=finished_candidates,
    )
    finished_candidates.finish()
    done(
        "generate",
        started,
        f"3 candidates (assets {', '.join(f'#{c.asset_id}' for c in candidates)}) from tiny, run by Sato Ken",
    )

    started = time.perf_counter()
    chosen = candidates[1]
    selected = record.record_selection(project, str(chosen.asset_id), by="yamada-hanako")
    done("select", started, f"Yamada Hanako picked candidate 2 (asset #{chosen.asset_id})")

    started = time.perf_counter()
    paint_file = incoming / "C012_paintover.png"
    paint_over(load_image(project.absolute(chosen.path))).save(paint_file)
    final = record.record_revision(project, str(chosen.asset_id), paint_file, artist="suzuki-ren", tool="Krita")
    done("revise", started, f"paint-over by Suzuki Ren (simulated by code) -> {final.path}")

    started = time.perf_counter()
    report = audit_file(project, project.absolute(final.path))
    audit_path = project.root / "C012_audit.json"
    audit_path.write_text(report.model_dump_json(indent=2) + "\n")
    done("audit", started, f"verdict {report.verdict}, {report.summary.stages} stages -> {audit_path.name}")

    started = time.perf_counter()
    credits_path = project.root / "harbor_credits.txt"
    credits_path.write_text(render_txt(credit_sheet(project, "harbor")), encoding="utf-8")
    done("credits", started, f"credit sheet -> {credits_path.name}")
    project.close()

    return DemoResult(
        root=project.root,
        sketch=sketch,
        candidates=candidates,
        selected=selected,
        final=final,
        audit=report,
        credits_path=credits_path,
        audit_path=audit_path,
        steps=timeline,
    )


class _CandidateTimer:
    """The engine's step observer that also reports each candidate once, when it is done.

    A candidate is done at its last step, or at the latest when the next one starts (or the run ends), so a
    scheduler that counts its steps differently still gets every candidate reported once.
    """

    def __init__(self, count: int, done: Callable[[str, float, str], None], forward: StepObserver | None) -> None:
        self.count, self.done, self.forward = count, done, forward
        self.current: int | None = None
        self.started = time.perf_counter()
        self.steps = 0
        self.reported: set[int] = set()

    def __call__(self, candidate: int, step: int, total: int) -> None:
        if self.forward is not None:
            self.forward(candidate, step, total)
        if candidate != self.current:
            self.finish()
            self.current, self.started = candidate, time.perf_counter()
        self.steps = step
        if step >= total:
            self.finish()

    def finish(self) -> None:
        if self.current is None or self.current in self.reported:
            return
        self.reported.add(self.current)
        self.done("candidate", self.started, f"{self.current + 1}/{self.count} made in {self.steps} denoising steps")


def draw_layout() -> Image.Image:
    """A background layout in ink: a street running down to a harbor, one-point perspective."""
    image = Image.new("RGB", (WIDTH, HEIGHT), _PAPER)
    draw = ImageDraw.Draw(image)
    vanish = (WIDTH // 2 + 20, HORIZON)
    draw.line((0, HORIZON, WIDTH, HORIZON), fill=_INK, width=1)
    # Street edges and kerbs converge on the vanishing point.
    for x in (-80, 120, 400, 600):
        draw.line((x, HEIGHT, *vanish), fill=_INK, width=2)
    # Buildings on both sides, their roof lines in perspective.
    for side, xs in ((-1, (0, 60, 110)), (1, (WIDTH, WIDTH - 70, WIDTH - 120))):
        for index, x in enumerate(xs):
            top = 30 + 18 * index
            x_next = x - side * 55
            draw.polygon(
                [
                    (x, top),
                    (x_next, top + 22),
                    (x_next, HORIZON + 40 - 12 * index),
                    (x, HEIGHT - 60 + 10 * index),
                ],
                outline=_INK,
                width=2,
            )
            for row in range(3):
                wy = top + 30 + row * 28
                draw.rectangle((min(x, x_next) + 12, wy, min(x, x_next) + 24, wy + 14), outline=_INK)
    # The harbor: a pier, a boat, and power lines sagging across the sky.
    draw.line((vanish[0] - 60, HORIZON + 6, vanish[0] + 60, HORIZON + 6), fill=_INK, width=2)
    draw.arc((vanish[0] - 30, HORIZON - 14, vanish[0] + 10, HORIZON + 2), 0, 180, fill=_INK, width=2)
    draw.line((vanish[0] - 10, HORIZON - 40, vanish[0] - 10, HORIZON - 6), fill=_INK, width=1)
    for sag in (0, 10):
        draw.arc((-40, 10 + sag, WIDTH + 40, 110 + sag), 20, 160, fill=_INK, width=1)
    draw.line((WIDTH - 150, 40, WIDTH - 150, HEIGHT - 40), fill=_INK, width=3)
    return image


def paint_over(candidate: Image.Image) -> Image.Image:
    """Stands in for a background artist's paint-over: a dusk sky, lit windows, the layout re-inked."""
    painted = candidate.copy()
    draw = ImageDraw.Draw(painted)
    for y in range(HORIZON):
        blend = y / HORIZON
        colour = (int(70 + 170 * blend), int(60 + 90 * blend), int(120 - 40 * blend))
        draw.line((0, y, WIDTH, y), fill=colour)
    for x, y in ((28, 80), (28, 108), (WIDTH - 60, 96), (WIDTH - 60, 124)):
        draw.rectangle((x, y, x + 12, y + 14), fill=(255, 214, 120))
    # Multiplying the layout back on keeps the artist's lines crisp over the paint.
    return ImageChops.multiply(painted, draw_layout())
