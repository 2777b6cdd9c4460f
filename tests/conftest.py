"""Shared pytest configuration: real-peer fixtures live in ``tests/peers``."""

pytest_plugins = ["peers.kube", "peers.vpn", "peers.services"]
