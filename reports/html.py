"""The report page: one self-contained ``index.html`` (PNG figures inlined as data URIs)."""

from __future__ import annotations

import base64
import os
from collections.abc import Sequence
from html import escape
from pathlib import Path

from reports.figures import FigureData
from reports.loading import ReportInput
from reports.metrics import METRICS
from reports.summary import format_value, metrics_of, variant_summaries

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th:first-child, td:first-child, td.text { text-align: left; }
th { background: #f2f2f2; }
tr.incomplete td, td.incomplete { background: #fff4d6; }
tr.failed td, tr.pending td { background: #fde2e2; }
figure { margin: 2em 0; }
figure img { max-width: 100%; }
figcaption { font-size: 0.9em; color: #444; }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; margin-right: 0.3em; }
"""


def _cell(text: str, cls: str | None = None, tag: str = "td") -> str:
    attr = f' class="{cls}"' if cls else ""
    return f"<{tag}{attr}>{escape(text)}</{tag}>"


def _single_summary(inp: ReportInput) -> str:
    run = inp.runs[0]
    values = metrics_of(run)
    status = "completed" if run.completed else "incomplete"
    rows = [
        "<tr"
        + (' class="incomplete"' if not run.completed else "")
        + ">"
        + _cell("status")
        + _cell("")
        + _cell(status, "text")
        + "</tr>"
    ]
    for key, label, unit in METRICS:
        rows.append(
            f'<tr data-metric="{key}">'
            + _cell(label)
            + _cell(unit, "text")
            + _cell(format_value(values[key]))
            + "</tr>"
        )
    head = (
        "<tr>"
        + _cell("metric", tag="th")
        + _cell("unit", tag="th")
        + _cell("value", tag="th")
        + "</tr>"
    )
    return f'<table class="summary">{head}{"".join(rows)}</table>'


def _variant_summary(inp: ReportInput, colors: dict[str, str]) -> str:
    summaries = variant_summaries(inp)
    head = ["<tr>", _cell("metric", tag="th"), _cell("unit", tag="th")]
    for s in summaries:
        swatch = f'<span class="swatch" style="background:{colors.get(s.label, "#000")}"></span>'
        note = f"{s.runs} run(s)" + (f"; {s.notes}" if s.notes else "")
        head.append(f"<th>{swatch}{escape(s.label)}<br><small>{escape(note)}</small></th>")
    head.append("</tr>")
    rows = []
    for key, label, unit in METRICS:
        cells = "".join(_cell(format_value(s.metrics[key])) for s in summaries)
        rows.append(f'<tr data-metric="{key}">{_cell(label)}{_cell(unit, "text")}{cells}</tr>')
    return (
        "<p>Values are medians over each variant's runs.</p>"
        f'<table class="summary">{"".join(head)}{"".join(rows)}</table>'
    )


def _cells_table(inp: ReportInput) -> str:
    head = (
        "<tr>"
        + "".join(
            _cell(h, tag="th")
            for h in ("cell", "variant", "seed", "status", "wall time (s)", "error")
        )
        + "</tr>"
    )
    rows = []
    for c in inp.cells:
        rows.append(
            f'<tr class="{escape(c.status)}">'
            + _cell(c.id)
            + _cell(c.label, "text")
            + _cell(str(c.seed))
            + _cell(c.status, "text")
            + _cell(format_value(c.wall_seconds))
            + _cell(c.error or "", "text")
            + "</tr>"
        )
    return f'<table class="cells">{head}{"".join(rows)}</table>'


def _figure(i: int, fig: FigureData) -> str:
    data = base64.b64encode(fig.path.read_bytes()).decode("ascii")
    return (
        f'<figure id="{escape(fig.name)}">'
        f'<img src="data:image/png;base64,{data}" alt="{escape(fig.title)}">'
        f"<figcaption><b>Figure {i}. {escape(fig.title)}.</b> {escape(fig.caption)}"
        "</figcaption></figure>"
    )


def render(inp: ReportInput, figures: Sequence[FigureData], colors: dict[str, str]) -> str:
    """The whole page as a string (deterministic: no timestamps)."""
    parts = [
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(inp.title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(inp.title)}</h1>",
        f'<p class="description">{escape(inp.description)}</p>',
        "<h2>Summary</h2>",
    ]
    if inp.single:
        parts.append(_single_summary(inp))
    else:
        parts.append(_variant_summary(inp, colors))
        parts.append("<h3>Cells</h3>")
        parts.append(_cells_table(inp))
    parts.append("<h2>Figures</h2>")
    parts.extend(_figure(i, fig) for i, fig in enumerate(figures, start=1))
    parts.append("</body></html>\n")
    return "\n".join(parts)


def write_atomically(path: Path, text: str) -> Path:
    """Write under a temporary name, then rename: readers never see half a page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path
