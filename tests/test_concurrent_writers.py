"""Many writer processes on one project, on SQLite and on a real PostgreSQL server.

The writers are ``benchmarks/ingest.py``'s, at a smaller scale than the benchmark (4 processes x 4
stages here, to keep the suite short on two cores; 8 and 16 writers there): real processes, each recording
sketches, generations, selections and paint-overs on the same background at once. Here the generations
use the tests' stand-in engine, so the writers need not import torch (the benchmark runs the tiny model;
the records, signing and files are the same either way). What this
proves: nothing is refused (no "database is locked", no internal error), nothing is lost (every stage,
asset and file the writers reported is in the store and on disk, under unique ids), and every file
audits trusted. Then 8 processes try the same selection and the same new handle at the same moment:
exactly one of each succeeds and the others get a one-line "already" error.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from provenance import catalog
from provenance.project import Project

from .conftest import load_script

INGEST = load_script(Path(__file__).parents[1] / "benchmarks" / "ingest.py")
WRITERS = 4
STAGES = 4
CONTENDERS = 8


def test_concurrent_writers_lose_nothing_and_audit_trusted(tmp_path: Path, database_url: str | None) -> None:
    root = tmp_path / "studio"
    INGEST.new_project(root, database_url)
    _, results = INGEST.run_writers(root, WRITERS, STAGES, stand_in=True)
    problems, _, files, untrusted = INGEST.check_and_audit(root, results, WRITERS * STAGES)
    assert problems == [] and untrusted == []
    assert files == WRITERS * STAGES // 4 * 3

    # The same candidate selected, and the same handle added, by every process at once.
    project = Project.find(root)
    fresh = _fresh_candidate(project, tmp_path)
    project.close()
    gate = tmp_path / "gate"
    gate.mkdir()
    outcomes = INGEST.spawn([["contend", str(root), fresh, str(gate), str(index)] for index in range(CONTENDERS)], gate)
    selections = [outcome["select"] for outcome in outcomes]
    people = [outcome["person"] for outcome in outcomes]
    assert selections.count("ok") == 1 and people.count("ok") == 1
    assert all(s.startswith("AlreadyExistsError") and "already been selected" in s for s in selections if s != "ok")
    assert all(p.startswith("AlreadyExistsError") and "contested" in p for p in people if p != "ok")


def _fresh_candidate(project: Project, tmp_path: Path) -> str:
    """A new AI candidate nobody has selected, made with the stand-in engine."""
    from provenance import record

    from .fake_engine import fake_generate

    layout = tmp_path / "contested-layout.png"
    INGEST.layout(layout, 99, 99)
    sketch = record.record_sketch(project, INGEST.BACKGROUND, layout, artist="tanaka-aiko")
    (candidate,) = record.record_generation(
        project, str(sketch.asset_id), operator="sato-ken", prompt="x", seed=1, steps=2, generator=fake_generate
    )
    return str(candidate.asset_id)


def test_a_long_reader_does_not_block_a_writer_on_sqlite(project: Project) -> None:
    """WAL: a reader holding its transaction open (here for the whole write) never makes a writer fail."""
    reader = sqlite3.connect(project.folder / "provenance.db")
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM person").fetchone()[0] == 4
    done = threading.Event()

    def write() -> None:
        catalog.add_person(project, "Kimura Yu")
        done.set()

    writer = threading.Thread(target=write)
    writer.start()
    writer.join(timeout=60)
    assert done.is_set()
    # The reader still sees its snapshot; a new transaction sees the new row.
    assert reader.execute("SELECT count(*) FROM person").fetchone()[0] == 4
    reader.execute("COMMIT")
    assert reader.execute("SELECT count(*) FROM person").fetchone()[0] == 5
    reader.close()
