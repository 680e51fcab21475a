"""`provenance serve`: localhost by default, a warning when told otherwise, one line when the extra is missing."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from provenance.cli import main
from provenance.cli.serve import _is_loopback, serve_command
from provenance.project import Project


def test_serve_listens_on_localhost_port_8000_by_default() -> None:
    defaults = {parameter.name: parameter.default for parameter in serve_command.params}
    assert defaults == {"host": "127.0.0.1", "port": 8000, "max_upload_mb": 50}
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0 and "[default: 127.0.0.1]" in result.stdout


def test_the_served_project_answers_on_localhost(served: str) -> None:
    assert served.startswith("http://127.0.0.1:")
    front = httpx.get(served + "/")
    assert front.status_code == 200 and "Harbor Lights" in front.text
    assert httpx.get(served + "/", headers={"host": "elsewhere.example"}).status_code == 400


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("localhost", True), ("::1", True), ("[::1]", True), ("127.0.0.2", True),
     ("0.0.0.0", False), ("192.168.1.5", False), ("::", False), ("studio.example", False)],
)  # fmt: skip
def test_only_loopback_addresses_count_as_this_machine(host: str, loopback: bool) -> None:
    assert _is_loopback(host) is loopback


def test_serving_the_network_says_so_and_answers_any_host(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    started: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.update(app=app, **options))
    result = CliRunner().invoke(main, ["--project", str(project.root), "serve", "--host", "0.0.0.0", "--port", "0"])
    assert result.exit_code == 0, result.output
    assert "Warning: 0.0.0.0 is reachable from other machines; anyone there can read the records" in result.stderr
    assert started["host"] == "0.0.0.0" and started["port"] == 0


def test_without_the_web_extra_serve_says_what_to_install(
    project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if it were not installed
    result = CliRunner().invoke(main, ["--project", str(project.root), "serve"])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: the web viewer needs the web extra (uvicorn is missing): pip install 'provenance[web]' (from a "
        "checkout: pip install -e '.[web]')\n"
    )


def test_without_the_web_extra_the_demo_says_to_install_it_before_serving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if it were not installed
    result = CliRunner().invoke(main, ["demo", str(tmp_path / "demo"), "--steps", "2"])
    assert result.exit_code == 0, result.output
    last = result.stdout.rstrip("\n").splitlines()[-1]
    assert last.startswith("Open it in the browser: pip install 'provenance[web]' (from a checkout: pip install -e")
    assert last.endswith(" serve, then http://127.0.0.1:8000/")


def test_the_demo_ends_with_the_line_that_opens_it_in_the_browser(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", str(folder), "--steps", "2"])
    assert result.exit_code == 0, result.output
    last = result.stdout.rstrip("\n").splitlines()[-1]
    # In-process, the command is this interpreter's `python -m provenance`; from the console script, its path.
    command = shlex.join([sys.executable, "-m", "provenance", "--project", str(folder.resolve()), "serve"])
    assert last == f"Open it in the browser: {command}, then http://127.0.0.1:8000/"


def test_a_port_in_use_is_one_line(project: Project) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["--project", str(project.root), "serve", "--port", str(port)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot listen on 127.0.0.1 port {port} (")
    assert result.stderr.endswith("choose another --port or --host\n") and result.stderr.count("\n") == 1
