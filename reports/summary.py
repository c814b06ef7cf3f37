"""The summary tables of a report: key metrics per run (single-run mode) or per variant.

Variant values are the median over the variant's runs (incomplete runs included, marked);
failed and pending cells contribute no metrics and are listed with their error.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from reports.loading import Cell, ReportInput, Run
from reports.metrics import METRICS, run_metrics


def metrics_of(run: Run) -> dict[str, Any]:
    """run_metrics, computed once per run."""
    if ("run_metrics",) not in run.cache:
        run.cache[("run_metrics",)] = run_metrics(run)
    return run.cache[("run_metrics",)]


def median_metrics(runs: list[Run]) -> dict[str, float | None]:
    """Per metric, the median over the runs that have a value (None when none has)."""
    out: dict[str, float | None] = {}
    for key, _, _ in METRICS:
        values = [v for v in (metrics_of(r)[key] for r in runs) if v is not None]
        out[key] = float(statistics.median(values)) if values else None
    return out


@dataclass
class VariantSummary:
    label: str
    runs: int
    notes: str  # e.g. "1 incomplete, 1 failed"
    metrics: dict[str, float | None]


def variant_summaries(inp: ReportInput) -> list[VariantSummary]:
    """One entry per variant, in label order."""
    out = []
    for v in inp.variants:
        counts: dict[str, int] = {}
        for c in v.cells:
            if c.status != "completed":
                counts[c.status] = counts.get(c.status, 0) + 1
        notes = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        out.append(VariantSummary(v.label, len(v.runs), notes, median_metrics(v.runs)))
    return out


def cell_rows(inp: ReportInput) -> list[Cell]:
    """Every cell, failed and pending ones included, in input order."""
    return list(inp.cells)


def format_value(value: Any) -> str:
    """Compact, fixed formatting: integers with thousands separators, 3 significant digits
    below 10, one decimal below 1000."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return f"{value:,.0f}"
    if isinstance(value, float):
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.3g}"
    return str(value)
