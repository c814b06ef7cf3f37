"""Rendering of CLI results: JSON documents for programs, rich tables for people."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from engine.framework.profile import Profile
from engine.framework.result import CycleResult
from engine.scheduler.scheduler import PlaceResult
from engine.state.cluster import ClusterState


def explain_json(result: CycleResult) -> dict:
    doc = {"pod": result.pod, "selected": result.selected, "nodes": [n.as_json() for n in result.nodes]}
    if result.message:
        doc["message"] = result.message
    return doc


SHORT = {
    "TaintToleration": "TT",
    "NodeAffinity": "NA",
    "NodeResourcesFit": "Fit",
    "PodTopologySpread": "PTS",
    "InterPodAffinity": "IPA",
    "NodeResourcesBalancedAllocation": "BA",
    "ImageLocality": "Img",
}


def explain_table(console: Console, result: CycleResult, profile: Profile) -> None:
    """Feasible nodes best first with their scores, then the rejected nodes with reasons."""
    plugins = [name for name, _ in profile.scores]
    shown = [p for p in plugins if any(p in n.scores for n in result.nodes)]
    feasible = sorted((n for n in result.nodes if n.feasible), key=lambda n: -(n.total or 0))
    rejected = [n for n in result.nodes if not n.feasible]
    console.print(f"[bold]pod {result.pod}[/]: {len(feasible)} feasible, {len(rejected)} rejected of "
                  f"{len(result.nodes)} nodes examined")
    if feasible:
        table = Table(title="feasible nodes, best first", title_justify="left")
        table.add_column("node", no_wrap=True)
        table.add_column("total", justify="right", no_wrap=True)
        for p in shown:
            table.add_column(f"{SHORT.get(p, p)}x{profile.score_weight(p)}", justify="right", no_wrap=True)
        for n in feasible:
            name = f"[bold green]* {n.name}[/]" if n.name == result.selected else n.name
            table.add_row(name, str(n.total), *[str(n.scores.get(p, "-")) for p in shown])
        console.print(table)
        legend = ", ".join(f"{SHORT.get(p, p)} {p}" for p in shown)
        console.print(f"* selected; scores after each plugin's normalization, before its weight ({legend})", style="dim")
    if rejected:
        table = Table(title="rejected nodes", title_justify="left")
        table.add_column("node", no_wrap=True)
        table.add_column("plugin", no_wrap=True)
        table.add_column("status")
        table.add_column("reasons")
        for n in rejected:
            table.add_row(n.name, n.plugin or "", n.status or "", "; ".join(n.reasons))
        console.print(table)
    if result.selected:
        console.print(f"selected node: [bold]{result.selected}[/]")
    else:
        console.print(f"[red]unschedulable:[/] {result.message}")


def place_json(state: ClusterState, result: PlaceResult, compile_seconds: float) -> dict:
    placements = []
    for i, (row, node) in enumerate(zip(result.rows, result.nodes, strict=True)):
        placements.append(
            {
                "pod": state.pods.key(int(row)),
                "node": state.node_name(int(node)) if node >= 0 else None,
                "reason": result.messages.get(i) if node < 0 else None,
            }
        )
    return {
        "placements": placements,
        "placed": result.placed,
        "unschedulable": len(placements) - result.placed,
        "seconds": round(result.seconds, 6),
        "compile_seconds": round(compile_seconds, 3),
    }


def place_table(console: Console, doc: dict) -> None:
    table = Table(title="placements", title_justify="left")
    table.add_column("pod")
    table.add_column("node")
    table.add_column("reason")
    for p in doc["placements"]:
        table.add_row(p["pod"], p["node"] or "[red]-[/]", p["reason"] or "")
    console.print(table)
    console.print(
        f"placed {doc['placed']}, unschedulable {doc['unschedulable']}; scheduling "
        f"{doc['seconds']:.4f} s (JIT compile {doc['compile_seconds']:.2f} s, not included)"
    )


BENCH_ROWS = (
    ("nodes", "nodes", "{:,}"),
    ("pods", "pods", "{:,}"),
    ("placed", "placed", "{:,}"),
    ("seconds", "scheduling seconds", "{:.3f}"),
    ("compile_seconds", "JIT compile seconds (excluded)", "{:.2f}"),
    ("pods_per_second", "pods per second", "{:,.0f}"),
    ("node_evaluations_per_pod", "node evaluations per pod", "{:.1f}"),
    ("ns_per_node_evaluation", "ns per node evaluation", "{:.1f}"),
    ("peak_rss_mb", "peak RSS (MB)", "{:.0f}"),
    ("state_bytes_per_pod", "state bytes per pod", "{:.0f}"),
    ("state_bytes_per_node", "state bytes per node", "{:.0f}"),
)


def bench_table(console: Console, result: dict) -> None:
    table = Table(title="placement benchmark", title_justify="left")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, label, fmt in BENCH_ROWS:
        table.add_row(label, fmt.format(result[key]))
    console.print(table)


@contextmanager
def progress(console: Console, what: str, total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar; yields ``advance(done)`` taking the absolute number done."""
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=True,
    ) as bar:
        task = bar.add_task(what, total=total)
        yield lambda done: bar.update(task, completed=done)
