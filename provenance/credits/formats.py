"""Rendering a credit sheet: a crawl sheet (txt), Markdown, the post house's CSV, JSON, and one HTML page.

Every renderer is a pure function of the sheet. PDF needs a font file and lives in
:mod:`provenance.credits.pdf`; :func:`provenance.credits.export.render` picks the renderer.

Japanese lines follow the credit convention ``役職：氏名``, names joined by ``、``, the company in full-width
brackets after the name; English lines put the company in brackets after the name.

Names are checked when they are typed (:mod:`provenance.plain_text`), but a database written before that
check, or edited by hand, may still hold a newline or an escape: every renderer shows such characters as
escapes, so no value can start a row of its own, and each format escapes what its readers would run.
"""

from __future__ import annotations

import csv
import html
import io
import re

from ..plain_text import printable
from .sheet import CreditGap, CreditSheet, RoleCredit

CSV_COLUMNS = ["block", "order", "role_en", "role_ja", "name_en", "name_ja", "company"]


def render_json(sheet: CreditSheet) -> str:
    return sheet.model_dump_json(indent=2) + "\n"


def english_names(role: RoleCredit) -> list[str]:
    return [f"{n.name_en} ({n.company_en})" if n.company_en else n.name_en for n in role.names]


def japanese_line(role: RoleCredit) -> str:
    names = "、".join(f"{n.name_ja}（{n.company_ja}）" if n.company_ja else n.name_ja for n in role.names)
    return f"{role.label_ja}：{names}"


def uncredited_lines(sheet: CreditSheet) -> tuple[str, str] | None:
    if not sheet.uncredited:
        return None
    count = sheet.uncredited
    return (
        f"{count} more contributor{'s' if count != 1 else ''} asked not to be named.",
        f"ほか{count}名（本人の希望により氏名非掲載）",
    )


def gap_line(gap: CreditGap) -> str:
    return f"UNNAMED: {gap.stage_kind} on {gap.background} (stage {gap.stage_id[:8]}) has no person recorded"


def title_lines(sheet: CreditSheet) -> tuple[str, str]:
    production = sheet.production
    scope = "" if sheet.scope == production.handle else f" — {sheet.scope}"
    english = production.title + (f" — {production.studio}" if production.studio else "") + scope
    return english, (production.native_title or production.title) + scope


def render_txt(sheet: CreditSheet) -> str:
    """A plain crawl sheet: the English block, the Japanese block, then the AI disclosure."""
    english_title, japanese_title = title_lines(sheet)
    width = max((len(role.label_en) for role in sheet.roles), default=0) + 4
    lines = [english_title, ""]
    for role in sheet.roles:
        names = english_names(role)
        lines.append(f"{role.label_en:<{width}}{names[0]}")
        lines.extend(f"{'':<{width}}{name}" for name in names[1:])
    lines += ["", japanese_title, ""]
    lines += [japanese_line(role) for role in sheet.roles]
    lines.append("")
    if note := uncredited_lines(sheet):
        lines += [f"{note[0]} / {note[1]}", ""]
    if sheet.gaps:
        lines += [gap_line(gap) for gap in sheet.gaps] + [""]
    lines += [sheet.ai_disclosure.text_en, sheet.ai_disclosure.text_ja, ""]
    return "\n".join(printable(line) for line in lines)


def render_md(sheet: CreditSheet) -> str:
    english_title, japanese_title = title_lines(sheet)
    lines = [
        f"# {_md(english_title)}",
        "",
        f"*{_md(japanese_title)}*",
        "",
        "| Role | 役職 | Name | 氏名 |",
        "|---|---|---|---|",
    ]
    for role in sheet.roles:
        for index, name in enumerate(role.names):
            label_en, label_ja = (role.label_en, role.label_ja) if index == 0 else ("", "")
            name_en = f"{name.name_en} ({name.company_en})" if name.company_en else name.name_en
            name_ja = f"{name.name_ja}（{name.company_ja}）" if name.company_ja else name.name_ja
            lines.append(f"| {_md(label_en)} | {_md(label_ja)} | {_md(name_en)} | {_md(name_ja)} |")
    lines.append("")
    if note := uncredited_lines(sheet):
        lines += [_md(f"{note[0]} {note[1]}"), ""]
    if sheet.gaps:
        lines += [f"- **{_md(gap_line(gap))}**" for gap in sheet.gaps] + [""]
    disclosure = sheet.ai_disclosure
    lines += ["## AI disclosure / AI使用について", "", _md(disclosure.text_en), "", _md(disclosure.text_ja), ""]
    return "\n".join(lines)


def render_csv(sheet: CreditSheet) -> str:
    """The post-house columns: block, order, role_en, role_ja, name_en, name_ja, company."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    rows: list[list[str]] = []
    for role in sheet.roles:
        for name in role.names:
            rows.append(["credits", role.label_en, role.label_ja, name.name_en, name.name_ja, name.company_en or ""])
    if sheet.uncredited:
        rows.append(["note", "Uncredited at their request", "氏名非掲載（本人希望）", str(sheet.uncredited), "", ""])
    for gap in sheet.gaps:
        rows.append(["gap", gap.role, "", gap_line(gap), "", ""])
    rows.append(
        [
            "ai_disclosure",
            "AI disclosure",
            "AI使用について",
            sheet.ai_disclosure.text_en,
            sheet.ai_disclosure.text_ja,
            "",
        ]
    )
    for order, row in enumerate(rows, start=1):
        cells = [_csv_cell(value) for value in row]
        writer.writerow([cells[0], order, *cells[1:]])
    return buffer.getvalue()


def render_html(sheet: CreditSheet) -> str:
    """One self-contained page: the static sheet, and an end-roll view that scrolls the same credits."""
    english_title, japanese_title = title_lines(sheet)
    rows = []
    for role in sheet.roles:
        names_en = "".join(f"<div>{_html(name)}</div>" for name in english_names(role))
        names_ja = "".join(
            f"<div>{_html(n.name_ja)}{'（' + _html(n.company_ja) + '）' if n.company_ja else ''}</div>"
            for n in role.names
        )
        rows.append(
            f'<tr><th>{_html(role.label_en)}<span lang="ja">{_html(role.label_ja)}</span></th>'
            f'<td>{names_en}</td><td lang="ja">{names_ja}</td></tr>'
        )
    roll = []
    for role in sheet.roles:
        names = "".join(f"<p>{_html(n.name_en)} <span lang='ja'>{_html(n.name_ja)}</span></p>" for n in role.names)
        roll.append(f"<h3>{_html(role.label_en)} <span lang='ja'>{_html(role.label_ja)}</span></h3>{names}")
    notes = []
    if note := uncredited_lines(sheet):
        notes.append(f"<p class='note'>{_html(note[0])} <span lang='ja'>{_html(note[1])}</span></p>")
    notes += [f"<p class='gap'>{_html(gap_line(gap))}</p>" for gap in sheet.gaps]
    disclosure = f"<p>{_html(sheet.ai_disclosure.text_en)}</p><p lang='ja'>{_html(sheet.ai_disclosure.text_ja)}</p>"
    return _PAGE.format(
        title=_html(english_title),
        native_title=_html(japanese_title),
        rows="\n".join(rows),
        notes="\n".join(notes),
        disclosure=disclosure,
        roll="\n".join(roll),
        roll_seconds=(seconds := max(20, 4 * len(roll) + 10)),
        roll_lead=seconds // 8,
    )


# Spreadsheets run a cell that starts with one of these as a formula (=HYPERLINK(...) calls out, =cmd|...
# ran programs in old Excel); OWASP's CSV-injection advice is to make such a cell text with a leading "'".
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _html(text: str) -> str:
    return html.escape(printable(text))


def _csv_cell(text: str) -> str:
    """One CSV value: a leading ``'`` where a spreadsheet would see a formula, hidden characters as escapes."""
    return ("'" if text.startswith(_FORMULA_STARTS) else "") + printable(text)


# What CommonMark and GFM read as markup inside a line: the escape itself, code spans, emphasis and
# strikethrough, links and images ("!" only counts before "["), autolinks and raw HTML, entity references
# (&#x202e; would bring back a character printable() escaped), cell separators, heading marks (a trailing
# "#" closes a heading) and GitHub's $math$. CommonMark renders any backslash-escaped ASCII punctuation as
# itself, so escaping one that needed none is harmless; letters, digits, spaces and the punctuation of
# ordinary names ("-", ".", "(", "'") stay as they are and the file stays readable. Block markers ("- ",
# "1. ", "> ") need no escape: every value sits in a table cell, a heading or after our own text on its line.
_MD_INLINE = re.compile(r"([\\`*_~\[\]<>|&#$])")


def _md(text: str) -> str:
    """One Markdown value that renders as exactly its text, on one line."""
    return _MD_INLINE.sub(r"\\\1", printable(text).strip())


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} — credits</title>
<style>
  body {{ font-family: "Noto Sans", "Helvetica Neue", Arial, "IPAexGothic", "Noto Sans CJK JP", sans-serif;
         margin: 2rem auto; max-width: 56rem; color: #1d1d1f; }}
  h1 {{ margin-bottom: 0; }} .native {{ margin-top: .2rem; color: #555; }}
  table {{ border-collapse: collapse; width: 100%; margin: 1.5rem 0; }}
  th, td {{ text-align: left; vertical-align: top; padding: .45rem .6rem; border-bottom: 1px solid #ddd; }}
  th span {{ display: block; font-weight: normal; color: #555; }}
  .disclosure {{ background: #f4f4f6; padding: .8rem 1rem; border-left: 4px solid #888; }}
  .gap {{ color: #b00020; font-weight: bold; }} .note {{ color: #555; }}
  nav a {{ margin-right: 1rem; }}
  #roll {{ background: #000; color: #f5f5f5; height: 28rem; overflow: hidden; position: relative;
          text-align: center; margin-top: 2rem; }}
  /* Starts a little way in, so the first thing a viewer sees is names, not an empty frame. */
  #roll .crawl {{ position: absolute; width: 100%; animation: crawl {roll_seconds}s linear -{roll_lead}s infinite; }}
  #roll:hover .crawl {{ animation-play-state: paused; }}
  #roll h3 {{ font-size: .9rem; letter-spacing: .08em; color: #bbb; margin: 2.2rem 0 .4rem; }}
  #roll p {{ margin: .2rem 0; font-size: 1.15rem; }}
  @keyframes crawl {{ from {{ transform: translateY(28rem); }} to {{ transform: translateY(-100%); }} }}
  @media (prefers-reduced-motion: reduce) {{
    #roll {{ overflow-y: auto; }} #roll .crawl {{ animation: none; position: static; }}
  }}
</style>
</head>
<body>
<h1>{title}</h1>
<p class="native" lang="ja">{native_title}</p>
<nav><a href="#sheet">Credit sheet</a><a href="#roll">End roll</a></nav>
<section id="sheet">
<table>
<thead><tr><th>Role</th><th>Name</th><th lang="ja">氏名</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
{notes}
<div class="disclosure">{disclosure}</div>
</section>
<section id="roll" aria-label="End roll">
<div class="crawl">
<h2>{title}</h2>
{roll}
<div class="disclosure-roll">{disclosure}</div>
</div>
</section>
</body>
</html>
"""
