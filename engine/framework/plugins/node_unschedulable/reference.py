"""NodeUnschedulable rules in plain Python (the oracle for the kernel)."""

from __future__ import annotations

from engine.framework.cycle import CycleState, Status
from engine.framework.plugins.node_unschedulable import NAME, REASON
from engine.framework.status import UNSCHEDULABLE_AND_UNRESOLVABLE
from engine.objects import NO_SCHEDULE, Node, Taint
from engine.tolerations import tolerated_by_any

UNSCHEDULABLE_TAINT = Taint(key="node.kubernetes.io/unschedulable", value="", effect=NO_SCHEDULE)


class NodeUnschedulable:
    name = NAME

    def filter(self, state: CycleState, node: Node) -> Status | None:
        if not node.unschedulable:
            return None
        if tolerated_by_any(UNSCHEDULABLE_TAINT, state.pod.tolerations):
            return None
        return Status(UNSCHEDULABLE_AND_UNRESOLVABLE, (REASON,), NAME)
