"""Taint/toleration matching (core/v1 ``ToleratesTaint``), shared by every user of taints."""

from __future__ import annotations

from collections.abc import Iterable

from engine.labels import parse_go_int
from engine.objects import NO_EXECUTE, NO_SCHEDULE, Taint, Toleration


def tolerates(toleration: Toleration, taint: Taint, comparison_operators: bool = False) -> bool:
    """Whether one toleration tolerates one taint (empty key/effect are wildcards)."""
    if toleration.effect and toleration.effect != taint.effect:
        return False
    if toleration.key and toleration.key != taint.key:
        return False
    op = toleration.operator
    if op in ("", "Equal"):
        return toleration.value == taint.value
    if op == "Exists":
        return True
    if op in ("Gt", "Lt") and comparison_operators:
        have, limit = parse_go_int(taint.value), parse_go_int(toleration.value)
        if have is None or limit is None:
            return False
        return have > limit if op == "Gt" else have < limit
    return False


def tolerated_by_any(
    taint: Taint, tolerations: Iterable[Toleration], comparison_operators: bool = False
) -> bool:
    return any(tolerates(t, taint, comparison_operators) for t in tolerations)


def first_untolerated(
    taints: Iterable[Taint],
    tolerations: Iterable[Toleration],
    effects: tuple[str, ...] = (NO_SCHEDULE, NO_EXECUTE),
    comparison_operators: bool = False,
) -> Taint | None:
    """``FindMatchingUntoleratedTaint``: the first taint with one of ``effects`` not tolerated."""
    tolerations = list(tolerations)
    for taint in taints:
        if taint.effect in effects and not tolerated_by_any(taint, tolerations, comparison_operators):
            return taint
    return None
