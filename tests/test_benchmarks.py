"""The benchmarks run, at a tiny scale, so they never rot (their timings are not asserted)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCHMARKS = Path(__file__).parents[1] / "benchmarks"


def load(name: str):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_credits_season_builds_what_it_says(tmp_path: Path) -> None:
    from provenance.credits import credit_sheet

    project = load("credits_season").build_season(tmp_path / "season", episodes=1, cuts=3, people=20)
    sheet = credit_sheet(project, "season")
    project.close()
    assert sheet.backgrounds == 3
    assert {role.code for role in sheet.roles} == {"BG_AD", "BG_LAYOUT", "BG_RETOUCH", "AI_OPERATOR"}
    assert sheet.ai_disclosure.models[0].backgrounds == 3
