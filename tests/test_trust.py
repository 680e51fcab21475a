"""Partner trust anchors: bundles taken whole, bad certificates refused, nothing touched outside the trust folder."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from PIL import Image

from provenance import catalog, record, trust
from provenance.cli import main
from provenance.errors import ProjectError
from provenance.project import Project

NOW = datetime.now(UTC)


def make_certificate(
    common_name: str,
    *,
    ca: bool = True,
    issuer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None = None,
    not_before: datetime = NOW - timedelta(days=1),
    not_after: datetime = NOW + timedelta(days=3650),
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A partner's certificate, built as provenance/keys.py builds the studio CA: self-signed unless ``issuer``."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, common_name), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Kumo")]
    )
    issuer_certificate, issuer_key = issuer or (None, key)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer_certificate.subject if issuer_certificate else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(issuer_key, hashes.SHA256())
    )
    return certificate, key


def pem(*certificates: x509.Certificate) -> bytes:
    return b"".join(certificate.public_bytes(serialization.Encoding.PEM) for certificate in certificates)


@pytest.fixture
def studio(tmp_path: Path) -> Project:
    project = Project.init(tmp_path / "studio", studio="Test Studio")
    yield project
    project.close()


@pytest.fixture
def kumo(tmp_path: Path) -> tuple[Path, x509.Certificate, x509.Certificate]:
    """A partner's bundle: their root CA and the intermediate CA that issues their signers."""
    root = make_certificate("Kumo Root CA")
    intermediate, _ = make_certificate("Kumo Issuing CA", issuer=root)
    bundle = tmp_path / "kumo-bundle.pem"
    bundle.write_bytes(pem(root[0], intermediate))
    return bundle, root[0], intermediate


def cli(project: Project, *args: str) -> Result:
    return CliRunner().invoke(main, ["--project", str(project.root), *args])


def tree(folder: Path) -> dict[str, bytes | str]:
    """Every entry under ``folder`` (links by target), to show a refused command changed nothing."""
    entries: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        if path.name.endswith(("-wal", "-shm")):
            continue  # SQLite's write-ahead log and its index: they change on every read
        if path.is_symlink():
            entries[name] = f"-> {os.readlink(path)}"
        elif path.is_file():
            entries[name] = path.read_bytes()
    return entries


def assert_one_error_line(result: Result, *phrases: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    for phrase in phrases:
        assert phrase in lines[0]


def test_a_bundle_is_trusted_whole_and_listed_certificate_by_certificate(studio: Project, kumo) -> None:  # type: ignore[no-untyped-def]
    bundle, root, intermediate = kumo
    added = cli(studio, "trust", "add", str(bundle), "--name", "studio-kumo")
    assert added.exit_code == 0, added.output
    assert [line.split(" as ")[0] for line in added.stdout.splitlines()] == [
        "Trusting O=Kumo,CN=Kumo Root CA",
        "Trusting O=Kumo,CN=Kumo Issuing CA",
    ]
    stored = studio.trust_folder / "studio-kumo.pem"
    assert [c.subject for c in x509.load_pem_x509_certificates(stored.read_bytes())] == [
        root.subject,
        intermediate.subject,
    ]

    listed = json.loads(cli(studio, "trust", "list", "--json").stdout)
    assert [(a["name"], a["subject"]) for a in listed] == [
        ("studio-kumo", "O=Kumo,CN=Kumo Root CA"),
        ("studio-kumo", "O=Kumo,CN=Kumo Issuing CA"),
    ]
    assert listed[1]["sha256"] == intermediate.fingerprint(hashes.SHA256()).hex()
    table = cli(studio, "trust", "list").stdout
    assert "O=Kumo,CN=Kumo Root CA" in table and "O=Kumo,CN=Kumo Issuing CA" in table

    # Validation trusts the studio CA and both partner certificates.
    anchors = x509.load_pem_x509_certificates(Project.find(studio.root).trust_anchors.encode())
    assert [a.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value for a in anchors] == [
        "Test Studio Provenance CA",
        "Kumo Root CA",
        "Kumo Issuing CA",
    ]

    removed = cli(studio, "trust", "remove", "studio-kumo")
    assert removed.exit_code == 0 and not stored.exists()
    assert json.loads(cli(studio, "trust", "list", "--json").stdout) == []


def test_the_default_name_comes_from_the_file_name(studio: Project, tmp_path: Path) -> None:
    certificate, _ = make_certificate("Umi CA")
    source = tmp_path / ".Umi Studio CA.pem"
    source.write_bytes(pem(certificate))
    [anchor] = trust.add_anchor(studio, source)
    assert anchor.name == "umi-studio-ca" and (studio.trust_folder / "umi-studio-ca.pem").is_file()


def leaf_after_its_ca() -> bytes:
    root = make_certificate("Kumo Root CA")
    leaf, _ = make_certificate("Kumo Signer", ca=False, issuer=root)
    return pem(root[0], leaf)


def expired() -> bytes:
    return pem(make_certificate("Old CA", not_before=NOW - timedelta(days=400), not_after=NOW - timedelta(days=2))[0])


def not_yet_valid() -> bytes:
    return pem(make_certificate("Future CA", not_before=NOW + timedelta(days=30))[0])


def malformed_second() -> bytes:
    root, _ = make_certificate("Kumo Root CA")
    block = pem(make_certificate("Kumo Issuing CA")[0]).decode().splitlines()
    block[3] = "A" * len(block[3])  # valid base64, damaged DER
    return pem(root) + ("\n".join(block) + "\n").encode()


def private_key_inside() -> bytes:
    certificate, key = make_certificate("Kumo Root CA")
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return pem(certificate) + private


def no_pem() -> bytes:
    return b"not a certificate at all\n"


def cut_short() -> bytes:
    return pem(make_certificate("Cut CA")[0])[:-30]


@pytest.mark.parametrize(
    ("make", "phrases"),
    [
        (leaf_after_its_ca, ["certificate 2 of 2 (O=Kumo,CN=Kumo Signer) is not a CA certificate"]),
        (expired, ["the certificate (O=Kumo,CN=Old CA) expired on", str((NOW - timedelta(days=2)).date())]),
        (
            not_yet_valid,
            ["the certificate (O=Kumo,CN=Future CA) is not valid until", str((NOW + timedelta(days=30)).date())],
        ),
        (malformed_second, ["certificate 2 of 2 is malformed"]),
        (private_key_inside, ["PEM block 2 is a PRIVATE KEY, not a certificate"]),
        (no_pem, ["holds no PEM certificate"]),
        (cut_short, ["cut short"]),
    ],
    ids=lambda value: value.__name__ if callable(value) else None,
)
def test_a_refused_certificate_writes_nothing(
    studio: Project, tmp_path: Path, make: Callable[[], bytes], phrases: list[str]
) -> None:
    good, _ = make_certificate("Kumo Good CA")
    source = tmp_path / "partner.pem"
    source.write_bytes(pem(good))
    assert cli(studio, "trust", "add", str(source), "--name", "earlier").exit_code == 0
    source.write_bytes(make())
    before = tree(tmp_path)
    result = cli(studio, "trust", "add", str(source), "--name", "kumo")
    assert_one_error_line(result, str(source), *phrases)
    assert tree(tmp_path) == before


@pytest.mark.parametrize("name", ["../../x", "../keys/studio-ca", "/tmp/x", ".hidden", "a/b", "", "..", "kumo\n"])
def test_anchor_names_are_plain_names(studio: Project, kumo, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    bundle, _, _ = kumo
    before = tree(tmp_path)
    assert_one_error_line(cli(studio, "trust", "add", str(bundle), "--name", name), "is not an anchor name")
    assert_one_error_line(cli(studio, "trust", "remove", name), "is not an anchor name")
    assert tree(tmp_path) == before
    assert (studio.keys_folder / "studio-ca.pem").is_file()


def test_remove_never_follows_a_link_out_of_the_trust_folder(studio: Project, tmp_path: Path) -> None:
    studio.trust_folder.mkdir()
    (studio.trust_folder / "planted.pem").symlink_to(studio.keys_folder / "studio-ca.pem")
    before = tree(tmp_path)
    assert_one_error_line(cli(studio, "trust", "remove", "planted"), "is a link that leads out of")
    assert tree(tmp_path) == before


def test_add_never_writes_through_a_planted_link(studio: Project, kumo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bundle, _, _ = kumo
    outside = tmp_path / "outside"
    outside.mkdir()
    studio.trust_folder.mkdir()
    (studio.trust_folder / "kumo.pem").symlink_to(outside / "written.pem")  # dangling: would create the file
    before = tree(tmp_path)
    assert_one_error_line(cli(studio, "trust", "add", str(bundle), "--name", "kumo"), "leads out of")
    assert tree(tmp_path) == before and not (outside / "written.pem").exists()


def test_a_trust_folder_that_is_a_link_out_of_the_project_is_refused(studio: Project, kumo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bundle, _, _ = kumo
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    studio.trust_folder.symlink_to(outside)
    assert_one_error_line(cli(studio, "trust", "add", str(bundle), "--name", "kumo"), "leads outside the project")
    assert list(outside.iterdir()) == []


def test_an_existing_name_is_not_overwritten(studio: Project, kumo) -> None:  # type: ignore[no-untyped-def]
    bundle, _, _ = kumo
    assert cli(studio, "trust", "add", str(bundle), "--name", "kumo").exit_code == 0
    stored = (studio.trust_folder / "kumo.pem").read_bytes()
    assert_one_error_line(cli(studio, "trust", "add", str(bundle), "--name", "kumo"), "an anchor named 'kumo' exists")
    assert (studio.trust_folder / "kumo.pem").read_bytes() == stored


def test_a_damaged_anchor_file_is_named_by_list_and_stops_validation(studio: Project, kumo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bundle, _, _ = kumo
    assert cli(studio, "trust", "add", str(bundle), "--name", "kumo").exit_code == 0
    broken = studio.trust_folder / "broken.pem"
    broken.write_text("-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n")

    listed = cli(studio, "trust", "list", "--json")
    assert listed.exit_code == 0
    assert listed.stderr.splitlines() == [
        f"Warning: {broken}: the certificate is malformed; `provenance trust remove broken` drops it"
    ]
    assert [a["name"] for a in json.loads(listed.stdout)] == ["kumo", "kumo"]

    # An audit must not quietly trust less than the user asked for: it stops, naming the file.
    Image.new("RGB", (8, 8)).save(tmp_path / "plain.png")
    assert_one_error_line(cli(studio, "audit", str(tmp_path / "plain.png")), str(broken), "trust remove broken")
    with pytest.raises(ProjectError, match="broken.pem"):
        _ = Project.find(studio.root).trust_anchors

    assert cli(studio, "trust", "remove", "broken").exit_code == 0
    assert cli(studio, "audit", str(tmp_path / "plain.png")).exit_code == 5  # unknown, no longer an error


def test_export_gives_only_the_studio_ca(studio: Project, kumo) -> None:  # type: ignore[no-untyped-def]
    bundle, _, _ = kumo
    trust.add_anchor(studio, bundle, name="kumo")
    exported = cli(studio, "trust", "export").stdout
    assert exported == (studio.keys_folder / "studio-ca.pem").read_text()


def test_a_partners_file_audits_trusted_through_a_bundle(studio: Project, tmp_path: Path) -> None:
    """c2pa validates against every certificate of a stored bundle, not only the first."""
    partner = Project.init(tmp_path / "partner", studio="Partner Studio")
    catalog.add_person(partner, "Mori Aya")
    catalog.add_production(partner, "Harbor Lights", handle="harbor")
    catalog.add_background(partner, "harbor", "C001")
    layout = tmp_path / "layout.png"
    Image.new("RGB", (64, 36), "teal").save(layout)
    sketch = record.record_sketch(partner, "harbor/C001", layout, artist="mori-aya")
    signed = partner.absolute(sketch.path)
    partner.close()
    assert cli(studio, "audit", str(signed), "--json").exit_code == 3  # valid-untrusted

    bundle = tmp_path / "partner-bundle.pem"
    unrelated, _ = make_certificate("Unrelated CA")
    bundle.write_bytes(pem(unrelated) + (partner.keys_folder / "studio-ca.pem").read_bytes())
    assert cli(studio, "trust", "add", str(bundle), "--name", "partner").exit_code == 0
    audited = cli(studio, "audit", str(signed), "--json")
    assert audited.exit_code == 0 and json.loads(audited.stdout)["verdict"] == "trusted"
