"""The report's figures: each one a polars DataFrame (kept in ``FigureData.data``) and a PNG.

Every figure function takes the loaded ``ReportInput`` and an output directory and draws
either one run (single-run mode) or every variant side by side (multi-variant mode): one
colour per variant from a fixed palette keyed by the sorted variant labels, seeds aggregated
as the median with a min-max band (time series) or min-max error bars (bars). Figures use
``matplotlib.figure.Figure`` directly (Agg canvas, no pyplot global state).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from reports import metrics as m
from reports.loading import ReportInput, Run
from reports.summary import metrics_of

DPI = 100
ERROR_STYLE = {"ecolor": "#333333", "elinewidth": 1.0, "capsize": 3}
TOP_REASONS_SINGLE = 15
TOP_REASONS_MULTI = 10
CDF_FRACTIONS = m.CDF_FRACTIONS
# Event kinds in the order of docs/trace-format.md; unknown kinds follow alphabetically.
KIND_ORDER = (
    "Created",
    "Scheduled",
    "FailedScheduling",
    "Nominated",
    "Preempted",
    "Started",
    "Ready",
    "Completed",
    "Failed",
    "Evicted",
    "Deleted",
    "NodeAdded",
    "NodeRemoved",
    "NodeNotReady",
    "NodeReady",
    "NodeCordoned",
    "NodeUncordoned",
    "NodeTainted",
    "NodeUntainted",
)
# Fixed colours for the series of a single-run figure.
SERIES_COLORS = {
    "pending": "#d62728",
    "running": "#1f77b4",
    "cpu": "#1f77b4",
    "memory": "#ff7f0e",
    "allocated": "#2ca02c",
    "arrived": "#7f7f7f",
    "Preempted": "#9467bd",
    "Evicted": "#8c564b",
    "events": "#1f77b4",
    "FailedScheduling": "#d62728",
}


@dataclass
class FigureData:
    """One figure: the data behind it, where its PNG is, and the colour of each series."""

    name: str
    title: str
    caption: str
    data: pl.DataFrame
    path: Path
    colors: dict[str, str] = field(default_factory=dict)


def palette(labels: Sequence[str]) -> dict[str, str]:
    """Colour of each variant: tab10 (tab20 beyond ten variants) in sorted-label order."""
    ordered = sorted(set(labels))
    cmap = colormaps["tab10" if len(ordered) <= 10 else "tab20"]
    n = len(cmap.colors)  # type: ignore[attr-defined]
    return {label: to_hex(cmap.colors[i % n]) for i, label in enumerate(ordered)}  # type: ignore[attr-defined]


def variant_colors(inp: ReportInput) -> dict[str, str]:
    return palette([v.label for v in inp.variants])


def _plotted(inp: ReportInput) -> list[tuple[str, list[Run]]]:
    """(label, runs) of the variants with at least one run to plot, in label order."""
    return [(v.label, v.runs) for v in inp.variants if v.runs]


def _save(fig: Figure, path: Path) -> Path:
    """Write the PNG atomically; no software/date metadata, so output is reproducible."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fig.savefig(tmp, format="png", dpi=DPI, metadata={"Software": None})
    os.replace(tmp, path)
    return path


def _figure(ncols: int = 1, nrows: int = 1, width: float = 9.0, height: float = 4.5):
    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    return fig, axes


def _time_axis(ax: Axes, end_ms: int) -> float:
    unit, per_unit = m.time_unit(end_ms)
    ax.set_xlabel(f"simulated time since start ({unit})")
    return per_unit


def _legend(ax: Axes) -> None:
    """A legend when something labelled was drawn (nothing to explain otherwise)."""
    if ax.get_legend_handles_labels()[1]:
        ax.legend(fontsize="small")


def _no_data(ax: Axes, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#555")
    ax.set_xticks([])
    ax.set_yticks([])


def _single_run(inp: ReportInput) -> Run:
    return inp.runs[0]


# --------------------------------------------------------------------------- aggregation


def aggregate_series(
    inp: ReportInput,
    per_run: Callable[[Run, pl.DataFrame], pl.DataFrame],
    columns: list[str],
    variants: list[tuple[str, list[Run]]] | None = None,
) -> pl.DataFrame:
    """Per variant and grid instant: median, min and max over the variant's runs.

    Columns: variant, time_ms, then ``<c>_median``, ``<c>_min``, ``<c>_max`` per column. A run
    contributes nothing after its own end (null), so shorter runs do not drag the median down.
    """
    grid = m.time_grid(inp.end_ms)
    frames = [
        per_run(run, grid).select("time_ms", *columns).with_columns(variant=pl.lit(label))
        for label, runs in (_plotted(inp) if variants is None else variants)
        for run in runs
    ]
    if not frames:
        return pl.DataFrame(schema={"variant": pl.Utf8, "time_ms": pl.Int64})
    stats = []
    for c in columns:
        col = pl.col(c).cast(pl.Float64)
        stats += [
            col.median().alias(f"{c}_median"),
            col.min().alias(f"{c}_min"),
            col.max().alias(f"{c}_max"),
        ]
    return pl.concat(frames).group_by("variant", "time_ms").agg(stats).sort("variant", "time_ms")


def aggregate_counts(
    inp: ReportInput, per_run: Callable[[Run], pl.DataFrame], keys: list[str]
) -> pl.DataFrame:
    """Per variant and key: median, min and max ``count`` over the variant's runs.

    A key missing from a run counts 0 there, and every key appears for every variant.
    Columns: variant, keys..., count_median, count_min, count_max.
    """
    frames, runs_rows = [], []
    for label, runs in _plotted(inp):
        for i, run in enumerate(runs):
            runs_rows.append({"variant": label, "run": i})
            frames.append(
                per_run(run)
                .select(*keys, "count")
                .with_columns(variant=pl.lit(label), run=pl.lit(i))
            )
    schema = {"variant": pl.Utf8, **dict.fromkeys(keys, pl.Utf8)}
    empty = pl.DataFrame(
        schema={**schema, "count_median": pl.Float64, "count_min": pl.Int64, "count_max": pl.Int64}
    )
    if not frames:
        return empty
    df = pl.concat(frames)
    if df.height == 0:
        return empty
    full = (
        df.select(keys)
        .unique()
        .join(pl.DataFrame(runs_rows), how="cross")
        .join(df, on=[*keys, "variant", "run"], how="left")
        .with_columns(pl.col("count").fill_null(0))
    )
    return (
        full.group_by("variant", *keys)
        .agg(
            count_median=pl.col("count").median(),
            count_min=pl.col("count").min(),
            count_max=pl.col("count").max(),
        )
        .sort("variant", *keys)
    )


def _band(ax: Axes, x, df: pl.DataFrame, column: str, color: str, label: str, **kw) -> None:
    ax.plot(x, df[f"{column}_median"].to_numpy(), color=color, label=label, **kw)
    ax.fill_between(
        x,
        df[f"{column}_min"].to_numpy(),
        df[f"{column}_max"].to_numpy(),
        color=color,
        alpha=0.2,
        linewidth=0,
    )


def _grouped_bars(
    ax: Axes,
    categories: list[str],
    series: list[tuple[str, str, np.ndarray, np.ndarray | None]],
    horizontal: bool = False,
) -> None:
    """Bars of several series side by side per category; series = (label, colour, values,
    2xN min/max error offsets or None)."""
    n = max(len(series), 1)
    width = 0.8 / n
    pos = np.arange(len(categories))
    for i, (label, color, values, err) in enumerate(series):
        offset = pos - 0.4 + width * (i + 0.5)
        if horizontal:
            ax.barh(
                offset,
                values,
                height=width,
                color=color,
                label=label,
                xerr=err,
                error_kw=ERROR_STYLE,
            )
        else:
            ax.bar(
                offset,
                values,
                width=width,
                color=color,
                label=label,
                yerr=err,
                error_kw=ERROR_STYLE,
            )
    if horizontal:
        ax.set_yticks(pos, categories)
        ax.invert_yaxis()
    else:
        ax.set_xticks(pos, categories, rotation=30, ha="right")


def _strings(name: str, values: list[str]) -> pl.DataFrame:
    """A one-column string frame (typed even when empty, so joins on it work)."""
    return pl.DataFrame({name: values}, schema={name: pl.Utf8})


def _errors(df: pl.DataFrame) -> np.ndarray:
    med = df["count_median"].to_numpy().astype(float)
    return np.vstack(
        [med - df["count_min"].to_numpy().astype(float), df["count_max"].to_numpy() - med]
    )


def _seeds_note(inp: ReportInput) -> str:
    counts = sorted({len(runs) for _, runs in _plotted(inp)})
    if counts == [1]:
        return ""
    return " Seeds are aggregated: the median, with the min-max range shaded or as error bars."


def _excluded_note(inp: ReportInput) -> str:
    excluded = [c for c in inp.cells if c.run is None]
    incomplete = [c for c in inp.cells if c.status == "incomplete"]
    note = ""
    if excluded:
        note += f" {len(excluded)} failed or pending cell(s) are not plotted."
    if incomplete:
        note += f" {len(incomplete)} incomplete run(s) are included."
    return note


# --------------------------------------------------------------------------- 1. pods over time


def pods_over_time(inp: ReportInput, out_dir: Path) -> FigureData:
    """Pending pods (created, not yet bound, not deleted) and running pods (bound, not yet
    Completed/Failed/Evicted/Deleted) over time, sampled on a regular grid.

    Single run: columns time_ms, pending, running. Several variants: variant, time_ms,
    pending_median/min/max, running_median/min/max.
    """
    title = "Pending and running pods over time"
    fig, axes = _figure(2, 1, width=11)
    ax_p, ax_r = axes[0]
    per_unit = _time_axis(ax_p, inp.end_ms)
    _time_axis(ax_r, inp.end_ms)
    ax_p.set_title("pending (created, not yet bound)")
    ax_r.set_title("running (bound, not yet terminated)")
    for ax in (ax_p, ax_r):
        ax.set_ylabel("pods")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if inp.single:
        run = _single_run(inp)
        data = m.pods_over_time(run, m.time_grid(run.end_ms))
        x = data["time_ms"].to_numpy() / per_unit
        ax_p.step(x, data["pending"].to_numpy(), where="post", color=SERIES_COLORS["pending"])
        ax_r.step(x, data["running"].to_numpy(), where="post", color=SERIES_COLORS["running"])
        colors = {k: SERIES_COLORS[k] for k in ("pending", "running")}
        caption = (
            "Pods pending (created, not yet bound to a node, not deleted) and running (bound, "
            "not yet Completed, Failed, Evicted or Deleted) at each instant, counting every "
            "event up to and including that instant."
        )
    else:
        colors = variant_colors(inp)
        data = aggregate_series(inp, m.pods_over_time, ["pending", "running"])
        for label, _ in _plotted(inp):
            part = data.filter(pl.col("variant") == label)
            x = part["time_ms"].to_numpy() / per_unit
            _band(ax_p, x, part, "pending", colors[label], label)
            _band(ax_r, x, part, "running", colors[label], label)
        _legend(ax_r)
        caption = (
            "Pending pods (created, not yet bound, not deleted) and running pods (bound, not "
            "yet terminated or deleted) per variant." + _seeds_note(inp) + _excluded_note(inp)
        )
    path = _save(fig, out_dir / "pods_over_time.png")
    return FigureData("pods_over_time", title, caption, data, path, colors)


# --------------------------------------------------------------------------- 2. utilization


def utilization_over_time(inp: ReportInput, out_dir: Path) -> FigureData:
    """Cluster-wide requested cpu and memory as % of allocatable, from the node samples.

    Single run: columns time_ms, cpu_pct, memory_pct (value of the latest sample at or before
    each grid instant). Several variants: variant, time_ms, cpu_pct_* and memory_pct_*
    (median/min/max).
    """
    title = "Requested cpu and memory utilization over time"
    fig, axes = _figure(2, 1, width=11)
    ax_c, ax_m = axes[0]
    per_unit = _time_axis(ax_c, inp.end_ms)
    _time_axis(ax_m, inp.end_ms)
    ax_c.set_title("cpu")
    ax_m.set_title("memory")
    for ax in (ax_c, ax_m):
        ax.set_ylabel("requested / allocatable (%)")
        ax.set_ylim(0, 105)
    if inp.single:
        run = _single_run(inp)
        data = m.utilization_over_time(run, m.time_grid(run.end_ms))
        x = data["time_ms"].to_numpy() / per_unit
        ax_c.step(x, data["cpu_pct"].to_numpy(), where="post", color=SERIES_COLORS["cpu"])
        ax_m.step(x, data["memory_pct"].to_numpy(), where="post", color=SERIES_COLORS["memory"])
        colors = {k: SERIES_COLORS[k] for k in ("cpu", "memory")}
        caption = (
            "Sum of pod requests over sum of allocatable across all nodes of each sample of "
            "nodes.arrow, in %."
        )
    else:
        colors = variant_colors(inp)
        data = aggregate_series(inp, m.utilization_over_time, ["cpu_pct", "memory_pct"])
        for label, _ in _plotted(inp):
            part = data.filter(pl.col("variant") == label)
            x = part["time_ms"].to_numpy() / per_unit
            _band(ax_c, x, part, "cpu_pct", colors[label], label)
            _band(ax_m, x, part, "memory_pct", colors[label], label)
        _legend(ax_m)
        caption = (
            "Cluster-wide requested / allocatable cpu and memory per variant, in %."
            + _seeds_note(inp)
            + _excluded_note(inp)
        )
    path = _save(fig, out_dir / "utilization_over_time.png")
    return FigureData("utilization_over_time", title, caption, data, path, colors)


# --------------------------------------------------------------------------- 3. latency CDF


def _latency_scale(ax: Axes, max_ms: float) -> None:
    ax.set_xlabel("creation-to-scheduled latency (ms)")
    ax.set_ylabel("fraction of bound pods")
    ax.set_ylim(0, 1.02)
    if max_ms > 10_000:
        ax.set_xscale("symlog", linthresh=1.0)


def latency_cdf(inp: ReportInput, out_dir: Path) -> FigureData:
    """CDF of creation-to-scheduled latency (first Scheduled - Created) per bound pod.

    Single run: columns latency_ms, fraction (share of bound pods with latency <= latency_ms).
    Several variants: variant, fraction, latency_median_ms, latency_min_ms, latency_max_ms
    (latency quantiles at 201 fractions, median/min/max over seeds). Pods never scheduled
    are excluded and counted in the caption.
    """
    title = "Creation-to-scheduled latency CDF"
    fig, axes = _figure()
    ax = axes[0][0]
    if inp.single:
        run = _single_run(inp)
        lat = m.latencies(run)
        data = m.latency_cdf(lat)
        colors = {"latency": SERIES_COLORS["running"]}
        if data.height:
            x = np.concatenate([[data["latency_ms"][0]], data["latency_ms"].to_numpy()])
            y = np.concatenate([[0.0], data["fraction"].to_numpy()])
            ax.step(x, y, where="post", color=colors["latency"])
            _latency_scale(ax, float(data["latency_ms"].max()))
        else:
            _no_data(ax, "no pod was scheduled")
        caption = (
            f"Share of pods bound within a given time after creation ({len(lat)} bound pods); "
            f"{m.never_scheduled(run)} pod(s) never scheduled are excluded."
        )
    else:
        colors = variant_colors(inp)
        frames, notes = [], []
        for label, runs in _plotted(inp):
            q = np.vstack([m.latency_quantiles_of(r) for r in runs])
            never = sum(m.never_scheduled(r) for r in runs)
            notes.append(f"{label}: {never}")
            with warnings.catch_warnings():  # all-NaN columns: no run of the variant bound a pod
                warnings.simplefilter("ignore", RuntimeWarning)
                frames.append(
                    pl.DataFrame(
                        {
                            "variant": label,
                            "fraction": CDF_FRACTIONS,
                            "latency_median_ms": np.nanmedian(q, axis=0),
                            "latency_min_ms": np.nanmin(q, axis=0),
                            "latency_max_ms": np.nanmax(q, axis=0),
                        }
                    ).fill_nan(None)
                )
        data = pl.concat(frames) if frames else pl.DataFrame(schema={"variant": pl.Utf8})
        drawn = False
        for label, _ in _plotted(inp):
            part = data.filter(pl.col("variant") == label).drop_nulls()
            if part.height == 0:
                continue
            drawn = True
            ax.plot(part["latency_median_ms"], part["fraction"], color=colors[label], label=label)
            ax.fill_betweenx(
                part["fraction"],
                part["latency_min_ms"],
                part["latency_max_ms"],
                color=colors[label],
                alpha=0.2,
                linewidth=0,
            )
        if drawn:
            _latency_scale(ax, float(data["latency_max_ms"].max()))
            _legend(ax)
        else:
            _no_data(ax, "no pod was scheduled")
        caption = (
            "Latency quantiles per variant (x: latency, y: share of bound pods)."
            + _seeds_note(inp)
            + " Pods never scheduled (excluded): "
            + "; ".join(notes)
            + "."
            + _excluded_note(inp)
        )
    path = _save(fig, out_dir / "latency_cdf.png")
    return FigureData("latency_cdf", title, caption, data, path, colors)


# --------------------------------------------------------------------------- 4. events


def _kind_order(kinds: list[str]) -> list[str]:
    known = [k for k in KIND_ORDER if k in kinds]
    return known + sorted(k for k in kinds if k not in KIND_ORDER)


def events_by_kind(inp: ReportInput, out_dir: Path) -> FigureData:
    """Number of events of each kind.

    Single run: columns kind, count. Several variants: variant, kind, count_median/min/max.
    """
    title = "Events by kind"
    fig, axes = _figure(height=5)
    ax = axes[0][0]
    ax.set_ylabel("events")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if inp.single:
        data = m.event_counts(_single_run(inp))
        kinds = _kind_order(data["kind"].to_list())
        data = data.join(
            pl.DataFrame(
                {"kind": kinds, "_o": range(len(kinds))}, schema={"kind": pl.Utf8, "_o": pl.Int64}
            ),
            on="kind",
        )
        data = data.sort("_o").drop("_o")
        colors = {"events": SERIES_COLORS["events"]}
        _grouped_bars(ax, kinds, [("events", colors["events"], data["count"].to_numpy(), None)])
        caption = "Rows of events.arrow per event kind."
    else:
        colors = variant_colors(inp)
        data = aggregate_counts(inp, m.event_counts, ["kind"])
        kinds = _kind_order(data["kind"].unique().to_list())
        series = []
        for label, _ in _plotted(inp):
            part = data.filter(pl.col("variant") == label)
            part = _strings("kind", kinds).join(part, on="kind", how="left")
            series.append((label, colors[label], part["count_median"].to_numpy(), _errors(part)))
        _grouped_bars(ax, kinds, series)
        _legend(ax)
        caption = "Events per kind and variant." + _seeds_note(inp) + _excluded_note(inp)
    if not kinds:
        _no_data(ax, "no events")
    path = _save(fig, out_dir / "events_by_kind.png")
    return FigureData("events_by_kind", title, caption, data, path, colors)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def failure_reasons(inp: ReportInput, out_dir: Path) -> FigureData:
    """Top reasons cited by FailedScheduling, Evicted and Preempted events.

    Single run: columns kind, reason, count (top 15). Several variants: variant, kind,
    reason, count_median/min/max for the 10 reasons with the largest total median count.
    """
    title = "Top failure reasons (FailedScheduling, Evicted, Preempted)"
    fig, axes = _figure(width=11, height=5.5)
    ax = axes[0][0]
    ax.set_xlabel("events citing the reason")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if inp.single:
        data = m.failure_reasons(_single_run(inp)).head(TOP_REASONS_SINGLE)
        cats = [f"{k}: {_short(r)}" for k, r in data.select("kind", "reason").iter_rows()]
        colors = {k: SERIES_COLORS[k] for k in m.REASON_KINDS}
        bar_colors = [colors[k] for k in data["kind"]]
        pos = np.arange(len(cats))
        ax.barh(pos, data["count"].to_numpy(), color=bar_colors)
        ax.set_yticks(pos, cats)
        ax.invert_yaxis()
        caption = (
            "FailedScheduling messages are split into their per-node reasons (each event counts "
            "once per reason it cites); eviction reasons as recorded; preemptions by the "
            "preemptor's namespace. Colour: event kind (red FailedScheduling, brown Evicted, "
            "purple Preempted)."
        )
    else:
        colors = variant_colors(inp)
        data = aggregate_counts(inp, m.failure_reasons, ["kind", "reason"])
        top = (
            data.group_by("kind", "reason")
            .agg(total=pl.col("count_median").sum())
            .sort(["total", "kind", "reason"], descending=[True, False, False])
            .head(TOP_REASONS_MULTI)
            .drop("total")
        )
        data = data.join(top, on=["kind", "reason"]).sort("variant", "kind", "reason")
        keys = top.rows()
        cats = [f"{k}: {_short(r)}" for k, r in keys]
        series = []
        for label, _ in _plotted(inp):
            part = top.join(
                data.filter(pl.col("variant") == label),
                on=["kind", "reason"],
                how="left",
                maintain_order="left",
            )
            series.append((label, colors[label], part["count_median"].to_numpy(), _errors(part)))
        _grouped_bars(ax, cats, series, horizontal=True)
        if keys:
            _legend(ax)
        caption = (
            "Reasons cited by FailedScheduling (split into per-node reasons), Evicted and "
            "Preempted events, top 10 across variants." + _seeds_note(inp) + _excluded_note(inp)
        )
    if not cats:
        _no_data(ax, "no FailedScheduling, Evicted or Preempted events")
    path = _save(fig, out_dir / "failure_reasons.png")
    return FigureData("failure_reasons", title, caption, data, path, colors)


def disruptions(inp: ReportInput, out_dir: Path) -> FigureData:
    """Preempted and evicted pods by priority and by QoS class (grouped bars).

    Single run: columns kind, dimension (priority/qos), group, count. Several variants:
    variant, kind, dimension, group, count_median/min/max.
    """
    title = "Preemptions and evictions by priority and QoS class"
    if inp.single:
        data = m.disruptions(_single_run(inp))
        colors = {k: SERIES_COLORS[k] for k in ("Preempted", "Evicted")}
        fig, axes = _figure(2, 1, width=11)
        for ax, dimension in zip(axes[0], ("priority", "qos"), strict=True):
            part = data.filter(pl.col("dimension") == dimension)
            groups = m.sort_groups(dimension, part["group"].unique().to_list())
            series = []
            for kind in ("Preempted", "Evicted"):
                counts = (
                    _strings("group", groups)
                    .join(
                        part.filter(pl.col("kind") == kind),
                        on="group",
                        how="left",
                        maintain_order="left",
                    )["count"]
                    .fill_null(0)
                )
                series.append((kind, colors[kind], counts.to_numpy(), None))
            _label_disruption_axes(ax, dimension)
            if groups:
                _grouped_bars(ax, groups, series)
                _legend(ax)
            else:
                _no_data(ax, "no preempted or evicted pods")
        caption = "Pods preempted (chosen as victims) and pods evicted, by priority and QoS class."
    else:
        colors = variant_colors(inp)
        data = aggregate_counts(inp, m.disruptions, ["kind", "dimension", "group"])
        fig, axes = _figure(2, 2, width=11, height=8)
        for row, kind in enumerate(("Preempted", "Evicted")):
            for col, dimension in enumerate(("priority", "qos")):
                ax = axes[row][col]
                part = data.filter((pl.col("kind") == kind) & (pl.col("dimension") == dimension))
                groups = m.sort_groups(dimension, part["group"].unique().to_list())
                _label_disruption_axes(ax, dimension, kind)
                if not groups:
                    _no_data(ax, f"no {kind.lower()} pods")
                    continue
                series = []
                for label, _ in _plotted(inp):
                    p = _strings("group", groups).join(
                        part.filter(pl.col("variant") == label),
                        on="group",
                        how="left",
                        maintain_order="left",
                    )
                    series.append((label, colors[label], p["count_median"].to_numpy(), _errors(p)))
                _grouped_bars(ax, groups, series)
                _legend(ax)
        caption = (
            "Preempted and evicted pods per variant, by priority and QoS class."
            + _seeds_note(inp)
            + _excluded_note(inp)
        )
    path = _save(fig, out_dir / "disruptions.png")
    return FigureData("disruptions", title, caption, data, path, colors)


def _label_disruption_axes(ax: Axes, dimension: str, kind: str | None = None) -> None:
    what = "pod priority" if dimension == "priority" else "QoS class"
    ax.set_xlabel(what)
    ax.set_ylabel("pods")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(f"{kind} pods by {what}" if kind else f"by {what}")


# --------------------------------------------------------------------------- 5. fragmentation


def node_utilization(inp: ReportInput, out_dir: Path) -> FigureData:
    """Distribution of per-node requested / allocatable (%) at the final sample.

    Single run: columns node, cpu_pct, memory_pct (histograms). Several variants: variant,
    run, node, cpu_pct, memory_pct (box plots, the seeds' nodes pooled).
    """
    title = "Per-node utilization at the end (fragmentation)"
    fig, axes = _figure(2, 1, width=11)
    ax_c, ax_m = axes[0]
    if inp.single:
        data = m.node_utilization_final(_single_run(inp))
        colors = {k: SERIES_COLORS[k] for k in ("cpu", "memory")}
        bins = np.arange(0, 105, 5)
        for ax, res in ((ax_c, "cpu"), (ax_m, "memory")):
            values = data[f"{res}_pct"].drop_nulls().to_numpy()
            ax.hist(np.clip(values, 0, 100), bins=bins, color=colors[res])
            ax.set_xlabel(f"requested / allocatable {res} per node (%)")
            ax.set_ylabel("nodes")
            ax.set_title(res)
        cv_c = m.coefficient_of_variation(data["cpu_pct"])
        cv_m = m.coefficient_of_variation(data["memory_pct"])
        caption = (
            f"Histogram of per-node requested/allocatable at the last sample ({data.height} "
            f"nodes, 5% bins). Coefficient of variation: cpu {_fmt_opt(cv_c)}, memory "
            f"{_fmt_opt(cv_m)}; a high spread with free capacity on many nodes means "
            "fragmentation."
        )
    else:
        colors = variant_colors(inp)
        frames = [
            m.node_utilization_final(run).with_columns(variant=pl.lit(label), run=pl.lit(i))
            for label, runs in _plotted(inp)
            for i, run in enumerate(runs)
        ]
        data = (
            pl.concat(frames).select("variant", "run", "node", "cpu_pct", "memory_pct")
            if frames
            else pl.DataFrame(schema={"variant": pl.Utf8})
        )
        labels = [label for label, _ in _plotted(inp)]
        for ax, res in ((ax_c, "cpu"), (ax_m, "memory")):
            values = [
                data.filter(pl.col("variant") == lab)[f"{res}_pct"].drop_nulls().to_numpy()
                for lab in labels
            ]
            if labels:
                box = ax.boxplot(
                    values, patch_artist=True, tick_labels=labels, medianprops={"color": "black"}
                )
                for patch, lab in zip(box["boxes"], labels, strict=True):
                    patch.set_facecolor(colors[lab])
                    patch.set_alpha(0.6)
                ax.tick_params(axis="x", labelrotation=30)
            ax.set_ylabel(f"requested / allocatable {res} per node (%)")
            ax.set_title(res)
        caption = (
            "Per-node requested/allocatable at each run's last sample, the nodes of all seeds "
            "pooled per variant (box: quartiles, whiskers: 1.5 IQR)." + _excluded_note(inp)
        )
    path = _save(fig, out_dir / "node_utilization.png")
    return FigureData("node_utilization", title, caption, data, path, colors)


def _fmt_opt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


# --------------------------------------------------------------------------- 6. GPUs


def has_gpu_arrivals(inp: ReportInput) -> bool:
    """Whether any run is a fill-mode replay (events has ``cum_gpu_arrived``)."""
    return any(run.has_gpu_arrived for run in inp.runs)


def gpu_allocation(inp: ReportInput, out_dir: Path) -> FigureData | None:
    """Allocated GPUs (running pods' gpu requests) versus arrived GPU load, % of cluster GPUs.

    Only for fill-mode replays (None otherwise). Single run: columns time_ms, allocated,
    arrived, allocated_pct, arrived_pct. Several variants: variant, time_ms,
    allocated_pct_* and arrived_pct_* (median/min/max), fill-mode runs only.
    """
    if not has_gpu_arrivals(inp):
        return None
    title = "Allocated GPUs versus arrived GPU load"
    fig, axes = _figure()
    ax = axes[0][0]
    per_unit = _time_axis(ax, inp.end_ms)
    ax.set_ylabel("% of cluster GPUs")
    if inp.single:
        run = _single_run(inp)
        data = m.gpu_over_time(run, m.time_grid(run.end_ms))
        x = data["time_ms"].to_numpy() / per_unit
        colors = {k: SERIES_COLORS[k] for k in ("allocated", "arrived")}
        ax.step(
            x,
            data["arrived_pct"].to_numpy(),
            where="post",
            color=colors["arrived"],
            linestyle="--",
            label="arrived (cumulative requested)",
        )
        ax.step(
            x,
            data["allocated_pct"].to_numpy(),
            where="post",
            color=colors["allocated"],
            label="allocated (running pods)",
        )
        _legend(ax)
        caption = (
            f"Sum of gpu requests of bound, not yet terminated pods, and cumulative gpu "
            f"requests of all pods created so far (cum_gpu_arrived), as % of the "
            f"{m.gpu_capacity(run)} cluster GPUs."
        )
    else:
        colors = variant_colors(inp)
        fill = [
            (label, runs) for label, runs in _plotted(inp) if all(r.has_gpu_arrived for r in runs)
        ]
        data = aggregate_series(inp, m.gpu_over_time, ["allocated_pct", "arrived_pct"], fill)
        for label, _ in fill:
            part = data.filter(pl.col("variant") == label)
            x = part["time_ms"].to_numpy() / per_unit
            _band(ax, x, part, "allocated_pct", colors[label], f"{label} allocated")
            ax.plot(
                x,
                part["arrived_pct_median"].to_numpy(),
                color=colors[label],
                linestyle="--",
                label=f"{label} arrived",
            )
        _legend(ax)
        seeds = "" if all(len(r) == 1 for _, r in fill) else _seeds_note(inp)
        caption = (
            "Allocated GPUs (solid, running pods' requests) and arrived GPU load (dashed, "
            "cum_gpu_arrived) per variant, as % of cluster GPUs; fill-mode runs only." + seeds
        )
    path = _save(fig, out_dir / "gpu_allocation.png")
    return FigureData("gpu_allocation", title, caption, data, path, colors)


def prepare(inp: ReportInput) -> None:
    """Compute every per-run result the figures need, one run at a time, releasing each run's
    per-pod tables afterwards: memory stays bounded by one run, not by the suite."""
    if inp.single:
        return
    grid = m.time_grid(inp.end_ms)
    gpu = has_gpu_arrivals(inp)
    for run in inp.runs:
        m.pods_over_time(run, grid)
        m.utilization_over_time(run, grid)
        m.latency_quantiles_of(run)
        m.never_scheduled(run)
        m.event_counts(run)
        m.failure_reasons(run)
        m.disruptions(run)
        m.node_utilization_final(run)
        if gpu and run.has_gpu_arrived:
            m.gpu_over_time(run, grid)
        metrics_of(run)
        m.release(run)


FIGURES: tuple[Callable[[ReportInput, Path], FigureData | None], ...] = (
    pods_over_time,
    utilization_over_time,
    latency_cdf,
    events_by_kind,
    failure_reasons,
    disruptions,
    node_utilization,
    gpu_allocation,
)


def applicable(inp: ReportInput) -> list[Callable[[ReportInput, Path], FigureData | None]]:
    """The figures this input has data for (the GPU figure needs a fill-mode replay)."""
    return [f for f in FIGURES if f is not gpu_allocation or has_gpu_arrivals(inp)]
