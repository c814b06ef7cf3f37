"""``podbench suite``: the cells' progress, one line per finished cell, and a summary table."""

from __future__ import annotations

import statistics
from contextlib import nullcontext
from pathlib import Path

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from bench.suite.cell import CellOutcome, warm_up
from bench.suite.executors import InProcess, check_executor_options, make_executor
from bench.suite.runner import SuiteRun, SuiteRunner
from bench.suite.schema import load_suite

__all__ = ["suite_command", "cells_table", "summary_table"]

REPORT_DIR = "report"


def _describe(runner: SuiteRunner) -> str:
    s = runner.suite
    parts = [f"{len(s.scenarios)} scenario(s)"]
    parts += [f"{len(d.values)} {d.name}" for d in s.dimensions]
    parts.append(f"{len(s.seeds)} seed(s)" if s.seeds else "the scenarios' seeds")
    return " x ".join(parts)


def cells_table(runner: SuiteRunner) -> Table:
    """The cells a suite expands to (``--list``); each runs into ``OUT/cells/<cell>``."""
    table = Table(title=f"suite {runner.suite.name}: {len(runner.cells)} cells",
                  title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("#", justify="right")
    table.add_column("cell", overflow="fold")
    table.add_column("state", no_wrap=True)
    pending = {c.id for c in runner.pending}
    for c in runner.cells:
        state = "to run" if c.id in pending else "[green]completed[/]"
        table.add_row(str(c.index), escape(c.id), state)
    return table


def _median(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _seconds(ms: float | None) -> float | None:
    return None if ms is None else ms / 1000


def _fmt(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def summary_table(run: SuiteRun) -> Table:
    """One row per variant (labelled by the dimensions whose values differ): medians over
    its completed seeds, and how many of its cells completed."""
    table = Table(title=f"suite {run.suite.name} (medians over seeds)", title_justify="left",
                  box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True,
                  caption_justify="left")
    keys = list(dict.fromkeys(k for c in run.cells for k in c.variant))
    varying = [k for k in keys if len({c.variant.get(k) for c in run.cells}) > 1]
    labels = {c.id: ", ".join(c.variant.get(k, "–") for k in varying) or run.suite.name
              for c in run.cells}
    widest = max((len(v) for v in labels.values()), default=7)
    header = ", ".join(varying) or "variant"
    table.add_column(header, overflow="fold", min_width=min(widest, 20))
    for name in ("ok", "pods", "bound", "pending", "preempt", "evict", "p99 s", "wall s"):
        table.add_column(name, justify="right", no_wrap=True)
    groups: dict[str, list] = {}
    for cell in run.cells:
        groups.setdefault(labels[cell.id], []).append(cell)
    for label, cells in groups.items():
        outcomes = [run.outcomes.get(c.id) for c in cells]
        done = [o for o in outcomes if o is not None and o.status == "completed"]
        failed = sum(1 for o in outcomes if o is not None and o.status == "failed")
        s = [o.summary or {} for o in done]
        ok = f"{len(done)}/{len(cells)}" + (f" [red]({failed} failed)[/]" if failed else "")
        table.add_row(
            escape(label),
            ok,
            _fmt(_median([x.get("pods") for x in s])),
            _fmt(_median([x.get("scheduled") for x in s])),
            _fmt(_median([x.get("pending") for x in s])),
            _fmt(_median([x.get("preempted") for x in s])),
            _fmt(_median([x.get("evicted") for x in s])),
            _fmt(_seconds(_median([(x.get("latency_ms") or {}).get("p99") for x in s])), 1),
            _fmt(_median([o.wall_seconds for o in done]), 2),
        )
    table.caption = ("pods: created; bound: scheduled; pending: not bound at the end; "
                     "preempt, evict: pods preempted, evicted; p99 s: creation-to-scheduled "
                     "latency")
    return table


def _line(outcome: CellOutcome) -> str:
    if outcome.status == "completed":
        s = outcome.summary or {}
        return (
            f"[green]done[/]   {escape(outcome.id)}  {outcome.wall_seconds:.2f} s, "
            f"{s.get('scheduled', 0):,} of {s.get('created', 0):,} pods scheduled"
        )
    return f"[red]failed[/] {escape(outcome.id)}: {escape(outcome.error or '')}"


def suite_command(
    suite_file: Path,
    out: Path | None,
    jobs: int,
    executor_kind: str,
    address: str | None,
    *,
    force: bool,
    list_only: bool,
    report: bool,
    console: Console,
    err: Console,
    dask_processes: bool = True,
) -> SuiteRun | None:
    """Everything ``podbench suite`` does; returns the run (None for ``--list``)."""
    check_executor_options(executor_kind, jobs, address)
    suite = load_suite(suite_file)
    out = Path(out) if out is not None else Path("runs") / suite.name
    runner = SuiteRunner(suite, out, force=force)
    if list_only:
        console.print(cells_table(runner))
        return None
    executor = None
    if runner.pending:  # no more local workers than cells to run
        workers = jobs if address else min(jobs, len(runner.pending))
        executor = make_executor(executor_kind, workers, address, dask_processes=dask_processes)
    console.print(
        f"suite [bold]{escape(suite.name)}[/]: {len(runner.cells)} cells ({_describe(runner)}) "
        f"-> {escape(str(out))}"
    )
    if runner.result.skipped:
        console.print(f"{runner.result.skipped} cell(s) already completed (kept; --force reruns)")
    with executor if executor is not None else nullcontext():
        if executor is not None:
            console.print(f"running {len(runner.pending)} cell(s) {executor.where}")
            if isinstance(executor, InProcess):
                with console.status("loading the simulator kernels (Numba compiles them on first "
                                    "use: about a minute once, seconds afterwards)"):
                    warm_up()
            else:
                console.print("each worker first loads the simulator kernels (compiled on first "
                              "use: about a minute once, seconds afterwards)")
        with Progress(
            TextColumn("[bold]cells"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            TextColumn("ETA"), TimeRemainingColumn(), console=console, transient=True,
            disable=executor is None,
        ) as bar:
            task = bar.add_task("cells", total=len(runner.pending))

            def on_cell(outcome: CellOutcome) -> None:
                bar.console.print(_line(outcome), highlight=False)
                bar.advance(task)

            try:
                run = runner.run(executor, on_cell)
            except KeyboardInterrupt:
                done = len(runner.result.outcomes)
                err.print(f"interrupted with {done} of {len(runner.cells)} cells recorded in "
                          f"{escape(str(out / 'suite.json'))}; run the same command again to "
                          "resume", highlight=False)
                raise
    console.print(summary_table(run))
    for o in run.failed:
        err.print(f"[red]failed cell[/] {escape(o.id)}: {escape(o.error or '')}", highlight=False)
    console.print(f"suite results: {escape(str(out / 'suite.json'))}")
    if report:
        from bench.reporting import write_report_with_progress

        index = write_report_with_progress([out], out / REPORT_DIR, console)
        console.print(f"report: {escape(str(index))}")
    else:
        console.print(f"report: podbench report {escape(str(out))}")
    return run
