"""The simulator's Python driver: builds the state from a Scenario, runs the Numba event loop
in slices, performs node events (fail, recover, drain, cordon, taints, add, remove), samples
nodes and streams the trace.

Python acts only between slices: at scenario events, node-lifecycle steps, node samples and
when a buffer fills. Everything per pod happens in ``engine.simulator.core``.
"""

from __future__ import annotations

import dataclasses
import heapq
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from engine import __version__
from engine.framework.plugins.default_preemption.kernel import new_preemption
from engine.objects import NO_EXECUTE, NO_SCHEDULE, Node, Pod, Taint, Toleration
from engine.resources import qos_class
from engine.scheduler import codes
from engine.scheduler.arrays import KernelState
from engine.scheduler.scheduler import kernel_config, make_scratch
from engine.simulator import core
from engine.simulator import heap as eh
from engine.simulator.recorder import Recorder
from engine.simulator.trace import QOS_NAMES, TraceWriter, library_versions
from engine.simulator.zones import (
    ENTER_FULL,
    EXCLUDE_DISRUPTION,
    PARTIAL,
    ZoneTainters,
    zone_key,
    zone_name,
)
from engine.state.cluster import ClusterState, kind_requests
from engine.state.growable import grow_rows
from engine.state.resource_axis import PODS_COL
from engine.tolerations import tolerates
from workloads.scenario import Scenario

UNREACHABLE = "node.kubernetes.io/unreachable"
NOT_READY = "node.kubernetes.io/not-ready"
FOREVER = core.FOREVER
IMMEDIATE = core.IMMEDIATE
DRAIN_RETRY_MS = 5000  # kubectl drain retries a 429 after 5 s
EVENT_BUFFER = 1 << 18
MAX_RESOURCES = 64  # reason histogram columns for resources (failure rows)
FAIL_BUFFER = 1 << 14


@dataclass(order=True)
class Action:
    """A Python-side timed action (node lifecycle step, scenario event, drain retry)."""

    at: int
    seq: int
    run: Callable[[int], None] = field(compare=False)


@dataclass
class RunResult:
    run_info: dict
    out_dir: Path


def noexecute_delay_ms(pod: Pod, taints: list[Taint], defaults: dict[str, int]) -> int:
    """How long the taint-eviction controller lets ``pod`` stay on a node with ``taints``
    (§6.2, §7.2): IMMEDIATE, FOREVER or milliseconds.

    Tolerations first get DefaultTolerationSeconds (``defaults``: taint key -> seconds) unless
    the pod already tolerates that key for NoExecute (the admission plugin appends them).
    Then, as ``GetMatchingTolerations`` and ``getMinTolerationTime``: each NoExecute taint
    uses the *first* toleration that tolerates it (none: evicted at once); the delay is the
    smallest ``tolerationSeconds`` of those (<= 0: at once), forever when none sets one.
    """
    tolerations = list(pod.tolerations)
    for key, seconds in defaults.items():
        if not any(t.effect in ("", NO_EXECUTE) and t.key in ("", key) for t in tolerations):
            tolerations.append(Toleration(key, "Exists", "", NO_EXECUTE, seconds))
    seconds: list[int] = []
    for taint in taints:
        if taint.effect != NO_EXECUTE:
            continue
        first = next((t for t in tolerations if tolerates(t, taint)), None)
        if first is None:
            return IMMEDIATE
        if first.toleration_seconds is not None:
            seconds.append(first.toleration_seconds)
    if not seconds:
        return FOREVER
    return max(0, min(seconds)) * 1000


class Simulation:
    """One run of a scenario into a run directory."""

    def __init__(self, scenario: Scenario, out_dir: Path, *, progress: Callable[[int, int], None] | None = None):
        self.sc = scenario
        self.out_dir = Path(out_dir)
        self.progress = progress
        self.state = ClusterState(
            scenario.profile,
            namespaces=scenario.objects.namespaces,
            services=scenario.objects.services,
            workloads=scenario.objects.workloads,
        )
        self.state.add_nodes(list(scenario.objects.nodes))
        self.node_names: list[str] = [n.name for n in scenario.objects.nodes]
        self.actions: list[Action] = []
        self._seq = 0
        nl = scenario.node_lifecycle
        self.zones = ZoneTainters(nl.eviction_rate, nl.secondary_eviction_rate, nl.unhealthy_zone_threshold,
                                  nl.large_cluster_size_threshold)
        self._monitor_pass_at = -1  # a zone-state pass is scheduled at this time (-1: none)
        self._noexec_cols: dict[tuple[Taint, ...], int] = {}  # NoExecute taint set -> k_noexec column
        self.not_ready: set[int] = set()  # nodes whose Ready condition is Unknown (detected)
        self.failed_at: dict[int, int] = {}  # node -> when its kubelet stopped
        self._stale = False  # nodes changed since the kernel state was built
        self.stats = {"scheduling_seconds": 0.0, "trace_seconds": 0.0}
        self.wall_start = time.perf_counter()

    # -- setup -------------------------------------------------------------------------------
    def _kinds(self) -> list[Pod]:
        """Pod kinds: scenario templates, then the pods bound at start (one kind each)."""
        return list(self.sc.templates) + [p for p in self.sc.objects.pods if p.node_name]

    def _build(self) -> None:
        sc, state = self.sc, self.state
        for name in sc.arrivals.requests or {}:
            state.axis.ensure(name)
        state.nodes.widen_resources()
        state.pods.widen_resources()
        kinds = self._kinds()
        self.kinds = kinds
        compiled = [state.compile(p) for p in kinds]
        self._compile_pdbs()
        n_bound = len(kinds) - len(sc.templates)
        arr = sc.arrivals
        n_arr = len(arr)
        rows = 1024 + n_bound
        state.add_free_rows(rows)
        state.kernel_state()
        R = state.axis.capacity
        defaults = {
            UNREACHABLE: sc.node_lifecycle.unreachable_toleration_s,
            NOT_READY: sc.node_lifecycle.not_ready_toleration_s,
        }
        self.defaults = defaults
        grace_default = sc.lifecycle.termination_grace_ms
        k_req = kind_requests(compiled, R)
        self.k_qos = np.array([QOS_NAMES.index(qos_class(p)) for p in kinds], dtype=np.int8)
        a_req = np.zeros((0, R), dtype=np.int64)
        if arr.requests:
            a_req = np.full((n_arr, R), -1, dtype=np.int64)
            for name, values in arr.requests.items():
                col = state.axis.index.get(name, -1)
                if col >= 0:
                    a_req[:, col] = values
        a_prio = arr.priority.astype(np.int32) if arr.priority is not None else np.full(n_arr, core.NO_PRIO, np.int32)
        # bound pods at start are arrivals at time 0 that skip the queue
        self.n_bound = n_bound
        P = state.pods.node.shape[0]
        N = max(state.nodes.alloc.shape[0], 1)
        W = codes.R_RESOURCE + MAX_RESOURCES
        self.sim = core.SimArrays.of(
            **{name: np.full(P, fill, dtype) for name, (dtype, fill) in core.ROW_FIELDS.items()},
            k_cls=np.array([k.cls for k in compiled], np.int32), k_ls=np.array([k.ls for k in compiled], np.int32),
            k_plan=np.array([k.plan for k in compiled], np.int32), k_req=k_req,
            k_nz=np.array([k.nonzero for k in compiled], np.int64).reshape(len(kinds), 2),
            k_prio=np.array([k.priority for k in compiled], np.int32),
            k_grace=np.array(
                [grace_default if p.termination_grace_period_seconds is None else p.termination_grace_period_seconds * 1000
                 for p in kinds], np.int64),
            k_noexec=np.full((len(kinds), 4), FOREVER, np.int64),
            k_never=np.array([p.preemption_policy == "Never" for p in kinds], np.uint8),
            a_time=np.concatenate([np.zeros(n_bound, np.int64), arr.time_ms.astype(np.int64)]),
            a_kind=np.concatenate([np.arange(len(sc.templates), len(kinds), dtype=np.int32),
                                   arr.template.astype(np.int32)]),
            a_life=np.concatenate([np.full(n_bound, -1, np.int64), arr.lifetime_ms.astype(np.int64)]),
            a_prio=np.concatenate([np.full(n_bound, core.NO_PRIO, np.int32), a_prio]),
            a_req=a_req if a_req.shape[0] == 0 else np.concatenate([np.full((n_bound, R), -1, np.int64), a_req]),
            n_dead=np.zeros(N, np.uint8), n_noexec=np.full(N, -1, np.int32),
            pdb_mode=self.pdb_mode, pdb_value=self.pdb_value, pdb_expected=self.pdb_expected,
            pdb_healthy=np.zeros(len(self.pdb_mode), np.int64), pdb_count=np.zeros(len(self.pdb_mode), np.int64),
            e_time=np.zeros(EVENT_BUFFER, np.int64), e_kind=np.zeros(EVENT_BUFFER, np.int8),
            e_pid=np.zeros(EVENT_BUFFER, np.int64), e_node=np.zeros(EVENT_BUFFER, np.int32),
            e_aux=np.zeros(EVENT_BUFFER, np.int64),
            f_hist=np.zeros((FAIL_BUFFER, W), np.int64), f_post=np.zeros((FAIL_BUFFER, W), np.int64),
            f_state=np.zeros(FAIL_BUFFER, np.int8), f_nall=np.zeros(FAIL_BUFFER, np.int64),
            f_absent=np.zeros(FAIL_BUFFER, np.int64), f_pot=np.zeros(FAIL_BUFFER, np.int64),
            cfg_i=np.zeros(core.CFG_N, np.int64), meta=np.zeros(core.M_N, np.int64),
            node_rank=self._node_rank(N), plugin_bit=core.PLUGIN_BIT.copy(),
        )
        sim = self.sim
        free = np.arange(P, dtype=np.int32)
        sim.free_next[:-1] = free[1:]
        sim.free_next[-1] = -1
        cfg_i = sim.cfg_i
        cfg_i[core.CFG_START_LATENCY] = sc.lifecycle.start_latency_ms
        cfg_i[core.CFG_READY_DELAY] = sc.lifecycle.ready_delay_ms
        cfg_i[core.CFG_CYCLE] = sc.cycle_ms
        cfg_i[core.CFG_PREEMPTION] = 1 if "DefaultPreemption" in sc.profile.post_filters else 0
        preemption_args = sc.profile.args.default_preemption
        cfg_i[core.CFG_PCT] = preemption_args.min_candidate_nodes_percentage
        cfg_i[core.CFG_ABS] = preemption_args.min_candidate_nodes_absolute
        settings = sc.scheduler_settings
        cfg_i[core.CFG_BACKOFF_INIT] = int(settings.pod_initial_backoff_seconds * 1000)
        cfg_i[core.CFG_BACKOFF_MAX] = int(settings.pod_max_backoff_seconds * 1000)
        cfg_i[core.CFG_UNSCHED_MAX] = 5 * 60 * 1000
        cfg_i[core.CFG_FLUSH_PERIOD] = 30 * 1000
        sim.meta[core.M_FREE] = 0
        sim.meta[core.M_RNG] = (sc.seed * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) & 0x7FFFFFFFFFFFFFFF or 1
        self.heap = eh.new_heap(1 << 16)
        self.aq = eh.new_heap(1 << 14)
        self.bq = eh.new_heap(1 << 14)
        eh.push(self.heap, 30 * 1000, core.EV_FLUSH, -1, 0)
        self._refresh_kernel()
        for i in state.nodes.alive_indices():
            self._sync_noexec(int(i))
            self.zones.zone(self._zone_of(int(i)))
        self.recorder = Recorder(self, TraceWriter(self.out_dir))
        self._place_bound(n_bound)
        self._reserve_victims()
        for i in state.nodes.alive_indices():  # the taint eviction controller's first look
            if self.sim.n_noexec[i] >= 0:
                self._taint_manager_node_update(0, int(i))

    def _reserve_victims(self) -> None:
        """Heap room the loop keeps for one preemption's victims: at most a node's pods."""
        nodes = self.state.nodes
        most = max(int(nodes.alloc[: nodes.n, PODS_COL].max(initial=0)),
                   int(nodes.requested[: nodes.n, PODS_COL].max(initial=0)))
        self.sim.cfg_i[core.CFG_MAX_VICTIMS] = most

    def _compile_pdbs(self) -> None:
        """PDB arrays and the label-set -> PDB index (§8.3)."""
        from engine.labels import compile_selector
        from engine.state.selectors import Clause, PodSelector

        pdbs = self.sc.objects.pdbs
        modes, values, expected = [], [], []
        owners = {(w.kind, w.namespace, w.name): w for w in self.sc.objects.workloads}
        for pdb in pdbs:
            if pdb.min_available is not None:
                v, pct = _int_or_pct(pdb.min_available)
                modes.append(1 if pct else 0)
            else:
                v, pct = _int_or_pct(pdb.max_unavailable if pdb.max_unavailable is not None else 0)
                modes.append(3 if pct else 2)
            values.append(v)
            scale = [w.replicas or 0 for w in owners.values()
                     if w.namespace == pdb.namespace and w.selector == pdb.selector]
            expected.append(sum(scale) if (pct or modes[-1] >= 2) and scale else -1)
        self.pdb_mode = np.array(modes, dtype=np.int8)
        self.pdb_value = np.array(values, dtype=np.int64)
        self.pdb_expected = np.array(expected, dtype=np.int64)
        sel = self.state.selectors
        rows: list[list[int]] = []
        compiled = [(pdb.namespace, compile_selector(pdb.selector)) for pdb in pdbs]
        for ls in range(len(sel.labelsets)):
            namespace, labels = sel.labelset_labels(ls)
            matches = []
            for k, (ns, selector) in enumerate(compiled):
                if ns == namespace and selector is not None and len(selector) > 0 and labels and \
                        PodSelector((Clause(frozenset((ns,)), None, selector),), True).clauses[0].matches(
                            namespace, labels, {}):
                    matches.append(k)
            rows.append(matches)
        ptr = np.zeros(len(rows) + 1, dtype=np.int64)
        for i, r in enumerate(rows):
            ptr[i + 1] = ptr[i] + len(r)
        self.state.pdb_ptr = ptr
        self.state.pdb_idx = np.array([x for r in rows for x in r], dtype=np.int32)
        self.state.pdb_allowed = np.zeros(max(len(pdbs), 1), dtype=np.int64)

    def _node_rank(self, n: int) -> np.ndarray:
        names = [self.state.node_name(i) if i < self.state.nodes.n else "" for i in range(n)]
        order = sorted(range(n), key=lambda i: names[i])
        rank = np.zeros(n, dtype=np.int32)
        rank[order] = np.arange(n, dtype=np.int32)
        return rank

    @property
    def st(self) -> KernelState:
        """The kernel state, refreshed first if nodes changed since (``_update_node``)."""
        if self._stale:
            self._refresh_state()
        return self._st

    @property
    def pod_rows(self) -> KernelState:
        """The kernel state, possibly awaiting a refresh: only for helpers that touch pod rows,
        nodes' pod lists and PDB counts, whose arrays a refresh keeps."""
        return self._st

    def _refresh_state(self) -> None:
        self._st = self.state.kernel_state()
        self.cfg = kernel_config(self.sc.profile, self.state, self.sc.selection)
        self._stale = False

    def _refresh_kernel(self) -> None:
        """Kernel state, configuration, scratch and preemption space (sizes changed: pod rows,
        nodes)."""
        self._refresh_state()
        self.scratch = make_scratch(self.state)
        P = self.state.pods.node.shape[0]
        self.pre = new_preemption(self.state.nodes.alloc.shape[0], P, len(self.pdb_mode),
                                  codes.R_RESOURCE + len(self.state.axis))

    def _noexec_column(self, taints: tuple[Taint, ...]) -> int:
        """The ``k_noexec`` column of a NoExecute taint set: every kind's delay on it, computed
        once per distinct set (kinds sharing tolerations share the computation), so the event
        loop can start a landing pod's eviction timer without Python."""
        col = self._noexec_cols.get(taints)
        if col is not None:
            return col
        col = len(self._noexec_cols)
        table = self.sim.k_noexec
        if col >= table.shape[1]:
            grown = np.full((table.shape[0], 2 * table.shape[1]), FOREVER, np.int64)
            grown[:, : table.shape[1]] = table
            self.sim = self.sim.replace(k_noexec=grown)
        by_tolerations: dict[tuple[Toleration, ...], int] = {}
        column = self.sim.k_noexec[:, col]
        for k, pod in enumerate(self.kinds):
            key = tuple(pod.tolerations)
            if key not in by_tolerations:
                by_tolerations[key] = noexecute_delay_ms(pod, list(taints), self.defaults)
            column[k] = by_tolerations[key]
        self._noexec_cols[taints] = col
        return col

    def _sync_noexec(self, i: int) -> None:
        """Point node ``i`` at the column of its current NoExecute taints (-1: none)."""
        taints = tuple(t for t in self.state.nodes.objects[i].taints if t.effect == NO_EXECUTE)
        self.sim.n_noexec[i] = self._noexec_column(taints) if taints else -1

    def _place_bound(self, n_bound: int) -> None:
        """Pods bound at start: created, bound, started and ready at t = 0."""
        if not n_bound:
            return
        sim, st = self.sim, self.st
        self._run(0, only_arrivals=n_bound)
        for i, pod in enumerate(self.kinds[len(self.sc.templates):]):
            node = self.state.nodes.index.get(pod.node_name)
            p = i  # the first arrivals take the first free rows, in order
            assert sim.pid[p] == i and sim.phase[p] == core.PH_PENDING
            if node is None:
                self.recorder.warn(f"bound pod {pod.key} names unknown node {pod.node_name!r}; left pending")
                continue
            # take the pod out of the queue and bind it where it runs
            sim.q_state[p] = core.Q_NONE
            sim.q_gen[p] += 1
            core.bind_existing(st, sim, self.heap, p, node, 0)

    # -- running -------------------------------------------------------------------------------
    def schedule_action(self, at: int, run: Callable[[int], None]) -> None:
        self._seq += 1
        heapq.heappush(self.actions, Action(at, self._seq, run))

    def run(self) -> RunResult:
        sc = self.sc
        completed = False
        error: str | None = None
        try:
            self._build()
            for ev in sc.events:
                self.schedule_action(ev.at_ms, self._event_runner(ev))
            next_sample = 0
            end = sc.duration_ms
            while True:
                t_action = self.actions[0].at if self.actions else end
                until = min(t_action, next_sample, end)
                if until >= end:
                    break
                self._run(until)
                while self.actions and self.actions[0].at <= until:
                    heapq.heappop(self.actions).run(until)
                if until >= next_sample:
                    self.recorder.sample(until)
                    next_sample = until + sc.sample_interval_ms
                if self.progress:
                    self.progress(until, end)
            self._finish(end)
            completed = True
        except KeyboardInterrupt:
            error = "interrupted"
            raise
        except Exception as e:  # the trace must say the run did not complete
            error = f"{type(e).__name__}: {e}"
            raise
        finally:
            info = self._run_info(completed, error)
            if hasattr(self, "recorder"):
                self.recorder.close(info)
        return RunResult(info, self.out_dir)

    def _finish(self, end: int) -> None:
        """The run covers [0, end): events due at ``end`` or later (pod events, node lifecycle
        steps, drain retries) never happen. The state after the last event before ``end`` is
        sampled at ``end``, which is always sampled."""
        self._run(end - 1)
        self.sim.meta[core.M_NOW] = end
        self.recorder.sample(end)
        if self.progress:
            self.progress(end, end)

    def _run(self, until: int, only_arrivals: int = 0) -> None:
        """Advance the event loop to ``until``, serving its requests (flush, grow)."""
        while True:
            t0 = time.perf_counter()
            if only_arrivals:
                reason = core.run_arrivals(self.st, self.sim, self.aq, only_arrivals)
            else:
                reason = core.run_until(self.st, self.cfg, self.scratch, self.pre, self.sim, self.heap,
                                        self.aq, self.bq, until)
            self.stats["scheduling_seconds"] += time.perf_counter() - t0
            if reason == core.STOP_BUFFER:
                self.recorder.flush()
            elif reason == core.STOP_ROWS:
                self._grow_rows()
            elif reason == core.STOP_HEAP:
                self._grow_heaps()
            else:
                return
            if only_arrivals and reason not in (core.STOP_BUFFER, core.STOP_ROWS, core.STOP_HEAP):
                return

    def _grow_rows(self) -> None:
        state, sim = self.state, self.sim
        old = state.pods.node.shape[0]
        add = max(old, 1024)
        state.add_free_rows(add)
        new = state.pods.node.shape[0]
        arrays = sim.fields()
        for name, (_, fill) in core.ROW_FIELDS.items():
            arrays[name] = grow_rows(arrays[name], new, fill)  # new >= 2 * old: exactly ``new`` rows
        free = np.arange(old, new, dtype=np.int32)
        arrays["free_next"][old: new - 1] = free[1:]
        arrays["free_next"][new - 1] = sim.meta[core.M_FREE]
        sim.meta[core.M_FREE] = old
        self.sim = core.SimArrays.of(**arrays)
        self._refresh_kernel()

    def _grow_heaps(self) -> None:
        self.heap = eh.grow_heap(self.heap, 2 * self.heap.k1.shape[0])
        self.aq = eh.grow_heap(self.aq, 2 * self.aq.k1.shape[0])
        self.bq = eh.grow_heap(self.bq, 2 * self.bq.k1.shape[0])

    # -- node events -----------------------------------------------------------------------------
    def _event_runner(self, ev) -> Callable[[int], None]:
        def run(now: int) -> None:
            for name in ev.nodes if ev.action != "add" else ():
                if name not in self.state.nodes.index:
                    self.recorder.warn(f"{ev.action} at {now} ms: node {name!r} does not exist; skipped")
            names = [n for n in ev.nodes if n in self.state.nodes.index]
            handler = getattr(self, f"_do_{ev.action}")
            if ev.action == "add":
                handler(now, list(ev.new_nodes))
            elif ev.action in ("taint", "untaint"):
                for name in names:
                    handler(now, name, ev.taint)
            else:
                for name in names:
                    handler(now, name)
        return run

    def _node(self, name: str) -> tuple[int, Node]:
        i = self.state.nodes.index[name]
        return i, self.state.nodes.objects[i]

    def _update_node(self, now: int, name: str, node: Node) -> None:
        """Apply a node change and tell the queue (a node update may help unschedulable pods).
        The kernel state is refreshed once, when next needed (``st``), however many nodes change."""
        i = self.state.nodes.index[name]
        self.state.nodes.update(i, node)
        self._sync_noexec(i)
        self.state.mark_structure_dirty()
        self._stale = True
        core.cluster_event(self.pod_rows, self.sim, self.aq, self.bq, self.heap, core.MASK_ALL, now)

    def _do_cordon(self, now: int, name: str) -> None:
        i, node = self._node(name)
        if not node.unschedulable:
            self._update_node(now, name, dataclasses.replace(node, unschedulable=True))
            self.recorder.node_event(now, core.K_NODE_CORDONED, i)

    def _do_uncordon(self, now: int, name: str) -> None:
        i, node = self._node(name)
        if node.unschedulable:
            self._update_node(now, name, dataclasses.replace(node, unschedulable=False))
            self.recorder.node_event(now, core.K_NODE_UNCORDONED, i)

    def _do_taint(self, now: int, name: str, taint: Taint) -> None:
        """Add a taint, or replace the one with the same key and effect (docs/scenario.md)."""
        i, node = self._node(name)
        same = [(t.key, t.effect) == (taint.key, taint.effect) for t in node.taints]
        if any(same):
            if node.taints[same.index(True)].value == taint.value:
                return
            taints = [taint if hit else t for t, hit in zip(node.taints, same, strict=True)]
        else:
            taints = [*node.taints, taint]
        self._update_node(now, name, dataclasses.replace(node, taints=taints))
        self.recorder.node_event(now, core.K_NODE_TAINTED, i, taint)
        if taint.effect == NO_EXECUTE:
            self._taint_manager_node_update(now, i)

    def _do_untaint(self, now: int, name: str, taint: Taint) -> None:
        i, node = self._node(name)
        kept = [t for t in node.taints if (t.key, t.effect) != (taint.key, taint.effect)]
        if len(kept) == len(node.taints):
            return
        self._update_node(now, name, dataclasses.replace(node, taints=kept))
        self.recorder.node_event(now, core.K_NODE_UNTAINTED, i, taint)
        if taint.effect == NO_EXECUTE:
            self._taint_manager_node_update(now, i)

    def _pods_on(self, i: int) -> list[int]:
        out = []
        p = int(self.st.pod_head[i])
        while p >= 0:
            out.append(p)
            p = int(self.st.pod_next[p])
        return out

    def _taint_manager_node_update(self, now: int, i: int) -> None:
        """The taint eviction controller's ``handleNodeUpdate`` (``core.taint_node_update``)."""
        while not core.taint_node_update(self.pod_rows, self.sim, self.heap, i, now):
            self._grow_heaps()

    def _heap_room(self, n: int) -> None:
        while self.heap.meta[0] + n >= self.heap.k1.shape[0]:
            self._grow_heaps()

    # fail / recover: the node lifecycle controller's timeline (§6.2)
    def _do_fail(self, now: int, name: str) -> None:
        i, _ = self._node(name)
        if self.sim.n_dead[i]:
            return
        self.sim.n_dead[i] = 1
        self.failed_at[i] = now
        nl = self.sc.node_lifecycle
        detect = math.ceil((now + nl.monitor_grace_ms) / nl.monitor_period_ms) * nl.monitor_period_ms
        self.schedule_action(detect, lambda t, name=name: self._detect_unreachable(t, name, now))

    def _still_failed(self, name: str, since: int) -> bool:
        """The node exists and is down since ``since`` (not recovered and failed again since)."""
        i = self.state.nodes.index.get(name)
        return i is not None and bool(self.sim.n_dead[i]) and self.failed_at.get(i) == since

    def _detect_unreachable(self, now: int, name: str, since: int) -> None:
        """The monitor pass that finds the node's heartbeat too old: Ready=Unknown, its pods
        not Ready, the NoSchedule taint, and the node queued for its NoExecute taint."""
        if not self._still_failed(name, since):
            return
        i, _ = self._node(name)
        self.recorder.node_event(now, core.K_NODE_NOT_READY, i)
        core.mark_node_unready(self.pod_rows, self.sim, i)
        self.not_ready.add(i)
        self._do_taint(now, name, Taint(UNREACHABLE, "", NO_SCHEDULE))
        self.zones.add(self._zone_of(i), name, now)
        self._request_monitor_pass(now)

    # zones: rate-limited NoExecute tainting and zone states (engine/simulator/zones.py)
    def _zone_of(self, i: int) -> str:
        return zone_key(self.state.nodes.objects[i].labels)

    def _request_monitor_pass(self, now: int) -> None:
        """Zone states are recomputed once per monitor pass, after all of that pass's
        detections: one pass at ``now`` after the actions already due then."""
        if self._monitor_pass_at != now:
            self._monitor_pass_at = now
            self.schedule_action(now, self._monitor_pass)

    def _zone_counts(self) -> dict[str, tuple[int, int]]:
        """(Ready, not Ready) nodes per zone, without nodes excluded from disruption checks."""
        counts: dict[str, list[int]] = {}
        for i in self.state.nodes.alive_indices():
            node = self.state.nodes.objects[i]
            if EXCLUDE_DISRUPTION in node.labels:
                continue
            c = counts.setdefault(zone_key(node.labels), [0, 0])
            c[1 if int(i) in self.not_ready else 0] += 1
        return {k: (ready, not_ready) for k, (ready, not_ready) in counts.items()}

    def _monitor_pass(self, now: int) -> None:
        """``handleDisruption``, then the zones' tainting resumes at their (new) rates."""
        self._monitor_pass_at = -1
        counts = self._zone_counts()
        transition, changed = self.zones.disruption(counts, now)
        if transition == ENTER_FULL:
            self._enter_full_disruption(now)
        for key in changed:
            if self.zones.states[key] == PARTIAL and self.zones.zones[key].limiter.qps <= 0:
                ready, not_ready = counts[key]
                self.recorder.warn(
                    f"{now} ms: zone {zone_name(key)} is partially disrupted ({not_ready} of {ready + not_ready} "
                    "nodes not Ready): NoExecute tainting stops there (zone of at most "
                    f"{self.zones.large_zone} nodes)")
        for key in self.zones.zones:
            self._wake_zone(key, now)

    def _enter_full_disruption(self, now: int) -> None:
        """Every zone fully disrupted: the controller takes back every NoExecute taint it placed
        (markNodeAsReachable on every node) and stops tainting; its next pass queues the
        NotReady nodes again, to be tainted once some node is Ready."""
        self.recorder.warn(f"{now} ms: all zones are fully disrupted: NoExecute taints removed, tainting stops")
        for i in self.state.nodes.alive_indices():
            i = int(i)
            name = self.state.nodes.objects[i].name
            self._do_untaint(now, name, Taint(UNREACHABLE, "", NO_EXECUTE))
            self.zones.remove(self._zone_of(i), name)
        for i in sorted(self.not_ready):
            self.zones.add(self._zone_of(i), self.state.nodes.objects[i].name, now)

    def _wake_zone(self, key: str, now: int) -> None:
        """Schedule the zone's next tainting step when its limiter has a token (if any)."""
        zone = self.zones.zones[key]
        due = self.zones.due(key, now)
        if due is None:
            zone.wake = -1  # nothing to taint, or tainting stopped: a scheduled step is void
            return
        if due == zone.wake:
            return
        zone.wake = due
        self.schedule_action(due, lambda t, key=key, due=due: self._taint_step(t, key, due))

    def _taint_step(self, now: int, key: str, due: int) -> None:
        """``doNoExecuteTaintingPass`` for one zone: each token taints the queue's next node if
        it is still NotReady (a removed or recovered node uses its token for nothing)."""
        zone = self.zones.zones[key]
        if zone.wake != due:
            return  # superseded: the limiter changed since
        zone.wake = -1
        while (name := self.zones.take(key, now)) is not None:
            i = self.state.nodes.index.get(name)
            if i is not None and i in self.not_ready:
                self._do_taint(now, name, Taint(UNREACHABLE, "", NO_EXECUTE))
        self._wake_zone(key, now)

    def _do_recover(self, now: int, name: str) -> None:
        """The kubelet is back: markNodeAsReachable (the unreachable taints go, which cancels
        pending taint evictions), NodeReady, and the kubelet finishes what fell due."""
        i, node = self._node(name)
        if not self.sim.n_dead[i]:
            return
        self.sim.n_dead[i] = 0
        if i in self.not_ready:
            self.not_ready.discard(i)
            self.zones.remove(self._zone_of(i), name)
            for effect in (NO_EXECUTE, NO_SCHEDULE):
                self._do_untaint(now, name, Taint(UNREACHABLE, "", effect))
            self.recorder.node_event(now, core.K_NODE_READY, i)
            self._request_monitor_pass(now)
        core.node_recovered(self.pod_rows, self.sim, self.heap, i, now)

    # drain
    def _do_drain(self, now: int, name: str) -> None:
        """kubectl drain: cordon, list the node's pods (but DaemonSet pods and pods already
        being deleted), then evict each through the Eviction API."""
        self._do_cordon(now, name)
        i = self.state.nodes.index[name]
        pending = {int(self.sim.pid[p]) for p in self._pods_on(i)
                   if self.sim.phase[p] != core.PH_TERMINATING and not self._daemon_pod(p)}
        self._drain_step(now, name, pending)

    def _daemon_pod(self, p: int) -> bool:
        owner = next((o for o in self.kinds[int(self.sim.kind[p])].owner_references if o.controller), None)
        return owner is not None and owner.kind == "DaemonSet"

    def _drain_step(self, now: int, name: str, pending: set[int]) -> None:
        """One round of evictions for the drain's ``pending`` pods (pod ids). 429 (the budget
        allows no disruption): retried after 5 s. 500 (more than one PDB matches): kubectl
        gives up on that pod; it stays, reported as EvictionFailed. A pod gone meanwhile is
        done (404)."""
        i = self.state.nodes.index.get(name)
        if i is None:
            return
        core.refresh_pdb_allowed(self.st, self.sim)
        retry: set[int] = set()
        for p in self._pods_on(i):
            pid = int(self.sim.pid[p])
            if pid not in pending or self.sim.phase[p] == core.PH_TERMINATING:
                continue
            answer = core.eviction_answer(self.st, self.sim, p)
            if answer == core.EVICTION_429:
                retry.add(pid)
            elif answer == core.EVICTION_500:
                self.recorder.pod_event(now, core.K_EVICTION_FAILED, p, i, core.EVICT_MULTIPLE_PDBS)
                self.recorder.warn(f"drain of {name} at {now} ms: a pod matches more than one "
                                   "PodDisruptionBudget; the Eviction API refuses it (500) and it stays")
            else:
                core.consume_budget(self.st, self.sim, p)
                self._heap_room(8)
                core.terminate(self.st, self.sim, self.heap, p, now, core.K_EVICTED, i, core.EVICT_DRAIN)
        if retry:
            self.schedule_action(now + DRAIN_RETRY_MS, lambda t: self._drain_step(t, name, retry))

    def _do_remove(self, now: int, name: str) -> None:
        i, _ = self._node(name)
        for p in self._pods_on(i):
            core.delete_now(self.st, self.sim, self.aq, self.bq, self.heap, p, now, core.K_DELETED,
                            core.EVICT_NODE_REMOVED)
        core.clear_nominations_to(self.st, i)  # a nomination to a deleted node is void
        self.state.remove_node(name)
        self.not_ready.discard(i)
        self.recorder.node_event(now, core.K_NODE_REMOVED, i)
        self._refresh_kernel()
        self._request_monitor_pass(now)

    def _do_add(self, now: int, nodes: list[Node]) -> None:
        added = []
        for node in nodes:
            if node.name in self.state.nodes.index:
                self.recorder.warn(f"add at {now} ms: node {node.name!r} already exists; skipped")
                continue
            added.append(node)
        if not added:
            return
        self.state.add_nodes(added)
        self.node_names.extend(n.name for n in added)
        n = self.state.nodes.alloc.shape[0]
        if self.sim.n_dead.shape[0] < n:
            self.sim = self.sim.replace(n_dead=grow_rows(self.sim.n_dead, n, 0),
                                        n_noexec=grow_rows(self.sim.n_noexec, n, -1))
        self.sim = self.sim.replace(node_rank=self._node_rank(n))
        self._refresh_kernel()
        self._reserve_victims()
        for node in added:
            i = self.state.nodes.index[node.name]
            self._sync_noexec(i)
            self.zones.zone(self._zone_of(i))
            self.recorder.node_event(now, core.K_NODE_ADDED, i)
        core.cluster_event(self.st, self.sim, self.aq, self.bq, self.heap, core.MASK_ALL, now)
        self._request_monitor_pass(now)

    # -- results -------------------------------------------------------------------------------
    def _run_info(self, completed: bool, error: str | None) -> dict:
        sim = getattr(self, "sim", None)
        meta = sim.meta if sim is not None else np.zeros(core.M_N, np.int64)
        wall = time.perf_counter() - self.wall_start
        sched = self.stats["scheduling_seconds"]
        rec = getattr(self, "recorder", None)
        return {
            "completed": completed,
            "error": error,
            "scenario": str(self.sc.source),
            "name": self.sc.name,
            "seed": self.sc.seed,
            "podbench_version": __version__,
            "versions": library_versions(),
            "nodes": self.state.nodes.count,
            "pods": int(len(self.sc.arrivals) + getattr(self, "n_bound", 0)),
            "events": rec.events_total if rec else 0,
            "simulated_ms": int(meta[core.M_NOW]),
            "duration_ms": self.sc.duration_ms,
            "wall_seconds": round(wall, 3),
            "loop_seconds": round(sched, 3),
            "trace_seconds": round(rec.seconds if rec else 0.0, 3),
            "scheduling": {
                "scheduled": int(meta[core.M_SCHEDULED]),
                "failed_attempts": int(meta[core.M_ATTEMPTS]),
                "preemptions": int(meta[core.M_PREEMPTIONS]),
                "node_evaluations": int(meta[core.M_EVALS]),
                "pods_per_second": round(int(meta[core.M_SCHEDULED]) / sched, 1) if sched > 0 else 0.0,
            },
            "summary": rec.summary() if rec else {},
            "warnings": (rec.warnings if rec else []) + list(self.sc.warnings),
        }


def _int_or_pct(value: int | str) -> tuple[int, bool]:
    if isinstance(value, str) and value.endswith("%"):
        return int(value[:-1]), True
    return int(value), False

