"""NodeName rules in plain Python."""

from __future__ import annotations

from engine.framework.cycle import CycleState, Status
from engine.framework.plugins.node_name import NAME, REASON
from engine.framework.status import UNSCHEDULABLE_AND_UNRESOLVABLE
from engine.objects import Node


class NodeName:
    name = NAME

    def filter(self, state: CycleState, node: Node) -> Status | None:
        wanted = state.pod.node_name
        if not wanted or wanted == node.name:
            return None
        return Status(UNSCHEDULABLE_AND_UNRESOLVABLE, (REASON,), NAME)
