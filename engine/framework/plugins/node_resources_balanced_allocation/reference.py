"""NodeResourcesBalancedAllocation rules in plain Python (v1.35 formula)."""

from __future__ import annotations

import math

from engine.framework.cycle import CycleState
from engine.framework.plugins.node_resources_balanced_allocation import NAME
from engine.framework.plugins.node_resources_balanced_allocation.args import (
    NodeResourcesBalancedAllocationArgs,
)
from engine.framework.plugins.node_resources_fit.reference import (
    allocatable_and_requested,
    pod_request_list,
)
from engine.objects import Node


def balanced_score(requested: list[int], allocatable: list[int]) -> int:
    """``int((1 - std) * 100)`` over the resource fractions capped at 1 (float64)."""
    fractions = []
    for req, alloc in zip(requested, allocatable, strict=True):
        if alloc == 0:
            continue
        fractions.append(min(req / alloc, 1.0))
    std = 0.0
    if len(fractions) == 2:
        std = abs((fractions[0] - fractions[1]) / 2)
    elif len(fractions) > 2:
        mean = sum(fractions) / len(fractions)
        total = 0.0
        for f in fractions:
            total = total + (f - mean) * (f - mean)
        std = math.sqrt(total / len(fractions))
    return int((1 - std) * 100.0)


class NodeResourcesBalancedAllocation:
    name = NAME

    def __init__(self, args: NodeResourcesBalancedAllocationArgs | None = None) -> None:
        self.args = args or NodeResourcesBalancedAllocationArgs()

    def pre_score(self, state: CycleState, nodes: list[Node]) -> bool:
        request = pod_request_list(state.pod, self.args.resources, non_zero=False)
        state.data[NAME] = request
        return not any(request)  # best-effort pods skip (PR #130260)

    def score(self, state: CycleState, node: Node) -> int:
        alloc, req = allocatable_and_requested(
            self.args.resources, state.data[NAME], node, state.snapshot.pods_on(node), False
        )
        return balanced_score(req, alloc)
