"""PodTopologySpread rules in plain Python (filtering.go, scoring.go, common.go)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from engine.framework.cycle import SKIP, CycleState, Snapshot, Status
from engine.framework.plugins.node_affinity.reference import required_matches
from engine.framework.plugins.pod_topology_spread import (
    NAME,
    REASON_CONSTRAINTS_NOT_MATCH,
    REASON_NODE_LABEL_NOT_MATCH,
)
from engine.framework.plugins.pod_topology_spread.args import PodTopologySpreadArgs
from engine.framework.status import UNSCHEDULABLE, UNSCHEDULABLE_AND_UNRESOLVABLE
from engine.labels import (
    Selector,
    compile_map_selector,
    compile_selector,
    compiled_matches,
    map_selector_matches,
    merge_label_keys,
)
from engine.objects import LABEL_HOSTNAME, Node, Pod, TopologySpreadConstraint
from engine.tolerations import first_untolerated

DO_NOT_SCHEDULE = "DoNotSchedule"
SCHEDULE_ANYWAY = "ScheduleAnyway"


@dataclass(frozen=True)
class Constraint:
    """A constraint as the plugin uses it: selector compiled, policies defaulted."""

    max_skew: int
    topology_key: str
    selector: Selector
    min_domains: int
    honor_affinity: bool
    honor_taints: bool


def filter_constraints(
    constraints: list[TopologySpreadConstraint] | tuple[TopologySpreadConstraint, ...],
    pod_labels: dict[str, str],
    action: str,
) -> list[Constraint]:
    """``filterTopologySpreadConstraints``: keep one action, merge matchLabelKeys."""
    out = []
    for c in constraints:
        if c.when_unsatisfiable != action:
            continue
        selector = merge_label_keys(compile_selector(c.label_selector), pod_labels, c.match_label_keys)
        out.append(
            Constraint(
                max_skew=c.max_skew,
                topology_key=c.topology_key,
                selector=selector,
                min_domains=c.min_domains if c.min_domains is not None else 1,
                honor_affinity=(c.node_affinity_policy or "Honor") == "Honor",
                honor_taints=(c.node_taints_policy or "Ignore") == "Honor",
            )
        )
    return out


def default_selector(pod: Pod, snapshot: Snapshot) -> Selector:
    """``helper.DefaultSelector``: union of selecting Services and the controlling RS/SS/RC."""
    label_set: dict[str, str] = {}
    for svc in snapshot.services:
        if svc.namespace == pod.namespace and svc.selector and map_selector_matches(pod.labels, svc.selector):
            label_set.update(svc.selector)
    selector: tuple = compile_map_selector(label_set)
    owner = next((o for o in pod.owner_references if o.controller), None)
    if owner is None:
        return selector
    kinds = {("v1", "ReplicationController"), ("apps/v1", "ReplicaSet"), ("apps/v1", "StatefulSet")}
    if (owner.api_version, owner.kind) not in kinds:
        return selector
    for w in snapshot.workloads:
        if w.kind == owner.kind and w.name == owner.name and w.namespace == pod.namespace:
            if owner.kind == "ReplicationController":
                extra = w.selector.match_labels if w.selector else ()
                merged = dict(label_set)
                merged.update(dict(extra))
                return compile_map_selector(merged)
            compiled = compile_selector(w.selector)
            if compiled is not None:
                selector = (*selector, *compiled)
            return selector
    return selector


def build_constraints(
    pod: Pod, snapshot: Snapshot, args: PodTopologySpreadArgs, action: str
) -> list[Constraint]:
    """The pod's own constraints of ``action``, or the profile defaults with DefaultSelector."""
    if pod.topology_spread_constraints:
        return filter_constraints(pod.topology_spread_constraints, pod.labels, action)
    defaults = filter_constraints(args.effective_default_constraints, pod.labels, action)
    if not defaults:
        return []
    selector = default_selector(pod, snapshot)
    if selector is not None and len(selector) == 0:
        return []
    return [
        Constraint(c.max_skew, c.topology_key, selector, c.min_domains, c.honor_affinity, c.honor_taints)
        for c in defaults
    ]


def count_matching(pods: list[Pod], selector: Selector, namespace: str) -> int:
    """``countPodsMatchSelector``: same namespace, not terminating, labels match."""
    if selector is not None and len(selector) == 0:
        return 0
    return sum(
        1
        for p in pods
        if not p.terminating and p.namespace == namespace and compiled_matches(p.labels, selector)
    )


def passes_inclusion(
    c: Constraint, pod: Pod, node: Node, comparison_operators: bool = False
) -> bool:
    """``matchNodeInclusionPolicies``; taints are matched with the Gt/Lt feature gate's value."""
    if c.honor_affinity and not required_matches(pod, node):
        return False
    if not c.honor_taints:
        return True
    gate = comparison_operators
    return first_untolerated(node.taints, pod.tolerations, comparison_operators=gate) is None


def has_all_keys(node: Node, constraints: list[Constraint]) -> bool:
    return all(c.topology_key in node.labels for c in constraints)


@dataclass
class FilterState:
    constraints: list[Constraint]
    counts: list[dict[str, int]]  # per constraint: topology value -> matching pods


@dataclass
class ScoreState:
    constraints: list[Constraint]
    ignored: set[str]
    counts: list[dict[str, int]]
    weights: list[float]


class PodTopologySpread:
    name = NAME

    def __init__(self, args: PodTopologySpreadArgs | None = None) -> None:
        self.args = args or PodTopologySpreadArgs()

    # -- filtering -----------------------------------------------------------------------
    def pre_filter(self, state: CycleState) -> tuple[Status | None, set[str] | None]:
        pod, snapshot = state.pod, state.snapshot
        gate = state.gates.taint_toleration_comparison_operators
        constraints = build_constraints(pod, snapshot, self.args, DO_NOT_SCHEDULE)
        if not constraints:
            return Status(SKIP, (), NAME), None
        counts: list[dict[str, int]] = [{} for _ in constraints]
        for node in snapshot.nodes:
            if not has_all_keys(node, constraints):
                continue
            per_pair: dict[tuple[str, str], int] = {}
            for c in constraints:
                if not passes_inclusion(c, pod, node, gate):
                    continue
                pair = (c.topology_key, node.labels[c.topology_key])
                per_pair[pair] = count_matching(snapshot.pods_on(node), c.selector, pod.namespace)
            for (key, value), n in per_pair.items():
                for i, c in enumerate(constraints):
                    if c.topology_key == key:
                        counts[i][value] = counts[i].get(value, 0) + n
        state.data[NAME] = FilterState(constraints, counts)
        return None, None

    def filter(self, state: CycleState, node: Node) -> Status | None:
        fs: FilterState = state.data[NAME]
        pod = state.pod
        for c, counts in zip(fs.constraints, fs.counts, strict=True):
            if c.topology_key not in node.labels:
                return Status(UNSCHEDULABLE_AND_UNRESOLVABLE, (REASON_NODE_LABEL_NOT_MATCH,), NAME)
            global_min = min(counts.values()) if counts else 2**31 - 1
            if len(counts) < c.min_domains:
                global_min = 0
            self_match = 1 if compiled_matches(pod.labels, c.selector) else 0
            skew = counts.get(node.labels[c.topology_key], 0) + self_match - global_min
            if skew > c.max_skew:
                return Status(UNSCHEDULABLE, (REASON_CONSTRAINTS_NOT_MATCH,), NAME)
        return None

    # -- scoring -------------------------------------------------------------------------
    def pre_score(self, state: CycleState, nodes: list[Node]) -> bool:
        pod, snapshot = state.pod, state.snapshot
        gate = state.gates.taint_toleration_comparison_operators
        if not nodes or not snapshot.nodes:
            return True
        require_all = bool(pod.topology_spread_constraints) or not self.args.system_defaulted
        constraints = build_constraints(pod, snapshot, self.args, SCHEDULE_ANYWAY)
        if not constraints:
            return True
        ignored: set[str] = set()
        counts: list[dict[str, int]] = [{} for _ in constraints]
        for node in nodes:
            if require_all and not has_all_keys(node, constraints):
                ignored.add(node.name)
                continue
            for i, c in enumerate(constraints):
                if c.topology_key != LABEL_HOSTNAME:
                    counts[i].setdefault(node.labels.get(c.topology_key, ""), 0)
        weights = []
        for i, c in enumerate(constraints):
            size = len(nodes) - len(ignored) if c.topology_key == LABEL_HOSTNAME else len(counts[i])
            weights.append(math.log(size + 2))
        for node in snapshot.nodes:
            if require_all and not has_all_keys(node, constraints):
                continue
            for i, c in enumerate(constraints):
                if not passes_inclusion(c, pod, node, gate):
                    continue
                value = node.labels.get(c.topology_key, "")
                if value in counts[i]:
                    counts[i][value] += count_matching(snapshot.pods_on(node), c.selector, pod.namespace)
        state.data[NAME + "/score"] = ScoreState(constraints, ignored, counts, weights)
        return False

    def score(self, state: CycleState, node: Node) -> int:
        ss: ScoreState = state.data[NAME + "/score"]
        if node.name in ss.ignored:
            return 0
        total = 0.0
        for i, c in enumerate(ss.constraints):
            if c.topology_key not in node.labels:
                continue
            if c.topology_key == LABEL_HOSTNAME:
                cnt = count_matching(state.snapshot.pods_on(node), c.selector, state.pod.namespace)
            else:
                cnt = ss.counts[i][node.labels[c.topology_key]]
            total += float(cnt) * ss.weights[i] + float(c.max_skew - 1)
        return _go_round(total)

    def normalize(self, state: CycleState, scores: list[int], nodes: list[Node] | None = None) -> list[int]:
        ss: ScoreState = state.data[NAME + "/score"]
        assert nodes is not None
        valid = [s for s, n in zip(scores, nodes, strict=True) if n.name not in ss.ignored]
        lo = min(valid, default=2**63 - 1)
        hi = max(valid, default=0)
        hi = max(hi, 0)
        out = []
        for s, n in zip(scores, nodes, strict=True):
            if n.name in ss.ignored:
                out.append(0)
            elif hi == 0:
                out.append(100)
            else:
                out.append(100 * (hi + lo - s) // hi)
        return out


def _go_round(x: float) -> int:
    return int(math.floor(abs(x) + 0.5)) * (1 if x >= 0 else -1)
