"""PodTopologySpread kernels over the domain-count entries of ``engine.state.selectors``.

A constraint row j of a plan gives: ``pc_key`` label key, ``pc_ent`` domain entry (counts of
matching pods per topology value over eligible nodes), ``pc_sel`` selector (per-node counts for
hostname scoring), ``pc_skew``, ``pc_mindom``, ``pc_self``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from engine.scheduler.arith import exact_div
from engine.scheduler.normalize import TABLE_MAX, table_add

INT32_MAX = 2**31 - 1


@njit(cache=True)
def global_min(st, ent, key):
    """(smallest count over existing domains, number of domains) for one hard constraint."""
    off = st.dom_off[ent]
    nvals = st.key_nvals[key]
    lo = np.int64(INT32_MAX)
    domains = 0
    for v in range(nvals):
        if st.dom_nodes[off + v] > 0:
            domains += 1
            c = st.dom_cnt[off + v]
            if c < lo:
                lo = c
    return lo, domains


@njit(cache=True)
def filter_node(labels, dom_cnt, dom_off, pc_hard, pc_key, pc_ent, pc_self, pc_skew, j0, j1, node, mins):
    """0 pass, 1 skew too large (Unschedulable), 2 missing topology label (Unresolvable)."""
    for j in range(j0, j1):
        if not pc_hard[j]:
            continue
        v = labels[node, pc_key[j]]
        if v < 0:
            return 2
        cnt = dom_cnt[dom_off[pc_ent[j]] + v]
        if cnt + pc_self[j] - mins[j - j0] > pc_skew[j]:
            return 1
    return 0


@njit(cache=True)
def score_nodes(st, feas, f, j0, j1, require_all, out, aux, seen, stamp, total, plugin_weight, table):
    """Raw PodTopologySpread scores of the feasible nodes, then NormalizeScore, into ``out``
    (and, times ``plugin_weight``, added to ``total``). Returns the new ``stamp``.

    ``seen`` int64 [max values + 1] with ``stamp`` counts distinct domains without clearing;
    ``aux`` int64 [N] and ``table`` int64 [TABLE_MAX + 1] are work space. Ignored nodes (missing a key when all keys are required)
    end with score 0.
    """
    if not require_all and _two_soft_one_zone(st, j0, j1):
        return _score_two(st, feas, f, j0, j1, out, aux, seen, stamp, total, plugin_weight, table)
    nc = j1 - j0
    ignored = np.zeros(f, dtype=np.bool_)
    n_ignored = 0
    if require_all:
        for i in range(f):
            node = feas[i]
            for j in range(j0, j1):
                if not st.pc_hard[j] and st.labels[node, st.pc_key[j]] < 0:
                    ignored[i] = True
            if ignored[i]:
                n_ignored += 1
    weights = np.zeros(nc, dtype=np.float64)
    for j in range(j0, j1):
        if st.pc_hard[j]:
            continue
        if st.pc_host[j]:
            size = f - n_ignored
        else:
            stamp += 1
            size = 0
            key = st.pc_key[j]
            # A node without the key is domain "" (it can only be scored with system defaults).
            absent_slot = st.ent_missing[st.pc_ent[j]]
            if absent_slot < 0:
                absent_slot = seen.shape[0] - 1
            for i in range(f):
                if ignored[i]:
                    continue
                v = st.labels[feas[i], key]
                slot = absent_slot if v < 0 else v
                if seen[slot] != stamp:
                    seen[slot] = stamp
                    size += 1
        weights[j - j0] = math.log(size + 2)
    # Per-constraint values hoisted into scalars (the common case has at most two soft
    # constraints: hostname and zone): loads from the state inside the loop cannot be
    # hoisted by LLVM because the output arrays may alias them. (Measured: the general loop
    # alone makes a placement of pods with two soft constraints ~30 % slower.)
    soft = 0
    key_a = key_b = host_a = host_b = 0
    base_a = base_b = 0
    w_a = w_b = c_a = c_b = 0.0
    for j in range(j0, j1):
        if st.pc_hard[j]:
            continue
        if soft == 0:
            key_a, host_a, w_a, c_a = st.pc_key[j], st.pc_host[j], weights[j - j0], float(st.pc_skew[j] - 1)
            base_a = st.pc_sel[j] if host_a else st.dom_off[st.pc_ent[j]]
        elif soft == 1:
            key_b, host_b, w_b, c_b = st.pc_key[j], st.pc_host[j], weights[j - j0], float(st.pc_skew[j] - 1)
            base_b = st.pc_sel[j] if host_b else st.dom_off[st.pc_ent[j]]
        soft += 1
    labels = st.labels
    cnt = st.cnt
    dom_cnt = st.dom_cnt
    if soft <= 2:
        for i in range(f):
            if ignored[i]:
                out[i] = 0
                continue
            node = feas[i]
            acc = 0.0
            if soft > 0:
                v = labels[node, key_a]
                if v >= 0:
                    n_a = cnt[base_a, node] if host_a else dom_cnt[np.uint64(base_a + v)]
                    acc += float(n_a) * w_a + c_a
            if soft > 1:
                v = labels[node, key_b]
                if v >= 0:
                    n_b = cnt[base_b, node] if host_b else dom_cnt[np.uint64(base_b + v)]
                    acc += float(n_b) * w_b + c_b
            r = math.floor(abs(acc) + 0.5)
            out[i] = np.int64(r) if acc >= 0 else -np.int64(r)
    for i in range(f if soft > 2 else 0):
        if ignored[i]:
            out[i] = 0
            continue
        node = feas[i]
        acc = 0.0
        for j in range(j0, j1):
            if st.pc_hard[j]:
                continue
            v = st.labels[node, st.pc_key[j]]
            if v < 0:
                continue
            if st.pc_host[j]:
                n_j = cnt[st.pc_sel[j], node]
            else:
                n_j = dom_cnt[st.dom_off[st.pc_ent[j]] + v]
            acc += float(n_j) * weights[j - j0] + float(st.pc_skew[j] - 1)
        r = math.floor(abs(acc) + 0.5)
        out[i] = np.int64(r) if acc >= 0 else -np.int64(r)
    lo = np.int64(2**62)
    hi = np.int64(0)
    for i in range(f):
        if ignored[i]:
            continue
        if out[i] < lo:
            lo = out[i]
        if out[i] > hi:
            hi = out[i]
    for i in range(f):
        if ignored[i]:
            out[i] = 0
        elif hi == 0:
            out[i] = 100
        else:
            out[i] = exact_div(100 * (hi + lo - out[i]), hi)
        total[i] += out[i] * plugin_weight
    return stamp


@njit(cache=True)
def _two_soft_one_zone(st, j0, j1):
    """At most two soft constraints, at most one of them not on the hostname (the system
    defaults' shape): ``_score_two`` handles these."""
    soft = 0
    zones = 0
    for j in range(j0, j1):
        if not st.pc_hard[j]:
            soft += 1
            if not st.pc_host[j]:
                zones += 1
    return soft <= 2 and zones <= 1


@njit(cache=True)
def _score_two(st, feas, f, j0, j1, out, aux, seen, stamp, total, plugin_weight, table):
    """``score_nodes`` for up to two soft constraints, one at most not per node, all keys
    optional. One pass reads each node's labels and counts (into ``out`` and ``aux``, -1 for
    a missing key) and the distinct domains; the weights then follow from the domain counts,
    and a second pass scores and a third normalizes."""
    soft = 0
    key_a = key_b = base_a = base_b = np.int64(0)
    host_a = host_b = True
    c_a = c_b = 0.0
    absent = seen.shape[0] - 1
    for j in range(j0, j1):
        if st.pc_hard[j]:
            continue
        base = st.pc_sel[j] if st.pc_host[j] else st.dom_off[st.pc_ent[j]]
        if not st.pc_host[j] and st.ent_missing[st.pc_ent[j]] >= 0:
            absent = st.ent_missing[st.pc_ent[j]]
        if soft == 0:
            key_a, host_a, base_a, c_a = st.pc_key[j], st.pc_host[j] != 0, base, float(st.pc_skew[j] - 1)
        else:
            key_b, host_b, base_b, c_b = st.pc_key[j], st.pc_host[j] != 0, base, float(st.pc_skew[j] - 1)
        soft += 1
    labels = st.labels
    cnt = st.cnt
    dom_cnt = st.dom_cnt
    stamp += 1
    domains = 0
    for i in range(f):
        node = np.uint64(feas[i])  # unsigned: no negative-index wrap-around code per access
        n_a = np.int64(-1)
        n_b = np.int64(-1)
        if soft > 0:
            v = labels[node, key_a]
            if not host_a:
                slot = absent if v < 0 else v
                if seen[slot] != stamp:
                    seen[slot] = stamp
                    domains += 1
            if v >= 0:
                n_a = cnt[base_a, node] if host_a else dom_cnt[np.uint64(base_a + v)]
        if soft > 1:
            v = labels[node, key_b]
            if not host_b:
                slot = absent if v < 0 else v
                if seen[slot] != stamp:
                    seen[slot] = stamp
                    domains += 1
            if v >= 0:
                n_b = cnt[base_b, node] if host_b else dom_cnt[np.uint64(base_b + v)]
        out[i] = n_a
        aux[i] = n_b
    w_a = math.log((f if host_a else domains) + 2)
    w_b = math.log((f if host_b else domains) + 2)
    lo = np.int64(2**62)
    hi = np.int64(0)
    for i in range(f):
        acc = 0.0
        if out[i] >= 0:
            acc += float(out[i]) * w_a + c_a
        if aux[i] >= 0:
            acc += float(aux[i]) * w_b + c_b
        r = math.floor(abs(acc) + 0.5)
        s = np.int64(r) if acc >= 0 else -np.int64(r)
        out[i] = s
        lo = min(lo, s)
        hi = max(hi, s)
    if hi > 0 and hi - lo <= TABLE_MAX and hi - lo < f:
        # few distinct raw scores: each one's normalized score once (see normalize)
        for v in range(lo, hi + 1):
            table[v - lo] = exact_div(100 * (hi + lo - v), hi)
        table_add(table, lo, out, f, total, plugin_weight)
        return stamp
    for i in range(f):
        s = np.int64(100) if hi == 0 else exact_div(100 * (hi + lo - out[i]), hi)
        out[i] = s
        total[i] += s * plugin_weight
    return stamp
