"""Invariants every simulator trace must satisfy, checked from the run directory alone.

``check_trace(run_dir)`` reads ``events.arrow``, ``nodes.arrow`` and ``run.json``
(docs/trace-format.md) with lazy Polars queries (no per-event Python, so it scales to
millions of events) and returns a list of violations; an empty list means the trace is
consistent. Each rule reports how many rows break it and a few examples.

Definitions. A *pod* is a ``pod_id >= 0``; its events are its rows in file order (the row
index breaks ties within a millisecond). *Terminal* events are ``Completed``, ``Failed``
and ``Deleted``: the pod object is gone. ``Preempted`` and ``Evicted`` only start the
termination (deletion timestamp): the pod keeps its requests on its node until its terminal
event. *On-node* events are ``Started``, ``Ready``, ``Preempted``, ``Evicted``,
``EvictionFailed`` (a refused eviction: the pod stays), ``Completed``, ``Failed`` and a
``Deleted`` that names a node.

(a) Capacity. For every node, the requests held on it after each event — the sum over pods
    from their ``Scheduled`` row (on the node it names) up to, excluding, their terminal row
    of ``cpu_request_m``, ``memory_request_bytes``, ``gpu_request`` and one pod each — never
    exceed the node's allocatable (``cpu_allocatable_m``, ``memory_allocatable_bytes``,
    ``gpu_allocatable``, ``pods_allocatable`` of the latest ``nodes.arrow`` sample of that
    node at or before the event, else its first sample; nodes never sampled are skipped).
    Every ``nodes.arrow`` row has requested <= allocatable for cpu, memory, pods and gpu, and
    its requested values equal the trace's running sums at its time: after the node's last
    event before the sample time, or after one of its events at the sample time (a sample
    is taken between the events of its millisecond).
(b) One node per pod. A pod has at most one ``Scheduled`` event, and all its on-node events
    name that node. No pod event (``Scheduled``, ``Nominated``, on-node) names a node after
    that node's ``NodeRemoved`` event, unless a later ``NodeAdded`` brought a node of that
    name back.
(c) Lifecycle. A pod has exactly one ``Created`` event, and it is its first event. Its
    on-node events come after its ``Scheduled`` event (a pod never scheduled has none);
    ``FailedScheduling`` and ``Nominated`` come before it. ``Started`` happens at most once
    and every ``Ready`` follows it. At most one ``Preempted``/``Evicted`` event (a deletion
    timestamp is set once). At most one terminal event, and nothing after it. Hence every
    pod ends in exactly one of: Pending (never scheduled, no terminal event), Bound/Running
    (scheduled, not terminating), Terminating (``Preempted``/``Evicted`` without a terminal
    event, e.g. on a dead node) or Terminated (its single terminal event is its last).
(d) Time order. ``time_ms`` never decreases from one ``events.arrow`` row to the next, nor
    within each node's ``nodes.arrow`` samples.
(e) run.json. ``completed`` is true; ``events`` equals the number of rows of
    ``events.arrow``; ``pods`` equals the number of pods with a ``Created`` event; the
    ``summary`` counts present (``created``, ``scheduled``, ``preempted``, ``evicted``,
    ``completed``, ``failed_scheduling``) equal the counts of those event kinds and
    ``pending`` the number of pods that end Pending; ``nodes.arrow`` has a sample at
    ``simulated_ms`` (the end), and ``nodes`` equals the number of nodes in it.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

TERMINAL = ("Completed", "Failed", "Deleted")
DOOMED = ("Preempted", "Evicted")
ON_NODE = ("Started", "Ready", "Preempted", "Evicted", "EvictionFailed", "Completed", "Failed")
BEFORE_BIND = ("FailedScheduling", "Nominated")
RESOURCES = (  # (trace request column, nodes.arrow requested column, allocatable column)
    ("cpu_request_m", "cpu_requested_m", "cpu_allocatable_m"),
    ("memory_request_bytes", "memory_requested_bytes", "memory_allocatable_bytes"),
    ("pods", "pods_requested", "pods_allocatable"),
    ("gpu_request", "gpu_requested", "gpu_allocatable"),
)
SUMMARY_KINDS = {
    "created": "Created",
    "scheduled": "Scheduled",
    "preempted": "Preempted",
    "evicted": "Evicted",
    "completed": "Completed",
    "failed_scheduling": "FailedScheduling",
}
EXAMPLES = 5


def check_trace(run_dir: str | Path) -> list[str]:
    """Violations of the rules in this module's docstring; empty when the trace is sound."""
    run_dir = Path(run_dir)
    missing = [n for n in ("events.arrow", "nodes.arrow", "run.json") if not (run_dir / n).is_file()]
    if missing:
        return [f"{run_dir}: missing {', '.join(missing)}"]
    info = json.loads((run_dir / "run.json").read_text())
    events = _events(run_dir / "events.arrow")
    nodes = _nodes(run_dir / "nodes.arrow")
    pods = _pods(events).collect().lazy()  # one pass over the events, reused by several rules
    out: list[str] = []
    out += _time_order(events, nodes)
    out += _lifecycles(pods)
    out += _removed_nodes(events)
    out += _capacity(events, nodes)
    out += _run_info(info, events, pods, nodes)
    return out


# -- inputs ------------------------------------------------------------------------------------

def _events(path: Path) -> pl.LazyFrame:
    kind = pl.col("kind").cast(pl.Utf8)
    return (
        pl.scan_ipc(path)
        .select(
            "time_ms", kind.alias("kind"), pl.col("pod").cast(pl.Utf8), pl.col("node").cast(pl.Utf8),
            "cpu_request_m", "memory_request_bytes", "gpu_request", "pod_id",
        )
        .with_row_index("row")
    )


def _nodes(path: Path) -> pl.LazyFrame:
    return pl.scan_ipc(path).with_columns(pl.col("node").cast(pl.Utf8)).with_row_index("sample")


def _pods(events: pl.LazyFrame) -> pl.LazyFrame:
    """One row per pod: counts and first/last rows of the event kinds the rules need."""
    kind, row = pl.col("kind"), pl.col("row")
    on_node = kind.is_in(ON_NODE) | ((kind == "Deleted") & pl.col("node").is_not_null())

    def first(cond: pl.Expr) -> pl.Expr:
        return row.filter(cond).min()

    return (
        events.filter(pl.col("pod_id") >= 0)
        .group_by("pod_id")
        .agg(
            pl.col("pod").first(),
            first_row=row.min(),
            last_row=row.max(),
            n_created=(kind == "Created").sum(),
            created_row=first(kind == "Created"),
            n_sched=(kind == "Scheduled").sum(),
            sched_row=first(kind == "Scheduled"),
            node_lo=pl.col("node").filter(on_node | (kind == "Scheduled")).min(),
            node_hi=pl.col("node").filter(on_node | (kind == "Scheduled")).max(),
            on_node_row=first(on_node),
            on_node_kind=kind.filter(on_node).first(),
            prebind_last=row.filter(kind.is_in(BEFORE_BIND)).max(),
            n_started=(kind == "Started").sum(),
            started_row=first(kind == "Started"),
            ready_row=first(kind == "Ready"),
            n_doomed=kind.is_in(DOOMED).sum(),
            n_term=kind.is_in(TERMINAL).sum(),
            term_row=first(kind.is_in(TERMINAL)),
        )
        .with_columns(
            state=pl.when(pl.col("n_term") > 0).then(pl.lit("Terminated"))
            .when(pl.col("n_doomed") > 0).then(pl.lit("Terminating"))
            .when(pl.col("n_sched") > 0).then(pl.lit("Running"))
            .otherwise(pl.lit("Pending"))
        )
    )


def _report(frame: pl.DataFrame, rule: str, describe) -> list[str]:
    """One violation line per rule: the count and a few examples."""
    if frame.height == 0:
        return []
    examples = "; ".join(describe(r) for r in frame.head(EXAMPLES).iter_rows(named=True))
    more = f" (and {frame.height - EXAMPLES} more)" if frame.height > EXAMPLES else ""
    return [f"{rule}: {frame.height} violation(s): {examples}{more}"]


# -- (d) time order ------------------------------------------------------------------------------

def _time_order(events: pl.LazyFrame, nodes: pl.LazyFrame) -> list[str]:
    back = (
        events.select("row", "time_ms", prev=pl.col("time_ms").shift(1))
        .filter(pl.col("time_ms") < pl.col("prev"))
        .collect()
    )
    out = _report(back, "(d) events.arrow time goes backwards",
                  lambda r: f"row {r['row']} at {r['time_ms']} ms after {r['prev']} ms")
    back = (
        nodes.select("sample", "node", "time_ms", prev=pl.col("time_ms").shift(1).over("node"))
        .filter(pl.col("time_ms") < pl.col("prev"))
        .collect()
    )
    out += _report(back, "(d) nodes.arrow time goes backwards",
                   lambda r: f"node {r['node']} sample at {r['time_ms']} ms after {r['prev']} ms")
    return out


# -- (b), (c) pod lifecycles ------------------------------------------------------------------------

def _lifecycles(pods: pl.LazyFrame) -> list[str]:
    c = pl.col
    rules = [
        ("(c) Created exactly once, as the pod's first event",
         (c("n_created") != 1) | (c("created_row") != c("first_row")),
         lambda r: f"{r['pod']} (id {r['pod_id']}) has {r['n_created']} Created, first at row "
                   f"{r['created_row']}, first event at row {r['first_row']}"),
        ("(b) a pod is Scheduled at most once",
         c("n_sched") > 1,
         lambda r: f"{r['pod']} (id {r['pod_id']}) scheduled {r['n_sched']} times"),
        ("(b) a pod stays on one node",
         c("node_lo") != c("node_hi"),
         lambda r: f"{r['pod']} (id {r['pod_id']}) on nodes {r['node_lo']} and {r['node_hi']}"),
        ("(c) on-node events only after Scheduled",
         c("on_node_row").is_not_null() & (c("sched_row").is_null() | (c("on_node_row") < c("sched_row"))),
         lambda r: f"{r['pod']} (id {r['pod_id']}) has {r['on_node_kind']} at row {r['on_node_row']}, "
                   f"scheduled at row {r['sched_row']}"),
        ("(c) FailedScheduling/Nominated only before Scheduled",
         c("sched_row").is_not_null() & c("prebind_last").is_not_null() & (c("prebind_last") > c("sched_row")),
         lambda r: f"{r['pod']} (id {r['pod_id']}) scheduled at row {r['sched_row']}, "
                   f"FailedScheduling/Nominated at row {r['prebind_last']}"),
        ("(c) Started at most once, Ready only after Started",
         (c("n_started") > 1) | (c("ready_row").is_not_null()
                                 & (c("started_row").is_null() | (c("ready_row") < c("started_row")))),
         lambda r: f"{r['pod']} (id {r['pod_id']}) started {r['n_started']} times (first row "
                   f"{r['started_row']}), first Ready at row {r['ready_row']}"),
        ("(c) at most one Preempted/Evicted",
         c("n_doomed") > 1,
         lambda r: f"{r['pod']} (id {r['pod_id']}) preempted/evicted {r['n_doomed']} times"),
        ("(c) at most one terminal event, and it is the last",
         (c("n_term") > 1) | ((c("n_term") == 1) & (c("term_row") != c("last_row"))),
         lambda r: f"{r['pod']} (id {r['pod_id']}) has {r['n_term']} terminal events, first at row "
                   f"{r['term_row']}, last event at row {r['last_row']}"),
    ]
    frames = pl.collect_all([pods.filter(cond).sort("pod_id") for _, cond, _ in rules])
    out: list[str] = []
    for (rule, _, describe), frame in zip(rules, frames, strict=True):
        out += _report(frame, rule, describe)
    return out


def _removed_nodes(events: pl.LazyFrame) -> list[str]:
    membership = (
        events.filter((pl.col("pod_id") < 0) & pl.col("kind").is_in(("NodeAdded", "NodeRemoved")))
        .select("node", "row", membership=pl.col("kind"))
    )
    ghosts = (
        events.filter((pl.col("pod_id") >= 0) & pl.col("node").is_not_null())
        .select("row", "time_ms", "kind", "pod", "node")
        .join_asof(membership, on="row", by="node", strategy="backward", check_sortedness=False)
        .filter(pl.col("membership") == "NodeRemoved")
        .collect()
    )
    return _report(ghosts, "(b) pod events on a removed node",
                   lambda r: f"{r['kind']} of {r['pod']} on {r['node']} at row {r['row']} "
                             f"({r['time_ms']} ms)")


# -- (a) capacity ---------------------------------------------------------------------------------

def _held(events: pl.LazyFrame) -> pl.LazyFrame:
    """Per node and event row, the requests held on the node right after that row."""
    req = [r for r, _, _ in RESOURCES]
    scheduled = (
        events.filter(pl.col("kind") == "Scheduled")
        .select("pod_id", "node", "row", "time_ms", "cpu_request_m", "memory_request_bytes",
                "gpu_request", pods=pl.lit(1, pl.Int64))
    )
    ended = (
        events.filter(pl.col("kind").is_in(TERMINAL) & (pl.col("pod_id") >= 0))
        .select("pod_id", "row", "time_ms")
        .join(scheduled.select("pod_id", "node", *req), on="pod_id", how="inner")
        .with_columns([-pl.col(r) for r in req])
    )
    cols = ["node", "row", "time_ms", *req]
    return (
        pl.concat([scheduled.select(cols), ended.select(cols)])
        .sort("node", "row")
        .with_columns([pl.col(r).cum_sum().over("node") for r in req])
    )


def _capacity(events: pl.LazyFrame, nodes: pl.LazyFrame) -> list[str]:
    req = [r for r, _, _ in RESOURCES]
    held = _held(events)
    alloc_cols = [a for _, _, a in RESOURCES]
    alloc = nodes.select("node", "time_ms", *alloc_cols).sort("time_ms")
    first_alloc = alloc.group_by("node").agg(pl.col(a).first().alias(f"{a}_first") for a in alloc_cols)
    over = (
        held.sort("time_ms")
        .join_asof(alloc, on="time_ms", by="node", strategy="backward", check_sortedness=False)
        .join(first_alloc, on="node", how="inner")
        .with_columns(pl.coalesce(a, f"{a}_first").alias(a) for a in alloc_cols)
        .filter(pl.any_horizontal(pl.col(r) > pl.col(a) for r, _, a in RESOURCES))
        .sort("row")
    )
    samples_over = nodes.filter(pl.any_horizontal(pl.col(q) > pl.col(a) for _, q, a in RESOURCES))
    # samples against the trace: running sums just before the sample's millisecond ...
    sample_cols = ["sample", "node", "time_ms", *(q for _, q, _ in RESOURCES)]
    samples = nodes.select(sample_cols).sort("time_ms")
    same = pl.all_horizontal(pl.col(q) == pl.col(r) for r, q, _ in RESOURCES)
    before = (
        samples.with_columns(before=pl.col("time_ms") - 1)
        .join_asof(held.select("node", "time_ms", *req).sort("time_ms"),
                   left_on="before", right_on="time_ms", by="node", strategy="backward",
                   check_sortedness=False)
        .with_columns(pl.col(r).fill_null(0) for r in req)
        .select("sample", ok=same)
    )
    # ... or just after one of the node's events in that millisecond
    during = (
        samples.join(held.select("node", "time_ms", *req), on=["node", "time_ms"], how="inner")
        .select("sample", ok=same)
    )
    agree = pl.concat([before, during]).group_by("sample").agg(pl.col("ok").any())
    disagree = (
        samples.join(agree, on="sample", how="left")
        .filter(~pl.col("ok").fill_null(False))
        .sort("sample")
    )
    over, samples_over, disagree = pl.collect_all([over, samples_over, disagree])

    def usage(r: dict, cols) -> str:
        return ", ".join(f"{c}={r[c]}" for c in cols)

    out = _report(over, "(a) requests held on a node exceed its allocatable",
                  lambda r: f"node {r['node']} after row {r['row']} ({r['time_ms']} ms): "
                            + usage(r, [*req, *alloc_cols]))
    out += _report(samples_over, "(a) nodes.arrow requested exceeds allocatable",
                   lambda r: f"node {r['node']} at {r['time_ms']} ms: "
                             + usage(r, [c for t in RESOURCES for c in t[1:]]))
    out += _report(disagree, "(a) nodes.arrow requested disagrees with the event trace",
                   lambda r: f"node {r['node']} at {r['time_ms']} ms: "
                             + usage(r, [q for _, q, _ in RESOURCES]))
    return out


# -- (e) run.json -----------------------------------------------------------------------------------

def _run_info(info: dict, events: pl.LazyFrame, pods: pl.LazyFrame, nodes: pl.LazyFrame) -> list[str]:
    out: list[str] = []
    if info.get("completed") is not True:
        out.append(f"(e) run.json: completed is {info.get('completed')!r} (error: {info.get('error')!r})")
    kinds, states, last = pl.collect_all([
        events.group_by("kind").len(),
        pods.filter(pl.col("n_created") > 0).group_by("state").len(),
        nodes.filter(pl.col("time_ms") == pl.col("time_ms").max()).select("time_ms", "node"),
    ])
    kind_count = dict(zip(kinds["kind"].to_list(), kinds["len"].to_list(), strict=True))
    state_count = dict(zip(states["state"].to_list(), states["len"].to_list(), strict=True))
    rows = sum(kind_count.values())
    if info.get("events") != rows:
        out.append(f"(e) run.json: events is {info.get('events')!r}, events.arrow has {rows} rows")
    created = sum(state_count.values())
    if info.get("pods") != created:
        out.append(f"(e) run.json: pods is {info.get('pods')!r}, {created} pods have a Created event")
    summary = info.get("summary") or {}
    for key, kind in SUMMARY_KINDS.items():
        if key in summary and summary[key] != kind_count.get(kind, 0):
            out.append(f"(e) run.json: summary.{key} is {summary[key]!r}, "
                       f"the trace has {kind_count.get(kind, 0)} {kind} events")
    if "pending" in summary and summary["pending"] != state_count.get("Pending", 0):
        out.append(f"(e) run.json: summary.pending is {summary['pending']!r}, "
                   f"{state_count.get('Pending', 0)} pods end Pending in the trace")
    end = info.get("simulated_ms")
    last_time = last["time_ms"][0] if last.height else None
    if end is not None and last_time != end:
        out.append(f"(e) nodes.arrow: last sample at {last_time} ms, the run ended at {end} ms")
    elif "nodes" in info and info["nodes"] != last.height:
        out.append(f"(e) run.json: nodes is {info['nodes']!r}, the final sample has {last.height} nodes")
    return out
