"""Which cluster failures are worth re-running is a type, not a string match (STYLE 10)."""

from __future__ import annotations

from charon.cluster.api_errors import is_transient, to_cluster_error
from charon.cluster.http import ApiStatusError, ApiUnreachable
from charon.errors import ClusterError, ClusterUnavailableError, ConflictError


def _api_error(code: int, message: str, **extra: object) -> ApiStatusError:
    return ApiStatusError(code, {"kind": "Status", "code": code, "message": message, **extra})


def test_unreachable_api_is_retryable() -> None:
    err = to_cluster_error("ns_a__ConfigMap", ApiUnreachable("refused"), server="https://x")
    assert isinstance(err, ClusterUnavailableError)
    assert "cannot reach the Kubernetes API at https://x: refused" in str(err)


def test_a_tls_failure_is_not_retried() -> None:
    bad_cert = ApiUnreachable("TLS failed: certificate verify failed", retryable=False)
    assert not is_transient(bad_cert)
    err = to_cluster_error("id", bad_cert, server="https://x")
    assert type(err) is ClusterError
    assert "certificate verify failed" in str(err)


def test_overload_is_retryable_and_a_refusal_is_not() -> None:
    assert isinstance(to_cluster_error("id", _api_error(503, "busy")), ClusterUnavailableError)
    assert isinstance(to_cluster_error("id", _api_error(429, "slow down")), ClusterUnavailableError)
    assert is_transient(_api_error(500, "etcdserver: request timed out"))
    refused = to_cluster_error("id", _api_error(422, "invalid"))
    assert type(refused) is ClusterError
    assert not isinstance(refused, (ClusterUnavailableError, ConflictError))
    assert "refused by the API server (422): invalid" in str(refused)


def test_an_undeclared_field_is_the_objects_fault_not_an_outage() -> None:
    # kube-apiserver 1.34 answers an applied object with an unknown field with this 500.
    exc = _api_error(500, "failed to create typed patch object (ns/x; apps/v1, Kind=Deployment): "
                          ".spec.bogus: field not declared in schema")  # fmt: skip
    assert not is_transient(exc)
    err = to_cluster_error("ns_x_apps_Deployment", exc)
    assert type(err) is ClusterError
    assert err.causes[0] == "spec.bogus: field not declared in schema"
    assert "not in the kind's schema" in err.reason


def test_causes_name_the_field_and_a_conflict_names_the_manager() -> None:
    invalid = _api_error(422, "Service is invalid", details={"causes": [
        {"reason": "FieldValueInvalid", "message": "Invalid value: 70000",
         "field": "spec.ports[0].port"},
    ]})  # fmt: skip
    assert to_cluster_error("id", invalid).causes == ["spec.ports[0].port: Invalid value: 70000"]
    conflict = _api_error(409, "Apply failed with 1 conflict", details={"causes": [
        {"reason": "FieldManagerConflict", "message": 'conflict with "kubectl-edit"',
         "field": ".data.x"},
    ]})  # fmt: skip
    err = to_cluster_error("id", conflict)
    assert isinstance(err, ConflictError)
    assert err.causes[0] == 'data.x: conflict with "kubectl-edit"'


def test_a_cause_that_repeats_the_message_is_shown_once() -> None:
    denial = 'services "web" is forbidden: ValidatingAdmissionPolicy denied request: no'
    exc = _api_error(422, denial, details={"causes": [{"message": denial.split(": ", 1)[1]}]})
    err = to_cluster_error("id", exc)
    assert err.causes == []
    assert str(err).count("denied request") == 1
