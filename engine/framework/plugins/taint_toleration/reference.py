"""TaintToleration rules in plain Python."""

from __future__ import annotations

from engine.framework.cycle import CycleState, Status
from engine.framework.normalize import default_normalize_score
from engine.framework.plugins.taint_toleration import NAME, REASON
from engine.framework.status import UNSCHEDULABLE_AND_UNRESOLVABLE
from engine.objects import PREFER_NO_SCHEDULE, Node, Pod
from engine.tolerations import first_untolerated, tolerated_by_any


def untolerated_prefer_no_schedule(node: Node, pod: Pod, comparison_operators: bool = False) -> int:
    """Raw score: PreferNoSchedule taints not tolerated by tolerations of effect '' or that."""
    tolerations = [t for t in pod.tolerations if t.effect in ("", PREFER_NO_SCHEDULE)]
    return sum(
        1
        for taint in node.taints
        if taint.effect == PREFER_NO_SCHEDULE
        and not tolerated_by_any(taint, tolerations, comparison_operators)
    )


class TaintToleration:
    name = NAME

    def filter(self, state: CycleState, node: Node) -> Status | None:
        gates = state.gates.taint_toleration_comparison_operators
        taint = first_untolerated(node.taints, state.pod.tolerations, comparison_operators=gates)
        if taint is None:
            return None
        return Status(UNSCHEDULABLE_AND_UNRESOLVABLE, (REASON,), NAME)

    def pre_score(self, state: CycleState, nodes: list[Node]) -> bool:
        return False

    def score(self, state: CycleState, node: Node) -> int:
        gates = state.gates.taint_toleration_comparison_operators
        return untolerated_prefer_no_schedule(node, state.pod, gates)

    def normalize(self, state: CycleState, scores: list[int]) -> list[int]:
        return default_normalize_score(scores, reverse=True)
