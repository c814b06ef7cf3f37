"""Alibaba cluster-trace-gpu-v2023 ("openb", the FGD paper's trace) -> nodes + pod stream.

Source columns and conversions (README in /work/shared/traces/alibaba-gpu-v2023/):

Nodes (``sn,cpu_milli,memory_mib,gpu,model``): allocatable = capacity = ``cpu`` cpu_milli
millicores, ``memory`` memory_mib x 2^20 bytes, ``nvidia.com/gpu`` gpu whole GPUs (GPU nodes
only), ``pods`` ``max_pods_per_node`` (default 110, the kubelet default); labels
``kubernetes.io/hostname=<sn>`` and, on GPU nodes, ``alibaba.com/gpu-model=<model>``. The
trace has no zones, taints or GPU memory.

Pods (``name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,
deletion_time,scheduled_time``):

- ``cpu_m`` = cpu_milli; ``memory_bytes`` = memory_mib x 2^20.
- ``gpu`` = num_gpu whole ``nvidia.com/gpu``. Kubernetes extended resources are integers,
  so a GPU-sharing pod (num_gpu 1, gpu_milli < 1000) takes one whole GPU under the default
  scheduler; the trace's per-GPU share is kept in the extra column ``gpu_milli``.
- ``arrival_ms`` = (creation_time - earliest creation_time read) x 1000.
- ``lifetime_ms`` (counted from binding) = (deletion_time - scheduled_time) x 1000; for
  Pending pods, which never ran and have no scheduled_time, deletion_time - creation_time
  (the pod leaves at its real deletion time); null for pods still Running at the trace's
  cut-off (deletion_time = the latest deletion_time in the file) or without a deletion_time.
- Templates: one per (gpu_spec as a set of models, qos). gpu_spec ``A|B`` becomes the
  required node affinity ``alibaba.com/gpu-model In [A, B]``; qos becomes the label
  ``alibaba.com/qos``. No priority: the trace has none and the FGD evaluation does not
  preempt. pod_phase only serves to find pods alive at the cut-off.
- The 5-column ``multigpu`` files (no spec, qos or times): every pod arrives at 0 and never
  departs; they are meant for fill mode (``workloads.traces.fill``).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from engine.errors import InputError
from engine.objects import (
    LABEL_HOSTNAME,
    Affinity,
    Container,
    Node,
    NodeAffinity,
    NodeSelectorTerm,
    Pod,
    Requirement,
)
from workloads.pod_stream import GPU_RESOURCE, validate_pod_stream
from workloads.traces.csvrows import (
    LINE,
    Field,
    header_positions,
    parse_rows,
    read_lines,
    reject,
)
from workloads.traces.frames import is_dns_subdomain, is_label_value, key_frame, to_arrow
from workloads.traces.names import dns_name, unique_name
from workloads.traces.workload import ReadSummary, TraceWorkload

__all__ = [
    "GPU_MODEL_LABEL",
    "QOS_LABEL",
    "DEFAULT_MAX_PODS_PER_NODE",
    "read_openb",
    "read_openb_nodes",
]

GPU_MODEL_LABEL = "alibaba.com/gpu-model"
QOS_LABEL = "alibaba.com/qos"
DEFAULT_MAX_PODS_PER_NODE = 110  # kubelet --max-pods default
MIB = 1 << 20

NODE_FIELDS = (
    Field("sn", "str"),
    Field("cpu_milli"),
    Field("memory_mib"),
    Field("gpu"),
    Field("model", "str", required=False),
)
POD_FIELDS = (
    Field("name", "str"),
    Field("cpu_milli"),
    Field("memory_mib"),
    Field("num_gpu"),
    Field("gpu_milli"),
    Field("gpu_spec", "str", required=False),
    Field("qos", "str"),
    Field("pod_phase", "str", required=False),
    Field("creation_time"),
    Field("deletion_time", required=False),
    Field("scheduled_time", required=False),
)
MULTIGPU_FIELDS = POD_FIELDS[:5]


def read_openb_nodes(
    node_csv: str | Path,
    *,
    max_pods_per_node: int = DEFAULT_MAX_PODS_PER_NODE,
    limit: int | None = None,
    summary: ReadSummary | None = None,
) -> list[Node]:
    """Nodes of an openb node list, in file order.

    Standalone (``summary`` None) a malformed row is an ``InputError``; with a summary it is
    skipped and accounted for there.
    """
    standalone = summary is None
    summary = summary if summary is not None else ReadSummary("openb")
    fs = summary.add_file(node_csv)
    what = "an openb node list (sn,cpu_milli,memory_mib,gpu,model)"
    header, lines = read_lines(node_csv, limit=limit, header=True)
    pos = header_positions(header, [f.name for f in NODE_FIELDS], fs=fs, what=what)
    rows = parse_rows(lines, NODE_FIELDS, positions=pos, n_fields=len(header), fs=fs, what=what)
    sn, gpu, model = pl.col("sn"), pl.col("gpu"), pl.col("model")
    rows = reject(
        rows, ~is_dns_subdomain(sn, 63), "invalid node name", fs, pl.format("got '{}'", sn)
    )
    rows = reject(rows, ~sn.is_first_distinct(), "duplicate node name", fs, sn)
    rows = reject(
        rows, ~is_label_value(model), "invalid GPU model", fs, pl.format("got '{}'", model)
    )
    rows = reject(
        rows, (gpu > 0) & model.is_null(), "GPU node without a model", fs, pl.format("{} GPUs", gpu)
    )
    rows = reject(
        rows, (gpu == 0) & model.is_not_null(), "GPU model on a node without GPUs", fs, model
    )
    fs.rows_kept = rows.height
    if standalone and fs.rows_skipped:
        raise InputError(
            f"malformed node row: {fs.problems[0]} ({fs.rows_skipped} rows in all)", file=fs.path
        )
    nodes = []
    for name, cpu, mib, gpus, gpu_model in rows.select(
        "sn", "cpu_milli", "memory_mib", "gpu", "model"
    ).iter_rows():
        labels = {LABEL_HOSTNAME: name}
        alloc = {"cpu": cpu, "memory": mib * MIB, "pods": max_pods_per_node}
        if gpus:
            labels[GPU_MODEL_LABEL] = gpu_model
            alloc[GPU_RESOURCE] = gpus
        nodes.append(Node(name=name, labels=labels, allocatable=alloc, capacity=dict(alloc)))
    return nodes


def _latest_deletion(pod_csv: Path) -> int | None:
    """The file's latest deletion_time (the trace cut-off), over every row, not just ``limit``."""
    try:
        value = (
            pl.scan_csv(pod_csv, infer_schema=False, truncate_ragged_lines=True)
            .select(pl.col("deletion_time").str.strip_chars().cast(pl.Int64, strict=False).max())
            .collect()
            .item()
        )
    except (pl.exceptions.PolarsError, OSError):
        return None
    return value


def _spec_key() -> pl.Expr:
    """gpu_spec as a canonical set: models split on '|', trimmed, deduplicated, sorted."""
    models = (
        pl.col("gpu_spec")
        .fill_null("")
        .str.split("|")
        .list.eval(pl.element().str.strip_chars().filter(pl.element() != ""))
    )
    return models.list.unique().list.sort().list.join("|").alias("spec")


def _templates(keys: list[tuple[str, str | None]]) -> tuple[dict[str, Pod], dict[tuple, str]]:
    """One template per (spec, qos) key; names are DNS-safe and unique."""
    templates: dict[str, Pod] = {}
    names: dict[tuple, str] = {}
    for spec, qos in sorted(keys, key=lambda k: (k[0], k[1] or "")):
        models = tuple(spec.split("|")) if spec else ()
        base = dns_name("openb", "gpu-" + "-".join(models) if models else "any", qos or "")
        name = unique_name(base, templates)
        affinity = None
        if models:
            term = NodeSelectorTerm(match_expressions=(Requirement(GPU_MODEL_LABEL, "In", models),))
            affinity = Affinity(node_affinity=NodeAffinity(required=(term,)))
        templates[name] = Pod(
            name=name,
            labels={QOS_LABEL: qos} if qos else {},
            affinity=affinity,
            containers=[Container(name="main")],
        )
        names[(spec, qos)] = name
    return templates, names


def _pod_rows(pod_csv: Path, limit: int | None, summary: ReadSummary) -> tuple[pl.DataFrame, bool]:
    fs = summary.add_file(pod_csv)
    header, lines = read_lines(pod_csv, limit=limit, header=True)
    # The multigpu files have exactly the first five columns; anything else must be full.
    multigpu = header == [f.name for f in MULTIGPU_FIELDS]
    fields = MULTIGPU_FIELDS if multigpu else POD_FIELDS
    what = f"an openb pod list ({','.join(f.name for f in fields)})"
    pos = header_positions(header, [f.name for f in fields], fs=fs, what=what)
    rows = parse_rows(lines, fields, positions=pos, n_fields=len(header), fs=fs, what=what)
    name, num, milli = pl.col("name"), pl.col("num_gpu"), pl.col("gpu_milli")
    rows = reject(
        rows, ~is_dns_subdomain(name), "invalid pod name", fs, pl.format("got '{}'", name)
    )
    rows = reject(rows, ~name.is_first_distinct(), "duplicate pod name", fs, name)
    rows = reject(rows, milli > 1000, "gpu_milli above 1000", fs, pl.format("got {}", milli))
    rows = reject(
        rows,
        (num == 0) & (milli > 0),
        "gpu_milli without num_gpu",
        fs,
        pl.format("gpu_milli {}", milli),
    )
    rows = reject(
        rows,
        (num > 0) & (milli == 0),
        "num_gpu without gpu_milli",
        fs,
        pl.format("num_gpu {}", num),
    )
    if not multigpu:
        created, scheduled, deleted = (
            pl.col("creation_time"),
            pl.col("scheduled_time"),
            pl.col("deletion_time"),
        )
        rows = reject(
            rows,
            ~is_label_value(pl.col("qos")),
            "invalid qos",
            fs,
            pl.format("got '{}'", pl.col("qos")),
        )
        bad_model = (
            pl.col("gpu_spec")
            .str.split("|")
            .list.eval(~is_label_value(pl.element().str.strip_chars()))
            .list.any()
        )
        rows = reject(
            rows, bad_model, "invalid gpu_spec", fs, pl.format("got '{}'", pl.col("gpu_spec"))
        )
        rows = reject(
            rows,
            scheduled < created,
            "scheduled before creation",
            fs,
            pl.format("created {}, scheduled {}", created, scheduled),
        )
        rows = reject(
            rows,
            deleted < pl.coalesce(scheduled, created),
            "deletion before start",
            fs,
            pl.format("start {}, deleted {}", pl.coalesce(scheduled, created), deleted),
        )
    fs.rows_kept = rows.height
    return rows, multigpu


def read_openb(
    pod_csv: str | Path,
    node_csv: str | Path | None = None,
    *,
    limit: int | None = None,
    max_pods_per_node: int = DEFAULT_MAX_PODS_PER_NODE,
    trace_end_s: int | None = None,
) -> TraceWorkload:
    """Read an openb pod list (and optionally a node list) into a ``TraceWorkload``.

    ``limit`` caps the pod rows read (the node list is always read whole). ``trace_end_s``
    is the cut-off: Running pods deleted exactly then were still alive; default: the latest
    deletion_time in the whole pod file.
    """
    pod_csv = Path(pod_csv)
    summary = ReadSummary("openb")
    nodes = None
    if node_csv is not None:
        nodes = read_openb_nodes(node_csv, max_pods_per_node=max_pods_per_node, summary=summary)
    rows, multigpu = _pod_rows(pod_csv, limit, summary)
    rows = rows.with_columns(
        (pl.lit("") if multigpu else _spec_key()).alias("spec"),
        (pl.lit(None, pl.Utf8) if multigpu else pl.col("qos")).alias("qos"),
    )
    keys = rows.select("spec", "qos").unique().rows()
    templates, names = _templates(keys)
    mapping = key_frame(names, {"spec": pl.Utf8, "qos": pl.Utf8})
    rows = rows.join(
        mapping, on=["spec", "qos"], how="left", nulls_equal=True, maintain_order="left"
    )

    notes = [
        "units: cpu_milli -> cpu_m (millicores, unchanged); memory_mib -> memory_bytes "
        "(x 1048576); num_gpu -> gpu (whole nvidia.com/gpu; a GPU-sharing pod with "
        "gpu_milli < 1000 requests 1 whole GPU, as Kubernetes extended resources are "
        "integers); the trace's per-GPU share is kept in the extra column gpu_milli",
    ]
    if multigpu:
        arrival = pl.lit(0, pl.Int64)
        lifetime = pl.lit(None, pl.Int64)
        notes.append(
            f"{pod_csv.name} is a 5-column multigpu list (no qos, gpu_spec or times): every "
            "pod arrives at 0 and never departs (lifetime null); use fill mode"
        )
    else:
        end = trace_end_s if trace_end_s is not None else _latest_deletion(pod_csv)
        if end is None and rows.height:
            end = rows.get_column("deletion_time").max()
        created, scheduled, deleted = (
            pl.col("creation_time"),
            pl.col("scheduled_time"),
            pl.col("deletion_time"),
        )
        alive = (pl.col("pod_phase") == "Running") & (deleted == end)
        start = pl.coalesce(scheduled, created)
        arrival = (created - created.min()) * 1000
        lifetime = pl.when(alive | deleted.is_null()).then(None).otherwise((deleted - start) * 1000)
        counts = rows.select(
            alive.fill_null(False).sum().alias("alive"),
            deleted.is_null().sum().alias("no_deletion"),
            (scheduled.is_null() & deleted.is_not_null()).sum().alias("pending"),
            created.min().alias("origin"),
        ).row(0, named=True)
        notes.append(
            f"times: arrival_ms = (creation_time - {counts['origin']}) x 1000; lifetime_ms "
            "(from binding) = (deletion_time - scheduled_time) x 1000; "
            f"{counts['pending']} pods without scheduled_time (Pending, never ran) use "
            f"deletion_time - creation_time; {counts['alive']} pods Running at the cut-off "
            f"({end} s) and {counts['no_deletion']} without deletion_time get lifetime null"
        )
    specs = rows.filter(pl.col("spec") != "").height
    notes.append(
        f"{len(templates)} templates, one per (gpu_spec, qos); {specs} pods have a gpu_spec, "
        f"turned into required node affinity {GPU_MODEL_LABEL} In [...]; qos is the label "
        f"{QOS_LABEL}; no priority (the trace has none)"
    )
    if nodes is None:
        notes.append(
            "no node list given: pass openb_node_list_gpu_node.csv (the FGD cluster) or nodes "
            "of your own"
        )
    else:
        notes.append(
            f"nodes: cpu_milli -> cpu (millicores), memory_mib -> memory (x 1048576), gpu -> "
            f"{GPU_RESOURCE}, model -> label {GPU_MODEL_LABEL}, pods = {max_pods_per_node} "
            "(kubelet default); no zones or taints in the trace"
        )

    frame = rows.select(
        arrival.cast(pl.Int64).alias("arrival_ms"),
        lifetime.cast(pl.Int64).alias("lifetime_ms"),
        pl.col("template"),
        pl.col("name"),
        pl.col("cpu_milli").alias("cpu_m"),
        (pl.col("memory_mib") * MIB).alias("memory_bytes"),
        pl.col("num_gpu").alias("gpu"),
        pl.col("gpu_milli"),
        pl.col(LINE).alias("source_line"),
    )
    stream = validate_pod_stream(to_arrow(frame), source=str(pod_csv), templates=templates.keys())
    summary.pods = stream.num_rows
    summary.templates = len(templates)
    summary.nodes = None if nodes is None else len(nodes)
    summary.notes.extend(notes)
    return TraceWorkload(nodes=nodes, templates=templates, stream=stream, summary=summary)
