"""The studio keys have the profile c2pa-rs accepts, private keys are owner-only, and a bad key is one line."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID

from provenance import engine, record
from provenance.cli import main
from provenance.errors import ProjectError
from provenance.keys import (
    CA_CERT,
    CA_KEY,
    SIGNER_CERT,
    SIGNER_KEY,
    create_studio_keys,
    load_signing_identity,
    load_studio_ca_pem,
)
from provenance.project import Project

from .conftest import snapshot


def test_signer_profile(tmp_path: Path) -> None:
    create_studio_keys(tmp_path, "Harbor Studio")
    leaf, ca = x509.load_pem_x509_certificates((tmp_path / SIGNER_CERT).read_bytes())
    assert ca.subject == x509.load_pem_x509_certificate((tmp_path / CA_CERT).read_bytes()).subject
    assert leaf.issuer == ca.subject and leaf.subject != ca.subject  # not self-signed
    assert leaf.version == x509.Version.v3
    assert isinstance(leaf.public_key(), ec.EllipticCurvePublicKey)
    assert leaf.public_key().curve.name == "secp256r1"
    assert leaf.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature
    usages = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in usages
    assert leaf.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)
    assert not leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert (leaf.not_valid_after_utc - leaf.not_valid_before_utc).days >= 3650


def test_private_keys_are_owner_only_and_load(tmp_path: Path) -> None:
    create_studio_keys(tmp_path, "Harbor Studio")
    for name in (CA_KEY, SIGNER_KEY):
        assert os.stat(tmp_path / name).st_mode & 0o777 == 0o600
    identity = load_signing_identity(tmp_path, load_studio_ca_pem(tmp_path))
    assert "PRIVATE KEY" in identity.private_key_pem
    assert identity.certificate_chain_pem.count("BEGIN CERTIFICATE") == 2
    assert identity.trust_anchors_pem == (tmp_path / CA_CERT).read_text()


# --- checking the signing key before anything is signed ------------------------------------------


def _pem_key(key: PrivateKeyTypes, encryption: serialization.KeySerializationEncryption | None = None) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption or serialization.NoEncryption()
    )


def _replace_key(folder: Path, data: bytes) -> None:
    (folder / SIGNER_KEY).write_bytes(data)
    os.chmod(folder / SIGNER_KEY, 0o600)


def open_to_the_group(folder: Path) -> str:
    os.chmod(folder / SIGNER_KEY, 0o640)
    return f"is open to other users (mode 640); run `chmod 600 {folder / SIGNER_KEY}` and try again"


def corrupt(folder: Path) -> str:
    # A freshly generated key's PEM armour around a body that is not a key: damage, not another format.
    armour = _pem_key(ec.generate_private_key(ec.SECP256R1())).splitlines()
    _replace_key(folder, b"\n".join([armour[0], b"broken", armour[-1], b""]))
    return "is not a readable PEM private key; restore it from backup"


def rsa_key(folder: Path) -> str:
    _replace_key(folder, _pem_key(rsa.generate_private_key(public_exponent=65537, key_size=2048)))
    return "is an RSA-2048 key, not ECDSA P-256"


def p384_key(folder: Path) -> str:
    _replace_key(folder, _pem_key(ec.generate_private_key(ec.SECP384R1())))
    return "is an ECDSA secp384r1 key, not ECDSA P-256"


def ed25519_key(folder: Path) -> str:
    _replace_key(folder, _pem_key(ed25519.Ed25519PrivateKey.generate()))
    return "is an Ed25519 key, not ECDSA P-256"


def encrypted(folder: Path) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    _replace_key(folder, _pem_key(key, serialization.BestAvailableEncryption(b"secret")))
    return "is encrypted; provenance needs it unencrypted"


def another_studios_key(folder: Path) -> str:
    _replace_key(folder, _pem_key(ec.generate_private_key(ec.SECP256R1())))
    return f"does not belong to the certificate {folder / SIGNER_CERT}"


def damaged_chain(folder: Path) -> str:
    (folder / SIGNER_CERT).write_text("-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n")
    return f"the signing certificate {folder / SIGNER_CERT} is damaged"


KEY_PROBLEMS = [
    open_to_the_group,
    corrupt,
    rsa_key,
    p384_key,
    ed25519_key,
    encrypted,
    another_studios_key,
    damaged_chain,
]


@pytest.mark.parametrize("spoil", KEY_PROBLEMS, ids=lambda spoil: spoil.__name__)
def test_a_bad_signing_key_is_one_line_and_records_nothing(
    project: Project, layout_file: Path, spoil: Callable[[Path], str]
) -> None:
    expected = spoil(project.keys_folder)
    with pytest.raises(ProjectError) as raised:
        load_signing_identity(project.keys_folder, project.trust_anchors)
    assert expected in str(raised.value) and "\n" not in str(raised.value)

    before = snapshot(project)
    result = CliRunner().invoke(
        main,
        ["--project", str(project.root), "sketch", "harbor/C012", str(layout_file), "--artist", "tanaka-aiko"],
    )
    assert result.exit_code == 1, result.output
    [line] = result.stderr.splitlines()
    assert line.startswith("Error: the signing") and expected in line
    assert snapshot(project) == before


def test_a_bad_key_stops_a_generation_before_it_runs(
    project: Project, layout_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sketch = record.record_sketch(project, "harbor/C012", layout_file, artist="tanaka-aiko")
    expected = rsa_key(project.keys_folder)
    generations: list[object] = []
    monkeypatch.setattr(engine, "generate", lambda *args, **kwargs: generations.append(args))
    before = snapshot(project)
    result = CliRunner().invoke(
        main,
        ["--project", str(project.root), "generate", str(sketch.asset_id), "--prompt", "x", "--operator", "sato-ken"],
    )
    assert result.exit_code == 1 and expected in result.stderr and len(result.stderr.splitlines()) == 1
    assert generations == [] and snapshot(project) == before


def test_an_audit_needs_only_the_ca_certificate(project: Project, layout_file: Path) -> None:
    """A reviewer's copy of the project holds no private key; its audits still trust the studio's files."""
    sketch = record.record_sketch(project, "harbor/C012", layout_file, artist="tanaka-aiko")
    project.close()
    for name in (SIGNER_KEY, CA_KEY):
        (project.keys_folder / name).unlink()

    result = CliRunner().invoke(
        main, ["--project", str(project.root), "audit", str(project.absolute(sketch.path)), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["verdict"] == "trusted"

    # Signing still needs the key, and says which file is missing.
    signing = CliRunner().invoke(
        main,
        ["--project", str(project.root), "sketch", "harbor/C012", str(layout_file), "--artist", "tanaka-aiko"],
    )
    assert signing.exit_code == 1
    [line] = signing.stderr.splitlines()
    assert f"{project.keys_folder / SIGNER_KEY} cannot be read (No such file or directory)" in line
