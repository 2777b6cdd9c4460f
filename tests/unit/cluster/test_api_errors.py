"""Which cluster failures are worth re-running is a type, not a string match (STYLE 10)."""

from __future__ import annotations

import httpx2
from lightkube.core.exceptions import ApiError
from lightkube.models.meta_v1 import Status

from charon.cluster.api_errors import to_cluster_error
from charon.errors import ClusterError, ClusterUnavailableError, ConflictError


def _api_error(code: int, message: str) -> ApiError:
    return ApiError(status=Status(code=code, message=message, reason="x"))


def test_unreachable_api_is_retryable() -> None:
    err = to_cluster_error("ns_a__ConfigMap", httpx2.ConnectError("refused"), server="https://x")
    assert isinstance(err, ClusterUnavailableError)
    assert "cannot reach the Kubernetes API at https://x" in str(err)


def test_overload_is_retryable_and_a_refusal_is_not() -> None:
    assert isinstance(to_cluster_error("id", _api_error(503, "busy")), ClusterUnavailableError)
    assert isinstance(to_cluster_error("id", _api_error(429, "slow down")), ClusterUnavailableError)
    refused = to_cluster_error("id", _api_error(422, "invalid"))
    assert type(refused) is ClusterError
    assert not isinstance(refused, (ClusterUnavailableError, ConflictError))
    assert "refused by the API server (422): invalid" in str(refused)
