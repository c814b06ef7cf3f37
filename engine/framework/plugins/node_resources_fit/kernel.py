"""NodeResourcesFit kernels: the fit filter and LeastAllocated / MostAllocated / RTCR scores.

Inputs are rows of the state arrays: ``want`` int64 [R] pod requests, ``alloc`` and
``used`` int64 [R] node allocatable and requested, ``scalar``/``ignored`` uint8 [R].
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from engine.scheduler.arith import exact_div
from engine.scheduler.codes import (
    DETAIL_TOO_MANY_PODS,
    LEAST_ALLOCATED,
    MOST_ALLOCATED,
)
from engine.state.nodes import HOT_ALLOC_CPU, HOT_ALLOC_MEMORY, HOT_NZ_CPU, HOT_NZ_MEMORY
from engine.state.resource_axis import CPU_COL, MEMORY_COL, PODS_COL

MAX_NODE_SCORE = 100


@njit(cache=True, inline="always")
def checked_columns(want, scalar, ignored, out):
    """The resource columns the fit filter checks for a pod: requested (> 0), not the pod
    count, not an ignored extended resource. Writes them to ``out``; returns how many."""
    n = 0
    for c in range(want.shape[0]):
        if c == PODS_COL or want[c] <= 0 or (scalar[c] and ignored[c]):
            continue
        out[n] = c
        n += 1
    return n


@njit(cache=True, inline="always")
def fit_filter(want, cols, n_cols, alloc, used, node):
    """``fitsRequest`` of pod requests ``want`` [R] on row ``node`` of ``alloc``/``used`` [N, R],
    over the ``n_cols`` columns in ``cols`` (see ``checked_columns``).

    Returns (detail bits, unresolvable); bit c marks resource column c.
    """
    detail = np.int64(0)
    unresolvable = False
    if used[node, PODS_COL] + 1 > alloc[node, PODS_COL]:
        detail |= DETAIL_TOO_MANY_PODS
    for i in range(n_cols):
        c = cols[i]
        w = want[c]
        if w > alloc[node, c] - used[node, c]:
            detail |= np.int64(1) << c
            if w > alloc[node, c]:
                unresolvable = True
    return detail, unresolvable


@njit(cache=True)
def go_div(a, b):
    """Go integer division (truncates toward zero)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


@njit(cache=True)
def broken_linear(shape_u, shape_s, p):
    for i in range(shape_u.shape[0]):
        if p <= shape_u[i]:
            if i == 0:
                return shape_s[0]
            return shape_s[i - 1] + go_div((shape_s[i] - shape_s[i - 1]) * (p - shape_u[i - 1]), shape_u[i] - shape_u[i - 1])
    return shape_s[shape_s.shape[0] - 1]


@njit(cache=True)
def go_round(x):
    """Go ``math.Round``: half away from zero."""
    r = math.floor(abs(x) + 0.5)
    return np.int64(r) if x >= 0 else -np.int64(r)


@njit(cache=True)
def strategy_score(strategy, weights, shape_u, shape_s, requested, allocatable, n):
    """Weighted score over ``n`` resources; allocatable 0 drops a resource."""
    score = np.int64(0)
    wsum = np.int64(0)
    for i in range(n):
        a = allocatable[i]
        if a == 0:
            continue
        r = requested[i]
        if strategy == LEAST_ALLOCATED:
            s = np.int64(0) if r > a else (a - r) * MAX_NODE_SCORE // a
        elif strategy == MOST_ALLOCATED:
            s = min(r, a) * MAX_NODE_SCORE // a
        else:
            u = np.int64(100) if r > a else r * 100 // a
            s = broken_linear(shape_u, shape_s, u)
            if s <= 0:
                continue
        score += s * weights[i]
        wsum += weights[i]
    if wsum == 0:
        return np.int64(0)
    if strategy == LEAST_ALLOCATED or strategy == MOST_ALLOCATED:
        return score // wsum
    return go_round(score / wsum)


@njit(cache=True)
def resource_pairs(cols, scalar_cfg, pod_want, alloc, used, nonzero, node, use_nonzero, req_out, alloc_out):
    """``calculateResourceAllocatableRequest`` for each configured resource on ``node``.

    ``cols`` int32 [n]: axis column per configured resource (-1: not tracked); ``pod_want``
    int64 [n]: the pod's request per configured resource; ``alloc``/``used`` int64 [N, R];
    ``nonzero`` int64 [N, 2]. Fills req_out/alloc_out (0, 0 drops a resource).
    """
    for i in range(cols.shape[0]):
        c = cols[i]
        w = pod_want[i]
        req_out[i] = 0
        alloc_out[i] = 0
        if c < 0 or (w == 0 and scalar_cfg[i]):
            continue
        a = alloc[node, c]
        if a == 0:
            continue
        if use_nonzero and c == CPU_COL:
            base = nonzero[node, 0]
        elif use_nonzero and c == MEMORY_COL:
            base = nonzero[node, 1]
        else:
            base = used[node, c]
        alloc_out[i] = a
        req_out[i] = base + w


@njit(cache=True)
def score_nodes(feas, f, alloc, used, nonzero, cols, scalar, weights, want, use_nonzero,
                strategy, shape_u, shape_s, out, total, plugin_weight):
    """Score of every feasible node for the configured resources (``resource_allocation.go``),
    into ``out`` and, times ``plugin_weight``, added to ``total``.

    ``want`` int64 [n]: the pod's request per configured resource (non-zero variant for cpu
    and memory when ``use_nonzero``); a resource the node lacks (allocatable 0), or a scalar
    the pod does not request, drops out of the weighted mean.
    """
    n = cols.shape[0]
    for k in range(f):
        node = feas[k]
        score = np.int64(0)
        wsum = np.int64(0)
        for i in range(n):
            c = cols[i]
            w = want[i]
            if c < 0 or (w == 0 and scalar[i]):
                continue
            a = alloc[node, c]
            if a == 0:
                continue
            if use_nonzero and c == CPU_COL:
                r = nonzero[node, 0] + w
            elif use_nonzero and c == MEMORY_COL:
                r = nonzero[node, 1] + w
            else:
                r = used[node, c] + w
            if strategy == LEAST_ALLOCATED:
                s = np.int64(0) if r > a else exact_div((a - r) * MAX_NODE_SCORE, a)
            elif strategy == MOST_ALLOCATED:
                s = exact_div(min(r, a) * MAX_NODE_SCORE, a)
            else:
                u = np.int64(100) if r > a else r * 100 // a
                s = broken_linear(shape_u, shape_s, u)
                if s <= 0:
                    continue
            score += s * weights[i]
            wsum += weights[i]
        if wsum == 0:
            s = np.int64(0)
        elif strategy == LEAST_ALLOCATED or strategy == MOST_ALLOCATED:
            s = exact_div(score, wsum)
        else:
            s = go_round(score / wsum)
        out[k] = s
        total[k] += s * plugin_weight



SRC_NONZERO_CPU = 0
SRC_NONZERO_MEMORY = 1
SRC_REQUESTED = 2
MAX_FAST_RESOURCES = 3


@njit(cache=True, inline="always")
def allocated_term(a, r, w, most):
    """One resource's weighted LeastAllocated (MostAllocated with ``most``) term and the weight
    it adds, from scalars: allocatable ``a``, requested including the pod ``r``, weight ``w``.
    A resource with weight 0 or allocatable 0 takes no part: (0, 0)."""
    if w == 0 or a == 0:
        return np.int64(0), np.int64(0)
    if most:
        return exact_div(min(r, a) * MAX_NODE_SCORE, a) * w, w
    if r <= a:
        return exact_div((a - r) * MAX_NODE_SCORE, a) * w, w
    return np.int64(0), w


@njit(cache=True)
def allocated_scores(feas, f, alloc, used, nonzero, act_col, act_src, act_want, act_w, n_act, most, out, total,
                     plugin_weight):
    """LeastAllocated (or, with ``most``, MostAllocated) score of every feasible node.

    ``score_nodes``'s rule, unrolled for the usual few resources: the pod's active resources
    (at most ``MAX_FAST_RESOURCES``) come prepared as ``act_col`` axis column, ``act_src``
    source of the node's request (``SRC_*``: non-zero cpu/memory sums or ``used``),
    ``act_want`` the pod's request and ``act_w`` the weight (int64 [n_act] each); unused
    slots carry weight 0 and add nothing. (Unrolled per slot, the per-slot term a scalar
    helper: a helper taking the arrays would cost reference counting on every call.)
    """
    c0 = c1 = c2 = np.int64(0)
    s0 = s1 = s2 = np.int64(SRC_REQUESTED)
    q0 = q1 = q2 = np.int64(0)
    w0 = w1 = w2 = np.int64(0)
    if n_act > 0:
        c0, s0, q0, w0 = act_col[0], act_src[0], act_want[0], act_w[0]
    if n_act > 1:
        c1, s1, q1, w1 = act_col[1], act_src[1], act_want[1], act_w[1]
    if n_act > 2:
        c2, s2, q2, w2 = act_col[2], act_src[2], act_want[2], act_w[2]
    for k in range(f):
        node = feas[k]
        r0 = (used[node, c0] if s0 == SRC_REQUESTED else nonzero[node, s0]) + q0
        r1 = (used[node, c1] if s1 == SRC_REQUESTED else nonzero[node, s1]) + q1
        r2 = (used[node, c2] if s2 == SRC_REQUESTED else nonzero[node, s2]) + q2
        p0, v0 = allocated_term(alloc[node, c0], r0, w0, most)
        p1, v1 = allocated_term(alloc[node, c1], r1, w1, most)
        p2, v2 = allocated_term(alloc[node, c2], r2, w2, most)
        score = p0 + p1 + p2
        wsum = v0 + v1 + v2
        s = exact_div(score, wsum) if wsum > 0 else np.int64(0)
        out[k] = s
        total[k] += s * plugin_weight


@njit(cache=True, inline="always")
def allocated_pair(a_cpu, a_mem, r_cpu, r_mem, w_cpu, w_mem, most):
    """LeastAllocated (MostAllocated with ``most``) score over cpu and memory from scalars:
    allocatable ``a_*``, requested including the pod ``r_*``, weights ``w_*`` (0: not taking
    part; allocatable 0 drops a resource)."""
    p_cpu, v_cpu = allocated_term(a_cpu, r_cpu, w_cpu, most)
    p_mem, v_mem = allocated_term(a_mem, r_mem, w_mem, most)
    score = p_cpu + p_mem
    wsum = v_cpu + v_mem
    return exact_div(score, wsum) if wsum > 0 else np.int64(0)


@njit(cache=True)
def allocated_scores_hot(feas, f, hot, q_cpu, w_cpu, q_mem, w_mem, most, out, total, plugin_weight):
    """``allocated_scores`` for cpu and memory alone (weight 0: not taking part), from the
    ``hot`` rows int64 [N, 8] (allocatable and non-zero requested in one cache line)."""
    for k in range(f):
        node = feas[k]
        s = allocated_pair(hot[node, HOT_ALLOC_CPU], hot[node, HOT_ALLOC_MEMORY], hot[node, HOT_NZ_CPU] + q_cpu,
                           hot[node, HOT_NZ_MEMORY] + q_mem, w_cpu, w_mem, most)
        out[k] = s
        total[k] += s * plugin_weight
