"""The common-case Filter pass: resources only, branch-free, over one row per node.

Most pods in large clusters carry no hard spread constraint, no required (anti-)affinity and
no host port, and request at most three resources the fit filter checks. For them the
dynamic part of Filter is ``NodeResourcesFit`` alone, and one pass over ``free`` (allocatable
minus requested) decides every node. The general loop in ``cycle`` stays the reference for
everything else, and for pods that fit nowhere (whose per-node reasons are reported).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from engine.state.resource_axis import PODS_COL

NEVER = -(np.int64(1) << 62)  # a request no free amount is below: pads unused columns


@njit(cache=True)
def fast_filter(order, q0, n, s0, skip, pass_pos, pp0, npass, jdx, bits_row, nom_head, free, cols, n_cols,
                pod_want, want, feas):
    """Visit the examination list from position ``s0`` until ``want + 1`` nodes fit.

    ``order`` int32: node ids, examination list at ``order[q0 : q0 + n]``; with ``skip``
    only the class's pass positions ``pass_pos[pp0 : pp0 + npass]`` (ascending) are visited,
    from index ``jdx``, else every position and ``bits_row`` uint8 [N] (static failures) is
    checked. ``free`` int64 [N, R]; ``cols`` [n_cols <= 3] the checked resource columns of
    ``pod_want`` int64 [R]. Writes the feasible nodes to ``feas``.

    Returns (feasible count, position of the node that stopped the search or -1, nodes
    visited before it, whether a visited node has nominated pods).
    """
    c0 = PODS_COL
    c1 = PODS_COL
    c2 = PODS_COL
    w0 = NEVER
    w1 = NEVER
    w2 = NEVER
    if n_cols > 0:
        c0 = cols[0]
        w0 = pod_want[c0]
    if n_cols > 1:
        c1 = cols[1]
        w1 = pod_want[c1]
    if n_cols > 2:
        c2 = cols[2]
        w2 = pod_want[c2]
    f = 0
    visited = 0
    nominated = False
    k = s0
    steps = npass if skip else n
    for _ in range(steps):
        if skip:
            if jdx == npass:
                jdx = 0
            pos = pass_pos[pp0 + jdx]
            jdx += 1
        else:
            pos = k
            k += 1
            if k == n:
                k = 0
        node = order[q0 + pos]
        nominated |= nom_head[node] >= 0
        bad = free[node, PODS_COL] < 1
        if not skip:
            bad |= bits_row[node] != 0
        bad |= w0 > free[node, c0]
        bad |= w1 > free[node, c1]
        bad |= w2 > free[node, c2]
        feas[f] = node
        f += np.int64(not bad)
        if f > want:
            return want, pos, visited, nominated
        visited += 1
    return f, -1, visited, nominated
