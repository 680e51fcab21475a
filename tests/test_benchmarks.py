"""The benchmarks run, at a tiny scale, so they never rot (their timings are not asserted)."""

from __future__ import annotations

from pathlib import Path

from .conftest import load_script

BENCHMARKS = Path(__file__).parents[1] / "benchmarks"


def load(name: str):  # type: ignore[no-untyped-def]
    return load_script(BENCHMARKS / f"{name}.py")


def test_credits_season_builds_what_it_says(tmp_path: Path) -> None:
    from provenance.credits.sheet import credit_sheet

    project = load("credits_season").build_season(tmp_path / "season", episodes=1, cuts=3, people=20)
    sheet = credit_sheet(project, "season")
    project.close()
    assert sheet.backgrounds == 3
    assert {role.code for role in sheet.roles} == {"BG_AD", "BG_LAYOUT", "BG_RETOUCH", "AI_OPERATOR"}
    assert sheet.ai_disclosure.models[0].backgrounds == 3


def test_audit_4k_builds_a_trusted_chain(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from provenance.audit import audit_file

    module = load("audit_4k")
    monkeypatch.setattr(module, "SIZE", (256, 144))
    project, final = module.build_chain(tmp_path)
    assert module.bare_reader(final, project.trust_anchors) == "Trusted"
    assert [stage.kind for stage in audit_file(project, final).stages] == ["sketch", "ai_generate", "select", "revise"]
    project.close()


def test_reidentify_benchmark_runs_small(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("sys.argv", ["reidentify_1m.py", "--size", "2000", "--queries", "5"])
    load("reidentify_1m").main()
    assert "found the right asset first in 5/5 queries" in capsys.readouterr().out


def test_season_stores_runs_small(monkeypatch, capsys, postgres) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("sys.argv", ["season_stores.py", "--episodes", "1", "--cuts", "2", "--repeat", "1"])
    load("season_stores").main()
    table = capsys.readouterr().out
    assert "| sqlite |" in table and "| postgresql |" in table and "PostgreSQL / SQLite" in table


def test_startup_runs_small(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("sys.argv", ["startup.py", "--rounds", "1"])
    load("startup").main()
    table = capsys.readouterr().out
    assert "| provenance --help |" in table and "| provenance audit FILE |" in table


def test_bulk_audit_runs_small(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("sys.argv", ["bulk_audit.py", "--finals", "3", "--distinct", "2"])
    load("bulk_audit").main()
    assert "| provenance audit DIR --json |" in capsys.readouterr().out
