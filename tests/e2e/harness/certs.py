"""Per-session certificates made with the openssl command line: a private CA with a leaf for
langboard.internal, one for a wrong name and a 3-day one, and a self-signed leaf for
langboard.internal."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

SERVER_NAME = "langboard.internal"
WRONG_NAME = "wrong.internal"


@dataclass(frozen=True)
class KeyPair:
    cert: Path
    key: Path


@dataclass(frozen=True)
class PKI:
    ca: Path
    #: Issued by `ca` for DNS:langboard.internal (no IP address: dialling 127.0.0.1 needs
    #: tls_server_name).
    ca_leaf: KeyPair
    #: Issued by `ca` for DNS:wrong.internal only.
    wrong_leaf: KeyPair
    #: Self-signed, DNS:langboard.internal.
    self_signed: KeyPair
    #: Issued by `ca` for DNS:langboard.internal, valid for 3 days only (health: expiring soon).
    short_lived: KeyPair


def _openssl(*args: str, cwd: Path) -> None:
    result = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)} failed: {result.stderr}")


_EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]


def _leaf(directory: Path, name: str, dns: str, ca: Path, ca_key: Path, days: int = 2) -> KeyPair:
    key, csr, cert, ext = (directory / f"{name}{suffix}" for suffix in (".key", ".csr", ".pem", ".ext"))
    ext.write_text(
        f"subjectAltName=DNS:{dns}\n"
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\n"
    )
    _openssl("req", *_EC, "-keyout", key.name, "-out", csr.name, "-subj", f"/CN={dns}", cwd=directory)
    _openssl("x509", "-req", "-in", csr.name, "-CA", ca.name, "-CAkey", ca_key.name, "-CAcreateserial",
             "-out", cert.name, "-days", str(days), "-sha256", "-extfile", ext.name, cwd=directory)
    return KeyPair(cert, key)


def make_pki(directory: Path) -> PKI:
    directory.mkdir(parents=True, exist_ok=True)
    ca, ca_key = directory / "ca.pem", directory / "ca.key"
    _openssl("req", "-x509", *_EC, "-keyout", ca_key.name, "-out", ca.name, "-days", "2", "-sha256",
             "-subj", "/CN=FractalOps e2e private CA",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=directory)
    ca_leaf = _leaf(directory, "langboard", SERVER_NAME, ca, ca_key)
    wrong_leaf = _leaf(directory, "wrong", WRONG_NAME, ca, ca_key)
    self_cert, self_key = directory / "self-signed.pem", directory / "self-signed.key"
    _openssl("req", "-x509", *_EC, "-keyout", self_key.name, "-out", self_cert.name, "-days", "2", "-sha256",
             "-subj", f"/CN={SERVER_NAME}", "-addext", f"subjectAltName=DNS:{SERVER_NAME}",
             "-addext", "basicConstraints=critical,CA:FALSE", cwd=directory)
    short_lived = _leaf(directory, "short-lived", SERVER_NAME, ca, ca_key, days=3)
    return PKI(ca=ca, ca_leaf=ca_leaf, wrong_leaf=wrong_leaf, self_signed=KeyPair(self_cert, self_key),
               short_lived=short_lived)


def issue_leaf(pki: PKI, name: str, dns: str = SERVER_NAME, days: int = 2) -> KeyPair:
    """Another leaf of the session's private CA (e.g. a rotated server certificate)."""
    directory = pki.ca.parent
    return _leaf(directory, name, dns, pki.ca, directory / "ca.key", days=days)


def issue_client(pki: PKI, name: str, cn: str, uri: str | None = None, dns: str | None = None,
                 ca: Path | None = None, ca_key: Path | None = None, days: int = 2) -> KeyPair:
    """A client certificate (extendedKeyUsage clientAuth) of the session's CA, or of `ca`:
    subject CN `cn`, with an optional URI SAN (spiffe://...) and DNS SAN."""
    directory = pki.ca.parent
    ca = ca or pki.ca
    ca_key = ca_key or directory / "ca.key"
    key, csr, cert, ext = (directory / f"{name}{suffix}" for suffix in (".key", ".csr", ".pem", ".ext"))
    names = [f"URI:{uri}"] if uri else []
    names += [f"DNS:{dns}"] if dns else []
    ext.write_text(
        (f"subjectAltName={','.join(names)}\n" if names else "")
        + "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=clientAuth\n"
    )
    _openssl("req", *_EC, "-keyout", key.name, "-out", csr.name, "-subj", f"/CN={cn}", cwd=directory)
    _openssl("x509", "-req", "-in", csr.name, "-CA", str(ca), "-CAkey", str(ca_key), "-CAcreateserial",
             "-out", cert.name, "-days", str(days), "-sha256", "-extfile", ext.name, cwd=directory)
    return KeyPair(cert, key)


def make_other_ca(pki: PKI, name: str = "other-ca") -> KeyPair:
    """A second, unrelated CA (its certificates are unknown to everything else)."""
    directory = pki.ca.parent
    cert, key = directory / f"{name}.pem", directory / f"{name}.key"
    _openssl("req", "-x509", *_EC, "-keyout", key.name, "-out", cert.name, "-days", "2", "-sha256",
             "-subj", f"/CN=FractalOps e2e {name}",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=directory)
    return KeyPair(cert, key)
