"""A binary min-heap in NumPy arrays, for Numba: the simulator's timed events and its
scheduling queue (activeQ, backoffQ).

Entries are ordered by three int64 keys, then by the heap's own push counter, so entries with
equal keys pop in the order they were pushed — the simulator is deterministic. Timed events
are keyed (time, 0, 0); the queues' keys are in ``engine.simulator.core``. Entries carry a
payload (kind, row, aux). Arrays (H = capacity): ``k1``, ``k2``, ``k3``, ``seq`` int64 [H],
``kind`` int32 [H], ``row`` int64 [H], ``aux`` int64 [H]; ``meta`` int64 [2] = (size, next seq).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from engine.structs import struct

COLUMNS = ("k1", "k2", "k3", "seq", "kind", "row", "aux")
Heap, HeapType = struct("Heap", (*COLUMNS, "meta"), __name__)


def new_heap(capacity: int) -> Heap:
    columns = {c: np.zeros(capacity, dtype=np.int32 if c == "kind" else np.int64) for c in COLUMNS}
    return Heap.of(**columns, meta=np.zeros(2, dtype=np.int64))


def grow_heap(h: Heap, capacity: int) -> Heap:
    out = new_heap(capacity)
    n = int(h.meta[0])
    for c in COLUMNS:
        getattr(out, c)[:n] = getattr(h, c)[:n]
    out.meta[:] = h.meta
    return out


@njit(cache=True)
def _before(h, i, k1, k2, k3, seq):
    """Whether entry ``i`` orders before the key (k1, k2, k3, seq)."""
    if h.k1[i] != k1:
        return h.k1[i] < k1
    if h.k2[i] != k2:
        return h.k2[i] < k2
    if h.k3[i] != k3:
        return h.k3[i] < k3
    return h.seq[i] < seq


@njit(cache=True)
def _move(h, dst, src):
    h.k1[dst] = h.k1[src]
    h.k2[dst] = h.k2[src]
    h.k3[dst] = h.k3[src]
    h.seq[dst] = h.seq[src]
    h.kind[dst] = h.kind[src]
    h.row[dst] = h.row[src]
    h.aux[dst] = h.aux[src]


@njit(cache=True)
def _put(h, i, k1, k2, k3, seq, kind, row, aux):
    h.k1[i] = k1
    h.k2[i] = k2
    h.k3[i] = k3
    h.seq[i] = seq
    h.kind[i] = kind
    h.row[i] = row
    h.aux[i] = aux


@njit(cache=True)
def push_keys(h, k1, k2, k3, kind, row, aux):
    """Add an entry keyed (k1, k2, k3); returns False when the heap is full (the caller grows it)."""
    n = h.meta[0]
    if n >= h.k1.shape[0]:
        return False
    seq = h.meta[1]
    h.meta[1] = seq + 1
    h.meta[0] = n + 1
    i = n
    while i > 0:
        parent = (i - 1) // 2
        if _before(h, parent, k1, k2, k3, seq):
            break
        _move(h, i, parent)
        i = parent
    _put(h, i, k1, k2, k3, seq, kind, row, aux)
    return True


@njit(cache=True)
def push(h, time, kind, row, aux):
    """Add a timed event; returns False when the heap is full (the caller grows it)."""
    return push_keys(h, time, 0, 0, kind, row, aux)


@njit(cache=True)
def top_time(h):
    return h.k1[0] if h.meta[0] > 0 else np.int64(2**62)


@njit(cache=True)
def pop(h):
    """Remove the smallest entry; returns (k1, kind, row, aux) — for an event (time, kind, row, aux)."""
    n = h.meta[0] - 1
    out = (h.k1[0], h.kind[0], h.row[0], h.aux[0])
    h.meta[0] = n
    if n > 0:
        k1, k2, k3, seq = h.k1[n], h.k2[n], h.k3[n], h.seq[n]
        kind, row, aux = h.kind[n], h.row[n], h.aux[n]
        i = 0
        while True:
            j = 2 * i + 1
            if j >= n:
                break
            if j + 1 < n and _before(h, j + 1, h.k1[j], h.k2[j], h.k3[j], h.seq[j]):
                j += 1
            if not _before(h, j, k1, k2, k3, seq):
                break
            _move(h, i, j)
            i = j
        _put(h, i, k1, k2, k3, seq, kind, row, aux)
    return out
