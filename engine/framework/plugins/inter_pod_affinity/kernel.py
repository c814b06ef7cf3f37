"""InterPodAffinity kernels: filter and score from domain entries and carried-term counts.

Incoming-pod term rows (``it_*``) read domain entries of selectors over all nodes; existing
pods' terms matching the incoming label set (``ls_term``) read ``tdom`` per-domain carrier
counts.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from engine.state.affinity_terms import REQ_AFF, REQ_ANTI
from engine.state.plans import IT_PREF, IT_REQ_AFF, IT_REQ_ANTI

OK = 0
FAIL_AFFINITY = 1  # UnschedulableAndUnresolvable
FAIL_ANTI = 2  # Unschedulable
FAIL_EXISTING = 3  # Unschedulable


@njit(cache=True)
def existing_anti_present(st, ls):
    for x in range(st.ls_term_ptr[ls], st.ls_term_ptr[ls + 1]):
        t = st.ls_term_idx[x]
        if st.t_kind[t] == REQ_ANTI and st.t_total[t] > 0:
            return True
    return False


@njit(cache=True)
def affinity_counts_empty(st, i0, i1):
    for i in range(i0, i1):
        if st.it_kind[i] == IT_REQ_AFF and st.dom_total[st.it_ent[i]] > 0:
            return False
    return True


@njit(cache=True)
def filter_node(labels, dom_cnt, dom_off, it_kind, it_key, it_ent, i0, i1,
                ls_term_ptr, ls_term_idx, t_kind, t_total, t_key, t_off, tdom,
                node, ls, self_match_all, counts_empty):
    pods_exist = True
    for i in range(i0, i1):
        if it_kind[i] != IT_REQ_AFF:
            continue
        v = labels[node, it_key[i]]
        if v < 0:
            return FAIL_AFFINITY
        if dom_cnt[dom_off[it_ent[i]] + v] <= 0:
            pods_exist = False
    if not pods_exist and not (counts_empty and self_match_all):
        return FAIL_AFFINITY
    for i in range(i0, i1):
        if it_kind[i] != IT_REQ_ANTI:
            continue
        v = labels[node, it_key[i]]
        if v >= 0 and dom_cnt[dom_off[it_ent[i]] + v] > 0:
            return FAIL_ANTI
    for x in range(ls_term_ptr[ls], ls_term_ptr[ls + 1]):
        t = ls_term_idx[x]
        if t_kind[t] != REQ_ANTI or t_total[t] == 0:
            continue
        v = labels[node, t_key[t]]
        if v >= 0 and tdom[t_off[t] + v] > 0:
            return FAIL_EXISTING
    return OK


@njit(cache=True)
def score_nodes(st, feas, f, ls, i0, i1, has_pref, ignore_existing_pref, out, total, plugin_weight):
    """Raw scores then normalization into ``out``; returns False when PreScore skips."""
    if ignore_existing_pref and not has_pref:
        return False
    touched = False
    for i in range(i0, i1):
        if st.it_kind[i] == IT_PREF and st.dom_total[st.it_ent[i]] > 0:
            touched = True
    for x in range(st.ls_term_ptr[ls], st.ls_term_ptr[ls + 1]):
        t = st.ls_term_idx[x]
        if st.t_kind[t] == REQ_ANTI or st.t_total[t] == 0:
            continue
        if st.t_kind[t] == REQ_AFF and st.t_weight[t] <= 0:
            continue
        touched = True
    if not touched:
        return False
    for k in range(f):
        node = feas[k]
        s = np.int64(0)
        for i in range(i0, i1):
            if st.it_kind[i] != IT_PREF:
                continue
            v = st.labels[node, st.it_key[i]]
            if v >= 0:
                s += st.it_weight[i] * st.dom_cnt[st.dom_off[st.it_ent[i]] + v]
        for x in range(st.ls_term_ptr[ls], st.ls_term_ptr[ls + 1]):
            t = st.ls_term_idx[x]
            if st.t_kind[t] == REQ_ANTI:
                continue
            v = st.labels[node, st.t_key[t]]
            if v >= 0:
                s += st.t_weight[t] * st.tdom[st.t_off[t] + v]
        out[k] = s
    lo = out[0]
    hi = out[0]
    for k in range(f):
        if out[k] < lo:
            lo = out[k]
        if out[k] > hi:
            hi = out[k]
    diff = hi - lo
    for k in range(f):
        if diff > 0:
            out[k] = np.int64(100.0 * (float(out[k] - lo) / float(diff)))
        else:
            out[k] = 0
        total[k] += out[k] * plugin_weight
    return True
