"""DefaultPreemption kernel: candidate nodes, victims with reprieve, node picking.

Follows ``default_preemption.go`` / ``preemption.go`` (kube-scheduler.md §10). Dry runs
really unbind and rebind the pods of the node (so every counter the filters read is exact)
and restore the state afterwards. Where upstream is random or unordered, podbench is
deterministic: potential nodes are tried in examination order from a seeded offset, victim
ties are broken by pod row, and the final tie goes to the lowest node name.

Scratch ``pre`` (``Preemption`` named tuple): ``cand_node`` int32 [N], ``cand_viol`` int64 [N],
``cand_off`` int64 [N+1] offsets into ``cand_victims`` int64 [P] (victims of each candidate in
importance order), ``tmp`` int64 [P] and ``tmp2`` int64 [P] work lists, ``allowed`` int64 [K]
PDB budget copy, ``hist`` int64 [reasons] dry-run failure reasons, ``victims`` int64 [P] the
chosen node's victims, ``meta`` int64 [4] = (victim count, candidates, potential nodes, unused).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from engine.scheduler.bind import bind, unbind
from engine.scheduler.codes import R_NO_VICTIMS, UNRESOLVABLE
from engine.scheduler.cycle import UNSCHEDULABLE, _hist_detail, node_fits
from engine.structs import struct

Preemption, PreemptionType = struct(
    "Preemption",
    ("cand_node", "cand_viol", "cand_off", "cand_victims", "tmp", "tmp2", "allowed", "hist", "victims", "meta"),
    __name__,
)

INT31 = np.int64(2**31)


def new_preemption(num_nodes: int, num_pods: int, num_pdbs: int, hist_width: int) -> Preemption:
    n = max(num_nodes, 1)
    p = max(num_pods, 1)
    return Preemption.of(
        cand_node=np.zeros(n, dtype=np.int32),
        cand_viol=np.zeros(n, dtype=np.int64),
        cand_off=np.zeros(n + 1, dtype=np.int64),
        cand_victims=np.zeros(max(p, 16), dtype=np.int64),
        tmp=np.zeros(p, dtype=np.int64),
        tmp2=np.zeros(p, dtype=np.int64),
        allowed=np.zeros(max(num_pdbs, 1), dtype=np.int64),
        hist=np.zeros(hist_width, dtype=np.int64),
        victims=np.zeros(p, dtype=np.int64),
        meta=np.zeros(4, dtype=np.int64),
    )


@njit(cache=True)
def more_important(st, a, b):
    """``MoreImportantPod``: higher priority, then earlier start time (then lower row)."""
    pa, pb = st.pod_prio[a], st.pod_prio[b]
    if pa != pb:
        return pa > pb
    sa, sb = st.pod_start[a], st.pod_start[b]
    if sa != sb:
        return sa < sb
    return a < b


@njit(cache=True)
def sort_by_importance(st, items, n):
    """Insertion sort (victim lists are short) into importance order."""
    for i in range(1, n):
        x = items[i]
        j = i - 1
        while j >= 0 and more_important(st, x, items[j]):
            items[j + 1] = items[j]
            j -= 1
        items[j + 1] = x


@njit(cache=True)
def _violates(st, pre, q):
    """``filterPodsWithPDBViolation`` for one pod: spend its PDBs' budgets; True if any < 0."""
    ls = st.pod_ls[q]
    violating = False
    for x in range(st.ls_pdb_ptr[ls], st.ls_pdb_ptr[ls + 1]):
        k = st.ls_pdb_idx[x]
        pre.allowed[k] -= 1
        if pre.allowed[k] < 0:
            violating = True
    return violating


@njit(cache=True)
def select_victims(st, cfg, sc, pre, p, node, out_off):
    """``SelectVictimsOnNode``: returns (code, detail, victims, pdb violations).

    On success (code 0) the victims are written at ``pre.cand_victims[out_off:]`` in
    importance order. The node is restored before returning.
    """
    prio = st.pod_prio[p]
    lower = pre.tmp
    n = 0
    q = st.pod_head[node]
    while q >= 0:
        if st.pod_prio[q] < prio:
            lower[n] = q
            n += 1
        q = st.pod_next[q]
    if n == 0:
        return UNRESOLVABLE, np.int64(R_NO_VICTIMS), 0, 0
    for i in range(n):
        unbind(st, lower[i])
    code, plugin, detail = node_fits(st, cfg, sc, p, node)
    if code != 0:
        for i in range(n):
            bind(st, lower[i], node)
        return code, detail, 0, 0
    sort_by_importance(st, lower, n)
    pre.allowed[:] = st.pdb_allowed
    order = pre.tmp2
    n_viol = 0
    for i in range(n):  # violating pods first, each group in importance order
        if _violates(st, pre, lower[i]):
            order[n_viol] = lower[i]
            n_viol += 1
    k = n_viol
    for i in range(n):
        q = lower[i]
        is_viol = False
        for j in range(n_viol):
            if order[j] == q:
                is_viol = True
        if not is_viol:
            order[k] = q
            k += 1
    victims = 0
    violations = 0
    for i in range(n):
        q = order[i]
        bind(st, q, node)
        code, plugin, detail = node_fits(st, cfg, sc, p, node)
        if code != 0:
            unbind(st, q)
            pre.cand_victims[out_off + victims] = q
            victims += 1
            if i < n_viol:
                violations += 1
    for i in range(victims):
        bind(st, pre.cand_victims[out_off + i], node)
    sort_by_importance(st, pre.cand_victims[out_off:], victims)
    return 0, np.int64(0), victims, violations


@njit(cache=True)
def preempt(st, cfg, sc, pre, p, examined, draw, pct, absolute, node_rank):
    """Find a node and victims for pod ``p`` after a failed cycle that examined
    ``examined`` nodes (their verdicts in ``sc.ex_*``). Returns the node (-1: none); the
    victims are in ``pre.victims[:pre.meta[0]]``; failure reasons in ``pre.hist``."""
    pre.hist[:] = 0
    pre.meta[:] = 0
    n_pot = 0
    for i in range(examined):
        if sc.ex_code[i] == UNSCHEDULABLE:
            n_pot += 1
    nodes = np.empty(n_pot, dtype=np.int32)
    n_pot = 0
    for i in range(examined):
        if sc.ex_code[i] == UNSCHEDULABLE:
            nodes[n_pot] = sc.ex_node[i]
            n_pot += 1
    pre.meta[2] = n_pot
    if n_pot == 0:
        return -1
    want = n_pot * pct // 100
    if want < absolute:
        want = absolute
    if want > n_pot:
        want = n_pot
    offset = draw % n_pot
    cands = 0
    non_violating = 0
    used = 0
    for i in range(n_pot):
        node = nodes[(offset + i) % n_pot]
        pre.cand_off[cands] = used
        code, detail, victims, violations = select_victims(st, cfg, sc, pre, p, node, used)
        if code == 0 and victims > 0:
            pre.cand_node[cands] = node
            pre.cand_viol[cands] = violations
            used += victims
            cands += 1
            pre.cand_off[cands] = used
            if violations == 0:
                non_violating += 1
            if non_violating > 0 and cands >= want:
                break
        else:
            reason = _hist_detail(pre.hist, detail if code != 0 else np.int64(R_NO_VICTIMS))
            if reason >= 0:
                pre.hist[reason] += 1
    pre.meta[1] = cands
    if cands == 0:
        return -1
    best = pick_one(st, pre, cands, node_rank)
    v0, v1 = pre.cand_off[best], pre.cand_off[best + 1]
    for i in range(v1 - v0):
        pre.victims[i] = pre.cand_victims[v0 + i]
    pre.meta[0] = v1 - v0
    return pre.cand_node[best]


@njit(cache=True)
def _earliest_top_start(st, pre, c):
    v0, v1 = pre.cand_off[c], pre.cand_off[c + 1]
    top = st.pod_prio[pre.cand_victims[v0]]
    earliest = np.int64(2**62)
    for i in range(v0, v1):
        q = pre.cand_victims[i]
        if st.pod_prio[q] == top and st.pod_start[q] < earliest:
            earliest = st.pod_start[q]
    return earliest


@njit(cache=True)
def pick_one(st, pre, cands, node_rank):
    """``pickOneNodeForPreemption``: each criterion keeps the best candidates of the last."""
    alive = np.ones(cands, dtype=np.bool_)
    for criterion in range(5):
        best = np.int64(-(2**62))
        scores = np.zeros(cands, dtype=np.int64)
        for c in range(cands):
            if not alive[c]:
                continue
            v0, v1 = pre.cand_off[c], pre.cand_off[c + 1]
            if criterion == 0:
                s = -pre.cand_viol[c]
            elif criterion == 1:
                s = -np.int64(st.pod_prio[pre.cand_victims[v0]])
            elif criterion == 2:
                total = np.int64(0)
                for i in range(v0, v1):
                    total += np.int64(st.pod_prio[pre.cand_victims[i]]) + INT31
                s = -total
            elif criterion == 3:
                s = -(v1 - v0)
            else:
                s = _earliest_top_start(st, pre, c)
            scores[c] = s
            if s > best:
                best = s
        remaining = 0
        for c in range(cands):
            if alive[c] and scores[c] != best:
                alive[c] = False
            if alive[c]:
                remaining += 1
        if remaining == 1:
            break
    chosen = -1
    for c in range(cands):
        if alive[c] and (chosen < 0 or node_rank[pre.cand_node[c]] < node_rank[pre.cand_node[chosen]]):
            chosen = c
    return chosen
