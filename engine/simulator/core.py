"""The simulator's Numba event loop: arrivals, scheduling queue, cycles, preemption, lifecycle.

``run_until(st, cfg, sc, pre, sim, heap, aq, bq, until)`` advances simulated time, processing
events in (time, sequence) order, until ``until`` or until Python must act (a trace buffer is
full, pod rows or the heap must grow). Python (``engine.simulator.simulator``) performs node
events, flushes the trace, samples nodes and resumes the loop.

The scheduler model follows kube-scheduler's scheduling queue (kube-scheduler.md §9): activeQ
ordered by priority then queue timestamp; failed pods parked as unschedulable with an
exponential backoff (1 s doubling to 10 s) until a cluster event that may help them (an
assigned pod removed, a pod bound, a node added or changed) or 5 minutes; backoffQ served when
activeQ is empty (SchedulerPopFromBackoffQ). Each cycle takes ``cycle_ms`` of simulated time.

``SimArrays`` fields (P = pod rows, K = pod kinds (templates), A = arrivals, N = nodes,
B = trace buffer rows, F = failure rows, W = reason histogram width):

- rows: ``pid`` int64 [P] run-wide pod id; ``phase`` int8 [P] (PH_*); ``kind`` int32 [P];
  ``bound`` int64 [P] ms (the start time is ``st.pod_start``); ``life`` int64 [P] run time (-1 forever);
  ``ready`` uint8 [P]; ``gen`` int64 [P] lifecycle generation (stale events are skipped);
  ``egen`` int64 [P] taint-eviction generation (a new one cancels the pending eviction);
  ``ev_since`` int64 [P] when the pending taint eviction was scheduled (-1 none: the taint
  eviction controller's work item ``CreatedAt``); ``preempted`` uint8 [P] terminating because
  of scheduler preemption (DisruptionTarget reason PreemptionByScheduler); ``awaiting`` uint8
  [P] deletion waiting for a dead node; ``free_next`` int32 [P]
- queue: ``q_state`` int8 [P] (Q_*); ``q_ts`` int64; ``q_attempts`` int32; ``q_backoff`` int64;
  ``q_since`` int64; ``q_plugins`` int32 (rejecting filter plugins, bit per plugin id);
  ``q_gen`` int64; ``q_pos`` int32 position in ``u_list`` int32 [P] (unschedulable pods)
- kinds: ``k_cls``/``k_ls``/``k_plan`` int32 [K]; ``k_req`` int64 [K, R]; ``k_nz`` int64 [K, 2];
  ``k_prio`` int32 [K]; ``k_grace`` int64 [K] ms; ``k_noexec`` int64 [K, S] taint-eviction delay
  of kind k on NoExecute taint set s (IMMEDIATE -1, FOREVER -2, else ms; Python fills a
  column per distinct set); ``k_never`` uint8 [K] preemptionPolicy Never
- arrivals (sorted by time): ``a_time`` int64 [A]; ``a_kind`` int32 [A]; ``a_life`` int64 [A];
  ``a_prio`` int32 [A] (NO_PRIO: none); ``a_req`` int64 [A or 0, R] request overrides (-1 none)
- nodes: ``n_dead`` uint8 [N] kubelet gone (deletions cannot complete); ``n_noexec`` int32 [N]
  the node's NoExecute taint set (a ``k_noexec`` column; -1 none)
- PDBs: ``pdb_mode`` int8 [D], ``pdb_value`` int64, ``pdb_expected`` int64 (-1: matching pods),
  ``pdb_healthy`` int64, ``pdb_count`` int64
- trace: ``e_time`` int64 [B], ``e_kind`` int8 [B], ``e_pid`` int64 [B], ``e_node`` int32 [B],
  ``e_aux`` int64 [B]; failures ``f_hist`` int64 [F, W], ``f_post`` int64 [F, W],
  ``f_state`` int8 [F] (POST_*), ``f_nall`` int64 [F] (negative: PreFilter rejected),
  ``f_absent`` int64 [F] nodes outside a PreFilterResult, ``f_pot`` int64 [F] nodes preemption tried
- ``cfg_i`` int64 [C] configuration (CFG_*), ``meta`` int64 [M] counters and cursors (M_*),
  ``node_rank`` int32 [N] node name order (preemption's last tie)
"""

from __future__ import annotations

import numpy as np
from numba import njit

from engine.framework.plugins.default_preemption.kernel import preempt
from engine.scheduler import codes
from engine.scheduler.bind import bind, mark_terminating, unbind
from engine.scheduler.cycle import node_fits, processed_includes, schedule_one
from engine.simulator import heap as eh
from engine.structs import struct

# pod phases
PH_FREE, PH_PENDING, PH_BOUND, PH_RUNNING, PH_TERMINATING = 0, 1, 2, 3, 4
# queue states
Q_NONE, Q_ACTIVE, Q_BACKOFF, Q_UNSCHED = 0, 1, 2, 3
# heap event kinds
EV_START, EV_READY, EV_FINISH, EV_DELETE, EV_EVICT, EV_BACKOFF, EV_FLUSH = 1, 2, 3, 4, 5, 6, 7
# trace event kinds (names in engine.simulator.trace.KIND_NAMES)
(K_CREATED, K_SCHEDULED, K_FAILED_SCHEDULING, K_NOMINATED, K_PREEMPTED, K_STARTED, K_READY, K_COMPLETED,
 K_FAILED, K_EVICTED, K_DELETED, K_NODE_ADDED, K_NODE_REMOVED, K_NODE_NOT_READY, K_NODE_READY,
 K_NODE_CORDONED, K_NODE_UNCORDONED, K_NODE_TAINTED, K_NODE_UNTAINTED, K_EVICTION_FAILED) = range(20)
# FailedScheduling PostFilter outcome
POST_NONE, POST_FAILED, POST_NEVER, POST_TERMINATING = 0, 1, 2, 3
# eviction reasons (e_aux of Evicted / Deleted / EvictionFailed)
EVICT_TAINT, EVICT_DRAIN, EVICT_NODE_REMOVED, EVICT_MULTIPLE_PDBS = 1, 2, 3, 4
# Eviction API answers (pods-and-nodes.md §7.4)
EVICTION_OK, EVICTION_429, EVICTION_500 = 0, 1, 2
# taint-eviction delays (k_noexec)
IMMEDIATE, FOREVER = -1, -2
NO_PRIO = -(2**31)
NEVER = 2**62
# pod_start of a pod without status.startTime: GetPodStartTime counts it as "now", i.e. newer
# than every pod that has started (the preemption kernel compares start times only)
NO_START = NEVER
# events one step may emit at most (a preemption emits one per victim)
RESERVE_EVENTS = 8192

# cfg_i
(CFG_START_LATENCY, CFG_READY_DELAY, CFG_CYCLE, CFG_PREEMPTION, CFG_PCT, CFG_ABS, CFG_BACKOFF_INIT,
 CFG_BACKOFF_MAX, CFG_UNSCHED_MAX, CFG_FLUSH_PERIOD, CFG_MAX_VICTIMS, CFG_N) = range(12)
# meta
(M_NOW, M_NEXT_ARRIVAL, M_EVENTS, M_FAILS, M_FREE, M_ULEN, M_START, M_SCHED_AT, M_RNG, M_SCHEDULED,
 M_ATTEMPTS, M_PREEMPTIONS, M_EVALS, M_REQUEUE, M_N) = range(15)
# stop reasons
STOP_UNTIL, STOP_BUFFER, STOP_ROWS, STOP_HEAP, STOP_DONE = 0, 1, 2, 3, 4

# rejecting-plugin bit masks per cluster event (QueueingHint approximation)
PLUGIN_BIT = np.array([1 << codes.F_NODE_UNSCHEDULABLE, 1 << codes.F_NODE_NAME, 1 << codes.F_TAINT_TOLERATION,
                       1 << codes.F_NODE_AFFINITY, 1 << codes.F_NODE_AFFINITY, 1 << codes.F_NODE_PORTS,
                       1 << codes.F_NODE_RESOURCES_FIT, 1 << codes.F_POD_TOPOLOGY_SPREAD,
                       1 << codes.F_POD_TOPOLOGY_SPREAD, 1 << codes.F_INTER_POD_AFFINITY,
                       1 << codes.F_INTER_POD_AFFINITY, 1 << codes.F_INTER_POD_AFFINITY, 0, 0],
                      dtype=np.int32)
MASK_POD_REMOVED = ((1 << codes.F_NODE_RESOURCES_FIT) | (1 << codes.F_NODE_PORTS)
                    | (1 << codes.F_POD_TOPOLOGY_SPREAD) | (1 << codes.F_INTER_POD_AFFINITY))
MASK_POD_BOUND = (1 << codes.F_POD_TOPOLOGY_SPREAD) | (1 << codes.F_INTER_POD_AFFINITY)
MASK_ALL = (1 << 8) - 1
# M_REQUEUE bit: the unschedulable-pods flush was cut short (in addition to cluster-event masks)
REQUEUE_AGED = 1 << 30
# queue pushes one requeue may need: an activeQ entry, or a backoffQ entry + a heap event
REQUEUE_ROOM = 8

# per-pod fields: dtype and the value of a blank row (initial and grown rows)
ROW_FIELDS = {
    "pid": (np.int64, 0), "phase": (np.int8, 0), "kind": (np.int32, 0), "bound": (np.int64, 0),
    "life": (np.int64, 0), "ready": (np.uint8, 0), "gen": (np.int64, 0), "egen": (np.int64, 0),
    "ev_since": (np.int64, -1), "preempted": (np.uint8, 0), "awaiting": (np.uint8, 0), "free_next": (np.int32, -1),
    "q_state": (np.int8, 0), "q_ts": (np.int64, 0), "q_attempts": (np.int32, 0), "q_backoff": (np.int64, 0),
    "q_since": (np.int64, 0), "q_plugins": (np.int32, 0), "q_gen": (np.int64, 0), "q_pos": (np.int32, -1),
    "u_list": (np.int32, 0),
}
SIM_FIELDS = (
        *ROW_FIELDS,
        "k_cls", "k_ls", "k_plan", "k_req", "k_nz", "k_prio", "k_grace", "k_noexec", "k_never",
        "a_time", "a_kind", "a_life", "a_prio", "a_req",
        "n_dead", "n_noexec",
        "pdb_mode", "pdb_value", "pdb_expected", "pdb_healthy", "pdb_count",
        "e_time", "e_kind", "e_pid", "e_node", "e_aux",
        "f_hist", "f_post", "f_state", "f_nall", "f_absent", "f_pot",
        "cfg_i", "meta", "node_rank", "plugin_bit",
)
SimArrays, SimArraysType = struct("SimArrays", SIM_FIELDS, __name__)


# -- trace -----------------------------------------------------------------------------------

@njit(cache=True)
def emit(sim, time, kind, pid, node, aux):
    i = sim.meta[M_EVENTS]
    sim.e_time[i] = time
    sim.e_kind[i] = kind
    sim.e_pid[i] = pid
    sim.e_node[i] = node
    sim.e_aux[i] = aux
    sim.meta[M_EVENTS] = i + 1


@njit(cache=True)
def room(sim, events, fails):
    """Whether the trace buffers can take ``events`` more events and ``fails`` failure rows."""
    return (sim.meta[M_EVENTS] + events <= sim.e_time.shape[0]
            and sim.meta[M_FAILS] + fails <= sim.f_hist.shape[0])


@njit(cache=True)
def next_random(sim):
    """xorshift64*: the simulator's own seeded generator (preemption's random offset)."""
    x = sim.meta[M_RNG]
    x ^= x >> 12
    x ^= x << 25
    x ^= x >> 27
    sim.meta[M_RNG] = x
    return (x * np.int64(2685821657736338717)) & np.int64(0x3FFFFFFFFFFFFFFF)


# -- PodDisruptionBudgets --------------------------------------------------------------------

@njit(cache=True)
def _pdb_add(st, sim, p, healthy, count):
    ls = st.pod_ls[p]
    for x in range(st.ls_pdb_ptr[ls], st.ls_pdb_ptr[ls + 1]):
        k = st.ls_pdb_idx[x]
        sim.pdb_healthy[k] += healthy
        sim.pdb_count[k] += count


@njit(cache=True)
def _expected(sim, k):
    """The PDB's expected pod count: its owners' scale, else the pods it matches."""
    return sim.pdb_expected[k] if sim.pdb_expected[k] >= 0 else sim.pdb_count[k]


@njit(cache=True)
def refresh_pdb_allowed(st, sim):
    """disruptionsAllowed = max(0, currentHealthy - desiredHealthy) for every PDB (§8.3)."""
    for k in range(sim.pdb_mode.shape[0]):
        expected = _expected(sim, k)
        allowed = sim.pdb_healthy[k] - _desired(sim, k, expected)
        st.pdb_allowed[k] = allowed if allowed > 0 and expected > 0 else 0


# -- queue -----------------------------------------------------------------------------------

@njit(cache=True)
def _unsched_remove(sim, p):
    i = sim.q_pos[p]
    last = sim.meta[M_ULEN] - 1
    q = sim.u_list[last]
    sim.u_list[i] = q
    sim.q_pos[q] = i
    sim.meta[M_ULEN] = last
    sim.q_pos[p] = -1


@njit(cache=True)
def _push_active(st, sim, aq, p):
    """activeQ order: higher priority, then earlier queue timestamp, then push order."""
    sim.q_gen[p] += 1
    sim.q_state[p] = Q_ACTIVE
    return eh.push_keys(aq, -np.int64(st.pod_prio[p]), sim.q_ts[p], 0, 0, p, sim.q_gen[p])


@njit(cache=True)
def _push_backoff(st, sim, bq, p):
    """backoffQ order: backoff expiry second, then activeQ order."""
    sim.q_gen[p] += 1
    sim.q_state[p] = Q_BACKOFF
    window = sim.q_backoff[p] // 1000
    return eh.push_keys(bq, window, -np.int64(st.pod_prio[p]), sim.q_ts[p], 0, p, sim.q_gen[p])


@njit(cache=True)
def requeue(st, sim, aq, bq, heap, p, now):
    """Move an unschedulable pod to backoffQ (still backing off) or activeQ."""
    _unsched_remove(sim, p)
    if now < sim.q_backoff[p]:
        ok = _push_backoff(st, sim, bq, p)
        ok = ok and eh.push(heap, sim.q_backoff[p], EV_BACKOFF, p, sim.q_gen[p])
    else:
        ok = _push_active(st, sim, aq, p)
    return ok


@njit(cache=True)
def _requeue_room(aq, bq, heap):
    return (aq.meta[0] + REQUEUE_ROOM < aq.k1.shape[0] and bq.meta[0] + REQUEUE_ROOM < bq.k1.shape[0]
            and heap.meta[0] + REQUEUE_ROOM < heap.k1.shape[0])


@njit(cache=True)
def _requeue_matching(st, sim, aq, bq, heap, mask, limit, now, pending):
    """Requeue the unschedulable pods rejected by a plugin in ``mask`` or unschedulable for
    longer than ``limit``. When the queues fill up, ``pending`` is remembered in
    ``meta[M_REQUEUE]`` and False is returned: ``run_until`` finishes the work after Python
    has grown the queues (no pod is lost)."""
    i = 0
    while i < sim.meta[M_ULEN]:
        p = sim.u_list[i]
        if (sim.q_plugins[p] & mask) != 0 or now - sim.q_since[p] > limit:
            if not _requeue_room(aq, bq, heap):
                sim.meta[M_REQUEUE] |= pending
                return False
            requeue(st, sim, aq, bq, heap, p, now)
        else:
            i += 1
    return True


@njit(cache=True)
def cluster_event(st, sim, aq, bq, heap, mask, now):
    """A cluster event: unschedulable pods rejected by a plugin in ``mask`` are requeued
    (False: cut short by a full queue, see ``_requeue_matching``)."""
    return _requeue_matching(st, sim, aq, bq, heap, mask, NEVER, now, mask)


@njit(cache=True)
def flush_aged(st, sim, aq, bq, heap, now):
    """Pods unschedulable for longer than the limit (5 min) go back to the queues."""
    return _requeue_matching(st, sim, aq, bq, heap, 0, sim.cfg_i[CFG_UNSCHED_MAX], now, REQUEUE_AGED)


@njit(cache=True)
def finish_requeue(st, sim, aq, bq, heap, now):
    """Finish cluster events and flushes that a full queue cut short."""
    pending = sim.meta[M_REQUEUE]
    sim.meta[M_REQUEUE] = 0
    ok = True
    if pending & MASK_ALL:
        ok = cluster_event(st, sim, aq, bq, heap, pending & MASK_ALL, now)
    if pending & REQUEUE_AGED:
        ok = flush_aged(st, sim, aq, bq, heap, now) and ok
    return ok


@njit(cache=True)
def park(st, sim, p, now, plugins):
    """A failed pod waits as unschedulable with its next backoff."""
    sim.q_attempts[p] += 1
    init = sim.cfg_i[CFG_BACKOFF_INIT]
    limit = sim.cfg_i[CFG_BACKOFF_MAX]
    backoff = init
    for _ in range(sim.q_attempts[p] - 1):
        backoff *= 2
        if backoff >= limit:
            backoff = limit
            break
    if limit == 0:
        backoff = 0
    sim.q_gen[p] += 1
    sim.q_state[p] = Q_UNSCHED
    sim.q_ts[p] = now
    sim.q_backoff[p] = now + backoff
    sim.q_since[p] = now
    sim.q_plugins[p] = plugins
    i = sim.meta[M_ULEN]
    sim.u_list[i] = p
    sim.q_pos[p] = i
    sim.meta[M_ULEN] = i + 1


@njit(cache=True)
def pop_next(st, sim, aq, bq):
    """Next pod to schedule: activeQ first, else backoffQ (stale entries skipped); -1 none."""
    while aq.meta[0] > 0:
        _, _, p, gen = eh.pop(aq)
        if sim.q_gen[p] == gen and sim.q_state[p] == Q_ACTIVE:
            return p
    while bq.meta[0] > 0:
        _, _, p, gen = eh.pop(bq)
        if sim.q_gen[p] == gen and sim.q_state[p] == Q_BACKOFF:
            return p
    return -1


# -- nominations -------------------------------------------------------------------------------

@njit(cache=True)
def clear_nomination(st, p):
    node = st.pod_nom[p]
    if node < 0:
        return
    prev = -1
    q = st.nom_head[node]
    while q >= 0:
        if q == p:
            if prev < 0:
                st.nom_head[node] = st.nom_next[q]
            else:
                st.nom_next[prev] = st.nom_next[q]
            st.nom_count[0] -= 1
            break
        prev = q
        q = st.nom_next[q]
    st.nom_next[p] = -1
    st.pod_nom[p] = -1


@njit(cache=True)
def clear_nominations_to(st, node):
    """Every pod nominated to ``node`` loses its nomination (the node was deleted)."""
    q = st.nom_head[node]
    while q >= 0:
        nxt = st.nom_next[q]
        st.nom_next[q] = -1
        st.pod_nom[q] = -1
        st.nom_count[0] -= 1
        q = nxt
    st.nom_head[node] = -1


@njit(cache=True)
def nominate(st, p, node):
    clear_nomination(st, p)
    st.pod_nom[p] = node
    st.nom_next[p] = st.nom_head[node]
    st.nom_head[node] = p
    st.nom_count[0] += 1


# -- pods ------------------------------------------------------------------------------------

@njit(cache=True)
def arrive(st, sim, aq, i, now):
    """Create the pod of arrival ``i`` in a free row; False when no row is free."""
    p = sim.meta[M_FREE]
    if p < 0:
        return False
    sim.meta[M_FREE] = sim.free_next[p]
    k = sim.a_kind[i]
    sim.pid[p] = i
    sim.phase[p] = PH_PENDING
    sim.kind[p] = k
    sim.bound[p] = -1
    sim.life[p] = sim.a_life[i]
    sim.ready[p] = 0
    sim.gen[p] += 1
    sim.egen[p] += 1
    sim.ev_since[p] = -1
    sim.preempted[p] = 0
    sim.awaiting[p] = 0
    sim.q_attempts[p] = 0
    sim.q_plugins[p] = 0
    sim.q_pos[p] = -1
    sim.q_ts[p] = now
    st.pod_cls[p] = sim.k_cls[k]
    st.pod_ls[p] = sim.k_ls[k]
    st.pod_plan[p] = sim.k_plan[k]
    st.pod_prio[p] = sim.k_prio[k] if sim.a_prio[i] == NO_PRIO else sim.a_prio[i]
    st.pod_node[p] = -1
    st.pod_term[p] = 0
    st.pod_nom[p] = -1
    st.nom_next[p] = -1
    st.pod_start[p] = NO_START
    for c in range(st.pod_req.shape[1]):
        st.pod_req[p, c] = sim.k_req[k, c]
    st.pod_nz[p, 0] = sim.k_nz[k, 0]
    st.pod_nz[p, 1] = sim.k_nz[k, 1]
    if sim.a_req.shape[0] > 0:
        for c in range(st.pod_req.shape[1]):
            v = sim.a_req[i, c]
            if v >= 0:
                st.pod_req[p, c] = v
                if c < 2:
                    st.pod_nz[p, c] = v
    _pdb_add(st, sim, p, 0, 1)
    emit(sim, now, K_CREATED, i, -1, 0)
    return _push_active(st, sim, aq, p)


@njit(cache=True)
def free_row(st, sim, p):
    sim.phase[p] = PH_FREE
    sim.gen[p] += 1
    sim.q_gen[p] += 1
    sim.q_state[p] = Q_NONE
    clear_nomination(st, p)
    sim.free_next[p] = sim.meta[M_FREE]
    sim.meta[M_FREE] = p


@njit(cache=True)
def terminate(st, sim, heap, p, now, kind, node, aux):
    """The pod gets a deletion timestamp (preemption victim, eviction): deleted after its grace."""
    if sim.phase[p] == PH_TERMINATING:
        return True
    emit(sim, now, kind, sim.pid[p], node, aux)
    if sim.ready[p]:
        _pdb_add(st, sim, p, -1, 0)
        sim.ready[p] = 0
    sim.phase[p] = PH_TERMINATING
    sim.gen[p] += 1
    mark_terminating(st, p)
    return eh.push(heap, now + sim.k_grace[sim.kind[p]], EV_DELETE, p, sim.gen[p])


@njit(cache=True)
def delete_now(st, sim, aq, bq, heap, p, now, kind, aux):
    """Remove a pod object: free its node resources and its row; a terminal trace event."""
    node = st.pod_node[p]
    if sim.ready[p]:
        _pdb_add(st, sim, p, -1, 0)
    _pdb_add(st, sim, p, 0, -1)
    if sim.q_state[p] == Q_UNSCHED:
        _unsched_remove(sim, p)
    if node >= 0:
        unbind(st, p)
    emit(sim, now, kind, sim.pid[p], node, aux)
    free_row(st, sim, p)
    if node >= 0:
        return cluster_event(st, sim, aq, bq, heap, MASK_POD_REMOVED, now)
    return True


# -- one scheduling attempt ------------------------------------------------------------------

@njit(cache=True)
def attempt(st, cfg, sc, pre, sim, aq, bq, heap, p, now):
    """One scheduling cycle for pod ``p``: bind, or FailedScheduling (+ preemption) and park."""
    n_all = st.order.shape[0]
    node = -1
    nom = st.pod_nom[p]
    nom_code = 0
    if nom >= 0 and nom < st.alloc.shape[0]:
        # its status also decides preemption eligibility below (e.g. tainted since: resolvable no more)
        nom_code, plugin, detail = node_fits(st, cfg, sc, p, nom)
        if nom_code == 0 and sim.n_dead[nom] == 0:
            node = nom
    examined = 0
    # failed nodes are recorded (sc.ex_*) only for preemption, which reads them
    can_preempt = sim.cfg_i[CFG_PREEMPTION] != 0 and sim.k_never[sim.kind[p]] == 0
    sc.record[0] = 1 if can_preempt else 0
    if node < 0:
        start = sim.meta[M_START]
        node, processed, f, examined = schedule_one(st, cfg, sc, p, start, False, False, next_random(sim), False)
        # the failed nominated node's status counts once towards the processed nodes
        extra = 0
        if nom >= 0 and not processed_includes(st, cfg, p, nom, start, processed):
            extra = 1
        if node < 0 and nom >= 0 and can_preempt:
            # every examined node failed and was recorded: the latest status of the
            # nominated node wins
            for i in range(examined):
                if sc.ex_node[i] == nom:
                    nom_code = sc.ex_code[i]
        if n_all > 0:
            sim.meta[M_START] = (start + processed + extra) % n_all
        sim.meta[M_EVALS] += processed
    if node >= 0:
        clear_nomination(st, p)
        bind(st, p, node)
        sim.phase[p] = PH_BOUND
        sim.bound[p] = now
        sim.q_state[p] = Q_NONE
        sim.q_gen[p] += 1
        sim.meta[M_SCHEDULED] += 1
        emit(sim, now, K_SCHEDULED, sim.pid[p], node, 0)
        ok = eh.push(heap, now + sim.cfg_i[CFG_START_LATENCY], EV_START, p, sim.gen[p])
        ok = _landed_on_noexecute(sim, heap, p, node, now) and ok
        return cluster_event(st, sim, aq, bq, heap, MASK_POD_BOUND, now) and ok
    # FailedScheduling
    sim.meta[M_ATTEMPTS] += 1
    plugins = np.int32(0)
    for r in range(codes.R_RESOURCE):
        if sc.hist[r] > 0:
            plugins |= sim.plugin_bit[r]
    for r in range(codes.R_RESOURCE, sc.hist.shape[0]):
        if sc.hist[r] > 0:
            plugins |= np.int32(1 << codes.F_NODE_RESOURCES_FIT)
    if node == codes.PREFILTER_REJECT:
        plugins |= np.int32(1 << codes.F_NODE_AFFINITY)
    row = sim.meta[M_FAILS]
    sim.meta[M_FAILS] = row + 1
    sim.f_hist[row, :] = 0
    sim.f_hist[row, : sc.hist.shape[0]] = sc.hist
    sim.f_nall[row] = n_all if node != codes.PREFILTER_REJECT else -n_all - 1
    cls = st.pod_cls[p]
    narrow = (st.cls_flags[cls] & 2) != 0 and cfg.na_prefilter
    sim.f_absent[row] = n_all - (st.narrow_ptr[cls + 1] - st.narrow_ptr[cls]) if narrow else 0
    sim.f_state[row] = POST_NONE
    target = -1
    if sim.cfg_i[CFG_PREEMPTION]:
        if sim.k_never[sim.kind[p]]:
            sim.f_state[row] = POST_NEVER
        elif nom >= 0 and nom_code != codes.UNRESOLVABLE and _victims_pending(st, sim, p, nom):
            sim.f_state[row] = POST_TERMINATING
        elif node != codes.PREFILTER_REJECT:
            refresh_pdb_allowed(st, sim)
            target = preempt(st, cfg, sc, pre, p, examined, next_random(sim), sim.cfg_i[CFG_PCT],
                             sim.cfg_i[CFG_ABS], sim.node_rank)
            if target < 0:
                sim.f_state[row] = POST_FAILED
                sim.f_post[row, :] = 0
                sim.f_post[row, : pre.hist.shape[0]] = pre.hist
                sim.f_pot[row] = pre.meta[2]
                clear_nomination(st, p)
        else:
            sim.f_state[row] = POST_FAILED
            sim.f_post[row, :] = 0
            sim.f_pot[row] = 0
    ok = True
    if target >= 0:
        sim.meta[M_PREEMPTIONS] += 1
        for i in range(pre.meta[0]):
            v = pre.victims[i]
            if sim.phase[v] != PH_TERMINATING:
                # a victim already being deleted (evicted) gets no API call, hence no
                # PreemptionByScheduler condition (preemption executor, prepareCandidate)
                sim.preempted[v] = 1
            ok = terminate(st, sim, heap, v, now, K_PREEMPTED, target, sim.pid[p]) and ok
        # lower-priority pods nominated to the node lose their nomination
        q = st.nom_head[target]
        while q >= 0:
            nxt = st.nom_next[q]
            if q != p and st.pod_prio[q] < st.pod_prio[p]:
                clear_nomination(st, q)
            q = nxt
    emit(sim, now, K_FAILED_SCHEDULING, sim.pid[p], -1, row)
    if target >= 0:
        nominate(st, p, target)
        emit(sim, now, K_NOMINATED, sim.pid[p], target, 0)
    park(st, sim, p, now, plugins)
    return ok


@njit(cache=True)
def _landed_on_noexecute(sim, heap, p, node, now):
    """The taint eviction controller sees a pod bound to a node with NoExecute taints
    (handlePodUpdate -> processPodOnNode): a new pod has no pending eviction, so its timer
    starts now, for the first toleration of each taint (tolerated forever: none)."""
    s = sim.n_noexec[node]
    if s < 0:
        return True
    return process_pod_on_node(sim, heap, p, sim.k_noexec[sim.kind[p], s], now)


# -- the taint eviction controller (taint_eviction.go) ----------------------------------------------

@njit(cache=True)
def _cancel_eviction(sim, p):
    sim.egen[p] += 1
    sim.ev_since[p] = -1


@njit(cache=True)
def process_pod_on_node(sim, heap, p, delay, now):
    """``processPodOnNode`` with the pod's delay on its node's NoExecute taints (``k_noexec``):
    an untolerated taint deletes the pod now; tolerated forever cancels its eviction;
    otherwise an eviction scheduled before now stays as it is (the controller keeps the work
    item whose start is earlier), else one is scheduled at now + the smallest
    tolerationSeconds. False: the heap is full."""
    if delay == FOREVER:
        _cancel_eviction(sim, p)
        return True
    since = sim.ev_since[p]
    if delay == IMMEDIATE or since >= 0:
        if delay != IMMEDIATE and since < now:
            return True
        _cancel_eviction(sim, p)
    sim.ev_since[p] = now
    return eh.push(heap, now if delay == IMMEDIATE else now + delay, EV_EVICT, p, sim.egen[p])


@njit(cache=True)
def taint_node_update(st, sim, heap, node, now):
    """``handleNodeUpdate``: the node's NoExecute taints changed. None left: every pending
    eviction of its pods is cancelled; otherwise each pod not being deleted is processed
    against them. False (nothing done): the heap lacks room for the node's pods."""
    count = 0
    p = st.pod_head[node]
    while p >= 0:
        count += 1
        p = st.pod_next[p]
    if heap.meta[0] + count > heap.k1.shape[0]:
        return False
    s = sim.n_noexec[node]
    p = st.pod_head[node]
    while p >= 0:
        if sim.phase[p] == PH_BOUND or sim.phase[p] == PH_RUNNING:
            if s < 0:
                _cancel_eviction(sim, p)
            else:
                process_pod_on_node(sim, heap, p, sim.k_noexec[sim.kind[p], s], now)
        p = st.pod_next[p]
    return True


@njit(cache=True)
def _victims_pending(st, sim, p, node):
    """A lower-priority pod on the nominated node is still terminating because of scheduler
    preemption (podTerminatingByPreemption); pods evicted otherwise do not count."""
    q = st.pod_head[node]
    while q >= 0:
        if sim.preempted[q] and st.pod_prio[q] < st.pod_prio[p]:
            return True
        q = st.pod_next[q]
    return False


# -- events ------------------------------------------------------------------------------------

@njit(cache=True)
def handle(st, sim, aq, bq, heap, kind, p, aux, now):
    if kind == EV_FLUSH:
        ok = eh.push(heap, now + sim.cfg_i[CFG_FLUSH_PERIOD], EV_FLUSH, -1, 0)
        return flush_aged(st, sim, aq, bq, heap, now) and ok
    if kind == EV_BACKOFF:
        if sim.q_state[p] == Q_BACKOFF and sim.q_gen[p] == aux:
            return _push_active(st, sim, aq, p)
        return True
    if kind == EV_EVICT:
        if sim.egen[p] == aux and (sim.phase[p] == PH_BOUND or sim.phase[p] == PH_RUNNING):
            return terminate(st, sim, heap, p, now, K_EVICTED, st.pod_node[p], EVICT_TAINT)
        return True
    if sim.gen[p] != aux:
        return True  # stale: the pod moved on
    node = st.pod_node[p]
    dead = node >= 0 and sim.n_dead[node] != 0
    if kind == EV_START:
        if dead:
            return True  # the kubelet is gone: containers never start
        sim.phase[p] = PH_RUNNING
        st.pod_start[p] = now  # status.startTime (the kubelet acknowledges the pod)
        emit(sim, now, K_STARTED, sim.pid[p], st.pod_node[p], 0)
        ok = True
        if sim.life[p] >= 0:
            ok = eh.push(heap, now + sim.life[p], EV_FINISH, p, sim.gen[p])
        if sim.cfg_i[CFG_READY_DELAY] > 0:
            return eh.push(heap, now + sim.cfg_i[CFG_READY_DELAY], EV_READY, p, sim.gen[p]) and ok
        return _ready(st, sim, p, now) and ok
    if kind == EV_READY:
        return _ready(st, sim, p, now)
    if kind == EV_FINISH:
        if dead:
            return True  # nobody can report the completion; the pod will be evicted
        return delete_now(st, sim, aq, bq, heap, p, now, K_COMPLETED, 0)
    if kind == EV_DELETE:
        if dead:
            sim.awaiting[p] = 1  # the kubelet is gone: the pod stays Terminating
            return True
        return delete_now(st, sim, aq, bq, heap, p, now, K_DELETED, 0)
    return True


@njit(cache=True)
def _ready(st, sim, p, now):
    node = st.pod_node[p]
    if (node >= 0 and sim.n_dead[node]) or sim.ready[p]:
        return True
    sim.ready[p] = 1
    _pdb_add(st, sim, p, 1, 0)
    emit(sim, now, K_READY, sim.pid[p], node, 0)
    return True


# -- the loop ----------------------------------------------------------------------------------

@njit(cache=True)
def run_until(st, cfg, sc, pre, sim, heap, aq, bq, until):
    """Process events up to ``until`` (inclusive); returns a STOP_* reason."""
    n_arr = sim.a_time.shape[0]
    while True:
        if not room(sim, RESERVE_EVENTS, 2):
            return STOP_BUFFER
        if heap.meta[0] + 64 + sim.cfg_i[CFG_MAX_VICTIMS] >= heap.k1.shape[0] \
                or aq.meta[0] + 64 >= aq.k1.shape[0] or bq.meta[0] + 64 >= bq.k1.shape[0]:
            return STOP_HEAP
        if sim.meta[M_REQUEUE] != 0 and not finish_requeue(st, sim, aq, bq, heap, sim.meta[M_NOW]):
            return STOP_HEAP
        i = sim.meta[M_NEXT_ARRIVAL]
        t_arr = sim.a_time[i] if i < n_arr else NEVER
        t_ev = eh.top_time(heap)
        t_next = min(t_arr, t_ev)
        now = sim.meta[M_NOW]
        has_work = aq.meta[0] > 0 or bq.meta[0] > 0
        t_sched = max(sim.meta[M_SCHED_AT], now)
        if has_work and t_sched < t_next and t_sched <= until:
            sim.meta[M_NOW] = t_sched
            p = pop_next(st, sim, aq, bq)
            if p >= 0:
                if not attempt(st, cfg, sc, pre, sim, aq, bq, heap, p, t_sched):
                    return STOP_HEAP
                sim.meta[M_SCHED_AT] = t_sched + sim.cfg_i[CFG_CYCLE]
            continue
        if t_next > until:
            sim.meta[M_NOW] = max(now, until)
            return STOP_UNTIL if (t_next < NEVER or has_work) else STOP_DONE
        sim.meta[M_NOW] = t_next
        if t_arr <= t_ev:
            if not arrive(st, sim, aq, i, t_arr):
                return STOP_ROWS
            sim.meta[M_NEXT_ARRIVAL] = i + 1
        else:
            t, kind, p, aux = eh.pop(heap)
            if not handle(st, sim, aq, bq, heap, kind, p, aux, t):
                return STOP_HEAP


# -- helpers Python calls between slices --------------------------------------------------------

@njit(cache=True)
def run_arrivals(st, sim, aq, count):
    """Create the first ``count`` arrivals now (pods already running when the run starts)."""
    while sim.meta[M_NEXT_ARRIVAL] < count:
        if not room(sim, 8, 0):
            return STOP_BUFFER
        i = sim.meta[M_NEXT_ARRIVAL]
        if not arrive(st, sim, aq, i, sim.a_time[i]):
            return STOP_ROWS
        sim.meta[M_NEXT_ARRIVAL] = i + 1
    return STOP_DONE


@njit(cache=True)
def bind_existing(st, sim, heap, p, node, now):
    """A pod that already runs on ``node``: bound, started and Ready at ``now``."""
    bind(st, p, node)
    st.pod_start[p] = now
    sim.phase[p] = PH_RUNNING
    sim.bound[p] = now
    emit(sim, now, K_SCHEDULED, sim.pid[p], node, 0)
    emit(sim, now, K_STARTED, sim.pid[p], node, 0)
    if sim.life[p] >= 0:
        eh.push(heap, now + sim.life[p], EV_FINISH, p, sim.gen[p])
    _ready(st, sim, p, now)


@njit(cache=True)
def mark_node_unready(st, sim, node):
    """Node detected unreachable: its pods get Ready=False (MarkPodsNotReady)."""
    p = st.pod_head[node]
    while p >= 0:
        if sim.ready[p]:
            sim.ready[p] = 0
            _pdb_add(st, sim, p, -1, 0)
        p = st.pod_next[p]


@njit(cache=True)
def node_recovered(st, sim, heap, node, now):
    """The kubelet is back: pending deletions complete, pods start, finish or become Ready.

    Only what fell due while the node was dead (those events were dropped; every event up
    to ``now`` has been processed) is redone; later starts and readiness come as planned."""
    p = st.pod_head[node]
    ok = True
    while p >= 0:
        nxt = st.pod_next[p]
        if sim.awaiting[p]:
            sim.awaiting[p] = 0
            ok = eh.push(heap, now, EV_DELETE, p, sim.gen[p]) and ok
        elif sim.phase[p] == PH_BOUND:
            if sim.bound[p] + sim.cfg_i[CFG_START_LATENCY] <= now:
                ok = eh.push(heap, now, EV_START, p, sim.gen[p]) and ok
        elif sim.phase[p] == PH_RUNNING:
            if sim.life[p] >= 0 and st.pod_start[p] + sim.life[p] <= now:
                ok = eh.push(heap, now, EV_FINISH, p, sim.gen[p]) and ok
            elif not sim.ready[p] and st.pod_start[p] + sim.cfg_i[CFG_READY_DELAY] <= now:
                _ready(st, sim, p, now)
        p = nxt
    return ok


@njit(cache=True)
def eviction_answer(st, sim, p):
    """The Eviction API's PDB check (pods-and-nodes.md §7.4): EVICTION_OK, EVICTION_429
    (the budget allows no disruption: kubectl retries) or EVICTION_500 (more than one PDB
    matches: kubectl gives up on the pod)."""
    if sim.phase[p] == PH_BOUND:
        return EVICTION_OK  # phase Pending (containers not started): deleted without a PDB check
    ls = st.pod_ls[p]
    n = st.ls_pdb_ptr[ls + 1] - st.ls_pdb_ptr[ls]
    if n == 0:
        return EVICTION_OK
    if n > 1:
        return EVICTION_500
    k = st.ls_pdb_idx[st.ls_pdb_ptr[ls]]
    if not sim.ready[p]:
        expected = _expected(sim, k)
        desired = _desired(sim, k, expected)
        if sim.pdb_healthy[k] >= desired and desired > 0:
            return EVICTION_OK
    return EVICTION_OK if st.pdb_allowed[k] > 0 else EVICTION_429


@njit(cache=True)
def _desired(sim, k, expected):
    mode = sim.pdb_mode[k]
    v = sim.pdb_value[k]
    if mode == 0:
        return v
    if mode == 1:
        return (v * expected + 99) // 100
    if mode == 2:
        return max(0, expected - v)
    return max(0, expected - (v * expected + 99) // 100)


@njit(cache=True)
def consume_budget(st, sim, p):
    ls = st.pod_ls[p]
    for x in range(st.ls_pdb_ptr[ls], st.ls_pdb_ptr[ls + 1]):
        k = st.ls_pdb_idx[x]
        if sim.ready[p]:
            st.pdb_allowed[k] -= 1
