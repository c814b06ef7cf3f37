"""Find and open what a report is built from: run directories and suite directories.

A run directory holds ``events.arrow``, ``nodes.arrow`` and ``run.json`` (docs/trace-format.md);
a suite directory holds ``suite.json`` and one run directory per completed cell. Loading checks
what can be checked cheaply up front (JSON keys, Arrow footers, batch headers, column names and
types) so that a bad file is reported by name before any plotting starts; the event and node
tables themselves stay lazy (``polars.scan_ipc``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.ipc as ipc

from engine.errors import InputError

RUN_JSON = "run.json"
SUITE_JSON = "suite.json"
EVENTS = "events.arrow"
NODES = "nodes.arrow"

RUN_REQUIRED_KEYS = ("completed", "seed", "pods", "events", "wall_seconds")
CELL_REQUIRED_KEYS = ("id", "variant", "seed", "dir", "status")
CELL_STATUSES = ("completed", "failed", "pending")

# Column families: "int", "str", "bool" (dictionary<int, utf8> counts as "str").
EVENT_COLUMNS = {
    "time_ms": "int",
    "kind": "str",
    "namespace": "str",
    "pod": "str",
    "node": "str",
    "priority": "int",
    "qos": "str",
    "reason": "str",
    "cpu_request_m": "int",
    "memory_request_bytes": "int",
    "gpu_request": "int",
    "pod_id": "int",
}
OPTIONAL_EVENT_COLUMNS = {"cum_gpu_arrived": "int"}
NODE_COLUMNS = {
    "time_ms": "int",
    "node": "str",
    "cpu_allocatable_m": "int",
    "cpu_requested_m": "int",
    "memory_allocatable_bytes": "int",
    "memory_requested_bytes": "int",
    "pods_allocatable": "int",
    "pods_requested": "int",
    "gpu_allocatable": "int",
    "gpu_requested": "int",
    "ready": "bool",
    "schedulable": "bool",
}


def _family(t: pa.DataType) -> str:
    if pa.types.is_dictionary(t):
        return "str" if _family(t.value_type) == "str" else "other"
    if pa.types.is_integer(t):
        return "int"
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return "str"
    if pa.types.is_boolean(t):
        return "bool"
    if pa.types.is_null(t):
        return "null"
    return "other"


_FAMILY_NAMES = {"int": "an integer", "str": "a string", "bool": "a boolean"}


def open_arrow_table(
    path: Path, required: dict[str, str], optional: dict[str, str] | None = None
) -> pl.LazyFrame:
    """Validate an Arrow IPC file and return a lazy scan with string columns as ``Utf8``.

    Every record batch header is read (memory-mapped, no data copy) so truncated or corrupt
    files fail here, naming the file. Files that use dictionary deltas, which polars cannot
    scan, are read through pyarrow instead.
    """
    optional = optional or {}
    if not path.is_file():
        raise InputError("file is missing (expected an Arrow IPC file)", file=str(path))
    try:
        with pa.memory_map(str(path)) as source:
            reader = ipc.open_file(source)
            for i in range(reader.num_record_batches):
                reader.get_batch(i)
            schema = reader.schema
            stats = reader.stats
            uses_deltas = stats.num_dictionary_deltas > 0 or stats.num_replaced_dictionaries > 0
            table = reader.read_all() if uses_deltas else None
    except (pa.ArrowException, OSError) as err:
        raise InputError(f"not a readable Arrow IPC file: {err}", file=str(path)) from err
    expected = {**required, **{k: v for k, v in optional.items() if k in schema.names}}
    missing = [name for name in required if name not in schema.names]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)} (see docs/trace-format.md)", file=str(path)
        )
    for name, family in expected.items():
        actual = _family(schema.field(name).type)
        if actual != family and actual != "null":
            raise InputError(
                f"column has type {schema.field(name).type}, expected {_FAMILY_NAMES[family]}",
                file=str(path),
                path=name,
            )
    if table is not None:
        lf = pl.from_arrow(table.select(list(expected))).lazy()
    else:
        lf = pl.scan_ipc(path).select(list(expected))
    casts = []
    for name, family in expected.items():
        dtype = {"int": pl.Int64, "str": pl.Utf8, "bool": pl.Boolean}[family]
        casts.append(pl.col(name).cast(dtype))
    return lf.with_columns(casts)


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror or err}", file=str(path)) from err
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(f"invalid JSON: {err.msg}", file=str(path), line=err.lineno) from err


@dataclass(eq=False)
class Run:
    """One run directory: its ``run.json`` plus lazily scanned event and node tables."""

    dir: Path
    info: dict[str, Any]
    cache: dict[Any, Any] = field(default_factory=dict, repr=False)  # reports.metrics.per_run

    @classmethod
    def open(cls, run_dir: Path) -> Run:
        run_dir = Path(run_dir)
        path = run_dir / RUN_JSON
        if not path.is_file():
            raise InputError("run directory has no run.json", file=str(path))
        info = _read_json(path)
        if not isinstance(info, dict):
            raise InputError("expected a JSON object", file=str(path))
        for key in RUN_REQUIRED_KEYS:
            if key not in info:
                raise InputError("required key is missing", file=str(path), path=key)
        if not isinstance(info["completed"], bool):
            raise InputError("expected true or false", file=str(path), path="completed")
        for key in ("pods", "events", "wall_seconds"):
            value = info[key]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InputError("expected a number", file=str(path), path=key)
        run = cls(run_dir, info)
        run.events  # noqa: B018 - validate both Arrow files now, not halfway through a report
        run.nodes  # noqa: B018
        return run

    @property
    def completed(self) -> bool:
        return bool(self.info["completed"])

    @property
    def seed(self) -> Any:
        return self.info["seed"]

    @cached_property
    def events(self) -> pl.LazyFrame:
        return open_arrow_table(self.dir / EVENTS, EVENT_COLUMNS, OPTIONAL_EVENT_COLUMNS)

    @cached_property
    def nodes(self) -> pl.LazyFrame:
        return open_arrow_table(self.dir / NODES, NODE_COLUMNS)

    @cached_property
    def has_gpu_arrived(self) -> bool:
        return "cum_gpu_arrived" in self.events.collect_schema().names()

    def collect(self, lf: pl.LazyFrame) -> pl.DataFrame:
        """Collect a query over this run, turning a late read failure into an InputError."""
        try:
            return lf.collect()
        except pl.exceptions.PolarsError as err:
            raise InputError(f"cannot read {EVENTS}/{NODES}: {err}", file=str(self.dir)) from err

    @cached_property
    def end_ms(self) -> int:
        """Run length: the latest of run.json ``simulated_ms``, the last event and sample."""
        ends = self.collect(
            pl.concat(
                [
                    self.events.select(pl.col("time_ms").max()),
                    self.nodes.select(pl.col("time_ms").max()),
                ]
            )
        )["time_ms"].drop_nulls()
        simulated = self.info.get("simulated_ms")
        candidates = [int(v) for v in ends.to_list()]
        if isinstance(simulated, int | float) and not isinstance(simulated, bool):
            candidates.append(int(simulated))
        return max(candidates, default=0)


@dataclass(eq=False)
class Cell:
    """One row of a report: a suite cell, or a run directory given on its own."""

    id: str
    variant: dict[str, Any]
    seed: Any
    status: str  # completed | incomplete | failed | pending
    error: str | None = None
    wall_seconds: float | None = None
    run: Run | None = None
    label: str = ""


@dataclass(eq=False)
class Variant:
    """Cells that differ only in their seed; their runs are aggregated together."""

    label: str
    cells: list[Cell] = field(default_factory=list)

    @property
    def runs(self) -> list[Run]:
        return [c.run for c in self.cells if c.run is not None]


@dataclass(eq=False)
class ReportInput:
    """Everything a report shows: the variants (one run in single-run mode) and all cells."""

    title: str
    description: str
    single: bool
    cells: list[Cell]
    variants: list[Variant]
    sources: list[Path]

    @property
    def runs(self) -> list[Run]:
        return [run for v in self.variants for run in v.runs]

    @cached_property
    def end_ms(self) -> int:
        return max((run.end_ms for run in self.runs), default=0)


def classify(path: Path) -> str:
    """'run' or 'suite'; anything else is an InputError."""
    if not path.is_dir():
        raise InputError("no such directory (expected a run or suite directory)", file=str(path))
    if (path / RUN_JSON).is_file():
        return "run"
    if (path / SUITE_JSON).is_file():
        return "suite"
    raise InputError(
        f"neither a run directory ({RUN_JSON}) nor a suite directory ({SUITE_JSON})",
        file=str(path),
    )


def _format_value(value: Any) -> str:
    return json.dumps(value) if not isinstance(value, str) else value


def variant_labels(variants: Sequence[dict[str, Any]]) -> list[str]:
    """Label each variant by the keys whose values differ between variants.

    One differing key: just its value. Several: ``k=v, k=v``. No differing key (one variant):
    every key as ``k=v``.
    """
    keys: list[str] = []
    for v in variants:
        keys.extend(k for k in v if k not in keys)
    varying = [k for k in keys if len({_format_value(v.get(k)) for v in variants}) > 1]
    labels = []
    for v in variants:
        if len(varying) == 1:
            labels.append(_format_value(v.get(varying[0])))
        else:
            shown = varying or [k for k in keys if k in v]
            labels.append(", ".join(f"{k}={_format_value(v.get(k))}" for k in shown))
    return labels


def fixed_keys(variants: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The variant keys every cell shares, shown once in the description."""
    if not variants:
        return {}
    first = variants[0]
    return {
        k: val
        for k, val in first.items()
        if all(k in v and _format_value(v[k]) == _format_value(val) for v in variants)
    }


def _suite_cells(suite_dir: Path) -> tuple[dict[str, Any], list[Cell]]:
    path = suite_dir / SUITE_JSON
    doc = _read_json(path)
    if not isinstance(doc, dict):
        raise InputError("expected a JSON object", file=str(path))
    cells_doc = doc.get("cells")
    if not isinstance(cells_doc, list):
        raise InputError("expected a list of cells", file=str(path), path="cells")
    cells: list[Cell] = []
    for i, c in enumerate(cells_doc):
        where = f"cells[{i}]"
        if not isinstance(c, dict):
            raise InputError("expected an object", file=str(path), path=where)
        for key in CELL_REQUIRED_KEYS:
            if key not in c:
                raise InputError("required key is missing", file=str(path), path=f"{where}.{key}")
        if not isinstance(c["variant"], dict):
            raise InputError("expected an object", file=str(path), path=f"{where}.variant")
        status = c["status"]
        if status not in CELL_STATUSES:
            raise InputError(
                f"expected one of {', '.join(CELL_STATUSES)}, got {status!r}",
                file=str(path),
                path=f"{where}.status",
            )
        run = None
        if status == "completed":
            run = Run.open(suite_dir / str(c["dir"]))
            if not run.completed:
                status = "incomplete"
        wall = c.get("wall_seconds")
        if run is not None and wall is None:
            wall = run.info["wall_seconds"]
        cells.append(
            Cell(
                id=str(c["id"]),
                variant=dict(c["variant"]),
                seed=c["seed"],
                status=status,
                error=c.get("error"),
                wall_seconds=wall,
                run=run,
            )
        )
    return doc, cells


def _run_cell(run_dir: Path) -> Cell:
    run = Run.open(run_dir)
    return Cell(
        id=run_dir.name or str(run_dir),
        variant={},
        seed=run.seed,
        status="completed" if run.completed else "incomplete",
        wall_seconds=run.info["wall_seconds"],
        run=run,
    )


def _dedupe(labels: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} #{seen[label]}")
    return out


def _run_label(path: Path) -> str:
    return path.resolve().name or str(path)


def load_input(dirs: Iterable[Path]) -> ReportInput:
    """Open every given run or suite directory and group their cells into variants.

    Single-run mode is exactly one run directory; anything else (a suite, several runs, a mix)
    is multi-variant mode. Runs given on their own are one variant each, labelled by their
    directory name; with several sources, suite variant labels get the suite name as prefix.
    """
    paths = [Path(d) for d in dirs]
    if not paths:
        raise InputError("no run or suite directory given")
    kinds = [classify(p) for p in paths]
    if kinds == ["run"]:
        cell = _run_cell(paths[0])
        cell.label = _run_label(paths[0])
        info = cell.run.info if cell.run else {}
        return ReportInput(
            title=f"podbench run: {cell.label}",
            description=describe_run(info),
            single=True,
            cells=[cell],
            variants=[Variant(cell.label, [cell])],
            sources=paths,
        )
    cells: list[Cell] = []
    direct: list[Cell] = []
    descriptions: list[str] = []
    names: list[str] = []
    for path, kind in zip(paths, kinds, strict=True):
        if kind == "run":
            cell = _run_cell(path)
            cell.label = _run_label(path)
            cells.append(cell)
            direct.append(cell)
            names.append(cell.label)
            continue
        doc, suite_cells = _suite_cells(path)
        name = str(doc.get("suite") or path.resolve().name)
        names.append(name)
        labels = variant_labels([c.variant for c in suite_cells])
        prefix = f"{name}: " if len(paths) > 1 else ""
        for c, label in zip(suite_cells, labels, strict=True):
            c.label = prefix + (label or name)
        cells.extend(suite_cells)
        descriptions.append(_describe_suite(name, doc, suite_cells))
    # Runs given on their own may share a directory name: keep their labels distinct.
    for c, label in zip(direct, _dedupe([c.label for c in direct]), strict=True):
        c.label = label
    by_label: dict[str, Variant] = {}
    for c in cells:
        by_label.setdefault(c.label, Variant(c.label)).cells.append(c)
    variants = [by_label[label] for label in sorted(by_label)]
    if len(paths) == 1 and kinds[0] == "suite":
        title = f"podbench suite: {names[0]}"
    else:
        title = "podbench comparison: " + ", ".join(names)
    return ReportInput(
        title=title,
        description=" ".join(descriptions),
        single=False,
        cells=cells,
        variants=variants,
        sources=paths,
    )


def _describe_suite(name: str, doc: dict[str, Any], cells: list[Cell]) -> str:
    text = f"Suite {name}"
    if doc.get("description"):
        text += f": {doc['description']}"
    fixed = fixed_keys([c.variant for c in cells])
    if fixed and len({c.label for c in cells}) > 1:
        shared = ", ".join(f"{k}={_format_value(v)}" for k, v in fixed.items())
        text += f" (all cells: {shared})"
    counts = {
        s: sum(c.status == s for c in cells)
        for s in ("completed", "incomplete", "failed", "pending")
    }
    text += ". Cells: " + ", ".join(f"{n} {s}" for s, n in counts.items() if n) + "."
    return text


def describe_run(info: dict[str, Any]) -> str:
    """One sentence on what ran: scenario, seed, size, simulated time, completion."""
    parts = []
    if info.get("scenario"):
        parts.append(f"scenario {info['scenario']}")
    parts.append(f"seed {info.get('seed')}")
    if info.get("nodes") is not None:
        parts.append(f"{info['nodes']} nodes")
    parts.append(f"{info.get('pods')} pods")
    parts.append(f"{info.get('events')} events")
    if info.get("simulated_ms") is not None:
        parts.append(f"{info['simulated_ms'] / 60000:.1f} simulated minutes")
    parts.append(f"{info.get('wall_seconds')} s wall time")
    text = "Run of " + ", ".join(parts) + "."
    if not info.get("completed"):
        text += " INCOMPLETE: the run was interrupted (run.json completed=false)."
    return text
