"""`provenance serve`: the read-only web viewer of the project, on this machine unless told otherwise."""

from __future__ import annotations

import importlib.util
import ipaddress
import socket

import click

from .app import AppContext, pass_app

# The viewer's libraries are an extra, so a studio that never serves pages does not install them.
WEB_LIBRARIES = ("starlette", "uvicorn", "jinja2", "multipart")
INSTALL_WEB_EXTRA = "pip install 'provenance[web]' (from a checkout: pip install -e '.[web]')"


def missing_web_library() -> str | None:
    """The first library of the web extra that is not installed, or None when the viewer can run."""
    for name in WEB_LIBRARIES:
        try:
            if importlib.util.find_spec(name) is None:
                return name
        except ValueError:  # in sys.modules as None: imports of it fail
            return name
    return None


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (this machine only).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option(
    "--max-upload-mb",
    type=click.IntRange(1, 4096),
    default=50,
    show_default=True,
    help="Largest file /verify and /api/audit accept, in MB (larger ones get 413).",
)
@pass_app
def serve_command(app: AppContext, host: str, port: int, max_upload_mb: int) -> None:
    """Open the project in the browser: productions, backgrounds, audits, the credit roll, and /verify for
    any image. Read-only; nothing is uploaded anywhere, and dropped files are not kept.

    \b
    Examples:
      provenance serve                       # http://127.0.0.1:8000
      provenance serve --port 8080
      provenance serve --host 0.0.0.0        # the whole network can read the records: be sure
    """
    try:
        import uvicorn

        from ..web import create_app
    except ImportError as exc:
        raise click.ClickException(
            f"the web viewer needs the web extra ({exc.name} is missing): {INSTALL_WEB_EXTRA}"
        ) from exc
    project = app.project
    _check_free(host, port)
    local = _is_loopback(host)
    application = create_app(
        project, max_upload_bytes=max_upload_mb * 1024 * 1024, allowed_hosts=None if local else ["*"], warm=True
    )
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"Serving {project.root} at http://{shown}:{port}/ (read-only; Ctrl+C stops)", err=True)
    if not local:
        click.echo(f"Warning: {host} is reachable from other machines; anyone there can read the records", err=True)
    uvicorn.run(application, host=host, port=port, log_level="warning", server_header=False)


def _check_free(host: str, port: int) -> None:
    """Fail in one line, before anything starts, when the address cannot be listened on."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
            probe.bind((host.strip("[]"), port))
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on {host} port {port} ({exc.strerror or exc}); choose another --port or --host"
        ) from exc


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
