"""Two-run comparison: every key metric of run A and run B, with absolute and relative change."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.table import Table

from engine.errors import InputError
from reports.loading import Run, classify
from reports.metrics import METRICS
from reports.summary import format_value, metrics_of

LABELS = {key: (label, unit) for key, label, unit in METRICS}


@dataclass
class CompareTable:
    """Rows are (metric, value_a, value_b, difference, relative difference).

    difference = B - A; relative difference = (B - A) / |A|, None when A is 0 or a value is
    missing.
    """

    a: Path
    b: Path
    a_completed: bool
    b_completed: bool
    rows: list[tuple[str, float | None, float | None, float | None, float | None]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": {"dir": str(self.a), "completed": self.a_completed},
            "b": {"dir": str(self.b), "completed": self.b_completed},
            "rows": [
                {
                    "metric": metric,
                    "label": LABELS[metric][0],
                    "unit": LABELS[metric][1],
                    "a": va,
                    "b": vb,
                    "difference": diff,
                    "relative_difference": rel,
                }
                for metric, va, vb, diff, rel in self.rows
            ],
        }

    def to_rich_table(self) -> Table:
        table = Table(title=f"A = {self.a}\nB = {self.b}", title_justify="left")
        table.add_column("metric")
        table.add_column("unit")
        table.add_column("A", justify="right")
        table.add_column("B", justify="right")
        table.add_column("B - A", justify="right")
        table.add_column("(B - A) / A", justify="right")
        for metric, va, vb, diff, rel in self.rows:
            label, unit = LABELS[metric]
            table.add_row(
                label,
                unit,
                format_value(va),
                format_value(vb),
                _signed(diff),
                "–" if rel is None else f"{rel:+.1%}",
            )
        notes = [
            f"{name} is INCOMPLETE (run.json completed=false)"
            for name, done in (("A", self.a_completed), ("B", self.b_completed))
            if not done
        ]
        if notes:
            table.caption = "; ".join(notes)
        return table


def _signed(value: float | None) -> str:
    if value is None:
        return "–"
    text = format_value(value)
    return text if value < 0 else f"+{text}"


def _difference(va: float | None, vb: float | None) -> tuple[float | None, float | None]:
    if va is None or vb is None:
        return None, None
    diff = vb - va
    return diff, (diff / abs(va) if va != 0 else None)


def _open_run(path: Path) -> Run:
    path = Path(path)
    if classify(path) != "run":
        raise InputError("compare takes two run directories; this is a suite", file=str(path))
    return Run.open(path)


def compare_runs(a: Path, b: Path) -> CompareTable:
    """Key metrics (``reports.metrics.METRICS``) of run A and run B side by side."""
    run_a, run_b = _open_run(a), _open_run(b)
    ma, mb = metrics_of(run_a), metrics_of(run_b)
    rows = []
    for key, _, _ in METRICS:
        va, vb = ma[key], mb[key]
        rows.append((key, va, vb, *_difference(va, vb)))
    return CompareTable(Path(a), Path(b), run_a.completed, run_b.completed, rows)
