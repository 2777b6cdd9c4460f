"""Just enough of nginx's config grammar to judge whether a server gates its requests.

``auth-fail-closed`` must not be fooled by the words ``auth_request`` in a comment or in a location
nobody reaches, so the config is parsed into directives and blocks (quotes, escapes and comments
as nginx reads them) and the question is asked of the structure: in the server listening on 443,
does every location a client can reach run an ``auth_request`` (its own, else the server's), and
does each such URI land in an ``internal`` location that proxies somewhere?
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["Directive", "parse", "ungated"]

_TOKEN = re.compile(
    r"""\s+|\#[^\n]*|(?P<punct>[{};])|"(?P<dq>(?:\\.|[^"\\])*)"|'(?P<sq>(?:\\.|[^'\\])*)'"""
    r"""|(?P<word>(?:\\.|[^\s{};"'\\])+)""",
    re.DOTALL,
)


@dataclass
class Directive:
    name: str
    args: list[str]
    block: list[Directive] | None = None

    def all(self, name: str) -> list[Directive]:
        return [d for d in self.block or [] if d.name == name]


def _tokens(text: str) -> Iterator[tuple[str, str]]:
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise ValueError(f"cannot read the nginx config at offset {pos}")
        pos = match.end()
        if match["punct"]:
            yield "punct", match["punct"]
        elif match["dq"] is not None:
            yield "word", re.sub(r"\\(.)", r"\1", match["dq"])
        elif match["sq"] is not None:
            yield "word", re.sub(r"\\(.)", r"\1", match["sq"])
        elif match["word"]:
            yield "word", match["word"]


def parse(text: str) -> list[Directive]:
    """The top-level directives; ValueError on unbalanced braces or a directive without ``;``."""
    stack: list[list[Directive]] = [[]]
    words: list[str] = []
    for kind, piece in _tokens(text):
        if kind == "word":
            words.append(piece)
        elif piece == ";":
            if not words:
                raise ValueError("an empty directive (';' alone)")
            stack[-1].append(Directive(words[0], words[1:]))
            words = []
        elif piece == "{":
            if not words:
                raise ValueError("a block without a directive name")
            block: list[Directive] = []
            stack[-1].append(Directive(words[0], words[1:], block))
            stack.append(block)
            words = []
        else:
            if len(stack) == 1 or words:
                raise ValueError("unbalanced '}'")
            stack.pop()
    if len(stack) != 1 or words:
        raise ValueError("the config ends inside a block or directive")
    return stack[0]


def _listens_on(server: Directive, port: int) -> bool:
    for listen in server.all("listen"):
        address = listen.args[0] if listen.args else ""
        if address == str(port) or address.endswith(f":{port}"):
            return True
    return False


def _gate(block: Directive, inherited: str) -> str:
    """The ``auth_request`` URI in force in a block ("" when none or ``off``)."""
    own = block.all("auth_request")
    if not own:
        return inherited
    uri = own[-1].args[0] if own[-1].args else ""
    return "" if uri == "off" else uri


def _locations(block: Directive, inherited: str) -> Iterator[tuple[Directive, str]]:
    for location in block.all("location"):
        gate = _gate(location, inherited)
        yield location, gate
        yield from _locations(location, gate)


def _target(server: Directive, uri: str) -> Directive | None:
    for location, _ in _locations(server, ""):
        args = location.args
        if args in (["=", uri], [uri]) and location.all("internal") and location.all("proxy_pass"):
            return location
    return None


def ungated(text: str, port: int) -> list[str]:
    """What leaves the server on ``port`` ungated, in words; empty when every path is gated."""
    try:
        top = parse(text)
    except ValueError as exc:
        return [f"the nginx config cannot be read ({exc})"]
    servers = [d for d in top if d.name == "server" and _listens_on(d, port)]
    if not servers:
        return [f"no server listens on {port}"]
    problems: list[str] = []
    for server in servers:
        base = _gate(server, "")
        reachable = [
            (loc, gate)
            for loc, gate in _locations(server, base)
            if not loc.all("internal") and not (loc.args and loc.args[0].startswith("@"))
        ]
        if not reachable and not base:
            problems.append(f"the server on {port} has no auth_request")
        for location, gate in reachable:
            where = " ".join(location.args)
            if not gate:
                problems.append(f"location {where} has no auth_request")
            elif _target(server, gate) is None:
                problems.append(
                    f"location {where} sends auth_request to {gate}, which is no internal"
                    " location with a proxy_pass"
                )
    return problems
