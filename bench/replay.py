"""``podbench replay``: run a cluster trace through the scheduler (docs/replay.md).

Two modes, both writing a run directory (docs/trace-format.md):

* **time**: the trace's pods arrive at their trace times and run for their trace lifetimes;
  the simulator (queue, backoff, preemption) schedules them. The trace becomes a
  ``Scenario`` built here: the nodes, the reader's templates and the pod stream as arrivals.
* **fill** (the FGD paper's method, GPU traces): ``fill_stream`` orders pods until their
  GPU requests reach a share of the cluster's GPUs; every pod is scheduled exactly once in
  that order, no departures, no retries: ``Scheduler.place``. The trace gets one
  ``Created`` and one ``Scheduled`` or ``FailedScheduling`` row per pod at time = position
  (ms), ``cum_gpu_arrived`` (milli-GPU) on the ``Created`` rows, and node samples every 1 %
  of the pods.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bench.placement import warm_up
from bench.replay_names import FORMATS, MODES
from bench.simulate import print_summary
from engine import __version__
from engine.errors import InputError
from engine.framework.config import SchedulerSettings, load_scheduler_settings
from engine.framework.profile import Profile
from engine.objects import Node, ObjectSet, Pod
from engine.resources import qos_class
from engine.scheduler.scheduler import HEAP, Scheduler
from engine.simulator.simulator import Simulation
from engine.simulator.trace import (
    EVENTS_SCHEMA,
    NODES_SCHEMA,
    QOS_NAMES,
    TraceWriter,
    library_versions,
    qos_with_requests,
    write_json_atomic,
)
from engine.state.cluster import ClusterState, kind_requests
from engine.state.resource_axis import CPU_COL, MEMORY_COL, PODS_COL
from workloads.manifests import load_manifests
from workloads.pod_stream import GPU_RESOURCE, REQUEST_COLUMNS, request_overrides, row_priorities
from workloads.scenario import (
    NO_OVERRIDE,
    Arrivals,
    Lifecycle,
    NodeLifecycle,
    Scenario,
    format_duration,
    parse_duration,
)
from workloads.scenario.workload import stream_arrivals
from workloads.traces import (
    TraceWorkload,
    fill_stream,
    read_alibaba_dlrm,
    read_alibaba_v2017,
    read_openb,
    read_podbench_trace,
)
from workloads.traces.fill import fill_target_milli

__all__ = [
    "FORMATS",
    "MODES",
    "FILL_EVENTS_SCHEMA",
    "ReplayInput",
    "read_trace",
    "trace_arrivals",
    "trace_scenario",
    "replay_time",
    "replay_fill",
]

FILL_EVENTS_SCHEMA = EVENTS_SCHEMA.append(pa.field("cum_gpu_arrived", pa.int64()))
TAIL_MS = 60_000  # time mode: simulate this long after the last arrival or departure
MAX_SAMPLES = 500  # time mode: node samples over the run (at least one a minute)
FILL_SAMPLES = 100  # fill mode: node samples, one per 1 % of the pods
# Node lists that sit next to the pod files in the public trace folders.
DEFAULT_NODE_FILES = {"openb": "openb_node_list_gpu_node.csv", "alibaba-v2017": "server_event.csv"}


@dataclass
class ReplayInput:
    """A trace read for replay: the workload and the nodes it runs on."""

    format: str
    trace: Path
    workload: TraceWorkload
    nodes: list[Node]
    nodes_source: str
    notes: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        stem = self.trace.stem if self.trace.is_file() else self.trace.name
        return f"replay-{self.format}-{stem}"


# --------------------------------------------------------------------------- reading


def _manifest_nodes(path: Path) -> list[Node]:
    objs = load_manifests([path])
    if not objs.nodes:
        raise InputError("no Node objects found (expected Node manifests)", file=str(path))
    return list(objs.nodes)


def read_trace(fmt: str, trace: Path, nodes: Path | None = None, *, limit: int | None = None) -> ReplayInput:
    """Read ``trace`` with the ``fmt`` reader and find the nodes to replay it on.

    ``nodes``: a Node manifest file (any format), or for openb / alibaba-v2017 the trace's
    own node list CSV (default: the one next to the trace, if there).
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown trace format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if limit is not None and limit < 1:
        raise InputError(f"--limit must be >= 1, got {limit}")
    trace = Path(trace)
    if not trace.exists():
        raise InputError("trace not found", file=str(trace))
    notes: list[str] = []
    if nodes is None and fmt in DEFAULT_NODE_FILES:
        candidate = trace.parent / DEFAULT_NODE_FILES[fmt]
        if candidate.is_file():
            nodes = candidate
            notes.append(f"nodes: {candidate} (the node list next to the trace; --nodes to change)")
    if nodes is None:
        hint = {
            "openb": "an openb node list CSV (openb_node_list_gpu_node.csv) or Node manifests",
            "alibaba-v2017": "server_event.csv or Node manifests",
        }.get(fmt, "a file of Node manifests")
        raise InputError(f"{fmt} traces need nodes to replay on: pass --nodes with {hint}")
    nodes = Path(nodes)
    if not nodes.exists():
        raise InputError("node file not found", file=str(nodes))
    trace_csv = nodes.suffix.lower() == ".csv" and fmt in DEFAULT_NODE_FILES
    node_list: list[Node] | None = None
    if not trace_csv:
        node_list = _manifest_nodes(nodes)
    if fmt == "openb":
        wl = read_openb(trace, nodes if trace_csv else None, limit=limit)
    elif fmt == "alibaba-v2017":
        wl = read_alibaba_v2017(trace, nodes if trace_csv else None, limit=limit)
    elif fmt == "alibaba-dlrm":
        wl = read_alibaba_dlrm(trace, limit=limit)
    else:
        wl = read_podbench_trace(trace, limit=limit)
    if node_list is None:
        node_list = list(wl.nodes or [])
    if not node_list:
        raise InputError("the node list has no usable nodes", file=str(nodes))
    if wl.stream.num_rows == 0:
        raise InputError("the trace has no pods to replay (every row was skipped)", file=str(trace))
    return ReplayInput(fmt, trace, wl, node_list, str(nodes), notes)


# --------------------------------------------------------------------------- time mode


def _template_order(workload: TraceWorkload) -> tuple[list[str], list[Pod]]:
    names = list(workload.templates)
    return names, [workload.templates[n] for n in names]


def trace_arrivals(stream: pa.Table, names: list[str], templates: list[Pod], source: str) -> Arrivals:
    """A validated pod stream as the simulator's arrivals (sorted, as the stream is)."""
    priority = np.array([p.effective_priority for p in templates], np.int64)
    return stream_arrivals(stream, names, priority, source)


def replay_lifecycle(fmt: str) -> Lifecycle:
    """Pod timing for a replay. Lifetimes count from the containers' start (``Started``).
    Public traces measure them from scheduling (deletion - scheduled time), so their pods
    start the moment they bind and leave at their trace deletion time. A podbench trace's
    lifetimes were measured from ``Started``, so it keeps the default start latency."""
    if fmt == "podbench":
        return Lifecycle()
    return Lifecycle(start_latency_ms=0)


def default_duration(stream: pa.Table) -> int:
    """Last arrival or known departure (arrival + lifetime), plus a minute."""
    arrival = stream.column("arrival_ms").to_numpy().astype(np.int64)
    life = stream.column("lifetime_ms")
    ends = arrival
    if life.null_count < len(life):
        known = ~life.is_null().to_numpy(zero_copy_only=False)
        ends = np.concatenate([arrival, (arrival + pc.fill_null(life, 0).to_numpy())[known]])
    return int(ends.max(initial=0)) + TAIL_MS


def sample_interval(duration_ms: int) -> int:
    """At most ``MAX_SAMPLES`` node samples, on whole minutes, at least one a minute."""
    return max(60_000, math.ceil(duration_ms / MAX_SAMPLES / 60_000) * 60_000)


def trace_scenario(
    inp: ReplayInput,
    *,
    profile: Profile,
    settings: SchedulerSettings,
    seed: int,
    duration_ms: int | None = None,
) -> Scenario:
    """The time-mode scenario: the trace's pods arriving on its nodes, nothing else."""
    stream = inp.workload.stream
    warnings: list[str] = list(profile.warnings)
    if duration_ms is None:
        duration_ms = default_duration(stream)
    elif duration_ms <= 0:
        raise InputError(f"--duration must be > 0, got {duration_ms} ms")
    late = pc.sum(pc.greater_equal(stream.column("arrival_ms"), duration_ms)).as_py() or 0
    if late:
        warnings.append(f"{late} pod(s) arrive at or after --duration and are not replayed")
        stream = stream.filter(pc.less(stream.column("arrival_ms"), duration_ms))
    names, templates = _template_order(inp.workload)
    arrivals = trace_arrivals(stream, names, templates, f"{inp.format} trace {inp.trace}")
    return Scenario(
        name=inp.name,
        description=f"replay of {inp.trace} ({inp.format}) on {inp.nodes_source}",
        source=inp.trace,
        seed=seed,
        duration_ms=duration_ms,
        sample_interval_ms=sample_interval(duration_ms),
        profile=profile,
        selection=HEAP,
        cycle_ms=0,
        lifecycle=replay_lifecycle(inp.format),
        node_lifecycle=NodeLifecycle(),
        objects=ObjectSet(nodes=list(inp.nodes)),
        templates=templates,
        arrivals=arrivals,
        events=[],
        warnings=warnings,
        scheduler_settings=settings,
    )


def _replay_info(inp: ReplayInput, mode: str, config: Path | None, limit: int | None) -> dict:
    return {
        "format": inp.format,
        "trace": str(inp.trace),
        "nodes": inp.nodes_source,
        "mode": mode,
        "config": str(config) if config is not None else None,
        "limit": limit,
        "reader": {
            "rows_read": inp.workload.summary.rows_read,
            "rows_kept": inp.workload.summary.rows_kept,
            "rows_skipped": inp.workload.summary.rows_skipped,
            "skipped": dict(inp.workload.summary.skipped),
            "notes": list(inp.workload.summary.notes) + inp.notes,
        },
    }


def _add_to_run_json(out: Path, extra: dict[str, Any]) -> dict:
    path = out / "run.json"
    info = json.loads(path.read_text())
    info.update(extra)
    write_json_atomic(path, info)
    return info


def replay_time(
    inp: ReplayInput,
    out: Path,
    *,
    config: Path | None = None,
    seed: int = 0,
    duration_ms: int | None = None,
    limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Simulate the trace in time into ``out``; returns run.json."""
    settings, profile = load_scheduler_settings(config)
    scenario = trace_scenario(inp, profile=profile, settings=settings, seed=seed,
                              duration_ms=duration_ms)
    Simulation(scenario, out, progress=progress).run()
    return _add_to_run_json(Path(out), {"replay": _replay_info(inp, "time", config, limit)})


# --------------------------------------------------------------------------- fill mode


@dataclass
class _FillPods:
    """The filled stream's pods added to a ClusterState, in stream order."""

    rows: np.ndarray  # int32 [m]: pod row of each position
    req: np.ndarray  # int64 [m, R]: effective requests
    priority: np.ndarray  # int32 [m]
    qos: np.ndarray  # int64 [m]: index into QOS_NAMES
    namespace: pa.Array
    kinds: list[Pod]


def _fill_requests(
    state: ClusterState, kinds: list, template: np.ndarray, stream: pa.Table
) -> tuple[np.ndarray, np.ndarray]:
    """Per-row requests [m, R] and non-zero cpu/memory [m, 2]: the template's, with the
    stream's overrides."""
    req = kind_requests(kinds, state.axis.capacity)[template]
    nonzero = np.array([k.nonzero for k in kinds], np.int64).reshape(len(kinds), 2)[template]
    for resource, values in (request_overrides(stream, NO_OVERRIDE) or {}).items():
        given = values >= 0
        c = state.axis.index[resource]
        req[given, c] = values[given]
        if c in (CPU_COL, MEMORY_COL):
            nonzero[given, c] = values[given]
    return req, nonzero


def _add_fill_pods(state: ClusterState, stream: pa.Table, workload: TraceWorkload) -> _FillPods:
    """Every stream row as a pending pod: its template's spec with the row's requests and
    priority (as the simulator applies stream overrides), in stream order."""
    names, templates = _template_order(workload)
    m = stream.num_rows
    for resource in REQUEST_COLUMNS.values():
        state.axis.ensure(resource)
    state.nodes.widen_resources()
    state.pods.widen_resources()
    kinds = [state.compile(p) for p in templates]
    template = pc.index_in(stream.column("template"), value_set=pa.array(names, pa.string()))
    template = template.to_numpy().astype(np.int64)
    req, nonzero = _fill_requests(state, kinds, template, stream)
    own = np.array([k.priority for k in kinds], np.int32)[template]
    priority = row_priorities(stream.column("priority"), own)
    rows = np.empty(m, np.int32)
    for t, kind in enumerate(kinds):
        positions = np.nonzero(template == t)[0]
        if len(positions):
            rows[positions] = state.add_pods(
                kind, len(positions), name=names[t], req=req[positions], nonzero=nonzero[positions],
                priority=priority[positions],
            )
    qos = qos_with_requests(
        np.array([QOS_NAMES.index(qos_class(p)) for p in templates], np.int64)[template],
        req[:, CPU_COL], req[:, MEMORY_COL],
    )
    ns = pa.array([p.namespace for p in templates], pa.string()).take(pa.array(template))
    given_ns = stream.column("namespace").combine_chunks().cast(pa.string())
    namespace = pc.if_else(pc.is_null(given_ns), ns, given_ns)
    return _FillPods(rows, req, priority, qos, namespace, templates)


def _node_sample(state: ClusterState, now: int, node_names: pa.Array) -> pa.RecordBatch:
    """Every alive node's allocatable and requested resources; ``node_names`` by node index."""
    nodes = state.nodes
    alive = nodes.alive_indices()
    alloc, used = nodes.alloc[alive], nodes.requested[alive]
    gpu = state.axis.index.get(GPU_RESOURCE, -1)
    zeros = np.zeros(len(alive), np.int64)
    return pa.RecordBatch.from_arrays(
        [
            pa.array(np.full(len(alive), now, np.int64)),
            node_names.take(pa.array(alive)),
            pa.array(alloc[:, CPU_COL]), pa.array(used[:, CPU_COL]),
            pa.array(alloc[:, MEMORY_COL]), pa.array(used[:, MEMORY_COL]),
            pa.array(alloc[:, PODS_COL]), pa.array(used[:, PODS_COL]),
            pa.array(alloc[:, gpu] if gpu >= 0 else zeros),
            pa.array(used[:, gpu] if gpu >= 0 else zeros),
            pa.array(np.ones(len(alive), bool)),
            pa.array(nodes.unschedulable[alive] == 0),
        ],
        schema=NODES_SCHEMA,
    )


def _fill_events(
    lo: int, hi: int, stream: pa.Table, pods: _FillPods, placed: np.ndarray,
    messages: dict[int, str], node_names: pa.Array, gpu_col: int,
) -> pa.RecordBatch:
    """Created then Scheduled/FailedScheduling for the pods at positions [lo, hi);
    ``messages``: FailedScheduling text by position - lo."""
    pos = np.repeat(np.arange(lo, hi, dtype=np.int64), 2)
    created = np.tile(np.array([True, False]), hi - lo)
    node = np.repeat(placed[lo:hi].astype(np.int64), 2)
    bound = ~created & (node >= 0)
    failed = ~created & (node < 0)
    kind = np.where(created, "Created", np.where(bound, "Scheduled", "FailedScheduling"))
    take = pa.array(pos)
    node_col = pc.take(node_names, pa.array(np.where(bound, node, 0)))
    node_col = pc.if_else(pa.array(bound), node_col, pa.scalar(None, pa.string()))
    cum = stream.column("cum_gpu_arrived").take(take).combine_chunks()
    cum = pc.if_else(pa.array(created), cum, pa.scalar(None, pa.int64()))
    req = pods.req[pos]
    gpu = req[:, gpu_col] if gpu_col >= 0 else np.zeros(len(pos), np.int64)
    return pa.RecordBatch.from_arrays(
        [
            pa.array(pos),
            pa.array(kind, pa.string()),
            pods.namespace.take(take),
            stream.column("name").take(take).combine_chunks().cast(pa.string()),
            node_col,
            pa.array(pods.priority[pos], pa.int32()),
            pa.array(np.array(QOS_NAMES, dtype=object)[pods.qos[pos]], pa.string()),
            _fill_reasons(messages, failed),
            pa.array(req[:, CPU_COL]),
            pa.array(req[:, MEMORY_COL]),
            pa.array(gpu),
            pa.array(pos),
            cum,
        ],
        schema=FILL_EVENTS_SCHEMA,
    )


def _fill_reasons(messages: dict[int, str], failed: np.ndarray) -> pa.Array:
    """The reason column of a chunk's event rows (two per pod): a failed pod's message."""
    which = np.full(len(failed), -1, np.int64)
    which[2 * np.fromiter(messages, np.int64, len(messages)) + 1] = np.arange(len(messages))
    which[~failed] = -1
    texts = pa.array(list(messages.values()), pa.string())
    return texts.take(pa.array(which, mask=which < 0))


def replay_fill(
    inp: ReplayInput,
    out: Path,
    *,
    fill_percent: float,
    config: Path | None = None,
    seed: int = 0,
    limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Fill mode into ``out`` (module doc); returns run.json."""
    t0 = time.perf_counter()
    settings, profile = load_scheduler_settings(config)
    compile_seconds = warm_up(profile, HEAP)  # JIT compile (or cache load), timed apart
    cluster_gpus = sum(int(n.allocatable.get(GPU_RESOURCE, 0)) for n in inp.nodes)
    stream = fill_stream(inp.workload, fill_percent=fill_percent, seed=seed,
                         cluster_gpus=cluster_gpus)
    m = stream.num_rows
    state = ClusterState(profile)
    state.add_nodes(list(inp.nodes))
    pods = _add_fill_pods(state, stream, inp.workload)
    node_names = pa.array([n.name for n in inp.nodes], pa.string())
    gpu_col = state.axis.index.get(GPU_RESOURCE, -1)
    writer = TraceWriter(Path(out), FILL_EVENTS_SCHEMA)
    scheduler = Scheduler(state, selection=HEAP, seed=seed)
    placed = np.full(m, -1, np.int64)
    step = max(1, math.ceil(m / FILL_SAMPLES))
    done, evaluations, sched_seconds = 0, 0, 0.0
    completed, error = False, None
    try:
        for lo in range(0, m, step):
            hi = min(lo + step, m)
            result = scheduler.place(pods.rows[lo:hi])
            placed[lo:hi] = result.nodes
            evaluations += result.node_evaluations
            sched_seconds += result.seconds
            writer.write_events(_fill_events(lo, hi, stream, pods, placed, result.messages,
                                             node_names, gpu_col))
            writer.write_nodes(_node_sample(state, hi - 1, node_names))
            done = hi
            if progress is not None:
                progress(done, m)
        completed = True
    except Exception as e:
        error = f"{type(e).__name__}: {e}"
        raise
    finally:
        info = _fill_run_info(inp, stream, placed[:done], state, cluster_gpus, fill_percent, seed,
                              completed, error, time.perf_counter() - t0, sched_seconds,
                              evaluations, writer.events_written, config, limit, profile)
        info["compile_seconds"] = round(compile_seconds, 3)
        writer.close(info)
    return info


def _fill_run_info(
    inp: ReplayInput, stream: pa.Table, placed: np.ndarray, state: ClusterState,
    cluster_gpus: int, fill_percent: float, seed: int, completed: bool, error: str | None,
    wall: float, sched: float, evaluations: int, events: int, config: Path | None,
    limit: int | None, profile: Profile,
) -> dict:
    n = len(placed)
    scheduled = int((placed >= 0).sum())
    gpu = state.axis.index.get(GPU_RESOURCE, -1)
    allocated = int(state.nodes.requested[state.nodes.alive_indices(), gpu].sum()) if gpu >= 0 else 0
    cum = stream.column("cum_gpu_arrived")
    arrived = int(cum[n - 1].as_py()) if n else 0
    return {
        "completed": completed,
        "error": error,
        "scenario": str(inp.trace),
        "name": inp.name,
        "seed": seed,
        "podbench_version": __version__,
        "versions": library_versions(),
        "nodes": len(inp.nodes),
        "pods": stream.num_rows,
        "events": events,
        "simulated_ms": max(n - 1, 0),
        "duration_ms": stream.num_rows,
        "wall_seconds": round(wall, 3),
        "loop_seconds": round(sched, 3),
        "scheduling": {
            "scheduled": scheduled,
            "failed_attempts": n - scheduled,
            "preemptions": 0,
            "node_evaluations": evaluations,
            "pods_per_second": round(n / sched, 1) if sched > 0 else 0.0,
        },
        "summary": {
            "created": n,
            "scheduled": scheduled,
            "pending": n - scheduled,
            "preempted": 0,
            "evicted": 0,
            "completed": 0,
            "failed_scheduling": n - scheduled,
            "latency_ms": {"p50": 0 if scheduled else None, "p99": 0 if scheduled else None,
                           "max": 0 if scheduled else None},
        },
        "fill": {
            "fill_percent": fill_percent,
            "cluster_gpus": cluster_gpus,
            "target_milli_gpu": fill_target_milli(fill_percent, cluster_gpus),
            "arrived_milli_gpu": arrived,
            "allocated_gpus": allocated,
            "allocated_pct": round(100.0 * allocated / cluster_gpus, 3) if cluster_gpus else None,
            "unschedulable": n - scheduled,
        },
        "replay": _replay_info(inp, "fill", config, limit),
        "warnings": list(profile.warnings),
    }


# --------------------------------------------------------------------------- podbench replay


def replay_command(
    trace: Path,
    fmt: str,
    nodes: Path | None,
    config: Path | None,
    mode: str,
    fill_percent: float | None,
    seed: int,
    out: Path | None,
    duration: str | None,
    limit: int | None,
    *,
    console: Console,
    err: Console,
) -> dict:
    """Everything ``podbench replay`` does: read, print the reader's account, run, summarise."""
    if mode not in MODES:
        raise InputError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
    if mode == "fill" and fill_percent is None:
        raise InputError("fill mode needs --fill-percent (e.g. 100)")
    if mode == "fill" and duration is not None:
        raise InputError("--duration is for --mode time (fill mode has no time)")
    if mode == "time" and fill_percent is not None:
        raise InputError("--fill-percent is for --mode fill")
    duration_ms = parse_duration(duration, "--duration") if duration is not None else None
    if seed < 0:
        raise InputError(f"--seed must be >= 0, got {seed}")
    inp = read_trace(fmt, trace, nodes, limit=limit)
    err.print(inp.workload.summary.render(), highlight=False, markup=False)
    for note in inp.notes:
        err.print(f"note: {note}", highlight=False, markup=False)
    out_dir = Path(out) if out is not None else Path("runs") / inp.name
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.fields[what]}"),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(f"replaying {inp.trace.name} ({mode})", total=1, what="")
        if mode == "time":

            def advance(now: int, end: int) -> None:
                what = f"{format_duration(now)} / {format_duration(end)}"
                bar.update(task, completed=now, total=end, what=what)

            info = replay_time(inp, out_dir, config=config, seed=seed, duration_ms=duration_ms,
                               limit=limit, progress=advance)
        else:

            def placed(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total, what=f"{done:,} / {total:,} pods")

            assert fill_percent is not None
            info = replay_fill(inp, out_dir, fill_percent=fill_percent, config=config, seed=seed,
                               limit=limit, progress=placed)
    for w in info.get("warnings", [])[:20]:
        err.print(f"[yellow]warning:[/] {w}", highlight=False)
    if mode == "time":
        print_summary(console, info, out_dir)
    else:
        _fill_summary(console, info, out_dir)
    return info


def _fill_summary(console: Console, info: dict, out_dir: Path) -> None:
    f, s = info["fill"], info["summary"]
    table = Table(title=f"fill-mode replay {info['name']} (seed {info['seed']})",
                  title_justify="left", show_header=False)
    table.add_column("metric")
    table.add_column("value", justify="right")
    rows = [
        ("pods (in fill order)", f"{info['pods']:,}"),
        ("scheduled", f"{s['scheduled']:,}"),
        ("unschedulable", f"{f['unschedulable']:,}"),
        ("GPU request arrived", f"{f['arrived_milli_gpu'] / 1000:,.1f} GPUs "
                                f"({100 * f['arrived_milli_gpu'] / 1000 / f['cluster_gpus']:.1f} %)"),
        ("GPUs allocated", f"{f['allocated_gpus']:,} of {f['cluster_gpus']:,} ({f['allocated_pct']:.1f} %)"),
        ("scheduling", f"{info['loop_seconds']:.2f} s ({info['scheduling']['pods_per_second']:,.0f} pods/s)"),
        ("wall time", f"{info['wall_seconds']:.2f} s"),
    ]
    for k, v in rows:
        table.add_row(k, v)
    console.print(table)
    console.print(f"trace: {out_dir}")
