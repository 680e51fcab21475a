"""Benchmark: exporting the credit roll of a synthetic season, in every format, on SQLite.

The season is built through the library: 12 episodes x 300 cuts = 3,600 backgrounds, 5 stages each
(sketch, AI generation, selection, paint-over, art check: 18,000 stages), 60 people. Human stages are
recorded with ``record_external_stage``. AI stages can only be recorded by running the engine, which would
make this a benchmark of diffusion; their rows (one model, one operator each) are inserted through the
store instead, so the disclosure aggregates 3,600 model uses.

Each export (``credit_sheet`` + render) is timed as the median of several runs and compared, in the same
run, with a baseline: one raw SQL query fetching the same contribution rows, the least work any export
must do. The whole ``provenance credits`` command is timed once per format as well (a new process:
Python start-up and imports included).

    python benchmarks/credits_season.py [--episodes 12] [--cuts 300] [--repeat 5]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from provenance import catalog, record
from provenance.credits.export import FORMATS, render
from provenance.credits.sheet import credit_sheet
from provenance.project import Project
from provenance.store import AIModel, Contribution, Stage, saved_id

HUMAN_STAGES = [("sketch", "BG_LAYOUT"), ("select", "BG_AD"), ("revise", "BG_RETOUCH"), ("art_check", "BG_AD")]
BASELINE_SQL = """
SELECT c.role, p.handle, p.name, p.native_name, o.name, o.native_name, p.consents_to_credit
FROM contribution c JOIN stage s ON s.id = c.stage_id JOIN person p ON p.id = c.person_id
LEFT JOIN organization o ON o.id = p.organization_id JOIN background b ON b.id = s.background_id
WHERE b.production_id = ? ORDER BY s.started_at, c.id
"""


def build_season(root: Path, episodes: int, cuts: int, people: int, db_url: str | None = None) -> Project:
    project = Project.init(root, studio="Benchmark Studio", db_url=db_url)
    handles = []
    for index in range(people):
        person = catalog.add_person(
            project,
            f"Artist {index:02d}",
            native_name=f"作家 {index:02d}",
            organization="Benchmark Studio" if index % 3 else "Partner Co",
            credited=index % 20 != 7,
        )
        handles.append(person.handle)
    catalog.add_production(project, "Season One", handle="season", native_title="第一期")
    with project.store.session() as session:
        model = AIModel(name="house-model", version="2", path="/models/house", architecture="sd", fingerprint="b" * 64)
        session.add(model)
    for episode in range(1, episodes + 1):
        for cut in range(1, cuts + 1):
            name = f"E{episode:02d}C{cut:03d}"
            background = catalog.add_background(project, "season", name, episode=str(episode))
            for offset, (kind, role) in enumerate(HUMAN_STAGES):
                artist = handles[(episode * 7 + cut + offset * 13) % people]
                record.record_external_stage(project, f"season/{name}", kind, people=[(artist, role)])
            operator = handles[(episode + cut) % people]
            with project.store.session() as session:
                stage = Stage(kind="ai_generate", background_id=saved_id(background), model_id=saved_id(model))
                session.add(stage)
                session.flush()
                person = catalog.get_person(session, operator)
                session.add(Contribution(stage_id=saved_id(stage), person_id=saved_id(person), role="AI_OPERATOR"))
    return project


def median_seconds(action, repeat: int) -> float:  # type: ignore[no-untyped-def]
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=12)
    parser.add_argument("--cuts", type=int, default=300)
    parser.add_argument("--people", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="provenance-bench-"))
    try:
        started = time.perf_counter()
        project = build_season(root / "season", arguments.episodes, arguments.cuts, arguments.people)
        build_seconds = time.perf_counter() - started
        backgrounds = arguments.episodes * arguments.cuts
        print(
            f"built {backgrounds} backgrounds, {backgrounds * 5} stages, {arguments.people} people "
            f"in {build_seconds:.1f} s"
        )

        database = project.folder / "provenance.db"

        def baseline() -> None:
            with sqlite3.connect(database) as connection:
                connection.execute(BASELINE_SQL, (1,)).fetchall()

        baseline_seconds = median_seconds(baseline, arguments.repeat)
        print(f"\nbaseline (one raw SQL query for the contribution rows): {baseline_seconds * 1000:.1f} ms\n")
        print("| format | export (library, median) | ratio to baseline | whole command (new process) | size |")
        print("|---|---|---|---|---|")
        sheet_seconds = median_seconds(lambda: credit_sheet(project, "season"), arguments.repeat)
        for output_format in FORMATS:
            data = b""

            def export(fmt: str = output_format) -> None:
                nonlocal data
                data = render(credit_sheet(project, "season"), fmt)

            seconds = median_seconds(export, arguments.repeat)
            output = root / f"season.{output_format}"
            command = [
                sys.executable,
                "-m",
                "provenance",
                "--project",
                str(project.root),
                "credits",
                "season",
                "--format",
                output_format,
                "-o",
                str(output),
            ]
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            process_seconds = time.perf_counter() - started
            print(
                f"| {output_format} | {seconds * 1000:.0f} ms | {seconds / baseline_seconds:.1f}x | "
                f"{process_seconds:.2f} s | {len(data) / 1024:.0f} KiB |"
            )
        print(f"\ncredit_sheet alone (gather + build, no rendering): {sheet_seconds * 1000:.0f} ms")
        project.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
