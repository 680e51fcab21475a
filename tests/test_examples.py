"""The examples in examples/ run as part of the suite, so they never rot."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import load_script

EXAMPLES = Path(__file__).parents[1] / "examples"


def load(name: str):  # type: ignore[no-untyped-def]
    return load_script(EXAMPLES / f"{name}.py")


def test_record_and_audit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = load("record_and_audit").main(tmp_path)
    assert report.verdict == "trusted"
    assert [s.kind for s in report.stages] == ["sketch", "ai_generate", "select", "revise"]
    printed = capsys.readouterr().out
    assert "背景原図：森 さくら" in printed and "画像生成オペレーター：伊藤 大地" in printed
