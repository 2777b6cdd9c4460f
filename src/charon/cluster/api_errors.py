"""Turning what the API server (or the network) says into Charon's errors.

A refusal carries the API's ``Status.details.causes``: each becomes ``<field>: <message>``, so a
person sees exactly which field of which object to fix (STYLE 9). A server-side apply conflict
becomes a :class:`ConflictError` naming the other field manager and the field. Whether a failure
is worth retrying is decided here, by type, not by matching strings later.

One quirk of the API server is handled here: an applied object with a field its schema does not
declare is answered with HTTP 500 ("failed to create typed patch object ... field not declared in
schema"), not 422. It is the object's fault, not the server's, so it is neither retried nor called
an outage, and the field is shown as the cause.
"""

from __future__ import annotations

import re

from charon.cluster.http import ApiStatusError, ApiUnreachable
from charon.errors import ClusterError, ClusterUnavailableError, ConflictError

__all__ = ["is_not_found", "is_transient", "to_cluster_error"]

_TRANSIENT_CODES = frozenset({429, 500, 502, 503, 504})
_TYPED_PATCH = re.compile(r"failed to create typed (?:patch|live) object \([^)]*\): (.+)$", re.S)


def is_not_found(exc: BaseException) -> bool:
    return isinstance(exc, ApiStatusError) and exc.code == 404


def _schema_refusal(exc: ApiStatusError) -> str | None:
    """The field error inside a 500 the API server sends for an undeclared field."""
    found = _TYPED_PATCH.search(exc.message) if exc.code == 500 else None
    return found.group(1).strip() if found else None


def is_transient(exc: BaseException) -> bool:
    """Worth one more try: the connection failed or the server said "later"."""
    if isinstance(exc, ApiStatusError):
        return exc.code in _TRANSIENT_CODES and _schema_refusal(exc) is None
    return isinstance(exc, ApiUnreachable) and exc.retryable


def _causes(exc: ApiStatusError) -> list[str]:
    """Each cause as ``field: message``; one that only repeats the message is left out
    (admission webhooks and policies put their denial in both)."""
    out = []
    for cause in exc.causes:
        field = str(cause.get("field") or "").lstrip(".")
        text = str(cause.get("message") or cause.get("reason") or "")
        if not field and text and text in exc.message:
            continue
        out.append(f"{field}: {text}" if field else text)
    return out


def to_cluster_error(object_id: str, exc: BaseException, *, server: str = "") -> ClusterError:
    """The ClusterError for one failed request about ``object_id`` (chain it with ``from``)."""
    if isinstance(exc, ApiStatusError):
        causes = _causes(exc)
        if exc.code == 409 and any(c.get("reason") == "FieldManagerConflict" for c in exc.causes):
            causes.append("fix: change the field back, or re-run with --force-conflicts to take it")
            return ConflictError(object_id, "field owned by another field manager", causes)
        schema = _schema_refusal(exc)
        if schema is not None:
            field, _, text = schema.partition(": ")
            cause = f"{field.lstrip('.')}: {text}" if text else schema
            fix = "fix: remove the field or correct its name (see the kind's API reference)"
            return ClusterError(object_id, "refused by the API server: not in the kind's schema",
                                [cause, fix])  # fmt: skip
        reason = exc.message or exc.reason or f"HTTP {exc.code}"
        if exc.code in (401, 403):
            causes.append("fix: check the credentials and RBAC of the kubeconfig in use")
        refused = f"refused by the API server ({exc.code}): {reason}"
        if exc.code in _TRANSIENT_CODES:
            return ClusterUnavailableError(object_id, refused, causes)
        return ClusterError(object_id, refused, causes)
    if isinstance(exc, ApiUnreachable):
        where = f" at {server}" if server else ""
        unreachable = f"cannot reach the Kubernetes API{where}: {exc}"
        if exc.retryable:
            return ClusterUnavailableError(object_id, unreachable)
        return ClusterError(object_id, unreachable)
    return ClusterError(object_id, f"{type(exc).__name__}: {exc}")
