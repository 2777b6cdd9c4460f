"""Every kubeconfig credential kind against the real API server, including a refresh after 401.

The engine's HTTP connection is aiohttp; the credentials come from lightkube's flows (token,
token file, exec plugin), which Charon drives for the ``Authorization`` header. The identity is
a real ServiceAccount with a real token from the TokenRequest API.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from test_apply_support import charon, example

from peers.kube import ControlPlane, unique_name

pytestmark = [pytest.mark.integration]

_PLUGIN = """\
import json, pathlib, sys
calls = pathlib.Path(sys.argv[1])
n = int(calls.read_text()) + 1 if calls.exists() else 1
calls.write_text(str(n))
# The first token handed out is one the API server never issued: it must answer 401, and the
# client must ask the plugin again instead of failing.
token = "not-a-real-token" if n == 1 else pathlib.Path(sys.argv[2]).read_text().strip()
print(json.dumps({"apiVersion": "client.authentication.k8s.io/v1beta1",
                  "kind": "ExecCredential", "status": {"token": token}}))
"""


def _service_account_token(cp: ControlPlane) -> str:
    name = unique_name("sa")
    cp.kubectl("create", "serviceaccount", name, "-n", "default")
    cp.kubectl("create", "clusterrolebinding", name, "--clusterrole=cluster-admin",
               f"--serviceaccount=default:{name}")  # fmt: skip
    return cp.kubectl("create", "token", name, "-n", "default", "--duration=1h").stdout.strip()


def _kubeconfig(cp: ControlPlane, path: Path, user: dict[str, object]) -> Path:
    path.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": "t", "cluster": {"server": cp.server,
                                               "certificate-authority": str(cp.ca_file)}}],
        "users": [{"name": "u", "user": user}],
        "contexts": [{"name": "t", "context": {"cluster": "t", "user": "u"}}],
        "current-context": "t",
    }))  # fmt: skip
    return path


@pytest.fixture
def token(control_plane: ControlPlane) -> str:
    return _service_account_token(control_plane)


@pytest.mark.parametrize("kind", ["token", "tokenFile", "exec"])
def test_each_credential_kind_reaches_the_api_server(
    control_plane: ControlPlane, token: str, tmp_path: Path, kind: str,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    (tmp_path / "token").write_text(token)
    calls = tmp_path / "calls"
    users: dict[str, dict[str, object]] = {
        "token": {"token": token},
        "tokenFile": {"tokenFile": str(tmp_path / "token")},
        "exec": {"exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1", "command": sys.executable,
            "args": [str(tmp_path / "plugin.py"), str(calls), str(tmp_path / "token")],
        }},
    }  # fmt: skip
    (tmp_path / "plugin.py").write_text(_PLUGIN)
    config = _kubeconfig(control_plane, tmp_path / "kubeconfig", users[kind])
    monkeypatch.setattr(control_plane, "kubeconfig", config)
    compiled = example("minimal", unique_name("cred")[5:12])

    code, out, err = charon(monkeypatch, capsys, control_plane, compiled, "plan", "--output",
                            "json")  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["platform"] == compiled.platform
    if kind == "exec":
        # 401 for the made-up token, then the plugin was asked again and its token worked.
        assert calls.read_text() == "2"


def test_a_refused_credential_is_a_clear_error_not_a_retry_loop(
    control_plane: ControlPlane, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    config = _kubeconfig(control_plane, tmp_path / "kubeconfig", {"token": "not-a-real-token"})
    monkeypatch.setattr(control_plane, "kubeconfig", config)
    code, _out, err = charon(monkeypatch, capsys, control_plane, example("minimal"), "plan")
    assert code == 1
    assert "refused by the API server (401)" in err
    assert "fix: check the credentials and RBAC of the kubeconfig in use" in err
    assert "not-a-real-token" not in err, "a credential must never be printed"
    assert "Traceback" not in err
