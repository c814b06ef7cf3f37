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

from engine.framework.features import DEFAULT_FEATURE_GATES, FeatureGates
from engine.framework.profile import Profile, default_profile
from engine.framework.reference_scheduler import ReferenceScheduler
from engine.framework.result import CycleResult
from engine.objects import (
    LABEL_HOSTNAME,
    LABEL_ZONE,
    Affinity,
    Container,
    LabelSelector,
    Node,
    Pod,
    PodAffinity,
    PodAffinityTerm,
    Service,
    Taint,
    Toleration,
    TopologySpreadConstraint,
    WeightedPodAffinityTerm,
)
from engine.scheduler.scheduler import Scheduler
from engine.state.cluster import ClusterState
from tests.strategies import Scenario, large_scenario, scenario

SETTINGS = dict(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def cluster_state(sc: Scenario, pending: list[Pod] | None = None) -> tuple[ClusterState, list[int]]:
    """The scenario in a ClusterState: nodes, bound pods, then the pending pods' rows."""
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
    return state, add_pending(state, sc.pending if pending is None else pending)


def add_pending(state: ClusterState, pods: list[Pod]) -> list[int]:
    """Rows of new pending pods. A pod naming an existing node (spec.nodeName) is bound by
    ``add_pod``; it is unbound again so that it goes through the scheduler like the
    reference's copy."""
    rows = []
    for p in pods:
        row = state.add_pod(p)
        if state.pods.node[row] >= 0:
            state.unbind(row)
        rows.append(row)
    return rows


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


def one_cycle(sc: Scenario) -> None:
    """The first pending pod, explained on both sides: every node examined, then sampling."""
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


@settings(max_examples=300, **SETTINGS)
@given(scenario())
def test_one_cycle_matches_reference(sc: Scenario):
    one_cycle(sc)


def place_stream(sc: Scenario) -> None:
    """Both sides place ``sc.pending`` in order, binding each pod: same nodes, same messages,
    same start index. The kernel gets the stream in two ``place`` calls, the second half's
    pods being added only after the first half is bound (incremental compilation of new pod
    kinds against a populated state)."""
    half = len(sc.pending) // 2
    state, rows = cluster_state(sc, sc.pending[:half])
    sched = Scheduler(state, selection=sc.selection, seed=sc.seed)
    sched.next_start_index = sc.start
    first = sched.place(np.array(rows, dtype=np.int32))
    rows2 = add_pending(state, sc.pending[half:])
    second = sched.place(np.array(rows2, dtype=np.int32))
    got_nodes = [state.node_name(int(n)) if n >= 0 else None for n in (*first.nodes, *second.nodes)]
    got_messages = {**first.messages, **{half + i: m for i, m in second.messages.items()}}

    twin = Scheduler(state, selection=sc.selection, seed=sc.seed)  # same random stream
    randoms = np.concatenate([twin._draws(half), twin._draws(len(sc.pending) - half)])
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

    assert got_nodes == want_nodes
    assert got_messages == want_messages
    assert sched.next_start_index == ref.next_start_index


@settings(max_examples=150, **SETTINGS)
@given(scenario(max_pending=20))
def test_pod_stream_matches_reference(sc: Scenario):
    place_stream(sc)


@settings(max_examples=40, **SETTINGS)
@given(large_scenario())
def test_large_cluster_sampling_matches_reference(sc: Scenario):
    """100+ nodes: percentageOfNodesToScore limits the search; examined nodes and the next start
    index must agree, pod after pod."""
    one_cycle(sc)
    place_stream(sc)


# --------------------------------------------------------------------------- pinned examples
# Hand-computed expectations for rules the properties rarely hit, and regressions they found.


def explain_both(
    nodes: list[Node], bound: list[Pod], pod: Pod, profile: Profile, gates=DEFAULT_FEATURE_GATES,
    services: tuple[Service, ...] = (),
) -> CycleResult:
    """Explain ``pod`` on both sides (every node examined), assert they agree, return one."""
    sc = Scenario(nodes, bound, [pod], profile, gates, "heap", 0, 0, services=services)
    state, rows = cluster_state(sc)
    want = ReferenceScheduler(profile, gates).schedule_one(
        pod, sc.snapshot(), examine_all=True, score_single=True
    )
    got = Scheduler(state).explain(rows[0])
    assert_same(want, got)
    return got


def small_node(name: str, labels: dict[str, str], taints: list[Taint] | None = None) -> Node:
    alloc = {"cpu": 4000, "memory": 8 * 2**30, "pods": 110}
    return Node(name, {LABEL_HOSTNAME: name, **labels}, taints or [], allocatable=alloc)


def labelled_pod(name: str, labels: dict[str, str], node: str = "", **kw) -> Pod:
    c = Container("c", requests={"cpu": 100, "memory": 2**20})
    return Pod(name, labels=labels, node_name=node, containers=[c], **kw)


def only_scores(name: str) -> Profile:
    return Profile(pre_scores=(name,), scores=((name, 1),))


def test_inter_pod_affinity_normalize_divides_before_multiplying():
    """raw 29 of range 0..100: int64(100 * (29 / 100)) = int64(28.999999999999996) = 28."""
    nodes = [small_node(f"n{i}", {}) for i in range(3)]
    bound = [labelled_pod("x", {"app": "x"}, "n0"), labelled_pod("y", {"app": "y"}, "n1")]

    def term(weight: int, app: str) -> WeightedPodAffinityTerm:
        selector = LabelSelector((("app", app),))
        return WeightedPodAffinityTerm(weight, PodAffinityTerm(LABEL_HOSTNAME, selector))

    affinity = Affinity(pod_affinity=PodAffinity(preferred=(term(29, "x"), term(100, "y"))))
    pod = labelled_pod("in", {}, affinity=affinity)
    got = explain_both(nodes, bound, pod, only_scores("InterPodAffinity"))
    scores = {v.name: v.scores["InterPodAffinity"] for v in got.nodes}
    assert scores == {"n0": 28, "n1": 100, "n2": 0}


def test_system_default_spreading_counts_unlabelled_nodes_in_the_empty_zone():
    """Found by the properties (the kernel counted only nodes carrying the label).

    Upstream's PTS PreScore reads a missing zone label as "" with system defaults: n0 (zone "")
    and n1 (no zone label) form one domain "" holding n1's matching pod; n2 is zone z1.
    Weights: hostname ln(3 + 2), zone ln(2 + 2) (domains "" and z1).
      n0: hostname 0 + (3 - 1) = 2; zone 1 * ln 4 + (5 - 1) = 5.386 -> round(7.386) = 7
      n1: hostname 1 * ln 5 + 2 = 3.609; no zone label -> 4
      n2: hostname 2; zone 0 + 4 -> 6
    NormalizeScore (max 7, min 4): 100 * (11 - s) // 7 -> n0 57, n1 100, n2 71.
    """
    nodes = [
        small_node("n0", {LABEL_ZONE: ""}),
        small_node("n1", {}),
        small_node("n2", {LABEL_ZONE: "z1"}),
    ]
    bound = [labelled_pod("web-0", {"app": "web"}, "n1")]
    pod = labelled_pod("web-1", {"app": "web"})
    services = (Service("web", "default", {"app": "web"}),)
    got = explain_both(nodes, bound, pod, only_scores("PodTopologySpread"), services=services)
    scores = {v.name: v.scores["PodTopologySpread"] for v in got.nodes}
    assert scores == {"n0": 57, "n1": 100, "n2": 71}


def test_spread_taints_policy_uses_the_comparison_operator_gate():
    """Found by reading upstream (common.go passes the Gt/Lt gate to the taint check).

    Hard constraint zone/maxSkew 1 with nodeTaintsPolicy Honor; the pod tolerates sla=50 only
    through ``Gt 10`` (gate on). So node a (z1, 0 pods) counts: min 0; b (z2, 1 pod) has skew
    1 + 1 - 0 = 2 > 1 and fails; a has skew 0 + 1 - 0 = 1 and fits.
    """
    gates = FeatureGates(taint_toleration_comparison_operators=True)
    nodes = [
        small_node("a", {LABEL_ZONE: "z1"}, [Taint("sla", "50", "NoSchedule")]),
        small_node("b", {LABEL_ZONE: "z2"}),
    ]
    bound = [labelled_pod("web-0", {"app": "web"}, "b")]
    spread = TopologySpreadConstraint(
        1, LABEL_ZONE, "DoNotSchedule", LabelSelector((("app", "web"),)), node_taints_policy="Honor"
    )
    pod = labelled_pod(
        "web-1",
        {"app": "web"},
        tolerations=[Toleration("sla", "Gt", "10", "NoSchedule")],
        topology_spread_constraints=[spread],
    )
    got = explain_both(nodes, bound, pod, default_profile(), gates)
    a, b = got.nodes
    assert (a.name, a.feasible) == ("a", True)
    assert (b.name, b.feasible, b.status, b.plugin) == (
        "b", False, "Unschedulable", "PodTopologySpread"
    )
    assert got.selected == "a"


def test_topology_key_on_no_node():
    """Found by the properties: a constraint key that no node carries crashed the state build."""
    nodes = [small_node("a", {}), small_node("b", {})]
    spread = TopologySpreadConstraint(1, "example.com/rack", "DoNotSchedule", LabelSelector())
    pod = labelled_pod("p", {}, topology_spread_constraints=[spread])
    got = explain_both(nodes, [], pod, default_profile())
    assert [(v.feasible, v.reasons) for v in got.nodes] == [
        (False, ["node(s) didn't match pod topology spread constraints (missing required label)"])
    ] * 2
    assert got.message == (
        "0/2 nodes are available: 2 node(s) didn't match pod topology spread constraints "
        "(missing required label)."
    )
