"""Pod label sets, pod selectors with per-node match counts, and per-domain count entries.

PodTopologySpread and InterPodAffinity both ask "how many pods matching selector S are in the
topology domain of node N". Instead of scanning pods every cycle, counters are kept up to date
on every bind and unbind (in the kernel):

- ``cnt``        int32 [S, N]  bound pods on node n matching selector s
- domain entry e = (selector, topology key, node eligibility); its counts live in the flat
  ``dom_cnt`` int64 array at ``dom_off[e] + value id`` (one slot per value of the key);
  ``dom_nodes`` (same layout, int32) counts eligible nodes per domain; ``dom_total`` int64 [E]
  sums ``dom_cnt`` over the entry; ``elig`` uint8 [E, N] marks the nodes whose pods count.
  ``ent_missing`` int32 [E]: the value id a node *without* the key counts under, or -1 (it does
  not count). Only PodTopologySpread's system-default scoring sets it: upstream reads a
  missing label as "" there, so such nodes feed the domain of nodes labelled with "".
- ``ls_sel`` CSR (``ls_sel_ptr`` int64 [L+1], ``ls_sel_idx`` int32): selectors each label set
  matches; ``sel_ent`` CSR: entries fed by each selector.

A label set is a pod's namespace plus labels; pods from one template share it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.labels import Selector, compiled_matches
from engine.state.growable import grow_cols, grow_rows
from engine.state.nodes import NodeStore
from engine.state.vocab import Vocab


@dataclass(frozen=True)
class Clause:
    """(namespace in ``namespaces`` or namespace labels match ``ns_selector``) and labels match."""

    namespaces: frozenset[str]
    ns_selector: Selector
    selector: Selector

    def matches(self, namespace: str, labels: dict[str, str], ns_labels: dict[str, str]) -> bool:
        in_ns = namespace in self.namespaces or compiled_matches(ns_labels, self.ns_selector)
        return in_ns and compiled_matches(labels, self.selector)


@dataclass(frozen=True)
class PodSelector:
    """A conjunction of clauses; ``include_terminating`` is False for PodTopologySpread."""

    clauses: tuple[Clause, ...]
    include_terminating: bool


@dataclass(frozen=True)
class EntryKey:
    selector: int
    key: int  # label key id
    eligibility: int  # id in SelectorRegistry.eligibilities
    missing_as_empty: bool = False  # a node without the key counts under the value ""


class SelectorRegistry:
    def __init__(self, nodes: NodeStore, namespace_labels: Callable[[str], dict[str, str]]) -> None:
        self.nodes = nodes
        self.namespace_labels = namespace_labels
        self.labelsets = Vocab()  # (namespace, frozenset(labels)) -> id
        self.selectors = Vocab()  # PodSelector -> id
        self.entries = Vocab()  # EntryKey -> id
        # eligibility id -> uint8 [N] mask builder; registered by the plan compiler
        self.eligibilities = Vocab()
        self._elig_masks: list[Callable[[], np.ndarray]] = []
        self._ls_match: list[list[int]] = []  # per label set: matching selector ids
        self.cnt = np.zeros((0, 0), dtype=np.int32)
        self.dom_off = np.zeros(0, dtype=np.int64)
        self.dom_cnt = np.zeros(0, dtype=np.int64)
        self.dom_nodes = np.zeros(0, dtype=np.int32)
        self.dom_total = np.zeros(0, dtype=np.int64)
        self.elig = np.zeros((0, 0), dtype=np.uint8)
        self.ent_sel = np.zeros(0, dtype=np.int32)
        self.ent_key = np.zeros(0, dtype=np.int32)
        self.ent_missing = np.zeros(0, dtype=np.int32)
        self.ls_sel_ptr = np.zeros(1, dtype=np.int64)
        self.ls_sel_idx = np.zeros(0, dtype=np.int32)
        self.sel_ent_ptr = np.zeros(1, dtype=np.int64)
        self.sel_ent_idx = np.zeros(0, dtype=np.int32)
        self.sel_terminating = np.zeros(0, dtype=np.uint8)
        self.dirty = False

    # -- label sets --------------------------------------------------------------------------
    def labelset(self, namespace: str, labels: dict[str, str]) -> int:
        key = (namespace, frozenset(labels.items()))
        i = self.labelsets.get(key)
        if i >= 0:
            return i
        i = self.labelsets.add(key)
        ns_labels = self.namespace_labels(namespace)
        self._ls_match.append(
            [s for s, sel in enumerate(self.selectors.values) if self._match(sel, namespace, labels, ns_labels)]
        )
        self.dirty = True
        return i

    def labelset_labels(self, i: int) -> tuple[str, dict[str, str]]:
        namespace, items = self.labelsets[i]
        return namespace, dict(items)

    @staticmethod
    def _match(sel: PodSelector, namespace: str, labels: dict[str, str], ns_labels: dict[str, str]) -> bool:
        return all(c.matches(namespace, labels, ns_labels) for c in sel.clauses)

    def labelset_matches(self, ls: int, selector: int) -> bool:
        return selector in self._ls_match[ls]

    # -- selectors ---------------------------------------------------------------------------
    def selector(self, sel: PodSelector, pod_node: np.ndarray, pod_ls: np.ndarray, pod_term: np.ndarray) -> int:
        """Id of ``sel``; a new selector gets its counts from the currently bound pods."""
        s = self.selectors.get(sel)
        if s >= 0:
            return s
        s = self.selectors.add(sel)
        matching = np.zeros(len(self.labelsets), dtype=np.bool_)
        for ls, (namespace, items) in enumerate(self.labelsets.values):
            if self._match(sel, namespace, dict(items), self.namespace_labels(namespace)):
                self._ls_match[ls].append(s)
                matching[ls] = True
        n_cap = self.nodes.alloc.shape[0]
        self.cnt = grow_cols(grow_rows(self.cnt, s + 1), max(n_cap, 1))
        self.sel_terminating = grow_rows(self.sel_terminating, s + 1)
        self.sel_terminating[s] = 1 if sel.include_terminating else 0
        bound = pod_node >= 0
        if not sel.include_terminating:
            bound &= pod_term == 0
        if len(matching):
            bound &= matching[pod_ls]
        self.cnt[s] = 0
        if bound.any():
            self.cnt[s, : n_cap] = np.bincount(pod_node[bound], minlength=n_cap)[:n_cap]
        self.dirty = True
        return s

    # -- domain entries ------------------------------------------------------------------------
    def eligibility(self, key: object, mask: Callable[[], np.ndarray]) -> int:
        e = self.eligibilities.get(key)
        if e < 0:
            e = self.eligibilities.add(key)
            self._elig_masks.append(mask)
        return e

    def entry(
        self, selector: int, key: int, eligibility: int, missing_as_empty: bool = False
    ) -> int:
        ek = EntryKey(selector, key, eligibility, missing_as_empty)
        e = self.entries.get(ek)
        if e < 0:
            e = self.entries.add(ek)
            self.dirty = True
        return e

    def rebuild(self) -> None:
        """Re-derive the CSR indexes and every domain entry from ``cnt`` (after any growth)."""
        n_cap = max(self.nodes.alloc.shape[0], 1)
        self.cnt = grow_cols(self.cnt, n_cap) if self.cnt.shape[0] else np.zeros((0, n_cap), np.int32)
        self.ls_sel_ptr, self.ls_sel_idx = _csr(self._ls_match)
        per_sel: list[list[int]] = [[] for _ in range(len(self.selectors))]
        for e, ek in enumerate(self.entries.values):
            per_sel[ek.selector].append(e)
        self.sel_ent_ptr, self.sel_ent_idx = _csr(per_sel)
        li = self.nodes.labels_index
        sizes = [len(li.values[ek.key]) for ek in self.entries.values]
        self.dom_off = np.zeros(len(sizes), dtype=np.int64)
        if sizes:
            self.dom_off[1:] = np.cumsum(sizes)[:-1]
        total = int(sum(sizes))
        self.dom_cnt = np.zeros(total, dtype=np.int64)
        self.dom_nodes = np.zeros(total, dtype=np.int32)
        self.dom_total = np.zeros(len(sizes), dtype=np.int64)
        self.elig = np.zeros((len(sizes), n_cap), dtype=np.uint8)
        self.ent_sel = np.array([ek.selector for ek in self.entries.values], dtype=np.int32)
        self.ent_key = np.array([ek.key for ek in self.entries.values], dtype=np.int32)
        self.ent_missing = np.array(
            [
                li.values[ek.key].get("") if ek.missing_as_empty else -1
                for ek in self.entries.values
            ],
            dtype=np.int32,
        )
        masks = [m() for m in self._elig_masks]
        labels = self.nodes.labels
        alive = self.nodes.alive_indices()
        for e, ek in enumerate(self.entries.values):
            mask = masks[ek.eligibility][alive].astype(bool)
            col = labels[alive, ek.key]
            col = np.where(col >= 0, col, self.ent_missing[e])
            use = mask & (col >= 0)
            self.elig[e, alive] = use
            nodes_in = alive[use]
            values = col[use]
            off = self.dom_off[e]
            np.add.at(self.dom_nodes, off + values, 1)
            counts = self.cnt[ek.selector, nodes_in].astype(np.int64)
            np.add.at(self.dom_cnt, off + values, counts)
            self.dom_total[e] = counts.sum()
        self.dirty = False


def _csr(rows: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    ptr = np.zeros(len(rows) + 1, dtype=np.int64)
    for i, r in enumerate(rows):
        ptr[i + 1] = ptr[i] + len(r)
    idx = np.array([x for r in rows for x in r], dtype=np.int32)
    return ptr, idx
