"""Bind and unbind kernels: keep node totals, host ports and spread/affinity counters current.

Every change of a pod's node goes through these two functions, so the counters the cycle
kernel reads are always exact (tests check them against a recount).
"""

from __future__ import annotations

from numba import njit

from engine.state.nodes import (
    HOT_FREE_PODS,
    HOT_NZ_CPU,
    HOT_NZ_MEMORY,
    HOT_REQ_CPU,
    HOT_REQ_MEMORY,
    HOT_VERSION,
)
from engine.state.resource_axis import CPU_COL, MEMORY_COL, PODS_COL


@njit(cache=True)
def _counters(st, p, node, delta, pts_only):
    """Selector counts, domain entries and carried terms of pod ``p`` on ``node`` += delta."""
    ls = st.pod_ls[p]
    terminating = st.pod_term[p] != 0
    for x in range(st.ls_sel_ptr[ls], st.ls_sel_ptr[ls + 1]):
        s = st.ls_sel_idx[x]
        includes = st.sel_terminating[s] != 0
        if pts_only and includes:
            continue
        if terminating and not includes and not pts_only:
            continue
        st.cnt[s, node] += delta
        for y in range(st.sel_ent_ptr[s], st.sel_ent_ptr[s + 1]):
            e = st.sel_ent_idx[y]
            if st.elig[e, node]:
                v = st.labels[node, st.ent_key[e]]
                if v < 0:
                    v = st.ent_missing[e]
                st.dom_cnt[st.dom_off[e] + v] += delta
                st.dom_total[e] += delta
    if pts_only:
        return
    plan = st.pod_plan[p]
    for x in range(st.plan_term_ptr[plan], st.plan_term_ptr[plan + 1]):
        t = st.plan_term[x]
        v = st.labels[node, st.t_key[t]]
        if v >= 0:
            st.tdom[st.t_off[t] + v] += delta
            st.t_total[t] += delta


@njit(cache=True)
def _hot(st, p, node, delta):
    """The node's ``hot`` row follows ``requested``/``nonzero`` (see ``engine.state.nodes``)."""
    st.hot[node, HOT_REQ_CPU] += delta * st.pod_req[p, CPU_COL]
    st.hot[node, HOT_REQ_MEMORY] += delta * st.pod_req[p, MEMORY_COL]
    st.hot[node, HOT_NZ_CPU] += delta * st.pod_nz[p, 0]
    st.hot[node, HOT_NZ_MEMORY] += delta * st.pod_nz[p, 1]
    st.hot[node, HOT_FREE_PODS] -= delta * st.pod_req[p, PODS_COL]
    st.hot[node, HOT_VERSION] += 1


@njit(cache=True)
def bind(st, p, node):
    st.pod_node[p] = node
    head = st.pod_head[node]
    st.pod_next[p] = head
    st.pod_prev[p] = -1
    if head >= 0:
        st.pod_prev[head] = p
    st.pod_head[node] = p
    for c in range(st.requested.shape[1]):
        st.requested[node, c] += st.pod_req[p, c]
    st.nonzero[node, 0] += st.pod_nz[p, 0]
    st.nonzero[node, 1] += st.pod_nz[p, 1]
    _hot(st, p, node, 1)
    plan = st.pod_plan[p]
    for x in range(st.plan_port_ptr[plan], st.plan_port_ptr[plan + 1]):
        st.ports[node, st.n_ports[node]] = st.plan_port[x]
        st.n_ports[node] += 1
    _counters(st, p, node, 1, False)


@njit(cache=True)
def unbind(st, p):
    node = st.pod_node[p]
    if node < 0:
        return
    _counters(st, p, node, -1, False)
    for c in range(st.requested.shape[1]):
        st.requested[node, c] -= st.pod_req[p, c]
    st.nonzero[node, 0] -= st.pod_nz[p, 0]
    st.nonzero[node, 1] -= st.pod_nz[p, 1]
    _hot(st, p, node, -1)
    plan = st.pod_plan[p]
    for x in range(st.plan_port_ptr[plan], st.plan_port_ptr[plan + 1]):
        port = st.plan_port[x]
        for j in range(st.n_ports[node]):
            if st.ports[node, j] == port:
                st.n_ports[node] -= 1
                st.ports[node, j] = st.ports[node, st.n_ports[node]]
                st.ports[node, st.n_ports[node]] = -1
                break
    nxt = st.pod_next[p]
    prv = st.pod_prev[p]
    if prv >= 0:
        st.pod_next[prv] = nxt
    else:
        st.pod_head[node] = nxt
    if nxt >= 0:
        st.pod_prev[nxt] = prv
    st.pod_next[p] = -1
    st.pod_prev[p] = -1
    st.pod_node[p] = -1


@njit(cache=True)
def mark_terminating(st, p):
    """The pod got a deletion timestamp: PodTopologySpread stops counting it."""
    if st.pod_term[p] != 0:
        return
    if st.pod_node[p] >= 0:
        _counters(st, p, st.pod_node[p], -1, True)
    st.pod_term[p] = 1



@njit(cache=True)
def bind_all(st, pods, nodes):
    """Bind each ``pods[i]`` to ``nodes[i]`` (loading already-running pods)."""
    for i in range(pods.shape[0]):
        bind(st, pods[i], nodes[i])
