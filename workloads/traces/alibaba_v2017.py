"""Alibaba cluster-trace-v2017 batch tasks and server events -> nodes + pod stream.

Column order follows the official schema.csv (the files have no header; a copy with an
added header row is detected and the header skipped). Conversions
(README in /work/shared/traces/alibaba-v2017/):

``server_event.csv`` (timestamp, machine_id, event_type, event_detail, cpus, memory, disk):
each ``add`` event is a node ``machine-<id>`` (ordered by machine id) with ``cpu`` = cpus x
1000 millicores, ``memory`` = round(memory x ``memory_unit_bytes``), ``pods`` =
``max_pods_per_node`` and the hostname label. Memory is normalised in the trace (1.0 = the
largest machine); ``memory_unit_bytes`` (default 256 GiB, an assumption: the trace hides the
absolute size) gives it a scale. The scale cancels out of every fit and score because pod
memory uses the same unit. Disk is dropped (batch tasks request none). Error events
(softerror, harderror) are not node changes we can replay; they are counted and skipped.

``batch_task.csv`` (create_timestamp, modify_timestamp, job_id, task_id, instance_num,
status, plan_cpu, plan_mem): each task becomes ``instance_num`` identical pods
``v2017-j<job>-t<task>-<i>`` with ``cpu_m`` = plan_cpu x 10 (plan_cpu is in hundredths of a
core) and ``memory_bytes`` = round(plan_mem x ``memory_unit_bytes``). ``arrival_ms`` =
max(create, 0) x 1000 (tasks created before the window arrive at its start).
``lifetime_ms`` = (modify - max(create, 0)) x 1000 for Terminated and Failed tasks (modify
is their end time), null for Running and Waiting ones (no end within the trace). Task times
bound all instances; per-instance times are in batch_instance.csv, which we do not have.
Rows without plan_cpu/plan_mem (mostly Waiting tasks), finished tasks that end before they
start or before the window, and malformed rows are skipped and reported. ``max_pods`` caps
the expansion: tasks are taken in arrival order and the last one may be cut.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from engine.errors import InputError
from engine.objects import LABEL_HOSTNAME, Container, Node, Pod
from workloads.pod_stream import validate_pod_stream
from workloads.traces.csvrows import LINE, Field, parse_rows, read_lines, reject
from workloads.traces.frames import to_arrow
from workloads.traces.workload import ReadSummary, TraceWorkload

__all__ = [
    "DEFAULT_MEMORY_UNIT_BYTES",
    "DEFAULT_MAX_PODS",
    "DEFAULT_MAX_PODS_PER_NODE",
    "TEMPLATE",
    "read_alibaba_v2017",
    "read_v2017_nodes",
]

DEFAULT_MEMORY_UNIT_BYTES = 256 << 30
DEFAULT_MAX_PODS = 1_000_000
DEFAULT_MAX_PODS_PER_NODE = 110  # kubelet --max-pods default
TEMPLATE = "v2017-batch"
STATUSES = ("Terminated", "Failed", "Running", "Waiting")
FINISHED = ("Terminated", "Failed")

TASK_FIELDS = (
    Field("create_timestamp", minimum=None),
    Field("modify_timestamp", minimum=None),
    Field("job_id"),
    Field("task_id"),
    Field("instance_num", minimum=1),
    Field("status", "str"),
    Field("plan_cpu"),
    Field("plan_mem", "float"),
)
SERVER_FIELDS = (
    Field("timestamp", minimum=None),
    Field("machine_id"),
    Field("event_type", "str"),
    Field("event_detail", "str", required=False),
    Field("cpus", required=False),
    Field("memory", "float", required=False),
    Field("disk", "float", required=False),
)


def _unit_check(memory_unit_bytes: int) -> None:
    if not isinstance(memory_unit_bytes, int) or memory_unit_bytes <= 0:
        raise InputError(
            f"memory_unit_bytes must be a positive integer, got {memory_unit_bytes!r}",
            path="memory_unit_bytes",
        )


def read_v2017_nodes(
    server_event_csv: str | Path,
    *,
    memory_unit_bytes: int = DEFAULT_MEMORY_UNIT_BYTES,
    max_pods_per_node: int = DEFAULT_MAX_PODS_PER_NODE,
    limit: int | None = None,
    summary: ReadSummary | None = None,
) -> list[Node]:
    """Nodes from the ``add`` events of server_event.csv, ordered by machine id."""
    _unit_check(memory_unit_bytes)
    summary = summary if summary is not None else ReadSummary("alibaba-v2017")
    fs = summary.add_file(server_event_csv)
    _, lines = read_lines(server_event_csv, limit=limit, header=None)
    rows = parse_rows(
        lines, SERVER_FIELDS, positions=range(7), n_fields=7, fs=fs, what="v2017 server_event.csv"
    )
    kind = pl.col("event_type")
    rows = reject(
        rows,
        ~kind.is_in(["add", "softerror", "harderror"]),
        "unknown event_type",
        fs,
        pl.format("got '{}'", kind),
    )
    for other in ("softerror", "harderror"):
        rows = reject(
            rows,
            kind == other,
            f"{other} event (node conditions are not replayed)",
            fs,
            pl.col("event_detail"),
        )
    rows = reject(
        rows,
        pl.col("cpus").is_null() | pl.col("memory").is_null(),
        "add event without cpus or memory",
        fs,
    )
    rows = reject(
        rows, (pl.col("cpus") == 0) | (pl.col("memory") == 0), "add event with zero capacity", fs
    )
    rows = reject(
        rows,
        ~pl.col("machine_id").is_first_distinct(),
        "duplicate add event",
        fs,
        pl.format("machine {}", pl.col("machine_id")),
    )
    fs.rows_kept = rows.height
    late = rows.filter(pl.col("timestamp") > 0).height
    summary.notes.append(
        f"nodes: add events -> machine-<id> with cpu = cpus x 1000 millicores, memory = "
        f"round(normalised memory x {memory_unit_bytes} bytes) (an assumed scale; it cancels "
        f"out because pod memory uses it too), pods = {max_pods_per_node}; disk dropped"
        + (f"; {late} machines added after time 0 are present from the start" if late else "")
    )
    rows = rows.sort("machine_id").with_columns(
        (pl.col("memory") * memory_unit_bytes).round().cast(pl.Int64).alias("memory_bytes")
    )
    nodes = []
    for machine, cpus, mem in rows.select("machine_id", "cpus", "memory_bytes").iter_rows():
        name = f"machine-{machine}"
        alloc = {"cpu": cpus * 1000, "memory": mem, "pods": max_pods_per_node}
        nodes.append(
            Node(name=name, labels={LABEL_HOSTNAME: name}, allocatable=alloc, capacity=dict(alloc))
        )
    return nodes


def _tasks(batch_task_csv: Path, limit: int | None, summary: ReadSummary) -> pl.DataFrame:
    fs = summary.add_file(batch_task_csv)
    _, lines = read_lines(batch_task_csv, limit=limit, header=None)
    rows = parse_rows(
        lines, TASK_FIELDS, positions=range(8), n_fields=8, fs=fs, what="v2017 batch_task.csv"
    )
    status = pl.col("status")
    created, modified = pl.col("create_timestamp"), pl.col("modify_timestamp")
    finished = status.is_in(FINISHED)
    rows = reject(
        rows, ~status.is_in(STATUSES), "unknown status", fs, pl.format("got '{}'", status)
    )
    rows = reject(
        rows,
        finished & (modified < created),
        "end before start",
        fs,
        pl.format("create {}, end {}", created, modified),
    )
    rows = reject(
        rows,
        finished & (modified <= 0),
        "ended before the trace window",
        fs,
        pl.format("end {}", modified),
    )
    rows = reject(
        rows,
        ~pl.struct("job_id", "task_id").is_first_distinct(),
        "duplicate task",
        fs,
        pl.format("job {} task {}", "job_id", "task_id"),
    )
    fs.rows_kept = rows.height
    return rows


def read_alibaba_v2017(
    batch_task_csv: str | Path,
    server_event_csv: str | Path | None = None,
    *,
    memory_unit_bytes: int = DEFAULT_MEMORY_UNIT_BYTES,
    max_pods: int | None = DEFAULT_MAX_PODS,
    max_pods_per_node: int = DEFAULT_MAX_PODS_PER_NODE,
    limit: int | None = None,
) -> TraceWorkload:
    """Read batch_task.csv (and server_event.csv for nodes) into a ``TraceWorkload``.

    ``limit`` caps the batch_task rows read (server_event.csv is always read whole);
    ``max_pods`` caps the pods after expanding instances (None: no cap; the full table has
    11.9 million instances).
    """
    _unit_check(memory_unit_bytes)
    if max_pods is not None and max_pods < 0:
        raise InputError(f"max_pods must be >= 0, got {max_pods}", path="max_pods")
    batch_task_csv = Path(batch_task_csv)
    summary = ReadSummary("alibaba-v2017")
    nodes = None
    if server_event_csv is not None:
        nodes = read_v2017_nodes(
            server_event_csv,
            memory_unit_bytes=memory_unit_bytes,
            max_pods_per_node=max_pods_per_node,
            summary=summary,
        )
    tasks = _tasks(batch_task_csv, limit, summary)
    start = pl.max_horizontal(pl.col("create_timestamp"), pl.lit(0))
    tasks = tasks.with_columns(
        (start * 1000).alias("arrival_ms"),
        pl.when(pl.col("status").is_in(FINISHED))
        .then((pl.col("modify_timestamp") - start) * 1000)
        .otherwise(None)
        .alias("lifetime_ms"),
    ).sort("arrival_ms", LINE)
    total = int(tasks.get_column("instance_num").sum() or 0)
    cap = total if max_pods is None else min(max_pods, total)
    before = tasks.get_column("instance_num").cum_sum() - tasks.get_column("instance_num")
    tasks = tasks.with_columns(
        pl.min_horizontal(pl.col("instance_num"), pl.lit(cap) - before).clip(0).alias("count")
    ).filter(pl.col("count") > 0)
    pods = tasks.select(
        "arrival_ms",
        "lifetime_ms",
        "plan_cpu",
        "plan_mem",
        "job_id",
        "task_id",
        pl.col(LINE).alias("source_line"),
        pl.int_ranges(0, pl.col("count")).alias("instance"),
    ).explode("instance")
    frame = pods.select(
        pl.col("arrival_ms").cast(pl.Int64),
        pl.col("lifetime_ms").cast(pl.Int64),
        pl.lit(TEMPLATE).alias("template"),
        pl.format("v2017-j{}-t{}-{}", "job_id", "task_id", "instance").alias("name"),
        (pl.col("plan_cpu") * 10).alias("cpu_m"),
        (pl.col("plan_mem") * memory_unit_bytes).round().cast(pl.Int64).alias("memory_bytes"),
        "job_id",
        "task_id",
        "source_line",
    )
    templates = {
        TEMPLATE: Pod(
            name=TEMPLATE,
            labels={"alibaba.com/workload": "batch"},
            containers=[Container(name="main")],
        )
    }
    stream = validate_pod_stream(
        to_arrow(frame), source=str(batch_task_csv), templates=templates.keys()
    )
    summary.notes.append(
        f"pods: one per task instance; cpu_m = plan_cpu x 10 (hundredths of a core), "
        f"memory_bytes = round(plan_mem x {memory_unit_bytes}); arrival_ms = max(create, 0) "
        "x 1000; lifetime_ms = (modify - max(create, 0)) x 1000 for Terminated/Failed tasks, "
        "null for Running/Waiting; task times bound all of a task's instances"
    )
    if cap < total:
        last = stream.column("arrival_ms")[-1].as_py() if stream.num_rows else 0
        summary.notes.append(
            f"max_pods={max_pods}: kept {cap} of {total} instances (tasks in arrival order, "
            f"the last one cut, so the stream ends at arrival {last} ms); {total - cap} "
            "instances dropped"
        )
    if nodes is None:
        summary.notes.append("no server_event.csv given: no nodes")
    summary.pods = stream.num_rows
    summary.templates = len(templates)
    summary.nodes = None if nodes is None else len(nodes)
    return TraceWorkload(nodes=nodes, templates=templates, stream=stream, summary=summary)
