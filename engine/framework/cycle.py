"""What one scheduling cycle sees, for the plain-Python reference scheduler.

``Snapshot`` is the cluster as kube-scheduler's cache snapshot holds it (nodes in node-tree
order, pods per node); ``CycleState`` carries one pod's per-plugin pre-computed data, like
upstream's ``CycleState``. ``Status`` is a plugin verdict.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.framework.features import DEFAULT_FEATURE_GATES, FeatureGates
from engine.framework.profile import Profile
from engine.framework.status import CODE_NAMES, SUCCESS
from engine.objects import (
    LABEL_REGION,
    LABEL_REGION_BETA,
    LABEL_ZONE,
    LABEL_ZONE_BETA,
    Namespace,
    Node,
    Pod,
    Service,
    Workload,
)

SKIP = 10  # PreFilter/PreScore "Skip": the plugin does nothing for this pod


@dataclass(frozen=True)
class Status:
    code: int = SUCCESS
    reasons: tuple[str, ...] = ()
    plugin: str = ""

    @property
    def ok(self) -> bool:
        return self.code == SUCCESS

    @property
    def code_name(self) -> str:
        return CODE_NAMES.get(self.code, "Skip" if self.code == SKIP else str(self.code))


OK = Status()


def zone_key(labels: dict[str, str]) -> str:
    """``GetZoneKey``: region and zone; a beta label wins whenever present, even if empty."""
    zone = labels[LABEL_ZONE_BETA] if LABEL_ZONE_BETA in labels else labels.get(LABEL_ZONE, "")
    region = labels[LABEL_REGION_BETA] if LABEL_REGION_BETA in labels else labels.get(LABEL_REGION, "")
    if not region and not zone:
        return ""
    return f"{region}:\x00:{zone}"


def node_tree_order(nodes: list[Node]) -> list[Node]:
    """The node tree's list(): zones in order of first appearance, interleaved round-robin."""
    zones: dict[str, list[Node]] = {}
    for node in nodes:
        zones.setdefault(zone_key(node.labels), []).append(node)
    out: list[Node] = []
    depth = 0
    while len(out) < len(nodes):
        for members in zones.values():
            if depth < len(members):
                out.append(members[depth])
        depth += 1
    return out


@dataclass
class Snapshot:
    """Cluster state for one cycle. ``nodes`` must already be in node-tree order."""

    nodes: list[Node]
    pods: dict[str, list[Pod]] = field(default_factory=dict)
    namespaces: dict[str, Namespace] = field(default_factory=dict)
    services: list[Service] = field(default_factory=list)
    workloads: list[Workload] = field(default_factory=list)

    def pods_on(self, node: Node) -> list[Pod]:
        return self.pods.get(node.name, [])

    def namespace_labels(self, name: str) -> dict[str, str]:
        ns = self.namespaces.get(name)
        return ns.labels if ns else {}

    def with_pod(self, pod: Pod, node_name: str) -> Snapshot:
        """A copy with ``pod`` added to ``node_name`` (assume / nominated-pod passes)."""
        pods = dict(self.pods)
        pods[node_name] = [*pods.get(node_name, []), pod]
        return Snapshot(self.nodes, pods, self.namespaces, self.services, self.workloads)


@dataclass
class CycleState:
    """Per-pod, per-cycle data written by PreFilter/PreScore and read by Filter/Score."""

    pod: Pod
    snapshot: Snapshot
    profile: Profile
    gates: FeatureGates = DEFAULT_FEATURE_GATES
    data: dict[str, object] = field(default_factory=dict)
