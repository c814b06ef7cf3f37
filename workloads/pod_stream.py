"""The pod stream: an Arrow table of pod arrivals, one row per pod, that a run replays.

A row says *when* a pod is created (``arrival_ms``), *how long* it runs once bound
(``lifetime_ms``, null = until the end of the run) and *what* it is: ``template`` names a
pod template (an ``engine.objects.Pod``) that supplies everything the row does not carry
(labels, affinity, tolerations, priority class...). Optional columns override the pod's
name, namespace, priority and effective requests. Columns outside the schema are kept as
they are (trace readers add e.g. ``gpu_milli``) and mean nothing to the simulator.

Trace readers (``workloads.traces``) produce pod streams; scenario files reference them as
Arrow IPC (``.arrow``/``.feather``) or Parquet files. docs/pod-stream.md is the reference.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.feather as feather
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from engine.errors import InputError
from engine.labels import DNS_SUBDOMAIN
from workloads.fields import DNS_LABEL

__all__ = [
    "POD_STREAM_SCHEMA",
    "REQUIRED_COLUMNS",
    "REQUEST_COLUMNS",
    "NON_NEGATIVE_COLUMNS",
    "GPU_RESOURCE",
    "validate_pod_stream",
    "read_pod_stream",
    "write_pod_stream",
    "default_pod_name",
    "request_overrides",
    "row_priorities",
]

GPU_RESOURCE = "nvidia.com/gpu"

POD_STREAM_SCHEMA = pa.schema(
    [
        pa.field("arrival_ms", pa.int64(), nullable=False),
        pa.field("lifetime_ms", pa.int64(), nullable=True),
        pa.field("template", pa.string(), nullable=False),
        pa.field("name", pa.string(), nullable=True),
        pa.field("namespace", pa.string(), nullable=True),
        pa.field("priority", pa.int32(), nullable=True),
        pa.field("cpu_m", pa.int64(), nullable=True),
        pa.field("memory_bytes", pa.int64(), nullable=True),
        pa.field("ephemeral_storage_bytes", pa.int64(), nullable=True),
        pa.field("gpu", pa.int64(), nullable=True),
    ]
)

# lifetime_ms is required as a column (it may be all null) so a misspelt name cannot pass.
REQUIRED_COLUMNS = ("arrival_ms", "lifetime_ms", "template")

# Per-pod request overrides: column -> Kubernetes resource name.
REQUEST_COLUMNS = {
    "cpu_m": "cpu",
    "memory_bytes": "memory",
    "ephemeral_storage_bytes": "ephemeral-storage",
    "gpu": GPU_RESOURCE,
}

NON_NEGATIVE_COLUMNS = ("arrival_ms", "lifetime_ms", *REQUEST_COLUMNS)

_INT32 = (-(2**31), 2**31 - 1)
_INT64_MAX = 2**63 - 1


def request_overrides(table: pa.Table, no_override: int = -1) -> dict[str, np.ndarray] | None:
    """Per-pod request overrides of a validated stream: resource -> int64 values, with
    ``no_override`` where a row keeps its template's request; None when no row has any."""
    n = table.num_rows
    out = {}
    for column, resource in REQUEST_COLUMNS.items():
        col = table.column(column)
        if col.null_count < n:
            out[resource] = pc.fill_null(col, no_override).to_numpy().astype(np.int64)
    return out or None


def row_priorities(column: pa.Array | pa.ChunkedArray, own: np.ndarray) -> np.ndarray:
    """Per-row int32 priority: the stream's ``priority`` value, or ``own`` (each row's
    template priority) where it is null."""
    given = pc.fill_null(column, 0).to_numpy(zero_copy_only=False)
    null = pc.is_null(column).to_numpy(zero_copy_only=False)
    return np.where(null, own, given).astype(np.int32)


def default_pod_name(template: str, row: int) -> str:
    """Name of a pod whose row has no ``name``: ``<template>-<row>`` (row in file order)."""
    return f"{template}-{row}"


def _is_string(t: pa.DataType) -> bool:
    if pa.types.is_dictionary(t):
        t = t.value_type
    return pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t)


def _first(mask: pa.ChunkedArray | pa.Array) -> tuple[int, int]:
    """(first row where mask is true, number of such rows); (-1, 0) when none."""
    count = pc.sum(mask).as_py() or 0
    if not count:
        return -1, 0
    return pc.index(mask, True).as_py(), count


def _rows(count: int) -> str:
    return "" if count == 1 else f" (and {count - 1} more rows)"


def _suspicious(extra: str) -> str | None:
    """A known column an unknown column name was probably meant to be, if any."""
    known = POD_STREAM_SCHEMA.names
    close = difflib.get_close_matches(extra, known, n=1, cutoff=0.8)
    if close:
        return close[0]
    lowered = extra.lower()
    for name in known:
        if lowered == name or (len(lowered) >= 3 and name.startswith(lowered)):
            return name
    return None


def _column(table: pa.Table, name: str, source: str) -> pa.ChunkedArray:
    """Column ``name`` cast to its schema type, with a located error when it cannot be."""
    field = POD_STREAM_SCHEMA.field(name)
    col = table.column(name)
    t = col.type
    if pa.types.is_null(t):
        if not field.nullable:
            raise InputError("required column is entirely null", file=source, path=name)
        return pa.chunked_array([pa.nulls(len(col), field.type)])
    if field.type == pa.string():
        if not _is_string(t):
            raise InputError(f"expected strings, got Arrow type {t}", file=source, path=name)
        return col.cast(pa.string())
    if not pa.types.is_integer(t):
        hint = ""
        if pa.types.is_floating(t):
            hint = " (cast it to an integer type; null marks a missing value)"
        raise InputError(f"expected integers, got Arrow type {t}{hint}", file=source, path=name)
    if pa.types.is_uint64(t):
        row, count = _first(pc.greater(col, pa.scalar(_INT64_MAX, pa.uint64())))
        if count:
            raise InputError(
                f"{col[row].as_py()} does not fit in int64{_rows(count)}",
                file=source,
                path=f"{name}[{row}]",
            )
    col = col.cast(pa.int64())
    if field.type == pa.int32():
        row, count = _first(pc.or_(pc.less(col, _INT32[0]), pc.greater(col, _INT32[1])))
        if count:
            raise InputError(
                f"{col[row].as_py()} does not fit in int32{_rows(count)}",
                file=source,
                path=f"{name}[{row}]",
            )
    return col.cast(field.type)


def validate_pod_stream(
    table: pa.Table, *, source: str, templates: Collection[str] | None
) -> pa.Table:
    """Check a pod stream and return it in canonical form.

    Canonical form: every schema column in schema order with its exact type (absent
    optional columns become all-null; dictionary strings are decoded), extra columns after
    them unchanged, ``name`` filled with ``<template>-<row>`` (row = 0-based position in
    ``table``) where null, rows sorted stably by ``arrival_ms``. Errors name ``source``, the
    column and the first bad row as ``column[row]``. ``templates=None`` skips the template
    name check (for tools that read a stream without its templates).
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in table.column_names]
    if missing:
        raise InputError(
            f"missing required column(s) {', '.join(missing)}; columns present: "
            f"{', '.join(table.column_names) or 'none'}",
            file=source,
        )
    dupes = sorted({c for c in table.column_names if table.column_names.count(c) > 1})
    if dupes:
        raise InputError(f"duplicate column(s) {', '.join(dupes)}", file=source)
    extras = [c for c in table.column_names if c not in POD_STREAM_SCHEMA.names]
    for extra in extras:
        meant = _suspicious(extra)
        if meant:
            raise InputError(
                f"unknown column {extra!r}: did you mean {meant!r}? (extra columns are "
                "allowed, but not names this close to a pod-stream column)",
                file=source,
                path=extra,
            )
    n = table.num_rows
    cols: dict[str, pa.ChunkedArray] = {}
    for field in POD_STREAM_SCHEMA:
        if field.name in table.column_names:
            cols[field.name] = _column(table, field.name, source)
        else:
            cols[field.name] = pa.chunked_array([pa.nulls(n, field.type)])

    for name in ("arrival_ms", "template"):
        row, count = _first(pc.is_null(cols[name]))
        if count:
            raise InputError(
                f"value is required, got null{_rows(count)}", file=source, path=f"{name}[{row}]"
            )
    for name in NON_NEGATIVE_COLUMNS:
        row, count = _first(pc.less(cols[name], 0))
        if count:
            raise InputError(
                f"must be >= 0, got {cols[name][row].as_py()}{_rows(count)}",
                file=source,
                path=f"{name}[{row}]",
            )
    if templates is not None:
        known = pa.array(sorted(templates), pa.string())
        unknown = pc.invert(pc.is_in(cols["template"], value_set=known))
        row, count = _first(unknown)
        if count:
            names = pc.unique(cols["template"].filter(unknown)).to_pylist()
            shown = ", ".join(repr(x) for x in names[:5]) + (" ..." if len(names) > 5 else "")
            raise InputError(
                f"unknown template {cols['template'][row].as_py()!r}{_rows(count)}; unknown "
                f"names: {shown}; known templates: {len(known)}",
                file=source,
                path=f"template[{row}]",
            )

    if cols["name"].null_count:
        rows = pa.array(np.arange(n, dtype=np.int64))
        defaults = pc.binary_join_element_wise(cols["template"], pc.cast(rows, pa.string()), "-")
        cols["name"] = pc.coalesce(cols["name"], defaults)
    for name, pattern, what, limit in (
        ("name", DNS_SUBDOMAIN.pattern, "a DNS-1123 subdomain (lowercase letters, digits, '-', '.')", 253),
        ("namespace", DNS_LABEL.pattern, "a DNS-1123 label (lowercase letters, digits, '-')", 63),
    ):
        ok = pc.and_(
            pc.match_substring_regex(cols[name], pattern),
            pc.less_equal(pc.utf8_length(cols[name]), limit),
        )
        row, count = _first(pc.invert(ok))
        if count:
            raise InputError(
                f"{cols[name][row].as_py()!r} is not a valid pod {name}: expected {what}, "
                f"at most {limit} characters{_rows(count)}",
                file=source,
                path=f"{name}[{row}]",
            )

    out = pa.table(
        [*cols.values(), *(table.column(c) for c in extras)],
        schema=pa.schema([*POD_STREAM_SCHEMA, *(table.schema.field(c) for c in extras)]),
    )
    out = out.combine_chunks()
    arrival = out.column("arrival_ms").to_numpy()
    if n > 1 and (arrival[1:] < arrival[:-1]).any():
        # Stable: equal arrivals keep their row order.
        out = out.take(pa.array(np.argsort(arrival, kind="stable")))
    return out


def _read_table(path: Path) -> pa.Table:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return pq.read_table(path)
    if suffix == ".feather":
        return feather.read_table(path)
    if suffix in (".arrow", ".ipc"):
        try:
            with ipc.open_file(path) as reader:
                return reader.read_all()
        except pa.ArrowInvalid:
            # Not the random-access file format: maybe the streaming format.
            with path.open("rb") as f, ipc.open_stream(f) as reader:
                return reader.read_all()
    raise InputError(
        f"unsupported pod stream file type {path.suffix!r}: expected .arrow, .feather, .ipc "
        "or .parquet",
        file=str(path),
    )


def read_pod_stream(path: str | Path, *, templates: Collection[str] | None = None) -> pa.Table:
    """Read a pod stream file (Arrow IPC file or stream, Feather v2, Parquet) and validate it."""
    p = Path(path)
    if not p.exists():
        raise InputError("pod stream file not found", file=str(p))
    if not p.is_file():
        raise InputError("not a file (expected an .arrow, .feather or .parquet file)", file=str(p))
    try:
        table = _read_table(p)
    except (pa.ArrowException, OSError) as e:
        raise InputError(f"cannot read the pod stream: {e}", file=str(p)) from e
    return validate_pod_stream(table, source=str(p), templates=templates)


def write_pod_stream(table: pa.Table, path: str | Path) -> None:
    """Write a pod stream as Parquet (``.parquet``) or an Arrow IPC file (anything else)."""
    p = Path(path)
    if p.suffix.lower() == ".parquet":
        pq.write_table(table, p)
    else:
        with ipc.new_file(p, table.schema) as writer:
            writer.write_table(table)
