"""Per-pod-kind plans for the dynamic plugins (PodTopologySpread, InterPodAffinity, NodePorts).

A plan is compiled once per distinct (scheduling class, pod constraints) and tells the kernel
which selectors, domain entries and terms a pod of that kind reads and feeds.

Arrays (PL = plans; constraint and term rows flattened, addressed through ``*_ptr`` int64 [PL+1]):

- ``plan_flags``  int32 [PL]  PTS_HARD, PTS_SOFT, PTS_REQUIRE_ALL, IPA_REQ_AFF, IPA_REQ_ANTI,
  IPA_PREF, IPA_SELF_MATCH_ALL, IPA_ANY_AFFINITY (bit flags below)
- PodTopologySpread constraints (``pc_ptr``): ``pc_hard`` uint8, ``pc_key`` int32 label key,
  ``pc_skew`` int32 maxSkew, ``pc_mindom`` int32 minDomains, ``pc_sel`` int32 selector,
  ``pc_ent`` int32 domain entry, ``pc_self`` uint8 the pod matches its own selector,
  ``pc_host`` uint8 topology key is kubernetes.io/hostname
- InterPodAffinity incoming terms (``it_ptr``): ``it_kind`` int8 (IT_REQ_AFF, IT_REQ_ANTI,
  IT_PREF), ``it_key`` int32, ``it_ent`` int32 domain entry, ``it_weight`` int64 signed
- ``plan_port_ptr`` / ``plan_port`` int64: packed host ports the pod wants (and holds)
- ``plan_term_ptr`` / ``plan_term`` int32: carried-term ids of pods of the plan
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from engine.framework.cycle import Snapshot
from engine.framework.plugins.inter_pod_affinity.reference import (
    Term,
    make_term,
    matches_all,
    pod_terms,
    resolve_namespaces,
)
from engine.framework.plugins.node_ports.reference import host_ports
from engine.framework.plugins.pod_topology_spread.args import PodTopologySpreadArgs
from engine.framework.plugins.pod_topology_spread.reference import (
    DO_NOT_SCHEDULE,
    SCHEDULE_ANYWAY,
    Constraint,
    build_constraints,
)
from engine.labels import compiled_matches
from engine.objects import LABEL_HOSTNAME, Namespace, Pod, Service, Workload
from engine.state.affinity_terms import (
    PREF_AFF,
    PREF_ANTI,
    REQ_AFF,
    REQ_ANTI,
    CarriedTerm,
    TermRegistry,
)
from engine.state.classes import BIT_AFFINITY, BIT_TAINT, ClassRegistry
from engine.state.nodes import NodeStore
from engine.state.selectors import Clause, PodSelector, SelectorRegistry, _csr
from engine.state.vocab import Vocab

PTS_HARD = 1
PTS_SOFT = 2
PTS_REQUIRE_ALL = 4
IPA_REQ_AFF = 8
IPA_REQ_ANTI = 16
IPA_PREF = 32
IPA_SELF_MATCH_ALL = 64
IPA_ANY_AFFINITY = 128
PORTS = 256

IT_REQ_AFF = 0
IT_REQ_ANTI = 1
IT_PREF = 2

NOTHING = PodSelector((Clause(frozenset(), None, None),), False)


@dataclass
class PlanRows:
    flags: int = 0
    constraints: list[tuple] = field(default_factory=list)  # (hard, key, skew, mindom, sel, ent, self, host)
    terms: list[tuple] = field(default_factory=list)  # (kind, key, ent, weight)
    ports: list[int] = field(default_factory=list)
    carried: list[int] = field(default_factory=list)


class PlanCompiler:
    def __init__(
        self,
        nodes: NodeStore,
        classes: ClassRegistry,
        selectors: SelectorRegistry,
        terms: TermRegistry,
        pts_args: PodTopologySpreadArgs,
        namespaces: dict[str, Namespace],
        services: list[Service],
        workloads: list[Workload],
        pod_arrays: Callable[[], tuple[np.ndarray, np.ndarray, np.ndarray]],
    ) -> None:
        self.nodes = nodes
        self.classes = classes
        self.selectors = selectors
        self.terms = terms
        self.pts_args = pts_args
        self.lookup = Snapshot([], {}, namespaces, services, workloads)
        self.pod_arrays = pod_arrays
        self.keys = Vocab()
        self.rows: list[PlanRows] = []
        self.arrays: dict[str, np.ndarray] = {}
        self.dirty = True

    def plan_of(self, pod: Pod, cls: int) -> int:
        key = (cls, _constraint_key(pod))
        p = self.keys.get(key)
        if p >= 0:
            return p
        p = self.keys.add(key)
        self.rows.append(self._compile(pod, cls))
        self.dirty = True
        return p

    # -- compile ------------------------------------------------------------------------------
    def _sel(self, sel: PodSelector) -> int:
        return self.selectors.selector(sel, *self.pod_arrays())

    def _eligibility(self, cls: int, honor_aff: bool, honor_taints: bool, keys: frozenset[str]) -> int:
        nodes, classes = self.nodes, self.classes
        key_ids = sorted(nodes.labels_index.key(k) for k in keys)

        def mask() -> np.ndarray:
            n = nodes.alloc.shape[0]
            ok = nodes.alive[:n].astype(bool)
            bits = classes.bits[cls, :n] if cls >= 0 else np.zeros(n, np.uint8)
            if honor_aff:
                ok &= (bits & BIT_AFFINITY) == 0
            if honor_taints:
                ok &= (bits & BIT_TAINT) == 0
            for k in key_ids:
                ok &= nodes.labels[:n, k] >= 0
            return ok.astype(np.uint8)

        return self.selectors.eligibility((cls, honor_aff, honor_taints, tuple(key_ids)), mask)

    def _compile(self, pod: Pod, cls: int) -> PlanRows:
        rows = PlanRows()
        self._compile_spread(pod, cls, rows)
        self._compile_affinity(pod, rows)
        nodes = self.nodes
        rows.ports = [nodes.pack_port(ip, proto, port) for ip, proto, port in host_ports(pod)]
        if rows.ports:
            rows.flags |= PORTS
        return rows

    def _compile_spread(self, pod: Pod, cls: int, rows: PlanRows) -> None:
        hard = build_constraints(pod, self.lookup, self.pts_args, DO_NOT_SCHEDULE)
        soft = build_constraints(pod, self.lookup, self.pts_args, SCHEDULE_ANYWAY)
        require_all = bool(pod.topology_spread_constraints) or not self.pts_args.system_defaulted
        if hard:
            rows.flags |= PTS_HARD
        if soft:
            rows.flags |= PTS_SOFT
        if require_all:
            rows.flags |= PTS_REQUIRE_ALL
        hard_keys = frozenset(c.topology_key for c in hard)
        soft_keys = frozenset(c.topology_key for c in soft) if require_all else frozenset()
        for is_hard, group, keys in ((True, hard, hard_keys), (False, soft, soft_keys)):
            for c in group:
                # System-default scoring reads a missing label as "" (scoring.go PreScore).
                missing_as_empty = not is_hard and not require_all
                row = self._constraint(pod, cls, c, is_hard, keys, missing_as_empty)
                rows.constraints.append(row)

    def _constraint(
        self, pod: Pod, cls: int, c: Constraint, hard: bool, keys: frozenset[str], missing_as_empty: bool
    ) -> tuple:
        empty = c.selector is not None and len(c.selector) == 0
        sel = NOTHING if empty else PodSelector((Clause(frozenset((pod.namespace,)), None, c.selector),), False)
        s = self._sel(sel)
        key = self.nodes.labels_index.key(c.topology_key)
        elig = self._eligibility(cls, c.honor_affinity, c.honor_taints, keys)
        ent = self.selectors.entry(s, key, elig, missing_as_empty)
        self_match = 1 if compiled_matches(pod.labels, c.selector) else 0
        return (1 if hard else 0, key, c.max_skew, c.min_domains, s, ent, self_match,
                1 if c.topology_key == LABEL_HOSTNAME else 0)

    def _compile_affinity(self, pod: Pod, rows: PlanRows) -> None:
        own = pod_terms(pod)
        snapshot = self.lookup
        req_aff = [resolve_namespaces(t, snapshot) for t in own["req_aff"]]
        req_anti = [resolve_namespaces(t, snapshot) for t in own["req_anti"]]
        pref_aff = [resolve_namespaces(t, snapshot) for t in own["pref_aff"]]
        pref_anti = [resolve_namespaces(t, snapshot) for t in own["pref_anti"]]
        everywhere = self._eligibility(-1, False, False, frozenset())
        key = self.nodes.labels_index.key
        if req_aff:
            rows.flags |= IPA_REQ_AFF
            composite = self._sel(PodSelector(tuple(_clause(t) for t in req_aff), True))
            for t in req_aff:
                rows.terms.append((IT_REQ_AFF, key(t.topology_key), self.selectors.entry(composite, key(t.topology_key), everywhere), 0))
            if matches_all(req_aff, pod):
                rows.flags |= IPA_SELF_MATCH_ALL
        if req_anti:
            rows.flags |= IPA_REQ_ANTI
        for t in req_anti:
            s = self._sel(PodSelector((_clause(t),), True))
            rows.terms.append((IT_REQ_ANTI, key(t.topology_key), self.selectors.entry(s, key(t.topology_key), everywhere), 0))
        for sign, group in ((1, pref_aff), (-1, pref_anti)):
            for t in group:
                rows.flags |= IPA_PREF
                s = self._sel(PodSelector((_clause(t),), True))
                rows.terms.append((IT_PREF, key(t.topology_key), self.selectors.entry(s, key(t.topology_key), everywhere), sign * t.weight))
        if pod.affinity is not None and (pod.affinity.pod_affinity or pod.affinity.pod_anti_affinity):
            rows.flags |= IPA_ANY_AFFINITY
        aff = pod.affinity.pod_affinity if pod.affinity else None
        anti = pod.affinity.pod_anti_affinity if pod.affinity else None
        carried = []
        for t in anti.required if anti else ():
            carried.append(CarriedTerm(REQ_ANTI, _clause(make_term(pod, t)), t.topology_key, 0))
        for t in aff.required if aff else ():
            carried.append(CarriedTerm(REQ_AFF, _clause(make_term(pod, t)), t.topology_key, 0))
        for w in aff.preferred if aff else ():
            carried.append(CarriedTerm(PREF_AFF, _clause(make_term(pod, w.term)), w.term.topology_key, w.weight))
        for w in anti.preferred if anti else ():
            carried.append(CarriedTerm(PREF_ANTI, _clause(make_term(pod, w.term)), w.term.topology_key, w.weight))
        rows.carried = [self.terms.term(t) for t in carried]

    # -- arrays --------------------------------------------------------------------------------
    def build_arrays(self) -> dict[str, np.ndarray]:
        rows = self.rows
        pc = [c for r in rows for c in r.constraints]
        it = [t for r in rows for t in r.terms]
        pc_ptr, _ = _csr([list(range(len(r.constraints))) for r in rows])
        it_ptr, _ = _csr([list(range(len(r.terms))) for r in rows])
        port_ptr, _ = _csr([r.ports for r in rows])
        term_ptr, term_idx = _csr([r.carried for r in rows])

        def col(items: list[tuple], i: int, dtype) -> np.ndarray:
            return np.array([x[i] for x in items], dtype=dtype)

        self.arrays = {
            "plan_flags": np.array([r.flags for r in rows], dtype=np.int32),
            "pc_ptr": pc_ptr,
            "pc_hard": col(pc, 0, np.uint8),
            "pc_key": col(pc, 1, np.int32),
            "pc_skew": col(pc, 2, np.int32),
            "pc_mindom": col(pc, 3, np.int32),
            "pc_sel": col(pc, 4, np.int32),
            "pc_ent": col(pc, 5, np.int32),
            "pc_self": col(pc, 6, np.uint8),
            "pc_host": col(pc, 7, np.uint8),
            "it_ptr": it_ptr,
            "it_kind": col(it, 0, np.int8),
            "it_key": col(it, 1, np.int32),
            "it_ent": col(it, 2, np.int32),
            "it_weight": col(it, 3, np.int64),
            "plan_port_ptr": port_ptr,
            "plan_port": np.array([p for r in rows for p in r.ports], dtype=np.int64),
            "plan_term_ptr": term_ptr,
            "plan_term": term_idx,
        }
        self.dirty = False
        return self.arrays


def _clause(t: Term) -> Clause:
    return Clause(t.namespaces, t.namespace_selector, t.selector)


def _constraint_key(pod: Pod) -> tuple:
    """Everything about a pod that PTS, InterPodAffinity and NodePorts read, except the node."""
    owner = next(((o.api_version, o.kind, o.name) for o in pod.owner_references if o.controller), None)
    ports = tuple(host_ports(pod))
    return (
        pod.namespace,
        frozenset(pod.labels.items()),
        tuple(pod.topology_spread_constraints),
        pod.affinity.pod_affinity if pod.affinity else None,
        pod.affinity.pod_anti_affinity if pod.affinity else None,
        owner,
        ports,
    )
