"""InterPodAffinity rules in plain Python (filtering.go, scoring.go)."""

from __future__ import annotations

from dataclasses import dataclass

from engine.framework.cycle import SKIP, CycleState, Snapshot, Status
from engine.framework.plugins.inter_pod_affinity import (
    NAME,
    REASON_AFFINITY_RULES,
    REASON_ANTI_AFFINITY_RULES,
    REASON_EXISTING_ANTI_AFFINITY,
)
from engine.framework.plugins.inter_pod_affinity.args import InterPodAffinityArgs
from engine.framework.status import UNSCHEDULABLE, UNSCHEDULABLE_AND_UNRESOLVABLE
from engine.labels import Selector, compile_selector, compiled_matches, merge_label_keys
from engine.objects import Node, Pod, PodAffinityTerm

Pair = tuple[str, str]  # (topology key, value)


@dataclass(frozen=True)
class Term:
    """``fwk.AffinityTerm``: namespaces, namespace selector, label selector, topology key."""

    namespaces: frozenset[str]
    namespace_selector: Selector
    selector: Selector
    topology_key: str
    weight: int = 0

    def matches(self, pod: Pod, namespace_labels: dict[str, str]) -> bool:
        in_ns = pod.namespace in self.namespaces or compiled_matches(
            namespace_labels, self.namespace_selector
        )
        return in_ns and compiled_matches(pod.labels, self.selector)


def make_term(owner: Pod, t: PodAffinityTerm, weight: int = 0, anti: bool = False) -> Term:
    """Process one API term of ``owner``: default namespace, match/mismatchLabelKeys merged."""
    if not t.namespaces and t.namespace_selector is None:
        namespaces = frozenset((owner.namespace,))
    else:
        namespaces = frozenset(t.namespaces)
    selector = merge_label_keys(
        compile_selector(t.label_selector), owner.labels, t.match_label_keys, t.mismatch_label_keys
    )
    return Term(namespaces, compile_selector(t.namespace_selector), selector, t.topology_key, weight)


def pod_terms(pod: Pod) -> dict[str, list[Term]]:
    """The four term lists of a pod (required/preferred affinity and anti-affinity)."""
    aff = pod.affinity.pod_affinity if pod.affinity else None
    anti = pod.affinity.pod_anti_affinity if pod.affinity else None
    return {
        "req_aff": [make_term(pod, t) for t in (aff.required if aff else ())],
        "req_anti": [make_term(pod, t) for t in (anti.required if anti else ())],
        "pref_aff": [make_term(pod, w.term, w.weight) for w in (aff.preferred if aff else ())],
        "pref_anti": [make_term(pod, w.term, w.weight) for w in (anti.preferred if anti else ())],
    }


def has_any_affinity(pod: Pod) -> bool:
    return pod.affinity is not None and (
        pod.affinity.pod_affinity is not None or pod.affinity.pod_anti_affinity is not None
    )


def resolve_namespaces(term: Term, snapshot: Snapshot) -> Term:
    """``mergeAffinityTermNamespacesIfNotEmpty``: a real namespace selector becomes a list."""
    sel = term.namespace_selector
    if sel is None or len(sel) == 0:
        return term
    names = {ns.name for ns in snapshot.namespaces.values() if compiled_matches(ns.labels, sel)}
    return Term(term.namespaces | names, None, term.selector, term.topology_key, term.weight)


def matches_all(terms: list[Term], pod: Pod) -> bool:
    return bool(terms) and all(t.matches(pod, {}) for t in terms)


@dataclass
class FilterState:
    terms: dict[str, list[Term]]
    existing_anti: dict[Pair, int]
    affinity: dict[Pair, int]
    anti_affinity: dict[Pair, int]


def _bump(m: dict[Pair, int], pair: Pair, value: int) -> None:
    m[pair] = m.get(pair, 0) + value
    if m[pair] == 0:
        del m[pair]


class InterPodAffinity:
    name = NAME

    def __init__(self, args: InterPodAffinityArgs | None = None) -> None:
        self.args = args or InterPodAffinityArgs()

    # -- filtering -----------------------------------------------------------------------
    def pre_filter(self, state: CycleState) -> tuple[Status | None, set[str] | None]:
        pod, snapshot = state.pod, state.snapshot
        terms = pod_terms(pod)
        terms["req_aff"] = [resolve_namespaces(t, snapshot) for t in terms["req_aff"]]
        terms["req_anti"] = [resolve_namespaces(t, snapshot) for t in terms["req_anti"]]
        ns_labels = snapshot.namespace_labels(pod.namespace)
        existing_anti: dict[Pair, int] = {}
        affinity: dict[Pair, int] = {}
        anti_affinity: dict[Pair, int] = {}
        for node in snapshot.nodes:
            for existing in snapshot.pods_on(node):
                for t in pod_terms(existing)["req_anti"]:
                    if t.matches(pod, ns_labels) and t.topology_key in node.labels:
                        _bump(existing_anti, (t.topology_key, node.labels[t.topology_key]), 1)
                if matches_all(terms["req_aff"], existing):
                    for t in terms["req_aff"]:
                        if t.topology_key in node.labels:
                            _bump(affinity, (t.topology_key, node.labels[t.topology_key]), 1)
                for t in terms["req_anti"]:
                    if t.matches(existing, {}) and t.topology_key in node.labels:
                        _bump(anti_affinity, (t.topology_key, node.labels[t.topology_key]), 1)
        if not existing_anti and not terms["req_aff"] and not terms["req_anti"]:
            return Status(SKIP, (), NAME), None
        state.data[NAME] = FilterState(terms, existing_anti, affinity, anti_affinity)
        return None, None

    def filter(self, state: CycleState, node: Node) -> Status | None:
        fs: FilterState = state.data[NAME]
        if not self._satisfies_affinity(fs, state.pod, node):
            return Status(UNSCHEDULABLE_AND_UNRESOLVABLE, (REASON_AFFINITY_RULES,), NAME)
        for t in fs.terms["req_anti"]:
            if t.topology_key in node.labels and fs.anti_affinity.get(
                (t.topology_key, node.labels[t.topology_key]), 0
            ) > 0:
                return Status(UNSCHEDULABLE, (REASON_ANTI_AFFINITY_RULES,), NAME)
        for key, value in node.labels.items():
            if fs.existing_anti.get((key, value), 0) > 0:
                return Status(UNSCHEDULABLE, (REASON_EXISTING_ANTI_AFFINITY,), NAME)
        return None

    @staticmethod
    def _satisfies_affinity(fs: FilterState, pod: Pod, node: Node) -> bool:
        pods_exist = True
        for t in fs.terms["req_aff"]:
            if t.topology_key not in node.labels:
                return False
            if fs.affinity.get((t.topology_key, node.labels[t.topology_key]), 0) <= 0:
                pods_exist = False
        if not pods_exist:
            # The first pod of a group with affinity to itself may go anywhere.
            return not fs.affinity and matches_all(fs.terms["req_aff"], pod)
        return True

    # -- scoring -------------------------------------------------------------------------
    def pre_score(self, state: CycleState, nodes: list[Node]) -> bool:
        pod, snapshot = state.pod, state.snapshot
        if not nodes:
            return True
        terms = pod_terms(pod)
        has_constraints = bool(terms["pref_aff"] or terms["pref_anti"])
        if self.args.ignore_preferred_terms_of_existing_pods and not has_constraints:
            return True
        pref_aff = [resolve_namespaces(t, snapshot) for t in terms["pref_aff"]]
        pref_anti = [resolve_namespaces(t, snapshot) for t in terms["pref_anti"]]
        ns_labels = snapshot.namespace_labels(pod.namespace)
        hard_weight = self.args.hard_pod_affinity_weight
        scores: dict[str, dict[str, int]] = {}

        def process(term: Term, target: Pod, target_ns_labels: dict[str, str], node: Node, sign: int) -> None:
            if term.matches(target, target_ns_labels) and term.topology_key in node.labels:
                by_value = scores.setdefault(term.topology_key, {})
                value = node.labels[term.topology_key]
                by_value[value] = by_value.get(value, 0) + term.weight * sign

        for node in snapshot.nodes:
            if not node.labels:
                continue
            for existing in snapshot.pods_on(node):
                if not has_constraints and not has_any_affinity(existing):
                    continue
                for t in pref_aff:
                    process(t, existing, {}, node, 1)
                for t in pref_anti:
                    process(t, existing, {}, node, -1)
                e_terms = pod_terms(existing)
                if hard_weight > 0:
                    for t in e_terms["req_aff"]:
                        weighted = Term(t.namespaces, t.namespace_selector, t.selector, t.topology_key, hard_weight)
                        process(weighted, pod, ns_labels, node, 1)
                for t in e_terms["pref_aff"]:
                    process(t, pod, ns_labels, node, 1)
                for t in e_terms["pref_anti"]:
                    process(t, pod, ns_labels, node, -1)
        if not scores:
            return True
        state.data[NAME + "/score"] = scores
        return False

    def score(self, state: CycleState, node: Node) -> int:
        scores: dict[str, dict[str, int]] = state.data[NAME + "/score"]
        return sum(
            by_value.get(node.labels[key], 0) for key, by_value in scores.items() if key in node.labels
        )

    def normalize(self, state: CycleState, scores: list[int]) -> list[int]:
        lo, hi = min(scores), max(scores)
        diff = hi - lo
        return [int(100.0 * ((s - lo) / diff)) if diff > 0 else 0 for s in scores]
