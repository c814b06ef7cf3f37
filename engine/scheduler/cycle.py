"""The scheduling-cycle kernel: PreFilter, Filter, Score, NormalizeScore and host selection.

``schedule_one(st, cfg, sc, p, start, examine_all, score_single, draw, explain)`` schedules
pod row ``p`` against the state ``st`` (``engine.scheduler.arrays.KernelState``) with the
profile ``cfg`` (``KernelConfig``), using scratch ``sc`` (``Scratch``). It mirrors
``engine.framework.reference_scheduler`` rule for rule; tests hold the two equal.

Returns (selected node or NO_NODE / PREFILTER_REJECT, processed nodes, feasible count,
recorded count: nodes visited, whose verdicts are in ``sc.ex_*`` when recording). With
``explain`` it also fills ``sc.ex_*`` (every examined node) and
``sc.scores`` (per feasible node and score plugin; -1 where a plugin skipped).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from engine.framework.plugins.inter_pod_affinity import kernel as ipa
from engine.framework.plugins.node_ports.kernel import ports_conflict
from engine.framework.plugins.node_resources_balanced_allocation import kernel as ba
from engine.framework.plugins.node_resources_fit import kernel as fit
from engine.framework.plugins.node_resources_fit.kernel import checked_columns, fit_filter
from engine.framework.plugins.pod_topology_spread import kernel as pts
from engine.scheduler import resource_memo as memo
from engine.scheduler.bind import bind, unbind
from engine.scheduler.codes import (
    DETAIL_TOO_MANY_PODS,
    F_INTER_POD_AFFINITY,
    F_NODE_AFFINITY,
    F_NODE_NAME,
    F_NODE_PORTS,
    F_NODE_RESOURCES_FIT,
    F_NODE_UNSCHEDULABLE,
    F_POD_TOPOLOGY_SPREAD,
    F_TAINT_TOLERATION,
    LEAST_ALLOCATED,
    MOST_ALLOCATED,
    NO_NODE,
    PREFILTER_REJECT,
    R_AFFINITY,
    R_ENFORCED,
    R_IPA_AFFINITY,
    R_IPA_ANTI,
    R_IPA_EXISTING,
    R_NODE_NAME,
    R_PORTS,
    R_PTS_LABEL,
    R_PTS_SKEW,
    R_RESOURCE,
    R_TAINT,
    R_TOO_MANY_PODS,
    R_UNSCHEDULABLE,
    S_BALANCED_ALLOCATION,
    S_IMAGE_LOCALITY,
    S_INTER_POD_AFFINITY,
    S_NODE_AFFINITY,
    S_NODE_RESOURCES_FIT,
    S_POD_TOPOLOGY_SPREAD,
    S_TAINT_TOLERATION,
    SELECT_RANDOM,
    UNRESOLVABLE,
    UNSCHEDULABLE,
)
from engine.scheduler.fast_filter import MAX_COLUMNS, fast_filter, fit_failures
from engine.scheduler.normalize import gather_normalize_add
from engine.state.classes import (
    BIT_AFFINITY,
    BIT_ENFORCED,
    BIT_NODE_NAME,
    BIT_TAINT,
    BIT_UNSCHEDULABLE,
    FLAG_CONFLICT,
    FLAG_IMG_ZERO,
    FLAG_NA_SKIP,
    FLAG_NARROW,
)
from engine.state.plans import (
    IPA_PREF,
    IPA_REQ_AFF,
    IPA_REQ_ANTI,
    IPA_SELF_MATCH_ALL,
    PORTS,
    PTS_HARD,
    PTS_REQUIRE_ALL,
    PTS_SOFT,
)
from engine.state.resource_axis import CPU_COL, MEMORY_COL


@njit(cache=True)
def num_feasible_nodes_to_find(pct, n, has_scores):
    if not has_scores:
        return 1
    if n < 100:
        return n
    if pct == 0:
        pct = 50 - n // 125
        if pct < 5:
            pct = 5
    k = n * pct // 100
    return 100 if k < 100 else k


@njit(cache=True)
def has_filter(filter_ids, f):
    for k in range(filter_ids.shape[0]):
        if filter_ids[k] == f:
            return True
    return False


@njit(cache=True)
def filter_verdict(f, bits, fit_detail, fit_unresolvable, ports_hit, pts_r, ipa_r):
    """Status of filter plugin ``f`` for one node from the precomputed plugin outcomes.

    Returns (code, reason id or fit detail bits); code 0 means the filter passes.
    """
    if f == F_NODE_UNSCHEDULABLE:
        if bits & BIT_UNSCHEDULABLE:
            return UNRESOLVABLE, np.int64(R_UNSCHEDULABLE)
    elif f == F_NODE_NAME:
        if bits & BIT_NODE_NAME:
            return UNRESOLVABLE, np.int64(R_NODE_NAME)
    elif f == F_TAINT_TOLERATION:
        if bits & BIT_TAINT:
            return UNRESOLVABLE, np.int64(R_TAINT)
    elif f == F_NODE_AFFINITY:
        if bits & BIT_ENFORCED:
            return UNRESOLVABLE, np.int64(R_ENFORCED)
        if bits & BIT_AFFINITY:
            return UNRESOLVABLE, np.int64(R_AFFINITY)
    elif f == F_NODE_PORTS:
        if ports_hit:
            return UNSCHEDULABLE, np.int64(R_PORTS)
    elif f == F_NODE_RESOURCES_FIT:
        if fit_detail != 0:
            return (UNRESOLVABLE if fit_unresolvable else UNSCHEDULABLE), fit_detail | (np.int64(1) << 62)
    elif f == F_POD_TOPOLOGY_SPREAD:
        if pts_r == 2:
            return UNRESOLVABLE, np.int64(R_PTS_LABEL)
        if pts_r == 1:
            return UNSCHEDULABLE, np.int64(R_PTS_SKEW)
    elif f == F_INTER_POD_AFFINITY:
        if ipa_r == ipa.FAIL_AFFINITY:
            return UNRESOLVABLE, np.int64(R_IPA_AFFINITY)
        if ipa_r == ipa.FAIL_ANTI:
            return UNSCHEDULABLE, np.int64(R_IPA_ANTI)
        if ipa_r == ipa.FAIL_EXISTING:
            return UNSCHEDULABLE, np.int64(R_IPA_EXISTING)
    return 0, np.int64(0)


@njit(cache=True)
def _hist_detail(hist, detail):
    """Count the reasons of a fit detail (bit 62 set) and return -1; else return the reason."""
    if detail & (np.int64(1) << 62):
        if detail & DETAIL_TOO_MANY_PODS:
            hist[R_TOO_MANY_PODS] += 1
        for c in range(hist.shape[0] - R_RESOURCE):
            if detail & (np.int64(1) << c):
                hist[R_RESOURCE + c] += 1
        return -1
    return detail


@njit(cache=True)
def prefilter(st, cfg, sc, p):
    """PreFilter for pod ``p``: PodTopologySpread global minimums into ``sc.mins``, the
    InterPodAffinity switches, and the examination list. Returns (reject, narrow, q0, n,
    ipa_on, self_all, aff_empty)."""
    cls = st.pod_cls[p]
    plan = st.pod_plan[p]
    ls = st.pod_ls[p]
    cflags = st.cls_flags[cls]
    pflags = st.plan_flags[plan]
    if cflags & FLAG_CONFLICT and cfg.na_prefilter:
        return True, False, 0, 0, False, False, True
    j0 = st.pc_ptr[plan]
    j1 = st.pc_ptr[plan + 1]
    if pflags & PTS_HARD and cfg.pts_filter:
        for j in range(j0, j1):
            if st.pc_hard[j]:
                lo, domains = pts.global_min(st, st.pc_ent[j], st.pc_key[j])
                sc.mins[j - j0] = 0 if domains < st.pc_mindom[j] else lo
    i0 = st.it_ptr[plan]
    i1 = st.it_ptr[plan + 1]
    ipa_on = False
    self_all = False
    aff_empty = True
    if cfg.ipa_filter:
        ipa_on = (pflags & (IPA_REQ_AFF | IPA_REQ_ANTI)) != 0 or ipa.existing_anti_present(st, ls)
        self_all = (pflags & IPA_SELF_MATCH_ALL) != 0
        aff_empty = ipa.affinity_counts_empty(st, i0, i1)
    narrow = (cflags & FLAG_NARROW) != 0 and cfg.na_prefilter
    if narrow:
        q0 = st.narrow_ptr[cls]
        n = st.narrow_ptr[cls + 1] - q0
    else:
        q0 = 0
        n = st.order.shape[0]
    return False, narrow, q0, n, ipa_on, self_all, aff_empty


@njit(cache=True)
def node_status(st, cfg, sc, p, node, ipa_on, self_all, aff_empty):
    """Filter verdict of one node for pod ``p`` (after ``prefilter``): (code, plugin, detail).

    The per-node loop of ``schedule_one`` inlines the same composition for speed; this
    general form serves single-node checks (nominated node, nominated pods, preemption).
    """
    cls = st.pod_cls[p]
    plan = st.pod_plan[p]
    ls = st.pod_ls[p]
    pflags = st.plan_flags[plan]
    filter_ids = cfg.filter_ids
    pts_r = 0
    if (pflags & PTS_HARD) != 0 and cfg.pts_filter:
        pts_r = pts.filter_node(st.labels, st.dom_cnt, st.dom_off, st.pc_hard, st.pc_key, st.pc_ent, st.pc_self,
                                st.pc_skew, st.pc_ptr[plan], st.pc_ptr[plan + 1], node, sc.mins)
    ipa_r = 0
    if ipa_on:
        ipa_r = ipa.filter_node(st.labels, st.dom_cnt, st.dom_off, st.it_kind, st.it_key, st.it_ent,
                                st.it_ptr[plan], st.it_ptr[plan + 1], st.ls_term_ptr, st.ls_term_idx, st.t_kind,
                                st.t_total, st.t_key, st.t_off, st.tdom, node, ls, self_all, aff_empty)
    bits = st.cls_bits[cls, node]
    fit_detail = np.int64(0)
    fit_unresolvable = False
    if has_filter(filter_ids, F_NODE_RESOURCES_FIT):
        # the pod's checked columns into the cycle's scratch (the same values when the cycle
        # for ``p`` filled it already; ``schedule_one`` refills it for every pod)
        n_cols = checked_columns(st.pod_req[p], cfg.res_scalar, cfg.fit_ignored, sc.fit_cols)
        fit_detail, fit_unresolvable = fit_filter(st.pod_req[p], sc.fit_cols, n_cols, st.alloc, st.requested, node)
    ports_hit = (pflags & PORTS) != 0 and has_filter(filter_ids, F_NODE_PORTS) and ports_conflict(
        st.plan_port, st.plan_port_ptr[plan], st.plan_port_ptr[plan + 1], st.ports, st.n_ports, node)
    for fk in range(filter_ids.shape[0]):
        fid = filter_ids[fk]
        code, detail = filter_verdict(fid, bits, fit_detail, fit_unresolvable, ports_hit, pts_r, ipa_r)
        if code != 0:
            return code, fid, detail
    return 0, -1, np.int64(0)


@njit(cache=True)
def node_status_fresh(st, cfg, sc, p, node):
    """``node_status`` with the PreFilter state recomputed (the cluster changed since)."""
    reject, narrow, q0, n, ipa_on, self_all, aff_empty = prefilter(st, cfg, sc, p)
    if reject:
        return UNRESOLVABLE, F_NODE_AFFINITY, np.int64(R_AFFINITY)
    return node_status(st, cfg, sc, p, node, ipa_on, self_all, aff_empty)


@njit(cache=True)
def nominated_pass(st, cfg, sc, p, node, restore):
    """RunFilterPluginsWithNominatedPods pass 0: with the node's nominated pods of priority
    >= the pod's added. Returns (code, plugin, detail); code 0 when it passes or no pod was
    added.

    The PreFilter state (``sc.mins``) is recomputed with the nominated pods in place; with
    ``restore`` it is recomputed again without them afterwards, pass or fail.
    """
    added = 0
    q = st.nom_head[node]
    prio = st.pod_prio[p]
    while q >= 0:
        if q != p and st.pod_prio[q] >= prio and st.pod_node[q] < 0:
            bind(st, q, node)
            sc.nom_tmp[added] = q
            added += 1
        q = st.nom_next[q]
    if added == 0:
        return 0, -1, np.int64(0)
    code, plugin, detail = node_status_fresh(st, cfg, sc, p, node)
    for i in range(added):
        unbind(st, sc.nom_tmp[i])
    if restore:
        # upstream runs pass 0 on a copy of the cycle state: neither pass 1 nor the nodes
        # examined after this one may see the nominated pods in the PreFilter state
        prefilter(st, cfg, sc, p)
    return code, plugin, detail


@njit(cache=True)
def node_fits(st, cfg, sc, p, node):
    """Both passes of RunFilterPluginsWithNominatedPods on one node, PreFilter recomputed."""
    # pass 1 recomputes the PreFilter state itself: pass 0 need not restore it
    code, plugin, detail = nominated_pass(st, cfg, sc, p, node, False)
    if code != 0:
        return code, plugin, detail
    return node_status_fresh(st, cfg, sc, p, node)


@njit(cache=True)
def schedule_one(st, cfg, sc, p, start, examine_all, score_single, draw, explain):
    cls = st.pod_cls[p]
    plan = st.pod_plan[p]
    pflags = st.plan_flags[plan]
    hist = sc.hist
    hist[:] = 0
    reject, narrow, q0, n, ipa_on, self_all, aff_empty = prefilter(st, cfg, sc, p)
    if reject:
        return PREFILTER_REJECT, 0, 0, 0
    if n == 0:
        return NO_NODE, 0, 0, 0
    want = n if examine_all else num_feasible_nodes_to_find(cfg.pct, n, cfg.score_ids.shape[0] > 0)
    order = st.narrow_idx if narrow else st.order
    pod_want = st.pod_req[p]
    pts_on = (pflags & PTS_HARD) != 0 and cfg.pts_filter
    has_ports = (pflags & PORTS) != 0 and has_filter(cfg.filter_ids, F_NODE_PORTS)
    fit_on = has_filter(cfg.filter_ids, F_NODE_RESOURCES_FIT)
    n_fit_cols = checked_columns(pod_want, cfg.res_scalar, cfg.fit_ignored, sc.fit_cols)
    feas = sc.feas
    # With every static filter ahead of the dynamic ones, statically rejected nodes are
    # skipped: only the class's pass positions are visited, and the skipped nodes are
    # accounted for in bulk (processed count below, static reasons when nothing fits).
    skip = cfg.static_first and not explain
    s0 = start % n
    pp0 = st.pass_ptr[cls]
    npass = st.pass_ptr[cls + 1] - pp0
    jdx = _first_pass_index(st.pass_pos, pp0, npass, s0) if skip else 0
    f = 0
    examined = 0
    stop_pos = -1
    done = False
    if not explain and fit_on and not pts_on and not ipa_on and not has_ports and n_fit_cols <= MAX_COLUMNS:
        f, stop_pos, examined, nominated = fast_filter(
            order, q0, n, s0, skip, st.pass_pos, st.pass_node, pp0, npass, jdx, st.cls_bits[cls], st.nom_head,
            st.nom_count[0], st.hot, st.alloc, st.requested, sc.fit_cols, n_fit_cols, pod_want, want, feas, hist,
        )
        # Nominated pods need the two-pass filter: the general loop.
        done = f > 0 and not nominated
        if f == 0 and not nominated and skip:
            if sc.record[0] != 0:
                examined = fit_failures(order, q0, st.pass_pos, pp0, npass, jdx, st.alloc, st.requested, sc.fit_cols,
                                        n_fit_cols, pod_want, sc.ex_node, sc.ex_code, sc.ex_plugin, sc.ex_detail)
            done = True
    if not done:
        hist[:] = 0
        f, stop_pos, examined = filter_general(
            st, cfg, sc, p, order, q0, n, s0, skip, jdx, want, explain, pts_on, ipa_on, has_ports, fit_on,
            n_fit_cols, self_all, aff_empty,
        )
    processed = examined
    if skip:
        processed = n if stop_pos < 0 else (stop_pos - s0 + n) % n
        if f == 0:
            for r in range(st.static_hist.shape[1]):
                hist[r] += st.static_hist[cls, r]
    if f == 0:
        return NO_NODE, processed, 0, examined
    if f == 1 and not score_single:
        return feas[0], processed, 1, examined
    total = sc.total
    total[:f] = 0
    run_scores(st, cfg, sc, p, cls, plan, st.pod_ls[p], feas, f, explain)
    return feas[select_host(total, f, cfg.selection, draw)], processed, f, examined


@njit(cache=True)
def processed_includes(st, cfg, p, node, start, processed):
    """Whether ``node`` is among the ``processed`` nodes a cycle for pod ``p`` from round-robin
    index ``start`` went through (upstream counts each node's status once)."""
    cls = st.pod_cls[p]
    if (st.cls_flags[cls] & FLAG_NARROW) != 0 and cfg.na_prefilter:
        order = st.narrow_idx[st.narrow_ptr[cls]:st.narrow_ptr[cls + 1]]
    else:
        order = st.order
    n = order.shape[0]
    if n == 0:
        return False
    s0 = start % n
    for q in range(n):
        if order[q] == node:
            return (q - s0 + n) % n < processed
    return False


@njit(cache=True)
def _first_pass_index(pass_pos, pp0, npass, s0):
    """Index of the first pass position >= ``s0`` (binary search; ``npass`` when none)."""
    lo = 0
    hi = npass
    while lo < hi:
        mid = (lo + hi) // 2
        if pass_pos[pp0 + mid] < s0:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True)
def filter_general(st, cfg, sc, p, order, q0, n, s0, skip, jdx, want, explain, pts_on, ipa_on, has_ports,
                   fit_on, n_fit_cols, self_all, aff_empty):
    """Every filter plugin on the examination list from ``s0`` until ``want + 1`` nodes fit,
    with nominated pods, reason counts in ``sc.hist`` and, when recording, each failed
    node's verdict in ``sc.ex_*`` (every examined node with ``explain``).

    Returns (feasible count, stop position or -1, nodes examined before it).
    """
    cls = st.pod_cls[p]
    plan = st.pod_plan[p]
    ls = st.pod_ls[p]
    j0 = st.pc_ptr[plan]
    j1 = st.pc_ptr[plan + 1]
    i0 = st.it_ptr[plan]
    i1 = st.it_ptr[plan + 1]
    mins = sc.mins
    filter_ids = cfg.filter_ids
    bits_row = st.cls_bits[cls]
    pod_want = st.pod_req[p]
    alloc = st.alloc
    used = st.requested
    ports_want = st.plan_port
    w0 = st.plan_port_ptr[plan]
    w1 = st.plan_port_ptr[plan + 1]
    ports = st.ports
    n_ports = st.n_ports
    labels = st.labels
    dom_cnt = st.dom_cnt
    dom_off = st.dom_off
    pc_hard = st.pc_hard
    pc_key = st.pc_key
    pc_ent = st.pc_ent
    pc_self = st.pc_self
    pc_skew = st.pc_skew
    it_kind = st.it_kind
    it_key = st.it_key
    it_ent = st.it_ent
    ls_term_ptr = st.ls_term_ptr
    ls_term_idx = st.ls_term_idx
    t_kind = st.t_kind
    t_total = st.t_total
    t_key = st.t_key
    t_off = st.t_off
    tdom = st.tdom
    fit_cols = sc.fit_cols
    n_filters = filter_ids.shape[0]
    nom_head = st.nom_head
    record = explain or sc.record[0] != 0
    feas = sc.feas
    hist = sc.hist
    ex_node = sc.ex_node
    ex_code = sc.ex_code
    ex_plugin = sc.ex_plugin
    ex_detail = sc.ex_detail
    pp0 = st.pass_ptr[cls]
    npass = st.pass_ptr[cls + 1] - pp0
    pass_pos = st.pass_pos
    f = 0
    examined = 0
    k = s0
    steps = npass if skip else n
    stop_pos = -1
    for _ in range(steps):
        if skip:
            if jdx == npass:
                jdx = 0
            pos = pass_pos[pp0 + jdx]
            jdx += 1
        else:
            pos = k
            k += 1
            if k == n:
                k = 0
        node = order[q0 + pos]
        code = 0
        plugin = -1
        detail = np.int64(0)
        if nom_head[node] >= 0:
            # pass 0 (nominated pods added); a failure there is the node's verdict
            code, plugin, detail = nominated_pass(st, cfg, sc, p, node, True)
        if code == 0:
            pts_r = 0
            if pts_on:
                pts_r = pts.filter_node(labels, dom_cnt, dom_off, pc_hard, pc_key, pc_ent, pc_self, pc_skew, j0, j1,
                                        node, mins)
            ipa_r = 0
            if ipa_on:
                ipa_r = ipa.filter_node(labels, dom_cnt, dom_off, it_kind, it_key, it_ent, i0, i1, ls_term_ptr,
                                        ls_term_idx, t_kind, t_total, t_key, t_off, tdom, node, ls, self_all,
                                        aff_empty)
            # Each plugin's outcome is computed (cheaply) up front; the profile's filter order
            # then decides which failure is reported, as RunFilterPlugins stops at the first.
            bits = bits_row[node]
            fit_detail = np.int64(0)
            fit_unresolvable = False
            if fit_on:
                fit_detail, fit_unresolvable = fit_filter(pod_want, fit_cols, n_fit_cols, alloc, used, node)
            ports_hit = has_ports and ports_conflict(ports_want, w0, w1, ports, n_ports, node)
            if bits != 0 or fit_detail != 0 or ports_hit or pts_r != 0 or ipa_r != 0:
                for fk in range(n_filters):
                    fid = filter_ids[fk]
                    code, detail = filter_verdict(fid, bits, fit_detail, fit_unresolvable, ports_hit, pts_r, ipa_r)
                    if code != 0:
                        plugin = fid
                        break
        if code == 0:
            if f == want:
                stop_pos = pos
                break
            feas[f] = node
            if explain:
                ex_node[examined] = node
                ex_code[examined] = 0
                ex_plugin[examined] = -1
                ex_detail[examined] = f
            f += 1
        else:
            reason = _hist_detail(hist, detail)
            if reason >= 0:
                hist[reason] += 1
            if record:
                ex_node[examined] = node
                ex_code[examined] = code
                ex_plugin[examined] = plugin
                ex_detail[examined] = reason if reason >= 0 else detail
        examined += 1
    return f, stop_pos, examined


@njit(cache=True)
def run_scores(st, cfg, sc, p, cls, plan, ls, feas, f, explain):
    """Each enabled score plugin, normalized, times its weight, added into ``sc.total``.

    Plugins accumulate in their last pass over the nodes (no separate totals pass). Without
    explain output, a plugin whose scores are provably equal on every node is skipped: a
    constant offset cannot change the choice.
    """
    buf = sc.buf
    total = sc.total
    scores = sc.scores
    pflags = st.plan_flags[plan]
    memo = _memo_resource_scores(st, cfg, sc, p, feas, f)
    for k in range(cfg.score_ids.shape[0]):
        sid = cfg.score_ids[k]
        w = cfg.score_w[k]
        ran = True
        if memo and sid == S_NODE_RESOURCES_FIT:
            _add_scores(sc.fit_buf, f, buf, total, w, explain)
        elif memo and sid == S_BALANCED_ALLOCATION:
            ran = _balanced_requested(st, cfg, sc, p)
            if ran:
                _add_scores(sc.ba_buf, f, buf, total, w, explain)
        elif sid == S_TAINT_TOLERATION:
            gather_normalize_add(st.cls_tt[cls], feas, f, True, buf, total, w, explain, sc.norm_table)
        elif sid == S_NODE_AFFINITY:
            if st.cls_flags[cls] & FLAG_NA_SKIP:
                ran = False
            else:
                gather_normalize_add(st.cls_na[cls], feas, f, False, buf, total, w, explain, sc.norm_table)
        elif sid == S_NODE_RESOURCES_FIT:
            _fit_scores(st, cfg, sc, p, feas, f, w)
        elif sid == S_POD_TOPOLOGY_SPREAD:
            if pflags & PTS_SOFT:
                sc.stamp[0] = pts.score_nodes(
                    st, feas, f, st.pc_ptr[plan], st.pc_ptr[plan + 1], (pflags & PTS_REQUIRE_ALL) != 0, buf,
                    sc.aux, sc.seen, sc.stamp[0], total, w, sc.norm_table,
                )
            else:
                ran = False
        elif sid == S_INTER_POD_AFFINITY:
            has_pref = (pflags & IPA_PREF) != 0
            ran = ipa.score_nodes(st, feas, f, ls, st.it_ptr[plan], st.it_ptr[plan + 1], has_pref,
                                  cfg.ipa_ignore_existing, buf, total, w)
        elif sid == S_BALANCED_ALLOCATION:
            ran = _balanced_scores(st, cfg, sc, p, feas, f, w)
        elif sid == S_IMAGE_LOCALITY:
            if explain or not (st.cls_flags[cls] & FLAG_IMG_ZERO):
                row = st.cls_img[cls]
                for i in range(f):
                    v = np.int64(row[feas[i]])
                    buf[i] = v
                    total[i] += v * w
            else:
                buf[:f] = 0
        if explain:
            for i in range(f):
                scores[i, sid] = buf[i] if ran else -1


@njit(cache=True)
def _fit_plan(st, cfg, sc, p):
    """NodeResourcesFit's resources for pod ``p``: fills ``sc.want`` (request per configured
    resource, non-zero cpu/memory) and the active list ``sc.act_*`` (tracked, and requested
    unless scalar, weight > 0). Returns (active count, cpu/memory only, q_cpu, w_cpu,
    q_mem, w_mem) where the last four describe the cpu/memory-only case."""
    want = sc.want
    cols = cfg.fit_cols
    for i in range(cols.shape[0]):
        c = cols[i]
        if c == 0:
            want[i] = st.pod_nz[p, 0]
        elif c == 1:
            want[i] = st.pod_nz[p, 1]
        elif c > 0:
            want[i] = st.pod_req[p, c]
        else:
            want[i] = 0
    n_act = 0
    for i in range(cols.shape[0]):
        c = cols[i]
        if c < 0 or (want[i] == 0 and cfg.fit_scalar[i]) or cfg.fit_w[i] == 0:
            continue
        sc.act_col[n_act] = c
        sc.act_src[n_act] = fit.SRC_NONZERO_CPU if c == 0 else (fit.SRC_NONZERO_MEMORY if c == 1 else fit.SRC_REQUESTED)
        sc.act_want[n_act] = want[i]
        sc.act_w[n_act] = cfg.fit_w[i]
        n_act += 1
    q_cpu = q_mem = w_cpu = w_mem = np.int64(0)
    hot = cfg.fit_strategy == LEAST_ALLOCATED or cfg.fit_strategy == MOST_ALLOCATED
    for i in range(n_act):
        if sc.act_col[i] == CPU_COL and w_cpu == 0:
            q_cpu, w_cpu = sc.act_want[i], sc.act_w[i]
        elif sc.act_col[i] == MEMORY_COL and w_mem == 0:
            q_mem, w_mem = sc.act_want[i], sc.act_w[i]
        else:
            hot = False
    return n_act, hot, q_cpu, w_cpu, q_mem, w_mem


@njit(cache=True)
def _fit_scores(st, cfg, sc, p, feas, f, w):
    n_act, hot, q_cpu, w_cpu, q_mem, w_mem = _fit_plan(st, cfg, sc, p)
    strategy = cfg.fit_strategy
    most = strategy == MOST_ALLOCATED
    if hot:
        fit.allocated_scores_hot(feas, f, st.hot, q_cpu, w_cpu, q_mem, w_mem, most, sc.buf, sc.total, w)
    elif (strategy == LEAST_ALLOCATED or most) and n_act <= fit.MAX_FAST_RESOURCES:
        fit.allocated_scores(feas, f, st.alloc, st.requested, st.nonzero, sc.act_col, sc.act_src, sc.act_want,
                             sc.act_w, n_act, most, sc.buf, sc.total, w)
    else:
        fit.score_nodes(feas, f, st.alloc, st.requested, st.nonzero, cfg.fit_cols, cfg.fit_scalar, cfg.fit_w,
                        sc.want, True, strategy, cfg.shape_u, cfg.shape_s, sc.buf, sc.total, w)


@njit(cache=True)
def _balanced_requested(st, cfg, sc, p):
    """BalancedAllocation's requests of pod ``p`` into ``sc.want``; False when the pod
    requests none of its resources (PreScore skips)."""
    cols = cfg.ba_cols
    any_request = False
    for i in range(cols.shape[0]):
        c = cols[i]
        sc.want[i] = st.pod_req[p, c] if c >= 0 else 0
        if sc.want[i] != 0:
            any_request = True
    return any_request


@njit(cache=True)
def _balanced_hot(cfg):
    """BalancedAllocation's resources are exactly cpu and memory (the default)."""
    cols = cfg.ba_cols
    return cols.shape[0] == 2 and min(cols[0], cols[1]) == CPU_COL and max(cols[0], cols[1]) == MEMORY_COL


@njit(cache=True)
def _balanced_scores(st, cfg, sc, p, feas, f, w):
    if not _balanced_requested(st, cfg, sc, p):
        return False
    cols = cfg.ba_cols
    want = sc.want
    if _balanced_hot(cfg):
        cpu, mem = (want[0], want[1]) if cols[0] == CPU_COL else (want[1], want[0])
        ba.score_nodes_hot(feas, f, st.hot, cpu, mem, sc.buf, sc.total, w)
    elif cols.shape[0] == 2 and cols[0] >= 0 and cols[1] >= 0 and not cfg.ba_scalar[0] and not cfg.ba_scalar[1]:
        ba.score_nodes_pair(feas, f, st.alloc, st.requested, cols[0], want[0], cols[1], want[1], sc.buf, sc.total, w)
    else:
        ba.score_nodes(feas, f, st.alloc, st.requested, cols, cfg.ba_scalar, want, sc.buf, sc.fractions, sc.total, w)
    return True


@njit(cache=True)
def _memo_resource_scores(st, cfg, sc, p, feas, f):
    """With both NodeResourcesFit and BalancedAllocation scoring cpu/memory from the hot
    rows, both scores of every feasible node into ``sc.fit_buf`` / ``sc.ba_buf`` through the
    memo (``resource_memo``). Returns whether it did."""
    has_fit = False
    has_ba = False
    for k in range(cfg.score_ids.shape[0]):
        has_fit |= cfg.score_ids[k] == S_NODE_RESOURCES_FIT
        has_ba |= cfg.score_ids[k] == S_BALANCED_ALLOCATION
    if not (has_fit and has_ba and _balanced_hot(cfg)):
        return False
    n_act, hot, q_cpu, w_cpu, q_mem, w_mem = _fit_plan(st, cfg, sc, p)
    if not hot:
        return False
    b_cpu = st.pod_req[p, CPU_COL]
    b_mem = st.pod_req[p, MEMORY_COL]
    sig = memo.signature(sc.sig_keys, sc.sig_table, sc.sig_count, sc.memo_ver, q_cpu, q_mem, b_cpu, b_mem)
    memo.resource_scores(feas, f, st.hot, sc.memo_ver, sc.memo_val, sig, q_cpu, w_cpu, q_mem, w_mem,
                         cfg.fit_strategy == MOST_ALLOCATED, b_cpu, b_mem, sc.fit_buf, sc.ba_buf)
    return True


@njit(cache=True)
def _add_scores(src, f, buf, total, w, explain):
    for i in range(f):
        total[i] += src[i] * w
    if explain:
        buf[:f] = src[:f]


@njit(cache=True)
def select_host(total, f, mode, draw):
    """Heap mode: the first maximum in pre-order of the implicit binary heap over the list
    (what Go's heap.Init leaves at the root). Random mode: draw-th of the tied maxima."""
    top = total[0]
    for i in range(1, f):
        if total[i] > top:
            top = total[i]
    if mode == SELECT_RANDOM:
        ties = 0
        for i in range(f):
            if total[i] == top:
                ties += 1
        k = draw % ties
        for i in range(f):
            if total[i] == top:
                if k == 0:
                    return i
                k -= 1
    depth_max = 0
    while (np.int64(1) << (depth_max + 1)) <= f:
        depth_max += 1
    # Level by level (index i + 1 in [2**d, 2**(d + 1))): a tie's pre-order key is
    # (i + 1) << (depth_max - d); the smallest key wins, the shallower on equal keys.
    best = -1
    best_key = np.int64(0)
    for d in range(depth_max + 1):
        lo = (np.int64(1) << d) - 1
        hi = min((np.int64(1) << (d + 1)) - 1, f)
        shift = depth_max - d
        for i in range(lo, hi):
            if total[i] == top:
                key = np.int64(i + 1) << shift
                if best < 0 or key < best_key:
                    best = i
                    best_key = key
                break  # later ties at this level have larger keys
    return best
