"""Pod (anti-)affinity terms carried by bound pods, counted per topology domain.

InterPodAffinity needs, for the incoming pod, the terms of *existing* pods that match it:
required anti-affinity (Filter), required affinity (score, hardPodAffinityWeight), preferred
affinity and anti-affinity (score). Each distinct carried term gets an id ``t``; bind/unbind keep
per-domain counts of the pods carrying it.

- ``t_kind``   int8  [T]  REQ_ANTI, REQ_AFF, PREF_AFF, PREF_ANTI
- ``t_key``    int32 [T]  label key id of the term's topologyKey
- ``t_weight`` int64 [T]  signed score contribution per carrier (REQ_AFF: hardPodAffinityWeight)
- ``t_off``    int64 [T]  offset of the term's per-value counts in ``tdom`` (int64, flat)
- ``t_total``  int64 [T]  carriers on nodes that have the key
- ``ls_term`` CSR (``ls_term_ptr`` int64 [L+1], ``ls_term_idx`` int32): terms matching each
  label set (evaluated with the label set's namespace labels)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.state.nodes import NodeStore
from engine.state.selectors import Clause, _csr
from engine.state.vocab import Vocab

REQ_ANTI = 0
REQ_AFF = 1
PREF_AFF = 2
PREF_ANTI = 3


@dataclass(frozen=True)
class CarriedTerm:
    kind: int
    clause: Clause
    topology_key: str
    weight: int


class TermRegistry:
    def __init__(self, nodes: NodeStore, namespace_labels: Callable[[str], dict[str, str]]) -> None:
        self.nodes = nodes
        self.namespace_labels = namespace_labels
        self.terms = Vocab()
        self.t_kind = np.zeros(0, dtype=np.int8)
        self.t_key = np.zeros(0, dtype=np.int32)
        self.t_weight = np.zeros(0, dtype=np.int64)
        self.t_off = np.zeros(0, dtype=np.int64)
        self.t_total = np.zeros(0, dtype=np.int64)
        self.tdom = np.zeros(0, dtype=np.int64)
        self.ls_term_ptr = np.zeros(1, dtype=np.int64)
        self.ls_term_idx = np.zeros(0, dtype=np.int32)
        self.dirty = False

    def term(self, t: CarriedTerm) -> int:
        i = self.terms.get(t)
        if i < 0:
            i = self.terms.add(t)
            self.nodes.labels_index.key(t.topology_key)
            self.dirty = True
        return i

    def rebuild(
        self,
        labelsets: list[tuple[str, frozenset]],
        hard_weight: int,
        carriers: list[np.ndarray],
        pod_node: np.ndarray,
    ) -> None:
        """Recompute term arrays and domain counts.

        ``carriers[t]``: int32 indices of pods carrying term t (bound or not).
        """
        li = self.nodes.labels_index
        terms: list[CarriedTerm] = self.terms.values
        self.t_kind = np.array([t.kind for t in terms], dtype=np.int8)
        self.t_key = np.array([li.key(t.topology_key) for t in terms], dtype=np.int32)
        weights = []
        for t in terms:
            if t.kind == REQ_AFF:
                weights.append(hard_weight)
            elif t.kind == PREF_AFF:
                weights.append(t.weight)
            elif t.kind == PREF_ANTI:
                weights.append(-t.weight)
            else:
                weights.append(0)
        self.t_weight = np.array(weights, dtype=np.int64)
        sizes = [len(li.values[k]) for k in self.t_key]
        self.t_off = np.zeros(len(sizes), dtype=np.int64)
        if sizes:
            self.t_off[1:] = np.cumsum(sizes)[:-1]
        self.tdom = np.zeros(int(sum(sizes)), dtype=np.int64)
        self.t_total = np.zeros(len(sizes), dtype=np.int64)
        labels = self.nodes.labels
        for t in range(len(terms)):
            pods = carriers[t] if t < len(carriers) else np.zeros(0, dtype=np.int32)
            nodes = pod_node[pods]
            nodes = nodes[nodes >= 0]
            values = labels[nodes, self.t_key[t]]
            values = values[values >= 0]
            np.add.at(self.tdom, self.t_off[t] + values, 1)
            self.t_total[t] = len(values)
        rows = []
        for namespace, items in labelsets:
            labels_d = dict(items)
            ns_labels = self.namespace_labels(namespace)
            rows.append([i for i, t in enumerate(terms) if t.clause.matches(namespace, labels_d, ns_labels)])
        self.ls_term_ptr, self.ls_term_idx = _csr(rows)
        self.dirty = False
