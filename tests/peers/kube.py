"""A real Kubernetes control plane on loopback for integration tests.

`control_plane` (session) runs etcd, kube-apiserver, kube-controller-manager, kube-scheduler and
kwok with one fake node, so workloads get pods that reach Ready without a container runtime.
The API server runs with RBAC, Pod Security Admission (on by default) and a JSON audit log of every
request at Metadata level, which `mutating_requests` reads to prove how many writes a test sent.
`crds` installs the pinned upstream CRDs (testbed/crds/versions.txt). Every component has its own
client-certificate identity; only the test's own requests use `ADMIN_USER`.

Binaries come from testbed/build.sh; when one is missing the fixtures skip (or fail under
CHARON_TESTBED=required) through `peers.require`.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import ssl
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest
import yaml

from peers import cache_dir, require
from peers._kube_pki import Pki, write_kubeconfig
from peers.kube_examples import AppliedExample, apply_example

__all__ = ["ADMIN_USER", "ControlPlane", "installed_crd_kinds", "unique_name"]

ADMIN_USER = "charon-admin"
FAKE_NODE = "kwok-node-0"
MUTATING_VERBS = frozenset({"create", "update", "patch", "delete", "deletecollection"})
_AUDIT_POLICY = {
    "apiVersion": "audit.k8s.io/v1",
    "kind": "Policy",
    # RequestReceived is written before the handler runs, so a request's event is in the file
    # by the time its response arrives; ResponseComplete adds the status code.
    "omitStages": ["ResponseStarted"],
    "rules": [{"level": "Metadata"}],
}


def unique_name(prefix: str = "t") -> str:
    """A DNS-1123 label unique to this call: one namespace (or object) per test."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(what: str, probe: Any, timeout: float, proc: subprocess.Popen[bytes] | None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode} while starting")
        if probe():
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what} not ready after {timeout:.0f}s")


class ControlPlane:
    """Processes, files and helpers of one control plane; data survives stop()/start()."""

    def __init__(self, root: Path, *, with_workloads: bool = True) -> None:
        self.root = root
        self.with_workloads = with_workloads
        self.bins = {n: require(n) for n in ("etcd", "kube-apiserver", "kubectl")}
        if with_workloads:
            for name in ("kube-controller-manager", "kube-scheduler", "kwok"):
                self.bins[name] = require(name)
            self.kwok_stages = cache_dir() / "testbed" / "kwok" / "stages.yaml"
            if not self.kwok_stages.is_file():
                require("kwok-stages.yaml")  # skips/fails with the same hint as a missing binary
        self.pki = Pki(root / "pki")
        self.etcd_port, self.etcd_peer_port, self.port = _free_port(), _free_port(), _free_port()
        self.server = f"https://127.0.0.1:{self.port}"
        self.ca_file = self.pki.ca_crt
        self.audit_log = root / "audit.log"
        self.kubeconfig = self.kubeconfig_for(ADMIN_USER, ("system:masters",))
        self._procs: list[tuple[str, subprocess.Popen[bytes], IO[bytes]]] = []
        self._marker_offsets: dict[str, int] = {}
        admin_crt, admin_key = self.pki.client(ADMIN_USER, ("system:masters",))
        self._ssl = ssl.create_default_context(cafile=str(self.ca_file))
        self._ssl.load_cert_chain(str(admin_crt), str(admin_key))

    # -- identities -------------------------------------------------------------------------
    def kubeconfig_for(self, user: str, groups: tuple[str, ...] = ()) -> Path:
        """A kubeconfig authenticating as `user` (a fresh client certificate from the test CA)."""
        crt, key = self.pki.client(user, groups)
        safe = "".join(c if c.isalnum() else "_" for c in user)
        return write_kubeconfig(
            self.root / f"{safe}.kubeconfig", self.server, self.ca_file, crt, key
        )

    # -- processes --------------------------------------------------------------------------
    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        log = (self.root / f"{name}.log").open("ab")
        proc = subprocess.Popen(
            [str(self.bins[name]), *args], stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, cwd=self.root,
        )  # fmt: skip
        self._procs.append((name, proc, log))
        return proc

    def start(self) -> None:
        """Start every component (again, after stop(): same data dir, ports and identities)."""
        if self._procs:
            raise RuntimeError("control plane already running")
        try:
            self._start_etcd()
            self._start_apiserver()
            if self.with_workloads:
                self._start_workload_components()
        except RuntimeError as exc:
            names = [name for name, _proc, _log in self._procs]
            self.stop()
            raise RuntimeError(f"{exc}\n{self._log_tails(names)}") from exc
        except BaseException:
            self.stop()
            raise

    def _log_tails(self, names: list[str], lines: int = 15) -> str:
        """The end of each started component's log, for a start-up failure message."""
        parts = []
        for name in names:
            log = self.root / f"{name}.log"
            tail = log.read_text(errors="replace").splitlines()[-lines:] if log.exists() else []
            parts.append(f"--- {name} ({log}) ---\n" + "\n".join(tail))
        return "\n".join(parts)

    def _start_etcd(self) -> None:
        client = f"http://127.0.0.1:{self.etcd_port}"
        peer = f"http://127.0.0.1:{self.etcd_peer_port}"
        proc = self._spawn("etcd", [
            "--name=testbed", f"--data-dir={self.root / 'etcd'}",
            f"--listen-client-urls={client}", f"--advertise-client-urls={client}",
            f"--listen-peer-urls={peer}", f"--initial-advertise-peer-urls={peer}",
            f"--initial-cluster=testbed={peer}", "--log-level=warn",
            "--unsafe-no-fsync",  # throw-away data: skip fsync, the test bed is I/O bound otherwise
        ])  # fmt: skip
        _wait("etcd", lambda: self._http_ok(self.etcd_port, "/health", tls=False), 60, proc)

    def _start_apiserver(self) -> None:
        policy = self.root / "audit-policy.json"
        policy.write_text(json.dumps(_AUDIT_POLICY))
        args = [
            f"--etcd-servers=http://127.0.0.1:{self.etcd_port}",
            "--bind-address=127.0.0.1", f"--secure-port={self.port}",
            # Loopback is refused as advertise address and the host may have no default route;
            # a documentation address is only written into the `kubernetes` Endpoints.
            "--advertise-address=192.0.2.10", "--endpoint-reconciler-type=none",
            f"--cert-dir={self.root / 'pki'}",
            f"--tls-cert-file={self.pki.serving_crt}",
            f"--tls-private-key-file={self.pki.serving_key}",
            f"--client-ca-file={self.ca_file}",
            f"--service-account-issuer=https://127.0.0.1:{self.port}",
            f"--service-account-key-file={self.pki.sa_pub}",
            f"--service-account-signing-key-file={self.pki.sa_key}",
            "--service-cluster-ip-range=10.0.0.0/24",
            "--authorization-mode=RBAC", "--allow-privileged=true",
            f"--audit-policy-file={policy}", f"--audit-log-path={self.audit_log}",
            "--audit-log-format=json", "--audit-log-mode=blocking",
        ]  # fmt: skip
        if not self.with_workloads:  # no controller would create the "default" ServiceAccount
            args.append("--disable-admission-plugins=ServiceAccount")
        proc = self._spawn("kube-apiserver", args)
        _wait("kube-apiserver", lambda: self._http_ok(self.port, "/readyz"), 120, proc)

    def _start_workload_components(self) -> None:
        kcm = self.kubeconfig_for("system:kube-controller-manager")
        self._spawn("kube-controller-manager", [
            f"--kubeconfig={kcm}", f"--authentication-kubeconfig={kcm}",
            f"--authorization-kubeconfig={kcm}",
            f"--service-account-private-key-file={self.pki.sa_key}",
            f"--root-ca-file={self.ca_file}", "--use-service-account-credentials=true",
            "--leader-elect=false", "--bind-address=127.0.0.1", "--secure-port=0",
            "--controllers=*,-nodeipam,-cloud-node-lifecycle",
        ])  # fmt: skip
        sched = self.kubeconfig_for("system:kube-scheduler")
        self._spawn("kube-scheduler", [
            f"--kubeconfig={sched}", f"--authentication-kubeconfig={sched}",
            f"--authorization-kubeconfig={sched}", "--leader-elect=false",
            "--bind-address=127.0.0.1", "--secure-port=0",
        ])  # fmt: skip
        kwok = self.kubeconfig_for("kwok", ("system:masters",))
        kwok_proc = self._spawn("kwok", [
            f"--kubeconfig={kwok}", f"--config={self.kwok_stages}",
            "--manage-all-nodes=false",
            "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
            "--node-lease-duration-seconds=40", "--cidr=10.244.0.0/16", "--node-ip=10.244.255.1",
            "--server-address=",
        ])  # fmt: skip
        self._ensure_fake_node(kwok)
        _wait("kwok fake node", self._node_ready, 60, kwok_proc)
        _wait("default service account", self._default_sa_exists, 60, None)

    def _ensure_fake_node(self, kubeconfig: Path) -> None:
        # Written as kwok, not the admin, so a restart never shows up in mutating_requests().
        node = {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {
                "name": FAKE_NODE,
                "annotations": {"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
                "labels": {"kubernetes.io/hostname": FAKE_NODE, "type": "kwok"},
            },
            "status": {
                "allocatable": {"cpu": "64", "memory": "256Gi", "pods": "500"},
                "capacity": {"cpu": "64", "memory": "256Gi", "pods": "500"},
            },
        }
        self.kubectl(
            "apply", "--server-side", "-f", "-", input=json.dumps(node), kubeconfig=kubeconfig
        )

    def _node_ready(self) -> bool:
        status, body = self.request("GET", f"/api/v1/nodes/{FAKE_NODE}")
        if status != 200:
            return False
        conditions = json.loads(body).get("status", {}).get("conditions", [])
        return any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)

    def _default_sa_exists(self) -> bool:
        return self.request("GET", "/api/v1/namespaces/default/serviceaccounts/default")[0] == 200

    def stop(self) -> None:
        """Terminate every component, newest first; kill any that ignores SIGTERM for 15 s."""
        while self._procs:
            _name, proc, log = self._procs.pop()
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            log.close()

    # -- clients ----------------------------------------------------------------------------
    def _http_ok(self, port: int, path: str, *, tls: bool = True) -> bool:
        conn: http.client.HTTPConnection = (
            http.client.HTTPSConnection("127.0.0.1", port, context=self._ssl, timeout=5)
            if tls
            else http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        )
        try:
            conn.request("GET", path)
            return conn.getresponse().status == 200
        except OSError:
            return False
        finally:
            conn.close()

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        """One admin request to the API server: (status, body)."""
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=self._ssl, timeout=30)
        try:
            payload = None if body is None else json.dumps(body)
            headers = {"Content-Type": "application/json"} if payload else {}
            conn.request(method, path, body=payload, headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def kubectl(
        self,
        *args: str,
        check: bool = True,
        input: str | None = None,
        kubeconfig: Path | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run the testbed's kubectl against this control plane (admin unless `kubeconfig`)."""
        cmd = [str(self.bins["kubectl"]), f"--kubeconfig={kubeconfig or self.kubeconfig}", *args]
        env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
        proc = subprocess.run(
            cmd, check=False, capture_output=True, text=True, input=input, env=env, timeout=180
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"kubectl {' '.join(args)} failed ({proc.returncode}): {proc.stderr}"
            )
        return proc

    def create_namespace(
        self, name: str | None = None, labels: dict[str, str] | None = None
    ) -> str:
        name = name or unique_name("ns")
        meta: dict[str, Any] = {"name": name, "labels": labels or {}}
        status, body = self.request(
            "POST",
            "/api/v1/namespaces",
            {"apiVersion": "v1", "kind": "Namespace", "metadata": meta},
        )
        assert status == 201, body.decode()
        if self.with_workloads:  # pods need the "default" ServiceAccount the controller adds
            path = f"/api/v1/namespaces/{name}/serviceaccounts/default"
            _wait(f"namespace {name}", lambda: self.request("GET", path)[0] == 200, 60, None)
        return name

    # -- audit ------------------------------------------------------------------------------
    def audit_marker(self) -> str:
        """Write a recognisable request into the audit log and return its marker string."""
        marker = unique_name("charon-audit-marker")
        self.request("GET", f"/api/v1/namespaces/{marker}")
        offset = self._find_marker(marker)
        self._marker_offsets[marker] = offset
        return marker

    def _find_marker(self, marker: str) -> int:
        found: list[int] = []

        def probe() -> bool:
            with self.audit_log.open("rb") as fh:
                offset = 0
                for line in fh:
                    if marker.encode() in line:
                        found.append(offset)
                        return True
                    offset += len(line)
            return False

        _wait(f"audit marker {marker}", probe, 30, None)
        return found[0]

    def audit_events(self, since_marker: str) -> list[dict[str, Any]]:
        """Every audit event (one per request, RequestReceived stage) after the marker."""
        end = self.audit_marker()
        start = self._marker_offsets[since_marker]
        events = []
        with self.audit_log.open("rb") as fh:
            fh.seek(start)
            chunk = fh.read(self._marker_offsets[end] - start)
        for line in chunk.splitlines():
            event = json.loads(line)
            uri = event.get("requestURI", "")
            if event.get("stage") == "RequestReceived" and since_marker not in uri:
                events.append(event)
        return events

    def mutating_requests(
        self, since_marker: str, *, user: str = ADMIN_USER, dry_run: bool = True
    ) -> list[dict[str, Any]]:
        """Writes (create/update/patch/delete/deletecollection) by `user` after the marker.

        Dry-run requests count unless `dry_run=False`: they change nothing, but a caller proving
        "zero requests" may want them too (they carry `dryRun=All` in requestURI).
        """
        return [
            e
            for e in self.audit_events(since_marker)
            if e.get("verb") in MUTATING_VERBS
            and e.get("user", {}).get("username") == user
            and (dry_run or "dryRun=All" not in e.get("requestURI", ""))
        ]


class _CrdLoader(yaml.SafeLoader):
    """PyYAML reads a bare `=` as the YAML 1.1 "value" tag; CRD enums contain it as a string."""


_CrdLoader.add_constructor("tag:yaml.org,2002:value", lambda _loader, node: node.value)


def installed_crd_kinds(crd_root: Path) -> list[str]:
    kinds = set()
    for path in sorted(crd_root.glob("*/*.y*ml")):
        for doc in yaml.load_all(path.read_text(), Loader=_CrdLoader):
            if doc and doc.get("kind") == "CustomResourceDefinition":
                kinds.add(doc["spec"]["names"]["kind"])
    return sorted(kinds)


@pytest.fixture(scope="session")
def control_plane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ControlPlane]:
    cp = ControlPlane(tmp_path_factory.mktemp("control-plane"))
    cp.start()
    try:
        yield cp
    finally:
        cp.stop()


@pytest.fixture(scope="session")
def crds(control_plane: ControlPlane) -> list[str]:
    """Install every pinned CRD (server-side apply) and wait until all are Established."""
    root = cache_dir() / "testbed" / "crds"
    dirs = sorted(p for p in root.glob("*-v*") if p.is_dir()) if root.is_dir() else []
    if not dirs:
        require("crds")  # not a binary: skips/fails with the "run make testbed" hint
    args = ["apply", "--server-side", "--force-conflicts", "--field-manager=charon-testbed"]
    for d in dirs:
        args += ["-f", str(d)]
    control_plane.kubectl(*args)
    kinds = installed_crd_kinds(root)
    # One list call per poll instead of `kubectl wait`, which checks the CRDs one at a time.
    _wait("CRDs Established", lambda: set(kinds) <= _established_kinds(control_plane), 120, None)
    return kinds


def _established_kinds(cp: ControlPlane) -> set[str]:
    status, body = cp.request("GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions")
    if status != 200:
        return set()
    return {
        item["spec"]["names"]["kind"]
        for item in json.loads(body)["items"]
        for cond in item.get("status", {}).get("conditions", [])
        if cond["type"] == "Established" and cond["status"] == "True"
    }


@pytest.fixture
def namespace(control_plane: ControlPlane) -> Iterator[str]:
    """A fresh namespace for one test, deleted (without waiting) afterwards."""
    name = control_plane.create_namespace()
    yield name
    control_plane.kubectl("delete", "namespace", name, "--wait=false", check=False)


class _ExampleApplier:
    """Applies each bundled example at most once per session; failures are kept as messages."""

    def __init__(self, cp: ControlPlane, work: Path) -> None:
        self.cp, self.work = cp, work
        self._done: dict[Path, AppliedExample | str] = {}

    def __call__(self, example: Path) -> AppliedExample:
        if example not in self._done:
            work = self.work / example.stem
            work.mkdir()
            try:
                self._done[example] = apply_example(self.cp, example, work, unique_name("x")[2:8])
            except AssertionError as exc:
                self._done[example] = str(exc)
        outcome = self._done[example]
        if isinstance(outcome, str):
            pytest.fail(f"{example.name}: {outcome}", pytrace=False)
        return outcome


@pytest.fixture(scope="session")
def applied_examples(
    control_plane: ControlPlane, crds: list[str], tmp_path_factory: pytest.TempPathFactory
) -> _ExampleApplier:
    """`applied_examples(path)` renders, builds and applies an example (once per session)."""
    return _ExampleApplier(control_plane, tmp_path_factory.mktemp("examples"))
