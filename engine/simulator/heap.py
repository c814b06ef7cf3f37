"""A binary min-heap of timed events in NumPy arrays, for Numba.

Keys are (time_ms, seq): seq is a global counter, so events at the same millisecond pop in the
order they were pushed — the simulator is deterministic. Arrays (H = capacity):
``time`` int64 [H], ``seq`` int64 [H], ``kind`` int32 [H], ``row`` int64 [H], ``aux`` int64 [H];
``meta`` int64 [2] = (size, next seq).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from engine.structs import struct

EventHeap, EventHeapType = struct("EventHeap", ("time", "seq", "kind", "row", "aux", "meta"), __name__)


def new_heap(capacity: int) -> EventHeap:
    return EventHeap.of(
        time=np.zeros(capacity, dtype=np.int64),
        seq=np.zeros(capacity, dtype=np.int64),
        kind=np.zeros(capacity, dtype=np.int32),
        row=np.zeros(capacity, dtype=np.int64),
        aux=np.zeros(capacity, dtype=np.int64),
        meta=np.zeros(2, dtype=np.int64),
    )


def grow_heap(h: EventHeap, capacity: int) -> EventHeap:
    out = new_heap(capacity)
    n = int(h.meta[0])
    for name in ("time", "seq", "kind", "row", "aux"):
        getattr(out, name)[:n] = getattr(h, name)[:n]
    out.meta[:] = h.meta
    return out


@njit(cache=True)
def _less(h, i, j):
    return h.time[i] < h.time[j] or (h.time[i] == h.time[j] and h.seq[i] < h.seq[j])


@njit(cache=True)
def _swap(h, i, j):
    h.time[i], h.time[j] = h.time[j], h.time[i]
    h.seq[i], h.seq[j] = h.seq[j], h.seq[i]
    h.kind[i], h.kind[j] = h.kind[j], h.kind[i]
    h.row[i], h.row[j] = h.row[j], h.row[i]
    h.aux[i], h.aux[j] = h.aux[j], h.aux[i]


@njit(cache=True)
def push(h, time, kind, row, aux):
    """Add an event; returns False when the heap is full (the caller grows it)."""
    n = h.meta[0]
    if n >= h.time.shape[0]:
        return False
    h.time[n] = time
    h.seq[n] = h.meta[1]
    h.kind[n] = kind
    h.row[n] = row
    h.aux[n] = aux
    h.meta[1] += 1
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
def top_time(h):
    return h.time[0] if h.meta[0] > 0 else np.int64(2**62)


@njit(cache=True)
def pop(h):
    """Remove the earliest event; returns (time, kind, row, aux)."""
    n = h.meta[0] - 1
    t, k, r, a = h.time[0], h.kind[0], h.row[0], h.aux[0]
    h.meta[0] = n
    if n > 0:
        h.time[0] = h.time[n]
        h.seq[0] = h.seq[n]
        h.kind[0] = h.kind[n]
        h.row[0] = h.row[n]
        h.aux[0] = h.aux[n]
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
    return t, k, r, a
