"""A studio's set-up: the CA key kept apart, one signing identity per workstation, revocation in the store.

On SQLite and on a real PostgreSQL server. Files a workstation signs validate as Trusted with c2pa's own
Reader when the studio CA is the only anchor, audit trusted with the workstation named, and stop auditing
trusted once its identity is revoked.
"""

from __future__ import annotations

import io
import json
import shutil
import stat
from pathlib import Path

import c2pa
import pytest
from click.testing import CliRunner, Result

from provenance import catalog, record
from provenance.audit import audit_file
from provenance.cli import main
from provenance.errors import AlreadyExistsError, NotFoundError, ProjectError
from provenance.keys import CA_KEY, SIGNER_KEY, create_studio_keys
from provenance.project import Project
from provenance.signers import issue_signer, list_signers, revoke_signer


def run(*args: str, code: int = 0) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == code, f"{args}: {result.output}{result.stderr}"
    return result


def reader_state(path: Path, anchors: str) -> tuple[str, list[str]]:
    """c2pa's own verdict on a file, trusting ``anchors`` only; and the signers' common names."""
    context = c2pa.Context.from_dict(
        {"trust": {"user_anchors": anchors}, "verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}
    )
    with c2pa.Reader("image/png", io.BytesIO(path.read_bytes()), context=context) as reader:
        store = json.loads(reader.json())
        state = reader.get_validation_state() or ""
    return state, sorted(m["signature_info"]["common_name"] for m in store["manifests"].values())


@pytest.fixture
def studio(tmp_path: Path, database_url: str | None) -> Path:
    """A studio's shared folder made by init --ca-key, with people and a background; the CA key beside it."""
    shared = tmp_path / "shared"
    run("--project", str(shared), "init", "--studio", "Harbor Studio", "--ca-key", str(tmp_path / "ca" / "ca.key"),
        *(["--db", database_url] if database_url else []))  # fmt: skip
    project = Project.find(shared)
    catalog.add_person(project, "Tanaka Aiko")
    catalog.add_person(project, "Suzuki Ren")
    catalog.add_production(project, "Harbor Lights", handle="harbor")
    catalog.add_background(project, "harbor", "C012")
    project.close()
    return shared


def test_workstations_sign_with_their_own_keys_and_the_audit_names_them(
    studio: Path, tmp_path: Path, layout_file: Path
) -> None:
    ca_key = tmp_path / "ca" / "ca.key"
    assert stat.S_IMODE(ca_key.stat().st_mode) == 0o600
    # The shared folder holds the CA certificate and nothing private.
    assert sorted(p.name for p in (studio / ".provenance" / "keys").iterdir()) == ["studio-ca.pem"]

    shared = Project.find(studio)
    with pytest.raises(ProjectError, match="this workstation has no signing identity"):
        record.record_sketch(shared, "harbor/C012", layout_file, artist="tanaka-aiko")
    shared.close()

    issued = run("--project", str(studio), "keys", "issue", "bg-01", "--ca-key", str(ca_key),
                 "-o", str(tmp_path / "bg-01")).stdout  # fmt: skip
    assert f"Private key (0600, for bg-01 only): {tmp_path / 'bg-01' / SIGNER_KEY}" in issued
    assert stat.S_IMODE((tmp_path / "bg-01" / SIGNER_KEY).stat().st_mode) == 0o600
    assert sorted(p.name for p in (tmp_path / "bg-01").iterdir()) == ["signer.key", "signer.pem"]
    shared = Project.find(studio)
    issue_signer(shared, "bg-02", ca_key=ca_key, output=tmp_path / "bg-02")
    shared.close()

    first = Project.find(studio, identity=tmp_path / "bg-01")
    sketch = record.record_sketch(first, "harbor/C012", layout_file, artist="tanaka-aiko")
    first.close()
    second = Project.find(studio, identity=tmp_path / "bg-02")
    final = record.record_revision(second, str(sketch.asset_id), layout_file, artist="suzuki-ren")
    anchor = second.studio_anchor
    assert [s.this_machine for s in list_signers(second)] == [False, True]
    second.close()

    # The standard's own reader trusts the chain with the studio CA as the only anchor.
    assert reader_state(studio / final.path, anchor) == ("Trusted", ["bg-01", "bg-02"])

    # Mounted elsewhere on another machine: the records are relative to the asset root.
    mounted = tmp_path / "elsewhere" / "studio-share"
    mounted.parent.mkdir()
    shutil.move(studio, mounted)
    reader = Project.find(mounted)
    report = audit_file(reader, mounted / final.path)
    assert report.verdict == "trusted", report.problems
    assert [stage.signer for stage in report.stages] == ["bg-01", "bg-02"]
    reader.close()


def test_a_revoked_workstation_signs_nothing_more_and_its_files_are_not_trusted(
    studio: Path, tmp_path: Path, layout_file: Path
) -> None:
    ca_key = tmp_path / "ca" / "ca.key"
    shared = Project.find(studio)
    issue_signer(shared, "bg-01", ca_key=ca_key, output=tmp_path / "bg-01")
    issue_signer(shared, "bg-02", ca_key=ca_key, output=tmp_path / "bg-02")
    shared.close()
    first = Project.find(studio, identity=tmp_path / "bg-01")
    sketch = record.record_sketch(first, "harbor/C012", layout_file, artist="tanaka-aiko")
    first.close()
    second = Project.find(studio, identity=tmp_path / "bg-02")
    final = record.record_revision(second, str(sketch.asset_id), layout_file, artist="suzuki-ren")
    own = record.record_sketch(second, "harbor/C012", layout_file, artist="suzuki-ren")
    second.close()

    revoked = run("--project", str(studio), "keys", "revoke", "bg-01", "--reason", "laptop stolen")
    assert revoked.stdout.startswith("Revoked bg-01 at ")
    assert "already revoked" in run("--project", str(studio), "keys", "revoke", "bg-01", code=1).stderr

    shared = Project.find(studio)
    for path in (sketch.path, final.path):  # the revoked key's file, and a later file built on it
        report = audit_file(shared, studio / path)
        assert report.verdict == "valid-untrusted" and not report.trusted
        assert any("workstation bg-01, whose key was revoked on" in note and "(laptop stolen)" in note
                   and "without a timestamp authority" in note for note in report.notes)  # fmt: skip
    assert audit_file(shared, studio / own.path).verdict == "trusted"  # bg-02's own work stands
    assert "with a revoked key" in run("--project", str(studio), "audit", str(studio / sketch.path), code=3).stdout
    states = {s.name: s.state for s in list_signers(shared)}
    assert states == {"bg-01": "revoked", "bg-02": "active"}
    listed = json.loads(run("--project", str(studio), "keys", "list", "--json").stdout)
    assert [(s["name"], s["state"], s["revocation_reason"]) for s in listed] == [
        ("bg-01", "revoked", "laptop stolen"), ("bg-02", "active", None),
    ]  # fmt: skip
    with pytest.raises(NotFoundError, match="no signing identity named 'bg-09'"):
        revoke_signer(shared, "bg-09")
    with pytest.raises(AlreadyExistsError, match="an identity named 'bg-01' exists"):
        issue_signer(shared, "bg-01", ca_key=ca_key, output=tmp_path / "again")
    shared.close()

    refused = Project.find(studio, identity=tmp_path / "bg-01")
    with pytest.raises(ProjectError, match="signing identity 'bg-01' was revoked"):
        record.record_sketch(refused, "harbor/C012", layout_file, artist="tanaka-aiko")
    refused.close()


def test_identities_from_elsewhere_and_wrong_ca_keys_are_refused(
    studio: Path, tmp_path: Path, layout_file: Path
) -> None:
    other = tmp_path / "other-studio"
    create_studio_keys(other, "Other Studio")
    shared = Project.find(studio)
    with pytest.raises(ProjectError, match="is not the private key of this project's studio CA"):
        issue_signer(shared, "bg-03", ca_key=other / CA_KEY, output=tmp_path / "bg-03")
    assert not (tmp_path / "bg-03").exists()
    shared.close()
    foreign = Project.find(studio, identity=other)
    with pytest.raises(ProjectError, match="was not issued by this project's studio CA"):
        record.record_sketch(foreign, "harbor/C012", layout_file, artist="tanaka-aiko")
    foreign.close()
    result = run("--project", str(tmp_path / "again"), "init", "--ca-key", str(tmp_path / "again" / "ca.key"), code=1)
    assert "is inside the project folder, which workstations share" in result.stderr
    assert not (tmp_path / "again" / ".provenance").exists()
