"""What a trace reader returns: the cluster, the pod templates, the pod stream and a summary.

The summary is the reader's account of the input: how many rows each file had, how many it
kept, every skipped row counted by reason (with the first few located as ``file:line``), and
the unit conversions and choices it made, so a person can check a replay against the trace.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from engine.objects import Node, Pod

# Located examples kept per skip reason and file (the counts are always complete).
EXAMPLES_PER_REASON = 5


@dataclass
class FileSummary:
    """Row accounting for one input file. ``line`` numbers are 1-based physical lines."""

    path: str
    rows_read: int = 0
    rows_kept: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    examples: list[tuple[int, str]] = field(default_factory=list)
    row_word: str = "rows"
    # "line": CSV line numbers (1-based), shown as file:N; "row": table rows (0-based).
    locate: str = "line"

    def skip(self, reason: str, located: list[tuple[int, str]], count: int) -> None:
        """Count ``count`` skipped rows for ``reason``; ``located`` = (line, detail) examples."""
        if count <= 0:
            return
        self.skipped[reason] += count
        for line, detail in located[:EXAMPLES_PER_REASON]:
            self.examples.append((line, f"{reason} ({detail})" if detail else reason))

    @property
    def rows_skipped(self) -> int:
        return sum(self.skipped.values())

    @property
    def problems(self) -> list[str]:
        """``file:line: reason (detail)`` (``file row N: ...``) for the examples, in order."""
        if self.locate == "row":
            return [f"{self.path} row {row}: {what}" for row, what in sorted(self.examples)]
        return [f"{self.path}:{line}: {what}" for line, what in sorted(self.examples)]

    def render(self) -> str:
        name = Path(self.path).name
        text = (
            f"read {self.rows_read} {self.row_word} from {name}, kept {self.rows_kept}, "
            f"skipped {self.rows_skipped}"
        )
        if self.skipped:
            reasons = ", ".join(f"{n} {r}" for r, n in sorted(self.skipped.items()))
            text += f" ({reasons})"
        return text


@dataclass
class ReadSummary:
    """A trace reader's account of its input (see ``render``)."""

    format: str
    files: list[FileSummary] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    pods: int = 0
    nodes: int | None = None
    templates: int = 0

    def add_file(
        self, path: str | Path, row_word: str = "rows", locate: str = "line"
    ) -> FileSummary:
        fs = FileSummary(str(path), row_word=row_word, locate=locate)
        self.files.append(fs)
        return fs

    @property
    def source_files(self) -> list[str]:
        return [f.path for f in self.files]

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_kept(self) -> int:
        return sum(f.rows_kept for f in self.files)

    @property
    def rows_skipped(self) -> int:
        return sum(f.rows_skipped for f in self.files)

    @property
    def skipped(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for f in self.files:
            total.update(f.skipped)
        return total

    @property
    def problems(self) -> list[str]:
        return [p for f in self.files for p in f.problems]

    def render(self) -> str:
        """A few lines for people: per-file counts, located problems, result, notes."""
        lines = [f"{self.format}: {f.render()}" for f in self.files]
        problems = self.problems
        if problems:
            lines.append("skipped rows (first examples per reason):")
            lines.extend(f"  {p}" for p in problems)
        nodes = "no node list" if self.nodes is None else f"{self.nodes} nodes"
        lines.append(f"result: {self.pods} pods, {self.templates} templates, {nodes}")
        lines.extend(f"note: {n}" for n in self.notes)
        return "\n".join(lines)


@dataclass
class TraceWorkload:
    """A trace read into podbench's form: ``stream`` rows name keys of ``templates``.

    ``nodes`` is None when the trace has no cluster description (the user supplies nodes).
    """

    nodes: list[Node] | None
    templates: dict[str, Pod]
    stream: pa.Table
    summary: ReadSummary
