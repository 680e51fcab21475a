"""provenance check: orphans, rows whose files are missing or changed, temporaries; and what --fix does."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import c2pa
import jsonschema
import pytest
from click.testing import CliRunner, Result
from PIL import Image, ImageOps

from provenance import catalog, record
from provenance.audit.project_check import check_project
from provenance.cli import main
from provenance.cli.exit_codes import CHECK_CODES
from provenance.pending_files import PendingFiles
from provenance.project import Project

from .conftest import snapshot

SCHEMA = json.loads((Path(__file__).parents[1] / "schemas" / "check-report.v1.json").read_text())
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class _Killed(BaseException):
    """Stands for SIGKILL in-process: nothing catches it, and PendingFiles is kept from tidying up."""


@contextmanager
def killed_before_the_commit(monkeypatch: pytest.MonkeyPatch, *, published: bool) -> Iterator[None]:
    """The state a kill leaves: the rows never committed, the files published (or still temporaries)."""
    with monkeypatch.context() as patches:
        patches.setattr(PendingFiles, "__exit__", lambda self, *exc_info: None)
        if published:
            publish = PendingFiles.publish

            def publish_then_die(self: PendingFiles) -> None:
                publish(self)
                raise _Killed  # after the files are in place, before the transaction commits

            patches.setattr(PendingFiles, "publish", publish_then_die)
        else:
            patches.setattr(PendingFiles, "publish", _raise_killed)
        with pytest.raises(_Killed):
            yield


def _raise_killed(*args: object) -> None:
    raise _Killed


@pytest.fixture
def recorded(project: Project, layout_file: Path, tmp_path: Path) -> tuple[record.RecordedFile, record.RecordedFile]:
    """A sketch and a paint-over of it (with its change mask), both recorded."""
    sketch = record.record_sketch(project, "harbor/C012", layout_file, artist="tanaka-aiko")
    painted = _painted(layout_file, tmp_path)
    revision = record.record_revision(project, str(sketch.asset_id), painted, artist="suzuki-ren")
    return sketch, revision


def _painted(layout_file: Path, tmp_path: Path, name: str = "paint.png") -> Path:
    with Image.open(layout_file) as image:
        painted = ImageOps.invert(image.convert("RGB"))
    painted.save(tmp_path / name)
    return tmp_path / name


def cli(project: Project, *args: str) -> Result:
    return CliRunner().invoke(main, ["--project", str(project.root), "check", *args])


def c2pa_state(path: Path, project: Project) -> str | None:
    """c2pa's own verdict on a file, trusting only the studio CA; None when it carries no manifest."""
    anchors = (project.keys_folder / "studio-ca.pem").read_text()
    context = c2pa.Context.from_dict(
        {"trust": {"user_anchors": anchors}, "verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}
    )
    reader = c2pa.Reader.try_create("image/png", io.BytesIO(path.read_bytes()), None, context)
    if reader is None:
        return None
    with reader:
        return reader.get_validation_state()


def test_a_consistent_project_is_clean_and_copies_and_unsigned_files_are_no_orphans(
    project: Project, recorded: tuple[record.RecordedFile, record.RecordedFile], layout_file: Path
) -> None:
    sketch, revision = recorded
    (project.root / "deliveries").mkdir()
    shutil.copy(project.absolute(revision.path), project.root / "deliveries" / "C012_final.png")
    shutil.copy(layout_file, project.root / "layout.png")

    report = check_project(project)

    assert (report.status, report.orphans, report.rows, report.temporaries) == ("clean", [], [], [])
    assert report.rows_checked == 3  # two assets and the paint-over's mask
    assert report.files_scanned == 2
    assert CHECK_CODES[report.status] == 0
    result = cli(project)
    assert result.exit_code == 0 and "CLEAN" in result.stdout


def test_files_published_without_their_rows_are_orphans_and_fix_quarantines_them(
    project: Project,
    recorded: tuple[record.RecordedFile, record.RecordedFile],
    layout_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sketch, _ = recorded
    before = set(project.root.rglob("*.png"))
    with killed_before_the_commit(monkeypatch, published=True):
        record.record_revision(project, str(sketch.asset_id), _painted(layout_file, tmp_path), artist="suzuki-ren")
    left = sorted(set(project.root.rglob("*.png")) - before)
    signed = next(path for path in left if path.parent.name == "C012")
    mask = next(path for path in left if path.parent.name == "masks")
    contents = {path: path.read_bytes() for path in left}
    rows_before = snapshot(project)["rows"]

    report = check_project(project)

    assert report.status == "leftovers" and CHECK_CODES[report.status] == 11
    assert [(o.kind, o.path) for o in report.orphans] == [
        ("signed-file", project.relative(signed)),
        ("mask", project.relative(mask)),
    ]
    # The manifest names the stage the crash never recorded, and the mask is named after the same stage.
    assert report.orphans[0].stage_id == report.orphans[1].stage_id == mask.stem
    assert report.orphans[0].sha256 == hashlib.sha256(contents[signed]).hexdigest()
    assert c2pa_state(signed, project) == "Trusted"

    # A file already in the quarantine under the same name is kept; the new one gets a number.
    earlier = project.folder / "quarantine" / project.relative(signed)
    earlier.parent.mkdir(parents=True)
    earlier.write_bytes(b"an earlier orphan")
    fixed = check_project(project, fix=True)

    assert fixed.status == "clean" and CHECK_CODES[fixed.status] == 0
    assert [o.quarantined for o in fixed.orphans] == [
        f".provenance/quarantine/{project.relative(signed.with_suffix('.1.png'))}",
        f".provenance/quarantine/.provenance/masks/{mask.name}",
    ]
    for orphan, original in zip(fixed.orphans, (signed, mask), strict=True):
        assert orphan.quarantined is not None
        assert (project.root / orphan.quarantined).read_bytes() == contents[original]
        assert not original.exists()
    assert earlier.read_bytes() == b"an earlier orphan"
    assert snapshot(project)["rows"] == rows_before
    assert check_project(project).status == "clean"


def test_a_partners_signed_file_is_no_orphan(project: Project, layout_file: Path, tmp_path: Path) -> None:
    """Partner stages have no rows here by design: only files signed under our own CA can be orphans."""
    partner = Project.init(tmp_path / "kumo", studio="Studio Kumo")
    try:
        catalog.add_person(partner, "Kimura Yui")
        catalog.add_production(partner, "Harbor Lights", handle="harbor")
        catalog.add_background(partner, "harbor", "C012")
        drawn = record.record_sketch(partner, "harbor/C012", layout_file, artist="kimura-yui")
        (project.trust_folder).mkdir(exist_ok=True)
        shutil.copy(partner.keys_folder / "studio-ca.pem", project.trust_folder / "studio-kumo.pem")
        shutil.copy(partner.absolute(drawn.path), project.root / "from-kumo.png")
    finally:
        partner.close()

    report = check_project(project)

    assert report.files_scanned == 1 and report.orphans == [] and report.status == "clean"


def test_missing_and_changed_files_are_reported_and_fix_leaves_them_and_the_rows(
    project: Project, recorded: tuple[record.RecordedFile, record.RecordedFile]
) -> None:
    sketch, revision = recorded
    sketch_file = project.absolute(sketch.path)
    # Another signed file of ours over a recorded path: the row's file changed, it is not an orphan.
    shutil.copy(project.absolute(revision.path), sketch_file)
    mask = next((project.folder / "masks").iterdir())
    mask.unlink()
    before = snapshot(project)

    result = cli(project, "--fix", "--json")

    assert result.exit_code == 6, result.output
    report = json.loads(result.stdout)
    jsonschema.validate(report, SCHEMA)
    assert report["status"] == "records-differ" and report["orphans"] == []
    assert [(r["kind"], r["state"], r["path"], r["asset_id"]) for r in report["rows"]] == [
        ("asset", "changed", sketch.path, sketch.asset_id),
        ("mask", "missing", project.relative(mask), None),
    ]
    assert report["rows"][1]["stage_id"] == revision.stage_id
    assert snapshot(project) == before
    table = cli(project).stdout
    assert "recorded file changed" in table and f"asset #{sketch.asset_id}" in table and "RECORDS-DIFFER" in table

    project.absolute(revision.path).unlink()
    assert ("asset", "missing", revision.path) in [
        (row.kind, row.state, row.path) for row in check_project(project).rows
    ]


def test_deep_rehashes_a_file_whose_size_and_time_were_kept(
    project: Project, recorded: tuple[record.RecordedFile, record.RecordedFile]
) -> None:
    sketch, _ = recorded
    path = project.absolute(sketch.path)
    status = path.stat()
    data = bytearray(path.read_bytes())
    data[-20] ^= 0xFF
    path.write_bytes(bytes(data))
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))

    assert check_project(project).rows == []
    assert [(row.state, row.path) for row in check_project(project, deep=True).rows] == [("changed", sketch.path)]


def test_temporaries_are_found_and_removed_and_lookalikes_left_alone(
    project: Project,
    recorded: tuple[record.RecordedFile, record.RecordedFile],
    layout_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sketch, _ = recorded
    with killed_before_the_commit(monkeypatch, published=False):
        record.record_revision(project, str(sketch.asset_id), _painted(layout_file, tmp_path), artist="suzuki-ren")
    folder = project.absolute(sketch.path).parent
    cut_short = folder / ".C012_revise_12345678.png.0a1b2c3d4e5f.part"
    cut_short.write_bytes(PNG_MAGIC[:4])  # killed while writing
    lookalikes = [folder / ".notes.png.abc.part", folder / ".clip.mov.abc.part"]
    lookalikes[0].write_text("someone else's file")
    lookalikes[1].write_bytes(PNG_MAGIC)

    result = cli(project)

    assert result.exit_code == 11
    report = check_project(project)
    found = sorted((project.root / t.path) for t in report.temporaries)
    assert len(found) == 3 and cut_short in found  # the paint-over, its mask, the short one
    assert {Path(t.destination).suffix for t in report.temporaries} == {".png"}
    assert report.orphans == [] and report.rows == []

    fixed = cli(project, "--fix")
    assert fixed.exit_code == 0 and fixed.stdout.count("removed") == 3
    assert not any(path.exists() for path in found)
    assert all(path.exists() for path in lookalikes)
    assert cli(project).exit_code == 0


def test_help_lists_the_exit_codes() -> None:
    result = CliRunner().invoke(main, ["check", "--help"])
    assert result.exit_code == 0
    assert "0  clean" in result.stdout and "6  records-differ" in result.stdout and "11  leftovers" in result.stdout


def test_an_unreadable_file_stops_the_check_before_anything_moves(
    project: Project,
    recorded: tuple[record.RecordedFile, record.RecordedFile],
    layout_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Files older releases wrote 0600 may be unreadable to a teammate: one line, exit 1, nothing changed."""
    sketch, _ = recorded
    temporary = project.absolute(sketch.path).parent / ".C012_revise_12345678.png.0a1b2c3d4e5f.part"
    temporary.write_bytes(PNG_MAGIC)
    locked = project.root / "locked.png"
    shutil.copy(layout_file, locked)
    read_bytes = Path.read_bytes

    def refuse(path: Path) -> bytes:
        if path == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    before = snapshot(project)

    result = cli(project, "--fix")

    assert result.exit_code == 1
    assert (
        result.stderr == f"Error: cannot read {locked} (Permission denied); run the check as someone who can "
        "read every file in the project\n"
    )
    assert snapshot(project) == before and temporary.exists()


def test_a_teammate_who_cannot_read_the_signing_key_can_check(
    project: Project, layout_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The signing key is owner-only; finding orphans needs only the CA certificate."""
    with killed_before_the_commit(monkeypatch, published=True):
        record.record_sketch(project, "harbor/C012", layout_file, artist="tanaka-aiko")
    (project.keys_folder / "signer.key").unlink()
    (project.keys_folder / "studio-ca.key").unlink()

    report = check_project(project)

    assert [orphan.kind for orphan in report.orphans] == ["signed-file"]
