"""NodeAffinity rules in plain Python: nodeSelector, required terms, addedAffinity, preferred."""

from __future__ import annotations

from engine.framework.cycle import SKIP, CycleState, Status
from engine.framework.normalize import default_normalize_score
from engine.framework.plugins.node_affinity import NAME, REASON, REASON_ENFORCED
from engine.framework.status import UNSCHEDULABLE_AND_UNRESOLVABLE
from engine.labels import map_selector_matches, node_selector_matches, term_is_empty, term_matches
from engine.objects import Node, Pod, PreferredSchedulingTerm
from engine.objects import NodeAffinity as NodeAffinitySpec

REASON_CONFLICT = "pod affinity terms conflict"


def pod_node_affinity(pod: Pod) -> NodeAffinitySpec | None:
    return pod.affinity.node_affinity if pod.affinity else None


def required_matches(pod: Pod, node: Node) -> bool:
    """``GetRequiredNodeAffinity(pod).Match``: nodeSelector AND required terms (if any)."""
    if not map_selector_matches(node.labels, pod.node_selector):
        return False
    na = pod_node_affinity(pod)
    if na is not None and na.required is not None:
        return node_selector_matches(na.required, node.name, node.labels)
    return True


def preferred_score(terms: tuple[PreferredSchedulingTerm, ...], node: Node) -> int:
    """Sum of weights of matching preferred terms (weight-0 and empty terms ignored)."""
    return sum(
        t.weight
        for t in terms
        if t.weight != 0 and not term_is_empty(t.preference) and term_matches(t.preference, node.name, node.labels)
    )


def prefilter_node_names(required: tuple) -> set[str] | None:
    """Node names from ``metadata.name In`` matchFields: union over terms of per-term intersection."""
    names: set[str] | None = None
    for term in required:
        term_names: set[str] | None = None
        for r in term.match_fields:
            if r.key == "metadata.name" and r.operator == "In":
                values = set(r.values)
                term_names = values if term_names is None else term_names & values
        if term_names is None:
            return None
        names = term_names if names is None else names | term_names
    return names


class NodeAffinity:
    name = NAME

    def __init__(self, added: NodeAffinitySpec | None = None) -> None:
        self.added_required = added.required if added else None
        self.added_preferred = added.preferred if added else ()

    def pre_filter(self, state: CycleState) -> tuple[Status | None, set[str] | None]:
        pod = state.pod
        na = pod_node_affinity(pod)
        no_required = na is None or na.required is None
        if no_required and self.added_required is None and not pod.node_selector:
            return Status(SKIP, (), NAME), None
        if no_required or not na.required:
            return None, None
        names = prefilter_node_names(na.required)
        if names is not None and not names:
            return Status(UNSCHEDULABLE_AND_UNRESOLVABLE, (REASON_CONFLICT,), NAME), None
        return None, names

    def filter(self, state: CycleState, node: Node) -> Status | None:
        if self.added_required is not None and not node_selector_matches(
            self.added_required, node.name, node.labels
        ):
            return Status(UNSCHEDULABLE_AND_UNRESOLVABLE, (REASON_ENFORCED,), NAME)
        if not required_matches(state.pod, node):
            return Status(UNSCHEDULABLE_AND_UNRESOLVABLE, (REASON,), NAME)
        return None

    def _pod_preferred(self, pod: Pod) -> tuple[PreferredSchedulingTerm, ...]:
        na = pod_node_affinity(pod)
        return na.preferred if na else ()

    def pre_score(self, state: CycleState, nodes: list[Node]) -> bool:
        return not self._pod_preferred(state.pod) and not self.added_preferred

    def score(self, state: CycleState, node: Node) -> int:
        return preferred_score(self.added_preferred, node) + preferred_score(
            self._pod_preferred(state.pod), node
        )

    def normalize(self, state: CycleState, scores: list[int]) -> list[int]:
        return default_normalize_score(scores, reverse=False)
