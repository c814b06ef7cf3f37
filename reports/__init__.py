"""Reports: analysis of run and suite directories (polars), plots (matplotlib) and an HTML page.

Entry points for the CLI:

* ``build_report(dirs, out, progress)`` writes ``out/index.html`` (plus the figure PNGs);
* ``compare_runs(a, b)`` returns a ``CompareTable`` of key metrics;
* ``run_metrics(run_dir)`` returns the key metrics of one run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reports import figures
from reports.compare import CompareTable, compare_runs
from reports.figures import FigureData
from reports.html import render, write_atomically
from reports.loading import ReportInput, load_input
from reports.metrics import METRICS, run_metrics

__all__ = [
    "METRICS",
    "CompareTable",
    "FigureData",
    "Report",
    "ReportInput",
    "build_report",
    "compare_runs",
    "figures",
    "load_input",
    "make_figures",
    "run_metrics",
    "write_report",
]


def make_figures(
    inp: ReportInput, out: Path, progress: Callable[[str], None] | None = None
) -> list[FigureData]:
    """Draw every applicable figure into ``out`` (one progress call per figure)."""
    todo = figures.applicable(inp)
    made = []
    for i, make in enumerate(todo, start=1):
        if progress is not None:
            progress(f"figure {i}/{len(todo)}: {make.__name__}")
        if i == 1:  # the per-run analysis, run by run; the figures then only aggregate
            figures.prepare(inp)
        fig = make(inp, out)
        if fig is not None:
            made.append(fig)
    return made


@dataclass
class Report:
    """A written report: its page, its figures (with their data) and what it was built from."""

    index: Path
    figures: list[FigureData]
    input: ReportInput


def write_report(
    inp: ReportInput, out: Path, progress: Callable[[str], None] | None = None
) -> Report:
    """Draw the figures of already loaded input and write ``out/index.html``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    made = make_figures(inp, out, progress)
    page = render(inp, made, figures.variant_colors(inp))
    return Report(write_atomically(out / "index.html", page), made, inp)


def build_report(
    dirs: Sequence[Path], out: Path, progress: Callable[[str], None] | None = None
) -> Path:
    """Write a self-contained report of run and/or suite directories; return its index.html.

    One run directory gives a single-run report; a suite, several runs or a mix give a
    side-by-side report of every variant. Unreadable inputs raise ``InputError`` before any
    file is written.
    """
    return write_report(load_input(dirs), out, progress).index
