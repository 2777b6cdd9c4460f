"""Nothing secret in plain env values: a plain value lands in Git and in ``kubectl get -o yaml``.

Findings name the variable, never its value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from charon.policy._pods import containers, object_key, pod_templates
from charon.policy.context import Context
from charon.policy.registry import Issue, rule

__all__ = ["looks_secret", "secret_env_plain"]

_SECRET_WORDS = ("PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "APIKEY", "API_KEY",
                 "PRIVATE_KEY", "ACCESS_KEY", "AUTH_KEY", "CREDENTIAL", "SIGNING_KEY",
                 "ENCRYPTION_KEY", "SESSION_KEY")  # fmt: skip
_SECRET_TOKENS = frozenset({"PASS", "PWD", "PSK", "DSN"})
#: Names that point at a secret rather than hold one (``PASSWORD_FILE=/run/secrets/db``).
_REFERENCE_SUFFIXES = ("_FILE", "_PATH", "_DIR", "_URL", "_URI", "_NAME", "_ENDPOINT", "_HEADER",
                       "_TTL", "_EXPIRY", "_LENGTH", "_TYPE", "_ENABLED")  # fmt: skip
_URL_CREDENTIALS = re.compile(r"://[^/\s:@]+:[^/\s@]+@")


def looks_secret(name: str, value: str) -> bool:
    """True for names like ``DB_PASSWORD``/``API_TOKEN`` or URLs with ``user:password@``.

    Values built from other variables (``$(POD_NAME)-tailscale``, a Secret's *name*) and values
    that point at a file (``file:/run/key``, ``/run/secrets/db``) are references, not secrets.
    """
    if not value:
        return False
    if _URL_CREDENTIALS.search(value):
        return True
    if "$(" in value or value.startswith(("file:", "/")):
        return False
    upper = re.sub(r"[^A-Z0-9]+", "_", name.upper())
    if upper.endswith(_REFERENCE_SUFFIXES):
        return False
    return any(w in upper for w in _SECRET_WORDS) or bool(_SECRET_TOKENS & set(upper.split("_")))


def _fix(service: str, name: str) -> str:
    return (
        f"Move {name} to services.{service}.secretEnv (a Secret reference), and rotate the"
        " value: it has been written in plain text."
    )


@rule(
    "secret-env-plain",
    family="secrets",
    severity="error",
    summary="no secret-looking plain env value (PASSWORD, TOKEN, API_KEY, user:pass@ URLs ...)",
)
def secret_env_plain(ctx: Context) -> Iterator[Issue]:
    for name, service in sorted(ctx.platform.services.items()):
        for env, value in sorted(service.env.items()):
            if looks_secret(env, value):
                yield Issue(
                    object=f"service/{name}",
                    path=f"services.{name}.env.{env}",
                    message=f"env {env} holds what looks like a secret in plain text",
                    fix=_fix(name, env),
                )
    for template in pod_templates(ctx.objects):
        owner = ctx.owner(template.obj)
        in_spec = set(ctx.platform.services[owner].env) if owner else set()
        for container in containers(template):
            for var in container.body.get("env") or []:
                env, value = str(var.get("name", "")), var.get("value")
                if env in in_spec or not isinstance(value, str) or not looks_secret(env, value):
                    continue
                yield Issue(
                    object=object_key(template.obj),
                    path=ctx.path_of(template.obj),
                    field=f"{container.field}.env[{env}].value",
                    message=f"container '{container.name}' env {env} holds what looks like a"
                    " secret in plain text",
                    fix="Use valueFrom.secretKeyRef instead of a plain value.",
                )
