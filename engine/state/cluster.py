"""ClusterState: the columnar cluster, built from typed objects and kept current.

It owns the node and pod stores and the registries that compile pods into classes, label sets
and plans. ``kernel_state()`` returns the arrays the kernels read (rebuilding derived indexes
only when something structural changed).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.framework.features import DEFAULT_FEATURE_GATES, FeatureGates
from engine.framework.profile import Profile
from engine.objects import Namespace, Node, Pod, Service, Workload
from engine.resources import pod_non_zero_requests, tracked_requests
from engine.scheduler.arrays import KernelState
from engine.scheduler.bind import bind, bind_all, mark_terminating, unbind
from engine.scheduler.codes import FILTER_IDS, STATIC_FILTERS
from engine.state.affinity_terms import TermRegistry
from engine.state.classes import ClassRegistry
from engine.state.nodes import NodeStore
from engine.state.plans import PlanCompiler
from engine.state.pods import PodStore
from engine.state.resource_axis import PODS_COL, ResourceAxis
from engine.state.selectors import SelectorRegistry


@dataclass(frozen=True)
class PodKind:
    """A compiled pod spec: what every pod of one template shares."""

    cls: int
    ls: int
    plan: int
    req: np.ndarray  # int64 [R]
    nonzero: np.ndarray  # int64 [2]
    priority: int
    namespace: str


def kind_requests(kinds: list[PodKind], capacity: int) -> np.ndarray:
    """The kinds' requests as one int64 [K, capacity] table (a kind compiled before the
    resource axis grew has a shorter row: the later resources are 0)."""
    table = np.zeros((len(kinds), capacity), dtype=np.int64)
    for i, kind in enumerate(kinds):
        table[i, : kind.req.shape[0]] = kind.req
    return table


class ClusterState:
    def __init__(
        self,
        profile: Profile,
        gates: FeatureGates = DEFAULT_FEATURE_GATES,
        *,
        namespaces: list[Namespace] | None = None,
        services: list[Service] | None = None,
        workloads: list[Workload] | None = None,
    ) -> None:
        self.profile = profile
        self.axis = ResourceAxis()
        self.nodes = NodeStore(self.axis)
        self.pods = PodStore(self.axis)
        self.namespaces = {ns.name: ns for ns in namespaces or []}
        args = profile.args
        static = tuple(FILTER_IDS[n] for n in profile.filters if FILTER_IDS.get(n) in STATIC_FILTERS)
        self.classes = ClassRegistry(
            self.nodes, args.node_affinity.added_affinity, gates.taint_toleration_comparison_operators, static
        )
        self.selectors = SelectorRegistry(self.nodes, self._namespace_labels)
        self.terms = TermRegistry(self.nodes, self._namespace_labels)
        self.plans = PlanCompiler(
            self.nodes,
            self.classes,
            self.selectors,
            self.terms,
            args.pod_topology_spread,
            self.namespaces,
            list(services or []),
            list(workloads or []),
            self._pod_arrays,
        )
        self._structure_dirty = True
        self._kernel: KernelState | None = None
        # PodDisruptionBudgets per label set (CSR) and their disruptionsAllowed (the simulator
        # keeps them current; without it they stay 0 and every victim counts as a violation).
        self.pdb_ptr = np.zeros(1, dtype=np.int64)
        self.pdb_idx = np.zeros(0, dtype=np.int32)
        self.pdb_allowed = np.zeros(0, dtype=np.int64)

    def _namespace_labels(self, name: str) -> dict[str, str]:
        ns = self.namespaces.get(name)
        return ns.labels if ns else {}

    def _pod_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n = self.pods.n
        return self.pods.node[:n], self.pods.ls[:n], self.pods.term[:n]

    # -- nodes ---------------------------------------------------------------------------------
    def add_nodes(self, nodes: list[Node]) -> None:
        for node in nodes:
            self.nodes.add(node)
        self.pods.widen_resources()
        self.classes.refresh()
        self._structure_dirty = True

    def add_free_rows(self, count: int) -> np.ndarray:
        """Blank pod rows for the simulator (it fills them as pods arrive)."""
        rows = self.pods.add_free_rows(count)
        self._kernel = None
        return rows

    def remove_node(self, name: str) -> None:
        """The node leaves the cluster (its pods must already be gone)."""
        self.nodes.remove(name)
        self.mark_structure_dirty()

    def mark_structure_dirty(self) -> None:
        """Node labels, taints, schedulability or the node set changed: re-derive classes,
        domain entries and plans before the next kernel call."""
        self._structure_dirty = True
        self._kernel = None

    # -- pods ----------------------------------------------------------------------------------
    def compile(self, pod: Pod) -> PodKind:
        """Classify a pod spec (class, label set, plan) and encode its requests."""
        reqs = tracked_requests(pod)
        for name in reqs:
            self.axis.ensure(name)
        self.nodes.widen_resources()
        self.pods.widen_resources()
        req = np.zeros(self.axis.capacity, dtype=np.int64)
        for name, value in reqs.items():
            req[self.axis.index[name]] = value
        req[PODS_COL] = 1
        cls = self.classes.class_of(pod)
        ls = self.selectors.labelset(pod.namespace, pod.labels)
        plan = self.plans.plan_of(pod, cls)
        if self.plans.dirty:
            self._structure_dirty = True
        if self.selectors.dirty or self.terms.dirty:
            self._structure_dirty = True
        cpu, mem = pod_non_zero_requests(pod)
        return PodKind(cls, ls, plan, req, np.array([cpu, mem], dtype=np.int64),
                       pod.effective_priority, pod.namespace)

    def add_pods(
        self,
        kind: PodKind,
        count: int,
        *,
        name: str,
        numbered: bool = True,
        first_ordinal: int = 0,
        req: np.ndarray | None = None,
        nonzero: np.ndarray | None = None,
        priority: np.ndarray | int | None = None,
    ) -> np.ndarray:
        """Append ``count`` pending pods of one kind; optional per-pod requests override."""
        rows = self.pods.append(
            count,
            req=kind.req if req is None else req,
            nonzero=kind.nonzero if nonzero is None else nonzero,
            priority=kind.priority if priority is None else priority,
            cls=kind.cls,
            ls=kind.ls,
            plan=kind.plan,
            namespace=kind.namespace,
            name=name,
            numbered=numbered,
            first_ordinal=first_ordinal,
        )
        self._kernel = None
        return rows

    def add_pod(self, pod: Pod, *, bind_named: bool = True) -> int:
        """Append one pod object; with ``bind_named`` a pod that names a node is bound there."""
        kind = self.compile(pod)
        row = int(self.add_pods(kind, 1, name=pod.name, numbered=False)[0])
        if pod.terminating:
            self.pods.term[row] = 1
        if bind_named and pod.node_name:
            node = self.nodes.index.get(pod.node_name)
            if node is not None:
                self.bind(row, node)
        return row

    def add_existing(self, pods: list[Pod]) -> list[str]:
        """Add pods bound to nodes (``spec.nodeName``) in one pass; returns warnings.

        Pods naming an unknown node are skipped with a warning, as the scheduler's cache would
        never see them on a node.
        """
        warnings: list[str] = []
        rows: list[int] = []
        targets: list[int] = []
        for pod in pods:
            node = self.nodes.index.get(pod.node_name) if pod.node_name else None
            if node is None:
                what = "has no spec.nodeName" if not pod.node_name else f"names unknown node {pod.node_name!r}"
                warnings.append(f"bound pod {pod.key} {what}; ignored")
                continue
            rows.append(self.add_pod(pod, bind_named=False))
            targets.append(node)
        if rows:
            st = self.kernel_state()
            per_node = np.bincount(np.array(targets), minlength=self.nodes.n)
            plan_ports = np.diff(self.plans.arrays["plan_port_ptr"])
            if plan_ports.any():
                self.reserve_ports(int((per_node * 0 + plan_ports.max()).max() * per_node.max()))
                st = self.kernel_state()
            bind_all(st, np.array(rows, dtype=np.int32), np.array(targets, dtype=np.int32))
        return warnings

    def bind(self, p: int, node: int) -> None:
        st = self.kernel_state()
        self._ensure_port_room(st, p, node)
        bind(self.kernel_state(), p, node)

    def unbind(self, p: int) -> None:
        unbind(self.kernel_state(), p)

    def mark_terminating(self, p: int) -> None:
        mark_terminating(self.kernel_state(), p)

    def _ensure_port_room(self, st: KernelState, p: int, node: int) -> None:
        plan = self.pods.plan[p]
        need = int(st.plan_port_ptr[plan + 1] - st.plan_port_ptr[plan])
        if need and self.nodes.n_ports[node] + need > self.nodes.ports.shape[1]:
            self.nodes.ensure_port_slots(int(self.nodes.n_ports[node]) + need)
            self._kernel = None

    def reserve_ports(self, extra: int) -> None:
        """Make room for ``extra`` more host ports on any node (before a batch)."""
        if extra:
            need = int(self.nodes.n_ports[: self.nodes.n].max(initial=0)) + extra
            if need > self.nodes.ports.shape[1]:
                self.nodes.ensure_port_slots(need)
                self._kernel = None

    # -- kernel view -----------------------------------------------------------------------------
    def kernel_state(self) -> KernelState:
        if self._structure_dirty:
            self._rebuild_structure()
        if self._kernel is None:
            self._kernel = self._build_kernel_state()
        return self._kernel

    def _rebuild_structure(self) -> None:
        self.nodes.ensure_label_columns()
        self.classes.refresh()
        self.selectors.rebuild()
        carriers = self._carriers()
        n = self.pods.n
        self.terms.rebuild(
            self.selectors.labelsets.values,
            self.profile.args.inter_pod_affinity.hard_pod_affinity_weight,
            carriers,
            self.pods.node[:n],
        )
        self.plans.build_arrays()
        self._structure_dirty = False
        self._kernel = None

    def _carriers(self) -> list[np.ndarray]:
        n = self.pods.n
        plans_by_term: list[list[int]] = [[] for _ in range(len(self.terms.terms))]
        for plan, rows in enumerate(self.plans.rows):
            for t in rows.carried:
                plans_by_term[t].append(plan)
        plan_col = self.pods.plan[:n]
        return [np.nonzero(np.isin(plan_col, plans))[0].astype(np.int32) for plans in plans_by_term]

    def _build_kernel_state(self) -> KernelState:
        nodes, pods, cl, sel, terms = self.nodes, self.pods, self.classes, self.selectors, self.terms
        pa = self.plans.arrays
        li = nodes.labels_index
        n_cap = nodes.alloc.shape[0]
        cnt = sel.cnt
        if cnt.shape[1] < n_cap:
            sel.rebuild()
            cnt = sel.cnt
        key_nvals = np.array([len(v) for v in li.values] or [0], dtype=np.int32)
        return KernelState.of(
            order=nodes.order,
            alloc=nodes.alloc,
            requested=nodes.requested,
            hot=nodes.hot,
            nonzero=nodes.nonzero,
            labels=nodes.labels,
            key_nvals=key_nvals,
            ports=nodes.ports,
            n_ports=nodes.n_ports,
            cls_bits=cl.bits,
            cls_tt=cl.tt,
            cls_na=cl.na,
            cls_img=cl.img,
            cls_flags=cl.flags,
            narrow_ptr=cl.narrow_ptr,
            narrow_idx=cl.narrow_idx,
            pass_ptr=cl.pass_ptr,
            pass_pos=cl.pass_pos,
            pass_node=cl.pass_node,
            static_hist=cl.static_hist,
            pod_node=pods.node,
            pod_req=pods.req,
            pod_nz=pods.nonzero,
            pod_prio=pods.priority,
            pod_cls=pods.cls,
            pod_ls=pods.ls,
            pod_plan=pods.plan,
            pod_term=pods.term,
            nom_head=nodes.nom_head,
            nom_count=nodes.nom_count,
            nom_next=pods.nom_next,
            pod_nom=pods.nominated,
            pod_head=nodes.pod_head,
            pod_next=pods.next,
            pod_prev=pods.prev,
            pod_start=pods.start,
            ls_pdb_ptr=self.pdb_ptr,
            ls_pdb_idx=self.pdb_idx,
            pdb_allowed=self.pdb_allowed,
            cnt=cnt,
            sel_terminating=sel.sel_terminating,
            dom_off=sel.dom_off,
            dom_cnt=sel.dom_cnt,
            dom_nodes=sel.dom_nodes,
            dom_total=sel.dom_total,
            elig=sel.elig,
            ent_key=sel.ent_key,
            ent_missing=sel.ent_missing,
            ls_sel_ptr=sel.ls_sel_ptr,
            ls_sel_idx=sel.ls_sel_idx,
            sel_ent_ptr=sel.sel_ent_ptr,
            sel_ent_idx=sel.sel_ent_idx,
            t_kind=terms.t_kind,
            t_key=terms.t_key,
            t_weight=terms.t_weight,
            t_off=terms.t_off,
            t_total=terms.t_total,
            tdom=terms.tdom,
            ls_term_ptr=terms.ls_term_ptr,
            ls_term_idx=terms.ls_term_idx,
            **pa,
        )

    # -- introspection ------------------------------------------------------------------------
    def node_name(self, i: int) -> str:
        node = self.nodes.objects[i]
        return node.name if node else f"<removed:{i}>"

    def resource_index(self, name: str) -> int:
        return self.axis.index.get(name, -1)

    def state_bytes(self) -> tuple[int, int]:
        """(bytes of pod columns, bytes of node-indexed arrays incl. classes and counters)."""
        n = self.nodes.n
        node_arrays = [self.nodes.alloc, self.nodes.requested, self.nodes.hot, self.nodes.nonzero, self.nodes.labels,
                       self.nodes.taints, self.nodes.ports, self.nodes.n_ports, self.nodes.unschedulable,
                       self.nodes.alive]
        node_bytes = sum(a[:n].nbytes for a in node_arrays)
        c = len(self.classes)
        node_bytes += sum(a[:c, :n].nbytes for a in (self.classes.bits, self.classes.tt, self.classes.na, self.classes.img))
        node_bytes += self.selectors.cnt[:, :n].nbytes + self.selectors.elig[:, :n].nbytes
        return self.pods.nbytes(), node_bytes

