"""A throw-away PKI for the test control plane, made with the `openssl` CLI.

Client certificates carry the identity (CN = user, O = groups), which is how kube-apiserver
authenticates without a token file, and gives each component (admin, controller-manager,
scheduler, kwok) its own user so the audit log can tell the test's writes from theirs.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

__all__ = ["Pki", "write_kubeconfig"]

_DAYS = "2"


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def _key(path: Path) -> None:
    _openssl(
        "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", str(path)
    )


class Pki:
    """CA, serving certificate, service-account key pair and per-user client certificates."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.ca_key = root / "ca.key"
        self.ca_crt = root / "ca.crt"
        self.serving_key = root / "apiserver.key"
        self.serving_crt = root / "apiserver.crt"
        self.sa_key = root / "sa.key"
        self.sa_pub = root / "sa.pub"
        if not self.ca_crt.exists():
            self._create()

    def _create(self) -> None:
        _key(self.ca_key)
        _openssl(
            "req", "-x509", "-new", "-key", str(self.ca_key), "-sha256", "-days", _DAYS,
            "-subj", "/CN=charon-testbed-ca", "-out", str(self.ca_crt),
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        )  # fmt: skip
        self._sign(
            self.serving_key,
            self.serving_crt,
            "/CN=kube-apiserver",
            "subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\n"
            "extendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n",
        )
        _key(self.sa_key)
        _openssl("pkey", "-in", str(self.sa_key), "-pubout", "-out", str(self.sa_pub))

    def _sign(self, key: Path, crt: Path, subject: str, extensions: str) -> None:
        _key(key)
        csr = crt.with_suffix(".csr")
        ext = crt.with_suffix(".ext")
        ext.write_text(extensions)
        _openssl("req", "-new", "-key", str(key), "-subj", subject, "-out", str(csr))
        _openssl(
            "x509", "-req", "-in", str(csr), "-CA", str(self.ca_crt), "-CAkey", str(self.ca_key),
            "-CAcreateserial", "-sha256", "-days", _DAYS, "-extfile", str(ext), "-out", str(crt),
        )  # fmt: skip
        csr.unlink()
        ext.unlink()

    def client(self, user: str, groups: tuple[str, ...] = ()) -> tuple[Path, Path]:
        """(cert, key) for `user` in `groups`; reused when already issued."""
        stem = "client-" + "".join(c if c.isalnum() else "_" for c in user)
        crt, key = self.root / f"{stem}.crt", self.root / f"{stem}.key"
        if not crt.exists():
            subject = f"/CN={user}" + "".join(f"/O={g}" for g in groups)
            self._sign(key, crt, subject, "extendedKeyUsage=clientAuth\n")
        return crt, key


def write_kubeconfig(path: Path, server: str, ca: Path, crt: Path, key: Path) -> Path:
    """A kubeconfig (JSON is valid YAML) with absolute file references."""
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {"name": "testbed", "cluster": {"server": server, "certificate-authority": str(ca)}}
        ],
        "users": [
            {"name": "user", "user": {"client-certificate": str(crt), "client-key": str(key)}}
        ],
        "contexts": [{"name": "testbed", "context": {"cluster": "testbed", "user": "user"}}],
        "current-context": "testbed",
    }
    path.write_text(json.dumps(config, indent=2) + "\n")
    return path
