"""The studio's signing identity: a CA of its own and an ES256 leaf certificate that c2pa-rs accepts.

c2pa-rs refuses a self-signed signer, so the studio gets a CA, and the CA issues the leaf with the profile
in DESIGN.md: X.509 v3, ECDSA P-256, digitalSignature, an authority key identifier, and the
emailProtection extended key usage. There is no timestamp authority to reach offline, so the leaf is
checked against the current time: it is issued for ten years.
"""

from __future__ import annotations

import os
import shlex
import stat
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import (
    CertificatePublicKeyTypes,
    PrivateKeyTypes,
    PublicKeyTypes,
)
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .errors import InvalidValueError, ProjectError

CA_CERT = "studio-ca.pem"
CA_KEY = "studio-ca.key"
SIGNER_CERT = "signer.pem"
SIGNER_KEY = "signer.key"

_CA_YEARS = 20
_LEAF_YEARS = 10
# Certificate common names hold at most 64 characters (RFC 5280's ub-common-name; cryptography enforces it),
# and the longest one here is the studio's name followed by this.
_LEAF_SUFFIX = " background department"
MAX_STUDIO_NAME = 64 - len(_LEAF_SUFFIX)


@dataclass(frozen=True)
class SigningIdentity:
    """What the manifests layer needs to sign: the key and chain as PEM text, and the anchors its
    ingredient checks trust. Made only by :func:`load_signing_identity`, which has checked the key."""

    certificate_chain_pem: str
    private_key_pem: str
    trust_anchors_pem: str
    private_key: ec.EllipticCurvePrivateKey = field(repr=False, compare=False)


def create_studio_keys(folder: Path, studio: str, *, ca_key_path: Path | None = None) -> None:
    """Write a new studio CA and signing certificate into ``folder`` (private keys owner-only).

    With ``ca_key_path`` the CA's private key goes there instead (a place off the shared folder, where the
    studio keeps it) and no signing key is made: each workstation gets its own (:func:`issue_identity`).
    """
    if len(studio) > MAX_STUDIO_NAME:
        raise InvalidValueError(
            f"studio name {studio!r} is {len(studio)} characters, longer than the {MAX_STUDIO_NAME} its certificates "
            "can hold; give a shorter {option:studio} (the full name can go in `production add --studio`)"
        )
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
    if ca_key_path is not None:
        _write_private(ca_key_path, _private_pem(ca_key))
        (folder / CA_CERT).write_bytes(_cert_pem(ca_cert))
        return
    leaf_key, leaf_cert = _issue_leaf(ca_key, ca_cert, f"{studio}{_LEAF_SUFFIX}")
    _write_private(folder / CA_KEY, _private_pem(ca_key))
    _write_private(folder / SIGNER_KEY, _private_pem(leaf_key))
    (folder / CA_CERT).write_bytes(_cert_pem(ca_cert))
    # The signer presents its whole chain so a validator can walk to the anchor.
    (folder / SIGNER_CERT).write_bytes(_cert_pem(leaf_cert) + _cert_pem(ca_cert))


def _issue_leaf(
    ca_key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate, common_name: str
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A new ES256 signing key and its certificate under the CA, with the profile c2pa-rs accepts."""
    now = datetime.now(UTC) - timedelta(minutes=5)
    organization = ca_cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf_cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, str(organization[0].value) if organization else common_name))
        .issuer_name(ca_cert.subject)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(min(now + timedelta(days=365 * _LEAF_YEARS), ca_cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return leaf_key, leaf_cert


@dataclass(frozen=True)
class CertificateFacts:
    """What the store keeps of a signing certificate; ``serial`` in decimal, as c2pa's Reader reports it."""

    serial: str
    subject: str
    fingerprint: str
    not_after: datetime


def certificate_facts(certificate: x509.Certificate) -> CertificateFacts:
    return CertificateFacts(
        serial=str(certificate.serial_number),
        subject=certificate.subject.rfc4514_string(),
        fingerprint=certificate.fingerprint(hashes.SHA256()).hex(),
        not_after=certificate.not_valid_after_utc,
    )


def signer_certificate(folder: Path) -> x509.Certificate | None:
    """The leaf certificate of the signing chain in ``folder``; None when the folder holds none."""
    try:
        return x509.load_pem_x509_certificates((folder / SIGNER_CERT).read_bytes())[0]
    except (OSError, ValueError, IndexError):
        return None


def issue_identity(ca_key_path: Path, ca_cert_pem: str, common_name: str, output: Path) -> CertificateFacts:
    """A workstation's signing identity under the studio CA: ``output/signer.key`` (0600) and ``signer.pem``.

    ``output`` must not exist yet; the CA's private key is read from ``ca_key_path`` and checked against
    the studio CA certificate first.

    >>> issue_identity(Path("~/ca/studio-ca.key"), project.studio_anchor, "bg-01", Path("bg-01"))  # doctest: +SKIP
    CertificateFacts(serial='2755...', subject='CN=bg-01,O=Harbor Studio', ...)
    """
    ca_cert = x509.load_pem_x509_certificates(ca_cert_pem.encode())[0]
    ca_key = _load_ca_key(ca_key_path, ca_cert)
    leaf_key, leaf_cert = _issue_leaf(ca_key, ca_cert, common_name)
    try:
        output.mkdir(mode=0o700, parents=True)
    except FileExistsError as exc:
        raise ProjectError(f"{output} already exists; give a new folder for the identity") from exc
    except OSError as exc:
        raise ProjectError(f"cannot create {output} ({exc.strerror}); give a writable folder") from exc
    _write_private(output / SIGNER_KEY, _private_pem(leaf_key))
    (output / SIGNER_CERT).write_bytes(_cert_pem(leaf_cert) + _cert_pem(ca_cert))
    return certificate_facts(leaf_cert)


def _load_ca_key(path: Path, ca_cert: x509.Certificate) -> ec.EllipticCurvePrivateKey:
    try:
        pem = path.read_bytes()
    except OSError as exc:
        raise ProjectError(
            f"the studio CA key {path} cannot be read ({exc.strerror}); run this where the studio keeps it, "
            "with {option:ca_key} naming it"
        ) from exc
    key = _parse_private_key(pem, path)
    if _public_bytes(key.public_key()) != _public_bytes(ca_cert.public_key()):
        raise ProjectError(f"{path} is not the private key of this project's studio CA; give the studio CA's key")
    return key


def load_studio_ca_pem(folder: Path) -> str:
    """The studio CA certificate (PEM) from the keys folder: all an audit needs, no private key."""
    path = folder / CA_CERT
    try:
        pem = path.read_bytes()
    except OSError as exc:
        raise ProjectError(
            f"the studio CA certificate {path} cannot be read ({exc.strerror}); restore it from backup"
        ) from exc
    try:
        certificates = x509.load_pem_x509_certificates(pem)
    except ValueError as exc:
        raise ProjectError(f"the studio CA certificate {path} is damaged; restore it from backup") from exc
    return "".join(_cert_pem(certificate).decode() for certificate in certificates)


def load_signing_identity(folder: Path, trust_anchors_pem: str) -> SigningIdentity:
    """The studio's signing key and chain, checked before anything is signed with them.

    Refuses, with one line each: a key file others may read, a damaged or encrypted key, a key that is
    not ECDSA P-256 (c2pa signs ES256 here), a damaged chain, and a key that is not the chain's leaf's.

    >>> load_signing_identity(project.keys_folder, project.trust_anchors).certificate_chain_pem  # doctest: +SKIP
    '-----BEGIN CERTIFICATE-----...'
    """
    key_path = folder / SIGNER_KEY
    chain_path = folder / SIGNER_CERT
    try:
        mode = key_path.stat().st_mode
        if mode & 0o077:
            raise ProjectError(
                f"the signing key {key_path} is open to other users (mode {stat.S_IMODE(mode):o}); "
                f"run `chmod 600 {shlex.quote(str(key_path))}` and try again"
            )
        key_pem = key_path.read_bytes()
        chain_pem = chain_path.read_bytes()
    except OSError as exc:
        raise ProjectError(
            f"the studio key file {exc.filename} cannot be read ({exc.strerror}); restore the keys from backup"
        ) from exc
    key = _parse_private_key(key_pem, key_path)
    try:
        chain = x509.load_pem_x509_certificates(chain_pem)
    except ValueError as exc:
        raise ProjectError(f"the signing certificate {chain_path} is damaged; restore it from backup") from exc
    if _public_bytes(chain[0].public_key()) != _public_bytes(key.public_key()):
        raise ProjectError(
            f"the signing key {key_path} does not belong to the certificate {chain_path}; "
            "restore both from the same backup"
        )
    return SigningIdentity(
        certificate_chain_pem="".join(_cert_pem(certificate).decode() for certificate in chain),
        # Re-encoded as PKCS#8, the form c2pa reads, whatever PEM form the file holds.
        private_key_pem=_private_pem(key).decode(),
        trust_anchors_pem=trust_anchors_pem,
        private_key=key,
    )


def sign_detached(identity: SigningIdentity, data: bytes) -> bytes:
    """An ECDSA P-256 / SHA-256 signature of ``data`` with the studio signing key."""
    return identity.private_key.sign(data, ec.ECDSA(hashes.SHA256()))


def _parse_private_key(pem: bytes, path: Path) -> ec.EllipticCurvePrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except TypeError as exc:
        # cryptography raises TypeError for an encrypted key read without a password.
        raise ProjectError(
            f"the signing key {path} is encrypted; provenance needs it unencrypted and owner-only (chmod 600)"
        ) from exc
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise ProjectError(f"the signing key {path} is not a readable PEM private key; restore it from backup") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ProjectError(
            f"the signing key {path} is {_describe_key(key)}, not ECDSA P-256; c2pa signing here needs ES256 keys"
        )
    return key


def _describe_key(key: PrivateKeyTypes) -> str:
    if isinstance(key, rsa.RSAPrivateKey):
        return f"an RSA-{key.key_size} key"
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return f"an ECDSA {key.curve.name} key"
    kind = type(key).__name__.removesuffix("PrivateKey")
    return f"{'an' if kind[:1] in 'AEIOU' else 'a'} {kind} key"


def _public_bytes(key: PublicKeyTypes | CertificatePublicKeyTypes) -> bytes:
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def verify_detached(certificate_chain_pem: str, trust_anchors_pem: str, data: bytes, signature: bytes) -> bool:
    """True when ``signature`` over ``data`` was made by the chain's leaf and the leaf was issued by an anchor."""
    try:
        leaf = x509.load_pem_x509_certificates(certificate_chain_pem.encode())[0]
        anchors = x509.load_pem_x509_certificates(trust_anchors_pem.encode())
        leaf_key = leaf.public_key()
        assert isinstance(leaf_key, ec.EllipticCurvePublicKey)
        leaf_key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        return any(issued_by(leaf, anchor) for anchor in anchors)
    except (InvalidSignature, ValueError, AssertionError):
        return False


def chain_issued_by(certificate_chain_pem: str, anchors_pem: str) -> bool:
    """True when the chain's leaf was issued directly by one of the anchors (the studio CA)."""
    leaf = x509.load_pem_x509_certificates(certificate_chain_pem.encode())[0]
    return any(issued_by(leaf, anchor) for anchor in x509.load_pem_x509_certificates(anchors_pem.encode()))


def issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
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
