"""Node lifecycle in the simulator: failure and taint-based eviction, recovery, drain with a
PodDisruptionBudget, cordon and taints.

Expected timelines are worked out by hand in the fixtures' comments
(tests/scenarios/node-failure-timeline.yaml, drain-pdb.yaml) and below, from
pods-and-nodes.md §6 (monitor grace 50 s, period 5 s, DefaultTolerationSeconds 300 s,
0.1 node/s per zone), §7 (taints, cordon, drain: 429 retried every 5 s) and §8.3 (PDB).
"""

from __future__ import annotations

import polars as pl

from tests.simulation_helpers import (
    FIXTURES,
    bound_pod,
    kinds,
    node_events,
    of_pod,
    pdb,
    pod,
    pool,
    run,
    write_scenario,
)

UNREACHABLE_NS = "node.kubernetes.io/unreachable:NoSchedule"
UNREACHABLE_NE = "node.kubernetes.io/unreachable:NoExecute"
NOT_HELPFUL = "Preemption is not helpful for scheduling"


def samples(out, node: str, column: str) -> dict[int, object]:
    """time_ms -> value of ``column`` in the node's nodes.arrow samples."""
    frame = pl.read_ipc(out / "nodes.arrow").filter(pl.col("node") == node)
    return dict(frame.select("time_ms", column).rows())


# -- node failure ----------------------------------------------------------------------------

def test_node_failure_timeline(tmp_path):
    out = tmp_path / "run"
    events, info = run(FIXTURES / "node-failure-timeline.yaml", out)
    assert node_events(events, "node-000") == [
        (155_000, "NodeNotReady", "node-000", None),
        (155_000, "NodeTainted", "node-000", UNREACHABLE_NS),
        (155_000, "NodeTainted", "node-000", UNREACHABLE_NE),
        (660_000, "NodeUntainted", "node-000", UNREACHABLE_NE),
        (660_000, "NodeUntainted", "node-000", UNREACHABLE_NS),
        (660_000, "NodeReady", "node-000", None),
    ]
    # the second node of the zone gets its NoExecute taint one rate-limiter slot (10 s) later
    assert node_events(events, "node-001") == [
        (155_000, "NodeNotReady", "node-001", None),
        (155_000, "NodeTainted", "node-001", UNREACHABLE_NS),
        (165_000, "NodeTainted", "node-001", UNREACHABLE_NE),
    ]
    assert node_events(events, "node-002") == []
    evicted = kinds(events, "Evicted")
    assert sorted(evicted) == [
        (215_000, "short-0", "node-000", "TaintManagerEviction"),      # own toleration: 60 s
        (455_000, "default-0", "node-000", "TaintManagerEviction"),    # DefaultTolerationSeconds 300 s
        (455_000, "job-0", "node-000", "TaintManagerEviction"),
        (465_000, "other-0", "node-001", "TaintManagerEviction"),      # tainted at 165 s
    ]
    # evicted pods stay Terminating while the node is dead; the kubelet deletes them on return
    assert sorted(kinds(events, "Deleted")) == [(660_000, p, "node-000", None)
                                                 for p in ("default-0", "job-0", "short-0")]
    assert of_pod(events, "other-0")[-1] == (465_000, "Evicted", "node-001")
    # job-0 was due at 204 s on the dead node: no completion is ever reported
    assert kinds(events, "Completed") == []
    # forever-0 tolerates unreachable forever: not evicted, Ready again when the node is back
    assert of_pod(events, "forever-0")[-1] == (660_000, "Ready", "node-000")
    assert [r for r in of_pod(events, "healthy-0")] == [
        (0, "Created", None), (0, "Scheduled", "node-002"), (1_000, "Started", "node-002"),
        (1_000, "Ready", "node-002")]
    # late-0 is kept off the tainted node, and binds there once it has recovered
    assert kinds(events, "FailedScheduling")[0] == (
        200_000, "late-0", None,
        "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 node(s) had "
        f"untolerated taint(s). preemption: 0/3 nodes are available: 3 {NOT_HELPFUL}.")
    assert (660_000, "late-0", "node-000", None) in kinds(events, "Scheduled")
    # bare pods are not replaced: only the scenario's seven arrivals are ever created
    assert len(kinds(events, "Created")) == 7 == info["pods"]
    # nodes.arrow: Ready is Unknown (false) from the detection, not from the failure
    ready = samples(out, "node-000", "ready")
    assert ready[150_000] and not ready[155_000] and not ready[655_000] and ready[660_000]
    assert not samples(out, "node-001", "ready")[720_000]


def test_recovery_before_eviction_cancels_it(tmp_path):
    # node-000 recovers at 300 s: after short-0's eviction (215 s, still Terminating: its
    # grace ended at 245 s on a dead node) but before the 455 s ones, which are cancelled.
    # At 300 s: taints removed, NodeReady; short-0 Deleted; job-0 (due at 204 s) Completed;
    # default-0 and forever-0 Ready again; late-0 binds to node-000.
    events, _ = run(FIXTURES / "node-failure-timeline.yaml", tmp_path / "run", sets=["events[1].at=300s"])
    assert [e for e in node_events(events, "node-000") if e[0] == 300_000] == [
        (300_000, "NodeUntainted", "node-000", UNREACHABLE_NE),
        (300_000, "NodeUntainted", "node-000", UNREACHABLE_NS),
        (300_000, "NodeReady", "node-000", None),
    ]
    assert sorted(kinds(events, "Evicted")) == [
        (215_000, "short-0", "node-000", "TaintManagerEviction"),
        (465_000, "other-0", "node-001", "TaintManagerEviction"),  # node-001 never recovers
    ]
    assert kinds(events, "Deleted") == [(300_000, "short-0", "node-000", None)]
    assert kinds(events, "Completed") == [(300_000, "job-0", "node-000", None)]
    ready_again = {p for t, p, _, _ in kinds(events, "Ready") if t == 300_000}
    assert ready_again == {"default-0", "forever-0"}
    assert of_pod(events, "default-0")[-1] == (300_000, "Ready", "node-000")
    assert (300_000, "late-0", "node-000", None) in kinds(events, "Scheduled")


def test_recovery_before_detection_leaves_no_trace(tmp_path):
    # node-000 is back at 130 s, before the 155 s tick: never NotReady, never tainted; job-0
    # completes on time (204 s). node-001 alone is detected at 155 s and, first in its zone
    # now, gets its NoExecute taint at once: other-0 is evicted at 155 + 300 = 455 s.
    events, _ = run(FIXTURES / "node-failure-timeline.yaml", tmp_path / "run", sets=["events[1].at=130s"])
    assert node_events(events, "node-000") == []
    assert node_events(events, "node-001") == [
        (155_000, "NodeNotReady", "node-001", None),
        (155_000, "NodeTainted", "node-001", UNREACHABLE_NS),
        (155_000, "NodeTainted", "node-001", UNREACHABLE_NE),
    ]
    assert kinds(events, "Evicted") == [(455_000, "other-0", "node-001", "TaintManagerEviction")]
    assert kinds(events, "Completed") == [(204_000, "job-0", "node-000", None)]
    assert (200_000, "late-0", "node-000", None) in kinds(events, "Scheduled")


def test_a_second_failure_is_timed_from_its_own_start(tmp_path):
    # n-000 fails at 100 s, recovers at 120 s (before the 150 s detection), fails again at
    # 140 s: the detection is at the first 5 s tick >= 140 + 50 = 190 s, not 150 s.
    path = write_scenario(
        tmp_path, pods=[pod("w", "1", node="node-000")], pools=[pool("node", 2)], duration="10m",
        events=[{"at": "100s", "action": "fail", "node": "node-000"},
                {"at": "120s", "action": "recover", "node": "node-000"},
                {"at": "140s", "action": "fail", "node": "node-000"}])
    events, _ = run(path, tmp_path / "run")
    assert node_events(events, "node-000")[:3] == [
        (190_000, "NodeNotReady", "node-000", None),
        (190_000, "NodeTainted", "node-000", UNREACHABLE_NS),
        (190_000, "NodeTainted", "node-000", UNREACHABLE_NE),
    ]
    assert kinds(events, "Evicted") == [(490_000, "w-0", "node-000", "TaintManagerEviction")]


def test_zone_disruption_counts_detected_nodes_only(tmp_path):
    # Four nodes in one zone fail one after another: node-000 at 100 s, node-001 at 120 s,
    # node-002 at 140 s; detections at 150, 170, 190 s. The zone state counts nodes whose
    # Ready condition is not True (detected): 1 of 4 at 150 s and 2 of 4 at 170 s -> healthy
    # (partial disruption needs more than 2 and >= 55 %): NoExecute at 150 s and at 170 s
    # (the 10 s rate-limiter slot after 150 s has passed). At 190 s 3 of 4 are NotReady:
    # partially disrupted, and a zone of <= 50 nodes then stops tainting: node-002 never gets
    # the NoExecute taint, so its pod is never evicted.
    pods = [pod(f"p{i}", "1", node=f"node-00{i}") for i in range(3)]
    path = write_scenario(tmp_path, pods=pods, pools=[pool("node", 4, zones=["zone-a"])], duration="10m",
                          events=[{"at": f"{100 + 20 * i}s", "action": "fail", "node": f"node-00{i}"}
                                  for i in range(3)])
    events, info = run(path, tmp_path / "run")
    tainted = [(t, n) for t, k, n, r in node_events(events) if r == UNREACHABLE_NE]
    assert tainted == [(150_000, "node-000"), (170_000, "node-001")]
    assert [(t, n) for t, k, n, _ in node_events(events) if k == "NodeNotReady"] == [
        (150_000, "node-000"), (170_000, "node-001"), (190_000, "node-002")]
    assert sorted(kinds(events, "Evicted")) == [(450_000, "p0-0", "node-000", "TaintManagerEviction"),
                                                (470_000, "p1-0", "node-001", "TaintManagerEviction")]
    assert any("partially disrupted" in w for w in info["warnings"])


# -- drain -----------------------------------------------------------------------------------

def test_drain_respects_the_pdb_until_a_replacement_is_ready(tmp_path):
    out = tmp_path / "run"
    events, _ = run(FIXTURES / "drain-pdb.yaml", out)
    assert node_events(events) == [(60_000, "NodeCordoned", "node-000", None)]
    evicted = kinds(events, "Evicted")
    assert [(t, p) for t, p, _, _ in evicted if p == "loner-0"] == [(60_000, "loner-0")]
    web = sorted((t, p) for t, p, _, _ in evicted if p.startswith("web"))
    # one web-a pod at 60 s (budget 1), the other at the first retry after web-r-0 is Ready
    assert [t for t, _ in web] == [60_000, 75_000]
    assert {p for _, p in web} == {"web-a-0", "web-a-1"}
    assert {r for _, _, _, r in evicted} == {"EvictionByEvictionAPI"}
    assert {n for _, _, n, _ in evicted} == {"node-000"}
    assert (72_000, "web-r-0", "node-001", None) in kinds(events, "Scheduled")
    assert sorted((t, p) for t, p, _, _ in kinds(events, "Deleted")) == sorted(
        [(90_000, "loner-0"), (web[0][0] + 30_000, web[0][1]), (web[1][0] + 30_000, web[1][1])])
    # the DaemonSet pod is skipped and keeps running on the cordoned node
    assert [k for _, k, _ in of_pod(events, "agent-0")] == ["Created", "Scheduled", "Started", "Ready"]
    schedulable = samples(out, "node-000", "schedulable")
    assert schedulable[50_000] and not schedulable[60_000] and not schedulable[180_000]


def test_drain_blocked_by_the_pdb_until_the_end(tmp_path):
    # Without the replacement the budget never allows the second web-a pod: retried every 5 s
    # to the end of the run, never evicted.
    events, _ = run(FIXTURES / "drain-pdb.yaml", tmp_path / "run", sets=["workload.pods[4].count=0"])
    web = [(t, p) for t, p, _, _ in kinds(events, "Evicted") if p.startswith("web")]
    assert [t for t, _ in web] == [60_000]
    kept = ({"web-a-0", "web-a-1"} - {p for _, p in web}).pop()
    assert [k for _, k, _ in of_pod(events, kept)] == ["Created", "Scheduled", "Started", "Ready"]


# -- cordon and taints -----------------------------------------------------------------------------

def test_cordon_and_uncordon(tmp_path):
    # node-000 is cordoned 10 s .. 50 s. Pods arriving meanwhile can only use node-001;
    # pinned-0 (nodeSelector node-000, at 20 s) waits: node-000 is unschedulable, node-001
    # does not match; both are UnschedulableAndUnresolvable, so preemption cannot help. The
    # uncordon (a node update) requeues it and it binds at 50 s.
    pods = [pod("before", "250m"), pod("during", "250m", at="15s", count=4, every="5s"),
            pod("pinned", "250m", at="20s", node="node-000")]
    path = write_scenario(tmp_path, pods=pods, pools=[pool("node", 2)], duration="2m", sampleInterval="5s",
                          events=[{"at": "10s", "action": "cordon", "node": "node-000"},
                                  {"at": "50s", "action": "uncordon", "node": "node-000"}])
    out = tmp_path / "run"
    events, _ = run(path, out)
    assert node_events(events) == [(10_000, "NodeCordoned", "node-000", None),
                                   (50_000, "NodeUncordoned", "node-000", None)]
    placed = {p: n for _, p, n, _ in kinds(events, "Scheduled")}
    assert [placed[f"during-{i}"] for i in range(4)] == ["node-001"] * 4
    assert kinds(events, "FailedScheduling") == [(
        20_000, "pinned-0", None,
        "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) were "
        f"unschedulable. preemption: 0/2 nodes are available: 2 {NOT_HELPFUL}.")]
    assert (50_000, "pinned-0", "node-000", None) in kinds(events, "Scheduled")
    schedulable = samples(out, "node-000", "schedulable")
    assert [schedulable[t] for t in (5_000, 10_000, 45_000, 50_000)] == [True, False, False, True]
    assert all(samples(out, "node-001", "schedulable").values())


def test_taints_filter_evict_and_replace(tmp_path):
    # 30 s: node-001 tainted dedicated=x:NoSchedule (nothing running there is touched).
    # 40 s: node-000 tainted maint=now:NoExecute: a-0, a-1 tolerate nothing -> evicted at
    #   once; t-0 tolerates it for 20 s -> evicted at 60 s; f-0 tolerates it forever.
    #   Deleted after the 30 s grace: a-* at 70 s, t-0 at 90 s.
    # 45 s: after-0 fits nowhere (both nodes carry an untolerated taint).
    # 50 s: node-001 untainted -> after-0 binds there.
    # 55 s / 56 s: node-001 tainted dedicated=y then dedicated=z (same key and effect: the
    #   second replaces the first). tol-y-0 (58 s, pinned to node-001, tolerates dedicated=y)
    #   is therefore rejected there.
    tol = [{"key": "maint", "operator": "Exists", "effect": "NoExecute"}]
    pods = [pod("a", "250m", node="node-000", count=2, every="1s"),
            pod("t", "250m", at="2s", node="node-000", tolerations=[{**tol[0], "tolerationSeconds": 20}]),
            pod("f", "250m", at="3s", node="node-000", tolerations=tol),
            pod("s", "250m", at="4s", node="node-001"),
            pod("after", "250m", at="45s"),
            pod("tol-y", "250m", at="58s", node="node-001",
                tolerations=[{"key": "dedicated", "operator": "Equal", "value": "y", "effect": "NoSchedule"}])]

    def taint(at, node, key, value, effect, action="taint"):
        return {"at": at, "action": action, "node": node,
                "taint": {"key": key, "value": value, "effect": effect}}

    path = write_scenario(tmp_path, pods=pods, pools=[pool("node", 2)], duration="2m", events=[
        taint("30s", "node-001", "dedicated", "x", "NoSchedule"),
        taint("40s", "node-000", "maint", "now", "NoExecute"),
        {"at": "50s", "action": "untaint", "node": "node-001", "taint": {"key": "dedicated", "effect": "NoSchedule"}},
        taint("55s", "node-001", "dedicated", "y", "NoSchedule"),
        taint("56s", "node-001", "dedicated", "z", "NoSchedule"),
    ])
    events, _ = run(path, tmp_path / "run")
    assert node_events(events) == [
        (30_000, "NodeTainted", "node-001", "dedicated=x:NoSchedule"),
        (40_000, "NodeTainted", "node-000", "maint=now:NoExecute"),
        (50_000, "NodeUntainted", "node-001", "dedicated:NoSchedule"),
        (55_000, "NodeTainted", "node-001", "dedicated=y:NoSchedule"),
        (56_000, "NodeTainted", "node-001", "dedicated=z:NoSchedule"),
    ]
    assert sorted(kinds(events, "Evicted")) == [
        (40_000, "a-0", "node-000", "TaintManagerEviction"),
        (40_000, "a-1", "node-000", "TaintManagerEviction"),
        (60_000, "t-0", "node-000", "TaintManagerEviction"),
    ]
    assert sorted((t, p) for t, p, _, _ in kinds(events, "Deleted")) == [
        (70_000, "a-0"), (70_000, "a-1"), (90_000, "t-0")]
    assert of_pod(events, "f-0")[-1][1] == "Ready"
    assert of_pod(events, "s-0")[-1][1] == "Ready"
    untolerated = ("0/2 nodes are available: 2 node(s) had untolerated taint(s). preemption: "
                   f"0/2 nodes are available: 2 {NOT_HELPFUL}.")
    assert kinds(events, "FailedScheduling")[:2] == [(45_000, "after-0", None, untolerated),
                                                     (58_000, "tol-y-0", None, untolerated)]
    assert (50_000, "after-0", "node-001", None) in kinds(events, "Scheduled")
    assert "tol-y-0" not in {p for _, p, _, _ in kinds(events, "Scheduled")}


def test_remove_and_add_nodes(tmp_path):
    # node-000 is removed at 20 s: its pods are deleted with it ("DeletionByPodGC"), then
    # NodeRemoved. big-0 (3 cpu) fits nowhere else (node-001 has 2 cpu free) until a node is
    # added at 40 s (NodeAdded; a cluster event): it binds to the new node-002 then.
    pods = [pod("a", "1", node="node-000"), pod("b", "2", node="node-001"), pod("big", "3", at="30s")]
    path = write_scenario(tmp_path, pods=pods, pools=[pool("node", 2)], duration="1m", events=[
        {"at": "20s", "action": "remove", "node": "node-000"},
        {"at": "40s", "action": "add", "pool": "node", "count": 1}])
    events, info = run(path, tmp_path / "run")
    assert node_events(events) == [(20_000, "NodeRemoved", "node-000", None),
                                   (40_000, "NodeAdded", "node-002", None)]
    assert kinds(events, "Deleted") == [(20_000, "a-0", "node-000", "DeletionByPodGC")]
    assert kinds(events, "FailedScheduling")[0][:2] == (30_000, "big-0")
    assert (40_000, "big-0", "node-002", None) in kinds(events, "Scheduled")
    assert info["nodes"] == 2


def test_drain_deletes_a_pod_that_has_not_started_without_a_budget_check(tmp_path):
    # PDB web: minAvailable 2. web-0 is Ready on node-000 (currentHealthy 1 < 2: allowed 0);
    # web-1 binds to node-000 at 59.5 s and would start at 60.5 s. The drain at 60 s: web-0
    # gets 429 (and keeps getting it); web-1 is still phase Pending, which the Eviction API
    # deletes without looking at PDBs (pods-and-nodes.md §7.4) -> Evicted at 60 s, never
    # started.
    pods = [pod("web", "1", node="node-000", labels={"app": "web"}, count=2, every="59500ms")]
    path = write_scenario(tmp_path, pods=pods, pools=[pool("node", 2)], duration="3m",
                          objects=[{"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
                                    "metadata": {"name": "web"},
                                    "spec": {"minAvailable": 2, "selector": {"matchLabels": {"app": "web"}}}}],
                          events=[{"at": "60s", "action": "drain", "node": "node-000"}])
    events, _ = run(path, tmp_path / "run")
    assert kinds(events, "Evicted") == [(60_000, "web-1", "node-000", "EvictionByEvictionAPI")]
    assert [k for _, k, _ in of_pod(events, "web-1")] == ["Created", "Scheduled", "Evicted", "Deleted"]
    assert of_pod(events, "web-0")[-1][1] == "Ready"


def test_short_outages_do_not_restart_or_reready_pods(tmp_path):
    # startLatency 1 s, readyDelay 5 s. b-0: bound 0 s, started 1 s, Ready 6 s. a-0: bound at
    # 10 s, due to start at 11 s and be Ready at 16 s. node-000 is down 10.2-10.5 s and
    # 13-14 s, far shorter than the 50 s grace: never detected. When the kubelet comes back
    # nothing has fallen due yet, so a-0 starts at 11 s and is Ready at 16 s, once each.
    path = write_scenario(
        tmp_path, pods=[pod("b", "1", node="node-000"), pod("a", "1", node="node-000", at="10s")],
        pools=[pool("node", 1)], duration="1m", lifecycle={"readyDelay": "5s"},
        events=[{"at": "10200ms", "action": "fail", "node": "node-000"},
                {"at": "10500ms", "action": "recover", "node": "node-000"},
                {"at": "13s", "action": "fail", "node": "node-000"},
                {"at": "14s", "action": "recover", "node": "node-000"}])
    events, _ = run(path, tmp_path / "run")
    assert node_events(events) == []
    assert of_pod(events, "b-0") == [(0, "Created", None), (0, "Scheduled", "node-000"),
                                     (1_000, "Started", "node-000"), (6_000, "Ready", "node-000")]
    assert of_pod(events, "a-0") == [(10_000, "Created", None), (10_000, "Scheduled", "node-000"),
                                     (11_000, "Started", "node-000"), (16_000, "Ready", "node-000")]


def test_a_pod_due_to_start_during_an_outage_starts_on_recovery(tmp_path):
    # a-0 is bound at 10 s; node-000 dies at 10.5 s and comes back at 30 s (undetected: 50 s
    # grace). Its start fell due at 11 s on a dead node: it starts when the kubelet returns
    # (30 s) and is Ready 5 s later (35 s).
    path = write_scenario(
        tmp_path, pods=[pod("a", "1", node="node-000", at="10s")],
        pools=[pool("node", 1)], duration="1m", lifecycle={"readyDelay": "5s"},
        events=[{"at": "10500ms", "action": "fail", "node": "node-000"},
                {"at": "30s", "action": "recover", "node": "node-000"}])
    events, _ = run(path, tmp_path / "run")
    assert of_pod(events, "a-0") == [(10_000, "Created", None), (10_000, "Scheduled", "node-000"),
                                     (30_000, "Started", "node-000"), (35_000, "Ready", "node-000")]


# -- the taint eviction controller (taint_eviction.go: handlePodUpdate, handleNodeUpdate,
#    processPodOnNode; GetMatchingTolerations, getMinTolerationTime) ------------------------------

def _taint(at: str, node: str, key: str, value: str, effect: str = "NoExecute") -> dict:
    return {"at": at, "action": "taint", "node": node, "taint": {"key": key, "value": value, "effect": effect}}


def _tolerate(key: str, seconds: int | None = None) -> dict:
    t = {"key": key, "operator": "Exists", "effect": "NoExecute"}
    if seconds is not None:
        t["tolerationSeconds"] = seconds
    return t


def test_a_pod_landing_on_a_noexecute_tainted_node_starts_its_timer(tmp_path):
    # node-000 is tainted maint=now:NoExecute at 10 s. At 30 s three pods pinned to it arrive:
    # t-0 tolerates maint for 60 s, f-0 tolerates it without tolerationSeconds, u-0 not at all.
    # The taint eviction controller sees each bound pod (handlePodUpdate: the pod's nodeName
    # is set) and runs processPodOnNode then: t-0's timer starts at its binding, 30 s, and
    # fires at 30 + 60 = 90 s (Evicted, TaintManagerEviction), Deleted after the 30 s grace
    # at 120 s; f-0 is tolerated forever. u-0 is never bound there (TaintToleration filters
    # untolerated NoExecute taints), so it never needs evicting.
    pods = [pod("t", "250m", at="30s", node="node-000", tolerations=[_tolerate("maint", 60)]),
            pod("f", "250m", at="30s", node="node-000", tolerations=[_tolerate("maint")]),
            pod("u", "250m", at="30s", node="node-000")]
    path = write_scenario(tmp_path, pods=pods, pools=[pool("node", 2)], duration="3m",
                          events=[_taint("10s", "node-000", "maint", "now")])
    events, _ = run(path, tmp_path / "run")
    assert of_pod(events, "t-0") == [
        (30_000, "Created", None), (30_000, "Scheduled", "node-000"), (31_000, "Started", "node-000"),
        (31_000, "Ready", "node-000"), (90_000, "Evicted", "node-000"), (120_000, "Deleted", "node-000")]
    assert kinds(events, "Evicted") == [(90_000, "t-0", "node-000", "TaintManagerEviction")]
    assert [k for _, k, _ in of_pod(events, "f-0")] == ["Created", "Scheduled", "Started", "Ready"]
    assert "u-0" not in {p for _, p, _, _ in kinds(events, "Scheduled")}
    assert kinds(events, "FailedScheduling")[0][:2] == (30_000, "u-0")


def test_the_first_matching_toleration_sets_the_eviction_time(tmp_path):
    # GetMatchingTolerations takes, for each NoExecute taint, the FIRST toleration that
    # tolerates it; getMinTolerationTime the smallest tolerationSeconds among those.
    # m-0 lists a forever toleration of maint before a 20 s one: the first is used -> never
    # evicted. s-0 lists them the other way round -> 20 s: tainted at 10 s, Evicted at 30 s.
    # (The minimum over every matching toleration would evict m-0 at 30 s as well.)
    pods = [pod("m", "250m", node="node-000", tolerations=[_tolerate("maint"), _tolerate("maint", 20)]),
            pod("s", "250m", node="node-000", tolerations=[_tolerate("maint", 20), _tolerate("maint")])]
    path = write_scenario(tmp_path, pods=pods, pools=[pool("node", 1)], duration="2m",
                          events=[_taint("10s", "node-000", "maint", "now")])
    events, _ = run(path, tmp_path / "run")
    assert kinds(events, "Evicted") == [(30_000, "s-0", "node-000", "TaintManagerEviction")]
    assert of_pod(events, "m-0")[-1][1] == "Ready"


def test_pods_bound_at_start_on_a_noexecute_tainted_node(tmp_path):
    # node-000 (pool taint maint=x:NoExecute) runs three pods from cluster.manifests at t=0.
    # The controller's first look at the node (handleNodeUpdate) processes them at 0 s:
    # b-none tolerates nothing -> deleted at once (Evicted at 0 s, Deleted at 30 s);
    # b-tol tolerates maint for 45 s -> Evicted at 45 s, Deleted at 75 s; b-ever forever.
    manifests = [bound_pod("b-none", "node-000", "250m"),
                 bound_pod("b-tol", "node-000", "250m", tolerations=[_tolerate("maint", 45)]),
                 bound_pod("b-ever", "node-000", "250m", tolerations=[_tolerate("maint")])]
    taints = [{"key": "maint", "value": "x", "effect": "NoExecute"}]
    path = write_scenario(tmp_path, pods=[], pools=[pool("node", 1, taints=taints)], duration="2m",
                          manifests=manifests)
    events, _ = run(path, tmp_path / "run")
    assert kinds(events, "Evicted") == [(0, "b-none", "node-000", "TaintManagerEviction"),
                                        (45_000, "b-tol", "node-000", "TaintManagerEviction")]
    assert kinds(events, "Deleted") == [(30_000, "b-none", "node-000", None), (75_000, "b-tol", "node-000", None)]
    assert of_pod(events, "b-ever")[-1][1] == "Ready"


def test_taint_changes_keep_a_pending_eviction(tmp_path):
    # processPodOnNode keeps a pending eviction created before now (its start is earlier),
    # whatever the new minimum toleration is.
    # node-000: k-0 tolerates maint for 60 s and other for 10 s. maint at 10 s -> eviction at
    #   70 s. other at 20 s: min(60, 10) = 10 s would give 30 s, but the pending work item
    #   (created at 10 s) stays -> Evicted at 70 s.
    # node-001: r-0 tolerates any maint value for 60 s. maint=a at 10 s -> eviction at 70 s;
    #   maint=b at 40 s replaces the taint (same key and effect), still tolerated -> stays 70 s.
    pods = [pod("k", "250m", node="node-000", tolerations=[_tolerate("maint", 60), _tolerate("other", 10)]),
            pod("r", "250m", node="node-001", tolerations=[_tolerate("maint", 60)])]
    path = write_scenario(tmp_path, pods=pods, pools=[pool("node", 2)], duration="2m", events=[
        _taint("10s", "node-000", "maint", "now"), _taint("20s", "node-000", "other", "now"),
        _taint("10s", "node-001", "maint", "a"), _taint("40s", "node-001", "maint", "b")])
    events, _ = run(path, tmp_path / "run")
    assert sorted(kinds(events, "Evicted")) == [(70_000, "k-0", "node-000", "TaintManagerEviction"),
                                                (70_000, "r-0", "node-001", "TaintManagerEviction")]


# -- DaemonSet pods (daemon/util: AddOrUpdateDaemonPodTolerations) ----------------------------------

def test_daemonset_pods_survive_node_failure_and_land_on_cordoned_nodes(tmp_path):
    # DaemonSet pods get not-ready/unreachable NoExecute tolerations without
    # tolerationSeconds and an unschedulable NoSchedule toleration, among others.
    # node-000 fails at 10 s: detected at the first 5 s tick >= 60 s, 60 s; NotReady 1 of 2
    # nodes (zone healthy) -> unreachable:NoExecute at once, 60 s. r-0 (DefaultTolerationSeconds
    # 300 s) is Evicted at 360 s; ds-0 tolerates unreachable forever and is never evicted (the
    # defaults are not added to it: it already tolerates unreachable:NoExecute).
    # node-001 is cordoned at 5 s; at 20 s ds-1 (pinned to it) binds there (it tolerates
    # node.kubernetes.io/unschedulable), c-0 (pinned, no toleration) cannot.
    daemon = ("DaemonSet", "agent")
    pods = [pod("r", "250m", node="node-000"), pod("ds", "100m", node="node-000", owner=daemon),
            pod("ds-b", "100m", at="20s", node="node-001", owner=daemon),
            pod("c", "100m", at="20s", node="node-001")]
    path = write_scenario(tmp_path, pods=pods, pools=[pool("node", 2)], duration="7m", events=[
        {"at": "5s", "action": "cordon", "node": "node-001"},
        {"at": "10s", "action": "fail", "node": "node-000"}])
    events, _ = run(path, tmp_path / "run")
    assert (60_000, "NodeTainted", "node-000", UNREACHABLE_NE) in node_events(events, "node-000")
    assert kinds(events, "Evicted") == [(360_000, "r-0", "node-000", "TaintManagerEviction")]
    assert [k for _, k, _ in of_pod(events, "ds-0")] == ["Created", "Scheduled", "Started", "Ready"]
    assert (20_000, "ds-b-0", "node-001", None) in kinds(events, "Scheduled")
    assert "c-0" not in {p for _, p, _, _ in kinds(events, "Scheduled")}


# -- drain: a pod matching two PodDisruptionBudgets ------------------------------------------------

def test_drain_reports_a_pod_with_two_pdbs_and_does_not_retry_it(tmp_path):
    # node-000 runs g-0 (app=web, tier=front: matched by PDBs web and front, both
    # minAvailable 0, i.e. each would allow the disruption), w-0 (app=solo: PDB solo,
    # minAvailable 1 over one pod -> disruptionsAllowed 0) and plain-0 (no PDB).
    # Drain at 60 s (Eviction API, pods-and-nodes.md §7.4):
    #   plain-0 -> 200, Evicted at 60 s;
    #   g-0 -> 500 "This pod has more than one PodDisruptionBudget, which the eviction
    #     subresource does not support." kubectl drain gives up on that pod (only 429s are
    #     retried): one EvictionFailed at 60 s, g-0 keeps running;
    #   w-0 -> 429, retried every 5 s until the end, never evicted.
    pods = [pod("g", "250m", node="node-000", labels={"app": "web", "tier": "front"}),
            pod("w", "250m", node="node-000", labels={"app": "solo"}),
            pod("plain", "250m", node="node-000")]
    pdbs = [pdb("web", {"app": "web"}, minAvailable=0), pdb("front", {"tier": "front"}, minAvailable=0),
            pdb("solo", {"app": "solo"}, minAvailable=1)]
    path = write_scenario(tmp_path, pods=pods, pools=[pool("node", 2)], objects=pdbs, duration="3m",
                          events=[{"at": "60s", "action": "drain", "node": "node-000"}])
    events, info = run(path, tmp_path / "run")
    assert kinds(events, "Evicted") == [(60_000, "plain-0", "node-000", "EvictionByEvictionAPI")]
    assert kinds(events, "EvictionFailed") == [
        (60_000, "g-0", "node-000",
         "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.")]
    assert [k for _, k, _ in of_pod(events, "g-0")] == ["Created", "Scheduled", "Started", "Ready", "EvictionFailed"]
    assert of_pod(events, "w-0")[-1][1] == "Ready"
    assert any("more than one PodDisruptionBudget" in w for w in info["warnings"])


# -- zones: handleDisruption ---------------------------------------------------------------------

def _no_execute(events) -> list[tuple[int, str]]:
    return [(t, n) for t, k, n, r in node_events(events) if k == "NodeTainted" and r == UNREACHABLE_NE]


def test_a_zone_that_leaves_partial_disruption_resumes_tainting(tmp_path):
    # Zone zone-a, 4 nodes; node-000..002 (each running one pod) fail at 100 s and are found
    # NotReady by the same monitor pass at 150 s, which queues them for the NoExecute taint and
    # then (handleDisruption) computes the zone state from the whole pass: 3 of 4 not Ready
    # (> 2 and >= 55 %) -> PartialDisruption; 4 nodes <= largeClusterSizeThreshold 50 ->
    # rate 0: nothing is tainted. node-002 recovers at 200 s: 2 of 4 not Ready -> Normal;
    # the limiter is swapped back to 0.1/s, and since the stopped one had no token the new
    # bucket starts drained: the first taint one period (10 s) later. The queue is in the
    # order found: node-000 at 210 s, node-001 at 220 s (node-002 left the queue when it
    # recovered). Evictions 300 s after each taint: p0-0 at 510 s, p1-0 at 520 s.
    pods = [pod(f"p{i}", "1", node=f"node-00{i}") for i in range(3)]
    path = write_scenario(tmp_path, pods=pods, pools=[pool("node", 4, zones=["zone-a"])], duration="10m",
                          events=[{"at": "100s", "action": "fail", "nodes": ["node-000", "node-001", "node-002"]},
                                  {"at": "200s", "action": "recover", "node": "node-002"}])
    events, info = run(path, tmp_path / "run")
    assert _no_execute(events) == [(210_000, "node-000"), (220_000, "node-001")]
    assert kinds(events, "Evicted") == [(510_000, "p0-0", "node-000", "TaintManagerEviction"),
                                        (520_000, "p1-0", "node-001", "TaintManagerEviction")]
    assert any("zone-a is partially disrupted" in w for w in info["warnings"])


def test_all_zones_fully_disrupted_stops_evictions(tmp_path):
    # node-000 (zone-a, p0-0) fails at 100 s: found at 150 s, zone-a fully disrupted but
    # zone-b is not -> zone-a keeps the normal rate: NoExecute at 150 s (p0-0 due at 450 s).
    # node-001 (zone-b, p1-0) fails at 200 s: found at 250 s -> every zone fully disrupted:
    # the controller removes the NoExecute taints it placed (NodeUntainted node-000 at 250 s,
    # which cancels p0-0's eviction) and stops all tainting. node-000 recovers at 400 s:
    # zone-a Normal, zone-b FullDisruption (normal rate); both limiters restart drained, so
    # node-001 (queued again since) is tainted at 410 s and p1-0 evicted at 710 s.
    pods = [pod("p0", "1", node="node-000"), pod("p1", "1", node="node-001")]
    path = write_scenario(tmp_path, pods=pods, pools=[pool("node", 2, zones=["zone-a", "zone-b"])],
                          duration="12m", events=[{"at": "100s", "action": "fail", "node": "node-000"},
                                                  {"at": "200s", "action": "fail", "node": "node-001"},
                                                  {"at": "400s", "action": "recover", "node": "node-000"}])
    events, info = run(path, tmp_path / "run")
    assert _no_execute(events) == [(150_000, "node-000"), (410_000, "node-001")]
    assert (250_000, "NodeUntainted", "node-000", UNREACHABLE_NE) in node_events(events, "node-000")
    assert kinds(events, "Evicted") == [(710_000, "p1-0", "node-001", "TaintManagerEviction")]
    assert any("all zones are fully disrupted" in w for w in info["warnings"])


def test_the_zone_key_includes_the_region(tmp_path):
    # Zone "a" in region us-east (east-000..003) and zone "a" in region us-west
    # (west-000..003) are two zones (GetZoneKey: region + zone). At 100 s east-000..002 and
    # west-000 fail; all are found at 150 s. us-east/a: 3 of 4 not Ready -> partially
    # disrupted, small -> no NoExecute taint. us-west/a: 1 of 4 -> Normal -> west-000 tainted
    # at 150 s. (One zone "a" of 8 nodes, 4 not Ready = 50 % < 55 %, would taint all four.)
    pools = [pool("east", 4, zones=["a"], region="us-east"), pool("west", 4, zones=["a"], region="us-west")]
    path = write_scenario(tmp_path, pods=[pod("h", "1", node="west-003")], pools=pools, duration="5m", events=[
        {"at": "100s", "action": "fail", "nodes": ["east-000", "east-001", "east-002", "west-000"]}])
    events, info = run(path, tmp_path / "run")
    assert _no_execute(events) == [(150_000, "west-000")]
    assert any("us-east/a is partially disrupted" in w for w in info["warnings"])
