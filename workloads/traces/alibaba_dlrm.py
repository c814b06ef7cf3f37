"""Alibaba cluster-trace-gpu-v2025 (GPU-disaggregated DLRM serving) -> pod stream.

One pod per instance row (README in /work/shared/traces/alibaba-gpu-v2025/). Conversions:
``cpu_m`` = cpu_request x 1000 (whole vCPUs); ``memory_bytes`` = round(memory_request x
2^30) (GiB); ``ephemeral_storage_bytes`` = round(disk_request x 2^30) (GiB); ``gpu`` =
gpu_request (whole GPUs). Limits are dropped (the scheduler reads requests only).
rdma_request (percent of one NIC) and max_instance_per_node are kept as the extra columns
``rdma_percent`` and ``max_instance_per_node``: no node advertises an RDMA resource and a
per-node instance cap has no exact Kubernetes equivalent.

Times are seconds (floats) from the trace start, rounded to milliseconds first:
``arrival_ms`` = creation_time, or 0 when empty (the instance existed before the trace);
``lifetime_ms`` (from binding) = deletion_time - scheduled_time, with an empty
scheduled_time read as the trace start (0) when creation_time is empty too, or as
creation_time otherwise (never bound); null when deletion_time is empty (alive at the end).

Templates: one per (role, app_name), named ``dlrm-<role>-<app>``, labelled ``app=<app_name>``
and ``alibaba.com/dlrm-role=<role>``. Pod names are instance_sn made DNS-safe
(``instance_12`` -> ``instance-12``). The trace has no node list: ``nodes`` is None.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from engine.objects import Container, Pod
from workloads.pod_stream import validate_pod_stream
from workloads.traces.csvrows import (
    LINE,
    Field,
    header_positions,
    parse_rows,
    read_lines,
    reject,
)
from workloads.traces.frames import is_label_value, key_frame, to_arrow
from workloads.traces.names import dns_name, dns_name_expr, unique_name
from workloads.traces.workload import ReadSummary, TraceWorkload

__all__ = ["ROLE_LABEL", "APP_LABEL", "read_alibaba_dlrm"]

ROLE_LABEL = "alibaba.com/dlrm-role"
APP_LABEL = "app"
GIB = 1 << 30

FIELDS = (
    Field("instance_sn", "str"),
    Field("role", "str"),
    Field("app_name", "str"),
    Field("cpu_request"),
    Field("cpu_limit", required=False),
    Field("gpu_request"),
    Field("gpu_limit", required=False),
    Field("rdma_request", required=False),
    Field("memory_request", "float"),
    Field("memory_limit", "float", required=False),
    Field("disk_request", "float", required=False),
    Field("disk_limit", "float", required=False),
    Field("max_instance_per_node", required=False, minimum=-1),
    Field("creation_time", "float", required=False),
    Field("scheduled_time", "float", required=False),
    Field("deletion_time", "float", required=False),
)


def _ms(col: str) -> pl.Expr:
    return (pl.col(col) * 1000).round().cast(pl.Int64)


def read_alibaba_dlrm(csv: str | Path, *, limit: int | None = None) -> TraceWorkload:
    """Read disaggregated_DLRM_trace.csv into a ``TraceWorkload`` (``nodes`` is None)."""
    csv = Path(csv)
    summary = ReadSummary("alibaba-dlrm")
    fs = summary.add_file(csv)
    what = "the gpu-v2025 DLRM trace"
    header, lines = read_lines(csv, limit=limit, header=True)
    pos = header_positions(header, [f.name for f in FIELDS], fs=fs, what=what)
    rows = parse_rows(lines, FIELDS, positions=pos, n_fields=len(header), fs=fs, what=what)
    rows = rows.with_columns(
        dns_name_expr(pl.col("instance_sn")).alias("name"),
        _ms("creation_time").alias("created_ms"),
        _ms("scheduled_time").alias("scheduled_ms"),
        _ms("deletion_time").alias("deleted_ms"),
    )
    name, created = pl.col("name"), pl.col("created_ms")
    scheduled, deleted = pl.col("scheduled_ms"), pl.col("deleted_ms")
    rows = reject(
        rows, name == "", "invalid instance_sn", fs, pl.format("got '{}'", pl.col("instance_sn"))
    )
    rows = reject(rows, ~name.is_first_distinct(), "duplicate instance", fs, pl.col("instance_sn"))
    for col in ("role", "app_name"):
        rows = reject(
            rows,
            ~is_label_value(pl.col(col)),
            f"invalid {col}",
            fs,
            pl.format("got '{}'", pl.col(col)),
        )
    rows = reject(
        rows,
        scheduled < created,
        "scheduled before creation",
        fs,
        pl.format("created {}, scheduled {}", "creation_time", "scheduled_time"),
    )
    start = pl.coalesce(scheduled, created, pl.lit(0, pl.Int64))
    rows = reject(
        rows, deleted < start, "deletion before start", fs, pl.format("deleted {}", "deletion_time")
    )
    fs.rows_kept = rows.height

    keys = sorted(rows.select("role", "app_name").unique().rows())
    templates: dict[str, Pod] = {}
    names: dict[tuple[str, str], str] = {}
    for role, app in keys:
        tname = unique_name(dns_name("dlrm", role, app), templates)
        templates[tname] = Pod(
            name=tname,
            labels={APP_LABEL: app, ROLE_LABEL: role},
            containers=[Container(name="main")],
        )
        names[(role, app)] = tname
    mapping = key_frame(names, {"role": pl.Utf8, "app_name": pl.Utf8})
    rows = rows.join(mapping, on=["role", "app_name"], how="left", maintain_order="left")
    frame = rows.select(
        created.fill_null(0).alias("arrival_ms"),
        pl.when(deleted.is_null()).then(None).otherwise(deleted - start).alias("lifetime_ms"),
        "template",
        "name",
        (pl.col("cpu_request") * 1000).alias("cpu_m"),
        (pl.col("memory_request") * GIB).round().cast(pl.Int64).alias("memory_bytes"),
        (pl.col("disk_request") * GIB).round().cast(pl.Int64).alias("ephemeral_storage_bytes"),
        pl.col("gpu_request").alias("gpu"),
        pl.col("rdma_request").alias("rdma_percent"),
        "max_instance_per_node",
        pl.col(LINE).alias("source_line"),
    )
    stream = validate_pod_stream(to_arrow(frame), source=str(csv), templates=templates.keys())
    counts = rows.select(
        created.is_null().sum().alias("before"),
        deleted.is_null().sum().alias("alive"),
        (pl.col("cpu_limit") != pl.col("cpu_request")).sum().alias("cpu"),
        (pl.col("memory_limit") != pl.col("memory_request")).sum().alias("mem"),
        (pl.col("gpu_limit") != pl.col("gpu_request")).sum().alias("gpu"),
        (pl.col("disk_limit") != pl.col("disk_request")).sum().alias("disk"),
    ).row(0, named=True)
    summary.notes.extend(
        [
            "units: cpu_request (vCPUs) x 1000 -> cpu_m; memory_request (GiB) x 2^30 -> "
            "memory_bytes; disk_request (GiB) x 2^30 -> ephemeral_storage_bytes; gpu_request "
            "-> gpu; rdma_request and max_instance_per_node kept as extra columns only",
            f"limits dropped (requests only): cpu_limit differs from cpu_request in "
            f"{counts['cpu']} rows, memory in {counts['mem']}, gpu in {counts['gpu']}, disk "
            f"in {counts['disk']}",
            f"times: arrival_ms = creation_time x 1000, 0 for the {counts['before']} instances "
            "that existed before the trace; lifetime_ms = deletion_time - scheduled_time (or "
            f"- 0 when they existed before the trace); null for {counts['alive']} instances "
            "alive at the trace end",
            f"{len(templates)} templates, one per (role, app_name), labelled {APP_LABEL} and "
            f"{ROLE_LABEL}; no priority (the trace has none)",
            "the trace has no node list: choose the nodes yourself (e.g. --nodes)",
        ]
    )
    summary.pods = stream.num_rows
    summary.templates = len(templates)
    summary.nodes = None
    return TraceWorkload(nodes=None, templates=templates, stream=stream, summary=summary)
