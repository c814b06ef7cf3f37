"""Turns the event loop's columnar buffers into Arrow record batches, samples nodes, and keeps
the run summary. Pod attributes (name, namespace, priority, QoS, requests) are looked up by
pod id with vectorised takes, so there is no per-event Python.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.framework.plugins import default_preemption
from engine.framework.plugins.node_affinity.reference import REASON_CONFLICT
from engine.framework.result import fit_error_message
from engine.objects import Taint
from engine.scheduler.scheduler import ABSENT_REASON, reason_counts
from engine.simulator import core
from engine.simulator.trace import (
    EVENTS_SCHEMA,
    KIND_NAMES,
    NODES_SCHEMA,
    QOS_NAMES,
    TraceWriter,
    qos_with_requests,
)
from engine.state.resource_axis import CPU_COL, MEMORY_COL, PODS_COL

if TYPE_CHECKING:
    from engine.simulator.simulator import Simulation

EVICTION_REASONS = {
    core.EVICT_TAINT: "TaintManagerEviction",
    core.EVICT_DRAIN: "EvictionByEvictionAPI",
    core.EVICT_NODE_REMOVED: "DeletionByPodGC",
}
# Why the Eviction API refused a pod for good (EvictionFailed): its own answer text.
EVICTION_FAILURES = {
    core.EVICT_MULTIPLE_PDBS: "This pod has more than one PodDisruptionBudget, which the eviction "
                              "subresource does not support.",
}


class Recorder:
    def __init__(self, sim: Simulation, writer: TraceWriter) -> None:
        self.simulation = sim
        self.writer = writer
        self.warnings: list[str] = []
        self.seconds = 0.0
        self.events_total = 0
        self.taints: list[Taint] = []
        self._messages: dict[bytes, str] = {}
        self._pid_tables()
        self.kind_counts: Counter[str] = Counter()
        n = len(self.pid_kind)
        self.created = np.full(n, -1, dtype=np.int64)
        self.scheduled = np.full(n, -1, dtype=np.int64)
        self.node_names = pa.array([], pa.string())

    # -- pod attributes by pod id ---------------------------------------------------------
    def _pid_tables(self) -> None:
        s = self.simulation
        sim, sc = s.sim, s.sc
        kinds = s.kinds
        self.pid_kind = sim.a_kind.astype(np.int64)
        prio = np.where(sim.a_prio == core.NO_PRIO, sim.k_prio[self.pid_kind], sim.a_prio)
        self.pid_prio = prio.astype(np.int32)
        axis = s.state.axis
        req = sim.k_req[self.pid_kind]
        if sim.a_req.shape[0]:
            req = np.where(sim.a_req >= 0, sim.a_req, req)
        gpu = axis.index.get("nvidia.com/gpu", -1)
        self.pid_cpu = req[:, 0].copy()
        self.pid_mem = req[:, 1].copy()
        self.pid_gpu = req[:, gpu].copy() if gpu >= 0 else np.zeros(len(req), np.int64)
        self.pid_qos = qos_with_requests(s.k_qos[self.pid_kind], self.pid_cpu, self.pid_mem)
        n_bound = s.n_bound
        arr = sc.arrivals
        bound_pods = kinds[len(sc.templates):]
        template_names = pa.array([p.name for p in sc.templates], pa.string())
        names = pc.binary_join_element_wise(
            pc.take(template_names, pa.array(arr.template.astype(np.int64))),
            pc.cast(pa.array(arr.ordinal.astype(np.int64)), pa.string()),
            "-",
        )
        if arr.names is not None:
            names = pc.if_else(pc.is_null(arr.names), names, arr.names)
        template_ns = pa.array([p.namespace for p in sc.templates], pa.string())
        namespaces = pc.take(template_ns, pa.array(arr.template.astype(np.int64)))
        if arr.namespaces is not None:
            namespaces = pc.if_else(pc.is_null(arr.namespaces), namespaces, arr.namespaces)
        self.pid_name = pa.concat_arrays([pa.array([p.name for p in bound_pods], pa.string()), names])
        self.pid_ns = pa.concat_arrays([pa.array([p.namespace for p in bound_pods], pa.string()), namespaces])
        assert len(self.pid_name) == n_bound + len(arr)
        # one extra row that node events read (and mask out): a run without pods works too
        self.node_row = len(self.pid_name)
        self.pid_name = pa.concat_arrays([self.pid_name, pa.nulls(1, pa.string())])
        self.pid_ns = pa.concat_arrays([self.pid_ns, pa.nulls(1, pa.string())])
        for name in ("pid_prio", "pid_cpu", "pid_mem", "pid_gpu", "pid_qos"):
            a = getattr(self, name)
            setattr(self, name, np.concatenate([a, np.zeros(1, a.dtype)]))

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    # -- events ------------------------------------------------------------------------------
    def node_event(self, now: int, kind: int, node: int, taint: Taint | None = None) -> None:
        sim = self.simulation.sim
        if not core.room(sim, 1, 0):
            self.flush()
        aux = 0
        if taint is not None:
            self.taints.append(taint)
            aux = len(self.taints) - 1
        core.emit(sim, now, kind, -1, node, aux)

    def pod_event(self, now: int, kind: int, p: int, node: int, aux: int = 0) -> None:
        """A pod event Python decides (e.g. a refused eviction) for the pod in row ``p``."""
        sim = self.simulation.sim
        if not core.room(sim, 1, 0):
            self.flush()
        core.emit(sim, now, kind, int(sim.pid[p]), node, aux)

    def flush(self) -> None:
        t0 = time.perf_counter()
        sim = self.simulation.sim
        n = int(sim.meta[core.M_EVENTS])
        if n:
            self.writer.write_events(self._batch(n))
            self.events_total += n
        sim.meta[core.M_EVENTS] = 0
        sim.meta[core.M_FAILS] = 0
        self.seconds += time.perf_counter() - t0

    def _node_name_array(self) -> pa.Array:
        """Node names by node index (rebuilt when nodes were added)."""
        names = self.simulation.node_names
        if len(self.node_names) != len(names):
            self.node_names = pa.array(names, pa.string())
        return self.node_names

    def _batch(self, n: int) -> pa.RecordBatch:
        sim = self.simulation.sim
        t = sim.e_time[:n].copy()
        kind = sim.e_kind[:n].astype(np.int64)
        pid = sim.e_pid[:n].copy()
        node = sim.e_node[:n].astype(np.int64)
        aux = sim.e_aux[:n].copy()
        is_pod = pid >= 0
        safe_pid = np.where(is_pod, pid, self.node_row)
        pod_mask = pa.array(~is_pod)
        kinds = pc.take(pa.array(KIND_NAMES, pa.string()), pa.array(kind))
        ns = pc.if_else(pod_mask, pa.scalar(None, pa.string()), pc.take(self.pid_ns, pa.array(safe_pid)))
        names = pc.if_else(pod_mask, pa.scalar(None, pa.string()), pc.take(self.pid_name, pa.array(safe_pid)))
        node_names = pc.take(self._node_name_array(), pa.array(np.where(node >= 0, node, 0)))
        node_names = pc.if_else(pa.array(node < 0), pa.scalar(None, pa.string()), node_names)
        qos = pc.take(pa.array(QOS_NAMES, pa.string()), pa.array(self.pid_qos[safe_pid].astype(np.int64)))
        qos = pc.if_else(pod_mask, pa.scalar(None, pa.string()), qos)
        self._track(t, kind, pid)
        cols = [
            pa.array(t),
            kinds,
            ns,
            names,
            node_names,
            pa.array(np.where(is_pod, self.pid_prio[safe_pid], 0).astype(np.int32)),
            qos,
            self._reasons(kind, aux),
            pa.array(np.where(is_pod, self.pid_cpu[safe_pid], 0)),
            pa.array(np.where(is_pod, self.pid_mem[safe_pid], 0)),
            pa.array(np.where(is_pod, self.pid_gpu[safe_pid], 0)),
            pa.array(np.where(is_pod, pid, -1)),
        ]
        for k, c in zip(*np.unique(kind, return_counts=True), strict=True):
            self.kind_counts[KIND_NAMES[k]] += int(c)
        return pa.RecordBatch.from_arrays(cols, schema=EVENTS_SCHEMA)

    def _track(self, t: np.ndarray, kind: np.ndarray, pid: np.ndarray) -> None:
        created = kind == core.K_CREATED
        self.created[pid[created]] = t[created]
        sched = (kind == core.K_SCHEDULED) & (pid >= 0)
        ids = pid[sched]
        first = self.scheduled[ids] < 0
        self.scheduled[ids[first]] = t[sched][first]

    def _reasons(self, kind: np.ndarray, aux: np.ndarray) -> pa.Array:
        """Each event's reason text (null if none): one take from a table of the batch's texts."""
        parts = [
            self._failure_reasons(kind, aux),
            self._preemption_reasons(kind, aux),
            _lookup(EVICTION_REASONS, (kind == core.K_EVICTED) | ((kind == core.K_DELETED) & (aux > 0)), aux),
            _lookup(EVICTION_FAILURES, kind == core.K_EVICTION_FAILED, aux),
            self._taint_reasons(kind, aux),
        ]
        table = [pa.nulls(1, pa.string())]
        size = 1
        index = np.zeros(len(kind), np.int64)
        for mask, texts, at in parts:
            index[mask] = at + size
            table.append(texts)
            size += len(texts)
        return pc.take(pa.concat_arrays(table), pa.array(index))

    def _failure_reasons(self, kind: np.ndarray, aux: np.ndarray) -> tuple[np.ndarray, pa.Array, np.ndarray]:
        """FailedScheduling messages, composed once per distinct failure row (cached by its bytes)."""
        mask = kind == core.K_FAILED_SCHEDULING
        rows = aux[mask]
        if not len(rows):
            return mask, pa.array([], pa.string()), rows
        sim = self.simulation.sim
        keys = np.column_stack((sim.f_hist[rows], sim.f_post[rows], sim.f_state[rows], sim.f_nall[rows],
                                sim.f_absent[rows], sim.f_pot[rows]))
        unique, first, at = np.unique(keys, axis=0, return_index=True, return_inverse=True)
        texts = []
        for key, i in zip(unique, first, strict=True):
            msg = self._messages.get(key.tobytes())
            if msg is None:
                msg = self._messages[key.tobytes()] = self._compose(int(rows[i]))
            texts.append(msg)
        return mask, pa.array(texts, pa.string()), at.reshape(-1)

    def _preemption_reasons(self, kind: np.ndarray, aux: np.ndarray) -> tuple[np.ndarray, pa.Array, np.ndarray]:
        """Preempted: ``preempted by <namespace>/<name>`` of the preemptor (pod id in aux)."""
        mask = kind == core.K_PREEMPTED
        preemptor = pa.array(aux[mask])
        texts = pc.binary_join_element_wise(
            "preempted by ", pc.take(self.pid_ns, preemptor), "/", pc.take(self.pid_name, preemptor), "")
        return mask, texts, np.arange(len(texts), dtype=np.int64)

    def _taint_reasons(self, kind: np.ndarray, aux: np.ndarray) -> tuple[np.ndarray, pa.Array, np.ndarray]:
        """NodeTainted/NodeUntainted: the taint (``key[=value]:effect``; index in aux)."""
        mask = (kind == core.K_NODE_TAINTED) | (kind == core.K_NODE_UNTAINTED)
        used, at = np.unique(aux[mask], return_inverse=True)
        texts = [_taint_text(self.taints[int(i)]) for i in used]
        return mask, pa.array(texts, pa.string()), at.reshape(-1)

    def _compose(self, row: int) -> str:
        sim = self.simulation.sim
        names = self.simulation.state.axis.names
        n_all = int(sim.f_nall[row])
        rejected = n_all < 0
        if rejected:
            n_all = -n_all - 1
        state = int(sim.f_state[row])
        post = None
        if state == core.POST_NEVER:
            post = "preemption: " + default_preemption.NOT_ELIGIBLE_NEVER
        elif state == core.POST_TERMINATING:
            post = "preemption: " + default_preemption.NOT_ELIGIBLE_TERMINATING
        elif state == core.POST_FAILED:
            counts = reason_counts(sim.f_post[row], names)
            absent = n_all - int(sim.f_pot[row])
            if absent > 0:
                counts[default_preemption.REASON_NOT_HELPFUL] += absent
            post = "preemption: " + fit_error_message(n_all, counts)
        if rejected:
            return fit_error_message(n_all, {}, prefilter_message=REASON_CONFLICT, postfilter_message=post)
        counts = reason_counts(sim.f_hist[row], names)
        absent = int(sim.f_absent[row])
        if absent:
            counts[ABSENT_REASON] += absent
        return fit_error_message(n_all, counts, postfilter_message=post)

    # -- node samples ---------------------------------------------------------------------------
    def sample(self, now: int) -> None:
        t0 = time.perf_counter()
        s = self.simulation
        nodes = s.state.nodes
        alive = nodes.alive_indices()
        alloc = nodes.alloc[alive]
        used = nodes.requested[alive]
        gpu = s.state.axis.index.get("nvidia.com/gpu", -1)
        zeros = np.zeros(len(alive), np.int64)
        batch = pa.RecordBatch.from_arrays(
            [
                pa.array(np.full(len(alive), now, np.int64)),
                pc.take(self._node_name_array(), pa.array(alive)),
                pa.array(alloc[:, CPU_COL]), pa.array(used[:, CPU_COL]),
                pa.array(alloc[:, MEMORY_COL]), pa.array(used[:, MEMORY_COL]),
                pa.array(alloc[:, PODS_COL]), pa.array(used[:, PODS_COL]),
                pa.array(alloc[:, gpu] if gpu >= 0 else zeros), pa.array(used[:, gpu] if gpu >= 0 else zeros),
                pa.array(~np.isin(alive, np.fromiter(s.not_ready, np.int64, len(s.not_ready)))),
                pa.array(nodes.unschedulable[alive] == 0),
            ],
            schema=NODES_SCHEMA,
        )
        self.writer.write_nodes(batch)
        self.seconds += time.perf_counter() - t0

    # -- summary --------------------------------------------------------------------------------
    def summary(self) -> dict:
        sim = self.simulation.sim
        done = (self.created >= 0) & (self.scheduled >= 0)
        latency = (self.scheduled - self.created)[done]
        pending = int(np.count_nonzero(sim.phase == core.PH_PENDING))
        pct = (lambda q: int(np.percentile(latency, q))) if len(latency) else (lambda q: None)
        return {
            "created": self.kind_counts["Created"],
            "scheduled": self.kind_counts["Scheduled"],
            "pending": pending,
            "preempted": self.kind_counts["Preempted"],
            "evicted": self.kind_counts["Evicted"],
            "completed": self.kind_counts["Completed"],
            "failed_scheduling": self.kind_counts["FailedScheduling"],
            "latency_ms": {"p50": pct(50), "p99": pct(99), "max": int(latency.max()) if len(latency) else None},
        }

    def close(self, info: dict) -> None:
        self.flush()
        info["events"] = self.events_total
        info["summary"] = self.summary()
        info["trace_seconds"] = round(self.seconds, 3)
        self.writer.close(info)


def _lookup(table: dict[int, str], mask: np.ndarray, aux: np.ndarray) -> tuple[np.ndarray, pa.Array, np.ndarray]:
    """Reasons of the ``mask`` rows by code (``aux``) from ``table``; null for unknown codes."""
    codes = aux[mask]
    keys = list(table)
    at = np.full(len(codes), len(keys), np.int64)
    for j, key in enumerate(keys):
        at[codes == key] = j
    return mask, pa.array([table[k] for k in keys] + [None], pa.string()), at


def _taint_text(taint: Taint) -> str:
    return f"{taint.key}={taint.value}:{taint.effect}" if taint.value else f"{taint.key}:{taint.effect}"
