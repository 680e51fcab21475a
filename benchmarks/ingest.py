"""Benchmark: many writer processes recording stages into one project at once, on SQLite and PostgreSQL.

Each writer is its own process (as each workstation's commands are) and records cycles of four stages on
the same background: a sketch (its own layout), one AI candidate from the tiny model at 64x64 with 2 steps,
the selection of that candidate, and a paint-over of it. The writers load everything first and start
together; the rate is the stages all of them recorded divided by the time from the start to the last one
done. Then every file is checked: no error in any writer, as many stages, assets and files as were
asked for, unique stage and asset ids, and the audit of every file ``trusted`` (timed: the bulk audit,
files a second in one process).

    python benchmarks/ingest.py [--stages 200] [--writers 1,4,8] [--postgres-writers 1,4,8,16]

PostgreSQL runs on a server this script starts from the distribution's binaries (as the tests do), with
fsync on; without the binaries only SQLite runs. ``tests/test_concurrent_writers.py`` runs the same
writers at a smaller scale.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

from PIL import Image, ImageDraw

STAGES_PER_CYCLE = 4
SIZE = (64, 64)
STEPS = 2
BACKGROUND = "harbor/C012"
PEOPLE = [("Tanaka Aiko", "tanaka-aiko"), ("Sato Ken", "sato-ken"), ("Yamada Hanako", "yamada-hanako"),
          ("Suzuki Ren", "suzuki-ren")]  # fmt: skip


class IngestResult(NamedTuple):
    store: str
    writers: int
    stages: int
    seconds: float
    errors: list[str]
    audit_seconds: float
    files: int
    untrusted: list[str]

    @property
    def rate(self) -> float:
        return self.stages / self.seconds

    @property
    def audit_rate(self) -> float:
        return self.files / self.audit_seconds if self.audit_seconds else 0.0


def new_project(root: Path, db_url: str | None) -> None:
    """A project with the four people, a production and the one background every writer records on."""
    from provenance import catalog
    from provenance.project import Project

    project = Project.init(root, db_url=db_url, studio="Bench Studio")
    for name, handle in PEOPLE:
        catalog.add_person(project, name, handle=handle)
    catalog.add_production(project, "Harbor Lights", handle="harbor")
    catalog.add_background(project, "harbor", "C012")
    project.close()


def layout(path: Path, writer: int, cycle: int) -> None:
    """A layout of its own for each cycle of each writer: lines placed by the two numbers."""
    image = Image.new("RGB", SIZE, (245, 240, 230))
    draw = ImageDraw.Draw(image)
    for line in range(6):
        x = (writer * 37 + cycle * 11 + line * 23) % SIZE[0]
        draw.line((x, 0, SIZE[0] - x, SIZE[1]), fill=(30, 30, 40), width=2)
    draw.rectangle((writer % 8 * 8, cycle % 8 * 8, writer % 8 * 8 + 6, cycle % 8 * 8 + 6), fill=(90, 20, 20))
    image.save(path)


def warm_up() -> None:
    """Import torch and diffusers and run the tiny model once, recording nothing: start-up is not timed."""
    from provenance import engine

    source = engine.resolve_model("tiny")
    settings = engine.GenerationSettings(prompt="x", seeds=[0], steps=STEPS)
    engine.generate(source, Image.new("RGB", SIZE, "white"), settings)


def wait_for_start(gate: Path, writer: int) -> None:
    """Say this writer is ready, then wait until the driver says go (every writer ready)."""
    (gate / f"ready-{writer}").touch()
    while not (gate / "go").exists():
        time.sleep(0.02)


def work(root: Path, writer: int, cycles: int, gate: Path, *, stand_in: bool = False) -> dict[str, object]:
    """One writer's cycles (in its own process); what it recorded and every error, as a JSON-able dict.

    ``stand_in`` generates with the tests' stand-in engine instead of the tiny model (no torch to import:
    the test's writers start in a second, the benchmark's measure real generations).
    """
    from provenance import engine, record
    from provenance.project import Project

    project = Project.find(root)
    generator: engine.ImageGenerator | None = None
    if stand_in:
        sys.path.insert(0, str(Path(__file__).parents[1]))
        from tests.fake_engine import fake_generate

        generator = fake_generate
    else:
        warm_up()
    scratch = Path(tempfile.mkdtemp(prefix=f"writer-{writer}-"))
    wait_for_start(gate, writer)
    started = time.time()
    stages: list[str] = []
    assets: list[int] = []
    files: list[str] = []
    errors: list[str] = []
    for cycle in range(cycles):
        try:
            layout_file = scratch / f"layout-{cycle}.png"
            layout(layout_file, writer, cycle)
            sketch = record.record_sketch(project, BACKGROUND, layout_file, artist="tanaka-aiko")
            (candidate,) = record.record_generation(
                project, str(sketch.asset_id), operator="sato-ken", prompt="harbor at dusk",
                seed=writer * 1000 + cycle, steps=STEPS, candidates=1, generator=generator,
            )  # fmt: skip
            selection = record.record_selection(project, str(candidate.asset_id), by="yamada-hanako")
            paint = scratch / f"paint-{cycle}.png"
            with Image.open(project.absolute(candidate.path)) as picture:
                picture.convert("RGB").rotate(180).save(paint)
            final = record.record_revision(project, str(candidate.asset_id), paint, artist="suzuki-ren")
            stages += [sketch.stage_id, candidate.stage_id, selection.stage_id, final.stage_id]
            assets += [sketch.asset_id, candidate.asset_id, final.asset_id]
            files += [sketch.path, candidate.path, final.path]
        except Exception as exc:  # noqa: BLE001 - every failure is counted and reported, none may pass silently
            errors.append(f"{type(exc).__name__}: {exc}")
    project.close()
    return {"writer": writer, "started": started, "finished": time.time(), "stages": stages, "assets": assets,
            "files": files, "errors": errors}  # fmt: skip


def contend(root: Path, candidate: str, gate: Path, writer: int) -> dict[str, str]:
    """Every writer tries the same selection and the same new handle at once: one of each may succeed."""
    from provenance import catalog, record
    from provenance.errors import ProvenanceError
    from provenance.project import Project

    project = Project.find(root)
    wait_for_start(gate, writer)
    outcome = {}
    for name, action in (
        ("select", lambda: record.record_selection(project, candidate, by="yamada-hanako")),
        ("person", lambda: catalog.add_person(project, "Contested Person", handle="contested")),
    ):
        try:
            action()
            outcome[name] = "ok"
        except ProvenanceError as exc:
            outcome[name] = f"{type(exc).__name__}: {exc}"
    project.close()
    return outcome


def spawn(arguments: list[list[str]], gate: Path) -> list[dict[str, object]]:
    """Run ``ingest.py worker|contend ...`` processes, start them together once all are ready; their results."""
    processes = [
        subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for args in arguments
    ]
    while len(list(gate.glob("ready-*"))) < len(processes):
        if any(process.poll() not in (None, 0) for process in processes):
            break  # one died before it was ready: its error is reported below
        time.sleep(0.05)
    (gate / "go").touch()
    results = []
    for process in processes:
        out, err = process.communicate(timeout=3600)
        if process.returncode != 0:
            raise RuntimeError(f"a writer process failed ({process.returncode}): {err.strip()[-2000:]}")
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def run_writers(
    root: Path, writers: int, stages: int, *, stand_in: bool = False
) -> tuple[float, list[dict[str, object]]]:
    """``writers`` processes, ``stages`` each (a multiple of 4); (seconds from start to last done, results)."""
    from provenance import engine

    # Built and fingerprinted once, here: the writers find both in the cache instead of racing to make them.
    engine.fingerprint_weights(engine.resolve_model("tiny").path)
    gate = Path(tempfile.mkdtemp(prefix="ingest-gate-"))
    cycles = stages // STAGES_PER_CYCLE
    flag = ["stand-in"] if stand_in else []
    results = spawn(
        [["worker", str(root), str(index), str(cycles), str(gate), *flag] for index in range(writers)], gate
    )
    shutil.rmtree(gate, ignore_errors=True)
    finished = max(float(result["finished"]) for result in results)  # type: ignore[arg-type]
    started = min(float(result["started"]) for result in results)  # type: ignore[arg-type]
    return finished - started, results


def check_and_audit(
    root: Path, results: list[dict[str, object]], expected_stages: int
) -> tuple[list[str], float, int, list[str]]:
    """Errors and lost records (as lines), the bulk audit's seconds, the files audited, the untrusted ones."""
    from sqlmodel import func, select

    from provenance.audit import audit_file
    from provenance.project import Project
    from provenance.store import Asset, Stage

    problems = [error for result in results for error in result["errors"]]  # type: ignore[attr-defined]
    stages = [stage for result in results for stage in result["stages"]]  # type: ignore[attr-defined]
    assets = [asset for result in results for asset in result["assets"]]  # type: ignore[attr-defined]
    files = [file for result in results for file in result["files"]]  # type: ignore[attr-defined]
    if len(stages) != expected_stages:
        problems.append(f"{len(stages)} stages reported, {expected_stages} asked for")
    if len(set(stages)) != len(stages) or len(set(assets)) != len(assets):
        problems.append("duplicate stage or asset ids")
    project = Project.find(root)
    with project.store.reading() as session:
        stored_stages = session.exec(select(func.count()).select_from(Stage)).one()
        stored_assets = session.exec(select(func.count()).select_from(Asset)).one()
    if stored_stages != len(stages) or stored_assets != len(assets):
        problems.append(f"the store holds {stored_stages} stages and {stored_assets} assets, writers made "
                        f"{len(stages)} and {len(assets)}")  # fmt: skip
    missing = [file for file in files if not project.absolute(file).is_file()]
    problems += [f"missing file {file}" for file in missing]
    started = time.perf_counter()
    untrusted = []
    for file in files:
        report = audit_file(project, project.absolute(file))
        if report.verdict != "trusted":
            untrusted.append(f"{file}: {report.verdict} {report.problems} {report.notes}")
    seconds = time.perf_counter() - started
    project.close()
    return problems, seconds, len(files), untrusted


def measure(store: str, root: Path, db_url: str | None, writers: int, stages: int) -> IngestResult:
    new_project(root, db_url)
    seconds, results = run_writers(root, writers, stages)
    problems, audit_seconds, files, untrusted = check_and_audit(root, results, writers * stages)
    return IngestResult(store, writers, writers * stages, seconds, problems, audit_seconds, files, untrusted)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in ("worker", "contend"):
        if sys.argv[1] == "worker":
            root, writer, cycles, gate = sys.argv[2:6]
            stand_in = sys.argv[6:] == ["stand-in"]
            print(json.dumps(work(Path(root), int(writer), int(cycles), Path(gate), stand_in=stand_in)))
        else:
            root, candidate, gate, writer = sys.argv[2:6]
            print(json.dumps(contend(Path(root), candidate, Path(gate), int(writer))))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stages", type=int, default=200, help="stages per writer (a multiple of 4)")
    parser.add_argument("--writers", default="1,4,8", help="writer counts on SQLite")
    parser.add_argument("--postgres-writers", default="1,4,8,16", help="writer counts on PostgreSQL")
    arguments = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).parents[1]))
    from tests.postgres_server import PostgresServer, find_binaries, unavailable_reason

    base = Path(tempfile.mkdtemp(prefix="provenance-ingest-"))
    server = None
    if (reason := unavailable_reason()) is None:
        binaries = find_binaries()
        assert binaries is not None
        server = PostgresServer.start(binaries, durable=True)
    else:
        print(f"PostgreSQL skipped: {reason}")
    print("| store | writers | stages | seconds | stages/s | errors | bulk audit: files | files/s | untrusted |")
    print("|---|---|---|---|---|---|---|---|---|")
    plans = [("sqlite", int(n)) for n in arguments.writers.split(",")]
    if server is not None:
        plans += [("postgresql", int(n)) for n in arguments.postgres_writers.split(",")]
    try:
        for store, writers in plans:
            url = server.new_database("ingest") if store == "postgresql" and server else None
            result = measure(store, base / f"{store}-{writers}", url, writers, arguments.stages)
            print(
                f"| {store} | {writers} | {result.stages} | {result.seconds:.1f} | {result.rate:.1f} | "
                f"{len(result.errors)} | {result.files} | {result.audit_rate:.1f} | {len(result.untrusted)} |",
                flush=True,
            )
            for line in [*result.errors, *result.untrusted][:5]:
                print(f"    {line}")
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
