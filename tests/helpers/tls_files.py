"""A test CA and one node certificate signed by it, as PEM files: for the REST layer's HTTPS tests.

The node certificate names its party as gRPC's mutual TLS wants it (common name `<party>`, DNS name
`party-<party>`) and also the addresses HTTPS clients connect to (127.0.0.1 by default).
"""

from __future__ import annotations

import dataclasses
import datetime
import ipaddress
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclasses.dataclass(frozen=True)
class TlsFiles:
    ca: Path
    cert: Path
    key: Path


def _signed(subject: str, issuer: x509.Name | None, public_key: Any, signing_key: ec.EllipticCurvePrivateKey,
            *extensions: tuple[x509.ExtensionType, bool]) -> x509.Certificate:
    """A certificate valid from yesterday for a week; self-signed when `issuer` is None."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(issuer or name).public_key(public_key)
               .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
               .not_valid_after(now + datetime.timedelta(days=7)))
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(signing_key, hashes.SHA256())


def make_tls_files(directory: Path, party: str, addresses: tuple[str, ...] = ("127.0.0.1",)) -> TlsFiles:
    """Write ca.pem, node.pem and node.key into `directory`."""
    ca_key, node_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = _signed("REST test CA", None, ca_key.public_key(), ca_key,
                 (x509.BasicConstraints(ca=True, path_length=0), True))
    names = [x509.DNSName(f"party-{party}"), *(x509.IPAddress(ipaddress.ip_address(a)) for a in addresses)]
    node = _signed(party, ca.subject, node_key.public_key(), ca_key, (x509.SubjectAlternativeName(names), False),
                   (x509.BasicConstraints(ca=False, path_length=None), True))
    files = TlsFiles(directory / "ca.pem", directory / "node.pem", directory / "node.key")
    files.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files.cert.write_bytes(node.public_bytes(serialization.Encoding.PEM))
    files.key.write_bytes(node_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption()))
    return files
