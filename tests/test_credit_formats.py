"""Each format of the credit sheet: golden files for the text ones, the PDF read back with pypdf."""

from __future__ import annotations

import csv
import io
import os
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from provenance.credit_formats import CSV_COLUMNS, render_csv, render_html, render_json, render_md, render_txt
from provenance.credit_pdf import render_pdf
from provenance.credits import CreditGap
from provenance.fonts import FONT_VARIABLE, MissingFontError, find_japanese_font

from .conftest import assert_golden
from .test_credits import sample_sheet

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


def test_pdf_embeds_a_japanese_font_and_its_text_can_be_searched() -> None:
    try:
        find_japanese_font()
    except MissingFontError as error:
        if os.environ.get("CI"):
            pytest.fail(f"CI must install a Japanese font for the pdf test: {error}")
        pytest.skip(str(error))
    data = render_pdf(sample_sheet(), created=datetime(2026, 11, 24, tzinfo=UTC))
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


def test_pdf_without_a_font_says_how_to_get_one(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv(FONT_VARIABLE, str(tmp_path / "missing.ttf"))
    with pytest.raises(MissingFontError, match="is not a file"):
        render_pdf(sample_sheet())
