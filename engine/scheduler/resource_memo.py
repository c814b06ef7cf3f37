"""Memoized NodeResourcesFit and NodeResourcesBalancedAllocation scores over cpu and memory.

Both scores depend only on a node's ``hot`` row (allocatable, requested and non-zero
requested cpu/memory) and on the pod's cpu/memory requests. Pods of one workload share their
requests, and a node's row changes only when a pod binds or leaves it, so a node is mostly
scored again for the same requests before it has changed. Each node keeps ``MEMO_SLOTS``
entries, one per request signature slot, valid while the row's ``HOT_VERSION`` is the one
they were computed at: a hit is exactly the value the kernels would compute.

Request signatures are interned per scratch (one profile): ``signature`` maps the pod's four
request figures to a small id; when the table is full it starts over and drops every entry.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from engine.framework.plugins.node_resources_balanced_allocation.kernel import balanced_pair
from engine.framework.plugins.node_resources_fit.kernel import allocated_pair
from engine.state.nodes import (
    HOT_ALLOC_CPU,
    HOT_ALLOC_MEMORY,
    HOT_NZ_CPU,
    HOT_NZ_MEMORY,
    HOT_REQ_CPU,
    HOT_REQ_MEMORY,
    HOT_VERSION,
)

MEMO_SLOTS = 8  # entries per node (power of two)
SIGNATURES = 4096  # distinct request signatures before the table starts over


@njit(cache=True)
def _hash(k0, k1, k2, k3):
    h = np.uint64(1469598103934665603)
    for k in (k0, k1, k2, k3):
        h = (h ^ np.uint64(k)) * np.uint64(1099511628211)
    return h ^ (h >> np.uint64(29))


@njit(cache=True)
def signature(sig_keys, sig_table, sig_count, memo_ver, k0, k1, k2, k3):
    """Id of the request figures (k0, k1, k2, k3).

    ``sig_keys`` int64 [SIGNATURES, 4] the interned figures, ``sig_table`` int32 [2 * SIGNATURES]
    open-addressing index (-1 empty), ``sig_count`` int64 [1]; ``memo_ver`` int64
    [MEMO_SLOTS, N] is invalidated when the table starts over.
    """
    mask = np.uint64(sig_table.shape[0] - 1)
    idx = np.int64(_hash(k0, k1, k2, k3) & mask)
    while sig_table[idx] >= 0:
        s = sig_table[idx]
        if sig_keys[s, 0] == k0 and sig_keys[s, 1] == k1 and sig_keys[s, 2] == k2 and sig_keys[s, 3] == k3:
            return np.int64(s)
        idx = np.int64((np.uint64(idx) + np.uint64(1)) & mask)
    if sig_count[0] == sig_keys.shape[0]:
        sig_table[:] = -1
        sig_count[0] = 0
        memo_ver[:] = -1
        idx = np.int64(_hash(k0, k1, k2, k3) & mask)
    s = sig_count[0]
    sig_count[0] = s + 1
    sig_keys[s, 0] = k0
    sig_keys[s, 1] = k1
    sig_keys[s, 2] = k2
    sig_keys[s, 3] = k3
    sig_table[idx] = s
    return s


@njit(cache=True)
def resource_scores(feas, f, hot, memo_ver, memo_val, sig, q_cpu, w_cpu, q_mem, w_mem, most, b_cpu, b_mem,
                    fit_out, ba_out):
    """NodeResourcesFit (LeastAllocated, or MostAllocated with ``most``; the pod's non-zero
    requests ``q_*``, resource weights ``w_*``) and BalancedAllocation (the pod's requests
    ``b_*``) of each feasible node into ``fit_out`` / ``ba_out`` int64 [f], from the memo
    when the node's row has not changed since, else computed and remembered.

    ``memo_ver`` int64 / ``memo_val`` int32 [MEMO_SLOTS, N]: the row version an entry was
    computed at, and (signature << 16 | fit << 8 | balanced).
    """
    slot = sig & (MEMO_SLOTS - 1)
    tag = np.int32(sig)
    for k in range(f):
        node = np.uint64(feas[k])  # unsigned: no negative-index wrap-around code per access
        version = hot[node, HOT_VERSION]
        entry = memo_val[slot, node]
        if memo_ver[slot, node] == version and (entry >> 16) == tag:
            fit_out[k] = (entry >> 8) & 0xFF
            ba_out[k] = entry & 0xFF
            continue
        a_cpu = hot[node, HOT_ALLOC_CPU]
        a_mem = hot[node, HOT_ALLOC_MEMORY]
        fs = allocated_pair(a_cpu, a_mem, hot[node, HOT_NZ_CPU] + q_cpu, hot[node, HOT_NZ_MEMORY] + q_mem, w_cpu,
                            w_mem, most)
        bs = balanced_pair(a_cpu, a_mem, hot[node, HOT_REQ_CPU] + b_cpu, hot[node, HOT_REQ_MEMORY] + b_mem)
        fit_out[k] = fs
        ba_out[k] = bs
        memo_ver[slot, node] = version
        memo_val[slot, node] = (tag << 16) | np.int32(fs << 8) | np.int32(bs)
