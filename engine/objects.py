"""Typed Kubernetes objects: the subset of the API the scheduler and the simulator read.

These are plain dataclasses, already validated and converted (quantities are integers:
cpu in millicores, everything else in base units). ``workloads.manifests`` builds them from
YAML/JSON; the reference scheduler reads them directly; ``engine.state`` compiles them into
columnar arrays. Field names follow the Kubernetes API in snake_case.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Resource lists map a resource name to its integer value (cpu: millicores; others: units).
ResourceList = dict[str, int]

# Taint effects and toleration operators, as the API spells them.
NO_SCHEDULE = "NoSchedule"
PREFER_NO_SCHEDULE = "PreferNoSchedule"
NO_EXECUTE = "NoExecute"
TAINT_EFFECTS = (NO_SCHEDULE, PREFER_NO_SCHEDULE, NO_EXECUTE)

LABEL_HOSTNAME = "kubernetes.io/hostname"
LABEL_ZONE = "topology.kubernetes.io/zone"
LABEL_REGION = "topology.kubernetes.io/region"
LABEL_ZONE_BETA = "failure-domain.beta.kubernetes.io/zone"
LABEL_REGION_BETA = "failure-domain.beta.kubernetes.io/region"


@dataclass(frozen=True)
class Taint:
    key: str
    value: str = ""
    effect: str = NO_SCHEDULE
    # Set by the node lifecycle controller on NoExecute taints; milliseconds of simulated time.
    time_added_ms: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Toleration:
    key: str = ""
    operator: str = "Equal"  # Equal | Exists | Gt | Lt (Gt/Lt need an alpha feature gate)
    value: str = ""
    effect: str = ""  # empty tolerates every effect
    toleration_seconds: int | None = None


@dataclass(frozen=True)
class Requirement:
    """One ``matchExpressions`` / ``matchFields`` entry (label or field selector requirement)."""

    key: str
    operator: str  # In | NotIn | Exists | DoesNotExist | Gt | Lt
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class NodeSelectorTerm:
    match_expressions: tuple[Requirement, ...] = ()
    match_fields: tuple[Requirement, ...] = ()


@dataclass(frozen=True)
class PreferredSchedulingTerm:
    weight: int
    preference: NodeSelectorTerm


@dataclass(frozen=True)
class NodeAffinity:
    # None: no requiredDuringSchedulingIgnoredDuringExecution at all (matches every node).
    required: tuple[NodeSelectorTerm, ...] | None = None
    preferred: tuple[PreferredSchedulingTerm, ...] = ()


@dataclass(frozen=True)
class LabelSelector:
    """metav1.LabelSelector. An empty selector matches everything; ``None`` means nothing."""

    match_labels: tuple[tuple[str, str], ...] = ()
    match_expressions: tuple[Requirement, ...] = ()

    def is_empty(self) -> bool:
        return not self.match_labels and not self.match_expressions


@dataclass(frozen=True)
class PodAffinityTerm:
    topology_key: str
    label_selector: LabelSelector | None = None
    namespaces: tuple[str, ...] = ()
    namespace_selector: LabelSelector | None = None
    match_label_keys: tuple[str, ...] = ()
    mismatch_label_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class WeightedPodAffinityTerm:
    weight: int
    term: PodAffinityTerm


@dataclass(frozen=True)
class PodAffinity:
    """Used for both podAffinity and podAntiAffinity (same shape)."""

    required: tuple[PodAffinityTerm, ...] = ()
    preferred: tuple[WeightedPodAffinityTerm, ...] = ()


@dataclass(frozen=True)
class Affinity:
    node_affinity: NodeAffinity | None = None
    pod_affinity: PodAffinity | None = None
    pod_anti_affinity: PodAffinity | None = None


@dataclass(frozen=True)
class TopologySpreadConstraint:
    max_skew: int
    topology_key: str
    when_unsatisfiable: str  # DoNotSchedule | ScheduleAnyway
    label_selector: LabelSelector | None = None
    min_domains: int | None = None
    node_affinity_policy: str | None = None  # Honor (default) | Ignore
    node_taints_policy: str | None = None  # Ignore (default) | Honor
    match_label_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class ContainerPort:
    container_port: int
    host_port: int = 0
    protocol: str = "TCP"
    host_ip: str = ""


@dataclass
class Container:
    name: str = ""
    image: str = ""
    requests: ResourceList = field(default_factory=dict)
    limits: ResourceList = field(default_factory=dict)
    ports: list[ContainerPort] = field(default_factory=list)
    # Only init containers: "Always" marks a sidecar (restartable init container).
    restart_policy: str | None = None

    @property
    def is_sidecar(self) -> bool:
        return self.restart_policy == "Always"


@dataclass(frozen=True)
class OwnerReference:
    api_version: str
    kind: str
    name: str
    controller: bool = False
    uid: str = ""


@dataclass
class Pod:
    name: str
    namespace: str = "default"
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    owner_references: list[OwnerReference] = field(default_factory=list)
    uid: str = ""
    # Resolved priority (spec.priority, or from the PriorityClass at admission); None = unset (0).
    priority: int | None = None
    priority_class_name: str = ""
    preemption_policy: str | None = None  # PreemptLowerPriority (default) | Never
    node_name: str = ""
    node_selector: dict[str, str] = field(default_factory=dict)
    affinity: Affinity | None = None
    tolerations: list[Toleration] = field(default_factory=list)
    topology_spread_constraints: list[TopologySpreadConstraint] = field(default_factory=list)
    containers: list[Container] = field(default_factory=list)
    init_containers: list[Container] = field(default_factory=list)
    overhead: ResourceList = field(default_factory=dict)
    # Pod-level spec.resources (PodLevelResources, beta and on in v1.35).
    resource_requests: ResourceList | None = None
    resource_limits: ResourceList | None = None
    scheduling_gates: list[str] = field(default_factory=list)
    scheduler_name: str = "default-scheduler"
    nominated_node_name: str = ""
    # Being deleted (metadata.deletionTimestamp set): PodTopologySpread does not count it.
    terminating: bool = False
    # spec.terminationGracePeriodSeconds; None = the simulator's default (30 s upstream).
    termination_grace_period_seconds: int | None = None

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"

    @property
    def effective_priority(self) -> int:
        return self.priority if self.priority is not None else 0


@dataclass(frozen=True)
class ContainerImage:
    names: tuple[str, ...]
    size_bytes: int


@dataclass
class Node:
    name: str
    labels: dict[str, str] = field(default_factory=dict)
    taints: list[Taint] = field(default_factory=list)
    unschedulable: bool = False
    allocatable: ResourceList = field(default_factory=dict)
    capacity: ResourceList = field(default_factory=dict)
    images: list[ContainerImage] = field(default_factory=list)


@dataclass
class Namespace:
    name: str
    labels: dict[str, str] = field(default_factory=dict)


@dataclass
class Service:
    name: str
    namespace: str = "default"
    selector: dict[str, str] = field(default_factory=dict)


@dataclass
class Workload:
    """A ReplicaSet, StatefulSet, ReplicationController, Deployment, DaemonSet or Job.

    The scheduler only needs ``kind``, namespace, name and selector (PodTopologySpread system
    defaults); controllers (later) also read replicas and the raw pod template.
    """

    kind: str
    name: str
    namespace: str = "default"
    selector: LabelSelector | None = None
    replicas: int | None = None
    template: dict | None = None
    spec: dict = field(default_factory=dict)


@dataclass
class PriorityClass:
    name: str
    value: int
    global_default: bool = False
    preemption_policy: str = "PreemptLowerPriority"


@dataclass
class PodDisruptionBudget:
    name: str
    namespace: str = "default"
    selector: LabelSelector | None = None
    min_available: int | str | None = None  # int or percentage string like "50%"
    max_unavailable: int | str | None = None


@dataclass
class ObjectSet:
    """Everything read from a set of manifest files, in file order."""

    nodes: list[Node] = field(default_factory=list)
    pods: list[Pod] = field(default_factory=list)
    namespaces: list[Namespace] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    workloads: list[Workload] = field(default_factory=list)
    priority_classes: list[PriorityClass] = field(default_factory=list)
    pdbs: list[PodDisruptionBudget] = field(default_factory=list)
    scheduler_configs: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def extend(self, other: ObjectSet) -> None:
        for name in (
            "nodes",
            "pods",
            "namespaces",
            "services",
            "workloads",
            "priority_classes",
            "pdbs",
            "scheduler_configs",
            "warnings",
        ):
            getattr(self, name).extend(getattr(other, name))
