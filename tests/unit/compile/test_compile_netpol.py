"""NetworkPolicy holes a service declares itself (``services.X.egress``)."""

from __future__ import annotations

from typing import Any

from _compile_helpers import build, example, find

from charon.compile.netpol import EGRESS_REASONS

PG = {"to": "198.51.100.20/32", "ports": [5432], "reason": "the external PostgreSQL"}
DNS = {"to": "2001:DB8:5::/48", "ports": [53, 53], "protocol": "UDP", "reason": "lab resolvers"}


def _rule(cidr: str, port: int, protocol: str = "TCP") -> dict[str, Any]:
    return {"to": [{"ipBlock": {"cidr": cidr}}], "ports": [{"port": port, "protocol": protocol}]}


def _declared(egress: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rules to one address block (the built-in ones go to 0.0.0.0/0 and ::/0 together)."""
    return [r for r in egress if len(r["to"]) == 1 and "ipBlock" in r["to"][0]]


def test_declared_egress_becomes_ip_block_rules_sorted_and_deduplicated() -> None:
    compiled = build(services={"web": {"egress": [DNS, PG, PG]}})
    policy = find(compiled, "NetworkPolicy", "web", "apps")
    assert _declared(policy["spec"]["egress"]) == [
        _rule("198.51.100.20/32", 5432),
        _rule("2001:db8:5::/48", 53, "UDP"),
    ]
    assert policy["metadata"]["annotations"][EGRESS_REASONS] == (
        "198.51.100.20/32 TCP/5432: the external PostgreSQL\n2001:db8:5::/48 UDP/53: lab resolvers"
    )


def test_no_declared_egress_adds_no_rule_and_no_annotation() -> None:
    policy = find(build(), "NetworkPolicy", "web", "apps")
    assert "annotations" not in policy["metadata"]
    assert _declared(policy["spec"]["egress"]) == []


def test_plain_service_gets_its_declared_egress_too() -> None:
    compiled = build(services={"web": {"kind": "plain", "egress": [PG]}})
    egress = find(compiled, "NetworkPolicy", "web", "apps")["spec"]["egress"]
    assert egress == [_rule("198.51.100.20/32", 5432)]


def test_redmine_example_reaches_its_external_postgresql_only() -> None:
    policy = find(example("charon"), "NetworkPolicy", "redmine", "gitops")
    assert _declared(policy["spec"]["egress"]) == [_rule("198.51.100.20/32", 5432)]
    assert "postgres.example.com" in policy["metadata"]["annotations"][EGRESS_REASONS]


def test_gated_pods_reach_an_outside_forward_auth_endpoint_on_its_port() -> None:
    compiled = build(identity={"forwardAuth": {"url": "http://auth.t.example:9091/verify"}})
    egress = find(compiled, "NetworkPolicy", "web", "apps")["spec"]["egress"]
    anywhere = [{"ipBlock": {"cidr": "0.0.0.0/0"}}, {"ipBlock": {"cidr": "::/0"}}]
    assert {"to": anywhere, "ports": [{"port": 9091, "protocol": "TCP"}]} in egress
    on_443 = build(identity={"forwardAuth": {"url": "https://auth.t.example/verify"}})
    before = find(build(), "NetworkPolicy", "web", "apps")["spec"]["egress"]
    assert find(on_443, "NetworkPolicy", "web", "apps")["spec"]["egress"] == before


def test_in_cluster_forward_auth_opens_both_ends() -> None:
    url = "http://auth.core.svc.cluster.local:9091/api/verify"
    auth = {"category": "core", "kind": "plain", "image": "x/auth:1.0", "port": 9091}
    app = {"auth": {"mode": "app", "reason": "its own login"}}
    compiled = build(
        categories={"core": {"tier": "0-core"}},
        identity={"forwardAuth": {"url": url}},
        services={"auth": {**auth, **app}, "other": {**auth, **app, "category": "apps"}},
    )
    to_auth = {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "core"}},
        "podSelector": {"matchLabels": {"app.kubernetes.io/name": "auth"}},
    }
    web = find(compiled, "NetworkPolicy", "web", "apps")["spec"]["egress"]
    assert {"to": [to_auth], "ports": [{"port": 9091, "protocol": "TCP"}]} in web
    from_web = {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "apps"}},
        "podSelector": {"matchLabels": {"app.kubernetes.io/name": "web"}},
    }
    ingress = find(compiled, "NetworkPolicy", "auth", "core")["spec"]["ingress"]
    assert {"from": [from_web], "ports": [{"port": 9091, "protocol": "TCP"}]} in ingress
    other = find(compiled, "NetworkPolicy", "other", "apps")["spec"]
    assert to_auth not in [p for r in other.get("egress", []) for p in r["to"]]


def test_unmanaged_in_cluster_endpoint_is_reached_by_namespace() -> None:
    url = "http://oauth2-proxy.core.svc.cluster.local:4180/oauth2/auth"
    egress = find(build(identity={"forwardAuth": {"url": url}}), "NetworkPolicy", "web", "apps")
    core = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "core"}}}
    assert {"to": [core], "ports": [{"port": 4180, "protocol": "TCP"}]} in egress["spec"]["egress"]
