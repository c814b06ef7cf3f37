"""The placement benchmark: place every pod of a synthetic stream once, in queue order.

Measures scheduling only: building the cluster and JIT compilation are timed apart. The
workload is documented in ``workloads.generators.placement``.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

import numpy as np

from engine.framework.profile import Profile
from engine.scheduler.scheduler import HEAP, Scheduler
from engine.state.cluster import ClusterState
from workloads.generators import placement


@dataclass
class PlacementResult:
    nodes: int
    pods: int
    placed: int
    seconds: float
    compile_seconds: float
    pods_per_second: float
    node_evaluations_per_pod: float
    ns_per_node_evaluation: float
    peak_rss_mb: float
    state_bytes_per_pod: float
    state_bytes_per_node: float

    def as_dict(self) -> dict:
        return asdict(self)


def peak_rss_mb() -> float:
    """Peak resident set size of this process (ru_maxrss is KiB on Linux, bytes on macOS)."""
    try:
        import resource
        import sys
    except ImportError:  # Windows
        return float("nan")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def build_state(profile: Profile, wl: placement.PlacementWorkload) -> tuple[ClusterState, np.ndarray]:
    """The cluster with every pod added pending; returns it and the pod rows in queue order."""
    state = ClusterState(profile, services=wl.services, workloads=wl.workloads)
    state.add_nodes(wl.nodes)
    order = np.empty(len(wl.stream), dtype=np.int32)
    for t, template in enumerate(wl.templates):
        positions = np.nonzero(wl.stream == t)[0]
        if len(positions) == 0:
            continue
        kind = state.compile(template)
        rows = state.add_pods(kind, len(positions), name=template.name)
        order[positions] = rows
    return state, order


def warm_up(profile: Profile, selection: str) -> float:
    """Compile (or load from cache) every kernel on a tiny instance; returns the seconds."""
    t0 = time.perf_counter()
    wl = placement.build(12, 40, seed=0)
    state, order = build_state(profile, wl)
    Scheduler(state, selection=selection).place(order)
    return time.perf_counter() - t0


def run_placement(
    num_nodes: int, num_pods: int, profile: Profile, *, seed: int = 0, selection: str = HEAP, progress=None
) -> PlacementResult:
    compile_seconds = warm_up(profile, selection)
    wl = placement.build(num_nodes, num_pods, seed=seed)
    state, order = build_state(profile, wl)
    result = Scheduler(state, selection=selection, seed=seed).place(order, progress=progress)
    pod_bytes, node_bytes = state.state_bytes()
    evaluations = max(result.node_evaluations, 1)
    return PlacementResult(
        nodes=num_nodes,
        pods=num_pods,
        placed=result.placed,
        seconds=round(result.seconds, 4),
        compile_seconds=round(compile_seconds, 3),
        pods_per_second=round(num_pods / result.seconds, 1) if result.seconds else 0.0,
        node_evaluations_per_pod=round(result.node_evaluations / max(num_pods, 1), 1),
        ns_per_node_evaluation=round(result.seconds * 1e9 / evaluations, 2),
        peak_rss_mb=round(peak_rss_mb(), 1),
        state_bytes_per_pod=round(pod_bytes / max(num_pods, 1), 1),
        state_bytes_per_node=round(node_bytes / max(num_nodes, 1), 1),
    )
