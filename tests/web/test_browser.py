"""The viewer in a real browser: `provenance serve` on the demo project, driven through headless Chromium.

Each page is loaded as a person would, every request it makes must be to the viewer itself and succeed,
and a screenshot of it is written as a test artifact (the README shows them).
"""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops

from .conftest import screenshot, stripped_copy

PAGES = {
    "productions": "/",
    "production": "/productions/harbor",
    "background": "/backgrounds/harbor/C012",
    "asset": "/assets/5",
    "credits": "/productions/harbor/credits",
    "verify": "/verify",
}


def _final(demo_project: Path) -> Path:
    return next((demo_project / "assets" / "harbor" / "C012").glob("C012_revise_*.png"))


def _open(page: Any, base: str, path: str) -> list[str]:
    """Load a page and wait for its fonts; returns the URLs of every request it made."""
    requested: list[str] = []
    failed: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("response", lambda response: response.status >= 400 and failed.append(response.url))
    page.goto(base + path, wait_until="load")
    page.evaluate("document.fonts.ready.then(() => true)")
    # Lazy images below the fold load only when scrolled to: load them all, for the checks and screenshots.
    page.evaluate(
        "Promise.all([...document.images].map(i => { i.loading = 'eager'; return i.decode().catch(() => null); }))"
    )
    assert failed == []
    return requested


@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_loads_everything_from_the_viewer_alone(page: Any, served: str, name: str) -> None:
    requested = _open(page, served, PAGES[name])
    assert requested and all(url.startswith(served) for url in requested)  # nothing from a CDN or elsewhere
    broken = page.evaluate("[...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)")
    assert broken == []
    if name == "asset":
        page.check("#heatmap-toggle")  # the README shows the overlay on
    if name != "verify":  # the README shows the verify page with a result: see below
        screenshot(page, name, readme=True)


def test_verify_takes_a_file_and_shows_the_verdict_and_the_names(
    page: Any, served: str, demo_project: Path, tmp_path: Path
) -> None:
    _open(page, served, "/verify")
    page.set_input_files("#file", str(_final(demo_project)))
    page.click("button[type=submit]")
    page.wait_for_selector("#verdict-title")
    assert page.inner_text("#verdict-title") == "Trusted"
    people = page.inner_text(".share-list") + page.inner_text(".sheet")
    for name in ("鈴木 蓮", "Suzuki Ren", "田中 愛子", "Tanaka Aiko", "山田 花子", "Yamada Hanako", "Sato Ken"):
        assert name in people
    screenshot(page, "verify", readme=True)

    posted = tmp_path / "posted.jpg"
    posted.write_bytes(stripped_copy(_final(demo_project)))
    page.set_input_files("#file", str(posted))
    page.click("button[type=submit]")
    page.wait_for_selector("#verdict-title")
    assert page.inner_text("#verdict-title") == "Matched without a manifest"
    assert "Suzuki Ren" in page.inner_text(".sheet")
    screenshot(page, "verify-stripped-copy")


def test_the_roll_renders_japanese_names_as_text_in_the_shipped_font(page: Any, served: str) -> None:
    """Chromium says which font drew each glyph: every Japanese glyph in the roll comes from the font the
    viewer serves, none is missing (no boxes), whatever fonts the machine has."""
    _open(page, served, "/productions/harbor/credits")
    assert page.evaluate("[...document.fonts].map(f => f.family + ' ' + f.status)") == ["Provenance Japanese loaded"]
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    nodes = session.send("DOM.querySelectorAll", {"nodeId": root, "selector": "#roll [lang=ja]"})["nodeIds"]
    texts = page.eval_on_selector_all("#roll [lang=ja]", "elements => elements.map(e => e.textContent)")
    assert "鈴木 蓮" in texts and "背景原図" in texts and len(nodes) == len(texts)
    for node, text in zip(nodes, texts, strict=True):
        fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        own = [font for font in fonts if font["isCustomFont"] and font["familyName"] == "IPAexGothic"]
        glyphs = sum(font["glyphCount"] for font in fonts)
        assert own and len(own) == len(fonts), (text, fonts)
        assert glyphs >= len([char for char in text if not char.isspace()]), (text, fonts)
    roll = page.locator("#roll")
    roll.scroll_into_view_if_needed()
    screenshot(page, "credits-roll", full_page=False)


def _crawl_offset(page: Any) -> float:
    return float(page.evaluate("document.querySelector('#roll .crawl').getBoundingClientRect().top"))


def test_the_roll_scrolls_and_honours_reduced_motion(browser: Any, served: str) -> None:
    moving = browser.new_context(reduced_motion="no-preference")
    page = moving.new_page()
    _open(page, served, "/productions/harbor/credits")
    assert page.evaluate("getComputedStyle(document.querySelector('#roll .crawl')).animationName") == "crawl"
    before = _crawl_offset(page)
    time.sleep(0.6)
    assert _crawl_offset(page) < before - 1  # it rolls up
    moving.close()

    still = browser.new_context(reduced_motion="reduce")
    page = still.new_page()
    _open(page, served, "/productions/harbor/credits")
    assert page.evaluate("getComputedStyle(document.querySelector('#roll .crawl')).animationName") == "none"
    before = _crawl_offset(page)
    time.sleep(0.6)
    assert _crawl_offset(page) == before
    assert page.evaluate("getComputedStyle(document.querySelector('#roll')).overflowY") == "auto"  # scroll by hand
    still.close()


def test_the_heatmap_overlay_toggles_by_keyboard(page: Any, served: str) -> None:
    _open(page, served, "/assets/5")
    overlay = page.locator("img.heatmap")
    figure = page.locator(".overlay-frame")
    assert overlay.evaluate("e => getComputedStyle(e).visibility") == "hidden"
    plain = Image.open(io.BytesIO(figure.screenshot())).convert("RGB")
    for _ in range(30):  # Tab through the page until the toggle has the focus, as a keyboard user would
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "heatmap-toggle":
            break
    assert page.evaluate("document.activeElement.id") == "heatmap-toggle"
    page.keyboard.press("Space")
    assert page.is_checked("#heatmap-toggle")
    assert overlay.evaluate("e => getComputedStyle(e).visibility") == "visible"
    tinted = Image.open(io.BytesIO(figure.screenshot())).convert("RGB")
    assert ImageChops.difference(plain, tinted).getbbox() is not None  # the picture now shows the tint
    page.keyboard.press("Space")
    assert overlay.evaluate("e => getComputedStyle(e).visibility") == "hidden"


def test_the_first_tab_offers_a_skip_to_the_content(page: Any, served: str) -> None:
    _open(page, served, "/productions/harbor")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    # Following the link is a same-page navigation that lands a moment after the key press: wait for it.
    page.wait_for_url(lambda url: url.endswith("#content"), wait_until="commit", timeout=5_000)
    assert page.url.endswith("#content")
