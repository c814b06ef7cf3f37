"""Per-run analysis: pod lifecycles, time series, latency, utilization and the key metrics.

Everything here is a polars query over one run's ``events.arrow`` / ``nodes.arrow``
(docs/trace-format.md): group_by/agg and as-of joins, never a Python loop over events, so
traces with millions of rows stay fast. Time series are sampled on a regular grid of at most
``MAX_POINTS`` (+2) instants so plots stay light whatever the run length.

Definitions (also in docs/reports.md):

* a pod's *pending* interval is [first ``Created``, first ``Scheduled`` or ``Deleted``): created,
  not yet bound, not deleted; pods without a ``Created`` row are never counted as pending;
* its *running* interval is [first ``Scheduled``, first ``Completed``/``Failed``/``Evicted``/
  ``Deleted``): bound to a node and not yet terminated or deleted (``Preempted`` only marks
  the victim; it keeps its node until its ``Deleted`` row);
* a series value at instant t counts every event at or before t (events at t included).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import polars as pl

from reports.loading import Run

MAX_POINTS = 2000
CDF_FRACTIONS = np.linspace(0.0, 1.0, 201)  # latency quantiles compared across seeds
TERMINAL_KINDS = ("Completed", "Failed", "Evicted")
NEARLY_FULL_FREE_PCT = 10.0  # a node with less free than this share of allocatable is "full"
REASON_KINDS = ("FailedScheduling", "Evicted", "Preempted")

# (key, label, unit) of every metric in run_metrics, in display order.
METRICS: tuple[tuple[str, str, str], ...] = (
    ("pods_created", "pods created", "pods"),
    ("pods_scheduled", "pods scheduled", "pods"),
    ("pods_pending_at_end", "pods pending at end", "pods"),
    ("pods_preempted", "pods preempted", "pods"),
    ("pods_evicted", "pods evicted", "pods"),
    ("failed_scheduling_attempts", "failed scheduling attempts", "events"),
    ("latency_p50_ms", "creation-to-scheduled latency p50", "ms"),
    ("latency_p90_ms", "creation-to-scheduled latency p90", "ms"),
    ("latency_p99_ms", "creation-to-scheduled latency p99", "ms"),
    ("latency_max_ms", "creation-to-scheduled latency max", "ms"),
    ("cpu_utilization_mean_pct", "requested cpu utilization, mean", "%"),
    ("cpu_utilization_p95_pct", "requested cpu utilization, p95", "%"),
    ("memory_utilization_mean_pct", "requested memory utilization, mean", "%"),
    ("memory_utilization_p95_pct", "requested memory utilization, p95", "%"),
    ("cpu_utilization_final_pct", "requested cpu utilization, final", "%"),
    ("memory_utilization_final_pct", "requested memory utilization, final", "%"),
    ("nodes_cpu_nearly_full_pct", "nodes with < 10% cpu free (final)", "% of nodes"),
    ("nodes_memory_nearly_full_pct", "nodes with < 10% memory free (final)", "% of nodes"),
    ("node_cpu_utilization_cv", "per-node cpu utilization CV (final)", "ratio"),
    ("node_memory_utilization_cv", "per-node memory utilization CV (final)", "ratio"),
    ("simulated_minutes", "simulated time", "min"),
    ("wall_seconds", "wall time", "s"),
    ("events", "events", "events"),
    ("pods_per_second", "scheduling throughput", "pods/s"),
)


# --------------------------------------------------------------------------- caching

F = TypeVar("F", bound=Callable[..., Any])
LARGE = ("pod_lifecycles", "latencies")  # per-pod tables, dropped by release()


def _key(arg: Any) -> Any:
    if isinstance(arg, pl.DataFrame):  # a time grid: regular, so size and end identify it
        return ("grid", arg.height, arg["time_ms"][-1] if arg.height else None)
    return arg


def per_run(fn: F) -> F:
    """Cache ``fn(run, *args)`` in ``run.cache``: each figure, the summary and compare share
    one computation per run."""

    @functools.wraps(fn)
    def wrapper(run: Run, *args: Any) -> Any:
        key = (fn.__name__, *map(_key, args))
        if key not in run.cache:
            run.cache[key] = fn(run, *args)
        return run.cache[key]

    return wrapper  # type: ignore[return-value]


def release(run: Run) -> None:
    """Drop a run's per-pod tables once its small results are cached (bounded memory for
    suites of large runs)."""
    for key in [k for k in run.cache if isinstance(k, tuple) and k[0] in LARGE]:
        del run.cache[key]


# --------------------------------------------------------------------------- time grid


def nice_step(raw_ms: float) -> int:
    """The smallest 1, 2 or 5 x 10^k milliseconds >= raw_ms (grid points on round times)."""
    if raw_ms <= 1:
        return 1
    exponent = 10 ** math.floor(math.log10(raw_ms))
    for mantissa in (1, 2, 5, 10):
        if mantissa * exponent >= raw_ms:
            return int(mantissa * exponent)
    return int(10 * exponent)  # pragma: no cover - the loop always returns


def time_grid(end_ms: int, max_points: int = MAX_POINTS) -> pl.DataFrame:
    """Regular sample instants 0, step, 2*step, ... plus ``end_ms`` itself."""
    end_ms = max(int(end_ms), 0)
    step = nice_step(end_ms / max_points)
    times = np.arange(0, end_ms + 1, step, dtype=np.int64)
    if times[-1] != end_ms:
        times = np.append(times, np.int64(end_ms))
    return pl.DataFrame({"time_ms": times})


def time_unit(end_ms: float) -> tuple[str, float]:
    """Axis unit for a run of this length: (label, milliseconds per unit)."""
    if end_ms <= 2 * 60_000:
        return "s", 1000.0
    if end_ms <= 2 * 3_600_000:
        return "min", 60_000.0
    if end_ms <= 3 * 86_400_000:
        return "h", 3_600_000.0
    return "days", 86_400_000.0


def _on_grid(
    changes: pl.DataFrame, grid: pl.DataFrame, end_ms: int, fill: float | None = 0
) -> pl.DataFrame:
    """Sample a step function (rows = value from ``time_ms`` on) at the grid instants.

    Before the first change the value is ``fill``; after ``end_ms`` (the run is over) null.
    """
    values = [c for c in changes.columns if c != "time_ms"]
    out = grid.join_asof(changes.sort("time_ms"), on="time_ms", strategy="backward")
    after_end = pl.col("time_ms") > end_ms

    def value(c: str) -> pl.Expr:
        return pl.col(c) if fill is None else pl.col(c).fill_null(fill)

    return out.with_columns(
        [pl.when(after_end).then(None).otherwise(value(c)).alias(c) for c in values]
    )


def _cumulative(deltas: list[pl.LazyFrame], columns: list[str]) -> pl.LazyFrame:
    """Running totals of +1/-1 style deltas: one row per distinct time, after all its events."""
    return (
        pl.concat(deltas, how="vertical")
        .group_by("time_ms")
        .agg([pl.col(c).sum() for c in columns])
        .sort("time_ms")
        .with_columns([pl.col(c).cum_sum() for c in columns])
    )


# --------------------------------------------------------------------------- pods


@per_run
def pod_lifecycles(run: Run) -> pl.DataFrame:
    """One row per pod (pod_id): when it was created, bound, stopped running, deleted.

    Columns: pod_id, created, scheduled, pending_end, running_end, preempted, evicted,
    gpu_request, priority, qos.
    """
    t, kind = pl.col("time_ms"), pl.col("kind")
    # Spread each row's time into a column per transition, then take plain per-pod minima:
    # much faster than filtered aggregations on millions of rows.
    per_pod = (
        run.events.filter(pl.col("pod_id") >= 0)
        .select(
            "pod_id",
            "gpu_request",
            "priority",
            "qos",
            created=pl.when(kind == "Created").then(t),
            scheduled=pl.when(kind == "Scheduled").then(t),
            terminated=pl.when(kind.is_in(TERMINAL_KINDS)).then(t),
            deleted=pl.when(kind == "Deleted").then(t),
            preempted=kind == "Preempted",
            evicted=kind == "Evicted",
        )
        .group_by("pod_id")
        .agg(
            pl.col("created", "scheduled", "terminated", "deleted").min(),
            pl.col("preempted", "evicted").any(),
            pl.col("gpu_request").max(),
            pl.col("priority").first(),
            pl.col("qos").drop_nulls().first(),
        )
        .with_columns(
            pending_end=pl.when(pl.col("created").is_not_null()).then(
                pl.min_horizontal("scheduled", "deleted")
            ),
            # Terminal rows follow the binding; clip so a malformed trace cannot go negative.
            running_end=pl.when(
                pl.col("scheduled").is_not_null()
                & pl.any_horizontal(pl.col("terminated", "deleted").is_not_null())
            ).then(
                pl.max_horizontal(pl.min_horizontal("terminated", "deleted"), pl.col("scheduled"))
            ),
        )
        .sort("pod_id")
    )
    return run.collect(per_pod)


@per_run
def pods_over_time(run: Run, grid: pl.DataFrame) -> pl.DataFrame:
    """Pending and running pod counts at each grid instant (module docstring definitions)."""
    pods = pod_lifecycles(run).lazy()
    i64 = pl.Int64

    def deltas(at: str, pending: int, running: int) -> pl.LazyFrame:
        return pods.filter(pl.col(at).is_not_null()).select(
            time_ms=pl.col(at),
            pending=pl.lit(pending, i64),
            running=pl.lit(running, i64),
        )

    changes = _cumulative(
        [
            deltas("created", 1, 0),
            deltas("pending_end", -1, 0),
            deltas("scheduled", 0, 1),
            deltas("running_end", 0, -1),
        ],
        ["pending", "running"],
    ).collect()
    return _on_grid(changes, grid, run.end_ms)


@per_run
def latencies(run: Run) -> pl.Series:
    """Creation-to-scheduled latency (ms) of every pod that was both created and bound."""
    pods = pod_lifecycles(run)
    both = pods.filter(pl.col("created").is_not_null() & pl.col("scheduled").is_not_null())
    return (both["scheduled"] - both["created"]).alias("latency_ms")


@per_run
def never_scheduled(run: Run) -> int:
    """Pods created but never bound (left out of latency statistics)."""
    pods = pod_lifecycles(run)
    return pods.filter(pl.col("created").is_not_null() & pl.col("scheduled").is_null()).height


def latency_cdf(values: pl.Series, max_points: int = MAX_POINTS) -> pl.DataFrame:
    """Empirical CDF: for each latency, the fraction of pods bound at most that late.

    Exact (one row per distinct latency) up to ``max_points`` distinct values; beyond that,
    the first latency reaching each of ``max_points`` evenly spaced fractions.
    """
    n = len(values)
    if n == 0:
        return pl.DataFrame(schema={"latency_ms": pl.Int64, "fraction": pl.Float64})
    cdf = (
        values.alias("latency_ms")
        .value_counts(sort=False)
        .sort("latency_ms")
        .select("latency_ms", fraction=pl.col("count").cum_sum() / n)
    )
    if cdf.height <= max_points:
        return cdf
    targets = pl.DataFrame({"fraction": np.arange(1, max_points + 1) / max_points})
    return (
        targets.join_asof(cdf, on="fraction", strategy="forward")
        .unique("latency_ms", keep="first", maintain_order=True)
        .select("latency_ms", "fraction")
    )


def latency_quantiles(values: pl.Series, fractions: np.ndarray) -> np.ndarray:
    """Latency at each fraction (linear interpolation); NaN when no pod was bound."""
    if len(values) == 0:
        return np.full(len(fractions), np.nan)
    return np.quantile(values.to_numpy().astype(np.float64), fractions)


@per_run
def latency_quantiles_of(run: Run) -> np.ndarray:
    """Latency at each of ``CDF_FRACTIONS`` (for comparing seeds and variants)."""
    return latency_quantiles(latencies(run), CDF_FRACTIONS)


# --------------------------------------------------------------------------- nodes


@per_run
def utilization_samples(run: Run) -> pl.DataFrame:
    """Cluster-wide requested / allocatable (%) for cpu, memory and gpu at every sample."""
    pct = _pct
    query = (
        run.nodes.group_by("time_ms")
        .agg(
            pl.col(
                "cpu_requested_m",
                "cpu_allocatable_m",
                "memory_requested_bytes",
                "memory_allocatable_bytes",
                "gpu_requested",
                "gpu_allocatable",
            ).sum()
        )
        .sort("time_ms")
        .select(
            "time_ms",
            cpu_pct=pct("cpu_requested_m", "cpu_allocatable_m"),
            memory_pct=pct("memory_requested_bytes", "memory_allocatable_bytes"),
            gpu_allocatable="gpu_allocatable",
        )
    )
    return run.collect(query)


def _pct(requested: str, allocatable: str) -> pl.Expr:
    alloc = pl.col(allocatable).cast(pl.Float64)
    return pl.when(alloc > 0).then(100.0 * pl.col(requested).cast(pl.Float64) / alloc)


@per_run
def utilization_over_time(run: Run, grid: pl.DataFrame) -> pl.DataFrame:
    """Requested cpu/memory utilization (%) at each grid instant: the latest sample <= t."""
    samples = utilization_samples(run).select("time_ms", "cpu_pct", "memory_pct")
    return _on_grid(samples, grid, run.end_ms, fill=None)


@per_run
def node_utilization_final(run: Run) -> pl.DataFrame:
    """Per-node requested / allocatable (%) for cpu and memory at the last sample."""
    nodes = run.nodes
    return run.collect(
        nodes.filter(pl.col("time_ms") == pl.col("time_ms").max())
        .select(
            "node",
            cpu_pct=_pct("cpu_requested_m", "cpu_allocatable_m"),
            memory_pct=_pct("memory_requested_bytes", "memory_allocatable_bytes"),
        )
        .sort("node")
    )


# --------------------------------------------------------------------------- GPUs (fill mode)


def gpu_capacity(run: Run) -> int:
    """Cluster GPUs: the largest per-sample sum of ``gpu_allocatable``."""
    cap = utilization_samples(run)["gpu_allocatable"].max()
    return int(cap) if cap is not None else 0


@per_run
def gpu_over_time(run: Run, grid: pl.DataFrame) -> pl.DataFrame:
    """Allocated GPUs (running pods' requests) and arrived GPU load (``cum_gpu_arrived``,
    milli-GPU in the trace, turned into GPUs here).

    Columns: time_ms, allocated, arrived (GPUs), allocated_pct, arrived_pct (% of cluster GPUs).
    """
    pods = pod_lifecycles(run).lazy().filter(pl.col("gpu_request") > 0)
    allocated = _cumulative(
        [
            pods.filter(pl.col("scheduled").is_not_null()).select(
                time_ms=pl.col("scheduled"), allocated=pl.col("gpu_request")
            ),
            pods.filter(pl.col("running_end").is_not_null()).select(
                time_ms=pl.col("running_end"), allocated=-pl.col("gpu_request")
            ),
        ],
        ["allocated"],
    ).collect()
    arrived = run.collect(
        run.events.filter((pl.col("kind") == "Created") & pl.col("cum_gpu_arrived").is_not_null())
        .group_by("time_ms")
        .agg(arrived=pl.col("cum_gpu_arrived").max() / 1000.0)
        .sort("time_ms")
    )
    out = _on_grid(allocated, grid, run.end_ms).join(
        _on_grid(arrived, grid, run.end_ms), on="time_ms"
    )
    cap = gpu_capacity(run)
    scale = 100.0 / cap if cap > 0 else None
    return out.with_columns(
        allocated_pct=pl.col("allocated") * scale if scale else pl.lit(None, pl.Float64),
        arrived_pct=pl.col("arrived") * scale if scale else pl.lit(None, pl.Float64),
    )


# --------------------------------------------------------------------------- events


@per_run
def event_counts(run: Run) -> pl.DataFrame:
    """Number of events of each kind (kind, count), most frequent first."""
    return run.collect(
        run.events.group_by("kind")
        .agg(count=pl.len().cast(pl.Int64))
        .sort(["count", "kind"], descending=[True, False])
    )


@per_run
def failure_reasons(run: Run) -> pl.DataFrame:
    """How often each reason is cited by FailedScheduling, Evicted and Preempted events.

    A FailedScheduling message (``0/5 nodes are available: 3 Insufficient cpu, 2 node(s) had
    untolerated taint(s). preemption: ...``) is split into its per-node reasons, without the
    node counts; the event counts once for every reason it cites. ``preempted by <ns>/<pod>``
    becomes ``preempted by <ns>/*``. Columns: kind, reason, count.
    """
    distinct = run.collect(
        run.events.filter(pl.col("kind").is_in(REASON_KINDS))
        .group_by("kind", "reason")
        .agg(count=pl.len().cast(pl.Int64))
    )
    reason = pl.col("reason").fill_null("(none)")
    fit = reason.str.extract(r"^\d+/\d+ nodes are available: (.*?)\.(?:\s|$)", 1)
    parts = (
        pl.when(pl.col("kind") == "FailedScheduling")
        .then(pl.coalesce(fit.str.replace_all(r", (\d+ )", "\x00$1"), reason).str.split("\x00"))
        .otherwise(
            pl.concat_list(reason.str.replace(r"^preempted by ([^/]+)/.*$", "preempted by $1/*"))
        )
    )
    return (
        distinct.with_columns(reason=parts)
        .explode("reason")
        .with_columns(pl.col("reason").str.replace(r"^\d+ ", "").str.strip_chars())
        .group_by("kind", "reason")
        .agg(pl.col("count").sum())
        .sort(["count", "kind", "reason"], descending=[True, False, False])
    )


@per_run
def disruptions(run: Run) -> pl.DataFrame:
    """Preempted and evicted pods by priority and by QoS class.

    Columns: kind (Preempted/Evicted), dimension (priority/qos), group, count (pods).
    """
    pods = pod_lifecycles(run).lazy()
    frames = []
    for kind, flag in (("Preempted", "preempted"), ("Evicted", "evicted")):
        hit = pods.filter(pl.col(flag))
        for dimension in ("priority", "qos"):
            frames.append(
                hit.group_by(group=pl.col(dimension).cast(pl.Utf8).fill_null("(none)"))
                .agg(count=pl.len().cast(pl.Int64))
                .select(
                    kind=pl.lit(kind), dimension=pl.lit(dimension), group="group", count="count"
                )
            )
    return pl.concat(frames).collect().sort("kind", "dimension", "group")


def sort_groups(dimension: str, groups: list[str]) -> list[str]:
    """Priorities numerically, QoS classes from most to least protected."""
    if dimension == "priority":

        def key(g: str) -> tuple[bool, int, str]:
            numeric = g.lstrip("-").isdigit()
            return (not numeric, int(g) if numeric else 0, g)

        return sorted(groups, key=key)
    order = {"Guaranteed": 0, "Burstable": 1, "BestEffort": 2}
    return sorted(groups, key=lambda g: (order.get(g, 3), g))


# --------------------------------------------------------------------------- key metrics


def _quantile(values: pl.Series, q: float) -> float | None:
    if len(values) == 0:
        return None
    return float(values.cast(pl.Float64).quantile(q, interpolation="linear"))


def _number(value: Any) -> int | float | None:
    """A run.json number as is; anything else (missing, text, bool) as None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def coefficient_of_variation(values: pl.Series) -> float | None:
    """Population standard deviation over mean (nulls ignored); None when undefined."""
    values = values.drop_nulls()
    if len(values) == 0:
        return None
    mean = values.mean()
    if not mean:
        return None
    return float(values.std(ddof=0) / mean)


def _share_pct(mask: pl.Series) -> float | None:
    mask = mask.drop_nulls()
    return float(100.0 * mask.sum() / len(mask)) if len(mask) else None


def run_metrics(run: Run | Path | str) -> dict[str, Any]:
    """The key metrics of one run (keys and units in ``METRICS``), plus ``completed``.

    Utilization means and p95 are over the node samples (requested / allocatable, %); the
    fragmentation figures are over the nodes of the final sample.
    """
    if not isinstance(run, Run):
        run = Run.open(Path(run))
    pods = pod_lifecycles(run)
    lat = latencies(run)
    util = utilization_samples(run)
    final_nodes = node_utilization_final(run)
    info = run.info
    final = util.tail(1)
    scheduling = info.get("scheduling") if isinstance(info.get("scheduling"), dict) else {}
    simulated = _number(info.get("simulated_ms"))
    metrics: dict[str, Any] = {
        "completed": run.completed,
        "pods_created": int(pods["created"].is_not_null().sum()),
        "pods_scheduled": int(pods["scheduled"].is_not_null().sum()),
        "pods_pending_at_end": int(
            (
                pods["created"].is_not_null()
                & pods["scheduled"].is_null()
                & pods["deleted"].is_null()
            ).sum()
        ),
        "pods_preempted": int(pods["preempted"].sum()),
        "pods_evicted": int(pods["evicted"].sum()),
        "failed_scheduling_attempts": int(
            run.collect(
                run.events.filter(pl.col("kind") == "FailedScheduling").select(pl.len())
            ).item()
        ),
        "latency_p50_ms": _quantile(lat, 0.50),
        "latency_p90_ms": _quantile(lat, 0.90),
        "latency_p99_ms": _quantile(lat, 0.99),
        "latency_max_ms": float(lat.max()) if len(lat) else None,
        "cpu_utilization_mean_pct": _mean(util["cpu_pct"]),
        "cpu_utilization_p95_pct": _quantile(util["cpu_pct"].drop_nulls(), 0.95),
        "memory_utilization_mean_pct": _mean(util["memory_pct"]),
        "memory_utilization_p95_pct": _quantile(util["memory_pct"].drop_nulls(), 0.95),
        "cpu_utilization_final_pct": _first(final["cpu_pct"]),
        "memory_utilization_final_pct": _first(final["memory_pct"]),
        "nodes_cpu_nearly_full_pct": _share_pct(
            final_nodes["cpu_pct"] > 100.0 - NEARLY_FULL_FREE_PCT
        ),
        "nodes_memory_nearly_full_pct": _share_pct(
            final_nodes["memory_pct"] > 100.0 - NEARLY_FULL_FREE_PCT
        ),
        "node_cpu_utilization_cv": coefficient_of_variation(final_nodes["cpu_pct"]),
        "node_memory_utilization_cv": coefficient_of_variation(final_nodes["memory_pct"]),
        "simulated_minutes": simulated / 60_000 if simulated is not None else None,
        "wall_seconds": _number(info.get("wall_seconds")),
        "events": _number(info.get("events")),
        "pods_per_second": _number(scheduling.get("pods_per_second")),
    }
    return metrics


def _mean(values: pl.Series) -> float | None:
    values = values.drop_nulls()
    return float(values.mean()) if len(values) else None


def _first(values: pl.Series) -> float | None:
    return float(values[0]) if len(values) and values[0] is not None else None
