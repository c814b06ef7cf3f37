"""DefaultPreemption in the simulator, on hand-worked scenarios.

Every expected answer is derived in the comments from kube-scheduler.md §10 (and
upstream-v135.md Q11/Q14 for the message texts), not from running the code: victims are the
pods below the preemptor's priority, reprieved in importance order (PDB-violating ones
first); the node is picked by fewest PDB violations, lowest highest-victim priority, smallest
sum of (priority + 2^31), fewest victims, latest start among the top victims, lowest name.
The preemptor is nominated and binds once its victims are gone (after their grace period).
"""

from __future__ import annotations

import polars as pl
import pytest

from tests.simulation_helpers import (
    FIXTURES,
    kinds,
    of_pod,
    pdb,
    pod,
    pool,
    priority_classes,
    run,
    write_scenario,
)

CLASSES = priority_classes(p50=50, p100=100, p200=200, p500=500, high=1000, critical=2000,
                           floor=-2147483648)
NOT_HELPFUL = "Preemption is not helpful for scheduling"
NO_VICTIMS = "No preemption victims found for incoming pod"


# -- (a) victims with reprieve, nomination, grace period ----------------------------------------------

def test_reprieve_keeps_the_most_important_pods_that_still_fit(tmp_path):
    # Worked out in tests/scenarios/preemption-reprieve.yaml: the p200 pod b-0 is the only
    # victim; both p100 pods and the p300 pod stay.
    events, _ = run(FIXTURES / "preemption-reprieve.yaml", tmp_path / "run")
    assert kinds(events, "Preempted") == [(60_000, "b-0", "node-000", "preempted by default/preemptor-0")]
    failed = kinds(events, "FailedScheduling")
    assert failed == [
        (60_000, "preemptor-0", None, "0/2 nodes are available: 2 Insufficient cpu."),
        (65_000, "preemptor-0", None, "0/2 nodes are available: 2 Insufficient cpu. preemption: "
                                      "not eligible due to a terminating pod on the nominated node."),
    ]
    assert kinds(events, "Nominated") == [(60_000, "preemptor-0", "node-000", None)]
    # b-0 holds its cpu for its 10 s grace period; the preemptor binds when it is gone
    assert of_pod(events, "b-0")[-2:] == [(60_000, "Preempted", "node-000"), (70_000, "Deleted", "node-000")]
    assert of_pod(events, "preemptor-0") == [
        (60_000, "Created", None), (60_000, "FailedScheduling", None), (60_000, "Nominated", "node-000"),
        (65_000, "FailedScheduling", None), (70_000, "Scheduled", "node-000"),
        (71_000, "Started", "node-000"), (71_000, "Ready", "node-000"),
    ]
    for survivor in ("a-0", "c-0", "d-0", "x-0"):
        assert [k for _, k, _ in of_pod(events, survivor)] == ["Created", "Scheduled", "Started", "Ready"]


@pytest.mark.parametrize(
    ("sets", "deleted_at"),
    [
        # b-0 without terminationGracePeriodSeconds: the 30 s default -> gone at 60 + 30 s
        (["workload.pods[1].template.spec.terminationGracePeriodSeconds="], 90_000),
        # ... or the scenario's lifecycle.terminationGracePeriod for pods that do not set one
        (["workload.pods[1].template.spec.terminationGracePeriodSeconds=",
          "lifecycle.terminationGracePeriod=45s"], 105_000),
        # the pod's own value wins over the scenario default
        (["workload.pods[1].template.spec.terminationGracePeriodSeconds=20",
          "lifecycle.terminationGracePeriod=45s"], 80_000),
    ],
)
def test_preemptor_binds_after_the_victims_grace_period(tmp_path, sets, deleted_at):
    events, _ = run(FIXTURES / "preemption-reprieve.yaml", tmp_path / "run", sets=sets)
    assert of_pod(events, "b-0")[-1] == (deleted_at, "Deleted", "node-000")
    scheduled = kinds(events, "Scheduled")
    assert (deleted_at, "preemptor-0", "node-000", None) in scheduled
    # nothing else got the room in between, and the preemptor bound nowhere earlier
    assert [row for row in scheduled if row[1] == "preemptor-0"] == [(deleted_at, "preemptor-0", "node-000", None)]


# -- (b) which node: pickOneNodeForPreemption ----------------------------------------------------------------

# Two 2-cpu nodes, each full; the preemptor (priority 1000, 2 cpu) arrives at 60 s and must
# take a whole node's worth of victims. (pods, PDBs, expected node, expected victims in
# importance order: higher priority first, then earlier start)
NODE_CHOICE = {
    # 1. fewest PDB violations: g-0 is guarded by a PDB with minAvailable 1 over one pod
    #    (disruptionsAllowed = 1 - 1 = 0, so evicting it violates); node-001's victim has the
    #    higher priority (500 > 100) but no violation -> node-001.
    "pdb-violations": (
        [pod("g", "2", priority_class="p100", node="node-000", labels={"app": "guarded"}),
         pod("f", "2", priority_class="p500", node="node-001")],
        [pdb("guarded", {"app": "guarded"}, minAvailable=1)],
        "node-001", ["f-0"]),
    # 1'. the same without the PDB: criterion 2 (lowest highest-victim priority) -> node-000
    "pdb-control": (
        [pod("g", "2", priority_class="p100", node="node-000", labels={"app": "guarded"}),
         pod("f", "2", priority_class="p500", node="node-001")],
        [], "node-000", ["g-0"]),
    # 2. lowest priority of the most important victim: 200 on node-000, 100 on node-001
    "highest-victim-priority": (
        [pod("v", "2", priority_class="p200", node="node-000"),
         pod("w", "2", priority_class="p100", node="node-001")],
        [], "node-001", ["w-0"]),
    # 3. same top priority (100) and count (2); sums 2*2^31 + 200 vs 2*2^31 + 150 -> node-001
    "sum-of-priorities": (
        [pod("a", "1", priority_class="p100", node="node-000", count=2),
         pod("b", "1", priority_class="p100", node="node-001"),
         pod("c", "1", priority_class="p50", node="node-001")],
        [], "node-001", ["b-0", "c-0"]),
    # 4. the sum shifts each priority by 2^31: node-000's victims (100, -2^31) sum to
    #    2^31 + 100 + 0, node-001's single victim (100) to 2^31 + 100 -> tie; fewest victims
    #    -> node-001. (An unshifted sum, 100 - 2^31 < 100, would pick node-000.)
    "fewest-victims": (
        [pod("a", "1", priority_class="p100", node="node-000"),
         pod("z", "1", priority_class="floor", node="node-000"),
         pod("b", "2", priority_class="p100", node="node-001")],
        [], "node-001", ["b-0"]),
    # 5. everything equal but start times: a-0 bound at 0 s, b-0 at 5 s; the latest start
    #    among the highest-priority victims wins -> node-001
    "latest-start": (
        [pod("a", "2", priority_class="p100", node="node-000"),
         pod("b", "2", priority_class="p100", node="node-001", at="5s")],
        [], "node-001", ["b-0"]),
    # 6. a full tie (both bound at 0 s): the lowest node name -> node-000
    "name-tie": (
        [pod("a", "2", priority_class="p100", node="node-000"),
         pod("b", "2", priority_class="p100", node="node-001")],
        [], "node-000", ["a-0"]),
}


@pytest.mark.parametrize("case", list(NODE_CHOICE))
@pytest.mark.parametrize("seed", [1, 2])
def test_node_choice(tmp_path, case, seed):
    pods, pdbs, node, victims = NODE_CHOICE[case]
    path = write_scenario(tmp_path, pods=[*pods, pod("preemptor", "2", priority_class="high", at="60s")],
                          pools=[pool("node", 2, cpu="2")], objects=CLASSES + pdbs, duration="3m")
    events, _ = run(path, tmp_path / "run", seed=seed)
    preempted = kinds(events, "Preempted")
    assert [p for _, p, _, _ in preempted] == victims  # in importance order
    assert {(t, n, r) for t, _, n, r in preempted} == {(60_000, node, "preempted by default/preemptor-0")}
    assert kinds(events, "Nominated") == [(60_000, "preemptor-0", node, None)]
    # victims go after the default 30 s grace period, then the preemptor binds there
    assert [r for r in kinds(events, "Deleted")] == [(90_000, v, node, None) for v in victims]
    assert [r for r in kinds(events, "Scheduled") if r[1] == "preemptor-0"] == [(90_000, "preemptor-0", node, None)]


def test_pdb_violating_pods_are_reprieved_first(tmp_path):
    # One 2-cpu node: g-0 (p100, 1 cpu, PDB allows 0 disruptions) and f-0 (p200, 1 cpu); the
    # preemptor needs 1 cpu. Importance order: f-0, g-0. g-0 would violate the PDB, so the
    # reprieve tries it first: g-0 back -> 1 cpu free, fits -> kept; f-0 back -> no room ->
    # victim. The PDB makes the higher-priority pod the victim (no violation counted).
    pods = [pod("g", "1", priority_class="p100", labels={"app": "guarded"}),
            pod("f", "1", priority_class="p200", at="1s"),
            pod("preemptor", "1", priority_class="high", at="60s")]
    path = write_scenario(tmp_path, pods=pods, pools=[pool("node", 1, cpu="2")],
                          objects=CLASSES + [pdb("guarded", {"app": "guarded"}, minAvailable=1)])
    events, _ = run(path, tmp_path / "run")
    assert kinds(events, "Preempted") == [(60_000, "f-0", "node-000", "preempted by default/preemptor-0")]
    # control: without the PDB the least important pod (g-0) is the victim
    path = write_scenario(tmp_path / "control", pods=pods, pools=[pool("node", 1, cpu="2")], objects=CLASSES)
    events, _ = run(path, tmp_path / "control-run")
    assert kinds(events, "Preempted") == [(60_000, "g-0", "node-000", "preempted by default/preemptor-0")]


def test_pdb_violation_is_accepted_when_unavoidable(tmp_path):
    # One 2-cpu node with only g-0 (p100, 2 cpu, PDB allows 0): preemption is best effort with
    # respect to PDBs, so g-0 is still preempted (one violation, but the only candidate).
    pods = [pod("g", "2", priority_class="p100", labels={"app": "guarded"}),
            pod("preemptor", "2", priority_class="high", at="60s")]
    path = write_scenario(tmp_path, pods=pods, pools=[pool("node", 1, cpu="2")],
                          objects=CLASSES + [pdb("guarded", {"app": "guarded"}, minAvailable=1)])
    events, _ = run(path, tmp_path / "run")
    assert kinds(events, "Preempted") == [(60_000, "g-0", "node-000", "preempted by default/preemptor-0")]
    assert of_pod(events, "preemptor-0")[-3] == (90_000, "Scheduled", "node-000")


# -- (c) preemptionPolicy: Never ---------------------------------------------------------------------------------

def test_preemption_policy_never(tmp_path):
    # node-000 (4 cpu): f-0 (p100, 2 cpu, completes at 1 s start + 119 s = 120 s) and g-0
    # (p100, 2 cpu). w-0 (p100, 2 cpu) arrives at 30 s: no room, and no pod below 100 ->
    # "No preemption victims found". n-0 (priority 1000, preemptionPolicy Never, 2 cpu)
    # arrives at 60 s: no room, and it may not preempt -> the "not eligible" message, no
    # victims, no nomination. At 120 s f-0 completes: both are retried; activeQ serves the
    # higher priority first, so n-0 (arrived later) gets the room and w-0 fails again, still
    # without victims (n-0 at 1000 and g-0 at 100 are not below 100).
    objects = CLASSES + [{"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
                          "metadata": {"name": "high-never"}, "value": 1000, "preemptionPolicy": "Never"}]
    pods = [pod("f", "2", priority_class="p100", lifetime="119s"),
            pod("g", "2", priority_class="p100"),
            pod("w", "2", priority_class="p100", at="30s"),
            pod("n", "2", priority_class="high-never", at="60s")]
    path = write_scenario(tmp_path, pods=pods, pools=[pool("node", 1)], objects=objects)
    events, _ = run(path, tmp_path / "run")
    no_victims = ("0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: "
                  f"1 {NO_VICTIMS}.")
    assert kinds(events, "FailedScheduling") == [
        (30_000, "w-0", None, no_victims),
        (60_000, "n-0", None, "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible "
                              "due to preemptionPolicy=Never."),
        (120_000, "w-0", None, no_victims),
    ]
    assert kinds(events, "Preempted") == []
    assert kinds(events, "Nominated") == []
    assert (120_000, "n-0", "node-000", None) in kinds(events, "Scheduled")
    assert "w-0" not in {p for _, p, _, _ in kinds(events, "Scheduled")}


# -- (d) nothing to gain ------------------------------------------------------------------------------------------

def test_no_candidate_gives_upstream_preemption_message(tmp_path):
    # node-000: h-0 (critical, 4 cpu) -> no pod below 1000: "No preemption victims found".
    # node-001: l-0 (p100, 2 cpu) + h-1 (critical, 2 cpu); the preemptor needs 3 cpu: even
    #   without l-0 only 2 cpu are free -> the dry run fails with "Insufficient cpu".
    # tainted-000: empty but tainted NoSchedule -> UnschedulableAndUnresolvable, not a
    #   potential node -> counted as "Preemption is not helpful for scheduling".
    # Filter histogram: 2 Insufficient cpu, 1 untolerated taint ("1 node(s)..." sorts first).
    pods = [pod("h", "4", priority_class="critical", node="node-000"),
            pod("l", "2", priority_class="p100", node="node-001"),
            pod("k", "2", priority_class="critical", node="node-001"),
            pod("preemptor", "3", priority_class="high", at="60s")]
    pools = [pool("node", 2), pool("tainted", 1, taints=[{"key": "dedicated", "value": "x", "effect": "NoSchedule"}])]
    path = write_scenario(tmp_path, pods=pods, pools=pools, objects=CLASSES)
    events, _ = run(path, tmp_path / "run")
    message = ("0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient cpu. "
               f"preemption: 0/3 nodes are available: 1 Insufficient cpu, 1 {NO_VICTIMS}, 1 {NOT_HELPFUL}.")
    failed = kinds(events, "FailedScheduling")
    assert failed[0] == (60_000, "preemptor-0", None, message)
    assert {r for _, _, _, r in failed} == {message}
    assert kinds(events, "Preempted") == [] and kinds(events, "Nominated") == []
    assert [k for _, k, _ in of_pod(events, "preemptor-0")] == ["Created"] + ["FailedScheduling"] * len(failed)


def test_request_larger_than_every_node_is_not_helpful(tmp_path):
    # 5 cpu on 4-cpu nodes: NodeResourcesFit says UnschedulableAndUnresolvable (v1.35: the
    # request exceeds the allocatable), so no node is a potential preemption node.
    pods = [pod("l", "2", priority_class="p100"), pod("preemptor", "5", priority_class="high", at="60s")]
    path = write_scenario(tmp_path, pods=pods, pools=[pool("node", 2)], objects=CLASSES)
    events, _ = run(path, tmp_path / "run")
    assert kinds(events, "FailedScheduling")[0] == (
        60_000, "preemptor-0", None,
        f"0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 {NOT_HELPFUL}.")
    assert kinds(events, "Preempted") == []


# -- nominations and node removal -------------------------------------------------------------------------------

def test_nominated_node_removed_before_the_victims_are_gone(tmp_path):
    # The preemptor is nominated to node-000 at 60 s (victim v-0, 30 s grace). node-000 is
    # removed at 70 s: its pods are deleted with it (v-0 and k-0, "DeletionByPodGC"). The
    # preemptor is retried at 70 s (an assigned pod was removed) and must not bind to the
    # removed node; node-001 holds only a priority-2000 pod, so it has nowhere to go:
    # "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available:
    # 1 No preemption victims found for incoming pod."
    pods = [pod("v", "2", priority_class="p100", node="node-000"),
            pod("k", "2", priority_class="critical", node="node-000"),
            pod("h", "4", priority_class="critical", node="node-001"),
            pod("preemptor", "2", priority_class="high", at="60s")]
    path = write_scenario(tmp_path, pods=pods, pools=[pool("node", 2)], objects=CLASSES,
                          events=[{"at": "70s", "action": "remove", "node": "node-000"}])
    events, _ = run(path, tmp_path / "run")
    assert kinds(events, "Nominated") == [(60_000, "preemptor-0", "node-000", None)]
    deleted = kinds(events, "Deleted")
    assert sorted(deleted) == [(70_000, "k-0", "node-000", "DeletionByPodGC"),
                               (70_000, "v-0", "node-000", "DeletionByPodGC")]
    assert [r for r in kinds(events, "Scheduled") if r[1] == "preemptor-0"] == []
    assert kinds(events, "FailedScheduling")[1] == (
        70_000, "preemptor-0", None,
        f"0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 {NO_VICTIMS}.")


def test_priority_overload_example(tmp_path):
    # workloads/scenarios/priority-overload.yaml, worked by hand. After 16 s the four 4-cpu
    # nodes hold (bound in arrival order, placements read from the trace):
    #   each node: two low-protected and two low-batch pods (1 cpu each, priority 1000).
    # PDB protected: minAvailable 6 of 8 healthy -> disruptionsAllowed 2.
    # high-k (2 cpu) at 5m + k*2m: on every node the victims are the two low-batch pods (the
    # protected ones are more important: bound earlier), none violating; ties up to criterion
    # 5: the node whose earliest top victim started latest. Each preemption is followed by
    # the victims' Deleted 30 s later and the high pod's binding at that moment.
    events, _ = run(FIXTURES.parent.parent / "workloads" / "scenarios" / "priority-overload.yaml",
                    tmp_path / "run")
    placed = {p: n for _, p, n, _ in kinds(events, "Scheduled")}
    start = {p: t for t, p, _, _ in kinds(events, "Scheduled")}
    preempted = kinds(events, "Preempted")
    assert len(preempted) == 8
    remaining = {n: sorted(p for p, m in placed.items() if m == n and p.startswith("low-batch"))
                 for n in {placed[p] for p in placed}}
    for k in range(4):
        at = 300_000 + k * 120_000
        mine = [(p, n) for t, p, n, r in preempted if t == at]
        assert all(r == f"preempted by default/high-{k}" for t, _, _, r in preempted if t == at)
        # the expected node: among nodes with low-batch pods left, latest earliest start
        candidates = {n: min(start[p] for p in pods) for n, pods in remaining.items() if pods}
        best = max(candidates, key=lambda n: (candidates[n], [-ord(c) for c in n]))
        assert sorted(mine) == [(p, best) for p in remaining[best]]
        remaining[best] = []
        assert (at + 30_000, f"high-{k}", best, None) in kinds(events, "Scheduled")
    assert events.filter(pl.col("kind") == "Preempted")["pod"].str.starts_with("low-batch").all()


def test_preemptor_leaves_a_nominated_node_that_became_unresolvable(tmp_path):
    # w-0 (p100, bound at 0 s) fills node-001, v-0 (p100, bound at 1 s) fills node-000. The
    # preemptor (2 cpu) at 60 s: both nodes are candidates with one p100 victim; criterion 5
    # (latest start of the top victim) picks node-000: v-0 preempted, nomination node-000.
    # node-000 dies at 61 s: v-0's deletion (due at 90 s) cannot complete. At 115 s (first
    # tick >= 61 + 50 s) node-000 is tainted unreachable:NoSchedule; the node update retries
    # the preemptor. Its nominated node's filter status is now UnschedulableAndUnresolvable,
    # so the terminating victim there no longer blocks it (kube-scheduler.md §10 step 1): it
    # preempts w-0 on node-001 (the only potential node), is nominated there, and binds at
    # 115 + 30 s when w-0 is gone.
    pods = [pod("w", "2", priority_class="p100", node="node-001"),
            pod("v", "2", priority_class="p100", node="node-000", at="1s"),
            pod("preemptor", "2", priority_class="high", at="60s")]
    path = write_scenario(tmp_path, pods=pods, pools=[pool("node", 2, cpu="2")], objects=CLASSES,
                          events=[{"at": "61s", "action": "fail", "node": "node-000"}])
    events, _ = run(path, tmp_path / "run")
    assert kinds(events, "Preempted") == [(60_000, "v-0", "node-000", "preempted by default/preemptor-0"),
                                          (115_000, "w-0", "node-001", "preempted by default/preemptor-0")]
    assert kinds(events, "Nominated") == [(60_000, "preemptor-0", "node-000", None),
                                          (115_000, "preemptor-0", "node-001", None)]
    assert kinds(events, "FailedScheduling")[-1] == (
        115_000, "preemptor-0", None,
        "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint(s).")
    assert [r for r in kinds(events, "Scheduled") if r[1] == "preemptor-0"] == [
        (145_000, "preemptor-0", "node-001", None)]


# -- start times: pod.Status.StartTime (util.GetPodStartTime, MoreImportantPod) -----------------

def test_latest_start_uses_the_pods_start_time_not_its_binding(tmp_path):
    # Both 2-cpu nodes are full with one p100 pod; the preemptor (2 cpu) arrives at 60 s and
    # criteria 1-4 tie. b-0 binds to node-001 at 10 s, but node-001's kubelet is down from
    # 10.5 s to 30 s (too short to be noticed), so b-0's containers start when it returns:
    # status.startTime 30 s. a-0 binds to node-000 at 20 s and starts at 21 s. Criterion 5
    # (latest start among the top victims) compares 21 s with 30 s -> node-001, victim b-0.
    # (By binding time, 20 s > 10 s would pick node-000.)
    pods = [pod("b", "2", priority_class="p100", node="node-001", at="10s"),
            pod("a", "2", priority_class="p100", node="node-000", at="20s"),
            pod("preemptor", "2", priority_class="high", at="60s")]
    path = write_scenario(tmp_path, pods=pods, pools=[pool("node", 2, cpu="2")], objects=CLASSES, duration="3m",
                          events=[{"at": "10500ms", "action": "fail", "node": "node-001"},
                                  {"at": "30s", "action": "recover", "node": "node-001"}])
    events, _ = run(path, tmp_path / "run")
    assert (30_000, "Started", "node-001") in of_pod(events, "b-0")
    assert kinds(events, "Preempted") == [(60_000, "b-0", "node-001", "preempted by default/preemptor-0")]


def test_a_victim_without_start_time_counts_as_the_newest(tmp_path):
    # u-0 binds to node-000 at 40 s; node-000's kubelet dies at 40.5 s, before the start
    # (due at 41 s): u-0 has no status.startTime, which GetPodStartTime reads as "now" (the
    # newest possible). s-0 binds to node-001 at 50 s and starts at 51 s. The preemptor at
    # 60 s (node-000's failure is noticed only at 95 s): criterion 5 compares now (60 s) with
    # 51 s -> node-000, victim u-0. (By binding time, 50 s > 40 s would pick node-001.)
    pods = [pod("u", "2", priority_class="p100", node="node-000", at="40s"),
            pod("s", "2", priority_class="p100", node="node-001", at="50s"),
            pod("preemptor", "2", priority_class="high", at="60s")]
    path = write_scenario(tmp_path, pods=pods, pools=[pool("node", 2, cpu="2")], objects=CLASSES, duration="3m",
                          events=[{"at": "40500ms", "action": "fail", "node": "node-000"}])
    events, _ = run(path, tmp_path / "run")
    assert "Started" not in [k for _, k, _ in of_pod(events, "u-0")]
    assert kinds(events, "Preempted")[0] == (60_000, "u-0", "node-000", "preempted by default/preemptor-0")


# -- terminating victims: only PreemptionByScheduler blocks (podTerminatingByPreemption) -------------

def test_a_pod_evicted_by_a_taint_does_not_block_preemption_again(tmp_path):
    # node-000 (2 cpu) runs e-0 (p100, 2 cpu, grace 60 s); small-000 (1 cpu) runs x-0 (500m,
    # completes at 1 + 49 = 50 s). At 30 s node-000 gets maint=now:NoExecute: e-0 tolerates
    # nothing -> Evicted (DisruptionTarget DeletionByTaintManager), Terminating until 90 s.
    # The preemptor (high, 2 cpu, tolerates maint) at 40 s: node-000 Insufficient cpu (e-0
    # still holds it), small-000 too small (UnschedulableAndUnresolvable): "0/2 nodes are
    # available: 2 Insufficient cpu." Preemption: victim e-0 on node-000 -> Nominated; e-0 is
    # already being deleted, so the scheduler makes no API call for it (no Preempted, no
    # PreemptionByScheduler condition). At 50 s x-0 completes (an assigned pod removed) and
    # the preemptor is retried: still no room. Its nominated node has a lower-priority pod
    # terminating, but not because of preemption, so it is eligible again: it preempts (e-0
    # again) and is nominated again, without the "not eligible" suffix. It binds at 90 s.
    pods = [pod("e", "2", priority_class="p100", node="node-000", grace=60),
            pod("x", "500m", priority_class="p100", node="small-000", lifetime="49s"),
            pod("preemptor", "2", priority_class="high", at="40s",
                tolerations=[{"key": "maint", "operator": "Exists", "effect": "NoExecute"}])]
    path = write_scenario(tmp_path, pods=pods, pools=[pool("node", 1, cpu="2"), pool("small", 1, cpu="1")],
                          objects=CLASSES, duration="3m", events=[
                              {"at": "30s", "action": "taint", "node": "node-000",
                               "taint": {"key": "maint", "value": "now", "effect": "NoExecute"}}])
    events, _ = run(path, tmp_path / "run")
    assert kinds(events, "Evicted") == [(30_000, "e-0", "node-000", "TaintManagerEviction")]
    assert kinds(events, "Preempted") == []
    assert of_pod(events, "preemptor-0") == [
        (40_000, "Created", None), (40_000, "FailedScheduling", None), (40_000, "Nominated", "node-000"),
        (50_000, "FailedScheduling", None), (50_000, "Nominated", "node-000"),
        (90_000, "Scheduled", "node-000"), (91_000, "Started", "node-000"), (91_000, "Ready", "node-000")]
    assert {r for _, p, _, r in kinds(events, "FailedScheduling") if p == "preemptor-0"} == {
        "0/2 nodes are available: 2 Insufficient cpu."}


def test_failed_nominated_pass_leaves_the_prefilter_state_untouched(tmp_path):
    # node-000 holds v-0 (p100, 4 cpu); node-001 and node-002 each hold one app=s pod.
    # q-0 (high, 4 cpu, app=s) fits nowhere at 60 s, preempts v-0 (30 s grace) and is
    # nominated to node-000. p-0 (high, 1 cpu, app=s) arrives at 65 s with a hard hostname
    # spread (maxSkew 1 over app=s): PreFilter counts node-000 0, the others 1, minimum 0.
    # node-000 (examined first): with q-0 added (RunFilterPluginsWithNominatedPods pass 0,
    # on a copy of the cycle state upstream) v-0 + q-0 + p-0 exceed 4 cpu. node-001/-002:
    # 1 + 1 - 0 = 2 > 1. So p-0 fits nowhere; had pass 0's state (q-0 counted on node-000,
    # minimum 1) leaked to the next nodes, p-0 would land on node-001.
    spread = {"maxSkew": 1, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "DoNotSchedule",
              "labelSelector": {"matchLabels": {"app": "s"}}}
    p = pod("p", "1", priority_class="high", at="65s", labels={"app": "s"})
    p["template"]["spec"]["topologySpreadConstraints"] = [spread]
    pods = [pod("v", "4", priority_class="p100", node="node-000", grace=30),
            pod("b", "1", priority_class="critical", node="node-001", labels={"app": "s"}),
            pod("c", "1", priority_class="critical", node="node-002", labels={"app": "s"}),
            pod("q", "4", priority_class="high", at="60s", labels={"app": "s"}), p]
    path = write_scenario(tmp_path, pods=pods, pools=[pool("node", 3)], objects=CLASSES, duration="80s")
    events, _ = run(path, tmp_path / "run")
    assert kinds(events, "Nominated")[0] == (60_000, "q-0", "node-000", None)
    assert [r for r in kinds(events, "Scheduled") if r[1] == "p-0"] == []
    first = [r for r in kinds(events, "FailedScheduling") if r[1] == "p-0"][0]
    assert first[0] == 65_000
    assert first[3].startswith("0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match pod "
                               "topology spread constraints.")
