"""Each verdict says exactly one thing: foreign files built with c2pa-python, audited by our audit and CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from provenance import trust
from provenance.audit import audit_file
from provenance.cli import main
from provenance.cli.exit_codes import VERDICT_CODES, audit_code
from provenance.project import Project

from . import foreign_manifests as foreign


@pytest.fixture
def partner(tmp_path: Path) -> foreign.SigningIdentity:
    return foreign.fresh_identity(tmp_path / "partner", "Partner Studio")


def _audit(project: Project, tmp_path: Path, data: bytes, name: str = "file.png"):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_bytes(data)
    return audit_file(project, path)


def test_a_partner_file_is_valid_untrusted_then_trusted(project: Project, tmp_path: Path, partner) -> None:  # type: ignore[no-untyped-def]
    data = foreign.partner_signed(partner)
    report = _audit(project, tmp_path, data)
    assert (report.verdict, audit_code(report)) == ("valid-untrusted", 3)
    trust.add_anchor(project, tmp_path / "partner" / "studio-ca.pem", name="partner")
    reopened = Project.find(project.root)
    report = _audit(reopened, tmp_path, data)
    reopened.close()
    assert report.verdict == "trusted" and report.stages[0].record == "unrecorded"
    assert report.stages[0].origin == "human"


def test_an_untrusted_identity_credential_is_not_tampering(project: Project, tmp_path: Path, partner) -> None:  # type: ignore[no-untyped-def]
    """A trusted partner signed an intact file; only the artist's CAWG credential is unknown here."""
    artist = foreign.fresh_identity(tmp_path / "artist", "An Artist")
    data = foreign.with_identity_assertion(partner, artist)
    trust.add_anchor(project, tmp_path / "partner" / "studio-ca.pem", name="partner")
    reopened = Project.find(project.root)
    report = _audit(reopened, tmp_path, data)
    reopened.close()
    assert (report.verdict, audit_code(report)) == ("valid-untrusted", 3)
    assert [failure.split(":")[0] for failure in report.failures] == ["cawg.x509.credential.untrusted"]


def test_our_own_signature_on_a_file_we_have_no_rows_for_is_records_differ(project: Project, tmp_path: Path) -> None:
    """Signed with this studio's key (here, through another program) but never recorded in this project."""
    report = _audit(project, tmp_path, foreign.human_sketch(project.signing_identity))
    assert (report.verdict, audit_code(report)) == ("records-differ", 6)
    assert any("no recorded asset has this manifest" in problem for problem in report.problems)


def test_a_remote_manifest_is_unverifiable_offline(project: Project, tmp_path: Path, partner) -> None:  # type: ignore[no-untyped-def]
    data, _manifest = foreign.remote_manifest(partner)
    report = _audit(project, tmp_path, data)
    assert (report.verdict, audit_code(report)) == ("unverifiable", 10)
    assert any(failure.startswith("manifest.inaccessible") for failure in report.failures)
    assert foreign.REMOTE_MANIFEST_URL not in report.statement  # the statement is ours, the URL is in failures


@pytest.mark.parametrize("damage", ["unknown_claim_algorithm", "unsupported_signature_algorithm", "prerelease_claim"])
def test_what_cannot_be_checked_here_is_unverifiable_not_tampered(
    project: Project,
    tmp_path: Path,
    partner,
    damage: str,  # type: ignore[no-untyped-def]
) -> None:
    data = getattr(foreign, damage)(foreign.human_sketch(partner))
    report = _audit(project, tmp_path, data)
    assert report.verdict == "unverifiable", report.failures


@pytest.mark.parametrize("damage", ["changed_pixel", "changed_assertion", "changed_signature"])
def test_integrity_failures_are_tampered(project: Project, tmp_path: Path, partner, damage: str) -> None:  # type: ignore[no-untyped-def]
    data = getattr(foreign, damage)(foreign.human_sketch(partner))
    report = _audit(project, tmp_path, data)
    assert (report.verdict, audit_code(report)) == ("tampered", 4), report.failures


def test_a_generative_fill_in_a_later_action_is_ai(project: Project, tmp_path: Path, partner) -> None:  # type: ignore[no-untyped-def]
    data = foreign.composite_ai_edit(partner, foreign.human_sketch(partner))
    report = _audit(project, tmp_path, data)
    assert [stage.origin for stage in report.stages] == ["human", "ai"]
    assert report.stages[-1].ai and report.summary.ai_stages == 1 and report.summary.human_stages == 1
    assert report.stages[-1].source_type == foreign.COMPOSITE_WITH_AI


def test_a_manifest_that_declares_no_source_type_is_undeclared(project: Project, tmp_path: Path, partner) -> None:  # type: ignore[no-untyped-def]
    # c2pa refuses c2pa.created without a source type, but an edit may declare none.
    actions = [{"action": "c2pa.opened", "parameters": {"ingredientIds": ["parent"]}}, {"action": "c2pa.resized"}]
    ingredient = {"title": "scan.png", "relationship": "parentOf", "label": "parent"}
    data = foreign._sign(
        partner,
        foreign._definition("x.png", actions),
        foreign.plain_png(),
        ingredient=(ingredient, foreign.plain_png()),
    )
    report = _audit(project, tmp_path, data)
    assert [(stage.origin, stage.ai) for stage in report.stages] == [("undeclared", False)]
    assert report.summary.undeclared_stages == 1 and report.summary.human_stages == 0
    assert any("declares no digital source type" in note for note in report.notes)


def test_the_cli_exit_code_is_the_verdicts(project: Project, tmp_path: Path, partner) -> None:  # type: ignore[no-untyped-def]
    remote, _ = foreign.remote_manifest(partner)
    (tmp_path / "remote.png").write_bytes(remote)
    result = CliRunner().invoke(main, ["--project", str(project.root), "audit", str(tmp_path / "remote.png")])
    assert result.exit_code == VERDICT_CODES["unverifiable"] == 10, result.output
    assert "UNVERIFIABLE" in result.stdout
