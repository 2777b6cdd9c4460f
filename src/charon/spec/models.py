"""The typed platform description (``apiVersion: charon.dev/v1alpha1``, ``kind: Platform``).

These models are the schema: field names are the YAML keys (camelCase), every object forbids unknown
keys, and documentation strings become the JSON Schema descriptions editors show. They hold no
defaults that depend on other fields; ``charon.spec.resolve`` fills those in (tiers, storage
classes, hostnames) so that the compiler sees one normalised model.

Nothing secret is ever written here: secret *values* never appear in a platform description, only
references to Kubernetes Secrets and where they come from.
"""

from __future__ import annotations

import ipaddress
import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic.alias_generators import to_camel

__all__ = [
    "API_VERSION",
    "AgentSpec",
    "AuthMode",
    "AuthSpec",
    "BackupSpec",
    "CategorySpec",
    "ClusterSpec",
    "DnsProvider",
    "DnsSpec",
    "DnsType",
    "EgressSpec",
    "EnvSecretRef",
    "Exposure",
    "ForwardAuthSpec",
    "GitOpsSpec",
    "HeadscaleSpec",
    "IdentitySpec",
    "IngressClasses",
    "LdapSpec",
    "LimitRangeSpec",
    "MetadataSpec",
    "MetricsSpec",
    "OidcSpec",
    "Platform",
    "PodSecurityLevel",
    "QuotaSpec",
    "ResourceList",
    "ResourcesSpec",
    "Rfc2136Spec",
    "SecretSource",
    "SecretSpec",
    "Sensitivity",
    "ServiceKind",
    "ServiceSpec",
    "SidecarSpec",
    "SopsSpec",
    "StorageClasses",
    "StorageSpec",
    "TierSpec",
    "TlsSpec",
    "VpnMode",
    "VpnPrefixes",
    "VpnSpec",
    "WaiverSpec",
]

API_VERSION = "charon.dev/v1alpha1"

_DNS1123_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
_QUANTITY = r"^[0-9]+(\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti|P|Pi|E|Ei)?$"
_CIDR = r"^[0-9a-fA-F:.]+/[0-9]{1,3}$"

#: A DNS-1123 label: lower-case letters, digits and '-', at most 63 characters.
Name = Annotated[str, StringConstraints(pattern=_DNS1123_LABEL, min_length=1, max_length=63)]
#: A Kubernetes quantity such as ``100m``, ``256Mi`` or ``10Gi``.
Quantity = Annotated[str, StringConstraints(pattern=_QUANTITY)]
Cidr = Annotated[str, StringConstraints(pattern=_CIDR)]
#: A non-empty, human reason (for waivers and for auth modes that are not fail-closed).
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=8)]


def _is_cron(value: str) -> str:
    fields = value.split()
    if len(fields) != 5 and not value.startswith("@"):
        raise ValueError("a cron schedule has five fields, e.g. '17 3 * * *'")
    return value


Cron = Annotated[str, AfterValidator(_is_cron)]


def _is_dns_name(value: str) -> str:
    labels = value.rstrip(".").split(".")
    if not all(re.match(_DNS1123_LABEL, label) and len(label) <= 63 for label in labels):
        raise ValueError("must be a DNS name of lower-case labels, e.g. 'example.com'")
    return value.rstrip(".")


DnsName = Annotated[str, AfterValidator(_is_dns_name)]


def _is_egress_cidr(value: str) -> str:
    """A NetworkPolicy ``ipBlock`` matches addresses, so an egress target must be a CIDR range."""
    text = value.strip()
    if "/" in text:
        try:
            return str(ipaddress.ip_network(text, strict=True))
        except ValueError:
            pass
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise ValueError("not a CIDR range (address/prefix length)") from None
        raise ValueError(f"host bits are set: the range is {network}")
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        address = None
    if address is not None:
        raise ValueError(f"an address, not a range: write {address}/{address.max_prefixlen}")
    raise ValueError(
        "a DNS name cannot go into a NetworkPolicy, which matches addresses only;"
        " write the CIDR the name resolves to and keep the name in the reason"
    )


#: An egress destination: an IPv4 or IPv6 CIDR range, normalised (``10.0.5.0/24``).
EgressCidr = Annotated[str, AfterValidator(_is_egress_cidr)]


class _Model(BaseModel):
    """Base of every spec object: YAML keys in camelCase, unknown keys rejected, immutable."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        alias_generator=to_camel,
        populate_by_name=True,
        use_enum_values=False,
    )


# --------------------------------------------------------------------------------------------------
# enums


class PodSecurityLevel(StrEnum):
    privileged = "privileged"
    baseline = "baseline"
    restricted = "restricted"


class VpnMode(StrEnum):
    """How the Tailscale sidecar reaches the network.

    ``kernel`` uses a TUN device and needs NET_ADMIN (Pod Security "privileged"); nginx then sees
    the real 100.64.0.0/10 client address. ``userspace`` needs no capability, but connections
    reach nginx from 127.0.0.1, so the nginx allowlist proves only that traffic came through
    the sidecar.
    """

    kernel = "kernel"
    userspace = "userspace"


class Exposure(StrEnum):
    """Where a service can be reached from.

    ``internal``: the VPN-only internal ingress class. ``vpn``: directly on the pod's own tailnet
    address (DNS type ``vpn``). ``public``: the external ingress class (by policy, only the
    Headscale enrollment endpoint).
    """

    internal = "internal"
    vpn = "vpn"
    public = "public"


class AuthMode(StrEnum):
    """Ingress auth: ``required`` (fail-closed) by default; ``app`` and ``none`` need a reason."""

    required = "required"
    app = "app"
    public = "public"
    none = "none"


class DnsType(StrEnum):
    proxied = "proxied"
    non_proxied = "non-proxied"
    internal = "internal"
    vpn = "vpn"
    none = "none"


class DnsProvider(StrEnum):
    rfc2136 = "rfc2136"
    powerdns = "powerdns"
    cloudflare = "cloudflare"
    none = "none"


class Sensitivity(StrEnum):
    """What a volume holds; decides its StorageClass role and whether a backup is required."""

    sensitive = "sensitive"  # databases, auth, mail, anything personal: the encrypted class
    normal = "normal"  # caches, indexes, app state without secrets: the default class
    shared = "shared"  # RWX media libraries and datasets: the shared class
    scratch = "scratch"  # throwaway data: emptyDir, no PVC


class ServiceKind(StrEnum):
    """``web``: the nginx-tls + app + tailscale pattern. ``plain``: the app container alone."""

    web = "web"
    plain = "plain"


class SecretSource(StrEnum):
    existing = "existing"  # created out of band; Charon only references it
    external = "external"  # an ExternalSecret from a (Cluster)SecretStore such as Vault
    sops = "sops"  # a SOPS-encrypted manifest committed beside the spec
    sealed = "sealed"  # a SealedSecret manifest committed beside the spec


# --------------------------------------------------------------------------------------------------
# platform-wide settings


class MetadataSpec(_Model):
    name: Name = Field(description="Platform name; labels every object as charon.dev/platform.")


class StorageClasses(_Model):
    """StorageClass names for each role. Every PVC Charon writes names one of these."""

    default: Name = Field(description="Block storage for non-sensitive data.")
    encrypted: Name = Field(description="Encrypted block storage for anything sensitive.")
    shared: Name | None = Field(default=None, description="RWX (NFS) storage for shared data.")


class IngressClasses(_Model):
    internal: Name = Field(default="nginx", description="VPN-only ingress class (the default).")
    external: Name = Field(default="nginx-external", description="Public ingress class.")
    internal_namespace: Name = Field(
        default="ingress-nginx",
        description="Namespace of the internal controller; NetworkPolicies admit it on 443.",
    )
    external_namespace: Name = Field(
        default="ingress-nginx-external",
        description="Namespace of the external controller; NetworkPolicies admit it.",
    )


class TlsSpec(_Model):
    """The wildcard certificate: from an issuer (Charon writes the Certificate) or a Secret."""

    wildcard_secret: Name = Field(default="wildcard-tls", description="Secret holding tls.crt/key.")
    issuer: Name | None = Field(default=None, description="cert-manager issuer for the wildcard.")
    issuer_kind: Literal["ClusterIssuer", "Issuer"] = "ClusterIssuer"


class ClusterSpec(_Model):
    domain: DnsName = Field(description="Base domain; services are <hostname>.<domain>.")
    internal_domain: DnsName | None = Field(
        default=None, description="Domain for DNS type 'internal' (e.g. a .lan zone)."
    )
    storage_classes: StorageClasses
    ingress_classes: IngressClasses = IngressClasses()
    tls: TlsSpec = TlsSpec()
    pod_cidr: Cidr = Field(
        default="10.244.0.0/16",
        description="Pod network; trusted as X-Forwarded-For source from the internal ingress.",
    )


class HeadscaleSpec(_Model):
    url: str = Field(description="Public enrollment URL, e.g. https://headscale.example.com.")
    internal_url: str = Field(
        default="http://headscale.core.svc.cluster.local:8080",
        description="URL pods use as --login-server and the agent uses for the API.",
    )
    namespace: Name = Field(default="core", description="Namespace Headscale runs in.")
    service: Name = Field(
        default="headscale", description="The service that is the public enrollment endpoint."
    )
    user: Name = Field(default="charon", description="Headscale user that pod nodes belong to.")
    tags: list[Annotated[str, StringConstraints(pattern=r"^tag:[a-z0-9-]+$")]] = []
    api_key_secret: Name = Field(
        default="charon-headscale-api-key",
        description="Secret (key 'api-key') in each service namespace for the lifecycle agent.",
    )


class VpnPrefixes(_Model):
    v4: Cidr = "100.64.0.0/10"
    v6: Cidr = "fd7a:115c:a1e0::/48"


class SidecarSpec(_Model):
    image: str = Field(default="tailscale/tailscale:v1.98.1", description="Tailscale image.")
    mode: VpnMode = VpnMode.kernel


class AgentSpec(_Model):
    image: str = Field(
        default="ghcr.io/charon-dev/charon-agent:0.1.0", description="Lifecycle agent image."
    )


class VpnSpec(_Model):
    headscale: HeadscaleSpec
    prefixes: VpnPrefixes = VpnPrefixes()
    sidecar: SidecarSpec = SidecarSpec()
    agent: AgentSpec = AgentSpec()


class Rfc2136Spec(_Model):
    server: str
    port: int = Field(default=53, ge=1, le=65535)
    key_name: str
    algorithm: str = "hmac-sha256"


class DnsSpec(_Model):
    provider: DnsProvider = DnsProvider.none
    zone: DnsName | None = None
    owner_id: Name = Field(default="charon", description="Owner id in our TXT ownership records.")
    credentials_secret: Name = Field(
        default="charon-dns", description="Secret with the provider credentials (token, TSIG)."
    )
    rfc2136: Rfc2136Spec | None = None
    powerdns_url: str | None = None
    powerdns_server_id: str = Field(default="localhost", description="PowerDNS server id.")
    cloudflare_zone_id: str | None = Field(
        default=None, description="Cloudflare zone id (provider cloudflare); not a secret."
    )
    ttl: int = Field(default=60, ge=1, le=86400)


class LdapSpec(_Model):
    url: str = Field(description="ldaps://host:636")
    base_dn: str
    bind_secret: Name | None = None


class OidcSpec(_Model):
    issuer: str
    client_secret: Name | None = None


class ForwardAuthSpec(_Model):
    url: str = Field(description="Auth subrequest URL for auth mode 'required'.")
    signin: str | None = None


class IdentitySpec(_Model):
    ldap: LdapSpec | None = None
    oidc: OidcSpec | None = None
    forward_auth: ForwardAuthSpec | None = None


# --------------------------------------------------------------------------------------------------
# tiers and categories


class LimitRangeSpec(_Model):
    default_memory: Quantity | None = None
    default_request_cpu: Quantity | None = None
    default_request_memory: Quantity | None = None
    max_memory: Quantity | None = None


class QuotaSpec(_Model):
    requests_cpu: Quantity | None = None
    requests_memory: Quantity | None = None
    limits_memory: Quantity | None = None
    pods: int | None = Field(default=None, ge=0)


class TierSpec(_Model):
    """A namespace tier. The five tiers of DESIGN.md §3.1 are built in; fields here override."""

    priority: int | None = Field(default=None, ge=-1_000_000_000, le=1_000_000_000)
    preemption: Literal["PreemptLowerPriority", "Never"] | None = None
    limits: LimitRangeSpec = LimitRangeSpec()
    quota: QuotaSpec = QuotaSpec()


class CategorySpec(_Model):
    """A category is a namespace with a tier, owners and a Pod Security level."""

    tier: Name = Field(description="One of the tiers (0-core, 1-cluster, 2-gpu, 3-edge, 4-aux).")
    owners: list[str] = Field(default=[], description="Users or groups bound to admin here.")
    pod_security: PodSecurityLevel | None = Field(
        default=None, description="Pod Security level; derived from the pods' needs if omitted."
    )
    limits: LimitRangeSpec = LimitRangeSpec()
    quota: QuotaSpec = QuotaSpec()
    description: str = ""


# --------------------------------------------------------------------------------------------------
# services


class ResourceList(_Model):
    cpu: Quantity | None = None
    memory: Quantity | None = None


class ResourcesSpec(_Model):
    requests: ResourceList = ResourceList()
    limits: ResourceList = ResourceList()


class BackupSpec(_Model):
    schedule: Cron = "17 3 * * *"
    retention: int = Field(default=7, ge=1, description="Copies kept.")
    target: str = Field(default="", description="Backup destination PVC or path; default per tier.")
    method: Literal["cronjob", "velero"] = "cronjob"


class StorageSpec(_Model):
    size: Quantity
    mount_path: str = Field(pattern=r"^/")
    sensitivity: Sensitivity = Sensitivity.normal
    storage_class: Name | None = Field(
        default=None, description="Override; must still be the encrypted class for sensitive data."
    )
    backup: BackupSpec | bool | None = Field(
        default=None, description="Backup settings; sensitive volumes are backed up unless false."
    )


class EnvSecretRef(_Model):
    secret: Name
    key: str


class AuthSpec(_Model):
    mode: AuthMode = AuthMode.required
    reason: Reason | None = Field(default=None, description="Required for 'app' and 'none'.")


class MetricsSpec(_Model):
    port: int = Field(ge=1, le=65535)
    path: str = "/metrics"
    interval: str = "30s"


class EgressSpec(_Model):
    """Traffic a service may start beyond DNS, the tailnet and its ``dependsOn`` services."""

    to: EgressCidr = Field(
        description="Destination CIDR (e.g. 203.0.113.10/32); DNS names are rejected because a"
        " NetworkPolicy matches addresses only."
    )
    ports: list[Annotated[int, Field(ge=1, le=65535)]] = Field(
        min_length=1, description="Destination ports."
    )
    protocol: Literal["TCP", "UDP"] = "TCP"
    reason: Reason = Field(description="What the service talks to there, and why.")


class WaiverSpec(_Model):
    rule: str = Field(description="Policy rule id to waive, e.g. 'image-pinned'.")
    reason: Reason
    object: str | None = Field(default=None, description="Limit to one object, Kind/name.")


class ServiceSpec(_Model):
    category: Name
    kind: ServiceKind = ServiceKind.web
    image: str
    port: int = Field(ge=1, le=65535, description="Port the app listens on (localhost for web).")
    replicas: int = Field(default=1, ge=0, le=100)
    hostname: Name | None = Field(default=None, description="Defaults to the service name.")
    command: list[str] | None = None
    args: list[str] | None = None
    env: dict[str, str] = {}
    secret_env: dict[str, EnvSecretRef] = {}
    storage: dict[Name, StorageSpec] = {}
    exposure: Exposure = Exposure.internal
    auth: AuthSpec = AuthSpec()
    dns: DnsType | None = Field(default=None, description="Defaults from the exposure.")
    lifecycle: bool = Field(
        default=False, description="Add the agent init container + DNS sidecar."
    )
    metrics: MetricsSpec | None = None
    resources: ResourcesSpec = ResourcesSpec()
    run_as_user: int | None = Field(
        default=None, ge=1, le=2_147_483_647, description="Non-root uid of the app container."
    )
    fs_group: int | None = Field(
        default=None,
        ge=1,
        le=2_147_483_647,
        description="Group owning the volumes (also lets the backup job read them).",
    )
    depends_on: list[Name] = Field(default=[], description="Services that must be ready first.")
    egress: list[EgressSpec] = Field(
        default=[], description="Extra egress (external databases, APIs), CIDRs with a reason."
    )
    waivers: list[WaiverSpec] = []
    description: str = ""


class SecretSpec(_Model):
    """A Kubernetes Secret the platform needs; never its value."""

    namespace: Name = Field(description="Category (namespace) the Secret lives in.")
    source: SecretSource = SecretSource.existing
    store: Name | None = Field(default=None, description="ClusterSecretStore (source: external).")
    remote_key: str | None = Field(default=None, description="Remote path (source: external).")
    keys: list[str] = Field(default=[], description="Keys the Secret holds.")
    file: str | None = Field(default=None, description="Encrypted manifest (source: sops|sealed).")


class SopsSpec(_Model):
    age_recipients: list[Annotated[str, StringConstraints(pattern=r"^age1[0-9a-z]{20,}$")]] = []


class GitOpsSpec(_Model):
    source: Name = Field(default="flux-system", description="Flux GitRepository name.")
    interval: str = "10m"
    path: str = Field(default="", description="Path of the rendered tree inside the repository.")
    layout: Literal["unit", "object"] = Field(
        default="unit",
        description=(
            "'unit': one multi-document resources.yaml per unit (few files: fast to write, commit"
            " and sync); 'object': one file per object."
        ),
    )


class Platform(_Model):
    """The whole platform: one file, compiled into everything the platform needs."""

    api_version: Literal["charon.dev/v1alpha1"]
    kind: Literal["Platform"]
    metadata: MetadataSpec
    cluster: ClusterSpec
    vpn: VpnSpec
    dns: DnsSpec = DnsSpec()
    identity: IdentitySpec = IdentitySpec()
    tiers: dict[Name, TierSpec] = Field(default={}, description="Overrides of the built-in tiers.")
    categories: dict[Name, CategorySpec]
    services: dict[Name, ServiceSpec] = {}
    secrets: dict[Name, SecretSpec] = {}
    sops: SopsSpec = SopsSpec()
    gitops: GitOpsSpec = GitOpsSpec()
    waivers: list[WaiverSpec] = []
    components: dict[Name, dict[str, object]] = Field(
        default={}, description="Reserved for platform components (a later version)."
    )
    tenants: dict[Name, dict[str, object]] = Field(
        default={}, description="Reserved for tenants (a later version)."
    )
