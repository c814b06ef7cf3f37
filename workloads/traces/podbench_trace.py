"""A podbench run directory (``events.arrow``, docs/trace-format.md) -> pod stream.

Replaying a podbench trace keeps what the *workload* asked for and drops what the old run
*decided*: every ``Created`` event becomes a stream row arriving at its ``time_ms`` with the
event's requests (``cpu_request_m``, ``memory_request_bytes``, ``gpu_request``), name and
namespace. ``lifetime_ms`` is the intended run time, counted from container start like every
lifetime in a pod stream: the first ``Completed``, ``Failed`` or ``Deleted`` event minus
the ``Started`` event. It is null (runs to the end) when that time is unknown: the pod
never bound, was still running when the run ended, or was ``Preempted``/``Evicted`` before
it ended (both are scheduling decisions, not workload behaviour).

Templates: one generic template per (namespace, priority, qos): ``podbench-<ns>-p<prio>-
<qos>`` with the namespace, the priority and the label ``podbench.io/qos``. The trace holds
no constraints (selectors, affinity, tolerations, spread), limits, owners or storage
requests, so a replay keeps arrivals, requests, priorities and run times only. The cluster
is not rebuilt (nodes.arrow lacks labels and taints): ``nodes`` is None.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.ipc as ipc

from engine.errors import InputError
from engine.objects import Container, Pod
from workloads.pod_stream import validate_pod_stream
from workloads.traces.csvrows import LINE, reject
from workloads.traces.frames import key_frame, to_arrow
from workloads.traces.names import dns_name, unique_name
from workloads.traces.workload import ReadSummary, TraceWorkload

__all__ = ["QOS_LABEL", "read_podbench_trace"]

QOS_LABEL = "podbench.io/qos"
EVENT_COLUMNS = {
    "time_ms": "int",
    "kind": "str",
    "namespace": "str",
    "pod": "str",
    "priority": "int",
    "qos": "str",
    "cpu_request_m": "int",
    "memory_request_bytes": "int",
    "gpu_request": "int",
    "pod_id": "int",
}
NATURAL_END = ("Completed", "Failed", "Deleted")
INTERRUPTED = ("Preempted", "Evicted")
_ROW = LINE  # here: the 0-based event row (FileSummary locate="row")


def _events_path(run_dir: str | Path) -> Path:
    p = Path(run_dir)
    events = p / "events.arrow" if p.is_dir() else p
    if not events.exists():
        where = "run directory has no events.arrow" if p.is_dir() else "events file not found"
        raise InputError(where, file=str(events if p.is_dir() else p))
    return events


def _read_events(events: Path) -> pa.Table:
    try:
        try:
            with ipc.open_file(events) as reader:
                table = reader.read_all()
        except pa.ArrowInvalid:
            with events.open("rb") as f, ipc.open_stream(f) as reader:
                table = reader.read_all()
    except (pa.ArrowException, OSError) as e:
        raise InputError(
            f"cannot read events.arrow as an Arrow IPC file: {e}", file=str(events)
        ) from e
    missing = [c for c in EVENT_COLUMNS if c not in table.column_names]
    if missing:
        raise InputError(
            f"not a podbench events table: missing column(s) {', '.join(missing)} "
            "(docs/trace-format.md)",
            file=str(events),
        )
    for name, kind in EVENT_COLUMNS.items():
        t = table.schema.field(name).type
        if pa.types.is_dictionary(t):
            t = t.value_type
        ok = (
            pa.types.is_integer(t)
            if kind == "int"
            else (
                pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t)
            )
        )
        if not (ok or pa.types.is_null(t)):
            raise InputError(
                f"expected {'integers' if kind == 'int' else 'strings'}, got Arrow type {t}",
                file=str(events),
                path=name,
            )
    return table


def _run_notes(events: Path) -> list[str]:
    run_json = events.parent / "run.json"
    if not run_json.exists():
        return ["no run.json next to events.arrow: cannot tell whether the run completed"]
    try:
        info = json.loads(run_json.read_text())
    except (OSError, ValueError) as e:
        return [f"run.json is unreadable ({e}): cannot tell whether the run completed"]
    if isinstance(info, dict) and info.get("completed") is False:
        return [
            "run.json says the run did not complete: the trace stops early, so pods "
            "created later are missing and run times near the end are unknown"
        ]
    return []


def read_podbench_trace(run_dir: str | Path, *, limit: int | None = None) -> TraceWorkload:
    """Read a podbench run directory (or its events.arrow) into a ``TraceWorkload``.

    ``limit`` keeps the first ``limit`` Created events.
    """
    events_path = _events_path(run_dir)
    table = _read_events(events_path)
    events = (
        pl.from_arrow(table.select(list(EVENT_COLUMNS)))
        .with_columns(
            [pl.col(c).cast(pl.Utf8) for c, k in EVENT_COLUMNS.items() if k == "str"]
            + [pl.col(c).cast(pl.Int64) for c, k in EVENT_COLUMNS.items() if k == "int"]
        )
        .with_row_index(_ROW)
        .with_columns(pl.col(_ROW).cast(pl.Int64))
    )
    summary = ReadSummary("podbench")
    fs = summary.add_file(events_path, row_word="Created events", locate="row")
    created = events.filter(pl.col("kind") == "Created")
    if limit is not None:
        created = created.head(limit)
    fs.rows_read = created.height
    for col in (
        "pod",
        "namespace",
        "qos",
        "time_ms",
        "priority",
        "cpu_request_m",
        "memory_request_bytes",
        "gpu_request",
        "pod_id",
    ):
        created = reject(created, pl.col(col).is_null(), f"missing {col}", fs)
    for col in ("time_ms", "pod_id", "cpu_request_m", "memory_request_bytes", "gpu_request"):
        created = reject(
            created, pl.col(col) < 0, f"negative {col}", fs, pl.format("{} {}", pl.lit(col), col)
        )
    created = reject(
        created,
        ~pl.col("pod_id").is_first_distinct(),
        "duplicate Created",
        fs,
        pl.format("pod_id {}", "pod_id"),
    )
    fs.rows_kept = created.height

    t, kind = pl.col("time_ms"), pl.col("kind")
    per_pod = (
        events.filter(pl.col("pod_id").is_in(created.get_column("pod_id").implode()))
        .group_by("pod_id")
        .agg(
            t.filter(kind == "Started").min().alias("scheduled"),
            t.filter(kind.is_in(NATURAL_END)).min().alias("end"),
            t.filter(kind.is_in(INTERRUPTED)).min().alias("cut"),
        )
    )
    pods = created.join(per_pod, on="pod_id", how="left", maintain_order="left")
    scheduled, end, cut = pl.col("scheduled"), pl.col("end"), pl.col("cut")
    interrupted = cut.is_not_null() & (end.is_null() | (cut <= end))
    known = scheduled.is_not_null() & end.is_not_null() & ~interrupted & (end >= scheduled)
    pods = pods.with_columns(
        pl.when(known).then(end - scheduled).otherwise(None).alias("lifetime_ms"),
    )
    counts = pods.select(
        known.sum().alias("known"),
        scheduled.is_null().sum().alias("never"),
        (scheduled.is_not_null() & interrupted).sum().alias("interrupted"),
        (scheduled.is_not_null() & end.is_null() & ~interrupted).sum().alias("running"),
    ).row(0, named=True)

    templates: dict[str, Pod] = {}
    names: dict[tuple, str] = {}
    for ns, prio, qos in sorted(pods.select("namespace", "priority", "qos").unique().rows()):
        name = unique_name(dns_name("podbench", ns, f"p{prio}", qos), templates)
        templates[name] = Pod(
            name=name,
            namespace=ns,
            priority=prio,
            labels={QOS_LABEL: qos},
            containers=[Container(name="main")],
        )
        names[(ns, prio, qos)] = name
    mapping = key_frame(names, {"namespace": pl.Utf8, "priority": pl.Int64, "qos": pl.Utf8})
    pods = pods.join(
        mapping, on=["namespace", "priority", "qos"], how="left", maintain_order="left"
    )
    frame = pods.select(
        pl.col("time_ms").alias("arrival_ms"),
        pl.col("lifetime_ms").cast(pl.Int64),
        "template",
        pl.col("pod").alias("name"),
        "namespace",
        pl.col("cpu_request_m").alias("cpu_m"),
        pl.col("memory_request_bytes").alias("memory_bytes"),
        pl.col("gpu_request").alias("gpu"),
        pl.col("pod_id").alias("source_pod_id"),
    )
    stream = validate_pod_stream(
        to_arrow(frame), source=str(events_path), templates=templates.keys()
    )
    summary.notes.extend(
        [
            f"{events.height} events read; each Created event is a pod arriving at its "
            "time_ms with its cpu/memory/gpu requests, name and namespace",
            f"lifetime_ms = first Completed/Failed/Deleted - Started for {counts['known']} "
            f"pods; null (run to the end) for {counts['never']} never scheduled, "
            f"{counts['interrupted']} preempted or evicted, {counts['running']} still running "
            "at the end of the run",
            f"{len(templates)} templates, one per (namespace, priority, qos); qos is only a "
            f"label ({QOS_LABEL})",
            "constraints (node selectors, affinity, tolerations, topology spread), limits, "
            "owners and ephemeral-storage requests are not in events.arrow: the replay keeps "
            "arrivals, requests, priorities and run times only",
            "nodes are not rebuilt (nodes.arrow has no labels or taints): pass the original nodes",
            *_run_notes(events_path),
        ]
    )
    summary.pods = stream.num_rows
    summary.templates = len(templates)
    summary.nodes = None
    return TraceWorkload(nodes=None, templates=templates, stream=stream, summary=summary)
