"""Normalization kernels (``DefaultNormalizeScore`` and friends) over the feasible list."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def default_normalize(scores, n, reverse):
    """Scale by the maximum to [0, 100] (integer division); reverse flips; all-zero: 100 or 0."""
    top = np.int64(0)
    for i in range(n):
        if scores[i] > top:
            top = scores[i]
    for i in range(n):
        if top == 0:
            scores[i] = 100 if reverse else scores[i]
        else:
            s = 100 * scores[i] // top
            scores[i] = 100 - s if reverse else s


TABLE_MAX = 1024  # raw scores up to this use a lookup table instead of a division per node


@njit(cache=True, inline="always")
def table_add(table, lo, buf, f, total, weight):
    """Replace each raw score ``buf[i]`` (between ``lo`` and ``lo + TABLE_MAX``) by its
    normalized score ``table[buf[i] - lo]``, and add it times ``weight`` to ``total[i]``."""
    for i in range(f):
        s = table[buf[i] - lo]
        buf[i] = s
        total[i] += s * weight


@njit(cache=True)
def gather_normalize_add(row, feas, f, reverse, buf, total, weight, explain, table):
    """``DefaultNormalizeScore`` of ``row[feas[i]]`` added (times ``weight``) to ``total``.

    With no explain output, an all-zero input adds the same value to every node, which
    cannot change the choice, so the work is skipped. Raw scores are small integers (counts,
    summed term weights): when the largest is at most ``TABLE_MAX`` and below the number of
    nodes, each possible value's score is computed once into ``table`` int64
    [TABLE_MAX + 1] and looked up.
    """
    top = np.int64(0)
    for i in range(f):
        v = np.int64(row[np.uint64(feas[i])])  # unsigned index: no wrap-around code
        buf[i] = v
        if v > top:
            top = v
    if top == 0:
        if explain:
            for i in range(f):
                buf[i] = 100 if reverse else 0
                total[i] += buf[i] * weight
        return
    if top <= TABLE_MAX and top < f:
        for v in range(top + 1):
            s = 100 * v // top
            table[v] = 100 - s if reverse else s
        table_add(table, 0, buf, f, total, weight)
        return
    # 100 * v // top with v <= top: a float64 division is exact at these magnitudes and,
    # unlike an integer division, pipelines (and vectorizes).
    for i in range(f):
        s = np.int64(100.0 * buf[i] / top)
        if reverse:
            s = 100 - s
        buf[i] = s
        total[i] += s * weight
