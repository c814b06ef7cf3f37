"""NodeResourcesBalancedAllocation kernel: ``int64((1 - std) * 100)`` over capped fractions."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from engine.state.nodes import HOT_ALLOC_CPU, HOT_ALLOC_MEMORY, HOT_REQ_CPU, HOT_REQ_MEMORY


@njit(cache=True)
def balanced_score(requested, allocatable, n):
    count = 0
    total = 0.0
    f0 = 0.0
    f1 = 0.0
    for i in range(n):
        if allocatable[i] == 0:
            continue
        f = requested[i] / allocatable[i]
        if f > 1.0:
            f = 1.0
        if count == 0:
            f0 = f
        elif count == 1:
            f1 = f
        total += f
        count += 1
    std = 0.0
    if count == 2:
        std = abs((f0 - f1) / 2)
    elif count > 2:
        mean = total / count
        acc = 0.0
        for i in range(n):
            if allocatable[i] == 0:
                continue
            f = requested[i] / allocatable[i]
            if f > 1.0:
                f = 1.0
            acc = acc + (f - mean) * (f - mean)
        std = math.sqrt(acc / count)
    return np.int64((1.0 - std) * 100.0)


@njit(cache=True)
def score_nodes(feas, f, alloc, used, cols, scalar, want, out, fractions, total, plugin_weight):
    """BalancedAllocation score of every feasible node from plain requested and allocatable,
    into ``out`` and, times ``plugin_weight``, added to ``total``."""
    n = cols.shape[0]
    for k in range(f):
        node = feas[k]
        count = 0
        frac_sum = 0.0
        for i in range(n):
            c = cols[i]
            w = want[i]
            if c < 0 or (w == 0 and scalar[i]):
                continue
            a = alloc[node, c]
            if a == 0:
                continue
            fr = (used[node, c] + w) / a
            if fr > 1.0:
                fr = 1.0
            fractions[count] = fr
            frac_sum += fr
            count += 1
        std = 0.0
        if count == 2:
            std = abs((fractions[0] - fractions[1]) / 2)
        elif count > 2:
            mean = frac_sum / count
            acc = 0.0
            for i in range(count):
                acc = acc + (fractions[i] - mean) * (fractions[i] - mean)
            std = math.sqrt(acc / count)
        s = np.int64((1.0 - std) * 100.0)
        out[k] = s
        total[k] += s * plugin_weight


@njit(cache=True)
def score_nodes_pair(feas, f, alloc, used, c0, w0, c1, w1, out, total, plugin_weight):
    """``score_nodes`` for exactly two resources (columns ``c0``, ``c1``; pod requests
    ``w0``, ``w1``), the usual cpu and memory, written out without the fractions buffer."""
    for k in range(f):
        node = feas[k]
        s = balanced_pair(alloc[node, c0], alloc[node, c1], used[node, c0] + w0, used[node, c1] + w1)
        out[k] = s
        total[k] += s * plugin_weight


@njit(cache=True, inline="always")
def balanced_pair(a0, a1, r0, r1):
    """BalancedAllocation over two resources from scalars (allocatable ``a*``, requested
    including the pod ``r*``); a resource with allocatable 0 drops out."""
    std = 0.0
    if a0 != 0 and a1 != 0:
        f0 = min(r0 / a0, 1.0)
        f1 = min(r1 / a1, 1.0)
        std = abs((f0 - f1) / 2)
    return np.int64((1.0 - std) * 100.0)


@njit(cache=True)
def score_nodes_hot(feas, f, hot, w_cpu, w_mem, out, total, plugin_weight):
    """``score_nodes_pair`` for cpu and memory, from the ``hot`` rows int64 [N, 8]."""
    for k in range(f):
        node = feas[k]
        s = balanced_pair(hot[node, HOT_ALLOC_CPU], hot[node, HOT_ALLOC_MEMORY], hot[node, HOT_REQ_CPU] + w_cpu,
                          hot[node, HOT_REQ_MEMORY] + w_mem)
        out[k] = s
        total[k] += s * plugin_weight
