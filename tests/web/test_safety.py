"""Safe by default: bounded uploads that are never kept, everything escaped, no way out of the served files,
no key ever served, errors without tracebacks, and a viewer that changes nothing."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from provenance import catalog, record
from provenance.project import Project
from provenance.store import Asset, Person
from provenance.web import DEFAULT_MAX_UPLOAD_BYTES, create_app

from ..conftest import Chain, snapshot
from .conftest import LOCAL, a1111_png, unrelated_png

HOSTILE = '<script>alert("x")</script>'


def _small_limit_client(project: Project, limit: int) -> TestClient:
    return TestClient(create_app(project, max_upload_bytes=limit), base_url=LOCAL, raise_server_exceptions=False)


def test_the_default_upload_limit_is_50_mb(client: TestClient) -> None:
    assert DEFAULT_MAX_UPLOAD_BYTES == 50 * 1024 * 1024
    too_big = b"\0" * (DEFAULT_MAX_UPLOAD_BYTES + 1)
    response = client.post("/api/audit", files={"file": ("huge.png", too_big, "image/png")})
    assert response.status_code == 413
    assert response.json() == {
        "error": "the file is over the upload limit of 52,428,800 bytes; audit it with `provenance audit`",
        "status": 413,
    }


def test_an_upload_over_the_limit_gets_413_on_the_page_too(project: Project) -> None:
    with _small_limit_client(project, 1000) as small:
        response = small.post("/verify", files={"file": ("big.png", b"x" * 5000, "image/png")})
    assert response.status_code == 413
    assert "over the upload limit of 1,000 bytes" in response.text and '<form class="drop"' in response.text


def test_an_undeclared_length_is_cut_off_at_the_limit(project: Project) -> None:
    """A client that sends chunks without a Content-Length is counted as the bytes arrive."""
    boundary = "bound"
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\n\r\n'.encode()

    def body() -> Iterator[bytes]:
        yield head
        for _ in range(400):  # 400 x 64 KiB = 25 MiB offered, far over the 100 KB limit
            yield b"x" * 65536
        yield f"\r\n--{boundary}--\r\n".encode()

    with _small_limit_client(project, 100_000) as small:
        response = small.post(
            "/api/audit", content=body(), headers={"content-type": f"multipart/form-data; boundary={boundary}"}
        )
    assert response.status_code == 413
    assert "content-length" not in response.request.headers


def test_the_pixel_bound_applies_as_in_the_cli(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROVENANCE_MAX_PIXELS", "100")
    response = client.post("/api/audit", files={"file": ("noise.png", unrelated_png(), "image/png")})
    assert response.status_code == 422
    assert response.json()["error"] == (
        "noise.png is 128x72, over the 100-pixel bound; set PROVENANCE_MAX_PIXELS higher if the picture is genuine"
    )


def test_uploads_are_never_kept_and_the_viewer_changes_nothing(
    client: TestClient, project: Project, chain: Chain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    private = tmp_path / "private-tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    before = snapshot(project)
    final = project.absolute(chain.final.path).read_bytes()
    for name, data in [("final.png", final), ("a1111.png", a1111_png()), ("noise.png", unrelated_png())]:
        assert client.post("/api/audit", files={"file": (name, data, "image/png")}).status_code == 200
        assert client.post("/verify", files={"file": (name, data, "image/png")}).status_code == 200
    assert client.post("/api/audit", files={"file": ("bad.png", b"junk", "image/png")}).status_code == 422
    for url in ("/", "/productions/harbor", "/backgrounds/harbor/C012", f"/assets/{chain.final.asset_id}"):
        assert client.get(url).status_code == 200
    assert list(private.iterdir()) == []
    assert snapshot(project) == before


def test_upload_names_cannot_climb_out(client: TestClient, project: Project) -> None:
    response = client.post("/api/audit", files={"file": ("../../../etc/cron.d/x.png", a1111_png(), "image/png")})
    assert response.status_code == 200 and response.json()["file"] == "x.png"


def _hostile_project(project: Project, chain: Chain) -> None:
    catalog.add_person(project, HOSTILE, handle="mallory", native_name="<b>悪意</b>", organization="<i>Evil</i> & Co")
    catalog.add_production(project, "<img src=x onerror=alert(1)>", handle="evil", native_title="<script>悪</script>")
    catalog.add_background(project, "evil", "C001", scene="<u>s</u>")
    record.record_external_stage(project, "evil/C001", "art_check", people=[("mallory", "BG_AD")])
    record.record_external_stage(project, "harbor/C012", "art_check", people=[("mallory", "BG_AD")])
    with project.store.session() as session:
        # A database edited by hand, past the input checks: a bidi override in a name.
        person = session.exec(select(Person).where(Person.handle == "sato-ken")).one()
        person.name = "Sato \u202eneK"
        session.add(person)


def test_every_name_title_and_prompt_is_escaped(client: TestClient, project: Project, chain: Chain) -> None:
    _hostile_project(project, chain)
    pages = [
        client.get(url).text
        for url in ("/", "/productions/evil", "/productions/harbor", "/productions/evil/credits",
                    "/productions/harbor/credits", "/backgrounds/evil/C001", "/backgrounds/harbor/C012")
    ]  # fmt: skip
    prompt = a1111_png(prompt=f"{HOSTILE} harbor")
    pages.append(client.post("/verify", files={"file": ("<b>x</b>.png", prompt, "image/png")}).text)
    for html in pages:
        assert "<script" not in html and "<img src=x" not in html and "<b>悪意" not in html and "<i>Evil" not in html
        assert "\u202e" not in html
    joined = "\n".join(pages)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in joined
    assert "&lt;img src=x onerror=alert(1)&gt;" in joined
    assert "&lt;b&gt;悪意&lt;/b&gt;" in joined
    assert "Sato \\u202eneK" in joined  # shown as an escape, so it cannot reorder the text around it
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; harbor" in pages[-1]  # the foreign prompt


@pytest.mark.parametrize(
    "url",
    [
        "/static/../.provenance/keys/studio-ca.key",
        "/static/%2e%2e/.provenance/keys/signing.key",
        "/static/..%2f..%2f.provenance%2fprovenance.db",
        "/fonts/..%2f..%2f..%2fpyproject.toml",
        "/fonts/../../etc/passwd",
        "/assets/1/../../.provenance/keys/signing.key",
        "/backgrounds/harbor/..%2f..%2f.provenance",
        "/productions/..%2f.provenance/credits.txt",
        "/.provenance/keys/signing.key",
        "//etc/passwd",
    ],
)
def test_no_path_leads_out_of_the_served_files(client: TestClient, chain: Chain, url: str) -> None:
    response = client.get(url)
    assert response.status_code in (400, 404)
    assert "PRIVATE KEY" not in response.text and "root:" not in response.text


def test_a_recorded_path_that_leads_out_is_not_served(client: TestClient, project: Project, chain: Chain) -> None:
    keys = sorted((project.folder / "keys").glob("*.key"))
    assert keys, "the project should have private keys to protect"
    link = project.root / "assets" / "innocent.png"
    link.symlink_to(keys[0])
    for hostile_path in (f".provenance/keys/{keys[0].name}", "../../../../etc/passwd", "assets/innocent.png"):
        with project.store.session() as session:
            asset = session.get(Asset, chain.sketch.asset_id)
            assert asset is not None
            asset.path = hostile_path
            session.add(asset)
        for suffix in ("/file", "/preview.jpg?w=320", "", "/heatmap.png"):
            response = client.get(f"/assets/{chain.sketch.asset_id}{suffix}")
            assert "PRIVATE KEY" not in response.text and "root:" not in response.text
            assert response.status_code == 404 or suffix == "", (hostile_path, suffix, response.status_code)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value and not value.startswith("data:"):
                self.found.append(value)


def test_every_link_works_and_no_key_is_ever_served(client: TestClient, project: Project, chain: Chain) -> None:
    """Follow every link from the front page: each answers 200, and nothing anywhere is a private key."""
    seen: set[str] = set()
    queue = ["/"]
    private_keys = [path.read_text() for path in (project.folder / "keys").glob("*.key")]
    while queue:
        url = queue.pop()
        if url in seen or not url.startswith("/") or url.startswith("//"):
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, url
        assert "PRIVATE KEY" not in response.text
        assert not any(key.strip() in response.text for key in private_keys)
        if response.headers["content-type"].startswith("text/html"):
            parser = _Links()
            parser.feed(response.text)
            for link in parser.found:
                parsed = urlparse(urljoin(LOCAL + url, link))
                if parsed.netloc == urlparse(LOCAL).netloc:
                    queue.append(parsed.path + (f"?{parsed.query}" if parsed.query else ""))
    assert {"/productions/harbor", "/backgrounds/harbor/C012", f"/assets/{chain.final.asset_id}", "/verify"} <= seen
    assert any(url.startswith("/productions/harbor/credits.") for url in seen)


def test_errors_are_a_page_or_json_never_a_traceback(
    client: TestClient, chain: Chain, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the disk caught fire")

    monkeypatch.setattr("provenance.web.pages.catalog.list_productions", broken)
    monkeypatch.setattr("provenance.web.api.asset_lineage", broken)
    page = client.get("/")
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    assert "unexpected RuntimeError: the server log has the details" in page.text
    api = client.get(f"/api/assets/{chain.final.asset_id}/lineage")
    assert api.status_code == 500
    assert api.json() == {"error": "unexpected RuntimeError: the server log has the details; please report it",
                          "status": 500}  # fmt: skip
    for response in (page, api, client.get("/nowhere"), client.get("/assets/999")):
        assert "Traceback" not in response.text and 'File "' not in response.text
    assert client.get("/nowhere").status_code == 404


def test_every_response_forbids_scripts_framing_and_sniffing(client: TestClient) -> None:
    for response in (client.get("/"), client.get("/nowhere"), client.get("/static/style.css")):
        policy = response.headers["content-security-policy"]
        assert "script-src 'none'" in policy and "frame-ancestors 'none'" in policy and "default-src 'self'" in policy
        assert response.headers["x-content-type-options"] == "nosniff"


def test_other_host_names_are_refused(client: TestClient) -> None:
    """A page elsewhere cannot reach the viewer by pointing its own name at 127.0.0.1 (DNS rebinding)."""
    assert client.get("/", headers={"host": "attacker.example"}).status_code == 400
    assert client.get("/", headers={"host": "127.0.0.1.attacker.example"}).status_code == 400
    assert client.get("/", headers={"host": "[::2]:8000"}).status_code == 400
    for local in ("localhost:8000", "127.0.0.1", "[::1]:8000", "LOCALHOST"):
        assert client.get("/", headers={"host": local}).status_code == 200, local
