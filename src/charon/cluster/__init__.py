"""Driving a cluster: plan (pure data), apply with server-side apply, wait, prune, status.

Modelled on Flux's kustomize-controller and kubernetes-sigs/cli-utils: field manager ``charon``,
stage 1 for cluster definitions, dry-run then write only what differs, an inventory per platform
in the cluster, prune limited to objects still carrying our owner labels. The engine is async
and does its I/O through :class:`~charon.cluster.transport.Transport`; :mod:`.session` gives the
command line a synchronous door. Errors are :class:`charon.errors.ClusterError` (object id and the
API's causes) or its :class:`~charon.errors.ConflictError`.
"""

from __future__ import annotations

from charon.cluster.engine import ApplyResult, apply_plan, load_plan
from charon.cluster.events import Action, Change, Event, PruneOutcome, Reporter
from charon.cluster.executor import ApplyOptions
from charon.cluster.inventory import Inventory, ObjectRef
from charon.cluster.kstatus import Health, Status, compute
from charon.cluster.plan import Plan, PlannedObject, PruneItem, Stage, build_plan
from charon.cluster.status import PlatformStatus, read_status
from charon.cluster.transport import FIELD_MANAGER, KubeTransport, Transport

__all__ = [
    "FIELD_MANAGER",
    "Action",
    "ApplyOptions",
    "ApplyResult",
    "Change",
    "Event",
    "Health",
    "Inventory",
    "KubeTransport",
    "ObjectRef",
    "Plan",
    "PlannedObject",
    "PlatformStatus",
    "PruneItem",
    "PruneOutcome",
    "Reporter",
    "Stage",
    "Status",
    "Transport",
    "apply_plan",
    "build_plan",
    "compute",
    "load_plan",
    "read_status",
]
