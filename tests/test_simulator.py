"""The simulator end to end: example scenarios keep the trace invariants, runs are
deterministic, interrupted runs leave readable files, the queue never loses pods, bad
scenarios fail cleanly on the command line; and the invariant checker itself catches each
kind of broken trace it documents (hand-built traces).
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pyarrow as pa
import pytest
from numba import njit

import engine.simulator.heap as event_heap
from engine.simulator import core
from engine.simulator.invariants import check_trace
from engine.simulator.simulator import Simulation
from engine.simulator.trace import EVENTS_SCHEMA, NODES_SCHEMA, TraceWriter
from tests.simulation_helpers import (
    EXAMPLES,
    kinds,
    node_events,
    pod,
    podbench,
    pool,
    run,
    write_scenario,
)
from workloads.scenario import load_scenario

SCENARIOS = sorted(p for p in EXAMPLES.glob("*.yaml") if p.stem != "day-1m")


# -- example scenarios ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_example_scenario_keeps_the_invariants(tmp_path, path):
    events, info = run(path, tmp_path / "run")  # run() asserts check_trace(...) == []
    assert info["completed"] is True
    assert events.height == info["events"] > 0
    assert info["summary"]["scheduled"] > 0


def test_day_1m_shrunk_and_overloaded(tmp_path):
    # day-1m's pod mix on 140 nodes (1,920 cpu) with 0.6 pods/s of 2 h mean lifetime
    # (~2,800 cpu live at steady state): the cluster saturates, so pods wait, fail
    # scheduling and are requeued as others complete; the trace must stay consistent.
    sets = ["cluster.pools[0].count=100", "cluster.pools[1].count=40", "workload.generators[0].count=6000",
            "workload.generators[0].arrivals.rate=0.6/s", "duration=3h", "sampleInterval=5m"]
    events, info = run(EXAMPLES / "day-1m.yaml", tmp_path / "run", sets=sets)
    assert info["pods"] == 6000 and info["nodes"] == 140
    assert info["summary"]["failed_scheduling"] > 0 and info["summary"]["completed"] > 0


# -- determinism -------------------------------------------------------------------------------------

def test_same_seed_gives_byte_identical_trace(tmp_path):
    path = EXAMPLES / "quick-mixed.yaml"
    run(path, tmp_path / "a", sets=["duration=40m"])
    run(path, tmp_path / "b", sets=["duration=40m"])
    run(path, tmp_path / "c", sets=["duration=40m"], seed=2)
    a, b, c = ((tmp_path / d / "events.arrow").read_bytes() for d in "abc")
    assert a == b
    assert a != c
    assert (tmp_path / "a" / "nodes.arrow").read_bytes() == (tmp_path / "b" / "nodes.arrow").read_bytes()
    # the seed changes the arrivals, not just a header
    ea, ec = (pl.read_ipc(tmp_path / d / "events.arrow") for d in "ac")
    assert ea.filter(pl.col("kind") == "Created")["time_ms"].to_list() != \
        ec.filter(pl.col("kind") == "Created")["time_ms"].to_list()


def test_interrupted_run_is_marked_incomplete_and_readable(tmp_path):
    out = tmp_path / "run"
    seen = []

    def progress(now: int, end: int) -> None:
        seen.append(now)
        if now >= 20 * 60_000:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(EXAMPLES / "quick-mixed.yaml", out, progress=progress, check=False)
    info = json.loads((out / "run.json").read_text())
    assert info["completed"] is False and info["error"] == "interrupted"
    assert not list(out.glob("*.partial"))
    events = pl.read_ipc(out / "events.arrow")
    nodes = pl.read_ipc(out / "nodes.arrow")
    assert events.height == info["events"] > 0
    assert events["time_ms"].max() <= seen[-1] < 2 * 3_600_000
    assert nodes.height > 0
    # what was written is consistent; only the run.json completeness rules fail
    violations = check_trace(out)
    assert any(v.startswith("(e) run.json: completed is False") for v in violations)
    assert [v for v in violations if not v.startswith("(e)")] == []


# -- the simulated window -----------------------------------------------------------------------------

def test_the_run_covers_zero_to_duration_exclusive(tmp_path):
    # docs/scenario.md: the run covers [0, duration). duration 60 s. w-0 binds at 0 s, starts
    # at 1 s and would complete at 1 + 59 = 60 s; node-001 fails at 10 s and would be found
    # NotReady at the first 5 s tick >= 60 s, 60 s. Both fall at the end: neither happens. The
    # end is still sampled (at 60 s, with w-0's cpu held) and run.json says 60 000 ms.
    path = write_scenario(tmp_path, pods=[pod("w", "1", node="node-000", lifetime="59s")],
                          pools=[pool("node", 2)], duration="60s",
                          events=[{"at": "10s", "action": "fail", "node": "node-001"}])
    out = tmp_path / "run"
    events, info = run(path, out)
    assert events["time_ms"].max() < 60_000
    assert kinds(events, "Completed") == [] and kinds(events, "NodeNotReady") == []
    assert info["simulated_ms"] == 60_000 and info["summary"]["completed"] == 0
    last = pl.read_ipc(out / "nodes.arrow").filter(pl.col("time_ms") == 60_000)
    assert dict(last.select(pl.col("node").cast(pl.Utf8), "cpu_requested_m").rows()) == {
        "node-000": 1000, "node-001": 0}
    # one millisecond longer and both happen at 60 s
    events, _ = run(path, tmp_path / "longer", sets=["duration=60001"])
    assert kinds(events, "Completed") == [(60_000, "w-0", "node-000", None)]
    assert [(t, k) for t, k, n, _ in node_events(events, "node-001")][:1] == [(60_000, "NodeNotReady")]


def test_a_run_without_pods_writes_its_node_events(tmp_path):
    # No pod at all (a cluster-only what-if): node events are still written.
    path = write_scenario(tmp_path, pods=[], pools=[pool("node", 1)], duration="1m",
                          events=[{"at": "10s", "action": "cordon", "node": "node-000"}])
    events, info = run(path, tmp_path / "run")
    assert node_events(events) == [(10_000, "NodeCordoned", "node-000", None)]
    assert info["pods"] == 0


# -- the scheduling queue -----------------------------------------------------------------------------

class _SmallFirst:
    """Replace a heap constructor so that the first ``n`` heaps are tiny; growth is unchanged."""

    def __init__(self, make, n: int, capacity: int):
        self.make, self.n, self.capacity = make, n, capacity

    def __call__(self, capacity: int):
        self.n -= 1
        return self.make(self.capacity if self.n >= 0 else capacity)


def test_bulk_requeue_beyond_queue_capacity_loses_no_pod(tmp_path, monkeypatch):
    # 1,000 pods that fit nowhere wait as unschedulable; a node added at 60 s requeues all of
    # them at once, more than the (shrunk) activeQ holds. The loop must grow the queues and
    # finish the requeue: every pod binds to the new node at 60 s.
    monkeypatch.setattr(event_heap, "new_heap", _SmallFirst(event_heap.new_heap, 3, 256))
    big = tmp_path / "big.yaml"
    big.write_text("apiVersion: v1\nkind: Node\nmetadata: {name: big, labels: {kubernetes.io/hostname: big}}\n"
                   "status: {allocatable: {cpu: '5000', memory: 1000Gi, pods: '2000'}}\n")
    path = write_scenario(tmp_path, pods=[pod("w", "2", count=1000, every="50ms")],
                          pools=[pool("small", 1, cpu="1")], duration="2m",
                          events=[{"at": "60s", "action": "add", "file": "big.yaml"}])
    events, info = run(path, tmp_path / "run")
    scheduled = kinds(events, "Scheduled")
    assert len(scheduled) == 1000 and info["summary"]["pending"] == 0
    assert {(t, n) for t, _, n, _ in scheduled} == {(60_000, "big")}


@njit
def _alternate_backoff(st, sim, aq, bq, pushes):
    """Rows 0 and 1, tied on every backoffQ key, pushed in turn; after each push the older entry
    is popped. Returns the first push after which the wrong row came out (-1: none)."""
    core._push_backoff(st, sim, bq, 0)
    expected = 0
    for i in range(1, pushes):
        core._push_backoff(st, sim, bq, i % 2)
        if core.pop_next(st, sim, aq, bq) != expected:
            return i
        expected = 1 - expected
    return -1


def test_backoff_queue_ties_pop_in_push_order_however_many_pushes(tmp_path):
    # Pods tied on backoff window, priority and queue timestamp leave backoffQ in the order
    # they entered it, also past 2^20 queue pushes (a key packing the push counter into 20
    # bits once swapped them there).
    path = write_scenario(tmp_path, pods=[], pools=[pool("node", 1)], duration="1m")
    sim = Simulation(load_scenario(path), tmp_path / "run")
    sim._build()
    assert _alternate_backoff(sim.st, sim.sim, sim.aq, sim.bq, (1 << 20) + 16) == -1


# -- bad scenarios on the command line ---------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "sets", "fragments"),
    [
        ("duration: 10m\nworkload: {generatrs: []}\n", [], ["workload.generatrs", "generators"]),
        ("duration: 10m\ncluster: {pools: [{name: n, count: 1, allocatable: {cpu: '1'}}]}\n"
         "events: [{at: 1m, action: fail, node: n-999}]\n", [], ["events[0].node", "n-999"]),
        ("duration: 10m\nsampleInterval: 0s\n", [], ["sampleInterval"]),
        ("duration: 10m\n", ["scheduler.selecton=heap"], ["scheduler.selecton"]),
    ],
)
def test_bad_scenario_exits_2_naming_the_key(monkeypatch, capsys, tmp_path, text, sets, fragments):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    args = ["run", path, "-o", tmp_path / "out"]
    for item in sets:
        args += ["--set", item]
    code, _, err = podbench(monkeypatch, capsys, *args)
    flat = " ".join(err.split())
    assert code == 2
    assert flat.startswith("error:") and "Traceback" not in err
    for fragment in fragments:
        assert fragment in flat
    assert not (tmp_path / "out" / "run.json").exists()


# -- the invariant checker on hand-built traces ---------------------------------------------------------

CPU4 = 4000
MI = 1 << 20


def _event(t, kind, pod_id=-1, node=None, cpu=0, name=None):
    return {"time_ms": t, "kind": kind, "namespace": "default" if pod_id >= 0 else None,
            "pod": name or (f"p{pod_id}" if pod_id >= 0 else None), "node": node,
            "priority": 0, "qos": "Burstable" if pod_id >= 0 else None, "reason": None,
            "cpu_request_m": cpu, "memory_request_bytes": 64 * MI if pod_id >= 0 else 0,
            "gpu_request": 0, "pod_id": pod_id}


def _lifecycle(pod_id, node, t, cpu, end=None, end_kind="Completed"):
    rows = [_event(t, "Created", pod_id, cpu=cpu), _event(t, "Scheduled", pod_id, node, cpu),
            _event(t + 1000, "Started", pod_id, node, cpu), _event(t + 1000, "Ready", pod_id, node, cpu)]
    if end is not None:
        rows.append(_event(end, end_kind, pod_id, node, cpu))
    return rows


def _sample(t, node, cpu_used, pods):
    return {"time_ms": t, "node": node, "cpu_allocatable_m": CPU4, "cpu_requested_m": cpu_used,
            "memory_allocatable_bytes": 16 << 30, "memory_requested_bytes": pods * 64 * MI,
            "pods_allocatable": 110, "pods_requested": pods, "gpu_allocatable": 0, "gpu_requested": 0,
            "ready": True, "schedulable": True}


def _valid_trace():
    """Two nodes; p0 (3 cpu) on n0 from 0 s until it completes at 30 s; p1 (1 cpu) on n1,
    preempted at 40 s and deleted at 70 s; p2 pending. Samples at 0 s and 60 s; end 60 s."""
    events = (_lifecycle(0, "n0", 0, 3000, end=30_000)
              + _lifecycle(1, "n1", 0, 1000)
              + [_event(20_000, "Created", 2, cpu=1000),
                 _event(20_000, "FailedScheduling", 2, cpu=1000),
                 _event(40_000, "Preempted", 1, "n1", 1000),
                 _event(60_000, "Deleted", 1, "n1", 1000)])
    events.sort(key=lambda e: e["time_ms"])  # stable: each pod's order is kept
    nodes = [_sample(0, "n0", 3000, 1), _sample(0, "n1", 1000, 1),
             _sample(60_000, "n0", 0, 0), _sample(60_000, "n1", 0, 0)]
    info = {"completed": True, "seed": 1, "pods": 3, "events": len(events), "simulated_ms": 60_000,
            "nodes": 2, "wall_seconds": 0.1,
            "summary": {"created": 3, "scheduled": 2, "pending": 1, "preempted": 1, "evicted": 0,
                        "completed": 1, "failed_scheduling": 1}}
    return events, nodes, info


def _write(directory: Path, events, nodes, info) -> Path:
    writer = TraceWriter(directory)
    writer.write_events(pa.RecordBatch.from_pylist(events, schema=EVENTS_SCHEMA))
    writer.write_nodes(pa.RecordBatch.from_pylist(nodes, schema=NODES_SCHEMA))
    writer.close(info)
    return directory


def test_checker_accepts_a_valid_trace(tmp_path):
    assert check_trace(_write(tmp_path, *_valid_trace())) == []


def _replace(events, pod_id, which, **changes):
    return [dict(e, **changes) if (e["pod_id"], e["kind"]) == (pod_id, which) else e for e in events]


def _break(case: str):
    events, nodes, info = _valid_trace()
    if case == "over-allocated":      # p2 binds to n0 at 20 s while p0 still holds 3 of 4 cpu
        events = _replace(events, 2, "FailedScheduling", kind="Scheduled", node="n0", cpu_request_m=2000)
        events = _replace(events, 2, "Created", cpu_request_m=2000)
        info["summary"].update(scheduled=3, pending=0, failed_scheduling=0)
    elif case == "preempted-still-holds":  # p3 (3.5 cpu) binds to n1 before p1 is Deleted
        events = events[:-1] + [_event(50_000, "Created", 3, cpu=3500), _event(50_000, "Scheduled", 3, "n1", 3500),
                                events[-1]]
        info.update(pods=4, events=len(events))
        info["summary"].update(created=4, scheduled=3)
        nodes[3] = _sample(60_000, "n1", 3500, 1)
    elif case == "sample-over":
        nodes[0] = dict(nodes[0], cpu_requested_m=5000)
    elif case == "sample-disagrees":
        nodes[2] = dict(nodes[2], cpu_requested_m=1000)
    elif case == "two-nodes":
        events = _replace(events, 0, "Started", node="n1")
    elif case == "scheduled-twice":
        events.insert(5, _event(1_000, "Scheduled", 1, "n1", 1000))
        info.update(events=len(events))
        info["summary"].update(scheduled=3)
    elif case == "removed-node":
        events.insert(6, _event(5_000, "NodeRemoved", -1, "n1"))
        info.update(events=len(events))
    elif case == "after-terminal":
        events.append(_event(60_000, "Ready", 0, "n0", 3000))
        info.update(events=len(events))
    elif case == "two-terminals":
        events.append(_event(60_000, "Deleted", 0, "n0", 3000))
        info.update(events=len(events))
    elif case == "started-unscheduled":
        events.append(_event(60_000, "Started", 2, "n0", 1000))
        info.update(events=len(events))
    elif case == "no-created":
        events = [e for e in events if (e["pod_id"], e["kind"]) != (2, "Created")]
        info.update(events=len(events), pods=2)
        info["summary"].update(created=2)
    elif case == "time-backwards":
        events[-1], events[-2] = events[-2], events[-1]
    elif case == "incomplete":
        info.update(completed=False)
    elif case == "wrong-counts":
        info.update(events=len(events) + 1)
        info["summary"].update(preempted=0)
    elif case == "no-end-sample":
        nodes = nodes[:2]
    return events, nodes, info


@pytest.mark.parametrize(
    ("case", "rule"),
    [
        ("over-allocated", "(a) requests held on a node exceed its allocatable"),
        ("preempted-still-holds", "(a) requests held on a node exceed its allocatable"),
        ("sample-over", "(a) nodes.arrow requested exceeds allocatable"),
        ("sample-disagrees", "(a) nodes.arrow requested disagrees with the event trace"),
        ("two-nodes", "(b) a pod stays on one node"),
        ("scheduled-twice", "(b) a pod is Scheduled at most once"),
        ("removed-node", "(b) pod events on a removed node"),
        ("after-terminal", "(c) at most one terminal event, and it is the last"),
        ("two-terminals", "(c) at most one terminal event, and it is the last"),
        ("started-unscheduled", "(c) on-node events only after Scheduled"),
        ("no-created", "(c) Created exactly once, as the pod's first event"),
        ("time-backwards", "(d) events.arrow time goes backwards"),
        ("incomplete", "(e) run.json: completed is False"),
        ("wrong-counts", "(e) run.json: events is"),
        ("wrong-counts", "(e) run.json: summary.preempted is 0"),
        ("no-end-sample", "(e) nodes.arrow: last sample at 0 ms"),
    ],
)
def test_checker_reports_each_broken_rule(tmp_path, case, rule):
    violations = check_trace(_write(tmp_path, *_break(case)))
    assert any(v.startswith(rule) for v in violations), violations
