"""How many nodes to examine, and which feasible node wins (``schedule_one.go``).

``select_heap_go`` reproduces Go's ``container/heap`` ``Init`` literally (the readable oracle);
the kernel uses the equivalent closed form: the first node, in pre-order of the implicit
binary heap over the feasible list, whose total is the maximum.
"""

from __future__ import annotations

from engine.framework.profile import Profile

MIN_FEASIBLE_NODES_TO_FIND = 100
MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5


def num_feasible_nodes_to_find(profile: Profile | None, num_all_nodes: int, percentage: int | None = None) -> int:
    """``numFeasibleNodesToFind``: adaptive percentage (50 - n/125, floor 5) unless configured."""
    if profile is not None and not profile.scores:
        return 1
    if num_all_nodes < MIN_FEASIBLE_NODES_TO_FIND:
        return num_all_nodes
    pct = percentage if percentage is not None else (profile.percentage_of_nodes_to_score if profile else None)
    pct = pct or 0
    if pct == 0:
        pct = max(50 - num_all_nodes // 125, MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND)
    k = num_all_nodes * pct // 100
    return max(k, MIN_FEASIBLE_NODES_TO_FIND)


def select_heap_go(totals: list[int]) -> int:
    """Index that ends at the root after Go's ``heap.Init`` with less(i, j) = t[i] > t[j]."""
    order = list(range(len(totals)))
    n = len(order)

    def less(i: int, j: int) -> bool:
        return totals[order[i]] > totals[order[j]]

    def down(i0: int) -> None:
        i = i0
        while True:
            j1 = 2 * i + 1
            if j1 >= n or j1 < 0:
                break
            j = j1
            j2 = j1 + 1
            if j2 < n and less(j2, j1):
                j = j2
            if not less(j, i):
                break
            order[i], order[j] = order[j], order[i]
            i = j

    for i in range(n // 2 - 1, -1, -1):
        down(i)
    return order[0]


def select_random(totals: list[int], draw: int) -> int:
    """Uniform choice among the nodes with the top total, driven by an external random draw."""
    top = max(totals)
    tied = [i for i, t in enumerate(totals) if t == top]
    return tied[draw % len(tied)]
