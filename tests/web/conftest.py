"""Fixtures for the web viewer: the app over a test project, a real `provenance serve`, headless Chromium.

The browser is the distribution's Chromium (``apt-get install chromium``, as ``.ci/run`` does), driven
through Playwright's Python API; nothing is downloaded. Without it the browser tests skip and say why,
except under CI, where a missing browser is a failure.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from starlette.testclient import TestClient

from provenance import catalog, record
from provenance.demo import draw_layout, run_demo
from provenance.project import Project
from provenance.web import create_app

CHROMIUM = Path(os.environ.get("PROVENANCE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPOSITORY = Path(__file__).parents[2]
# Every screenshot is written here as a test artifact; PROVENANCE_UPDATE_SCREENSHOTS=1 also refreshes the
# README's copies in docs/screenshots/.
ARTIFACTS = Path(os.environ.get("PROVENANCE_ARTIFACTS", REPOSITORY / "build" / "screenshots"))
README_SCREENSHOTS = REPOSITORY / "docs" / "screenshots"
LOCAL = "http://127.0.0.1:8000"


@pytest.fixture
def client(project: Project) -> Iterator[TestClient]:
    """The app over this test's project (with the recorded chain when the test also asks for ``chain``).

    Server errors come back as responses, as a browser would see them, never as exceptions in the test.
    """
    with TestClient(create_app(project), base_url=LOCAL, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def demo_project(tmp_path_factory: pytest.TempPathFactory, model_cache: Path) -> Path:
    """What `provenance demo` leaves: harbor/C012 from layout to paint-over, audited and credited."""
    folder = tmp_path_factory.mktemp("web-demo") / "provenance-demo"
    run_demo(folder, steps=4)
    # Two more cuts, so the grid shows more than one card: one with only its layout so far, one not begun.
    project = Project.find(folder)
    catalog.add_background(project, "harbor", "C013", scene="S03")
    catalog.add_background(project, "harbor", "C014", scene="S04")
    layout = folder / "incoming" / "C013_layout.png"
    draw_layout().transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(layout)
    record.record_sketch(project, "harbor/C013", layout, artist="tanaka-aiko", tool="Clip Studio Paint")
    project.close()
    return folder


@pytest.fixture(scope="session")
def served(demo_project: Path, model_cache: Path) -> Iterator[str]:
    """`provenance serve` on the demo project, as a person starts it; yields its base URL."""
    port = _free_port()
    command = [sys.executable, "-m", "provenance", "--project", str(demo_project), "serve", "--port", str(port)]
    environment = {**os.environ, "PROVENANCE_CACHE": str(model_cache)}
    server = subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, server)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if server.stdout:
            server.stdout.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        reason = f"no Chromium at {CHROMIUM}: apt-get install chromium (or set PROVENANCE_CHROMIUM)"
        if os.environ.get("PROVENANCE_REQUIRE_BROWSER") == "1" or os.environ.get("CI"):
            pytest.fail(reason + "; .ci/run installs it, so CI must have it")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
    opened = context.new_page()
    yield opened
    context.close()


def screenshot(page: Any, name: str, *, full_page: bool = True, readme: bool = False) -> Path:
    """Write the page as ``ARTIFACTS/NAME.png`` (and, with ``readme``, the README's copy when asked to
    refresh them)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    if readme and os.environ.get("PROVENANCE_UPDATE_SCREENSHOTS") == "1":
        README_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        with Image.open(path) as shot:  # 256 colours: a page reads the same at a third of the bytes
            shot.convert("RGB").quantize(256).save(README_SCREENSHOTS / path.name, optimize=True)
    return path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(base: str, server: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            output = server.stdout.read().decode(errors="replace") if server.stdout else ""
            raise AssertionError(f"`provenance serve` exited with {server.returncode}: {output[-2000:]}")
        try:
            if httpx.get(base + "/", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"`provenance serve` did not answer at {base} within {timeout:.0f} s")


def a1111_png(prompt: str = "harbor at dusk, anime background") -> bytes:
    """A picture as AUTOMATIC1111 saves it: its settings in the PNG text chunk ``parameters``."""
    from PIL import Image

    from provenance.imaging import png_bytes

    settings = "Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 42, Size: 128x72, Model hash: 6ce0161689, Model: v1-5"
    return png_bytes(Image.new("RGB", (128, 72), (90, 120, 200)), {"parameters": f"{prompt}\n{settings}"})


def stripped_copy(path: Path) -> bytes:
    """A recorded picture re-saved as JPEG, as a posting site would: the manifest is gone, the pixels stay."""
    import io

    from PIL import Image

    with Image.open(path) as image:
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def unrelated_png() -> bytes:
    """A picture nobody recorded, with no metadata at all."""
    import numpy as np
    from PIL import Image

    from provenance.imaging import png_bytes

    noise = np.random.default_rng(7).integers(0, 255, (72, 128, 3), dtype=np.uint8)
    return png_bytes(Image.fromarray(noise))


class JapaneseOutsideLang(HTMLParser):
    """Collects text with Japanese characters that is not inside an element marked ``lang="ja"``, and
    images without alt text."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.langs: list[str | None] = []
        self.unmarked: list[str] = []
        self.images_without_alt: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "img" and not (attributes.get("alt") or "").strip():
            self.images_without_alt.append(attributes.get("src") or "?")
        if tag not in self.VOID:
            self.langs.append(attributes.get("lang", self.langs[-1] if self.langs else None))

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.langs:
            self.langs.pop()

    def handle_data(self, data: str) -> None:
        if JAPANESE.search(data) and (not self.langs or self.langs[-1] != "ja"):
            self.unmarked.append(data.strip())


JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def assert_accessible(html: str) -> None:
    """Japanese text is marked ``lang="ja"`` and every image has alt text."""
    checker = JapaneseOutsideLang()
    checker.feed(html)
    assert checker.unmarked == [], "Japanese text outside lang=ja"
    assert checker.images_without_alt == []
