"""Reading trace CSVs line by line, keeping good rows and accounting for the bad ones.

Trace files are plain comma-separated text without quoting. Each physical line is read as
one string (pyarrow's streaming CSV reader, so ``limit`` stops early and blank lines keep
their place), then split and parsed with polars in bulk. A row that does not parse is not
fatal: it is skipped, counted by reason and located by file and line in the
``FileSummary``. Only an unreadable file, or one where no row has the expected shape, raises
``InputError``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.csv as pa_csv

from engine.errors import InputError
from workloads.traces.workload import EXAMPLES_PER_REASON, FileSummary

_TEXT = "__text"
_FIELDS = "__fields"
LINE = "line"


@dataclass(frozen=True)
class Field:
    """One CSV column: name, type (``str``, ``int``, ``float``), whether empty is an error.

    Numeric values below ``minimum`` (when set) are malformed.
    """

    name: str
    kind: str = "int"
    required: bool = True
    minimum: float | None = 0


def check_file(path: str | Path) -> Path:
    p = Path(path)
    if not p.exists():
        raise InputError("trace file not found", file=str(p))
    if not p.is_file():
        raise InputError("not a file", file=str(p))
    return p


def read_lines(
    path: str | Path, *, limit: int | None, header: bool | None
) -> tuple[list[str] | None, pl.DataFrame]:
    """(header fields or None, frame of ``line`` number and raw ``__text``) for data lines.

    ``header=None`` detects a header: the first line is one when its first field is not an
    integer (some copies of headerless traces had a header added). ``limit`` counts data
    lines.
    """
    p = check_file(path)
    want = None if limit is None else limit + 1  # at most one header line
    parse = pa_csv.ParseOptions(delimiter="\x1f", quote_char=False, ignore_empty_lines=False)
    read = pa_csv.ReadOptions(column_names=[_TEXT], block_size=1 << 20)
    convert = pa_csv.ConvertOptions(column_types={_TEXT: pa.string()}, strings_can_be_null=False)
    batches = []
    try:
        with pa_csv.open_csv(
            p, read_options=read, parse_options=parse, convert_options=convert
        ) as reader:
            got = 0
            for batch in reader:
                batches.append(batch)
                got += batch.num_rows
                if want is not None and got >= want:
                    break
    except (pa.ArrowException, OSError) as e:
        message = str(e).splitlines()[0] if str(e) else type(e).__name__
        if "Empty CSV file" in message:
            raise InputError("the file is empty", file=str(p)) from e
        raise InputError(f"cannot read the file as text CSV: {message}", file=str(p)) from e
    if not batches:
        raise InputError("the file is empty", file=str(p))
    text = pl.from_arrow(pa.Table.from_batches(batches)).get_column(_TEXT)
    first = text[0].split(",")[0].strip() if len(text) else ""
    if header is None:
        header = not _is_int(first)
    names = [f.strip() for f in text[0].split(",")] if header else None
    start = 1 if header else 0
    frame = pl.DataFrame({_TEXT: text}).with_row_index(LINE, offset=1).slice(start, limit)
    return names, frame.with_columns(pl.col(LINE).cast(pl.Int64))


def _is_int(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


def reject(
    frame: pl.DataFrame,
    bad: pl.Expr,
    reason: str,
    fs: FileSummary,
    detail: pl.Expr | None = None,
) -> pl.DataFrame:
    """Drop rows where ``bad`` is true (null counts as false), counting them in ``fs``."""
    flag = frame.select(bad.fill_null(False)).to_series()
    count = int(flag.sum())
    if not count:
        return frame
    flagged = frame.filter(flag).head(EXAMPLES_PER_REASON)
    details = flagged.select(detail) if detail is not None else None
    located = [
        (line, "" if details is None else str(details.row(i)[0]))
        for i, line in enumerate(flagged.get_column(LINE).to_list())
    ]
    fs.skip(reason, located, count)
    return frame.filter(~flag)


def parse_rows(
    frame: pl.DataFrame,
    fields: Sequence[Field],
    *,
    positions: Sequence[int],
    n_fields: int,
    fs: FileSummary,
    what: str,
) -> pl.DataFrame:
    """Split raw lines and parse ``fields`` (taken at ``positions``); bad rows are skipped.

    Returns ``line`` plus one typed column per field. ``what`` names the expected file for
    the one fatal error: no row at all with ``n_fields`` fields.
    """
    fs.rows_read += frame.height
    text = pl.col(_TEXT)
    frame = reject(frame, text == "", "blank line", fs)
    frame = reject(
        frame,
        text.str.contains('"', literal=True),
        "quoted field",
        fs,
        pl.lit("quotes are not part of this format"),
    )
    frame = frame.with_columns(text.str.split(",").alias(_FIELDS))
    width = pl.col(_FIELDS).list.len()
    if frame.height and not frame.select((width == n_fields).any()).item():
        got = frame.get_column(_FIELDS)[0].len()
        raise InputError(
            f"no row has the {n_fields} comma-separated fields of {what} (the first data "
            f"row has {got}): wrong file or wrong format?",
            file=fs.path,
            line=int(frame.get_column(LINE)[0]),
        )
    frame = reject(
        frame,
        width != n_fields,
        "wrong number of fields",
        fs,
        pl.format("{} fields, expected {}", width, pl.lit(n_fields)),
    )
    frame = frame.with_columns(
        pl.col(_FIELDS).list.get(pos).str.strip_chars().alias(f.name)
        for f, pos in zip(fields, positions, strict=True)
    )
    for f in fields:
        raw = pl.col(f.name)
        if f.required:
            frame = reject(frame, raw == "", f"missing {f.name}", fs)
        if f.kind == "str":
            frame = frame.with_columns(pl.when(raw == "").then(None).otherwise(raw).alias(f.name))
            continue
        dtype = pl.Int64 if f.kind == "int" else pl.Float64
        parsed = raw.cast(dtype, strict=False)
        if f.kind == "float":
            parsed = pl.when(parsed.is_finite()).then(parsed)
        noun = "an integer" if f.kind == "int" else "a finite number"
        frame = reject(
            frame,
            (raw != "") & parsed.is_null(),
            f"{f.name} is not {noun}",
            fs,
            pl.format("got '{}'", raw),
        )
        frame = frame.with_columns(parsed.alias(f.name))
        if f.minimum is not None:
            frame = reject(
                frame,
                raw < f.minimum,
                f"{f.name} below {f.minimum:g}",
                fs,
                pl.format("got {}", raw),
            )
    return frame.select(LINE, *(f.name for f in fields))


def header_positions(
    header: list[str], names: Sequence[str], *, fs: FileSummary, what: str
) -> list[int]:
    """Positions of ``names`` in a header row; InputError listing what is missing."""
    missing = [n for n in names if n not in header]
    if missing:
        raise InputError(
            f"the header lacks column(s) {', '.join(missing)} of {what}; header has: "
            f"{', '.join(header)}",
            file=fs.path,
            line=1,
        )
    return [header.index(n) for n in names]
