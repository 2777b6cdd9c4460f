"""The DNS, web, secrets and rules peers behave like the real programs they are."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import dns.exception
import dns.name
import dns.query
import dns.rcode
import dns.tsig
import dns.tsigkeyring
import dns.update
import dns.zone
import httpx
import pytest
import yaml

from peers.services import AgeKeypair, DnsServer, NginxServer, Sops, free_port


def _keyring(server: DnsServer) -> dict[dns.name.Name, dns.tsig.Key]:
    return dns.tsigkeyring.from_text(
        {server.tsig_name: (server.tsig_algorithm, server.tsig_secret)}
    )


def _update(server: DnsServer, name: str, address: str, *, signed: bool) -> int:
    update = dns.update.UpdateMessage(
        server.zone,
        keyring=_keyring(server) if signed else None,
        keyname=dns.name.from_text(server.tsig_name) if signed else None,
        keyalgorithm=dns.tsig.HMAC_SHA256,
    )
    update.replace(name, 60, "A", address)
    response = dns.query.tcp(update, server.host, port=server.port, timeout=5)
    return int(response.rcode())


def test_bind_accepts_a_tsig_signed_update_and_answers_it(dns_server: DnsServer) -> None:
    name = f"signed.{dns_server.zone}"
    assert _update(dns_server, "signed", "100.64.0.7", signed=True) == dns.rcode.NOERROR
    assert dns_server.query(name, "A") == ["100.64.0.7"]


def test_bind_refuses_an_unsigned_update(dns_server: DnsServer) -> None:
    assert _update(dns_server, "unsigned", "100.64.0.8", signed=False) == dns.rcode.REFUSED
    assert dns_server.query(f"unsigned.{dns_server.zone}", "A") == []


def test_bind_keeps_updates_across_a_restart(dns_server: DnsServer) -> None:
    assert _update(dns_server, "durable", "100.64.0.9", signed=True) == dns.rcode.NOERROR
    dns_server.stop()
    dns_server.start()
    assert dns_server.query(f"durable.{dns_server.zone}", "A") == ["100.64.0.9"]


def test_bind_transfers_the_zone_only_to_the_tsig_key(dns_server: DnsServer) -> None:
    # RFC 2136 clients (external-dns) list records by AXFR before they update or delete.
    assert _update(dns_server, "listed", "100.64.0.10", signed=True) == dns.rcode.NOERROR
    zone = dns.zone.from_xfr(
        dns.query.xfr(
            dns_server.host,
            dns_server.zone,
            port=dns_server.port,
            keyring=_keyring(dns_server),
            keyname=dns_server.tsig_name,
            timeout=5,
        )
    )
    assert zone.get_rdataset("listed", "A") is not None
    with pytest.raises(dns.exception.DNSException):
        dns.zone.from_xfr(
            dns.query.xfr(dns_server.host, dns_server.zone, port=dns_server.port, timeout=5)
        )


SECRET = {
    "apiVersion": "v1",
    "kind": "Secret",
    "metadata": {"name": "app-credentials", "namespace": "apps"},
    "type": "Opaque",
    "stringData": {"password": "correct-horse-battery", "user": "app"},
}


def test_sops_encrypts_secret_data_for_an_age_recipient(
    tmp_path: Path, sops: Sops, age_keypair: AgeKeypair
) -> None:
    plain = tmp_path / "secret.yaml"
    plain.write_text(yaml.safe_dump(SECRET))

    encrypted_text = sops.encrypt(plain, [age_keypair.recipient])
    encrypted = yaml.safe_load(encrypted_text)
    assert encrypted["metadata"] == SECRET["metadata"]
    assert encrypted["kind"] == "Secret"
    assert all(v.startswith("ENC[AES256_GCM,") for v in encrypted["stringData"].values())
    assert "correct-horse-battery" not in encrypted_text
    assert [r["recipient"] for r in encrypted["sops"]["age"]] == [age_keypair.recipient]

    sealed = tmp_path / "secret.sops.yaml"
    sealed.write_text(encrypted_text)
    assert yaml.safe_load(sops.decrypt(sealed, age_keypair.identity_file)) == SECRET


def test_sops_cannot_decrypt_without_the_identity(
    tmp_path: Path, sops: Sops, age_keypair: AgeKeypair
) -> None:
    plain = tmp_path / "secret.yaml"
    plain.write_text(yaml.safe_dump(SECRET))
    sealed = tmp_path / "secret.sops.yaml"
    sealed.write_text(sops.encrypt(plain, [age_keypair.recipient]))
    stranger = tmp_path / "other.txt"
    stranger.write_text("")
    try:
        sops.decrypt(sealed, stranger)
    except RuntimeError as exc:
        assert "correct-horse-battery" not in str(exc)
    else:
        raise AssertionError("sops decrypted without the age identity")


def test_promtool_accepts_good_rules_and_rejects_bad(tmp_path: Path, promtool: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(
        yaml.safe_dump(
            {
                "groups": [
                    {
                        "name": "charon",
                        "rules": [{"alert": "Down", "expr": "up == 0", "for": "5m"}],
                    }
                ]
            }
        )
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        yaml.safe_dump({"groups": [{"name": "charon", "rules": [{"alert": "X", "expr": "up =="}]}]})
    )
    check = [str(promtool), "check", "rules"]
    ok = subprocess.run(
        [*check, str(good)], check=False, capture_output=True, text=True, timeout=60
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    broken = subprocess.run(
        [*check, str(bad)], check=False, capture_output=True, text=True, timeout=60
    )
    assert broken.returncode != 0


def test_nginx_t_passes_on_a_trivial_config(nginx_server: Callable[..., NginxServer]) -> None:
    port = free_port()
    server = nginx_server(f"server {{\n    listen 127.0.0.1:{port};\n    return 204;\n}}\n")
    result = server.test()
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr
    with httpx.Client() as client:
        assert client.get(f"http://127.0.0.1:{port}/").status_code == 204


def test_nginx_t_rejects_a_broken_config(nginx_server: Callable[..., NginxServer]) -> None:
    try:
        nginx_server("server {\n    listen 127.0.0.1:1 bogus_flag;\n}\n")
    except RuntimeError as exc:
        assert "bogus_flag" in str(exc)
    else:
        raise AssertionError("nginx started with an invalid listen parameter")
