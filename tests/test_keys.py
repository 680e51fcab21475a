"""The studio keys have the profile c2pa-rs accepts, and private keys are owner-only."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from provenance.keys import (
    CA_CERT,
    CA_KEY,
    SIGNER_CERT,
    SIGNER_KEY,
    create_studio_keys,
    load_signing_identity,
)


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
    identity = load_signing_identity(tmp_path)
    assert "PRIVATE KEY" in identity.private_key_pem
    assert identity.certificate_chain_pem.count("BEGIN CERTIFICATE") == 2
