"""Score normalization helpers shared by plugins (``plugins/helper/normalize_score.go``)."""

from __future__ import annotations

MAX_NODE_SCORE = 100


def default_normalize_score(scores: list[int], reverse: bool, max_priority: int = MAX_NODE_SCORE) -> list[int]:
    """Scale to [0, max_priority] by the maximum (integer division); reverse flips it."""
    top = max(scores, default=0)
    if top == 0:
        return [max_priority] * len(scores) if reverse else list(scores)
    out = []
    for s in scores:
        s = max_priority * s // top
        out.append(max_priority - s if reverse else s)
    return out
