"""Hypothesis strategies: random small clusters, pods and profiles (kernel-vs-reference tests).

Everything is drawn from small vocabularies so that labels, selectors, taints and topology
domains collide often (that is where the interesting rules live). Generated objects are what
``workloads.manifests`` would produce from valid manifests: tolerations with an empty key use
``Exists``, weights are 1..100, topology spread constraints are unique per (key, action), and so
on. Deliberately odd but valid inputs are included too: required node affinity terms that do not
parse (they never match; preferred ones are kept parseable, because upstream's PreScore fails
the whole cycle on them, which podbench does not model), empty terms, missing hostname/zone
labels, an empty zone value, terminating pods, nodes that advertise no cpu.

The builders are plain functions taking hypothesis' ``draw``; only ``scenario`` and
``large_scenario`` are strategies. Every primitive strategy is built once and cached (``_ints``),
which keeps data generation cheap enough for a few hundred examples per test.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, TypeVar

from hypothesis import strategies as st

from engine.framework.cycle import Snapshot, node_tree_order
from engine.framework.features import FeatureGates
from engine.framework.plugins.inter_pod_affinity.args import InterPodAffinityArgs
from engine.framework.plugins.node_affinity.args import NodeAffinityArgs
from engine.framework.plugins.node_resources_balanced_allocation.args import (
    NodeResourcesBalancedAllocationArgs,
)
from engine.framework.plugins.node_resources_fit.args import (
    LEAST_ALLOCATED,
    MOST_ALLOCATED,
    REQUESTED_TO_CAPACITY_RATIO,
    NodeResourcesFitArgs,
    ResourceSpec,
    ScoringStrategy,
    UtilizationShapePoint,
)
from engine.framework.plugins.pod_topology_spread.args import (
    LIST_DEFAULTING,
    PodTopologySpreadArgs,
)
from engine.framework.profile import (
    DEFAULT_MULTIPOINT,
    EXTENSION_POINTS,
    PluginArgs,
    Profile,
    plugins_at,
)
from engine.objects import (
    LABEL_HOSTNAME,
    LABEL_ZONE,
    NO_EXECUTE,
    NO_SCHEDULE,
    PREFER_NO_SCHEDULE,
    Affinity,
    Container,
    ContainerImage,
    ContainerPort,
    LabelSelector,
    Namespace,
    Node,
    NodeAffinity,
    NodeSelectorTerm,
    OwnerReference,
    Pod,
    PodAffinity,
    PodAffinityTerm,
    PreferredSchedulingTerm,
    Requirement,
    Service,
    Taint,
    Toleration,
    TopologySpreadConstraint,
    WeightedPodAffinityTerm,
    Workload,
)

T = TypeVar("T")
Draw = Callable[[st.SearchStrategy[Any]], Any]

GI = 2**30
MI = 2**20
GPU = "nvidia.com/gpu"
DISK = "disktype"
RACK = "rack"  # integer-valued (mostly), for Gt / Lt
ZONES = ("z1", "z2", "z3", "")  # "" is a valid label value: a domain of its own
NODE_LABEL_VALUES = {DISK: ("ssd", "hdd"), RACK: ("1", "2", "10", "x")}
TOPOLOGY_KEYS = (LABEL_HOSTNAME, LABEL_ZONE, DISK)

POD_LABELS = {"app": ("web", "db", "cache"), "tier": ("front", "back"), "ver": ("v1", "v2")}
NAMESPACES = (
    Namespace("default", {"kubernetes.io/metadata.name": "default"}),
    Namespace("team-a", {"kubernetes.io/metadata.name": "team-a", "team": "a"}),
    Namespace("team-b", {"kubernetes.io/metadata.name": "team-b", "team": "b"}),
)
NAMESPACE_NAMES = tuple(ns.name for ns in NAMESPACES)
# Most pods live in "default", so that namespace-scoped selectors meet each other often.
POD_NAMESPACES = ("default", "default", "default", "team-a", "team-b")

TAINT_KEYS = ("dedicated", "gpu", "sla", "node.kubernetes.io/unschedulable")
TAINT_VALUES = ("", "a", "b", "5", "50")
TAINT_EFFECT_MIX = (NO_SCHEDULE, PREFER_NO_SCHEDULE, PREFER_NO_SCHEDULE, NO_EXECUTE)
ALL_EFFECTS = ("", NO_SCHEDULE, PREFER_NO_SCHEDULE, NO_EXECUTE)
IMAGES = (
    ContainerImage(("nginx:latest", "docker.io/library/nginx:latest"), 150 * MI),
    ContainerImage(("redis:7",), 40 * MI),
    ContainerImage(("busybox:latest",), 5 * MI),
    ContainerImage(("registry.example/big:1.0",), 1800 * MI),
)
POD_IMAGES = ("nginx", "nginx:latest", "redis:7", "busybox", "registry.example/big:1.0", "other:2")

# ReplicaSets and Services the generated pods may belong to (PodTopologySpread defaults).
WORKLOADS = (
    Workload("ReplicaSet", "rs-web", "default", LabelSelector((("app", "web"),))),
    Workload("ReplicaSet", "rs-db", "team-a", LabelSelector((("app", "db"),))),
    Workload("StatefulSet", "ss-cache", "default", LabelSelector((("app", "cache"),))),
)
SERVICES = (
    Service("svc-web", "default", {"app": "web"}),
    Service("svc-front", "default", {"tier": "front"}),
    Service("svc-db", "team-a", {"app": "db"}),
)


# --------------------------------------------------------------------------- primitives


@cache
def _ints(lo: int, hi: int) -> st.SearchStrategy[int]:
    return st.integers(lo, hi)


def pick(draw: Draw, items: Sequence[T]) -> T:
    """One of ``items``; shrinks towards the first."""
    return items[draw(_ints(0, len(items) - 1))]


def num(draw: Draw, lo: int, hi: int) -> int:
    return draw(_ints(lo, hi))


def one_in(draw: Draw, n: int) -> bool:
    """True with probability 1/n; shrinks towards False, so minimal examples stay plain."""
    return draw(_ints(0, n - 1)) == n - 1


def some_of(draw: Draw, items: Sequence[T], max_size: int) -> list[T]:
    """A subset of ``items`` in their order, at most ``max_size`` long."""
    out = []
    for item in items:
        if len(out) < max_size and one_in(draw, 2):
            out.append(item)
    return out


# --------------------------------------------------------------------------- labels, selectors


def label_map(draw: Draw, vocab: dict[str, tuple[str, ...]], max_size: int) -> dict[str, str]:
    return {k: pick(draw, vocab[k]) for k in some_of(draw, tuple(vocab), max_size)}


def label_requirement(draw: Draw, vocab: dict[str, tuple[str, ...]]) -> Requirement:
    key = pick(draw, tuple(vocab))
    op = pick(draw, ("In", "NotIn", "Exists", "DoesNotExist"))
    if op in ("Exists", "DoesNotExist"):
        return Requirement(key, op)
    values = some_of(draw, vocab[key], 2) or [vocab[key][0]]
    return Requirement(key, op, tuple(values))


def label_selector(draw: Draw) -> LabelSelector | None:
    """None (matches nothing), {} (everything) or labels + expressions over POD_LABELS."""
    kind = num(draw, 0, 9)
    if kind == 0:
        return None
    if kind == 1:
        return LabelSelector()
    labels = label_map(draw, POD_LABELS, 1)
    exprs = (label_requirement(draw, POD_LABELS),) if one_in(draw, 3) else ()
    return LabelSelector(tuple(sorted(labels.items())), exprs)


# --------------------------------------------------------------------------- nodes


def taint_list(draw: Draw) -> list[Taint]:
    out, seen = [], set()
    for _ in range(pick(draw, (0, 0, 0, 1, 1, 2))):
        key, effect = pick(draw, TAINT_KEYS), pick(draw, TAINT_EFFECT_MIX)
        if (key, effect) not in seen:
            seen.add((key, effect))
            out.append(Taint(key, pick(draw, TAINT_VALUES), effect))
    return out


def allocatable(draw: Draw) -> dict[str, int]:
    alloc = {
        "cpu": pick(draw, (500, 2000, 4000, 8000, 16000)),
        "memory": pick(draw, (512 * MI, 2 * GI, 4 * GI, 16 * GI)),
        "pods": pick(draw, (1, 3, 110, 110, 110)),
    }
    if one_in(draw, 4):
        alloc[GPU] = num(draw, 0, 4)
    if one_in(draw, 2):
        alloc["ephemeral-storage"] = pick(draw, (0, 10 * GI, 100 * GI))
    if one_in(draw, 12):
        del alloc["cpu"]  # a node that advertises no cpu: Fit rejects, scorers skip it
    return alloc


def node(draw: Draw, i: int) -> Node:
    name = f"node-{i}"
    labels: dict[str, str] = {}
    if not one_in(draw, 8):
        labels[LABEL_HOSTNAME] = name
    if not one_in(draw, 5):
        labels[LABEL_ZONE] = pick(draw, ZONES)
    labels.update(label_map(draw, NODE_LABEL_VALUES, 2))
    return Node(
        name=name,
        labels=labels,
        taints=taint_list(draw),
        unschedulable=one_in(draw, 15),
        allocatable=allocatable(draw),
        images=some_of(draw, IMAGES, 3),
    )


# --------------------------------------------------------------------------- containers


def requests(draw: Draw) -> dict[str, int]:
    """A container's requests; a missing cpu/memory key gets the scoring defaults."""
    out: dict[str, int] = {}
    cpu = pick(draw, (None, 0, 50, 100, 250, 500, 1500))
    if cpu is not None:
        out["cpu"] = cpu
    mem = pick(draw, (None, 0, 64 * MI, 256 * MI, 1 * GI))
    if mem is not None:
        out["memory"] = mem
    if one_in(draw, 10):
        out[GPU] = num(draw, 0, 2)
    if one_in(draw, 15):
        out["ephemeral-storage"] = pick(draw, (0, 1 * GI, 20 * GI))
    return out


def host_ports(draw: Draw) -> list[ContainerPort]:
    return [
        ContainerPort(
            container_port=80,
            host_port=pick(draw, (0, 8080, 9090)),
            protocol=pick(draw, ("TCP", "TCP", "UDP")),
            host_ip=pick(draw, ("", "", "0.0.0.0", "127.0.0.1", "10.0.0.1")),
        )
        for _ in range(pick(draw, (0, 0, 0, 1, 2)))
    ]


def container(draw: Draw, name: str, init: bool = False) -> Container:
    return Container(
        name=name,
        image=pick(draw, POD_IMAGES),
        requests=requests(draw),
        ports=host_ports(draw),
        restart_policy="Always" if init and one_in(draw, 2) else None,
    )


# --------------------------------------------------------------------------- node affinity


def node_requirement(draw: Draw, node_names: tuple[str, ...], valid_only: bool) -> Requirement:
    key = pick(draw, (LABEL_ZONE, DISK, RACK, LABEL_HOSTNAME))
    op = pick(draw, ("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"))
    if op in ("Exists", "DoesNotExist"):
        return Requirement(key, op)
    if op in ("Gt", "Lt"):
        # "x" is not an integer: the term does not parse and never matches.
        values = ("0", "1", "5") if valid_only else ("0", "1", "5", "x")
        return Requirement(key, op, (pick(draw, values),))
    pool = {
        LABEL_ZONE: ZONES[:3],
        DISK: ("ssd", "hdd"),
        RACK: ("1", "2", "10"),
        LABEL_HOSTNAME: node_names,
    }[key]
    values = some_of(draw, pool, 2) or [pool[0]]
    return Requirement(key, op, tuple(values))


def node_selector_term(
    draw: Draw, node_names: tuple[str, ...], valid_only: bool = False
) -> NodeSelectorTerm:
    exprs = tuple(node_requirement(draw, node_names, valid_only) for _ in range(num(draw, 0, 2)))
    fields: tuple[Requirement, ...] = ()
    if one_in(draw, 4):
        op = pick(draw, ("In", "In", "NotIn"))
        fields = (Requirement("metadata.name", op, (pick(draw, node_names),)),)
    return NodeSelectorTerm(exprs, fields)


def node_affinity(
    draw: Draw, node_names: tuple[str, ...], valid_only: bool = False
) -> NodeAffinity:
    required = None
    if one_in(draw, 3):
        required = tuple(
            node_selector_term(draw, node_names, valid_only) for _ in range(num(draw, 1, 2))
        )
    preferred = []
    for _ in range(num(draw, 0, 2)):
        term = node_selector_term(draw, node_names, valid_only=True)
        if valid_only and not (term.match_expressions or term.match_fields):
            continue  # keep profile args valid (an empty added term is dropped at parse time)
        preferred.append(PreferredSchedulingTerm(num(draw, 1, 100), term))
    return NodeAffinity(required=required, preferred=tuple(preferred))


# --------------------------------------------------------------------------- pod affinity, spread


def pod_affinity_term(draw: Draw) -> PodAffinityTerm:
    selector = label_selector(draw)
    namespaces: tuple[str, ...] = ()
    ns_selector = None
    mode = num(draw, 0, 5)
    if mode == 1:
        namespaces = tuple(some_of(draw, NAMESPACE_NAMES, 2))
    elif mode == 2:
        ns_selector = LabelSelector()  # every namespace
    elif mode == 3:
        ns_selector = LabelSelector((("team", pick(draw, ("a", "b"))),))
    elif mode == 4:  # both: a namespace listed or selected
        namespaces = (pick(draw, NAMESPACE_NAMES),)
        ns_selector = LabelSelector((("team", pick(draw, ("a", "b"))),))
    match_keys: tuple[str, ...] = ()
    mismatch_keys: tuple[str, ...] = ()
    if selector is not None and one_in(draw, 4):
        keys = some_of(draw, tuple(POD_LABELS), 2)
        split = num(draw, 0, len(keys))
        match_keys, mismatch_keys = tuple(keys[:split]), tuple(keys[split:])
    return PodAffinityTerm(
        topology_key=pick(draw, TOPOLOGY_KEYS),
        label_selector=selector,
        namespaces=namespaces,
        namespace_selector=ns_selector,
        match_label_keys=match_keys,
        mismatch_label_keys=mismatch_keys,
    )


def pod_affinity(draw: Draw, max_terms: int = 2) -> PodAffinity | None:
    if not one_in(draw, 3):
        return None
    required = [pod_affinity_term(draw) for _ in range(pick(draw, (0, 0, 0, 1, max_terms)))]
    preferred = [
        WeightedPodAffinityTerm(num(draw, 1, 100), pod_affinity_term(draw))
        for _ in range(num(draw, 0, max_terms))
    ]
    return PodAffinity(tuple(required), tuple(preferred))


def spread_constraints(draw: Draw) -> list[TopologySpreadConstraint]:
    out, seen = [], set()
    for _ in range(pick(draw, (0, 0, 1, 1, 2, 3))):
        key = pick(draw, TOPOLOGY_KEYS)
        when = pick(draw, ("DoNotSchedule", "ScheduleAnyway"))
        if (key, when) in seen:
            continue
        seen.add((key, when))
        selector = label_selector(draw)
        match_keys: tuple[str, ...] = ()
        if selector is not None and one_in(draw, 4):
            match_keys = tuple(some_of(draw, tuple(POD_LABELS), 2))
        out.append(
            TopologySpreadConstraint(
                max_skew=num(draw, 1, 3),
                topology_key=key,
                when_unsatisfiable=when,
                label_selector=selector,
                min_domains=pick(draw, (None, 1, 2, 4)) if when == "DoNotSchedule" else None,
                node_affinity_policy=pick(draw, (None, "Honor", "Ignore")),
                node_taints_policy=pick(draw, (None, "Honor", "Ignore")),
                match_label_keys=match_keys,
            )
        )
    return out


def toleration(draw: Draw) -> Toleration:
    key = pick(draw, ("", *TAINT_KEYS))
    effect = pick(draw, ALL_EFFECTS)
    if not key:
        return Toleration("", "Exists", "", effect)
    op = pick(draw, ("Equal", "Equal", "Exists", "Gt", "Lt"))
    if op == "Exists":
        return Toleration(key, op, "", effect)
    if op in ("Gt", "Lt"):
        return Toleration(key, op, pick(draw, ("1", "10", "100")), effect)
    return Toleration(key, op, pick(draw, TAINT_VALUES), effect)


# --------------------------------------------------------------------------- pods


def labels_and_owner(draw: Draw, namespace: str) -> tuple[dict[str, str], list[OwnerReference]]:
    labels = label_map(draw, POD_LABELS, 3)
    owners: list[OwnerReference] = []
    owned = [w for w in WORKLOADS if w.namespace == namespace]
    if owned and one_in(draw, 3):
        w = pick(draw, owned)
        labels.update(dict(w.selector.match_labels))
        owners.append(OwnerReference("apps/v1", w.kind, w.name, controller=True))
    return labels, owners


def bound_pod(draw: Draw, i: int, node_names: tuple[str, ...]) -> Pod:
    """An existing pod: requests, labels, sometimes (anti-)affinity, host ports, an owner."""
    namespace = pick(draw, POD_NAMESPACES)
    labels, owners = labels_and_owner(draw, namespace)
    aff, anti = pod_affinity(draw, 1), pod_affinity(draw, 1)
    c = Container("c", pick(draw, POD_IMAGES), requests(draw), ports=host_ports(draw))
    return Pod(
        name=f"bound-{i}",
        namespace=namespace,
        labels=labels,
        owner_references=owners,
        node_name=pick(draw, node_names),
        affinity=Affinity(None, aff, anti) if (aff or anti) else None,
        containers=[c],
        terminating=one_in(draw, 10),
    )


def incoming_pod(draw: Draw, name: str, node_names: tuple[str, ...]) -> Pod:
    """A pending pod exercising every filter and score plugin podbench models."""
    namespace = pick(draw, POD_NAMESPACES)
    labels, owners = labels_and_owner(draw, namespace)
    containers = [container(draw, f"c{i}") for i in range(pick(draw, (0, 1, 1, 1, 2)))]
    inits = [container(draw, f"i{i}", init=True) for i in range(pick(draw, (0, 0, 1, 2)))]
    na = node_affinity(draw, node_names) if one_in(draw, 3) else None
    aff, anti = pod_affinity(draw), pod_affinity(draw)
    selector_vocab = {LABEL_ZONE: ZONES, DISK: ("ssd", "hdd")}
    node_selector = label_map(draw, selector_vocab, 1) if one_in(draw, 4) else {}
    return Pod(
        name=name,
        namespace=namespace,
        labels=labels,
        owner_references=owners,
        node_name=pick(draw, (*node_names, "ghost-node")) if one_in(draw, 20) else "",
        node_selector=node_selector,
        affinity=Affinity(na, aff, anti) if (na or aff or anti) else None,
        tolerations=[toleration(draw) for _ in range(num(draw, 0, 3))],
        topology_spread_constraints=spread_constraints(draw),
        containers=containers,
        init_containers=inits,
        overhead={"cpu": 10} if one_in(draw, 10) else {},
        resource_requests={"cpu": pick(draw, (0, 300))} if one_in(draw, 12) else None,
    )


# --------------------------------------------------------------------------- profiles


def shape(draw: Draw) -> tuple[UtilizationShapePoint, ...]:
    utils = sorted({num(draw, 0, 100) for _ in range(num(draw, 1, 4))})
    return tuple(UtilizationShapePoint(u, num(draw, 0, 10)) for u in utils)


def fit_args(draw: Draw) -> NodeResourcesFitArgs:
    kind = pick(draw, (LEAST_ALLOCATED, MOST_ALLOCATED, REQUESTED_TO_CAPACITY_RATIO))
    names = some_of(draw, ("cpu", "memory", GPU, "ephemeral-storage"), 3) or ["cpu"]
    resources = tuple(ResourceSpec(n, num(draw, 1, 5)) for n in names)
    rtcr_shape = shape(draw) if kind == REQUESTED_TO_CAPACITY_RATIO else ()
    ignored = (GPU,) if one_in(draw, 8) else ()
    groups = ("nvidia.com",) if one_in(draw, 8) else ()
    return NodeResourcesFitArgs(ignored, groups, ScoringStrategy(kind, resources, rtcr_shape))


def pts_args(draw: Draw) -> PodTopologySpreadArgs:
    if not one_in(draw, 4):
        return PodTopologySpreadArgs()
    options = (
        (LABEL_ZONE, "ScheduleAnyway"),
        (LABEL_HOSTNAME, "ScheduleAnyway"),
        (LABEL_ZONE, "DoNotSchedule"),
    )
    constraints = tuple(
        TopologySpreadConstraint(num(draw, 1, 3), key, when)
        for key, when in some_of(draw, options, 2)
    )
    return PodTopologySpreadArgs(constraints, LIST_DEFAULTING)


def profile(draw: Draw, node_names: tuple[str, ...]) -> Profile:
    """A profile a KubeSchedulerConfiguration could give: a few plugins disabled, random
    weights, percentageOfNodesToScore and plugin args."""
    kept = []
    for name, weight in DEFAULT_MULTIPOINT:
        points = EXTENSION_POINTS[name]
        if ("filter" in points or "score" in points) and one_in(draw, 10):
            continue  # disabled
        if "score" in points:
            weight = pick(draw, (weight, 1, 2, 5, 10))
        kept.append((name, weight))
    added = node_affinity(draw, node_names, valid_only=True) if one_in(draw, 5) else None
    ba = (ResourceSpec("cpu"), ResourceSpec("memory"))
    if one_in(draw, 3):
        ba = (*ba, ResourceSpec(GPU))
    args = PluginArgs(
        node_resources_fit=fit_args(draw),
        balanced_allocation=NodeResourcesBalancedAllocationArgs(ba),
        node_affinity=NodeAffinityArgs(added),
        pod_topology_spread=pts_args(draw),
        inter_pod_affinity=InterPodAffinityArgs(pick(draw, (0, 1, 1, 5, 100)), one_in(draw, 5)),
    )
    mp = tuple(kept)
    return Profile(
        percentage_of_nodes_to_score=pick(draw, (None, 0, 10, 50, 100)),
        pre_filters=plugins_at("preFilter", mp),
        filters=plugins_at("filter", mp),
        pre_scores=plugins_at("preScore", mp),
        scores=tuple((n, w) for n, w in mp if "score" in EXTENSION_POINTS[n]),
        args=args,
    )


# --------------------------------------------------------------------------- scenarios


@dataclass
class Scenario:
    """A cluster (nodes, bound pods, API objects), pending pods and a scheduler setup."""

    nodes: list[Node]
    bound: list[Pod]
    pending: list[Pod]
    profile: Profile
    gates: FeatureGates
    selection: str  # "heap" | "random"
    seed: int
    start: int  # round-robin start index
    namespaces: tuple[Namespace, ...] = NAMESPACES
    services: tuple[Service, ...] = SERVICES
    workloads: tuple[Workload, ...] = WORKLOADS

    def snapshot(self) -> Snapshot:
        pods: dict[str, list[Pod]] = {}
        for p in self.bound:
            pods.setdefault(p.node_name, []).append(p)
        return Snapshot(
            node_tree_order(self.nodes),
            pods,
            {ns.name: ns for ns in self.namespaces},
            list(self.services),
            list(self.workloads),
        )


@st.composite
def scenario(draw: Draw, max_pending: int = 1, max_nodes: int = 12) -> Scenario:
    """Nodes, up to 12 bound pods, ``1..max_pending`` pending pods (often repeating one of a
    few templates, as workloads do), a profile, feature gates and host selection."""
    n_nodes = pick(draw, (1, *range(3, max_nodes + 1)))
    nodes = [node(draw, i) for i in range(n_nodes)]
    names = tuple(n.name for n in nodes)
    bound = [bound_pod(draw, i, names) for i in range(num(draw, 0, 12))]
    templates = [incoming_pod(draw, f"t{i}", names) for i in range(num(draw, 1, 3))]
    pending = []
    for i in range(num(draw, 1, max_pending)):
        if one_in(draw, 2):
            pending.append(replace(pick(draw, templates), name=f"pending-{i}"))
        else:
            pending.append(incoming_pod(draw, f"pending-{i}", names))
    return Scenario(
        nodes=nodes,
        bound=bound,
        pending=pending,
        profile=profile(draw, names),
        gates=FeatureGates(taint_toleration_comparison_operators=one_in(draw, 4)),
        selection=pick(draw, ("heap", "heap", "random")),
        seed=num(draw, 0, 2**16),
        start=num(draw, 0, n_nodes - 1),
    )


@st.composite
def large_scenario(draw: Draw, max_pending: int = 6) -> Scenario:
    """100..160 nodes (copies of a few drawn node shapes, so PreFilter/Filter results repeat),
    so that ``numFeasibleNodesToFind`` and the round-robin start index really cut the search."""
    shapes = [node(draw, i) for i in range(num(draw, 2, 5))]
    n_nodes = num(draw, 100, 160)
    nodes = []
    for i in range(n_nodes):
        base = pick(draw, shapes)
        labels = dict(base.labels)
        if LABEL_HOSTNAME in labels:
            labels[LABEL_HOSTNAME] = f"node-{i}"
        nodes.append(replace(base, name=f"node-{i}", labels=labels))
    names = tuple(n.name for n in nodes)
    bound = [bound_pod(draw, i, names) for i in range(num(draw, 0, 30))]
    template = incoming_pod(draw, "t", names)
    pending = [
        replace(template, name=f"pending-{i}")
        if one_in(draw, 2)
        else incoming_pod(draw, f"pending-{i}", names)
        for i in range(num(draw, 1, max_pending))
    ]
    pct = pick(draw, (None, 0, 5, 30, 70, 100))
    prof = replace(profile(draw, names), percentage_of_nodes_to_score=pct)
    return Scenario(
        nodes=nodes,
        bound=bound,
        pending=pending,
        profile=prof,
        gates=FeatureGates(taint_toleration_comparison_operators=one_in(draw, 4)),
        selection=pick(draw, ("heap", "heap", "random")),
        seed=num(draw, 0, 2**16),
        start=num(draw, 0, n_nodes - 1),
    )
