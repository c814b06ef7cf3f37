"""The ``podbench`` command line (typer + rich).

Every user mistake surfaces as a ``PodbenchError``: one message on stderr naming the file,
document and field, and exit status 2 — never a traceback.
"""

from __future__ import annotations

import json
import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console

from bench import render
from bench.inputs import build_cluster, load_objects, pending_pods
from bench.placement import run_placement, warm_up
from bench.replay_names import FORMATS, MODES
from engine.errors import PodbenchError
from engine.framework.config import load_scheduler_config
from engine.scheduler.scheduler import HEAP, RANDOM, Scheduler

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="podbench: a kube-scheduler-faithful scheduling benchmark engine.",
)
bench_app = typer.Typer(no_args_is_help=True, help="Benchmarks with built-in synthetic workloads.")
app.add_typer(bench_app, name="bench")

stdout = Console()  # not ``out``: commands take an ``out`` path
err = Console(stderr=True)


class Output(StrEnum):
    table = "table"
    json = "json"


class Selection(StrEnum):
    heap = HEAP
    random = RANDOM


Nodes = Annotated[list[Path], typer.Option("--nodes", help="Node manifests (YAML/JSON, List or multi-document).")]
Bound = Annotated[list[Path] | None, typer.Option("--pods", help="Pods already bound to nodes (spec.nodeName).")]
Config = Annotated[
    Path | None, typer.Option("--config", help="KubeSchedulerConfiguration file (default profile if omitted).")
]
OutputOpt = Annotated[Output, typer.Option("--output", "-o", help="table for people, json for programs.")]
SelectionOpt = Annotated[
    Selection,
    typer.Option(
        "--selection",
        help="Tie-break among top totals: heap (v1.35, deterministic) or random (v1.27-v1.34, seeded).",
    ),
]
Seed = Annotated[int, typer.Option("--seed", help="Seed of the random tie-break.")]


def _warn(warnings: list[str]) -> None:
    for w in warnings:
        err.print(f"[yellow]warning:[/] {w}", highlight=False)


@app.command()
def explain(
    nodes: Nodes,
    pod: Annotated[Path, typer.Option("--pod", help="The pod to explain (a single Pod manifest).")],
    pods: Bound = None,
    config: Config = None,
    output: OutputOpt = Output.table,
    sample: Annotated[
        bool, typer.Option("--sample", help="Examine only what percentageOfNodesToScore would (upstream).")
    ] = False,
    selection: SelectionOpt = Selection.heap,
    seed: Seed = 0,
) -> None:
    """Why would this pod go where it goes? Every node's filter verdict and scores."""
    pod_objs = load_objects([pod])
    cluster = build_cluster(nodes, pods, [pod_objs], config)
    candidates = pending_pods(pod_objs, str(pod))
    if len(candidates) > 1:
        _warn([f"{pod} holds {len(candidates)} pods; explaining the first, {candidates[0].key}"])
    _warn(cluster.warnings)
    row = cluster.state.add_pod(candidates[0], bind_named=False)
    result = Scheduler(cluster.state, selection=selection.value, seed=seed).explain(row, sample=sample)
    if output is Output.json:
        print(json.dumps(render.explain_json(result)))
    else:
        render.explain_table(stdout, result, cluster.profile)


@app.command()
def place(
    nodes: Nodes,
    pending: Annotated[list[Path], typer.Option("--pending", help="Pods to schedule, in file order.")],
    pods: Bound = None,
    config: Config = None,
    output: OutputOpt = Output.table,
    selection: SelectionOpt = Selection.heap,
    seed: Seed = 0,
) -> None:
    """Where would these pods go? Schedules each pending pod once, in order, like kube-scheduler."""
    pending_objs = load_objects(pending)
    cluster = build_cluster(nodes, pods, [pending_objs], config)
    todo = pending_pods(pending_objs, ", ".join(map(str, pending)))
    _warn(cluster.warnings)
    compile_seconds = warm_up(cluster.profile, selection.value)
    rows = np.array([cluster.state.add_pod(p, bind_named=False) for p in todo], dtype=np.int32)
    result = Scheduler(cluster.state, selection=selection.value, seed=seed).place(rows)
    doc = render.place_json(cluster.state, result, compile_seconds)
    if output is Output.json:
        print(json.dumps(doc))
    else:
        render.place_table(stdout, doc)


@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (docs/scenario.md).")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Run directory (default runs/<name>).")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Override the scenario's seed.")] = None,
    sets: Annotated[
        list[str] | None, typer.Option("--set", help="Override a scenario value: KEY=VALUE (dotted path).")
    ] = None,
) -> None:
    """Simulate a scenario over time; writes events.arrow, nodes.arrow and run.json."""
    from bench.simulate import run_scenario

    run_scenario(scenario, out, seed, sets or [], out_console=stdout, err_console=err)


@bench_app.command("placement")
def bench_placement(
    nodes: Annotated[int, typer.Option("--nodes", min=1, help="Number of nodes.")] = 500,
    pods: Annotated[int, typer.Option("--pods", min=1, help="Number of pods.")] = 20000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the pod stream and tie-breaks.")] = 0,
    config: Config = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON line instead of a table.")] = False,
    selection: SelectionOpt = Selection.heap,
) -> None:
    """Place a synthetic pod stream on a synthetic cluster; report speed and memory."""
    profile = load_scheduler_config(config)
    _warn(list(profile.warnings))
    if as_json:
        result = run_placement(nodes, pods, profile, seed=seed, selection=selection.value)
        print(json.dumps(result.as_dict()))
        return
    with render.progress(stdout, "placing pods", pods) as advance:
        result = run_placement(nodes, pods, profile, seed=seed, selection=selection.value, progress=advance)
    render.bench_table(stdout, result.as_dict())


class ExecutorKind(StrEnum):
    local = "local"
    dask = "dask"


@app.command()
def suite(
    suite_file: Annotated[Path, typer.Argument(metavar="SUITE", help="Suite file (docs/suites.md).")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Suite directory (default runs/<suite name>).")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Cells run at once (worker processes).")] = 1,
    executor: Annotated[
        ExecutorKind, typer.Option("--executor", help="local: this machine; dask: a Dask cluster.")
    ] = ExecutorKind.local,
    address: Annotated[
        str | None, typer.Option("--address", help="Dask scheduler, e.g. tcp://HOST:8786 (default: a LocalCluster of -j workers).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Rerun cells that already completed.")] = False,
    list_only: Annotated[bool, typer.Option("--list", help="List the cells and exit.")] = False,
    report: Annotated[bool, typer.Option("--report", help="Also write the HTML report to OUT/report.")] = False,
) -> None:
    """Run a benchmark suite: scenarios x variants x seeds, one run directory per cell."""
    from bench.suite.console import suite_command

    result = suite_command(
        suite_file, out, jobs, executor.value, address, force=force, list_only=list_only,
        report=report, console=stdout, err=err,
    )
    if result is not None and result.failed:
        raise typer.Exit(1)


TraceFormat = StrEnum("TraceFormat", [(f.replace("-", "_"), f) for f in FORMATS])
ReplayMode = StrEnum("ReplayMode", [(m, m) for m in MODES])


@app.command()
def replay(
    trace: Annotated[Path, typer.Argument(help="Trace file (a run directory for --format podbench).")],
    trace_format: Annotated[TraceFormat, typer.Option("--format", help="Trace format (docs/replay.md).")],
    nodes: Annotated[
        Path | None, typer.Option("--nodes", help="Node manifests, or the trace's node list CSV (openb, alibaba-v2017).")
    ] = None,
    config: Config = None,
    mode: Annotated[ReplayMode, typer.Option("--mode", help="time: trace times; fill: FGD fill mode.")] = ReplayMode.time,
    fill_percent: Annotated[
        float | None, typer.Option("--fill-percent", help="Fill mode: GPU request target, % of cluster GPUs.")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the fill order and of the scheduler.")] = 0,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Run directory (default runs/replay-<format>-<trace>).")] = None,
    duration: Annotated[
        str | None, typer.Option("--duration", help="Time mode: simulated time, e.g. 6h (default: until the last pod ends).")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="Read only the first N pod rows.")] = None,
) -> None:
    """Replay a cluster trace through the scheduler; writes a run directory."""
    from bench.replay import replay_command

    replay_command(
        trace, trace_format.value, nodes, config, mode.value, fill_percent, seed, out, duration, limit,
        console=stdout, err=err,
    )


@app.command()
def report(
    dirs: Annotated[list[Path], typer.Argument(metavar="DIR...", help="Run and/or suite directories.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Report directory (default DIR/report).")] = None,
) -> None:
    """Write an HTML report (figures and tables) of runs and suites; prints index.html."""
    from bench.reporting import default_report_dir, write_report_with_progress

    index = write_report_with_progress(dirs, out if out is not None else default_report_dir(dirs), err)
    stdout.print(str(index), highlight=False, soft_wrap=True)


@app.command()
def compare(
    run_a: Annotated[Path, typer.Argument(help="Run directory A.")],
    run_b: Annotated[Path, typer.Argument(help="Run directory B.")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table.")] = False,
) -> None:
    """Key metrics of two runs side by side, with B - A and (B - A) / A."""
    from bench.reporting import print_comparison

    print_comparison(run_a, run_b, stdout, as_json=as_json)


def main() -> None:
    """Console entry point: run the app, turning user errors into messages and exit codes."""
    started = time.perf_counter()
    try:
        code = app(standalone_mode=False)  # a command's typer.Exit(n) comes back as n
        if isinstance(code, int) and code:
            sys.exit(code)
    except PodbenchError as e:
        err.print(f"[red]error:[/] {e}", highlight=False)
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        err.print(f"[red]interrupted[/] after {time.perf_counter() - started:.1f} s")
        sys.exit(130)
    except (typer.Exit, SystemExit) as e:
        code = getattr(e, "exit_code", getattr(e, "code", 0))
        sys.exit(code)
    except Exception as e:  # click usage errors and aborts
        import click

        # typer >= 0.20 raises its own vendored click's exceptions: recognise both kinds.
        if isinstance(e, click.exceptions.ClickException) or (
            callable(getattr(e, "show", None)) and isinstance(getattr(e, "exit_code", None), int)
        ):
            e.show()
            sys.exit(e.exit_code)
        if isinstance(e, click.exceptions.Abort | typer.Abort):
            sys.exit(1)
        raise


if __name__ == "__main__":
    main()
