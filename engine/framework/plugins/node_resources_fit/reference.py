"""NodeResourcesFit rules in plain Python: the fit filter and the three scoring strategies."""

from __future__ import annotations

import math

from engine.framework.cycle import CycleState, Status
from engine.framework.plugins.node_resources_fit import NAME, REASON_TOO_MANY_PODS
from engine.framework.plugins.node_resources_fit.args import (
    LEAST_ALLOCATED,
    MAX_CUSTOM_PRIORITY_SCORE,
    MAX_UTILIZATION,
    MOST_ALLOCATED,
    NodeResourcesFitArgs,
    ResourceSpec,
    UtilizationShapePoint,
)
from engine.framework.status import UNSCHEDULABLE, UNSCHEDULABLE_AND_UNRESOLVABLE
from engine.objects import Node, Pod
from engine.resources import (
    CPU,
    EPHEMERAL_STORAGE,
    MEMORY,
    PODS,
    is_extended,
    is_scalar,
    pod_non_zero_requests,
    pod_requests,
)

MAX_NODE_SCORE = 100


def go_div(a: int, b: int) -> int:
    """Go's integer division: truncates toward zero (Python's // floors)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def scheduler_requests(pod: Pod) -> dict[str, int]:
    """The pod's request as the scheduler's ``Resource`` holds it: tracked names only."""
    return {k: v for k, v in pod_requests(pod).items() if k in (CPU, MEMORY, EPHEMERAL_STORAGE) or is_scalar(k)}


def node_requested(pods: list[Pod]) -> dict[str, int]:
    total: dict[str, int] = {}
    for p in pods:
        for k, v in scheduler_requests(p).items():
            total[k] = total.get(k, 0) + v
    return total


def node_non_zero_requested(pods: list[Pod]) -> tuple[int, int]:
    cpu = mem = 0
    for p in pods:
        c, m = pod_non_zero_requests(p)
        cpu += c
        mem += m
    return cpu, mem


def ignored(name: str, args: NodeResourcesFitArgs) -> bool:
    if not is_extended(name):
        return False
    return name in args.ignored_resources or name.split("/")[0] in args.ignored_resource_groups


def insufficient_resources(
    request: dict[str, int], node: Node, pods: list[Pod], args: NodeResourcesFitArgs
) -> list[tuple[str, bool]]:
    """``fitsRequest``: (reason, unresolvable) per failing resource, pods first.

    Scalar resources are checked in sorted name order (upstream iterates a Go map).
    """
    out: list[tuple[str, bool]] = []
    alloc = node.allocatable
    if len(pods) + 1 > alloc.get(PODS, 0):
        out.append((REASON_TOO_MANY_PODS, False))
    if not any(request.get(r, 0) for r in (CPU, MEMORY, EPHEMERAL_STORAGE)) and not any(
        is_scalar(k) for k in request
    ):
        return out
    used = node_requested(pods)
    for name in (CPU, MEMORY, EPHEMERAL_STORAGE):
        want = request.get(name, 0)
        if want > 0 and want > alloc.get(name, 0) - used.get(name, 0):
            out.append((f"Insufficient {name}", want > alloc.get(name, 0)))
    for name in sorted(k for k in request if is_scalar(k)):
        want = request[name]
        if want == 0 or ignored(name, args):
            continue
        if want > alloc.get(name, 0) - used.get(name, 0):
            out.append((f"Insufficient {name}", want > alloc.get(name, 0)))
    return out


def least_requested(requested: int, capacity: int) -> int:
    if capacity == 0 or requested > capacity:
        return 0
    return (capacity - requested) * MAX_NODE_SCORE // capacity


def most_requested(requested: int, capacity: int) -> int:
    if capacity == 0:
        return 0
    return min(requested, capacity) * MAX_NODE_SCORE // capacity


def broken_linear(shape: list[tuple[int, int]], p: int) -> int:
    """``BuildBrokenLinearFunction`` over (utilization, score) points, Go integer arithmetic."""
    for i, (u, s) in enumerate(shape):
        if p <= u:
            if i == 0:
                return s
            u0, s0 = shape[i - 1]
            return s0 + go_div((s - s0) * (p - u0), u - u0)
    return shape[-1][1]


def rtcr_shape(points: tuple[UtilizationShapePoint, ...]) -> list[tuple[int, int]]:
    scale = MAX_NODE_SCORE // MAX_CUSTOM_PRIORITY_SCORE
    return [(p.utilization, p.score * scale) for p in points]


def strategy_score(
    strategy: str,
    resources: tuple[ResourceSpec, ...],
    shape: list[tuple[int, int]],
    requested: list[int],
    allocatable: list[int],
) -> int:
    score = weights = 0
    for spec, req, alloc in zip(resources, requested, allocatable, strict=True):
        if alloc == 0:
            continue
        if strategy == LEAST_ALLOCATED:
            s = least_requested(req, alloc)
        elif strategy == MOST_ALLOCATED:
            s = most_requested(req, alloc)
        else:
            util = MAX_UTILIZATION if req > alloc else req * MAX_UTILIZATION // alloc
            s = broken_linear(shape, util)
            if s <= 0:
                continue
        score += s * spec.weight
        weights += spec.weight
    if weights == 0:
        return 0
    if strategy in (LEAST_ALLOCATED, MOST_ALLOCATED):
        return score // weights
    return go_round(score / weights)


def go_round(x: float) -> int:
    """Go ``math.Round``: half away from zero."""
    return int(math.floor(abs(x) + 0.5)) * (1 if x >= 0 else -1)


def allocatable_and_requested(
    resources: tuple[ResourceSpec, ...],
    pod_request: list[int],
    node: Node,
    pods: list[Pod],
    non_zero: bool,
) -> tuple[list[int], list[int]]:
    """``calculateResourceAllocatableRequest`` per resource; (0, 0) drops a resource."""
    used = node_requested(pods)
    nz_cpu, nz_mem = node_non_zero_requested(pods)
    alloc_out, req_out = [], []
    for spec, want in zip(resources, pod_request, strict=True):
        name = spec.name
        alloc = req = 0
        if not (want == 0 and is_scalar(name)):
            if name == CPU:
                alloc, req = node.allocatable.get(CPU, 0), (nz_cpu if non_zero else used.get(CPU, 0)) + want
            elif name == MEMORY:
                alloc, req = node.allocatable.get(MEMORY, 0), (nz_mem if non_zero else used.get(MEMORY, 0)) + want
            elif name == EPHEMERAL_STORAGE:
                alloc, req = node.allocatable.get(name, 0), used.get(name, 0) + want
            elif name in node.allocatable and is_scalar(name):
                alloc, req = node.allocatable[name], used.get(name, 0) + want
        if alloc == 0:
            alloc = req = 0
        alloc_out.append(alloc)
        req_out.append(req)
    return alloc_out, req_out


def pod_request_list(pod: Pod, resources: tuple[ResourceSpec, ...], non_zero: bool) -> list[int]:
    plain = pod_requests(pod)
    nz = pod_non_zero_requests(pod) if non_zero else None
    out = []
    for spec in resources:
        if nz is not None and spec.name == CPU:
            out.append(nz[0])
        elif nz is not None and spec.name == MEMORY:
            out.append(nz[1])
        else:
            out.append(plain.get(spec.name, 0))
    return out


class NodeResourcesFit:
    name = NAME

    def __init__(self, args: NodeResourcesFitArgs | None = None) -> None:
        self.args = args or NodeResourcesFitArgs()
        strategy = self.args.scoring_strategy
        self.shape = rtcr_shape(strategy.shape) if strategy.shape else []

    def pre_filter(self, state: CycleState) -> tuple[Status | None, set[str] | None]:
        state.data[NAME] = scheduler_requests(state.pod)
        return None, None

    def filter(self, state: CycleState, node: Node) -> Status | None:
        failures = insufficient_resources(
            state.data[NAME], node, state.snapshot.pods_on(node), self.args
        )
        if not failures:
            return None
        code = UNSCHEDULABLE_AND_UNRESOLVABLE if any(u for _, u in failures) else UNSCHEDULABLE
        return Status(code, tuple(r for r, _ in failures), NAME)

    def pre_score(self, state: CycleState, nodes: list[Node]) -> bool:
        resources = self.args.scoring_strategy.resources
        state.data[NAME + "/score"] = pod_request_list(state.pod, resources, non_zero=True)
        return False

    def score(self, state: CycleState, node: Node) -> int:
        strategy = self.args.scoring_strategy
        alloc, req = allocatable_and_requested(
            strategy.resources, state.data[NAME + "/score"], node, state.snapshot.pods_on(node), True
        )
        return strategy_score(strategy.type, strategy.resources, self.shape, req, alloc)
