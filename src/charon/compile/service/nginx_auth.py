"""Forward auth inside nginx-tls, so auth ``required`` also gates the pod's own VPN address.

A web pod joins the tailnet and serves nginx-tls there, so a tailnet user can skip the Ingress and
its forward-auth annotation. For auth ``required`` nginx-tls therefore asks
``identity.forwardAuth.url`` itself, the way ingress-nginx does: every request first makes an
internal subrequest (no body, the original cookies and ``Authorization`` header, the original
URL, method and host in ``X-Original-*``/``X-Forwarded-*``). A 2xx lets it through; 401 and 403 are
answered as they are (401 becomes a redirect to ``signin`` when one is set); anything else,
including an unreachable auth service, is a 500. It fails closed.

``auth_request`` sits at server level so a location added later is gated too. The upstream host is
resolved when nginx starts: an auth URL that does not resolve keeps nginx-tls from starting, which
is loud and still closed.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from charon.compile.context import Context, ServiceRef
from charon.spec.models import AuthMode, ForwardAuthSpec

__all__ = [
    "AUTH_LOCATION",
    "SIGNIN_LOCATION",
    "auth_locations",
    "auth_server_lines",
    "forward_auth",
]

#: The internal location the subrequest goes to (never reachable from outside).
AUTH_LOCATION = "/_charon/auth"
SIGNIN_LOCATION = "@charon_signin"
_ORIGINAL_URL = "$scheme://$http_host$request_uri"
_UNSAFE = set(" \t\r\n;{}\"'\\#")


def forward_auth(ctx: Context, ref: ServiceRef) -> ForwardAuthSpec | None:
    """The forward-auth endpoint nginx-tls must consult for this service, if any."""
    forward = ctx.platform.identity.forward_auth
    if ref.web and ref.spec.auth.mode is AuthMode.required and forward is not None:
        return forward
    return None


def _arg(value: str) -> str:
    """One nginx argument: quoted (``"`` and ``\\`` escaped) when it holds syntax characters."""
    if value and not (_UNSAFE & set(value)):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _signin_target(signin: str) -> str:
    """``signin`` plus ``rd=<original URL>`` unless it already carries an ``rd`` parameter."""
    if "rd=" in urlsplit(signin).query:
        return signin
    return f"{signin}{'&' if '?' in signin else '?'}rd={_ORIGINAL_URL}"


def auth_server_lines(forward: ForwardAuthSpec) -> list[str]:
    lines = [f"    auth_request {AUTH_LOCATION};"]
    if forward.signin:
        lines.append(f"    error_page 401 = {SIGNIN_LOCATION};")
    return lines


def auth_locations(forward: ForwardAuthSpec) -> list[str]:
    lines = [
        "",
        f"    location = {AUTH_LOCATION} {{",
        "        internal;",
        "        auth_request off;",
        f"        proxy_pass {_arg(forward.url)};",
        "        proxy_pass_request_body off;",
        '        proxy_set_header Content-Length "";',
        f"        proxy_set_header X-Original-URL {_ORIGINAL_URL};",
        "        proxy_set_header X-Original-Method $request_method;",
        "        proxy_set_header X-Forwarded-Method $request_method;",
        "        proxy_set_header X-Forwarded-Proto $scheme;",
        "        proxy_set_header X-Forwarded-Host $http_host;",
        "        proxy_set_header X-Forwarded-Uri $request_uri;",
        "        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "        proxy_set_header X-Real-IP $remote_addr;",
        "        proxy_set_header X-Auth-Request-Redirect $request_uri;",
    ]
    if urlsplit(forward.url).scheme == "https":
        lines.append("        proxy_ssl_server_name on;")
    lines.append("    }")
    if forward.signin:
        lines += [
            "",
            f"    location {SIGNIN_LOCATION} {{",
            "        auth_request off;",
            f"        return 302 {_arg(_signin_target(forward.signin))};",
            "    }",
        ]
    return lines
