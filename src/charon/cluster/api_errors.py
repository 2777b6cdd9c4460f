"""Turning what the API server (or the network) says into Charon's errors.

A refusal carries the API's ``Status.details.causes``: each becomes ``<field>: <message>``, so a
person sees exactly which field of which object to fix (STYLE 9). A server-side apply conflict
becomes a :class:`ConflictError` naming the other field manager and the field. Whether a failure
is worth retrying is decided here, by type, not by matching strings later.
"""

from __future__ import annotations

import httpx2
from lightkube.core.exceptions import ApiError

from charon.errors import ClusterError, ClusterUnavailableError, ConflictError

__all__ = ["is_not_found", "is_transient", "to_cluster_error"]

_TRANSIENT_CODES = frozenset({429, 500, 502, 503, 504})


def is_not_found(exc: BaseException) -> bool:
    return isinstance(exc, ApiError) and exc.status.code == 404


def is_transient(exc: BaseException) -> bool:
    """Worth one more try: the connection failed or the server said "later"."""
    if isinstance(exc, ApiError):
        return exc.status.code in _TRANSIENT_CODES
    return isinstance(exc, httpx2.TransportError)


def _causes(exc: ApiError) -> list[str]:
    details = exc.status.details
    out = []
    for cause in (details.causes if details and details.causes else []) or []:
        field = (cause.field or "").lstrip(".")
        text = cause.message or cause.reason or ""
        out.append(f"{field}: {text}" if field else text)
    return out


def to_cluster_error(object_id: str, exc: BaseException, *, server: str = "") -> ClusterError:
    """The ClusterError for one failed request about ``object_id`` (chain it with ``from``)."""
    if isinstance(exc, ApiError):
        status = exc.status
        causes = _causes(exc)
        conflict = status.code == 409 and any(
            c.reason == "FieldManagerConflict"
            for c in ((status.details.causes if status.details else None) or [])
        )
        if conflict:
            causes.append("fix: change the field back, or re-run with --force-conflicts to take it")
            return ConflictError(object_id, "field owned by another field manager", causes)
        reason = status.message or status.reason or f"HTTP {status.code}"
        if status.code in (401, 403):
            causes.append("fix: check the credentials and RBAC of the kubeconfig in use")
        refused = f"refused by the API server ({status.code}): {reason}"
        if status.code in _TRANSIENT_CODES:
            return ClusterUnavailableError(object_id, refused, causes)
        return ClusterError(object_id, refused, causes)
    if isinstance(exc, httpx2.TransportError):
        where = f" at {server}" if server else ""
        detail = str(exc) or type(exc).__name__
        unreachable = f"cannot reach the Kubernetes API{where}: {detail}"
        return ClusterUnavailableError(object_id, unreachable)
    return ClusterError(object_id, f"{type(exc).__name__}: {exc}")
