"""The common-case Filter pass: resources only, branch-free, one cache line per node.

Most pods in large clusters carry no hard spread constraint, no required (anti-)affinity and
no host port, and request at most three resources the fit filter checks. For them the
dynamic part of Filter is ``NodeResourcesFit`` alone, and one pass over the nodes' free
amounts decides every node (from the ``hot`` rows when the pod asks only for cpu and
memory). The general loop in ``cycle`` stays the reference for everything else. When such a
pod fits nowhere, the pass has counted the reasons, and ``fit_failures`` records each node's
status for preemption (the profile's static filters all coming first, every visited node
failed on resources alone).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from engine.framework.plugins.node_resources_fit.kernel import fit_filter
from engine.scheduler.codes import (
    F_NODE_RESOURCES_FIT,
    R_RESOURCE,
    R_TOO_MANY_PODS,
    UNRESOLVABLE,
    UNSCHEDULABLE,
)
from engine.state.nodes import (
    HOT_ALLOC_CPU,
    HOT_ALLOC_MEMORY,
    HOT_FREE_PODS,
    HOT_REQ_CPU,
    HOT_REQ_MEMORY,
)
from engine.state.resource_axis import CPU_COL, MEMORY_COL, PODS_COL

NEVER = -(np.int64(1) << 62)  # a request no free amount is below: pads unused slots
MAX_COLUMNS = 3


@njit(cache=True)
def hot_columns_only(cols, n_cols):
    """Whether the pod's checked columns are all among cpu and memory (the ``hot`` rows)."""
    for k in range(n_cols):
        if cols[k] != CPU_COL and cols[k] != MEMORY_COL:
            return False
    return True


@njit(cache=True)
def fast_filter(order, q0, n, s0, skip, pass_pos, pass_node, pp0, npass, jdx, bits_row, nom_head, nom_count, hot,
                alloc, used, cols, n_cols, pod_want, want, feas, hist):
    """Visit the examination list from position ``s0`` until ``want + 1`` nodes fit.

    ``order`` int32: node ids, examination list at ``order[q0 : q0 + n]``; with ``skip``
    only the class's pass positions ``pass_pos[pp0 : pp0 + npass]`` (ascending; their nodes
    in ``pass_node``) are visited, from index ``jdx``, else every position and ``bits_row``
    uint8 [N] (static failures) is checked. Nominated lists (``nom_head``) are looked at only
    when ``nom_count`` > 0. ``cols`` [n_cols <= MAX_COLUMNS]: the checked resource columns of ``pod_want``
    int64 [R]; read from ``hot`` int64 [N, 8] when they are cpu/memory only, else from
    ``alloc``/``used`` int64 [N, R]. Writes the feasible nodes to ``feas``.

    Returns (feasible count, position of the node that stopped the search or -1, nodes
    visited before it, whether a visited node has nominated pods). When nothing fits and
    ``skip`` is on, the resource reasons are added to ``hist`` (counted branch-free on the
    way: every visited node then failed on resources alone).
    """
    use_hot = hot_columns_only(cols, n_cols)
    c0 = c1 = c2 = np.int64(PODS_COL)
    w0 = w1 = w2 = NEVER
    if use_hot:
        c0 = np.int64(CPU_COL)
        c1 = np.int64(MEMORY_COL)
        for k in range(n_cols):
            if cols[k] == CPU_COL:
                w0 = pod_want[CPU_COL]
            else:
                w1 = pod_want[MEMORY_COL]
    else:
        if n_cols > 0:
            c0 = cols[0]
            w0 = pod_want[c0]
        if n_cols > 1:
            c1 = cols[1]
            w1 = pod_want[c1]
        if n_cols > 2:
            c2 = cols[2]
            w2 = pod_want[c2]
    if skip and use_hot and nom_count == 0:
        return _hot_pass(pass_pos, pass_node, pp0, npass, jdx, hot, w0, w1, want, feas, hist)
    f = 0
    visited = 0
    nominated = False
    n_full = n_short0 = n_short1 = n_short2 = np.int64(0)
    # the list from the start index to its end, then from its beginning: two runs without
    # a wrap-around test per node
    src = pass_node if skip else order
    base = pp0 if skip else q0
    m = npass if skip else n
    first = jdx if skip else s0
    for run in range(2):
        lo = first if run == 0 else 0
        hi = m if run == 0 else first
        for j in range(lo, hi):
            node = src[base + j]
            if nom_count > 0:
                nominated |= nom_head[node] >= 0
            if use_hot:
                full = hot[node, HOT_FREE_PODS] < 1
                short0 = w0 > hot[node, HOT_ALLOC_CPU] - hot[node, HOT_REQ_CPU]
                short1 = w1 > hot[node, HOT_ALLOC_MEMORY] - hot[node, HOT_REQ_MEMORY]
                short2 = False
            else:
                full = alloc[node, PODS_COL] - used[node, PODS_COL] < 1
                short0 = w0 > alloc[node, c0] - used[node, c0]
                short1 = w1 > alloc[node, c1] - used[node, c1]
                short2 = w2 > alloc[node, c2] - used[node, c2]
            n_full += full
            n_short0 += short0
            n_short1 += short1
            n_short2 += short2
            bad = full | short0 | short1 | short2
            if not skip:
                bad |= bits_row[node] != 0
            feas[f] = node
            f += np.int64(not bad)
            if f > want:
                return want, (pass_pos[pp0 + j] if skip else j), visited, nominated
            visited += 1
    if f == 0 and skip:
        hist[R_TOO_MANY_PODS] += n_full
        if w0 != NEVER:
            hist[R_RESOURCE + c0] += n_short0
        if w1 != NEVER:
            hist[R_RESOURCE + c1] += n_short1
        if w2 != NEVER:
            hist[R_RESOURCE + c2] += n_short2
    return f, -1, visited, nominated


@njit(cache=True)
def _hot_pass(pass_pos, pass_node, pp0, npass, jdx, hot, w0, w1, want, feas, hist):
    """``fast_filter`` over the class's pass list from the ``hot`` rows, with no nominated
    pods: the loop only collects feasible nodes (few live values, no reason counters);
    when nothing fits, a second pass counts the reasons (``_hot_reasons``)."""
    f = 0
    visited = 0
    for run in range(2):
        lo = jdx if run == 0 else 0
        hi = npass if run == 0 else jdx
        for j in range(lo, hi):
            # unsigned: no negative-index wrap-around code per access
            node = np.uint64(pass_node[pp0 + j])
            full = hot[node, HOT_FREE_PODS] < 1
            short0 = w0 > hot[node, HOT_ALLOC_CPU] - hot[node, HOT_REQ_CPU]
            short1 = w1 > hot[node, HOT_ALLOC_MEMORY] - hot[node, HOT_REQ_MEMORY]
            feas[f] = np.int32(node)
            f += np.int64(not (full | short0 | short1))
            if f > want:
                return want, pass_pos[pp0 + j], visited, False
            visited += 1
    if f == 0:
        _hot_reasons(pass_node, pp0, npass, hot, w0, w1, hist)
    return f, -1, visited, False


@njit(cache=True)
def _hot_reasons(pass_node, pp0, npass, hot, w0, w1, hist):
    """NodeResourcesFit's reason counts over the pass list (every node failed)."""
    n_full = n_short0 = n_short1 = np.int64(0)
    for j in range(npass):
        node = np.uint64(pass_node[pp0 + j])
        n_full += hot[node, HOT_FREE_PODS] < 1
        n_short0 += w0 > hot[node, HOT_ALLOC_CPU] - hot[node, HOT_REQ_CPU]
        n_short1 += w1 > hot[node, HOT_ALLOC_MEMORY] - hot[node, HOT_REQ_MEMORY]
    hist[R_TOO_MANY_PODS] += n_full
    if w0 != NEVER:
        hist[R_RESOURCE + CPU_COL] += n_short0
    if w1 != NEVER:
        hist[R_RESOURCE + MEMORY_COL] += n_short1


@njit(cache=True)
def fit_failures(order, q0, pass_pos, pp0, npass, jdx, alloc, used, cols, n_cols, pod_want, ex_node, ex_code,
                 ex_plugin, ex_detail):
    """NodeResourcesFit's verdict on each of the class's pass positions (all failed), visited
    from index ``jdx`` on like the general loop, into ``ex_*`` as the general loop records
    them (preemption reads them). Returns the number of nodes visited."""
    flag = np.int64(1) << 62
    for i in range(npass):
        if jdx == npass:
            jdx = 0
        node = order[q0 + pass_pos[pp0 + jdx]]
        jdx += 1
        detail, unresolvable = fit_filter(pod_want, cols, n_cols, alloc, used, node)
        ex_node[i] = node
        ex_code[i] = UNRESOLVABLE if unresolvable else UNSCHEDULABLE
        ex_plugin[i] = F_NODE_RESOURCES_FIT
        ex_detail[i] = detail | flag
    return npass
