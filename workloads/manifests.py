"""Kubernetes manifest loader: YAML/JSON files -> validated ``engine.objects`` dataclasses.

Reads what ``kubectl get -o yaml`` prints (single documents, ``---`` streams, ``kind: List``
and typed lists such as ``PodList``) and hand-written manifests. It applies the API
defaulting the scheduler depends on (container requests default to limits, pod-level
requests, host-network ports, namespace name label, ReplicationController selector,
replicas) and the API-server validation that would reject bad input, so every error names
the file, the document (0-based) and the field path. Priority admission (priorityClassName
-> spec.priority) runs once all files are read, because classes may follow pods.

Unknown kinds and unknown fields are warnings in ``ObjectSet.warnings``, never silent.
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from engine.errors import InputError
from engine.labels import parse_go_int
from engine.objects import (
    NO_EXECUTE,
    NO_SCHEDULE,
    TAINT_EFFECTS,
    Affinity,
    Container,
    ContainerImage,
    ContainerPort,
    LabelSelector,
    Namespace,
    Node,
    NodeAffinity,
    NodeSelectorTerm,
    ObjectSet,
    OwnerReference,
    Pod,
    PodAffinity,
    PodAffinityTerm,
    PodDisruptionBudget,
    PreferredSchedulingTerm,
    PriorityClass,
    Requirement,
    ResourceList,
    Service,
    Taint,
    Toleration,
    TopologySpreadConstraint,
    WeightedPodAffinityTerm,
    Workload,
)
from engine.quantity import resource_value, to_millis
from workloads.fields import (
    INT64,
    Reporter,
    Where,
    as_map,
    describe,
    get_bool,
    get_int,
    get_list,
    get_map,
    get_str,
    get_str_list,
    get_str_map,
    join,
    require_one_of,
    require_str,
    type_error,
)
from workloads.yamlstream import yaml_documents

__all__ = [
    "load_manifests",
    "load_manifest_text",
    "file_documents",
    "manifest_objects",
    "parse_object",
    "parse_pod",
    "parse_node",
    "parse_label_selector",
    "resolve_priorities",
]

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")

WORKLOAD_KINDS = (
    "ReplicaSet",
    "StatefulSet",
    "ReplicationController",
    "Deployment",
    "DaemonSet",
    "Job",
)
# apps/v1 workloads must carry a non-empty selector matching their template labels.
_APPS_KINDS = frozenset({"ReplicaSet", "StatefulSet", "Deployment", "DaemonSet"})
# Kinds whose spec.replicas defaults to 1 (apps/v1 and core/v1 defaulting).
_REPLICATED_KINDS = frozenset({"ReplicaSet", "StatefulSet", "Deployment", "ReplicationController"})

# The API version a v1.35 cluster serves for each kind podbench reads.
API_VERSIONS = {
    "Node": "v1",
    "Pod": "v1",
    "Namespace": "v1",
    "Service": "v1",
    "ReplicationController": "v1",
    "ReplicaSet": "apps/v1",
    "StatefulSet": "apps/v1",
    "Deployment": "apps/v1",
    "DaemonSet": "apps/v1",
    "Job": "batch/v1",
    "PriorityClass": "scheduling.k8s.io/v1",
    "PodDisruptionBudget": "policy/v1",
    "KubeSchedulerConfiguration": "kubescheduler.config.k8s.io/v1",
}

LABEL_SELECTOR_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")
NODE_SELECTOR_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt")
TOLERATION_OPERATORS = ("Equal", "Exists", "Gt", "Lt")
PROTOCOLS = ("TCP", "UDP", "SCTP")
WHEN_UNSATISFIABLE = ("DoNotSchedule", "ScheduleAnyway")
INCLUSION_POLICIES = ("Honor", "Ignore")
PREEMPTION_POLICIES = ("PreemptLowerPriority", "Never")
DEFAULT_SCHEDULER = "default-scheduler"

# Built-in PriorityClasses every cluster has (pkg/apis/scheduling: SystemCriticalPriority).
SYSTEM_PRIORITY_CLASSES = {
    "system-node-critical": 2_000_001_000,
    "system-cluster-critical": 2_000_000_000,
}
HIGHEST_USER_PRIORITY = 1_000_000_000  # pkg/apis/scheduling: HighestUserDefinablePriority
LOWEST_PRIORITY = -(2**31)  # PriorityClass.value is an int32
LABEL_NAMESPACE_NAME = "kubernetes.io/metadata.name"

# Field names the API defines at the levels podbench reads; anything else gets a warning.
_POD_SPEC_FIELDS = frozenset(
    "activeDeadlineSeconds affinity automountServiceAccountToken containers dnsConfig dnsPolicy "
    "enableServiceLinks ephemeralContainers hostAliases hostIPC hostNetwork hostPID hostUsers "
    "hostname hostnameOverride imagePullSecrets initContainers nodeName nodeSelector os overhead "
    "preemptionPolicy priority priorityClassName readinessGates resourceClaims resources "
    "restartPolicy runtimeClassName schedulerName schedulingGates securityContext serviceAccount "
    "serviceAccountName setHostnameAsFQDN shareProcessNamespace subdomain "
    "terminationGracePeriodSeconds tolerations topologySpreadConstraints volumes "
    "workloadRef".split()
)
_CONTAINER_FIELDS = frozenset(
    "args command env envFrom image imagePullPolicy lifecycle livenessProbe name ports "
    "readinessProbe resizePolicy resources restartPolicy restartPolicyRules securityContext "
    "startupProbe stdin stdinOnce terminationMessagePath terminationMessagePolicy tty "
    "volumeDevices volumeMounts workingDir".split()
)
_RESOURCES_FIELDS = frozenset({"requests", "limits", "claims"})
_PORT_FIELDS = frozenset({"containerPort", "hostPort", "protocol", "hostIP", "name"})
_AFFINITY_FIELDS = frozenset({"nodeAffinity", "podAffinity", "podAntiAffinity"})
_REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution"
_PREFERRED = "preferredDuringSchedulingIgnoredDuringExecution"
_SCHEDULING_FIELDS = frozenset({_REQUIRED, _PREFERRED})
_NODE_SELECTOR_FIELDS = frozenset({"nodeSelectorTerms"})
_TERM_FIELDS = frozenset({"matchExpressions", "matchFields"})
_PREFERRED_TERM_FIELDS = frozenset({"weight", "preference"})
_WEIGHTED_POD_TERM_FIELDS = frozenset({"weight", "podAffinityTerm"})
_POD_AFFINITY_TERM_FIELDS = frozenset(
    "labelSelector namespaces topologyKey namespaceSelector matchLabelKeys "
    "mismatchLabelKeys".split()
)
_LABEL_SELECTOR_FIELDS = frozenset({"matchLabels", "matchExpressions"})
_REQUIREMENT_FIELDS = frozenset({"key", "operator", "values"})
_TOLERATION_FIELDS = frozenset({"key", "operator", "value", "effect", "tolerationSeconds"})
_TSC_FIELDS = frozenset(
    "maxSkew topologyKey whenUnsatisfiable labelSelector minDomains nodeAffinityPolicy "
    "nodeTaintsPolicy matchLabelKeys".split()
)
_NODE_SPEC_FIELDS = frozenset(
    "configSource externalID podCIDR podCIDRs providerID taints unschedulable".split()
)
_TAINT_FIELDS = frozenset({"key", "value", "effect", "timeAdded"})

_PERCENT = re.compile(r"([0-9]+)%")
_INTEGER = re.compile(r"[+-]?[0-9]+")


# --------------------------------------------------------------------------- quantities


@lru_cache(maxsize=16384, typed=True)
def _cached_resource_value(name: str, value: str | int | float) -> int:
    return resource_value(name, value)


def _quantity(name: str, value: object, path: str) -> int:
    """``resource_value`` with a cache: real manifests repeat the same few strings."""
    try:
        if type(value) in (str, int, float):
            return _cached_resource_value(name, value)
        return resource_value(name, value)
    except InputError as e:
        raise e.located(prefix=path) from None


def _resource_list(raw: dict, base: str) -> ResourceList:
    out: ResourceList = {}
    for name, value in raw.items():
        if type(name) is not str:
            raise type_error(name, "a resource name (string)", f"{base} key {name!r}")
        out[name] = _quantity(name, value, f"{base}.{name}")
    return out


def _resources(res: dict, base: str, where: Where) -> tuple[ResourceList, ResourceList]:
    """resources.requests / limits parsed and validated (request <= limit), not defaulted."""
    where.check_keys(res, _RESOURCES_FIELDS, base, "resources")
    raw_req = get_map(res, "requests", base) or {}
    raw_lim = get_map(res, "limits", base) or {}
    requests = _resource_list(raw_req, f"{base}.requests") if raw_req else {}
    limits = _resource_list(raw_lim, f"{base}.limits") if raw_lim else {}
    for name, req in requests.items():
        lim = limits.get(name)
        if lim is None or req < lim:
            continue
        # Stored values round up to whole units; the API compares at milli precision.
        if req > lim or (name != "cpu" and to_millis(raw_req[name]) > to_millis(raw_lim[name])):
            raise InputError(
                f"request {raw_req[name]!r} must be less than or equal to {name} limit of "
                f"{raw_lim[name]!r}",
                path=f"{base}.requests.{name}",
            )
    return requests, limits


def _container_resources(res: dict, base: str, where: Where) -> tuple[ResourceList, ResourceList]:
    """Container resources with SetDefaults_Pod applied: a limit without a request is also
    the request (for that resource only; nothing else is invented)."""
    requests, limits = _resources(res, base, where)
    for name, lim in limits.items():
        if name not in requests:
            requests[name] = lim
    return requests, limits


# --------------------------------------------------------------------------- selectors


def _label_requirement(r: object, base: str, where: Where) -> Requirement:
    r = as_map(r, base)
    where.check_keys(r, _REQUIREMENT_FIELDS, base, "selector requirement")
    key = require_str(r, "key", base)
    op = require_one_of(get_str(r, "operator", base), LABEL_SELECTOR_OPERATORS, f"{base}.operator")
    values = get_str_list(r, "values", base)
    if op in ("In", "NotIn") and not values:
        raise InputError(f"must be non-empty when operator is {op}", path=f"{base}.values")
    if op in ("Exists", "DoesNotExist") and values:
        raise InputError(f"must be empty when operator is {op}", path=f"{base}.values")
    return Requirement(key, op, tuple(values))


def parse_label_selector(raw: object, base: str, where: Where | None = None) -> LabelSelector:
    """metav1.LabelSelector (pod affinity, topology spread, workloads, PDBs)."""
    where = where or Where(None, None, None)
    d = as_map(raw, base)
    where.check_keys(d, _LABEL_SELECTOR_FIELDS, base, "label selector")
    labels = get_str_map(d, "matchLabels", base)
    exprs = get_list(d, "matchExpressions", base)
    return LabelSelector(
        match_labels=tuple(sorted(labels.items())),
        match_expressions=tuple(
            _label_requirement(r, f"{base}.matchExpressions[{i}]", where)
            for i, r in enumerate(exprs)
        ),
    )


def _optional_selector(d: dict, key: str, base: str, where: Where) -> LabelSelector | None:
    raw = d.get(key)
    return None if raw is None else parse_label_selector(raw, f"{base}.{key}", where)


def _selector_matches(selector: LabelSelector, labels: dict[str, str]) -> bool:
    for k, v in selector.match_labels:
        if labels.get(k) != v:
            return False
    for r in selector.match_expressions:
        present = r.key in labels
        if r.operator == "In" and not (present and labels[r.key] in r.values):
            return False
        if r.operator == "NotIn" and present and labels[r.key] in r.values:
            return False
        if r.operator == "Exists" and not present:
            return False
        if r.operator == "DoesNotExist" and present:
            return False
    return True


def _node_requirement(r: object, base: str, where: Where) -> Requirement:
    """Node selector requirement. Only the operator is validated: the scheduler treats values
    it cannot use (e.g. a non-integer Gt value) as non-matching, so raw values are kept."""
    r = as_map(r, base)
    where.check_keys(r, _REQUIREMENT_FIELDS, base, "node selector requirement")
    key = get_str(r, "key", base)
    op = require_one_of(get_str(r, "operator", base), NODE_SELECTOR_OPERATORS, f"{base}.operator")
    return Requirement(key, op, tuple(get_str_list(r, "values", base)))


def _node_selector_term(t: object, base: str, where: Where) -> NodeSelectorTerm:
    t = as_map(t, base)
    where.check_keys(t, _TERM_FIELDS, base, "node selector term")
    return NodeSelectorTerm(
        match_expressions=tuple(
            _node_requirement(r, f"{base}.matchExpressions[{i}]", where)
            for i, r in enumerate(get_list(t, "matchExpressions", base))
        ),
        match_fields=tuple(
            _node_requirement(r, f"{base}.matchFields[{i}]", where)
            for i, r in enumerate(get_list(t, "matchFields", base))
        ),
    )


def _weight(d: dict, base: str) -> int:
    w = get_int(d, "weight", base, 0)
    if not 1 <= w <= 100:
        raise InputError(f"must be in the range 1-100, got {w}", path=f"{base}.weight")
    return w


# --------------------------------------------------------------------------- affinity


def _check_preferred_term(term: NodeSelectorTerm, base: str) -> None:
    """A preferred term kube-scheduler cannot parse makes NodeAffinity's PreScore fail with an
    error on every cycle, so the pod is never scheduled: reject it here with the reason."""
    for i, r in enumerate(term.match_expressions):
        if r.operator in ("Gt", "Lt") and (len(r.values) != 1 or parse_go_int(r.values[0]) is None):
            raise InputError(
                f"{r.operator} needs exactly one integer value, got {list(r.values)} (kube-scheduler "
                "would fail this pod's NodeAffinity PreScore with an error on every attempt)",
                path=f"{base}.matchExpressions[{i}].values",
            )


def _node_affinity(na: dict, base: str, where: Where) -> NodeAffinity:
    where.check_keys(na, _SCHEDULING_FIELDS, base, "nodeAffinity")
    required = None
    req = get_map(na, _REQUIRED, base)
    if req is not None:
        rbase = f"{base}.{_REQUIRED}"
        where.check_keys(req, _NODE_SELECTOR_FIELDS, rbase, "node selector")
        required = tuple(
            _node_selector_term(t, f"{rbase}.nodeSelectorTerms[{i}]", where)
            for i, t in enumerate(get_list(req, "nodeSelectorTerms", rbase))
        )
    preferred = []
    for i, p in enumerate(get_list(na, _PREFERRED, base)):
        pbase = f"{base}.{_PREFERRED}[{i}]"
        p = as_map(p, pbase)
        where.check_keys(p, _PREFERRED_TERM_FIELDS, pbase, "preferred scheduling term")
        weight = _weight(p, pbase)
        pref = p.get("preference")
        term = (
            NodeSelectorTerm()
            if pref is None
            else _node_selector_term(pref, f"{pbase}.preference", where)
        )
        _check_preferred_term(term, f"{pbase}.preference")
        preferred.append(PreferredSchedulingTerm(weight, term))
    return NodeAffinity(required=required, preferred=tuple(preferred))


def _match_label_keys(
    d: dict, base: str, selector: LabelSelector | None, keys: tuple[str, ...]
) -> list[tuple[str, ...]]:
    out = [tuple(get_str_list(d, k, base)) for k in keys]
    for k, values in zip(keys, out, strict=True):
        if values and selector is None:
            raise InputError("must not be set when labelSelector is not set", path=f"{base}.{k}")
    return out


def _pod_affinity_term(t: object, base: str, where: Where) -> PodAffinityTerm:
    t = as_map(t, base)
    where.check_keys(t, _POD_AFFINITY_TERM_FIELDS, base, "pod affinity term")
    selector = _optional_selector(t, "labelSelector", base, where)
    match_keys, mismatch_keys = _match_label_keys(
        t, base, selector, ("matchLabelKeys", "mismatchLabelKeys")
    )
    both = set(match_keys) & set(mismatch_keys)
    if both:
        raise InputError(
            f"key {sorted(both)[0]!r} is in both matchLabelKeys and mismatchLabelKeys",
            path=f"{base}.mismatchLabelKeys",
        )
    return PodAffinityTerm(
        topology_key=require_str(t, "topologyKey", base),
        label_selector=selector,
        namespaces=tuple(get_str_list(t, "namespaces", base)),
        namespace_selector=_optional_selector(t, "namespaceSelector", base, where),
        match_label_keys=match_keys,
        mismatch_label_keys=mismatch_keys,
    )


def _pod_affinity(pa: dict, base: str, where: Where) -> PodAffinity:
    where.check_keys(pa, _SCHEDULING_FIELDS, base, "pod affinity")
    required = tuple(
        _pod_affinity_term(t, f"{base}.{_REQUIRED}[{i}]", where)
        for i, t in enumerate(get_list(pa, _REQUIRED, base))
    )
    preferred = []
    for i, p in enumerate(get_list(pa, _PREFERRED, base)):
        pbase = f"{base}.{_PREFERRED}[{i}]"
        p = as_map(p, pbase)
        where.check_keys(p, _WEIGHTED_POD_TERM_FIELDS, pbase, "weighted pod affinity term")
        weight = _weight(p, pbase)
        term = p.get("podAffinityTerm")
        if term is None:
            raise InputError("is required", path=f"{pbase}.podAffinityTerm")
        preferred.append(
            WeightedPodAffinityTerm(
                weight, _pod_affinity_term(term, f"{pbase}.podAffinityTerm", where)
            )
        )
    return PodAffinity(required=required, preferred=tuple(preferred))


def _affinity(a: dict, base: str, where: Where) -> Affinity | None:
    where.check_keys(a, _AFFINITY_FIELDS, base, "affinity")
    na = get_map(a, "nodeAffinity", base)
    pa = get_map(a, "podAffinity", base)
    paa = get_map(a, "podAntiAffinity", base)
    if na is None and pa is None and paa is None:
        return None
    return Affinity(
        node_affinity=None if na is None else _node_affinity(na, f"{base}.nodeAffinity", where),
        pod_affinity=None if pa is None else _pod_affinity(pa, f"{base}.podAffinity", where),
        pod_anti_affinity=(
            None if paa is None else _pod_affinity(paa, f"{base}.podAntiAffinity", where)
        ),
    )


# --------------------------------------------------------------------------- tolerations, spread


def _toleration(t: object, base: str, where: Where) -> Toleration:
    t = as_map(t, base)
    where.check_keys(t, _TOLERATION_FIELDS, base, "toleration")
    key = get_str(t, "key", base)
    op = get_str(t, "operator", base) or "Equal"
    require_one_of(op, TOLERATION_OPERATORS, f"{base}.operator")
    value = get_str(t, "value", base)
    effect = get_str(t, "effect", base)
    if effect:
        require_one_of(effect, TAINT_EFFECTS, f"{base}.effect")
    seconds = get_int(t, "tolerationSeconds", base, lo=INT64[0], hi=INT64[1])
    if not key and op != "Exists":
        raise InputError(
            "operator must be Exists when key is empty (an empty key with Exists tolerates "
            "every taint)",
            path=f"{base}.operator",
        )
    if op == "Exists" and value:
        raise InputError("must be empty when operator is Exists", path=f"{base}.value")
    if seconds is not None and effect != NO_EXECUTE:
        raise InputError(
            "effect must be NoExecute when tolerationSeconds is set", path=f"{base}.effect"
        )
    if op in ("Gt", "Lt"):
        if not _INTEGER.fullmatch(value):
            raise InputError(
                f"must be an integer when operator is {op}, got {value!r}", path=f"{base}.value"
            )
        where.warn(
            f"{base}.operator",
            f"operator {op} needs the alpha feature gate TaintTolerationComparisonOperators "
            "(off by default in v1.35; the API server rejects it there)",
        )
    return Toleration(key, op, value, effect, seconds)


# The tolerations the DaemonSet controller gives every daemon pod it creates
# (pkg/controller/daemon/util/daemonset_util.go, AddOrUpdateDaemonPodTolerations): never
# taint-evicted when the node is NotReady or unreachable (no tolerationSeconds), and placed on
# nodes under pressure or cordoned; network-unavailable only for host-network pods.
DAEMON_POD_TOLERATIONS = (
    Toleration("node.kubernetes.io/not-ready", "Exists", "", NO_EXECUTE),
    Toleration("node.kubernetes.io/unreachable", "Exists", "", NO_EXECUTE),
    Toleration("node.kubernetes.io/disk-pressure", "Exists", "", NO_SCHEDULE),
    Toleration("node.kubernetes.io/memory-pressure", "Exists", "", NO_SCHEDULE),
    Toleration("node.kubernetes.io/pid-pressure", "Exists", "", NO_SCHEDULE),
    Toleration("node.kubernetes.io/unschedulable", "Exists", "", NO_SCHEDULE),
)
DAEMON_POD_HOST_NETWORK_TOLERATION = Toleration(
    "node.kubernetes.io/network-unavailable", "Exists", "", NO_SCHEDULE
)


def _add_or_update_toleration(tolerations: list[Toleration], toleration: Toleration) -> list[Toleration]:
    """``AddOrUpdateTolerationInPodSpec``: entries with the same key, operator, value and effect
    are replaced by ``toleration`` (e.g. one with tolerationSeconds loses them); if none
    matches it is appended; an identical one leaves the list as it is."""
    def same(t: Toleration) -> bool:
        return (t.key, t.operator, t.value, t.effect) == (
            toleration.key, toleration.operator, toleration.value, toleration.effect)

    if toleration in tolerations:
        return tolerations
    if any(same(t) for t in tolerations):
        return [toleration if same(t) else t for t in tolerations]
    return [*tolerations, toleration]


def daemon_pod_tolerations(tolerations: list[Toleration], host_network: bool) -> list[Toleration]:
    """A DaemonSet pod's tolerations after the DaemonSet controller added its own. Idempotent,
    so pods read from a cluster dump (which already carry them) are unchanged."""
    extra = DAEMON_POD_TOLERATIONS + ((DAEMON_POD_HOST_NETWORK_TOLERATION,) if host_network else ())
    for toleration in extra:
        tolerations = _add_or_update_toleration(tolerations, toleration)
    return tolerations


def _controller_kind(owners: list[OwnerReference]) -> str | None:
    return next((o.kind for o in owners if o.controller), None)


def _spread_constraint(c: object, base: str, where: Where) -> TopologySpreadConstraint:
    c = as_map(c, base)
    where.check_keys(c, _TSC_FIELDS, base, "topology spread constraint")
    max_skew = get_int(c, "maxSkew", base, 0)
    if max_skew < 1:
        raise InputError(f"must be greater than zero, got {max_skew}", path=f"{base}.maxSkew")
    when = require_one_of(
        get_str(c, "whenUnsatisfiable", base), WHEN_UNSATISFIABLE, f"{base}.whenUnsatisfiable"
    )
    min_domains = get_int(c, "minDomains", base)
    if min_domains is not None:
        if min_domains < 1:
            raise InputError(
                f"must be greater than zero, got {min_domains}", path=f"{base}.minDomains"
            )
        if when != "DoNotSchedule":
            raise InputError(
                "can only be set when whenUnsatisfiable is DoNotSchedule",
                path=f"{base}.minDomains",
            )
    policies = []
    for key in ("nodeAffinityPolicy", "nodeTaintsPolicy"):
        p = get_str(c, key, base) or None
        if p is not None:
            require_one_of(p, INCLUSION_POLICIES, f"{base}.{key}")
        policies.append(p)
    selector = _optional_selector(c, "labelSelector", base, where)
    (match_keys,) = _match_label_keys(c, base, selector, ("matchLabelKeys",))
    return TopologySpreadConstraint(
        max_skew=max_skew,
        topology_key=require_str(c, "topologyKey", base),
        when_unsatisfiable=when,
        label_selector=selector,
        min_domains=min_domains,
        node_affinity_policy=policies[0],
        node_taints_policy=policies[1],
        match_label_keys=match_keys,
    )


def _spread_constraints(raw: list, base: str, where: Where) -> list[TopologySpreadConstraint]:
    out = []
    seen: set[tuple[str, str]] = set()
    for i, c in enumerate(raw):
        tsc = _spread_constraint(c, f"{base}[{i}]", where)
        pair = (tsc.topology_key, tsc.when_unsatisfiable)
        if pair in seen:
            raise InputError(
                f"duplicate constraint for topologyKey {pair[0]!r} and whenUnsatisfiable "
                f"{pair[1]!r}",
                path=f"{base}[{i}]",
            )
        seen.add(pair)
        out.append(tsc)
    return out


# --------------------------------------------------------------------------- containers


def _port(p: object, base: str, where: Where) -> ContainerPort:
    p = as_map(p, base)
    where.check_keys(p, _PORT_FIELDS, base, "container port")
    container_port = get_int(p, "containerPort", base)
    if container_port is None:
        raise InputError("is required", path=f"{base}.containerPort")
    if not 1 <= container_port <= 65535:
        raise InputError(
            f"must be between 1 and 65535, got {container_port}", path=f"{base}.containerPort"
        )
    host_port = get_int(p, "hostPort", base, 0)
    if not 0 <= host_port <= 65535:
        raise InputError(
            f"must be between 0 and 65535 (0 = no host port), got {host_port}",
            path=f"{base}.hostPort",
        )
    protocol = require_one_of(get_str(p, "protocol", base) or "TCP", PROTOCOLS, f"{base}.protocol")
    return ContainerPort(container_port, host_port, protocol, get_str(p, "hostIP", base))


def _container(c: object, base: str, init: bool, where: Where) -> Container:
    c = as_map(c, base)
    where.check_keys(c, _CONTAINER_FIELDS, base, "container")
    requests: ResourceList = {}
    limits: ResourceList = {}
    res = get_map(c, "resources", base)
    if res:
        requests, limits = _container_resources(res, f"{base}.resources", where)
    ports = [
        _port(p, f"{base}.ports[{i}]", where) for i, p in enumerate(get_list(c, "ports", base))
    ]
    restart = get_str(c, "restartPolicy", base) or None
    if restart is not None:
        if init:
            require_one_of(restart, ("Always",), f"{base}.restartPolicy")
        else:
            where.warn(
                f"{base}.restartPolicy",
                "restartPolicy on a regular container needs the alpha feature gate "
                "ContainerRestartRules; ignored",
            )
            restart = None
    return Container(
        name=get_str(c, "name", base),
        image=get_str(c, "image", base),
        requests=requests,
        limits=limits,
        ports=ports,
        restart_policy=restart,
    )


def _add(into: ResourceList, other: ResourceList) -> None:
    for k, v in other.items():
        into[k] = into.get(k, 0) + v


def _max_into(into: ResourceList, other: ResourceList) -> None:
    for k, v in other.items():
        if v > into.get(k, 0):
            into[k] = v


def aggregate_containers(pod: Pod, attr: str = "requests") -> ResourceList:
    """Effective container requests (or limits) of a pod, overhead excluded (component-helpers
    ``AggregateContainerRequests``): regular containers plus sidecars, or the peak of the
    init-container steps (each also sees the sidecars started before it), the larger."""
    total: ResourceList = {}
    for c in pod.containers:
        _add(total, getattr(c, attr))
    sidecars: ResourceList = {}
    init_peak: ResourceList = {}
    for c in pod.init_containers:
        values = getattr(c, attr)
        if c.is_sidecar:
            _add(total, values)
            _add(sidecars, values)
            step = dict(sidecars)
        else:
            step = dict(values)
            _add(step, sidecars)
        _max_into(init_peak, step)
    _max_into(total, init_peak)
    return total


def _pod_level_resources(
    res: dict, base: str, pod: Pod, where: Where
) -> tuple[ResourceList | None, ResourceList | None]:
    """Pod-level spec.resources (PodLevelResources, on in v1.35) with upstream's defaulting,
    applied after the container defaults: defaultHugePagePodLimits, then defaultPodRequests
    (cpu/memory requests from the containers' aggregate, then any remaining limit)."""
    requests, limits = _resources(res, base, where)
    for part, values in (("requests", requests), ("limits", limits)):
        for name in values:
            if name not in ("cpu", "memory") and not name.startswith("hugepages-"):
                raise InputError(
                    "pod-level resources support only cpu, memory and hugepages-<size>",
                    path=f"{base}.{part}.{name}",
                )
    if requests or limits:
        for name, v in aggregate_containers(pod, "limits").items():
            if name.startswith("hugepages-") and name not in requests and name not in limits:
                limits[name] = v
    if limits:
        for name, v in aggregate_containers(pod, "requests").items():
            if name in ("cpu", "memory") and name not in requests:
                requests[name] = v
        for name, v in limits.items():
            if name not in requests:
                requests[name] = v
    return (requests or None), (limits or None)


# --------------------------------------------------------------------------- pods


def _owner_references(meta: dict, base: str) -> list[OwnerReference]:
    out = []
    controllers = 0
    for i, r in enumerate(get_list(meta, "ownerReferences", base)):
        rbase = f"{base}.ownerReferences[{i}]"
        r = as_map(r, rbase)
        controller = get_bool(r, "controller", rbase)
        controllers += controller
        if controllers > 1:
            raise InputError(
                "only one owner reference can have controller set to true",
                path=f"{rbase}.controller",
            )
        out.append(
            OwnerReference(
                api_version=require_str(r, "apiVersion", rbase),
                kind=require_str(r, "kind", rbase),
                name=require_str(r, "name", rbase),
                controller=controller,
                uid=get_str(r, "uid", rbase),
            )
        )
    return out


def _name(meta: dict, base: str, kind: str) -> str:
    name = get_str(meta, "name", base)
    if name:
        return name
    hint = ""
    if meta.get("generateName"):
        hint = " (generateName is not supported: podbench needs a stable name for every object)"
    raise InputError(f"is required for a {kind}{hint}", path=join(base, "name"))


def _scheduling_gates(spec: dict, base: str) -> list[str]:
    names = []
    for i, g in enumerate(get_list(spec, "schedulingGates", base)):
        gbase = f"{base}.schedulingGates[{i}]"
        name = require_str(as_map(g, gbase), "name", gbase)
        if name in names:
            raise InputError(f"duplicate scheduling gate {name!r}", path=f"{gbase}.name")
        names.append(name)
    return names


def _pod(m: dict, base: str | None, where: Where, *, template: bool = False) -> Pod:
    """Build a Pod from a manifest (or, with ``template``, a pod template without a name)."""
    mbase = join(base, "metadata")
    meta = get_map(m, "metadata", base) or {}
    name = get_str(meta, "name", mbase) if template else _name(meta, mbase, "Pod")
    sbase = join(base, "spec")
    spec = get_map(m, "spec", base) or {}
    where.check_keys(spec, _POD_SPEC_FIELDS, sbase, "pod spec")
    containers = [
        _container(c, f"{sbase}.containers[{i}]", False, where)
        for i, c in enumerate(get_list(spec, "containers", sbase))
    ]
    init_containers = [
        _container(c, f"{sbase}.initContainers[{i}]", True, where)
        for i, c in enumerate(get_list(spec, "initContainers", sbase))
    ]
    host_network = get_bool(spec, "hostNetwork", sbase)
    if host_network:
        # SetDefaults_Pod: with host networking every container port is also a host port.
        for c in (*containers, *init_containers):
            c.ports = [
                p
                if p.host_port
                else ContainerPort(p.container_port, p.container_port, p.protocol, p.host_ip)
                for p in c.ports
            ]
    namespace = get_str(meta, "namespace", mbase) or "default"
    if not containers:
        what = "pod template" if template else f"pod {namespace}/{name}"
        where.warn(
            f"{sbase}.containers",
            f"{what} has no containers; it requests nothing",
            key="no-containers",
        )
    preemption = get_str(spec, "preemptionPolicy", sbase) or None
    if preemption is not None:
        require_one_of(preemption, PREEMPTION_POLICIES, f"{sbase}.preemptionPolicy")
    affinity = get_map(spec, "affinity", sbase)
    status = get_map(m, "status", base) or {}
    owners = _owner_references(meta, mbase)
    tolerations = [
        _toleration(t, f"{sbase}.tolerations[{i}]", where)
        for i, t in enumerate(get_list(spec, "tolerations", sbase))
    ]
    if _controller_kind(owners) == "DaemonSet":
        tolerations = daemon_pod_tolerations(tolerations, host_network)
    pod = Pod(
        name=name,
        namespace=namespace,
        labels=get_str_map(meta, "labels", mbase),
        annotations=get_str_map(meta, "annotations", mbase),
        owner_references=owners,
        uid=get_str(meta, "uid", mbase),
        priority=get_int(spec, "priority", sbase),
        priority_class_name=get_str(spec, "priorityClassName", sbase),
        preemption_policy=preemption,
        node_name=get_str(spec, "nodeName", sbase),
        node_selector=get_str_map(spec, "nodeSelector", sbase),
        affinity=None if affinity is None else _affinity(affinity, f"{sbase}.affinity", where),
        tolerations=tolerations,
        topology_spread_constraints=_spread_constraints(
            get_list(spec, "topologySpreadConstraints", sbase),
            f"{sbase}.topologySpreadConstraints",
            where,
        ),
        containers=containers,
        init_containers=init_containers,
        scheduling_gates=_scheduling_gates(spec, sbase),
        scheduler_name=get_str(spec, "schedulerName", sbase) or DEFAULT_SCHEDULER,
        nominated_node_name=get_str(status, "nominatedNodeName", join(base, "status")),
        terminating=meta.get("deletionTimestamp") is not None,
        termination_grace_period_seconds=_grace(spec, sbase),
    )
    overhead = get_map(spec, "overhead", sbase)
    if overhead:
        pod.overhead = _resource_list(overhead, f"{sbase}.overhead")
    res = get_map(spec, "resources", sbase)
    if res is not None:
        pod.resource_requests, pod.resource_limits = _pod_level_resources(
            res, f"{sbase}.resources", pod, where
        )
    return pod


def _grace(spec: dict, base: str) -> int | None:
    value = get_int(spec, "terminationGracePeriodSeconds", base)
    if value is not None and value < 0:
        raise InputError(f"must be greater than or equal to 0, got {value}",
                         path=f"{base}.terminationGracePeriodSeconds")
    return value


def parse_pod(
    manifest: dict,
    *,
    file: str | None = None,
    doc: int | None = None,
    path_prefix: str | None = None,
    warnings: list[str] | None = None,
    template: bool = False,
) -> Pod:
    """Build one Pod from its manifest (also used for Pod templates embedded in scenarios).

    ``path_prefix`` is prepended to error paths; warnings are appended to ``warnings`` if given.
    With ``template`` the manifest is a pod template: ``metadata.name`` may be missing (the
    caller names the pods it stamps out) and limits are still defaulted into requests.
    """
    reporter = Reporter()
    try:
        where = Where(file, doc, reporter)
        pod = _pod(_document(manifest, path_prefix), path_prefix, where, template=template)
    except InputError as e:
        raise e.located(file=file, doc=doc) from None
    if warnings is not None:
        warnings.extend(reporter.messages())
    return pod


# --------------------------------------------------------------------------- nodes


def _taints(spec: dict, base: str, where: Where) -> list[Taint]:
    out = []
    seen: set[tuple[str, str]] = set()
    for i, t in enumerate(get_list(spec, "taints", base)):
        tbase = f"{base}.taints[{i}]"
        t = as_map(t, tbase)
        where.check_keys(t, _TAINT_FIELDS, tbase, "taint")
        key = require_str(t, "key", tbase)
        effect = require_one_of(get_str(t, "effect", tbase), TAINT_EFFECTS, f"{tbase}.effect")
        if (key, effect) in seen:
            raise InputError(
                f"taints must be unique by key and effect: {key}:{effect} repeats", path=tbase
            )
        seen.add((key, effect))
        out.append(Taint(key, get_str(t, "value", tbase), effect))
    return out


def _images(status: dict, base: str) -> list[ContainerImage]:
    out = []
    for i, img in enumerate(get_list(status, "images", base)):
        ibase = f"{base}.images[{i}]"
        img = as_map(img, ibase)
        size = get_int(img, "sizeBytes", ibase, 0, lo=0, hi=INT64[1])
        out.append(ContainerImage(tuple(get_str_list(img, "names", ibase)), size))
    return out


def _node(m: dict, base: str | None, where: Where) -> Node:
    mbase = join(base, "metadata")
    meta = get_map(m, "metadata", base) or {}
    sbase = join(base, "spec")
    spec = get_map(m, "spec", base) or {}
    where.check_keys(spec, _NODE_SPEC_FIELDS, sbase, "node spec")
    stbase = join(base, "status")
    status = get_map(m, "status", base) or {}
    raw_cap = get_map(status, "capacity", stbase)
    raw_alloc = get_map(status, "allocatable", stbase)
    capacity = _resource_list(raw_cap, f"{stbase}.capacity") if raw_cap else {}
    if raw_alloc is None:
        # SetDefaults_NodeStatus: a node that reports no allocatable offers its capacity.
        allocatable = dict(capacity)
    else:
        allocatable = _resource_list(raw_alloc, f"{stbase}.allocatable")
    return Node(
        name=_name(meta, mbase, "Node"),
        labels=get_str_map(meta, "labels", mbase),
        taints=_taints(spec, sbase, where),
        unschedulable=get_bool(spec, "unschedulable", sbase),
        allocatable=allocatable,
        capacity=capacity,
        images=_images(status, stbase),
    )


def parse_node(
    manifest: dict,
    *,
    file: str | None = None,
    doc: int | None = None,
    path_prefix: str | None = None,
    warnings: list[str] | None = None,
) -> Node:
    """Build one Node from its manifest."""
    reporter = Reporter()
    try:
        node = _node(_document(manifest, path_prefix), path_prefix, Where(file, doc, reporter))
    except InputError as e:
        raise e.located(file=file, doc=doc) from None
    if warnings is not None:
        warnings.extend(reporter.messages())
    return node


# --------------------------------------------------------------------------- other kinds


def _namespace(m: dict, base: str | None, where: Where) -> Namespace:
    mbase = join(base, "metadata")
    meta = get_map(m, "metadata", base) or {}
    name = _name(meta, mbase, "Namespace")
    labels = get_str_map(meta, "labels", mbase)
    labels[LABEL_NAMESPACE_NAME] = name  # SetDefaults_Namespace
    return Namespace(name=name, labels=labels)


def _service(m: dict, base: str | None, where: Where) -> Service:
    mbase = join(base, "metadata")
    meta = get_map(m, "metadata", base) or {}
    spec = get_map(m, "spec", base) or {}
    return Service(
        name=_name(meta, mbase, "Service"),
        namespace=get_str(meta, "namespace", mbase) or "default",
        selector=get_str_map(spec, "selector", join(base, "spec")),
    )


def _workload(m: dict, base: str | None, where: Where, kind: str) -> Workload:
    mbase = join(base, "metadata")
    meta = get_map(m, "metadata", base) or {}
    name = _name(meta, mbase, kind)
    sbase = join(base, "spec")
    spec = get_map(m, "spec", base) or {}
    tbase = f"{sbase}.template"
    template = get_map(spec, "template", sbase)
    if template is None:
        raise InputError(f"is required for a {kind}", path=tbase)
    template_pod = _pod(template, tbase, where, template=True)
    if kind == "ReplicationController":
        labels = get_str_map(spec, "selector", sbase) or dict(template_pod.labels)
        selector = LabelSelector(match_labels=tuple(sorted(labels.items())))
    else:
        selector = _optional_selector(spec, "selector", sbase, where)
    if kind in _APPS_KINDS and (selector is None or selector.is_empty()):
        raise InputError(
            f"is required and must not be empty for a {kind} (apps/v1)", path=f"{sbase}.selector"
        )
    if selector is not None and not selector.is_empty():
        if not _selector_matches(selector, template_pod.labels):
            raise InputError(
                f"selector does not match template labels {template_pod.labels}",
                path=f"{tbase}.metadata.labels",
            )
    replicas = None
    if kind in _REPLICATED_KINDS:
        replicas = get_int(spec, "replicas", sbase, 1, lo=0)
    return Workload(
        kind=kind,
        name=name,
        namespace=get_str(meta, "namespace", mbase) or "default",
        selector=selector,
        replicas=replicas,
        template=template,
        spec=spec,
    )


def _priority_class(m: dict, base: str | None, where: Where) -> PriorityClass:
    mbase = join(base, "metadata")
    meta = get_map(m, "metadata", base) or {}
    name = _name(meta, mbase, "PriorityClass")
    # any integer here, so that the range check below names the PriorityClass range
    value = get_int(m, "value", base, lo=-(2**63), hi=2**63 - 1)
    if value is None:
        raise InputError("is required for a PriorityClass", path=join(base, "value"))
    if name.startswith("system-"):
        expected = SYSTEM_PRIORITY_CLASSES.get(name)
        if expected is None:
            raise InputError(
                "the system- prefix is reserved for the built-in classes "
                f"{', '.join(SYSTEM_PRIORITY_CLASSES)}",
                path=join(mbase, "name"),
            )
        if value != expected:
            raise InputError(f"expected {expected} for {name}, got {value}", path=join(base, "value"))
    elif not LOWEST_PRIORITY <= value <= HIGHEST_USER_PRIORITY:
        # int32 (below: the API cannot decode it), at most HighestUserDefinablePriority
        # (above: "maximum allowed value of a user defined priority is 1000000000")
        raise InputError(
            f"expected an integer from {LOWEST_PRIORITY} to {HIGHEST_USER_PRIORITY} (a user-defined "
            f"PriorityClass; higher values are reserved for the system- classes), got {value}",
            path=join(base, "value"),
        )
    policy = get_str(m, "preemptionPolicy", base) or "PreemptLowerPriority"
    require_one_of(policy, PREEMPTION_POLICIES, join(base, "preemptionPolicy"))
    return PriorityClass(
        name=name,
        value=value,
        global_default=get_bool(m, "globalDefault", base),
        preemption_policy=policy,
    )


def _int_or_percent(d: dict, key: str, base: str) -> int | str | None:
    v = d.get(key)
    path = f"{base}.{key}"
    if v is None:
        return None
    if type(v) is int:
        if v < 0:
            raise InputError(f"must be greater than or equal to 0, got {v}", path=path)
        return v
    if type(v) is str:
        m = _PERCENT.fullmatch(v)
        if not m:
            raise InputError(f"must be an integer or a percentage like '50%', got {v!r}", path=path)
        if int(m.group(1)) > 100:
            raise InputError(f"must not be greater than 100%, got {v!r}", path=path)
        return v
    raise type_error(v, "an integer or a percentage string like '50%'", path)


def _pdb(m: dict, base: str | None, where: Where) -> PodDisruptionBudget:
    mbase = join(base, "metadata")
    meta = get_map(m, "metadata", base) or {}
    sbase = join(base, "spec")
    spec = get_map(m, "spec", base) or {}
    min_available = _int_or_percent(spec, "minAvailable", sbase)
    max_unavailable = _int_or_percent(spec, "maxUnavailable", sbase)
    if min_available is not None and max_unavailable is not None:
        raise InputError(
            "minAvailable and maxUnavailable cannot both be set", path=f"{sbase}.maxUnavailable"
        )
    return PodDisruptionBudget(
        name=_name(meta, mbase, "PodDisruptionBudget"),
        namespace=get_str(meta, "namespace", mbase) or "default",
        selector=_optional_selector(spec, "selector", sbase, where),
        min_available=min_available,
        max_unavailable=max_unavailable,
    )


_PARSERS = {
    "Node": _node,
    "Pod": _pod,
    "Namespace": _namespace,
    "Service": _service,
    "PriorityClass": _priority_class,
    "PodDisruptionBudget": _pdb,
}
_SETS = {
    Node: "nodes",
    Pod: "pods",
    Namespace: "namespaces",
    Service: "services",
    Workload: "workloads",
    PriorityClass: "priority_classes",
    PodDisruptionBudget: "pdbs",
    dict: "scheduler_configs",
}


def _document(doc: object, base: str | None) -> dict:
    if type(doc) is dict:
        return doc
    if base:
        raise type_error(doc, "a map", base)
    raise InputError(f"a manifest must be a map (YAML mapping or JSON object), got {describe(doc)}")


def _kind(doc: object, base: str | None) -> str:
    d = _document(doc, base)
    kind = d.get("kind")
    if kind is None:
        raise InputError("is required (every manifest names its kind)", path=join(base, "kind"))
    if type(kind) is not str:
        raise type_error(kind, "a string", join(base, "kind"))
    return kind


def _is_list(kind: str, doc: dict) -> bool:
    return kind == "List" or (kind.endswith("List") and "items" in doc)


def manifest_objects(doc: object, base: str | None = None) -> Iterator[tuple[str | None, dict, str]]:
    """(path, manifest, kind) of every object in a document, ``kind: List`` (and typed
    ``*List``) items flattened; an item without a kind gets its typed list's."""
    kind = _kind(doc, base)
    if not _is_list(kind, doc):
        yield base, doc, kind
        return
    item_kind = kind[:-4] if kind != "List" else None
    for i, item in enumerate(get_list(doc, "items", base)):
        if item_kind and type(item) is dict and "kind" not in item:
            item = {**item, "kind": item_kind}  # API list responses omit item kinds
        yield from manifest_objects(item, join(base, f"items[{i}]"))


def _check_api_version(doc: dict, kind: str, base: str | None) -> None:
    """Reject API versions a v1.35 API server no longer serves (e.g. policy/v1beta1, whose
    PodDisruptionBudget selector semantics differ). A missing apiVersion is tolerated."""
    expected = API_VERSIONS.get(kind)
    version = doc.get("apiVersion")
    if expected is None or version is None or version == expected:
        return
    raise InputError(
        f"apiVersion {version!r} is not served for {kind} by Kubernetes v1.35: use {expected}",
        path=join(base, "apiVersion"),
    )


def _parse(doc: dict, kind: str, base: str | None, where: Where) -> object | None:
    _check_api_version(doc, kind, base)
    parser = _PARSERS.get(kind)
    if parser is not None:
        return parser(doc, base, where)
    if kind in WORKLOAD_KINDS:
        return _workload(doc, base, where, kind)
    if kind == "KubeSchedulerConfiguration":
        return doc
    where.warn(
        join(base, "kind"),
        f"kind {kind!r} is not used by podbench; document skipped",
        key=("unknown-kind", kind),
    )
    return None


def parse_object(
    doc: dict,
    *,
    file: str | None = None,
    doc_index: int | None = None,
    path_prefix: str | None = None,
    warnings: list[str] | None = None,
) -> object | None:
    """Build the object one manifest describes; ``None`` (plus a warning) for unknown kinds.

    Lists (``kind: List``, ``PodList``...) hold several objects: use ``load_manifests``.
    """
    reporter = Reporter()
    where = Where(file, doc_index, reporter)
    try:
        kind = _kind(doc, path_prefix)
        if _is_list(kind, doc):
            raise InputError(
                f"{kind} holds several objects; load it with load_manifests",
                path=join(path_prefix, "kind"),
            )
        obj = _parse(doc, kind, path_prefix, where)
    except InputError as e:
        raise e.located(file=file, doc=doc_index) from None
    if warnings is not None:
        warnings.extend(reporter.messages())
    return obj


# --------------------------------------------------------------------------- documents and files


class _Loading:
    """State of one ``load_manifests`` call: results, warnings, where each object came from."""

    def __init__(self) -> None:
        self.objects = ObjectSet()
        self.reporter = Reporter()
        self.seen: dict[tuple, tuple[str | None, int | None]] = {}
        # Pods that Priority admission has to look at, with their location.
        self.priority_pods: list[tuple[Pod, str | None, int | None, str | None]] = []
        self.class_origin: dict[str, tuple[str | None, int | None, str | None]] = {}

    def add_document(self, doc: object, where: Where) -> None:
        if doc is None:
            return  # empty document (a stray '---'): nothing to read
        for base, manifest, kind in manifest_objects(doc):
            self._add_object(manifest, kind, where, base)

    def _add_object(self, doc: dict, kind: str, where: Where, base: str | None) -> None:
        obj = _parse(doc, kind, base, where)
        if obj is None:
            return
        self._check_unique(obj, kind, where, base)
        getattr(self.objects, _SETS[type(obj)]).append(obj)
        if type(obj) is Pod and (obj.priority is None or obj.priority_class_name):
            self.priority_pods.append((obj, where.file, where.doc, base))
        elif type(obj) is PriorityClass:
            self.class_origin[obj.name] = (where.file, where.doc, base)

    def _check_unique(self, obj: object, kind: str, where: Where, base: str | None) -> None:
        if type(obj) is dict:
            return
        namespace = getattr(obj, "namespace", None)
        name = obj.name
        key = (kind, namespace, name)
        first = self.seen.get(key)
        if first is None:
            self.seen[key] = (where.file, where.doc)
            return
        label = f"{namespace}/{name}" if namespace else name
        raise InputError(
            f"duplicate {kind} {label!r}: already defined in {first[0]}, document {first[1]}",
            path=join(base, "metadata.name"),
        )


def _json_documents(path: Path, file: str) -> Iterator[tuple[int, object]]:
    try:
        with path.open("rb") as stream:
            doc = json.load(stream)
    except json.JSONDecodeError as e:
        raise InputError(
            f"invalid JSON: {e.msg} (column {e.colno})", file=file, line=e.lineno
        ) from None
    except UnicodeDecodeError as e:
        raise InputError(f"not UTF-8 text: {e.reason}", file=file) from None
    yield 0, doc


def file_documents(path: Path, file: str) -> Iterator[tuple[int, object]]:
    """(index, document) of a YAML or, by its suffix, JSON file."""
    if path.suffix.lower() == ".json":
        yield from _json_documents(path, file)
        return
    try:
        with path.open("rb") as stream:
            yield from yaml_documents(stream, file)
    except UnicodeDecodeError as e:
        raise InputError(f"not UTF-8 text: {e.reason}", file=file) from None


def _manifest_files(paths: Sequence[str | Path]) -> list[tuple[Path, str]]:
    files = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found = sorted(
                (
                    f
                    for f in path.iterdir()
                    if f.is_file() and f.suffix.lower() in MANIFEST_SUFFIXES
                ),
                key=lambda f: f.name,
            )
            if not found:
                raise InputError(
                    "directory holds no *.yaml, *.yml or *.json manifests", file=str(p)
                )
            files.extend((f, str(f)) for f in found)
        elif path.is_file():
            files.append((path, str(p)))
        else:
            raise InputError("no such file or directory", file=str(p))
    return files


def _read(loading: _Loading, documents: Iterator[tuple[int, object]], file: str) -> None:
    for index, doc in documents:
        where = Where(file, index, loading.reporter)
        try:
            loading.add_document(doc, where)
        except InputError as e:
            raise e.located(file=file, doc=index) from None


def _finish(loading: _Loading) -> ObjectSet:
    resolve_priorities(loading.objects, loading.priority_pods, loading.class_origin)
    loading.objects.warnings.extend(loading.reporter.messages())
    return loading.objects


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while loading: manifests build millions of small
    acyclic objects, and collections triggered by them cost ~15% of a 100k-pod load."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_manifests(paths: Sequence[str | Path]) -> ObjectSet:
    """Read manifest files (a directory means its *.yaml, *.yml and *.json files by name).

    Objects keep file order. Raises ``InputError`` at the first invalid document.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    loading = _Loading()
    with _gc_paused():
        for path, file in _manifest_files(paths):
            _read(loading, file_documents(path, file), file)
        return _finish(loading)


def load_manifest_text(text: str, *, file: str = "<string>") -> ObjectSet:
    """Like ``load_manifests`` for YAML (or JSON) text already in memory."""
    loading = _Loading()
    with _gc_paused():
        _read(loading, yaml_documents(text, file), file)
        return _finish(loading)


# --------------------------------------------------------------------------- priority admission


def resolve_priorities(
    objects: ObjectSet,
    pods: list[tuple[Pod, str | None, int | None, str | None]] | None = None,
    class_origin: dict[str, tuple[str | None, int | None, str | None]] | None = None,
) -> None:
    """Priority admission: fill ``spec.priority`` / ``preemptionPolicy`` from PriorityClasses.

    A pod with ``priorityClassName`` takes that class's value (built-in system classes
    included); a pod without one takes the ``globalDefault`` class if there is one, else
    stays unset (priority 0). Pods that already carry ``spec.priority`` (as every pod
    ``kubectl get`` prints does) keep it, but must agree with a class that is present.
    """
    if pods is None:
        pods = [
            (p, None, None, None)
            for p in objects.pods
            if p.priority is None or p.priority_class_name
        ]
    class_origin = class_origin or {}
    classes = {name: PriorityClass(name, value) for name, value in SYSTEM_PRIORITY_CLASSES.items()}
    default: PriorityClass | None = None
    for pc in objects.priority_classes:
        if pc.global_default:
            if default is not None:
                file, doc, base = class_origin.get(pc.name, (None, None, None))
                raise InputError(
                    f"only one PriorityClass can be globalDefault; {default.name!r} already is",
                    file=file,
                    doc=doc,
                    path=join(base, "globalDefault"),
                )
            default = pc
        classes[pc.name] = pc
    for pod, file, doc, base in pods:
        sbase = join(base, "spec")
        if pod.priority_class_name:
            pc = classes.get(pod.priority_class_name)
            if pc is None:
                if pod.priority is not None:
                    continue  # already admitted elsewhere (a kubectl dump without its classes)
                raise InputError(
                    f"no PriorityClass named {pod.priority_class_name!r} was found (load its "
                    "manifest too, or set spec.priority)",
                    file=file,
                    doc=doc,
                    path=f"{sbase}.priorityClassName",
                )
        elif default is not None:
            pc = default
        else:
            continue
        if pod.priority is not None and pod.priority != pc.value:
            raise InputError(
                f"spec.priority {pod.priority} differs from {pc.value}, the value of "
                f"PriorityClass {pc.name!r}",
                file=file,
                doc=doc,
                path=f"{sbase}.priority",
            )
        if pod.preemption_policy is not None and pod.preemption_policy != pc.preemption_policy:
            raise InputError(
                f"preemptionPolicy {pod.preemption_policy} differs from "
                f"{pc.preemption_policy}, the policy of PriorityClass {pc.name!r}",
                file=file,
                doc=doc,
                path=f"{sbase}.preemptionPolicy",
            )
        pod.priority = pc.value
        pod.priority_class_name = pc.name
        pod.preemption_policy = pc.preemption_policy
