"""Every page over plain HTTP: what it shows, in both scripts, with alt text, read from the records."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from starlette.testclient import TestClient

from provenance import catalog
from provenance.audit.visuals import PALETTE
from provenance.credits import FORMATS, credit_sheet, lock_credits, render
from provenance.project import Project
from provenance.web import create_app

from ..conftest import Chain
from .conftest import a1111_png, assert_accessible, stripped_copy, unrelated_png


def _text(html: str) -> str:
    """The page's text with tags removed and whitespace folded, for asserting what a reader sees."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_front_page_lists_productions_with_their_native_titles(client: TestClient, project: Project) -> None:
    catalog.add_production(project, "Second Season", handle="season2")
    response = client.get("/")
    assert response.status_code == 200
    assert '<a href="/productions/harbor">Harbor Lights</a>' in response.text
    assert '<p class="native-title" lang="ja">港の灯り</p>' in response.text
    assert "1 background " in _text(response.text) and "0 backgrounds" in _text(response.text)
    assert '<a href="/productions/season2/credits">Credit roll</a>' in response.text
    assert_accessible(response.text)


def test_the_production_grid_shows_each_final_its_verdict_and_its_people(
    client: TestClient, project: Project, chain: Chain
) -> None:
    response = client.get("/productions/harbor")
    assert response.status_code == 200
    html = response.text
    assert f'<img src="/assets/{chain.final.asset_id}/preview.jpg?w=320" alt="C012: the final picture"' in html
    assert '<span class="verdict-badge verdict-trusted">Trusted</span>' in html
    text = _text(html)
    for name in ("田中 愛子 Tanaka Aiko", "佐藤 健 Sato Ken", "山田 花子 Yamada Hanako", "鈴木 蓮 Suzuki Ren"):
        assert name in text
    assert "Background Layout · 背景原図" in text
    assert_accessible(html)


def test_the_grid_is_paged(client: TestClient, project: Project) -> None:
    for number in range(60):
        catalog.add_background(project, "harbor", f"C{100 + number:03d}")
    first = client.get("/productions/harbor")
    second = client.get("/productions/harbor?page=2")
    assert first.text.count('<li class="card">') == 48 and second.text.count('<li class="card">') == 13
    assert "Page 1 of 2" in first.text and 'href="?page=2" rel="next"' in first.text
    assert 'href="?page=1" rel="prev"' in second.text and "C159" in second.text and "C159" not in first.text
    assert "no file yet" in second.text
    assert client.get("/productions/harbor?page=3").status_code == 404
    for bad in ("0", "abc", "-1", "1e3"):
        assert client.get(f"/productions/harbor?page={bad}").status_code == 400


def test_the_background_page_is_the_process_sheet(client: TestClient, chain: Chain) -> None:
    response = client.get("/backgrounds/harbor/C012")
    assert response.status_code == 200
    html = response.text
    titles = re.findall(r"<strong>(\d)\. ([a-z ]+)</strong>", html)
    assert titles == [("1", "sketch"), ("2", "ai generate"), ("3", "select"), ("4", "revise")]
    for recorded in (chain.sketch, chain.chosen, chain.final):
        assert f'<a href="/assets/{recorded.asset_id}"><img src="/assets/{recorded.asset_id}/preview.jpg?w=320"' in html
    assert "a decision, no file" in html  # the selection
    text = _text(html)
    assert "Krita" in text and "tiny v1 (built-in test model), seed 6" in text
    assert "Background Paint-over · 背景加筆・修正" in text and "Art Director · 美術監督" in text
    assert re.search(r"\d+% of the final picture; changed \d+% of its input", text)
    # The candidates nobody picked, and not the one that was.
    not_chosen = html.split('id="candidates-title"')[1].split("</section>")[0]
    assert sorted(map(int, re.findall(r'href="/assets/(\d+)"', not_chosen))) == sorted(
        c.asset_id for c in chain.candidates if c is not chain.chosen
    )
    lineage = html.split('id="lineage-title"')[1].split("</section>")[0]
    assert re.findall(r'<a href="/assets/(\d+)">', lineage) == [
        str(chain.final.asset_id),
        str(chain.chosen.asset_id),
        str(chain.sketch.asset_id),
    ]
    assert "✓ select by Yamada Hanako (BG_AD)" in lineage
    assert_accessible(html)


def test_a_background_without_files_says_how_to_start(client: TestClient, project: Project) -> None:
    catalog.add_background(project, "harbor", "C013")
    response = client.get("/backgrounds/harbor/C013")
    assert response.status_code == 200
    assert "provenance sketch harbor/C013 FILE --artist HANDLE" in response.text


def test_the_asset_page_is_the_audit_with_a_heatmap_overlay_and_every_note(client: TestClient, chain: Chain) -> None:
    final = chain.final.asset_id
    response = client.get(f"/assets/{final}")
    assert response.status_code == 200
    html = response.text
    assert '<h2 id="verdict-title">Trusted</h2>' in html
    assert f"<dt>File</dt><dd>{chain.final.path}</dd>" in html  # as recorded: no server folder shown
    assert f'<img class="heatmap" src="/assets/{final}/heatmap.png"' in html
    assert '<input type="checkbox" id="heatmap-toggle" class="toggle">' in html
    assert '<label for="heatmap-toggle"' in html
    assert "<strong>Note:</strong> an AI stage used the built-in test model, not a real generator" in html
    legend = _text(html.split('aria-label="Heatmap legend"')[1].split("</ul>")[0])
    assert "4. revise" in legend and "鈴木 蓮 Suzuki Ren" in legend
    assert_accessible(html)


def test_the_heatmap_is_the_audits_ownership_in_the_palette(client: TestClient, chain: Chain) -> None:
    response = client.get(f"/assets/{chain.final.asset_id}/heatmap.png")
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(response.content)) as overlay:
        assert overlay.mode == "RGBA"
        pixels = np.asarray(overlay).reshape(-1, 4)
    opaque = {tuple(int(v) for v in pixel[:3]) for pixel in pixels if pixel[3] > 0}
    assert opaque and opaque <= set(PALETTE)
    assert PALETTE[3] in opaque  # the paint-over, stage 4, owns part of the picture


def test_previews_are_small_jpegs_of_the_recorded_file(client: TestClient, chain: Chain) -> None:
    response = client.get(f"/assets/{chain.final.asset_id}/preview.jpg?w=320")
    assert response.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(response.content)) as preview:
        assert preview.format == "JPEG" and preview.width <= 320
    assert client.get(f"/assets/{chain.final.asset_id}/preview.jpg?w=77").status_code == 404


def test_the_recorded_file_downloads_as_it_is(client: TestClient, project: Project, chain: Chain) -> None:
    response = client.get(f"/assets/{chain.final.asset_id}/file")
    assert response.status_code == 200
    assert response.content == project.absolute(chain.final.path).read_bytes()
    assert response.headers["content-disposition"].startswith("attachment;")


def test_the_credit_roll_page_shows_the_sheet_the_roll_and_the_lock(
    client: TestClient, project: Project, chain: Chain
) -> None:
    html = client.get("/productions/harbor/credits").text
    text = _text(html)
    assert "Not signed off yet" in text
    assert '<th scope="row">Background Layout<span class="role-ja" lang="ja">背景原図</span></th>' in html
    roll = html.split('id="roll"')[1]
    assert '<p class="roll-name"><span lang="ja">鈴木 蓮</span> <span class="romanized">Suzuki Ren</span></p>' in roll
    assert "AI disclosure: tiny v1" in text
    for output_format in FORMATS:
        assert f'href="/productions/harbor/credits.{output_format}" download' in html
    assert_accessible(html)

    lock_credits(project, "harbor", by="yamada-hanako")
    assert "Signed off by yamada-hanako" in _text(client.get("/productions/harbor/credits").text)
    assert "No change since the sign-off." in client.get("/productions/harbor/credits").text
    catalog.update_person(project, "suzuki-ren", pseudonym="REN")
    changed = _text(client.get("/productions/harbor/credits").text)
    assert "The records have changed since:" in changed
    assert "Background Paint-over: Suzuki Ren is now credited as REN" in changed


@pytest.mark.parametrize("output_format", FORMATS)
def test_every_credit_format_downloads_as_the_library_renders_it(
    client: TestClient, project: Project, chain: Chain, output_format: str
) -> None:
    response = client.get(f"/productions/harbor/credits.{output_format}")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == f'attachment; filename="harbor-credits.{output_format}"'
    expected = render(credit_sheet(project, "harbor"), output_format)
    if output_format == "pdf":
        assert response.content.startswith(b"%PDF") and len(response.content) > 1000
    else:
        assert response.content == expected


def test_the_verify_page_is_a_form_for_one_file(client: TestClient) -> None:
    html = client.get("/verify").text
    assert '<form class="drop" method="post" action="/verify" enctype="multipart/form-data">' in html
    assert '<label for="file">' in html and '<input id="file" name="file" type="file"' in html


def test_verify_names_the_people_of_our_own_signed_file(client: TestClient, project: Project, chain: Chain) -> None:
    data = project.absolute(chain.final.path).read_bytes()
    response = client.post("/verify", files={"file": ("final.png", data, "image/png")})
    assert response.status_code == 200
    html = response.text
    assert '<h2 id="verdict-title">Trusted</h2>' in html
    assert "<dt>File</dt><dd>final.png</dd>" in html
    assert "鈴木 蓮 Suzuki Ren" in _text(html) and "田中 愛子 Tanaka Aiko" in _text(html)
    assert 'src="data:image/jpeg;base64,' in html  # the dropped picture itself, inlined: never stored
    assert 'class="heatmap" src="data:image/png;base64,' in html
    assert_accessible(html)


def test_verify_reidentifies_a_stripped_copy(client: TestClient, project: Project, chain: Chain) -> None:
    data = stripped_copy(project.absolute(chain.final.path))
    html = client.post("/verify", files={"file": ("posted.jpg", data, "image/jpeg")}).text
    assert '<h2 id="verdict-title">Matched without a manifest</h2>' in html
    assert f'<a href="/assets/{chain.final.asset_id}">#{chain.final.asset_id}</a>' in html
    assert "鈴木 蓮 Suzuki Ren" in _text(html)


def test_verify_recognises_another_generator(client: TestClient) -> None:
    html = client.post("/verify", files={"file": ("a1111.png", a1111_png(), "image/png")}).text
    assert '<h2 id="verdict-title">Made with AI elsewhere</h2>' in html
    assert "What AUTOMATIC1111 wrote into the file" in html and "harbor at dusk, anime background" in html


def test_verify_says_unknown_for_a_file_nobody_recorded(client: TestClient, project: Project) -> None:
    html = client.post("/verify", files={"file": ("noise.png", unrelated_png(), "image/png")}).text
    assert '<h2 id="verdict-title">Unknown</h2>' in html


def test_verify_explains_a_file_it_cannot_read(client: TestClient, tmp_path: Path) -> None:
    response = client.post("/verify", files={"file": ("notes.png", b"not a picture at all", "image/png")})
    assert response.status_code == 422
    assert '<p class="error" role="alert">notes.png is not an image file; give a PNG, JPEG, TIFF or WebP</p>' in (
        response.text
    )
    assert str(tmp_path) not in response.text and "/tmp" not in response.text


def test_a_final_that_cannot_be_audited_says_why_on_its_card(
    client: TestClient, project: Project, chain: Chain
) -> None:
    project.absolute(chain.final.path).unlink()
    response = client.get("/productions/harbor")
    assert response.status_code == 200
    assert f'<p class="problem">cannot audit: {chain.final.path} does not exist; check the path</p>' in response.text
    assert client.get(f"/assets/{chain.final.asset_id}").status_code == 422


def test_verify_reads_a_partners_file_and_trusts_it_once_its_ca_is(
    client: TestClient, project: Project, tmp_path: Path
) -> None:
    from provenance import trust

    from .. import foreign_manifests as foreign

    partner = foreign.fresh_identity(tmp_path / "partner", "Partner Studio")
    data = foreign.partner_signed(partner)
    html = client.post("/verify", files={"file": ("partner.png", data, "image/png")}).text
    assert '<h2 id="verdict-title">Valid, signer not trusted here</h2>' in html
    assert "stage 1 was signed by another tool (foreign-tool" in html
    trust.add_anchor(project, tmp_path / "partner" / "studio-ca.pem", name="partner")
    reopened = Project.find(project.root)
    with TestClient(create_app(reopened), base_url="http://127.0.0.1:8000") as trusting:
        html = trusting.post("/verify", files={"file": ("partner.png", data, "image/png")}).text
    reopened.close()
    assert '<h2 id="verdict-title">Trusted</h2>' in html
    assert "the file is signed by another party; only stages this studio signed have records here" in html
