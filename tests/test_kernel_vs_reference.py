"""Property tests: the Numba kernel and the reference scheduler decide identically.

Random small clusters, pods and profiles (``tests.strategies``) are scheduled by both
implementations; every field of the result must agree: the selected node, and for every
examined node its feasibility, status code, failing plugin, reasons, per-plugin scores and
total, plus the FailedScheduling message and the next round-robin start index. A second
property places a stream of pods one after another on both sides.

Runs are deterministic (``derandomize=True``, no example database) so CI sees the same
examples every time.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, given, settings

from engine.framework.reference_scheduler import ReferenceScheduler
from engine.framework.result import CycleResult
from engine.scheduler.scheduler import Scheduler
from engine.state.cluster import ClusterState
from tests.strategies import Scenario, scenario

SETTINGS = dict(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def cluster_state(sc: Scenario) -> tuple[ClusterState, list[int]]:
    """The scenario in a ClusterState: nodes, bound pods, then the pending pods' rows.

    A pending pod that names an existing node (spec.nodeName) is bound by ``add_pod``; it is
    unbound again so that it goes through the scheduler like the reference's copy.
    """
    state = ClusterState(
        sc.profile,
        sc.gates,
        namespaces=list(sc.namespaces),
        services=list(sc.services),
        workloads=list(sc.workloads),
    )
    state.add_nodes(sc.nodes)
    for p in sc.bound:
        state.add_pod(p)
    rows = []
    for p in sc.pending:
        row = state.add_pod(p)
        if state.pods.node[row] >= 0:
            state.unbind(row)
        rows.append(row)
    return state, rows


def draws(state: ClusterState, sc: Scenario, n: int) -> np.ndarray:
    """The random draws a ``Scheduler`` with this seed uses for its next ``n`` cycles."""
    return Scheduler(state, selection=sc.selection, seed=sc.seed)._draws(n)


def assert_same(ref: CycleResult, ker: CycleResult) -> None:
    assert [v.as_json() for v in ker.nodes] == [v.as_json() for v in ref.nodes]
    assert ker.selected == ref.selected
    assert ker.message == ref.message
    assert ker.num_all_nodes == ref.num_all_nodes
    assert ker.next_start_index == ref.next_start_index
    assert (ref.selected is None) == (ref.message is not None)


@settings(max_examples=250, **SETTINGS)
@given(scenario())
def test_one_cycle_matches_reference(sc: Scenario):
    pod = sc.pending[0]
    state, rows = cluster_state(sc)
    for examine_all in (True, False):
        draw = int(draws(state, sc, 1)[0])
        ref = ReferenceScheduler(sc.profile, sc.gates, sc.selection)
        ref.next_start_index = sc.start
        want = ref.schedule_one(
            pod, sc.snapshot(), examine_all=examine_all, score_single=True, draw=draw
        )
        sched = Scheduler(state, selection=sc.selection, seed=sc.seed)
        sched.next_start_index = sc.start
        got = sched.explain(rows[0], sample=not examine_all)
        assert_same(want, got)


@settings(max_examples=120, **SETTINGS)
@given(scenario(max_pending=20))
def test_pod_stream_matches_reference(sc: Scenario):
    state, rows = cluster_state(sc)
    randoms = draws(state, sc, len(rows))

    ref = ReferenceScheduler(sc.profile, sc.gates, sc.selection)
    ref.next_start_index = sc.start
    snapshot = sc.snapshot()
    want_nodes, want_messages = [], {}
    for i, pod in enumerate(sc.pending):
        result = ref.schedule_one(pod, snapshot, draw=int(randoms[i]))
        want_nodes.append(result.selected)
        if result.selected is None:
            want_messages[i] = result.message
        else:
            snapshot = snapshot.with_pod(replace(pod, node_name=result.selected), result.selected)

    sched = Scheduler(state, selection=sc.selection, seed=sc.seed)
    sched.next_start_index = sc.start
    placed = sched.place(np.array(rows, dtype=np.int32))
    got_nodes = [state.node_name(int(n)) if n >= 0 else None for n in placed.nodes]
    assert got_nodes == want_nodes
    assert placed.messages == want_messages
    assert sched.next_start_index == ref.next_start_index
