"""The studio's signing identity: a CA of its own and an ES256 leaf certificate that c2pa-rs accepts.

c2pa-rs refuses a self-signed signer, so the studio gets a CA, and the CA issues the leaf with the profile
in DESIGN.md: X.509 v3, ECDSA P-256, digitalSignature, an authority key identifier, and the
emailProtection extended key usage. There is no timestamp authority to reach offline, so the leaf is
checked against the current time: it is issued for ten years.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .errors import ProjectError

CA_CERT = "studio-ca.pem"
CA_KEY = "studio-ca.key"
SIGNER_CERT = "signer.pem"
SIGNER_KEY = "signer.key"

_CA_YEARS = 20
_LEAF_YEARS = 10


@dataclass(frozen=True)
class SigningIdentity:
    """What the manifests layer needs to sign and to trust: PEM text, never files."""

    certificate_chain_pem: str
    private_key_pem: str
    trust_anchors_pem: str


def create_studio_keys(folder: Path, studio: str) -> None:
    """Write a new studio CA and signing certificate into ``folder`` (private keys owner-only)."""
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC) - timedelta(minutes=5)

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name(f"{studio} Provenance CA", studio)
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=365 * _CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf_cert = (
        x509.CertificateBuilder()
        .subject_name(_name(f"{studio} background department", studio))
        .issuer_name(ca_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=365 * _LEAF_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    _write_private(folder / CA_KEY, _private_pem(ca_key))
    _write_private(folder / SIGNER_KEY, _private_pem(leaf_key))
    (folder / CA_CERT).write_bytes(_cert_pem(ca_cert))
    # The signer presents its whole chain so a validator can walk to the anchor.
    (folder / SIGNER_CERT).write_bytes(_cert_pem(leaf_cert) + _cert_pem(ca_cert))


def load_signing_identity(folder: Path) -> SigningIdentity:
    try:
        return SigningIdentity(
            certificate_chain_pem=(folder / SIGNER_CERT).read_text(),
            private_key_pem=(folder / SIGNER_KEY).read_text(),
            trust_anchors_pem=(folder / CA_CERT).read_text(),
        )
    except OSError as exc:
        raise ProjectError(
            f"the studio keys in {folder} cannot be read ({exc.strerror}); restore them from backup"
        ) from None


def sign_detached(identity: SigningIdentity, data: bytes) -> bytes:
    """An ECDSA P-256 / SHA-256 signature of ``data`` with the studio signing key."""
    key = serialization.load_pem_private_key(identity.private_key_pem.encode(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key.sign(data, ec.ECDSA(hashes.SHA256()))


def verify_detached(certificate_chain_pem: str, trust_anchors_pem: str, data: bytes, signature: bytes) -> bool:
    """True when ``signature`` over ``data`` was made by the chain's leaf and the leaf was issued by an anchor."""
    try:
        leaf = x509.load_pem_x509_certificates(certificate_chain_pem.encode())[0]
        anchors = x509.load_pem_x509_certificates(trust_anchors_pem.encode())
        leaf_key = leaf.public_key()
        assert isinstance(leaf_key, ec.EllipticCurvePublicKey)
        leaf_key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        return any(_issued_by(leaf, anchor) for anchor in anchors)
    except (InvalidSignature, ValueError, AssertionError):
        return False


def _issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        certificate.verify_directly_issued_by(issuer)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def _name(common_name: str, organization: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
        ]
    )


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _private_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _write_private(path: Path, data: bytes) -> None:
    # Created owner-only from the start, so the key is never readable by others, even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
