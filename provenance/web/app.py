"""The application: routes, the shared state every page reads, and the safety rails around them.

Safety by default: only GET pages and two POSTs that audit an upload without keeping it; Host headers
other than the served address are refused (a web page cannot reach the viewer by rebinding its own name
to 127.0.0.1); every response forbids scripts, framing and content sniffing; any error is a page or a
JSON error, never a traceback (:mod:`provenance.web.failures`).
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..catalog import list_productions
from ..errors import ProvenanceError
from ..project import Project
from . import api, files, pages
from .audits import AuditCache
from .failures import EXCEPTION_HANDLERS, log
from .pictures import PictureCache
from .sheets import SheetCache
from .templates import page_templates

DEFAULT_MAX_UPLOAD_BYTES = 50 * 1024 * 1024
STATIC = Path(__file__).parent / "static"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")

# No script runs, nothing is framed, nothing loads from elsewhere: images may be data: URIs (a dropped
# file's own thumbnails and heatmap, which are never stored) and forms post only back here.
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; script-src 'none'; object-src 'none'; "
        b"frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-resource-policy", b"same-origin"),
]


@dataclass
class Viewer:
    """What every request reads: the project, and the caches of audits, pictures and credit sheets."""

    project: Project
    max_upload_bytes: int
    audits: AuditCache
    pictures: PictureCache
    sheets: SheetCache


def create_app(
    project: Project,
    *,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
    allowed_hosts: list[str] | None = None,
    warm: bool = False,
) -> Starlette:
    """The viewer over ``project``. ``allowed_hosts`` are the Host names it answers (default: localhost
    names only; ``["*"]`` answers any, for a server bound to a public address on purpose). With ``warm``,
    the templates are compiled and every production's credit sheet built in the background at start-up,
    so the first visit to a season's credit roll does not wait a second for it."""
    viewer = Viewer(
        project=project,
        max_upload_bytes=max_upload_bytes,
        audits=AuditCache(project),
        pictures=PictureCache(),
        sheets=SheetCache(project),
    )
    routes = [
        Route("/", pages.productions_page, name="productions"),
        Route("/productions/{handle}", pages.production_page, name="production"),
        Route("/productions/{handle}/credits", pages.credits_page, name="credits"),
        Route("/productions/{handle}/credits.{output_format}", files.credits_download, name="credits_download"),
        Route("/backgrounds/{production}/{cut}", pages.background_page, name="background"),
        Route("/assets/{asset_id:int}", pages.asset_page, name="asset"),
        Route("/assets/{asset_id:int}/preview.jpg", files.asset_preview, name="asset_preview"),
        Route("/assets/{asset_id:int}/heatmap.png", files.asset_heatmap, name="asset_heatmap"),
        Route("/assets/{asset_id:int}/file", files.asset_file, name="asset_file"),
        Route("/verify", pages.verify_page, methods=["GET", "POST"], name="verify"),
        Route("/api/audit", api.audit, methods=["POST"], name="api_audit"),
        Route("/api/productions/{handle}/credits", api.credits, name="api_credits"),
        Route("/api/assets/{asset_id:int}/lineage", api.lineage, name="api_lineage"),
        Route("/api/openapi.json", api.openapi, name="openapi"),
        Route("/fonts/{name}", files.font, name="font"),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(KnownHostsOnly, allowed=allowed_hosts or list(LOCAL_HOSTS)),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=_warming(viewer) if warm else None,
    )
    app.state.viewer = viewer
    app.state.templates = page_templates()
    return app


def _warming(viewer: Viewer) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        threading.Thread(target=warm_up, args=(app,), name="provenance-warm-up", daemon=True).start()
        yield
        viewer.audits.close()

    return lifespan


def warm_up(app: Starlette) -> None:
    """Compile every template and build every production's credit sheet (what a first visit would wait for)."""
    templates = app.state.templates
    for name in templates.list_templates():
        templates.get_template(name)
    viewer: Viewer = app.state.viewer
    for production in list_productions(viewer.project):
        try:
            viewer.sheets.sheet(production.handle, allow_gaps=True)
        except ProvenanceError as exc:  # the page will say the same when it is asked for
            log.warning("could not prepare the credit sheet of %s: %s", production.handle, exc)


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every response, error pages included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class KnownHostsOnly:
    """Refuses a request whose Host header names another host (400): a page elsewhere cannot reach the
    viewer by pointing its own name at 127.0.0.1. ``["*"]`` allows any. IPv6 literals (``[::1]:8000``)
    are read whole, which Starlette's TrustedHostMiddleware does not do."""

    def __init__(self, app: ASGIApp, allowed: list[str]) -> None:
        self.app = app
        self.allowed = {host.lower() for host in allowed}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "*" not in self.allowed:
            header = dict(scope["headers"]).get(b"host", b"").decode("latin-1").lower()
            if host_name(header) not in self.allowed:
                await PlainTextResponse("Invalid host header", status_code=400)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def host_name(header: str) -> str:
    """The host of a Host header, without its port.

    >>> host_name("127.0.0.1:8000"), host_name("[::1]:8000"), host_name("localhost")
    ('127.0.0.1', '::1', 'localhost')
    """
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.split(":")[0]
