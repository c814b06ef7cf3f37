"""Results of one scheduling cycle, shared by the reference scheduler and the kernel facade.

Both implementations fill the same structures, so tests compare them field by field and the
CLI renders either.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

NO_NODE_AVAILABLE = "0/{n} nodes are available"


@dataclass
class NodeVerdict:
    """One examined node: filter outcome, per-plugin final scores (before weight), total."""

    name: str
    feasible: bool
    status: str | None = None  # "Unschedulable" | "UnschedulableAndUnresolvable"
    plugin: str | None = None
    reasons: list[str] = field(default_factory=list)
    scores: dict[str, int] = field(default_factory=dict)
    total: int | None = None

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "feasible": self.feasible,
            "status": self.status,
            "plugin": self.plugin,
            "reasons": list(self.reasons),
            "scores": dict(self.scores),
            "total": self.total,
        }


@dataclass
class CycleResult:
    """Outcome of scheduling one pod.

    ``nodes``: every node that was processed, in examination order (with explain's
    examine-all mode: every node). ``message``: upstream's FailedScheduling text when no node
    was selected.
    """

    pod: str
    selected: str | None
    nodes: list[NodeVerdict] = field(default_factory=list)
    message: str | None = None
    num_all_nodes: int = 0
    next_start_index: int = 0

    @property
    def feasible(self) -> list[NodeVerdict]:
        return [n for n in self.nodes if n.feasible]


def fit_error_message(
    num_all_nodes: int,
    reason_counts: Mapping[str, int],
    prefilter_message: str | None = None,
    postfilter_message: str | None = None,
) -> str:
    """``FitError.Error()``: "0/N nodes are available: <count> <reason>, ... ."

    ``reason_counts`` counts every reason of every failed node (a node failing NodeResourcesFit
    for cpu and memory counts in both). "count reason" strings are sorted as strings, so
    "10 x" sorts before "2 y", as upstream does.
    """
    msg = NO_NODE_AVAILABLE.format(n=num_all_nodes) + ":"
    if prefilter_message:
        msg += f" {prefilter_message}."
    else:
        parts = sorted(f"{v} {k}" for k, v in reason_counts.items() if v > 0)
        if parts:
            msg += f" {', '.join(parts)}."
    if postfilter_message:
        msg += f" {postfilter_message}"
    return msg


def count_reasons(verdicts: list[NodeVerdict], absent: int = 0, absent_reason: str = "") -> Counter[str]:
    counts: Counter[str] = Counter()
    for v in verdicts:
        if not v.feasible:
            counts.update(v.reasons)
    if absent:
        counts[absent_reason] += absent
    return counts
