"""`provenance demo` plays the whole story and leaves a project a newcomer can explore."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from provenance.cli import main


def test_demo_tells_the_whole_story(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", str(folder), "--steps", "4"])
    assert result.exit_code == 0, result.output
    for step in ("project", "sketch", "generate", "select", "revise", "audit", "credits"):
        assert f"  {step}" in result.stdout
    audit = json.loads((folder / "C012_audit.json").read_text())
    assert audit["verdict"] == "trusted"
    assert [s["kind"] for s in audit["stages"]] == ["sketch", "ai_generate", "select", "revise"]
    credits = (folder / "harbor_credits.txt").read_text(encoding="utf-8")
    for name in ("Tanaka Aiko", "Sato Ken", "Yamada Hanako", "Suzuki Ren", "田中 愛子", "鈴木 蓮"):
        assert name in credits
    assert "AI disclosure: tiny v1" in credits

    again = CliRunner().invoke(main, ["demo", str(folder)])
    assert again.exit_code == 1 and "already holds a provenance project" in again.stderr
