"""``podbench run``: load a scenario, simulate it with a progress bar, print the summary."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from engine.simulator.simulator import Simulation
from workloads.scenario import format_duration, load_scenario


def run_scenario(path: Path, out: Path | None, seed: int | None, sets: list[str], *,
                 out_console: Console, err_console: Console, quiet: bool = False) -> dict:
    scenario = load_scenario(path, sets=sets, seed=seed)
    for w in scenario.warnings:
        err_console.print(f"[yellow]warning:[/] {w}", highlight=False)
    out_dir = Path(out) if out is not None else Path("runs") / scenario.name
    total = scenario.duration_ms
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.fields[simtime]}"),
        TimeElapsedColumn(), console=out_console, transient=True, disable=quiet,
    ) as bar:
        task = bar.add_task(f"simulating {scenario.name}", total=total, simtime="")

        def progress(now: int, end: int) -> None:
            bar.update(task, completed=now, simtime=f"{format_duration(now)} / {format_duration(end)}")

        result = Simulation(scenario, out_dir, progress=progress).run()
    info = result.run_info
    if not quiet:
        print_summary(out_console, info, out_dir)
        for w in info.get("warnings", [])[:20]:
            err_console.print(f"[yellow]warning:[/] {w}", highlight=False)
    return info


def print_summary(console: Console, info: dict, out_dir: Path) -> None:
    s = info["summary"]
    lat = s.get("latency_ms", {})
    table = Table(title=f"run {info['name']} (seed {info['seed']})", title_justify="left", show_header=False)
    table.add_column("metric")
    table.add_column("value", justify="right")
    rows = [
        ("pods created", f"{s['created']:,}"),
        ("scheduled", f"{s['scheduled']:,}"),
        ("pending at end", f"{s['pending']:,}"),
        ("preempted", f"{s['preempted']:,}"),
        ("evicted", f"{s['evicted']:,}"),
        ("creation to scheduled p50 / p99", f"{lat.get('p50')} ms / {lat.get('p99')} ms"),
        ("events", f"{info['events']:,}"),
        ("simulated", format_duration(info["simulated_ms"])),
        ("wall time", f"{info['wall_seconds']:.2f} s"),
        ("trace writing", f"{info['trace_seconds']:.2f} s"),
    ]
    for k, v in rows:
        table.add_row(k, v)
    console.print(table)
    console.print(f"trace: {out_dir}")
