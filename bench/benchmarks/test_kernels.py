"""Kernel benchmarks at small and medium sizes, and the kernel against the reference.

Run with ``make bench`` (``pytest bench --benchmark-enable``). Each benchmark builds its state
outside the timed region; the timed region is scheduling only.
"""

from __future__ import annotations

import pytest

from bench.placement import build_state, warm_up
from engine.framework.cycle import Snapshot, node_tree_order
from engine.framework.profile import default_profile
from engine.framework.reference_scheduler import ReferenceScheduler
from engine.scheduler.scheduler import Scheduler
from workloads.generators import placement

SIZES = {"small": (100, 2_000), "medium": (1_000, 20_000)}


@pytest.fixture(scope="module", autouse=True)
def compiled():
    warm_up(default_profile(), "heap")


@pytest.mark.parametrize("size", list(SIZES))
def test_place(benchmark, size):
    """Place every pod of the synthetic stream once (default profile)."""
    nodes, pods = SIZES[size]
    profile = default_profile()
    wl = placement.build(nodes, pods, seed=0)

    def setup():
        state, order = build_state(profile, wl)
        return (Scheduler(state), order), {}

    result = benchmark.pedantic(lambda s, o: s.place(o), setup=setup, rounds=3, iterations=1)
    benchmark.extra_info.update(nodes=nodes, pods=pods, placed=result.placed)


def _filled(nodes: int, pods: int):
    """A cluster of ``nodes`` nodes already holding ``nodes * 5`` pods, plus ``pods`` pending."""
    profile = default_profile()
    wl = placement.build(nodes, nodes * 5 + pods, seed=1)
    state, order = build_state(profile, wl)
    Scheduler(state).place(order[: nodes * 5])
    return profile, wl, state, order[nodes * 5 :]


PER_POD = 2_000


def test_kernel_per_pod_1000_nodes(benchmark):
    """Kernel: 2,000 pods placed one after another on 1,000 nodes (time / 2,000 = per pod)."""

    def setup():
        _, _, state, pending = _filled(1000, PER_POD)
        return (Scheduler(state), pending), {}

    benchmark.pedantic(lambda s, rows: s.place(rows), setup=setup, rounds=3, iterations=1)
    benchmark.extra_info["pods"] = PER_POD


def test_reference_per_pod_1000_nodes(benchmark):
    """Reference: the same cycle for one pod, in plain Python (compare with the kernel / 2,000)."""
    profile, wl, state, pending = _filled(1000, 1)
    templates = {t.name: t for t in wl.templates}

    def template_of(row: int):
        return templates[state.pods.key(int(row)).split("/")[1].rsplit("-", 1)[0]]

    pods_by_node: dict[str, list] = {}
    for row in range(state.pods.n):
        node = int(state.pods.node[row])
        if node >= 0:
            pods_by_node.setdefault(state.node_name(node), []).append(template_of(row))
    snapshot = Snapshot(node_tree_order(wl.nodes), pods_by_node, {}, wl.services, wl.workloads)
    ref = ReferenceScheduler(profile)
    pod = template_of(pending[0])
    benchmark.pedantic(lambda: ref.schedule_one(pod, snapshot), rounds=3, iterations=1)
