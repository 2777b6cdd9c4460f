"""Things the compiler noticed but cannot fix, shown by ``charon check`` and ``charon render``."""

from __future__ import annotations

from charon.compile.context import Context
from charon.spec.models import AuthMode, DnsProvider, DnsType, Sensitivity, ServiceKind

__all__ = ["notes"]


def notes(ctx: Context) -> list[str]:
    out: list[str] = []
    platform = ctx.platform
    for ref in ctx.services.values():
        where = f"services.{ref.name}"
        if ref.dns is DnsType.vpn and not (ref.web and ref.spec.lifecycle):
            out.append(
                f"{where}: DNS type 'vpn' needs the lifecycle agent (kind web, lifecycle: true);"
                " no record will be kept"
            )
        if ref.dns is DnsType.vpn and platform.dns.provider is DnsProvider.none:
            out.append(f"{where}: DNS type 'vpn' but dns.provider is 'none'; no record is written")
        if ref.spec.auth.mode is AuthMode.required and platform.identity.forward_auth is None:
            out.append(f"{where}: auth 'required' without identity.forwardAuth; nothing gates it")
        if ref.spec.lifecycle and ref.spec.kind is ServiceKind.plain:
            out.append(f"{where}: lifecycle applies to web services only; ignored")
        for name, storage in sorted(ref.spec.storage.items()):
            if (
                storage.sensitivity is Sensitivity.shared
                and platform.cluster.storage_classes.shared is None
            ):
                out.append(
                    f"{where}.storage.{name}: shared data but no storageClasses.shared; "
                    "using the default class"
                )
            if (
                storage.backup is not None
                and storage.backup is not False
                and (not isinstance(storage.backup, bool) and storage.backup.method == "velero")
            ):
                out.append(
                    f"{where}.storage.{name}: Velero backups are left to the Velero component"
                )
    return sorted(out)
