"""Small polars helpers shared by the trace readers (validity checks, hand-off to Arrow)."""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from engine.labels import DNS_SUBDOMAIN, LABEL_VALUE


def is_dns_subdomain(expr: pl.Expr, max_len: int = 253) -> pl.Expr:
    return expr.str.contains(DNS_SUBDOMAIN.pattern) & (expr.str.len_chars() <= max_len)


def is_label_value(expr: pl.Expr) -> pl.Expr:
    """A valid label value (null counts as valid: no label)."""
    return expr.is_null() | (expr.str.contains(LABEL_VALUE.pattern) & (expr.str.len_chars() <= 63))


def key_frame(names: dict[tuple, str], columns: dict[str, pl.DataType]) -> pl.DataFrame:
    """A join table from key tuples (one value per column) to the ``template`` name."""
    data: dict[str, list] = {c: [k[i] for k in names] for i, c in enumerate(columns)}
    data["template"] = list(names.values())
    return pl.DataFrame(data, schema={**columns, "template": pl.Utf8})


def to_arrow(frame: pl.DataFrame) -> pa.Table:
    """polars -> Arrow with plain ``string`` columns (polars may emit string views)."""
    table = frame.to_arrow()
    fields = [
        pa.field(f.name, pa.string())
        if pa.types.is_string_view(f.type) or pa.types.is_large_string(f.type)
        else f
        for f in table.schema
    ]
    return table.cast(pa.schema(fields))
