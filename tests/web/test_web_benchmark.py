"""The season benchmark of the viewer runs, at a tiny scale, so it never rots (its timings are not asserted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..conftest import load_script

BENCHMARK = Path(__file__).parents[2] / "benchmarks" / "web_season.py"


def test_the_web_season_benchmark_times_every_page(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], model_cache: Path
) -> None:
    monkeypatch.setattr("sys.argv", ["web_season.py", "--episodes", "1", "--cuts", "3", "--repeat", "1"])
    load_script(BENCHMARK).main()
    output = capsys.readouterr().out
    assert "built 3 backgrounds (18 stages)" in output
    rows = [line for line in output.splitlines() if line.startswith("| ") and " ms |" in line]
    labels = [row.split(" | ")[0].removeprefix("| ") for row in rows]
    assert labels == [
        "baseline: stylesheet", "productions", "production grid, page 1", "production grid, page 1",
        "background process sheet", "asset audit", "credit roll", "verify (form)", "verify (upload a final)",
        "API audit", "API credits", "API lineage",
    ]  # fmt: skip
