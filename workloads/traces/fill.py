"""Fill mode: the FGD paper's way to load a GPU cluster from a trace (ATC'23).

Time-faithful replay of openb barely loads the cluster (about 1 % of GPUs busy at once), so
the paper ignores time: it shuffles the pods, appends random copies of them until the GPU
request reaches a target share of the cluster's GPUs, and schedules each pod once, in that
order, with no departures.

``fill_stream`` does the same on a pod stream:

- GPU measure: the FGD method's fractional accounting in milli-GPU, ``gpu x gpu_milli`` per
  pod when the stream has the openb ``gpu_milli`` column (the trace's per-GPU share; null
  counts as 1000), else ``gpu x 1000``; a null ``gpu`` takes the template's request. The
  target is ceil(fill_percent / 100 x cluster GPUs x 1000) milli-GPU, cluster GPUs being
  the nodes' allocatable ``nvidia.com/gpu``.
- Order: a seeded permutation of all rows, then copies drawn uniformly with replacement
  from the same seeded generator; the sequence stops at the first pod whose cumulative
  request reaches the target (so it can also cut the permutation short).
- Output: the chosen rows, unchanged except ``arrival_ms`` = position (0, 1, 2 ... ms: the
  order is explicit, no ties), ``lifetime_ms`` null, copies renamed ``<name>-fill<k>``,
  plus ``source_row`` (row of ``workload.stream`` it came from) and ``cum_gpu_arrived``
  (int64 milli-GPU requested by this pod and all before it).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from engine.errors import InputError
from engine.resources import pod_requests
from workloads.pod_stream import GPU_RESOURCE, validate_pod_stream
from workloads.traces.workload import TraceWorkload

__all__ = ["MAX_FILL_PODS", "fill_stream", "fill_target_milli", "pod_gpu_milli"]

MAX_FILL_PODS = 50_000_000


def pod_gpu_milli(workload: TraceWorkload) -> np.ndarray:
    """Each stream row's GPU request in milli-GPU (the fill-mode measure, see module doc)."""
    stream = workload.stream
    defaults = {
        name: pod_requests(pod).get(GPU_RESOURCE, 0) for name, pod in workload.templates.items()
    }
    cols = ["template", "gpu"] + (["gpu_milli"] if "gpu_milli" in stream.column_names else [])
    frame = pl.from_arrow(stream.select(cols))
    gpu = pl.col("gpu").fill_null(
        pl.col("template").cast(pl.Utf8).replace_strict(defaults, default=0, return_dtype=pl.Int64)
    )
    share = pl.col("gpu_milli").fill_null(1000) if "gpu_milli" in cols else pl.lit(1000)
    return frame.select((gpu * share).cast(pl.Int64)).to_series().to_numpy()


def fill_target_milli(fill_percent: float, cluster_gpus: int) -> int:
    """ceil(fill_percent / 100 x cluster_gpus x 1000), with fill_percent read as decimal."""
    return math.ceil(Fraction(repr(float(fill_percent))) * cluster_gpus * 10)


def _cluster_gpus(workload: TraceWorkload, cluster_gpus: int | None) -> int:
    if cluster_gpus is None:
        if workload.nodes is None:
            raise InputError(
                "fill mode needs the cluster's GPU count, and this workload has no nodes: "
                "pass nodes or cluster_gpus",
                path="cluster_gpus",
            )
        cluster_gpus = sum(n.allocatable.get(GPU_RESOURCE, 0) for n in workload.nodes)
    if cluster_gpus <= 0:
        raise InputError(
            f"fill mode needs GPUs in the cluster; allocatable {GPU_RESOURCE} totals "
            f"{cluster_gpus}",
            path="cluster_gpus",
        )
    return cluster_gpus


def _order(milli: np.ndarray, target: int, seed: int) -> np.ndarray:
    """Row indices: a seeded permutation, then uniform copies, cut at the target."""
    n = len(milli)
    rng = np.random.default_rng(seed)
    perm = rng.permutation(n)
    cum = np.cumsum(milli[perm])
    if cum[-1] >= target:
        return perm[: int(np.searchsorted(cum, target, side="left")) + 1]
    pieces = [perm]
    total, count = int(cum[-1]), n
    mean = float(milli.mean())
    while True:
        batch = max(1024, int((target - total) / mean * 1.25) + 1)
        if count + batch > MAX_FILL_PODS * 2:
            raise InputError(
                f"fill mode would need more than {MAX_FILL_PODS} pods to reach the target",
                path="fill_percent",
            )
        draws = rng.integers(0, n, size=batch)
        c = total + np.cumsum(milli[draws])
        if c[-1] >= target:
            pieces.append(draws[: int(np.searchsorted(c, target, side="left")) + 1])
            break
        pieces.append(draws)
        total, count = int(c[-1]), count + batch
    order = np.concatenate(pieces)
    if len(order) > MAX_FILL_PODS:
        raise InputError(
            f"fill mode would need {len(order)} pods (more than {MAX_FILL_PODS})",
            path="fill_percent",
        )
    return order


def fill_stream(
    workload: TraceWorkload, *, fill_percent: float, seed: int, cluster_gpus: int | None = None
) -> pa.Table:
    """The fill-mode pod stream of ``workload`` (module doc); deterministic for a seed."""
    if not math.isfinite(fill_percent) or fill_percent <= 0:
        raise InputError(
            f"fill_percent must be a positive number, got {fill_percent}", path="fill_percent"
        )
    stream = workload.stream
    if stream.num_rows == 0:
        raise InputError("fill mode needs pods, and the stream is empty")
    target = fill_target_milli(fill_percent, _cluster_gpus(workload, cluster_gpus))
    milli = pod_gpu_milli(workload)
    if milli.sum() == 0:
        raise InputError("fill mode needs pods that request GPUs; no pod in the stream does")
    order = _order(milli, target, seed)
    n, m = stream.num_rows, len(order)
    out = stream.drop_columns(
        [c for c in ("source_row", "cum_gpu_arrived") if c in stream.column_names]
    ).take(pa.array(order))
    copy = np.maximum(np.arange(m, dtype=np.int64) - n + 1, 0)
    names = (
        pl.from_arrow(out.column("name"))
        .to_frame("name")
        .select(
            pl.when(pl.Series(copy) > 0)
            .then(pl.format("{}-fill{}", pl.col("name"), pl.Series(copy)))
            .otherwise(pl.col("name"))
        )
        .to_series()
        .to_arrow()
    )
    replace = {
        "arrival_ms": pa.array(np.arange(m, dtype=np.int64)),
        "lifetime_ms": pa.nulls(m, pa.int64()),
        "name": pc.cast(names, pa.string()),
    }
    for col, values in replace.items():
        out = out.set_column(out.column_names.index(col), col, values)
    out = out.append_column("source_row", pa.array(order.astype(np.int64)))
    out = out.append_column("cum_gpu_arrived", pa.array(np.cumsum(milli[order])))
    return validate_pod_stream(
        out, source=f"fill({fill_percent}%, seed {seed})", templates=workload.templates.keys()
    )
