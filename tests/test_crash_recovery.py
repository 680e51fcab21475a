"""Real `provenance generate` and `sketch` runs killed with SIGKILL at each point of writing a stage.

After every kill, `provenance check` must report what the kill left, `check --fix` must tidy it and exit 0,
a second check must be clean, every row's file must be on disk as recorded, and no signed file without rows
may remain outside the quarantine (judged by c2pa's own Reader, not by our check).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import c2pa
import pytest
from click.testing import CliRunner
from sqlmodel import select

from provenance import catalog, record
from provenance.audit import audit_file
from provenance.cli import main
from provenance.cli.exit_codes import audit_code
from provenance.demo import draw_layout
from provenance.project import Project
from provenance.store import Asset, Stage

pytestmark = pytest.mark.diffusion

WRAPPER = Path(__file__).parent / "crashing_cli.py"
GENERATE = ["--prompt", "harbor", "--operator", "sato-ken", "--steps", "2", "--candidates", "2", "--seed", "7"]


class CrashingCli:
    """The forking wrapper in tests/crashing_cli.py: one process imports torch once, each run is a fork."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, str(WRAPPER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self._answer() == {"ready": True}

    def run(self, argv: list[str], kill: dict[str, Any] | None) -> int:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"argv": argv, "log": str(self.log), "kill": kill}) + "\n")
        self.process.stdin.flush()
        return int(self._answer()["returncode"])

    def close(self) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)
        self.process.stdout.close()

    def _answer(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line, f"the wrapper died; see {self.log}"
        return dict(json.loads(line))


@dataclass
class Studio:
    project: Project
    sketch_id: int
    layout: Path
    cli: CrashingCli


@pytest.fixture(scope="module")
def studio(model_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Studio]:
    """One project for every kill: people, a production, a 64x64 sketch; generations run through the wrapper."""
    root = tmp_path_factory.mktemp("crash") / "studio"
    project = Project.init(root, studio="Test Studio")
    catalog.add_person(project, "Tanaka Aiko")
    catalog.add_person(project, "Sato Ken")
    catalog.add_production(project, "Harbor Lights", handle="harbor")
    catalog.add_background(project, "harbor", "C012")
    layout = root / "layout.png"  # the artist's own file, unsigned, inside the project: never an orphan
    draw_layout().resize((64, 64)).save(layout)
    sketch = record.record_sketch(project, "harbor/C012", layout, artist="tanaka-aiko")
    cli = CrashingCli(root.parent / "runs.log")
    # A run that is not killed records both candidates (and builds the tiny model, once, before any kill).
    assert cli.run(["--project", str(root), "generate", str(sketch.asset_id), *GENERATE], kill=None) == 0
    yield Studio(project, sketch.asset_id, layout, cli)
    cli.close()
    project.close()


@dataclass(frozen=True)
class Kill:
    target: str
    when: str
    call: int
    command: str = "generate"
    temporaries: int = 0
    signed_orphans: int = 0
    mask_orphans: int = 0
    new_assets: int = 0
    kill: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kill", {"target": self.target, "when": self.when, "call": self.call})


# Each generation writes, per candidate, its change mask and then its signed PNG: four files for two
# candidates, published in the same order.
KILLS = {
    "while denoising": Kill("provenance.engine.img2img:_StepCounter.__call__", "before", 2),
    "after the temporaries are written": Kill(
        "provenance.pending_files:PendingFiles.publish", "before", 1, temporaries=4
    ),
    "while publishing": Kill("os:replace", "before", 3, temporaries=2, signed_orphans=1, mask_orphans=1),
    "between publishing and the commit": Kill(
        "provenance.pending_files:PendingFiles.publish", "after", 1, signed_orphans=2, mask_orphans=2
    ),
    # The first commit is the read-only session that looks up the operator and the sketch.
    "right after the commit": Kill("sqlmodel:Session.commit", "after", 2, new_assets=2),
    "a sketch between publishing and the commit": Kill(
        "provenance.pending_files:PendingFiles.publish", "after", 1, command="sketch", signed_orphans=1
    ),
}


@pytest.mark.parametrize("name", list(KILLS))
def test_a_kill_leaves_nothing_that_check_cannot_find_and_fix(studio: Studio, name: str) -> None:
    kill = KILLS[name]
    project, root = studio.project, studio.project.root
    assert check(root).exit_code == 0, "the previous kill was not tidied"
    assets_before = _assets(project)
    quarantined_before = _files(project.folder / "quarantine")

    if kill.command == "generate":
        argv = ["generate", str(studio.sketch_id), *GENERATE]
    else:
        argv = ["sketch", "harbor/C012", str(studio.layout), "--artist", "tanaka-aiko"]
    assert studio.cli.run(["--project", str(root), *argv], kill.kill) == -9, "the kill point was never reached"

    found = check(root, "--json")
    report = json.loads(found.stdout)
    leftovers = kill.temporaries + kill.signed_orphans + kill.mask_orphans
    assert found.exit_code == (11 if leftovers else 0), found.output
    assert report["rows"] == []
    assert len(report["temporaries"]) == kill.temporaries
    signed = [o for o in report["orphans"] if o["kind"] == "signed-file"]
    masks = [o for o in report["orphans"] if o["kind"] == "mask"]
    assert (len(signed), len(masks)) == (kill.signed_orphans, kill.mask_orphans)
    recorded_stages = _stage_ids(project)
    assert all(o["stage_id"] not in recorded_stages for o in report["orphans"])
    assert {o["stage_id"] for o in masks} <= {o["stage_id"] for o in signed}
    assert len(_assets(project)) == len(assets_before) + kill.new_assets
    for orphan in signed:  # before they are tidied away: never trusted, always records-differ
        verdict = audit_file(project, root / orphan["path"])
        assert (verdict.verdict, audit_code(verdict)) == ("records-differ", 6), verdict.problems

    fixed = check(root, "--fix", "--json")
    assert fixed.exit_code == 0, fixed.output
    for orphan in json.loads(fixed.stdout)["orphans"]:
        moved = root / orphan["quarantined"]
        assert orphan["quarantined"] == f".provenance/quarantine/{orphan['path']}"
        assert hashlib.sha256(moved.read_bytes()).hexdigest() == orphan["sha256"]
    assert len(_files(project.folder / "quarantine")) == len(quarantined_before) + len(report["orphans"])
    again = check(root, "--json")
    assert again.exit_code == 0 and json.loads(again.stdout)["status"] == "clean"

    _assert_every_row_has_its_file(project)
    _assert_no_signed_file_without_rows_outside_the_quarantine(project)


def check(root: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["--project", str(root), "check", *args])


def _assets(project: Project) -> list[Asset]:
    with project.store.session() as session:
        return list(session.exec(select(Asset)))


def _stage_ids(project: Project) -> set[str]:
    with project.store.session() as session:
        return set(session.exec(select(Stage.uuid)))


def _files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def _assert_every_row_has_its_file(project: Project) -> None:
    with project.store.session() as session:
        for asset in session.exec(select(Asset)):
            data = project.absolute(asset.path).read_bytes()
            assert hashlib.sha256(data).hexdigest() == asset.sha256, asset.path
        for mask_path in session.exec(select(Stage.mask_path)):
            if mask_path:
                assert project.absolute(mask_path).is_file(), mask_path


def _assert_no_signed_file_without_rows_outside_the_quarantine(project: Project) -> None:
    """Independent of provenance check: c2pa's Reader finds every manifest; each must be a recorded file."""
    with project.store.session() as session:
        recorded = set(session.exec(select(Asset.sha256)))
        masks = {mask for mask in session.exec(select(Stage.mask_path)) if mask}
    quarantine = project.folder / "quarantine"
    for path in project.root.rglob("*"):
        if not path.is_file() or quarantine in path.parents or path.suffix != ".png":
            continue
        relative = project.relative(path)
        if relative.startswith(".provenance/masks/"):
            assert relative in masks, f"{relative}: a mask no stage refers to"
        elif not relative.startswith(".provenance/"):
            data = path.read_bytes()
            if _has_manifest(data):
                assert hashlib.sha256(data).hexdigest() in recorded, f"{relative}: signed, but no row records it"
    # No temporary anywhere either.
    assert not [path for path in project.root.rglob(".*.part")]


def _has_manifest(data: bytes) -> bool:
    offline = c2pa.Context.from_dict({"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}})
    reader = c2pa.Reader.try_create("image/png", io.BytesIO(data), None, offline)
    if reader is None:
        return False
    reader.close()
    return True


def test_files_from_a_killed_run_are_readable_by_the_team(studio: Studio) -> None:
    """Every file a stage wrote is 0o666 less the umask (the test process's umask), not 0o600."""
    umask = os.umask(0)
    os.umask(umask)
    assets = _assets(studio.project)
    assert len(assets) > 1
    for asset in assets:
        assert (studio.project.absolute(asset.path).stat().st_mode & 0o777) == 0o666 & ~umask, asset.path
