"""The pages: productions, a production's backgrounds, a background's process sheet, a file's audit, the
credit roll, and /verify. Each reads what it shows in a fixed number of batched queries.

The production grid is paged, and it streams: the page's head and its first cards go out while later
cards' audits are still running, so the first byte never waits for an audit.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse

from .. import catalog
from ..audit import AuditReport
from ..credits import FORMATS, asset_lineage, locked_changes
from ..credits.formats import english_names, title_lines, uncredited_lines
from ..errors import LockTamperedError, NotFoundError, ProvenanceError
from ..store import queries
from .failures import status_of
from .files import find_asset
from .pictures import data_uri, overlay_png, preview_jpeg
from .uploads import read_upload
from .views import VERDICT_TITLES, Card, StageView, credited_people, stage_views, tool_line

PAGE_SIZE = 48
CARDS_SLOT = "<!-- the cards -->"
# The end roll runs at a reading pace: about three seconds a credited line, in steps so the stylesheet
# can hold the speeds (no inline styles: the pages forbid them).
ROLL_SPEEDS = (30, 60, 90, 120, 180, 240, 300, 420, 600)


def render(request: Request, template_name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    template = request.app.state.templates.get_template(template_name)
    return HTMLResponse(template.render(**_common(request), **context), status_code=status_code)


def productions_page(request: Request) -> Response:
    project = request.app.state.viewer.project
    productions = catalog.list_productions(project)
    with project.store.session() as session:
        counts = queries.background_counts(session)
    listed = [(production, counts.get(production.id or 0, 0)) for production in productions]
    return render(request, "productions.html", page_title="Productions", productions=listed)


def production_page(request: Request) -> Response:
    viewer = request.app.state.viewer
    handle = request.path_params["handle"]
    number = _page_number(request)
    with viewer.project.store.session() as session:
        production = catalog.get_production(session, handle)
        total = queries.background_counts(session).get(production.id or 0, 0)
        pages = max(1, math.ceil(total / PAGE_SIZE))
        if number > pages:
            raise NotFoundError(f"{handle} has {pages} page{'s' if pages != 1 else ''} of backgrounds")
        backgrounds = queries.backgrounds_page(
            session, production.id or 0, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE
        )
        ids = [background.id or 0 for background in backgrounds]
        finals = queries.finals_of(session, ids)
        people = queries.people_by_background(session, ids)
    cards = []
    for background in backgrounds:
        shown, uncredited = credited_people(people.get(background.id or 0, []))
        cards.append(Card(background, finals.get(background.id or 0), shown, uncredited))
    templates = request.app.state.templates
    page = templates.get_template("production.html").render(
        **_common(request),
        page_title=production.title,
        production=production,
        total=total,
        page=number,
        pages=pages,
        cards_slot=Markup(CARDS_SLOT),
    )
    head, tail = page.split(CARDS_SLOT)
    card_template = templates.get_template("production_card.html")

    def stream() -> Iterator[str]:
        # The head goes out before any audit is waited for; then the cards, in as few chunks as the audits
        # allow: what is ready is sent together just before waiting for an audit still running.
        yield head
        # Audits start once the head is out: they would otherwise hold the interpreter while it is written.
        audited = [card for card in cards if card.final is not None]
        for card, audit in zip(audited, viewer.audits.prefetch([card.final for card in audited]), strict=True):
            card.audit = audit
        ready: list[str] = []
        for card in cards:
            if ready and not card.ready():
                yield "".join(ready)
                ready = []
            ready.append(card_template.render(card=card, production=production, verdict_titles=VERDICT_TITLES))
        yield "".join([*ready, tail])

    return StreamingResponse(stream(), media_type="text/html; charset=utf-8")


def background_page(request: Request) -> Response:
    viewer = request.app.state.viewer
    name = f"{request.path_params['production']}/{request.path_params['cut']}"
    with viewer.project.store.session() as session:
        background = catalog.get_background(session, name)
        production = catalog.get_production(session, request.path_params["production"])
        recorded = queries.assets_of_background(session, background.id or 0)
        final = queries.finals_of(session, [background.id or 0]).get(background.id or 0)
    context: dict[str, Any] = {"page_title": name, "name": name, "production": production, "background": background}
    if final is None:
        return render(request, "background.html", **context, report=None, stages=[], others=[], candidates=[])
    report = viewer.audits.of_asset(final, fresh=True)
    pictures = {asset.path: (_preview_url(asset.id, 320), asset.id or 0) for asset, _ in recorded}
    thumbnails = {label: data_uri("image/jpeg", data) for label, data in report.thumbnails.items()}
    chain_paths = {stage.path for stage in report.stages if stage.path}
    batches = {stage.batch for asset, stage in recorded if asset.path in chain_paths and stage.batch}
    candidates = [
        (asset, stage)
        for asset, stage in recorded
        if stage.kind == "ai_generate" and stage.batch in batches and asset.path not in chain_paths
    ]
    shown = chain_paths | {asset.path for asset, _ in candidates}
    others = [(asset, stage) for asset, stage in recorded if asset.path not in shown]
    return render(
        request,
        "background.html",
        **context,
        final=final,
        report=report,
        stages=stage_views(report, pictures, thumbnails),
        candidates=candidates,
        others=others,
        lineage=asset_lineage(viewer.project, str(final.id)).asset,
    )


def asset_page(request: Request) -> Response:
    viewer = request.app.state.viewer
    asset = find_asset(request, request.path_params["asset_id"])
    report = viewer.audits.of_asset(asset, fresh=True)
    return render(
        request,
        "asset.html",
        page_title=f"Asset #{asset.id}",
        asset=asset,
        report=report,
        stages=_stage_views(viewer, report),
        picture=_preview_url(asset.id, 1280),
        overlay=f"/assets/{asset.id}/heatmap.png" if report.ownership is not None else None,
    )


def credits_page(request: Request) -> Response:
    viewer = request.app.state.viewer
    project = viewer.project
    handle = request.path_params["handle"]
    sheet = viewer.sheets.sheet(handle, allow_gaps=True)
    lock_problem = None
    try:
        comparison = locked_changes(project, sheet)
    except LockTamperedError as exc:
        comparison, lock_problem = None, str(exc)
    lines = sum(len(role.names) + 2 for role in sheet.roles) + 8
    speed = next((seconds for seconds in ROLL_SPEEDS if seconds >= 3 * lines), ROLL_SPEEDS[-1])
    english_title, japanese_title = title_lines(sheet)
    return render(
        request,
        "credits.html",
        page_title=f"{sheet.production.title} — credits",
        sheet=sheet,
        english_title=english_title,
        japanese_title=japanese_title,
        english_names=english_names,
        uncredited=uncredited_lines(sheet),
        comparison=comparison,
        lock_problem=lock_problem,
        formats=FORMATS,
        roll_speed=speed,
    )


async def verify_page(request: Request) -> Response:
    """GET: the form. POST: the audit of the dropped file, which is then forgotten."""
    if request.method == "GET":
        return render(request, "verify.html", page_title="Verify a file", report=None)
    viewer = request.app.state.viewer
    try:
        name, data = await read_upload(request, viewer.max_upload_bytes)
        report = await run_in_threadpool(viewer.audits.of_upload, name, data)
    except HTTPException as exc:
        return render(request, "verify.html", exc.status_code, page_title="Verify a file", error=exc.detail)
    except ProvenanceError as exc:
        return render(request, "verify.html", status_of(exc), page_title="Verify a file", error=str(exc))
    picture = await run_in_threadpool(_inline_preview, name, data)
    overlay = data_uri("image/png", overlay_png(report)) if report.ownership is not None else None
    return render(
        request,
        "verify.html",
        page_title=f"Verify: {name}",
        report=report,
        stages=_stage_views(viewer, report),
        picture=picture,
        overlay=overlay,
    )


def _stage_views(viewer: Any, report: AuditReport) -> list[StageView]:
    """The report's stages with pictures: recorded files by their previews, other signed stages by the
    thumbnails their manifests carry (inlined: a dropped file's are kept nowhere)."""
    with viewer.project.store.session() as session:
        recorded = queries.assets_by_path(session, [stage.path for stage in report.stages if stage.path])
    pictures = {path: (_preview_url(asset.id, 320), asset.id or 0) for path, asset in recorded.items()}
    thumbnails = {label: data_uri("image/jpeg", data) for label, data in report.thumbnails.items()}
    return stage_views(report, pictures, thumbnails)


def _inline_preview(name: str, data: bytes) -> str | None:
    try:
        return data_uri("image/jpeg", preview_jpeg(data, 1280, name=name))
    except ProvenanceError:
        return None  # a signed file whose pixels do not decode: the audit has said what it could


def _common(request: Request) -> dict[str, Any]:
    return {"verdict_titles": VERDICT_TITLES, "tool_line": tool_line, "path": request.url.path}


def _page_number(request: Request) -> int:
    text = request.query_params.get("page", "1")
    if not text.isascii() or not text.isdigit() or int(text) < 1 or len(text) > 9:
        raise HTTPException(400, f"page {text!r} is not a page number; pages count from 1")
    return int(text)


def _preview_url(asset_id: int | None, width: int) -> str:
    return f"/assets/{asset_id}/preview.jpg?w={width}"
