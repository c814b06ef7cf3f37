"""reports: metrics, figure data, the HTML page, two-run comparison and input errors.

Every fixture is a small run directory written here by hand following docs/trace-format.md
(events.arrow / nodes.arrow through pyarrow.ipc.new_file, with dictionary-encoded string
columns, and run.json). Expected values are worked out by hand from the event timelines in
the comments, not produced by the code under test.
"""

from __future__ import annotations

import base64
import json
import re
import warnings
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.ipc as ipc
import pytest
from rich.console import Console

import reports
from engine.errors import InputError
from reports import figures
from reports.html import render
from reports.loading import load_input

GI = 1024**3
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TAB10_0, TAB10_1 = "#1f77b4", "#ff7f0e"  # matplotlib's tab10 palette, first two colours

DICT = pa.dictionary(pa.int32(), pa.utf8())
EVENT_SCHEMA = pa.schema(
    [
        ("time_ms", pa.int64()),
        ("kind", DICT),
        ("namespace", DICT),
        ("pod", pa.utf8()),
        ("node", DICT),
        ("priority", pa.int32()),
        ("qos", DICT),
        ("reason", pa.utf8()),
        ("cpu_request_m", pa.int64()),
        ("memory_request_bytes", pa.int64()),
        ("gpu_request", pa.int64()),
        ("pod_id", pa.int64()),
    ]
)
NODE_SCHEMA = pa.schema(
    [
        ("time_ms", pa.int64()),
        ("node", DICT),
        ("cpu_allocatable_m", pa.int64()),
        ("cpu_requested_m", pa.int64()),
        ("memory_allocatable_bytes", pa.int64()),
        ("memory_requested_bytes", pa.int64()),
        ("pods_allocatable", pa.int64()),
        ("pods_requested", pa.int64()),
        ("gpu_allocatable", pa.int64()),
        ("gpu_requested", pa.int64()),
        ("ready", pa.bool_()),
        ("schedulable", pa.bool_()),
    ]
)


# --------------------------------------------------------------------------- fixture writers


def _column(values: list, typ: pa.DataType) -> pa.Array:
    if pa.types.is_dictionary(typ):
        return pa.array(values, pa.utf8()).dictionary_encode().cast(typ)
    return pa.array(values, typ)


def write_arrow(path: Path, schema: pa.Schema, rows: list[dict], batch_rows: int = 4) -> None:
    """An Arrow IPC file in several record batches sharing one dictionary per column."""
    table = pa.table(
        {f.name: _column([r.get(f.name) for r in rows], f.type) for f in schema}, schema=schema
    )
    with ipc.new_file(str(path), schema) as writer:
        for batch in table.to_batches(max_chunksize=batch_rows):
            writer.write_batch(batch)


def pod(pod_id, name, cpu=0, mem=0, gpu=0, priority=0, qos="Burstable"):
    return {
        "pod_id": pod_id,
        "pod": name,
        "namespace": "default",
        "cpu_request_m": cpu,
        "memory_request_bytes": mem,
        "gpu_request": gpu,
        "priority": priority,
        "qos": qos,
    }


def ev(t, kind, p=None, node=None, reason=None, **extra):
    row = {
        "time_ms": t,
        "kind": kind,
        "node": node,
        "reason": reason,
        "priority": 0,
        "cpu_request_m": 0,
        "memory_request_bytes": 0,
        "gpu_request": 0,
        "pod_id": -1,
    }
    row.update(p or {})
    row.update(extra)
    return row


def node_row(
    t, name, cpu_req, mem_req, cpu_alloc=4000, mem_alloc=8 * GI, gpu_alloc=0, gpu_req=0, pods=0
):
    return {
        "time_ms": t,
        "node": name,
        "cpu_allocatable_m": cpu_alloc,
        "cpu_requested_m": cpu_req,
        "memory_allocatable_bytes": mem_alloc,
        "memory_requested_bytes": mem_req,
        "pods_allocatable": 110,
        "pods_requested": pods,
        "gpu_allocatable": gpu_alloc,
        "gpu_requested": gpu_req,
        "ready": True,
        "schedulable": True,
    }


def write_run(
    d: Path,
    events: list[dict],
    nodes: list[dict],
    *,
    completed=True,
    seed=1,
    simulated_ms=None,
    extra_schema=None,
    **info,
) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    schema = EVENT_SCHEMA if extra_schema is None else EVENT_SCHEMA.append(extra_schema)
    write_arrow(d / "events.arrow", schema, events)
    write_arrow(d / "nodes.arrow", NODE_SCHEMA, nodes)
    pods = len({e["pod_id"] for e in events if e["pod_id"] >= 0})
    doc = {
        "completed": completed,
        "seed": seed,
        "scenario": "synthetic",
        "nodes": len({n["node"] for n in nodes}),
        "pods": pods,
        "events": len(events),
        "wall_seconds": 1.5,
        **({"simulated_ms": simulated_ms} if simulated_ms is not None else {}),
        **info,
    }
    (d / "run.json").write_text(json.dumps(doc))
    return d


# The single-run fixture. Two nodes n1, n2 (4000m cpu, 8Gi memory each). Pods:
#   a (id 0, 1000m/1Gi, prio 5, Burstable):  created 0, bound n1 at 500, evicted 2500, deleted 2600
#   b (id 1, 2000m/2Gi, prio 0, Guaranteed): created 1000, bound n2 at 1000, preempted 2200,
#                                           deleted 2300
#   e (id 4, 500m):                          created 1500, deleted 1800 (never bound)
#   c (id 2, 4000m, prio 10):                created 2000, FailedScheduling 2000 and 2100, never bound
#   d (id 3, 3800m/4Gi, prio 10):            created 2100, FailedScheduling 2100, nominated 2200,
#                                           bound n2 at 2400
# Latencies: a 500, b 0, d 300. Node samples at 0, 1000, 2000, 3000 (= end).
A = pod(0, "a", 1000, 1 * GI, priority=5, qos="Burstable")
B = pod(1, "b", 2000, 2 * GI, priority=0, qos="Guaranteed")
C = pod(2, "c", 4000, 1 * GI, priority=10)
D = pod(3, "d", 3800, 4 * GI, priority=10)
E = pod(4, "e", 500, 1 * GI)
R1 = (
    "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint(s). "
    "preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod."
)
R2 = "0/2 nodes are available: 2 Insufficient cpu."
R3 = "0/2 nodes are available: 1 Insufficient nvidia.com/gpu, 1 Insufficient cpu."
SINGLE_EVENTS = [
    ev(0, "NodeAdded", node="n1"),
    ev(0, "NodeAdded", node="n2"),
    ev(0, "Created", A),
    ev(500, "Scheduled", A, "n1"),
    ev(600, "Started", A, "n1"),
    ev(1000, "Created", B),
    ev(1000, "Scheduled", B, "n2"),
    ev(1100, "Started", B, "n2"),
    ev(1500, "Created", E),
    ev(1800, "Deleted", E),
    ev(2000, "Created", C),
    ev(2000, "FailedScheduling", C, reason=R1),
    ev(2100, "Created", D),
    ev(2100, "FailedScheduling", C, reason=R2),
    ev(2100, "FailedScheduling", D, reason=R3),
    ev(2200, "Nominated", D, "n2"),
    ev(2200, "Preempted", B, "n2", "preempted by default/d"),
    ev(2300, "Deleted", B, "n2"),
    ev(2400, "Scheduled", D, "n2"),
    ev(2450, "NodeTainted", node="n1", reason="node.kubernetes.io/not-ready=:NoExecute"),
    ev(2500, "Evicted", A, "n1", "TaintManagerEviction"),
    ev(2600, "Deleted", A, "n1"),
]
SINGLE_NODES = [
    node_row(0, "n1", 0, 0),
    node_row(0, "n2", 0, 0),
    node_row(1000, "n1", 1000, 1 * GI, pods=1),
    node_row(1000, "n2", 2000, 2 * GI, pods=1),
    node_row(2000, "n1", 1000, 1 * GI, pods=1),
    node_row(2000, "n2", 2000, 2 * GI, pods=1),
    node_row(3000, "n1", 0, 0),
    node_row(3000, "n2", 3800, 4 * GI, pods=1),
]


def make_single_run(d: Path) -> Path:
    return write_run(
        d,
        SINGLE_EVENTS,
        SINGLE_NODES,
        simulated_ms=3000,
        scheduling={"attempts": 6, "scheduled": 3, "pods_per_second": 1200.0},
    )


@pytest.fixture
def single_run(tmp_path: Path) -> Path:
    """A fresh copy, for tests that damage it."""
    return make_single_run(tmp_path / "run1")


@pytest.fixture(scope="module")
def single_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[reports.Report, list[str]]:
    """The single-run report, drawn once for the module (figures are the slow part)."""
    d = tmp_path_factory.mktemp("single")
    calls: list[str] = []
    inp = load_input([make_single_run(d / "run1")])
    return reports.write_report(inp, d / "report", progress=calls.append), calls


def simple_run(
    d: Path,
    n_pods: int,
    latency: int,
    *,
    seed: int,
    completed=True,
    failed_scheduling: int = 0,
    evict_first_at: int | None = None,
) -> Path:
    """One node (10000m, 10Gi); pod i (1000m, 1Gi) is created at i*1000 and bound
    ``latency`` ms later; optionally pod 0 is evicted (and deleted 100 ms later). Samples
    every 1000 ms up to the end, n_pods * 1000 ms."""
    end = n_pods * 1000
    events = [ev(0, "NodeAdded", node="n1")]
    intervals = []
    for i in range(n_pods):
        p = pod(i, f"p{i}", 1000, GI)
        events.append(ev(i * 1000, "Created", p))
        if i == 0:
            for _ in range(failed_scheduling):
                events.append(
                    ev(
                        0,
                        "FailedScheduling",
                        p,
                        reason="0/1 nodes are available: 1 Insufficient memory.",
                    )
                )
        events.append(ev(i * 1000 + latency, "Scheduled", p, "n1"))
        stop = end + 1
        if i == 0 and evict_first_at is not None:
            events.append(ev(evict_first_at, "Evicted", p, "n1", "Drain"))
            events.append(ev(evict_first_at + 100, "Deleted", p, "n1"))
            stop = evict_first_at
        intervals.append((i * 1000 + latency, stop))
    events.sort(key=lambda e: e["time_ms"])
    nodes = []
    for t in range(0, end + 1, 1000):
        running = sum(1 for start, stop in intervals if start <= t < stop)
        nodes.append(
            node_row(
                t,
                "n1",
                1000 * running,
                GI * running,
                cpu_alloc=10000,
                mem_alloc=10 * GI,
                pods=running,
            )
        )
    return write_run(d, events, nodes, completed=completed, seed=seed, simulated_ms=end)


# Suite: scoring in {MostAllocated, LeastAllocated} (size=small fixed) x seeds, plus a failed
# cell and a pending cell.
#   MostAllocated  seed 1: 2 pods, latency 100          seed 2: 4 pods, latency 300,
#                                                             2 FailedScheduling
#   LeastAllocated seed 1: 3 pods, latency 0, pod 0     seed 2: 3 pods, latency 200,
#                          evicted at 2500                     run.json completed=false
#   MostAllocated  seed 3: failed ("boom: out of memory"); seed 4: pending
def make_suite(d: Path) -> Path:
    cells = []

    def cell(i, scoring, seed, status="completed", error=None, **kw):
        rel = f"cells/{i:04d}"
        if status == "completed":
            simple_run(d / rel, seed=seed, **kw)
        cells.append(
            {
                "id": f"scoring={scoring},size=small,seed={seed}",
                "variant": {"scoring": scoring, "size": "small"},
                "seed": seed,
                "dir": rel,
                "status": status,
                "error": error,
                "wall_seconds": 0.5,
            }
        )

    cell(0, "MostAllocated", 1, n_pods=2, latency=100)
    cell(1, "MostAllocated", 2, n_pods=4, latency=300, failed_scheduling=2)
    cell(2, "LeastAllocated", 1, n_pods=3, latency=0, evict_first_at=2500)
    cell(3, "LeastAllocated", 2, n_pods=3, latency=200, completed=False)
    cell(4, "MostAllocated", 3, status="failed", error="boom: out of memory")
    cell(5, "MostAllocated", 4, status="pending")
    (d / "suite.json").write_text(
        json.dumps({"suite": "quickstart", "description": "scoring strategies", "cells": cells})
    )
    return d


@pytest.fixture
def suite_dir(tmp_path: Path) -> Path:
    return make_suite(tmp_path / "suite")


@pytest.fixture(scope="module")
def suite_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[reports.Report, list[str]]:
    d = tmp_path_factory.mktemp("suite")
    calls: list[str] = []
    inp = load_input([make_suite(d / "suite")])
    return reports.write_report(inp, d / "report", progress=calls.append), calls


def at(df: pl.DataFrame, t: int, **where) -> dict:
    """The row at time t (and matching ``where``) as a dict."""
    sel = df.filter(pl.col("time_ms") == t)
    for k, v in where.items():
        sel = sel.filter(pl.col(k) == v)
    assert sel.height == 1, (t, where, sel)
    return sel.row(0, named=True)


def assert_png(path: Path) -> None:
    assert path.is_file()
    assert path.read_bytes()[:8] == PNG_MAGIC


# --------------------------------------------------------------------------- single run


def test_run_metrics_single(single_run: Path) -> None:
    got = reports.run_metrics(single_run)
    assert got["completed"] is True
    assert got["pods_created"] == 5
    assert got["pods_scheduled"] == 3  # a, b, d
    assert got["pods_pending_at_end"] == 1  # c (e was deleted while pending)
    assert got["pods_preempted"] == 1
    assert got["pods_evicted"] == 1
    assert got["failed_scheduling_attempts"] == 3
    # latencies [0, 300, 500], linear interpolation: p90 at 1.8 -> 460, p99 at 1.98 -> 496
    assert got["latency_p50_ms"] == 300
    assert got["latency_p90_ms"] == pytest.approx(460)
    assert got["latency_p99_ms"] == pytest.approx(496)
    assert got["latency_max_ms"] == 500
    # cluster cpu 8000m: samples 0, 3000, 3000, 3800 -> 0, 37.5, 37.5, 47.5 %
    assert got["cpu_utilization_mean_pct"] == pytest.approx(30.625)
    assert got["cpu_utilization_p95_pct"] == pytest.approx(37.5 + 0.85 * 10)
    assert got["cpu_utilization_final_pct"] == pytest.approx(47.5)
    # cluster memory 16Gi: 0, 3, 3, 4 Gi -> 0, 18.75, 18.75, 25 %
    assert got["memory_utilization_mean_pct"] == pytest.approx(15.625)
    assert got["memory_utilization_p95_pct"] == pytest.approx(18.75 + 0.85 * 6.25)
    assert got["memory_utilization_final_pct"] == pytest.approx(25.0)
    # final nodes: n1 0% / 0%, n2 95% cpu / 50% memory
    assert got["nodes_cpu_nearly_full_pct"] == pytest.approx(50.0)
    assert got["nodes_memory_nearly_full_pct"] == pytest.approx(0.0)
    assert got["node_cpu_utilization_cv"] == pytest.approx(1.0)  # [0, 95]: std 47.5 / mean 47.5
    assert got["node_memory_utilization_cv"] == pytest.approx(1.0)
    assert got["wall_seconds"] == 1.5
    assert got["events"] == 22
    assert got["pods_per_second"] == 1200.0
    assert got["simulated_minutes"] == pytest.approx(0.05)


def test_single_run_figures(single_report, tmp_path: Path) -> None:
    report, _ = single_report
    inp = report.input
    assert inp.single
    by = {f.name: f for f in report.figures}

    pods = by["pods_over_time"]
    # (pending, running) at chosen instants, from the timeline above
    expected = {
        0: (1, 0),
        250: (1, 0),
        500: (0, 1),
        1000: (0, 2),
        1600: (1, 2),
        1800: (0, 2),
        2100: (2, 2),
        2200: (2, 2),
        2300: (2, 1),
        2400: (1, 2),
        2500: (1, 1),
        3000: (1, 1),
    }
    for t, (pending, running) in expected.items():
        row = at(pods.data, t)
        assert (row["pending"], row["running"]) == (pending, running), t
    assert pods.data["time_ms"].max() == 3000
    assert pods.data.height <= 2002

    util = by["utilization_over_time"]
    assert at(util.data, 0)["cpu_pct"] == 0
    assert at(util.data, 998)["cpu_pct"] == 0
    assert at(util.data, 1000)["cpu_pct"] == pytest.approx(37.5)
    assert at(util.data, 2998)["memory_pct"] == pytest.approx(18.75)
    assert at(util.data, 3000)["cpu_pct"] == pytest.approx(47.5)
    assert at(util.data, 3000)["memory_pct"] == pytest.approx(25.0)

    cdf = by["latency_cdf"]
    assert cdf.data["latency_ms"].to_list() == [0, 300, 500]
    assert cdf.data["fraction"].to_list() == pytest.approx([1 / 3, 2 / 3, 1.0])
    assert "2 pod(s) never scheduled" in cdf.caption  # c and e

    kinds = by["events_by_kind"]
    assert dict(kinds.data.iter_rows()) == {
        "Created": 5,
        "Scheduled": 3,
        "FailedScheduling": 3,
        "Nominated": 1,
        "Preempted": 1,
        "Started": 2,
        "Evicted": 1,
        "Deleted": 3,
        "NodeAdded": 2,
        "NodeTainted": 1,
    }

    reasons = by["failure_reasons"]
    got = {(k, r): c for k, r, c in reasons.data.iter_rows()}
    assert got == {
        ("FailedScheduling", "Insufficient cpu"): 3,
        ("FailedScheduling", "node(s) had untolerated taint(s)"): 1,
        ("FailedScheduling", "Insufficient nvidia.com/gpu"): 1,
        ("Evicted", "TaintManagerEviction"): 1,
        ("Preempted", "preempted by default/*"): 1,
    }
    assert reasons.data.row(0)[:2] == ("FailedScheduling", "Insufficient cpu")  # most cited

    dis = by["disruptions"]
    assert sorted(dis.data.iter_rows()) == sorted(
        [
            ("Preempted", "priority", "0", 1),
            ("Preempted", "qos", "Guaranteed", 1),
            ("Evicted", "priority", "5", 1),
            ("Evicted", "qos", "Burstable", 1),
        ]
    )

    nodes = by["node_utilization"]
    assert nodes.data.select("node", "cpu_pct", "memory_pct").rows() == [
        ("n1", 0.0, 0.0),
        ("n2", 95.0, 50.0),
    ]

    assert figures.gpu_allocation(inp, tmp_path) is None  # not a fill-mode replay
    assert len(report.figures) == 7
    for fig in report.figures:
        assert_png(fig.path)
        assert fig.path.parent == report.index.parent
        assert fig.title and fig.caption


def fill_run(d: Path) -> Path:
    """A fill-mode replay: one node with 8 GPUs; g1 (4 GPUs) created 0, bound 100, completed
    1000; g2 (2) created 500, bound 600; g3 (4) created 700, never bound. End 2000."""
    g1, g2, g3 = pod(0, "g1", gpu=4), pod(1, "g2", gpu=2), pod(2, "g3", gpu=4)
    events = [
        ev(0, "Created", g1, cum_gpu_arrived=4000),  # milli-GPU
        ev(100, "Scheduled", g1, "n1"),
        ev(500, "Created", g2, cum_gpu_arrived=6000),
        ev(600, "Scheduled", g2, "n1"),
        ev(700, "Created", g3, cum_gpu_arrived=10000),
        ev(1000, "Completed", g1, "n1"),
    ]
    nodes = [node_row(t, "n1", 0, 0, gpu_alloc=8) for t in (0, 1000, 2000)]
    return write_run(
        d, events, nodes, simulated_ms=2000, extra_schema=pa.field("cum_gpu_arrived", pa.int64())
    )


# (allocated, arrived) in % of the 8 GPUs at chosen instants
FILL_EXPECTED = {
    0: (0, 50),
    99: (0, 50),
    100: (50, 50),
    650: (75, 75),
    800: (75, 125),
    1500: (25, 125),
    2000: (25, 125),
}


def test_fill_mode_reports(tmp_path: Path) -> None:
    """A fill-mode run (no preemptions or evictions: empty panels), and two fill-mode runs
    side by side."""
    a = fill_run(tmp_path / "a")
    inp = load_input([a])
    assert figures.applicable(inp) == list(figures.FIGURES)  # the GPU figure is included
    fig = figures.gpu_allocation(inp, tmp_path / "out")
    assert fig is not None
    assert_png(fig.path)
    for t, (alloc, arrived) in FILL_EXPECTED.items():
        row = at(fig.data, t)
        assert (row["allocated_pct"], row["arrived_pct"]) == pytest.approx((alloc, arrived)), t
    assert at(fig.data, 800)["allocated"] == 6
    assert at(fig.data, 800)["arrived"] == 10
    page = render(inp, [fig], {})
    assert 'id="gpu_allocation"><img src="data:image/png;base64,' in page
    assert "as % of the 8 cluster GPUs" in page
    # no preemptions, evictions or scheduling failures: empty data, still a figure
    for empty in (figures.disruptions(inp, tmp_path), figures.failure_reasons(inp, tmp_path)):
        assert empty.data.height == 0
        assert_png(empty.path)

    b = fill_run(tmp_path / "b")
    inp = load_input([a, b])
    fig = figures.gpu_allocation(inp, tmp_path / "out2")
    assert fig is not None and fig.colors == {"a": TAB10_0, "b": TAB10_1}
    for t, (alloc, arrived) in FILL_EXPECTED.items():
        for label in ("a", "b"):
            row = at(fig.data, t, variant=label)
            got = (row["allocated_pct_median"], row["arrived_pct_median"])
            assert got == pytest.approx((alloc, arrived)), (t, label)


def test_build_report_single(single_report, tmp_path: Path) -> None:
    report, calls = single_report
    index = report.index
    out = index.parent
    page = index.read_text()
    pngs = sorted(out.glob("*.png"))
    names = {
        "pods_over_time",
        "utilization_over_time",
        "latency_cdf",
        "events_by_kind",
        "failure_reasons",
        "disruptions",
        "node_utilization",
    }
    assert {p.stem for p in pngs} == names
    assert len(calls) == len(names)
    embedded = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(embedded) == len(names)
    assert {base64.b64decode(e) for e in embedded} == {p.read_bytes() for p in pngs}
    assert 'src="' not in page.replace('src="data:image/png;base64,', "")  # no external files
    assert re.search(
        r'data-metric="pods_created"><td>pods created</td><td class="text">pods'
        r"</td><td>5</td>",
        page,
    )
    assert re.search(r'data-metric="latency_p90_ms">.*?<td>460</td>', page)
    assert "seed 1" in page and "synthetic" in page
    assert not list(out.glob(".*.tmp"))
    # the CLI entry point, on a second copy of the run: deterministic, the same bytes
    again = reports.build_report([make_single_run(tmp_path / "run1")], tmp_path / "report2")
    assert again == tmp_path / "report2" / "index.html"
    assert again.read_bytes() == index.read_bytes()


def test_incomplete_single_run_is_marked(tmp_path: Path) -> None:
    run = write_run(tmp_path / "r", SINGLE_EVENTS, SINGLE_NODES, completed=False, simulated_ms=3000)
    page = render(load_input([run]), [], {})  # the page without figures: quick
    assert '<tr class="incomplete"><td>status</td><td></td><td class="text">incomplete' in page
    assert "INCOMPLETE" in page


# --------------------------------------------------------------------------- suites


def test_suite_loading(suite_dir: Path) -> None:
    inp = load_input([suite_dir])
    assert not inp.single
    assert [v.label for v in inp.variants] == ["LeastAllocated", "MostAllocated"]
    status = {c.id: c.status for c in inp.cells}
    assert status == {
        "scoring=MostAllocated,size=small,seed=1": "completed",
        "scoring=MostAllocated,size=small,seed=2": "completed",
        "scoring=LeastAllocated,size=small,seed=1": "completed",
        "scoring=LeastAllocated,size=small,seed=2": "incomplete",
        "scoring=MostAllocated,size=small,seed=3": "failed",
        "scoring=MostAllocated,size=small,seed=4": "pending",
    }
    assert [len(v.runs) for v in inp.variants] == [2, 2]
    assert "size=small" in inp.description and "scoring strategies" in inp.description


def test_suite_figures(suite_report) -> None:
    report, _ = suite_report
    inp, made = report.input, report.figures
    by = {f.name: f for f in made}
    # per-pod tables were released run by run once the small per-run results were cached
    assert all(k[0] != "pod_lifecycles" for run in inp.runs for k in run.cache)
    assert set(by) == {
        "pods_over_time",
        "utilization_over_time",
        "latency_cdf",
        "events_by_kind",
        "failure_reasons",
        "disruptions",
        "node_utilization",
    }
    for fig in made:
        assert_png(fig.path)
        assert fig.colors == {"LeastAllocated": TAB10_0, "MostAllocated": TAB10_1}, fig.name
        assert set(fig.data["variant"].unique()) == {"LeastAllocated", "MostAllocated"}, fig.name

    pods = by["pods_over_time"].data
    # t=1200: MostAllocated seed 1 bound 100, 1100 -> 2; seed 2 bound 300 -> 1
    row = at(pods, 1200, variant="MostAllocated")
    assert (row["running_median"], row["running_min"], row["running_max"]) == (1.5, 1, 2)
    # t=3000: seed 1 ended at 2000 (no data); seed 2 bound 300, 1300, 2300 -> 3
    row = at(pods, 3000, variant="MostAllocated")
    assert (row["running_median"], row["running_min"], row["running_max"]) == (3, 3, 3)
    # LeastAllocated t=2600: seed 1 bound 0, 1000, 2000, pod 0 evicted 2500 -> 2;
    # seed 2 bound 200, 1200, 2200 -> 3. Pending at 2100: seed 1 0, seed 2 1 (p2).
    row = at(pods, 2600, variant="LeastAllocated")
    assert (row["running_median"], row["running_min"], row["running_max"]) == (2.5, 2, 3)
    row = at(pods, 2100, variant="LeastAllocated")
    assert (row["pending_median"], row["pending_min"], row["pending_max"]) == (0.5, 0, 1)

    util = by["utilization_over_time"].data
    row = at(util, 2000, variant="MostAllocated")  # 2 of 10 pods' worth on both seeds
    assert (row["cpu_pct_median"], row["cpu_pct_min"], row["cpu_pct_max"]) == pytest.approx(
        (20, 20, 20)
    )
    row = at(util, 3000, variant="MostAllocated")  # seed 1 over; seed 2: 3 pods
    assert row["memory_pct_median"] == pytest.approx(30)

    cdf = by["latency_cdf"].data
    most = cdf.filter(pl.col("variant") == "MostAllocated")
    assert most.height == len(figures.CDF_FRACTIONS)
    assert most["latency_median_ms"].to_list() == pytest.approx([200.0] * most.height)
    assert most["latency_min_ms"].to_list() == pytest.approx([100.0] * most.height)
    assert most["latency_max_ms"].to_list() == pytest.approx([300.0] * most.height)
    least = cdf.filter(pl.col("variant") == "LeastAllocated")
    assert least["latency_median_ms"].to_list() == pytest.approx([100.0] * least.height)

    kinds = by["events_by_kind"].data
    row = kinds.filter((pl.col("variant") == "MostAllocated") & (pl.col("kind") == "Created"))
    assert row.select("count_median", "count_min", "count_max").row(0) == (3, 2, 4)
    row = kinds.filter((pl.col("variant") == "LeastAllocated") & (pl.col("kind") == "Evicted"))
    assert row.select("count_median", "count_min", "count_max").row(0) == (0.5, 0, 1)
    row = kinds.filter(
        (pl.col("variant") == "LeastAllocated") & (pl.col("kind") == "FailedScheduling")
    )
    assert row.select("count_median", "count_min", "count_max").row(0) == (0, 0, 0)

    reasons = by["failure_reasons"].data
    got = {(v, k, r): (med, lo, hi) for v, k, r, med, lo, hi in reasons.rows()}
    assert got[("MostAllocated", "FailedScheduling", "Insufficient memory")] == (1, 0, 2)
    assert got[("LeastAllocated", "FailedScheduling", "Insufficient memory")] == (0, 0, 0)
    assert got[("LeastAllocated", "Evicted", "Drain")] == (0.5, 0, 1)

    dis = by["disruptions"].data
    got = {(v, k, d, g): (med, lo, hi) for v, k, d, g, med, lo, hi in dis.rows()}
    assert got == {
        ("LeastAllocated", "Evicted", "priority", "0"): (0.5, 0, 1),
        ("LeastAllocated", "Evicted", "qos", "Burstable"): (0.5, 0, 1),
        ("MostAllocated", "Evicted", "priority", "0"): (0, 0, 0),
        ("MostAllocated", "Evicted", "qos", "Burstable"): (0, 0, 0),
    }

    nodes = by["node_utilization"].data
    most = nodes.filter(pl.col("variant") == "MostAllocated").sort("cpu_pct")
    assert most["cpu_pct"].to_list() == pytest.approx([20.0, 40.0])  # 2 and 4 pods of 10
    least = nodes.filter(pl.col("variant") == "LeastAllocated").sort("cpu_pct")
    assert least["cpu_pct"].to_list() == pytest.approx([20.0, 30.0])  # one pod evicted


def test_suite_report_page(suite_report) -> None:
    report, calls = suite_report
    page = report.index.read_text()
    assert len(calls) == 7
    assert len(re.findall(r'<img src="data:image/png;base64,', page)) == 7
    assert "podbench suite: quickstart" in page
    # the failed cell with its error, the pending and the incomplete ones are listed
    assert re.search(
        r'<tr class="failed"><td>scoring=MostAllocated,size=small,seed=3</td>'
        r".*?boom: out of memory</td>",
        page,
    )
    assert '<tr class="pending"><td>scoring=MostAllocated,size=small,seed=4' in page
    assert '<tr class="incomplete"><td>scoring=LeastAllocated,size=small,seed=2' in page
    # variant columns: LeastAllocated then MostAllocated; pods created medians 3 and 3,
    # latency p50 medians: LeastAllocated (0, 200) -> 100, MostAllocated (100, 300) -> 200
    assert re.search(r'data-metric="pods_created">.*?<td>3</td><td>3</td></tr>', page)
    assert re.search(r'data-metric="latency_p50_ms">.*?<td>100</td><td>200</td></tr>', page)
    assert "1 failed, 1 pending" in page and "1 incomplete" in page
    assert page.index(f"background:{TAB10_0}") < page.index(f"background:{TAB10_1}")


def test_several_run_dirs_are_variants(tmp_path: Path) -> None:
    a = simple_run(tmp_path / "x" / "run", 2, 100, seed=1)
    b = simple_run(tmp_path / "y" / "run", 3, 0, seed=2)
    c = simple_run(tmp_path / "fast", 1, 0, seed=3)
    inp = load_input([a, b, c])
    assert not inp.single
    assert [v.label for v in inp.variants] == ["fast", "run", "run #2"]
    fig = figures.events_by_kind(inp, tmp_path / "out")
    created = dict(
        fig.data.filter(pl.col("kind") == "Created").select("variant", "count_median").iter_rows()
    )
    assert created == {"fast": 1, "run": 2, "run #2": 3}


def test_variant_labels() -> None:
    from reports.loading import variant_labels

    assert variant_labels([{"a": 1, "b": "x"}, {"a": 2, "b": "x"}]) == ["1", "2"]
    assert variant_labels([{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]) == ["a=1, b=x", "a=2, b=y"]
    assert variant_labels([{"a": 1, "b": "x"}]) == ["a=1, b=x"]


def test_degenerate_inputs(tmp_path: Path) -> None:
    """An empty run (no events, no samples) next to a suite whose only cell failed: the
    report still builds, without warnings, and lists the failure."""
    empty = write_run(tmp_path / "empty", [], [], simulated_ms=0)
    got = reports.run_metrics(empty)
    assert (got["pods_created"], got["events"], got["latency_p50_ms"]) == (0, 0, None)
    assert got["cpu_utilization_mean_pct"] is None and got["node_cpu_utilization_cv"] is None
    suite = tmp_path / "suite"
    suite.mkdir()
    cell = {
        "id": "c0",
        "variant": {"k": 1},
        "seed": 1,
        "dir": "cells/0000",
        "status": "failed",
        "error": "scheduler crashed",
    }
    (suite / "suite.json").write_text(json.dumps({"suite": "broken", "cells": [cell]}))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = reports.write_report(load_input([suite, empty]), tmp_path / "out")
    assert [v.label for v in report.input.variants] == ["broken: k=1", "empty"]
    assert [len(v.runs) for v in report.input.variants] == [0, 1]
    page = report.index.read_text()
    assert "scheduler crashed" in page
    assert len(re.findall(r'<img src="data:image/png;base64,', page)) == 7


# --------------------------------------------------------------------------- compare


def test_compare_runs(tmp_path: Path) -> None:
    a = simple_run(tmp_path / "a", 2, 100, seed=1)
    b = simple_run(tmp_path / "b", 4, 300, seed=2, failed_scheduling=2)
    table = reports.compare_runs(a, b)
    rows = {r[0]: r[1:] for r in table.rows}
    assert rows["pods_created"] == (2, 4, 2, 1.0)
    assert rows["latency_p50_ms"] == (100, 300, 200, 2.0)
    assert rows["failed_scheduling_attempts"] == (0, 2, 2, None)  # relative to 0: undefined
    assert rows["pods_per_second"] == (None, None, None, None)  # not in these run.json files
    assert rows["cpu_utilization_final_pct"] == pytest.approx((20.0, 40.0, 20.0, 1.0))
    d = table.to_dict()
    assert d["a"] == {"dir": str(a), "completed": True}
    assert d["rows"][0]["metric"] == "pods_created"
    assert d["rows"][0]["relative_difference"] == 1.0
    json.dumps(d)  # JSON-serializable
    console = Console(width=160, record=True)
    console.print(table.to_rich_table())
    text = console.export_text()
    assert "pods created" in text and "+100.0%" in text and "+200" in text


def test_compare_marks_incomplete_and_rejects_suites(tmp_path: Path, suite_dir: Path) -> None:
    a = simple_run(tmp_path / "a", 2, 100, seed=1)
    b = simple_run(tmp_path / "b", 2, 100, seed=1, completed=False)
    table = reports.compare_runs(a, b)
    assert (table.a_completed, table.b_completed) == (True, False)
    assert all(r[3] in (0, None) for r in table.rows if r[0] != "wall_seconds")
    assert "B is INCOMPLETE" in str(table.to_rich_table().caption)
    with pytest.raises(InputError, match="compare takes two run directories"):
        reports.compare_runs(a, suite_dir)


# --------------------------------------------------------------------------- errors


def test_neither_run_nor_suite(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="neither a run directory") as err:
        reports.build_report([tmp_path / "empty"], tmp_path / "out")
    assert err.value.file == str(tmp_path / "empty")
    with pytest.raises(InputError, match="no such directory"):
        reports.build_report([tmp_path / "missing"], tmp_path / "out")
    assert not (tmp_path / "out" / "index.html").exists()


@pytest.mark.parametrize("name", ["events.arrow", "nodes.arrow"])
def test_corrupt_or_missing_arrow(single_run: Path, tmp_path: Path, name: str) -> None:
    path = single_run / name
    good = path.read_bytes()
    path.write_bytes(b"not an arrow file at all")
    with pytest.raises(InputError, match="not a readable Arrow IPC file") as err:
        reports.run_metrics(single_run)
    assert err.value.file == str(path)
    path.write_bytes(good[: len(good) // 2])  # truncated
    with pytest.raises(InputError) as err:
        reports.build_report([single_run], tmp_path / "out")
    assert err.value.file == str(path)
    path.unlink()
    with pytest.raises(InputError, match="missing") as err:
        reports.compare_runs(single_run, single_run)
    assert err.value.file == str(path)


def test_missing_column_and_wrong_type(tmp_path: Path) -> None:
    d = write_run(tmp_path / "r", SINGLE_EVENTS, SINGLE_NODES)
    schema = NODE_SCHEMA.remove(NODE_SCHEMA.get_field_index("gpu_requested"))
    write_arrow(d / "nodes.arrow", schema, SINGLE_NODES)
    with pytest.raises(InputError, match="missing column.*gpu_requested") as err:
        load_input([d])
    assert err.value.file == str(d / "nodes.arrow")
    bad = EVENT_SCHEMA.set(0, pa.field("time_ms", pa.float64()))
    write_arrow(d / "events.arrow", bad, SINGLE_EVENTS)
    with pytest.raises(InputError, match="expected an integer") as err:
        reports.run_metrics(d)
    assert (err.value.file, err.value.path) == (str(d / "events.arrow"), "time_ms")


def test_bad_run_json(single_run: Path) -> None:
    path = single_run / "run.json"
    path.write_text('{"completed": true,\n "seed": }')
    with pytest.raises(InputError, match="invalid JSON") as err:
        reports.run_metrics(single_run)
    assert (err.value.file, err.value.line) == (str(path), 2)
    path.write_text(json.dumps({"completed": True, "seed": 1, "pods": 5, "events": 22}))
    with pytest.raises(InputError, match="required key is missing") as err:
        reports.run_metrics(single_run)
    assert err.value.path == "wall_seconds"
    path.write_text(
        json.dumps({"completed": "yes", "seed": 1, "pods": 5, "events": 22, "wall_seconds": 1})
    )
    with pytest.raises(InputError, match="true or false"):
        reports.run_metrics(single_run)


def test_bad_suite_json(suite_dir: Path, tmp_path: Path) -> None:
    path = suite_dir / "suite.json"
    doc = json.loads(path.read_text())
    doc["cells"][1]["status"] = "done"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError, match="expected one of completed") as err:
        load_input([suite_dir])
    assert (err.value.file, err.value.path) == (str(path), "cells[1].status")
    doc["cells"][1]["status"] = "completed"
    doc["cells"][1]["dir"] = "cells/9999"  # a completed cell whose run directory is gone
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError, match="no run.json") as err:
        load_input([suite_dir])
    assert err.value.file == str(suite_dir / "cells/9999/run.json")
    del doc["cells"][0]["variant"]
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError) as err:
        load_input([suite_dir])
    assert err.value.path == "cells[0].variant"


def test_dictionary_deltas_are_read(tmp_path: Path) -> None:
    """polars cannot scan dictionary deltas; such files are read through pyarrow instead."""
    d = write_run(tmp_path / "r", SINGLE_EVENTS, SINGLE_NODES, simulated_ms=3000)
    table = ipc.open_file(str(d / "events.arrow")).read_all()
    table = table.cast(
        pa.schema(
            [
                pa.field(f.name, pa.utf8()) if pa.types.is_dictionary(f.type) else f
                for f in table.schema
            ]
        )
    )
    options = ipc.IpcWriteOptions(emit_dictionary_deltas=True)
    seen: dict[str, list[str]] = {f.name: [] for f in EVENT_SCHEMA}
    with ipc.new_file(str(d / "events.arrow"), EVENT_SCHEMA, options=options) as w:
        for start in range(0, table.num_rows, 5):  # dictionaries grow batch after batch
            part = table.slice(start, 5)
            arrays = []
            for f in EVENT_SCHEMA:
                values = part[f.name].to_pylist()
                if not pa.types.is_dictionary(f.type):
                    arrays.append(pa.array(values, f.type))
                    continue
                words = seen[f.name]
                words.extend(v for v in dict.fromkeys(values) if v is not None and v not in words)
                indices = pa.array(
                    [None if v is None else words.index(v) for v in values], pa.int32()
                )
                arrays.append(pa.DictionaryArray.from_arrays(indices, pa.array(words, pa.utf8())))
            w.write_batch(pa.record_batch(arrays, schema=EVENT_SCHEMA))
    with pa.memory_map(str(d / "events.arrow")) as src:
        r = ipc.open_file(src)
        for i in range(r.num_record_batches):
            r.get_batch(i)
        assert r.stats.num_dictionary_deltas > 0  # the fixture really uses deltas
    got = reports.run_metrics(d)
    assert (got["pods_created"], got["pods_scheduled"], got["latency_max_ms"]) == (5, 3, 500)


def test_time_grid_is_bounded() -> None:
    from reports.metrics import nice_step, time_grid, time_unit

    grid = time_grid(30 * 86_400_000)  # 30 days
    assert grid.height <= 2002
    assert grid["time_ms"][-1] == 30 * 86_400_000
    assert np.all(np.diff(grid["time_ms"].to_numpy()) > 0)
    assert [nice_step(x) for x in (0.5, 1.5, 3, 7, 1296000)] == [1, 2, 5, 10, 2000000]
    assert time_unit(60_000)[0] == "s"
    assert time_unit(3_600_000)[0] == "min"
    assert time_unit(24 * 3_600_000)[0] == "h"
    assert time_unit(30 * 86_400_000)[0] == "days"
