"""A min-heap of pod rows keyed by three int64s, for the scheduling queue's activeQ/backoffQ.

Entries may go stale (a pod moved or was deleted): each entry carries the pod's queue
generation at push time and is skipped on pop if the pod's generation changed since.
Arrays (H = capacity): ``k1``, ``k2``, ``k3`` int64 [H], ``row`` int64 [H], ``gen`` int64 [H];
``meta`` int64 [1] = size.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from engine.structs import struct

KEYS = ("k1", "k2", "k3", "row", "gen")
PodHeap, PodHeapType = struct("PodHeap", (*KEYS, "meta"), __name__)


def new_pod_heap(capacity: int) -> PodHeap:
    return PodHeap.of(**{k: np.zeros(capacity, dtype=np.int64) for k in KEYS}, meta=np.zeros(1, dtype=np.int64))


def grow_pod_heap(h: PodHeap, capacity: int) -> PodHeap:
    out = new_pod_heap(capacity)
    n = int(h.meta[0])
    for k in KEYS:
        getattr(out, k)[:n] = getattr(h, k)[:n]
    out.meta[:] = h.meta
    return out


@njit(cache=True)
def _less(h, i, j):
    if h.k1[i] != h.k1[j]:
        return h.k1[i] < h.k1[j]
    if h.k2[i] != h.k2[j]:
        return h.k2[i] < h.k2[j]
    return h.k3[i] < h.k3[j]


@njit(cache=True)
def _swap(h, i, j):
    h.k1[i], h.k1[j] = h.k1[j], h.k1[i]
    h.k2[i], h.k2[j] = h.k2[j], h.k2[i]
    h.k3[i], h.k3[j] = h.k3[j], h.k3[i]
    h.row[i], h.row[j] = h.row[j], h.row[i]
    h.gen[i], h.gen[j] = h.gen[j], h.gen[i]


@njit(cache=True)
def push(h, k1, k2, k3, row, gen):
    n = h.meta[0]
    if n >= h.k1.shape[0]:
        return False
    h.k1[n] = k1
    h.k2[n] = k2
    h.k3[n] = k3
    h.row[n] = row
    h.gen[n] = gen
    h.meta[0] = n + 1
    i = n
    while i > 0:
        parent = (i - 1) // 2
        if not _less(h, i, parent):
            break
        _swap(h, i, parent)
        i = parent
    return True


@njit(cache=True)
def pop(h):
    """Remove the smallest entry; returns (row, gen, k1)."""
    n = h.meta[0] - 1
    row, gen, k1 = h.row[0], h.gen[0], h.k1[0]
    h.meta[0] = n
    if n > 0:
        h.k1[0] = h.k1[n]
        h.k2[0] = h.k2[n]
        h.k3[0] = h.k3[n]
        h.row[0] = h.row[n]
        h.gen[0] = h.gen[n]
        i = 0
        while True:
            left = 2 * i + 1
            if left >= n:
                break
            j = left
            if left + 1 < n and _less(h, left + 1, left):
                j = left + 1
            if not _less(h, j, i):
                break
            _swap(h, i, j)
            i = j
    return row, gen, k1
