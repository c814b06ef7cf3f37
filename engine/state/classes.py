"""Scheduling classes: pods with identical static constraints share one compiled class.

The static filters (NodeUnschedulable, NodeName, TaintToleration, NodeAffinity) and the static
scores (TaintToleration's PreferNoSchedule count, NodeAffinity's preferred weights,
ImageLocality) depend only on the pod's spec and the node, never on other pods. They are
evaluated once per class over all nodes (vectorised NumPy) and re-evaluated for a node when it
changes.

Arrays (C = class capacity, N = node capacity):

- ``bits``  uint8 [C, N]  failing static filters: 1 NodeUnschedulable, 2 NodeName,
  4 TaintToleration, 8 NodeAffinity (pod's nodeSelector/required terms), 16 NodeAffinity
  (profile's addedAffinity)
- ``tt``    int32 [C, N]  TaintToleration raw score (untolerated PreferNoSchedule taints)
- ``na``    int32 [C, N]  NodeAffinity raw score (weights of matching preferred terms)
- ``img``   int32 [C, N]  ImageLocality final score (0..100)
- ``flags`` int32 [C]     FLAG_NA_SKIP: NodeAffinity PreScore skips (no preferred terms);
  FLAG_NARROW: PreFilter narrowed the nodes to ``narrow`` (metadata.name matchFields);
  FLAG_CONFLICT: PreFilter rejects ("pod affinity terms conflict"); FLAG_IMG_ZERO: the
  ImageLocality score is 0 on every node
- ``pass_ptr`` int64 [C+1], ``pass_pos`` int32: per class, the positions in its examination
  list (node-tree order, or the narrowed list) of the nodes no enabled static filter rejects,
  ascending — the cycle visits only these and accounts for the others in bulk;
  ``pass_node`` int32: the node at each of those positions
- ``static_hist`` int64 [C, STATIC_REASONS]: per class, how many nodes of its examination list
  each static reason (R_UNSCHEDULABLE .. R_ENFORCED) rejects, first failing static filter in
  profile order
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.framework.plugins.image_locality.reference import (
    MAX_CONTAINER_THRESHOLD,
    MIN_THRESHOLD,
    normalized_image_name,
)
from engine.framework.plugins.node_affinity.reference import prefilter_node_names
from engine.framework.plugins.node_unschedulable.reference import UNSCHEDULABLE_TAINT
from engine.labels import term_is_empty, term_parses
from engine.objects import (
    NO_EXECUTE,
    NO_SCHEDULE,
    PREFER_NO_SCHEDULE,
    NodeAffinity,
    NodeSelectorTerm,
    Pod,
    PreferredSchedulingTerm,
    Toleration,
)
from engine.scheduler.codes import (
    F_NODE_AFFINITY,
    F_NODE_NAME,
    F_NODE_UNSCHEDULABLE,
    F_TAINT_TOLERATION,
    R_AFFINITY,
    R_ENFORCED,
    R_NODE_NAME,
    R_TAINT,
    R_UNSCHEDULABLE,
    STATIC_FILTERS,
)
from engine.state.growable import grow_cols, grow_rows
from engine.state.nodes import NodeStore
from engine.state.vocab import Vocab
from engine.tolerations import tolerated_by_any

BIT_UNSCHEDULABLE = 1
BIT_NODE_NAME = 2
BIT_TAINT = 4
BIT_AFFINITY = 8
BIT_ENFORCED = 16

FLAG_NA_SKIP = 1
FLAG_NARROW = 2
FLAG_CONFLICT = 4
FLAG_IMG_ZERO = 8

# Per static filter, its (failing bit, reason id) checks in the order it reports them
# (NodeAffinity reports the profile's addedAffinity before the pod's own terms).
STATIC_CHECKS = {
    F_NODE_UNSCHEDULABLE: ((BIT_UNSCHEDULABLE, R_UNSCHEDULABLE),),
    F_NODE_NAME: ((BIT_NODE_NAME, R_NODE_NAME),),
    F_TAINT_TOLERATION: ((BIT_TAINT, R_TAINT),),
    F_NODE_AFFINITY: ((BIT_ENFORCED, R_ENFORCED), (BIT_AFFINITY, R_AFFINITY)),
}
STATIC_REASONS = 1 + max(r for checks in STATIC_CHECKS.values() for _, r in checks)  # static_hist columns


@dataclass(frozen=True)
class ClassSpec:
    """The static part of a pod spec: the key under which pods share a class."""

    node_name: str
    node_selector: tuple[tuple[str, str], ...]
    node_affinity: NodeAffinity | None
    tolerations: tuple[Toleration, ...]
    images: tuple[str, ...]  # normalised image names, init containers first

    @staticmethod
    def of(pod: Pod) -> ClassSpec:
        na = pod.affinity.node_affinity if pod.affinity else None
        images = tuple(normalized_image_name(c.image) for c in (*pod.init_containers, *pod.containers))
        return ClassSpec(
            pod.node_name,
            tuple(sorted(pod.node_selector.items())),
            na,
            tuple(pod.tolerations),
            images,
        )


class ClassRegistry:
    def __init__(
        self,
        nodes: NodeStore,
        added: NodeAffinity | None,
        comparison_operators: bool,
        static_filters: tuple[int, ...] = STATIC_FILTERS,
    ) -> None:
        self.nodes = nodes
        self.static_filters = static_filters
        self.added_required = added.required if added else None
        self.added_preferred = added.preferred if added else ()
        self.comparison_operators = comparison_operators
        self.specs = Vocab()
        self.bits = np.zeros((0, 0), dtype=np.uint8)
        self.tt = np.zeros((0, 0), dtype=np.int32)
        self.na = np.zeros((0, 0), dtype=np.int32)
        self.img = np.zeros((0, 0), dtype=np.int32)
        self.flags = np.zeros(0, dtype=np.int32)
        self.narrow_names: list[frozenset[str] | None] = []
        self.narrow_ptr = np.zeros(1, dtype=np.int64)
        self.narrow_idx = np.zeros(0, dtype=np.int32)
        self.pass_ptr = np.zeros(1, dtype=np.int64)
        self.pass_pos = np.zeros(0, dtype=np.int32)
        self.pass_node = np.zeros(0, dtype=np.int32)
        self.static_hist = np.zeros((0, STATIC_REASONS), dtype=np.int64)
        self._evaluated_version = -1

    def __len__(self) -> int:
        return len(self.specs)

    def class_of(self, pod: Pod) -> int:
        spec = ClassSpec.of(pod)
        c = self.specs.get(spec)
        if c >= 0:
            return c
        c = self.specs.add(spec)
        self._grow()
        self.flags[c] = self._flags(spec)
        self.narrow_names.append(self._narrow(spec))
        self._evaluate(c, self.nodes.alive_indices())
        self._rebuild_narrow()
        return c

    # -- capacity ---------------------------------------------------------------------------
    def _grow(self) -> None:
        c, n = len(self.specs), max(self.nodes.alloc.shape[0], 1)
        self.bits = grow_cols(grow_rows(self.bits, c), n)
        self.tt = grow_cols(grow_rows(self.tt, c), n)
        self.na = grow_cols(grow_rows(self.na, c), n)
        self.img = grow_cols(grow_rows(self.img, c), n)
        self.flags = grow_rows(self.flags, c)

    def refresh(self, changed: np.ndarray | None = None) -> None:
        """Re-evaluate classes after node changes (all nodes if ``changed`` is None).

        ImageLocality depends on how many nodes hold an image, so it is recomputed for every
        node whenever the node set changes.
        """
        self._grow()
        alive = self.nodes.alive_indices()
        idx = alive if changed is None else changed
        for c in range(len(self.specs)):
            self._evaluate(c, idx)
            if changed is not None:
                self._image(c, alive)
        self._rebuild_narrow()

    # -- evaluation ---------------------------------------------------------------------------
    def _flags(self, spec: ClassSpec) -> int:
        flags = 0
        preferred = spec.node_affinity.preferred if spec.node_affinity else ()
        if not preferred and not self.added_preferred:
            flags |= FLAG_NA_SKIP
        names = self._narrow(spec)
        if names is not None:
            flags |= FLAG_NARROW if names else FLAG_CONFLICT
        return flags

    @staticmethod
    def _narrow(spec: ClassSpec) -> frozenset[str] | None:
        na = spec.node_affinity
        if na is None or not na.required:
            return None
        names = prefilter_node_names(na.required)
        return None if names is None else frozenset(names)

    def _rebuild_narrow(self) -> None:
        order = self.nodes.order
        ptr = [0]
        idx: list[int] = []
        for names in self.narrow_names:
            if names:
                idx.extend(int(i) for i in order if self.nodes.objects[i].name in names)
            ptr.append(len(idx))
        self.narrow_ptr = np.array(ptr, dtype=np.int64)
        self.narrow_idx = np.array(idx, dtype=np.int32)
        self._rebuild_pass_lists()

    def _rebuild_pass_lists(self) -> None:
        """Static pass positions and static reason counts per class (see module docstring)."""
        # (bit, reason) in profile order; NodeAffinity reports enforced first
        checks = [check for f in self.static_filters for check in STATIC_CHECKS[f]]
        enabled = 0
        for bit, _ in checks:
            enabled |= bit
        ptr = [0]
        chunks: list[np.ndarray] = []
        node_chunks: list[np.ndarray] = []
        hist = np.zeros((len(self.specs), STATIC_REASONS), dtype=np.int64)
        for c in range(len(self.specs)):
            if self.narrow_names[c]:
                lst = self.narrow_idx[self.narrow_ptr[c] : self.narrow_ptr[c + 1]]
            else:
                lst = self.nodes.order
            bits = self.bits[c, lst] & enabled
            chunks.append(np.nonzero(bits == 0)[0].astype(np.int32))
            node_chunks.append(lst[chunks[-1]].astype(np.int32))
            ptr.append(ptr[-1] + len(chunks[-1]))
            left = bits != 0
            for bit, reason in checks:
                hit = left & ((bits & bit) != 0)
                hist[c, reason] = int(hit.sum())
                left &= ~hit
        self.pass_ptr = np.array(ptr, dtype=np.int64)
        self.pass_pos = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int32)
        self.pass_node = np.concatenate(node_chunks) if node_chunks else np.zeros(0, dtype=np.int32)
        self.static_hist = hist

    def _evaluate(self, c: int, idx: np.ndarray) -> None:
        spec: ClassSpec = self.specs[c]
        nodes = self.nodes
        bits = np.zeros(len(idx), dtype=np.uint8)
        tolerates_cordon = tolerated_by_any(UNSCHEDULABLE_TAINT, spec.tolerations)
        if not tolerates_cordon:
            bits |= np.where(nodes.unschedulable[idx] != 0, BIT_UNSCHEDULABLE, 0).astype(np.uint8)
        if spec.node_name:
            wanted = nodes.index.get(spec.node_name, -1)
            bits |= np.where(idx != wanted, BIT_NODE_NAME, 0).astype(np.uint8)
        untol_filter, untol_prefer = self._taint_tables(spec.tolerations)
        slots = nodes.taints[idx]
        present = slots >= 0
        safe = np.where(present, slots, 0)
        filter_hit = (untol_filter[safe] & present).any(axis=1) if slots.shape[1] else np.zeros(len(idx), bool)
        bits |= np.where(filter_hit, BIT_TAINT, 0).astype(np.uint8)
        self.tt[c, idx] = (untol_prefer[safe] & present).sum(axis=1) if slots.shape[1] else 0
        bits |= np.where(~self._required_mask(spec, idx), BIT_AFFINITY, 0).astype(np.uint8)
        if self.added_required is not None:
            added = self._terms_mask(self.added_required, idx)
            bits |= np.where(~added, BIT_ENFORCED, 0).astype(np.uint8)
        self.bits[c, idx] = bits
        preferred = spec.node_affinity.preferred if spec.node_affinity else ()
        self.na[c, idx] = self._preferred_score((*self.added_preferred, *preferred), idx)
        self._image(c, self.nodes.alive_indices())

    def _taint_tables(self, tolerations: tuple[Toleration, ...]) -> tuple[np.ndarray, np.ndarray]:
        """Per taint id: untolerated NoSchedule/NoExecute, untolerated PreferNoSchedule."""
        vocab = self.nodes.taint_vocab
        n = max(len(vocab), 1)
        filt = np.zeros(n, dtype=np.bool_)
        pref = np.zeros(n, dtype=np.bool_)
        prefer_tols = [t for t in tolerations if t.effect in ("", PREFER_NO_SCHEDULE)]
        for tid in range(len(vocab)):
            taint = self.nodes.taint(tid)
            if taint.effect in (NO_SCHEDULE, NO_EXECUTE):
                filt[tid] = not tolerated_by_any(taint, tolerations, self.comparison_operators)
            elif taint.effect == PREFER_NO_SCHEDULE:
                pref[tid] = not tolerated_by_any(taint, prefer_tols, self.comparison_operators)
        return filt, pref

    def _required_mask(self, spec: ClassSpec, idx: np.ndarray) -> np.ndarray:
        ok = np.ones(len(idx), dtype=np.bool_)
        li = self.nodes.labels_index
        for key, value in spec.node_selector:
            k = li.keys.get(key)
            vid = li.values[k].get(value) if k >= 0 else -1
            ok &= (self.nodes.labels[idx, k] == vid) if vid >= 0 else False
        na = spec.node_affinity
        if na is not None and na.required is not None:
            ok &= self._terms_mask(na.required, idx)
        return ok

    def _terms_mask(self, terms: tuple[NodeSelectorTerm, ...], idx: np.ndarray) -> np.ndarray:
        """OR over terms; empty or unparsable terms match nothing."""
        out = np.zeros(len(idx), dtype=np.bool_)
        for term in terms:
            if term_is_empty(term) or not term_parses(term):
                continue
            out |= self._term_mask(term, idx)
        return out

    def _term_mask(self, term: NodeSelectorTerm, idx: np.ndarray) -> np.ndarray:
        nodes = self.nodes
        li = nodes.labels_index
        ok = np.ones(len(idx), dtype=np.bool_)
        for r in term.match_expressions:
            k = li.keys.get(r.key)
            col = nodes.labels[idx, k] if k >= 0 else np.full(len(idx), -1, dtype=np.int32)
            present = col >= 0
            if r.operator == "In":
                ok &= present & np.isin(col, li.value_ids(r.key, r.values))
            elif r.operator == "NotIn":
                ok &= ~present | ~np.isin(col, li.value_ids(r.key, r.values))
            elif r.operator == "Exists":
                ok &= present
            elif r.operator == "DoesNotExist":
                ok &= ~present
            else:  # Gt / Lt (term_parses guaranteed one integer value)
                if k < 0:
                    ok &= False
                    continue
                vals, parses = li.int_table(k)
                safe = np.where(present, col, 0)
                have = vals[safe] if len(vals) else np.zeros(len(idx), dtype=np.int64)
                good = present & (parses[safe] if len(parses) else False)
                want = int(r.values[0])
                ok &= good & ((have > want) if r.operator == "Gt" else (have < want))
        names = np.array([nodes.objects[i].name if nodes.objects[i] else "" for i in idx], dtype=object)
        for r in term.match_fields:
            field = names if r.key == "metadata.name" else np.full(len(idx), "", dtype=object)
            equal = field == r.values[0]
            ok &= equal if r.operator == "In" else ~equal
        return ok

    def _preferred_score(self, terms: tuple[PreferredSchedulingTerm, ...], idx: np.ndarray) -> np.ndarray:
        score = np.zeros(len(idx), dtype=np.int32)
        for t in terms:
            if t.weight == 0 or term_is_empty(t.preference) or not term_parses(t.preference):
                continue
            score += np.where(self._term_mask(t.preference, idx), t.weight, 0).astype(np.int32)
        return score

    def _image(self, c: int, alive: np.ndarray) -> None:
        spec: ClassSpec = self.specs[c]
        total_nodes = len(alive)
        num = len(spec.images)
        sums = np.zeros(self.img.shape[1], dtype=np.int64)
        states = self.image_states()
        for name in spec.images:
            state = states.get(name)
            if state is None:
                continue
            size, holders = state
            sums[holders] += int(float(size) * (len(holders) / total_nodes))
        max_threshold = MAX_CONTAINER_THRESHOLD * num
        s = sums[alive]
        s = np.where(s < MIN_THRESHOLD, MIN_THRESHOLD, np.where(s > max_threshold, max_threshold, s))
        if num == 0:
            self.img[c, alive] = 0  # 100 * 0 / (0 - min) in upstream's arithmetic
        else:
            self.img[c, alive] = 100 * (s - MIN_THRESHOLD) // (max_threshold - MIN_THRESHOLD)
        if self.img[c].any():
            self.flags[c] &= ~FLAG_IMG_ZERO
        else:
            self.flags[c] |= FLAG_IMG_ZERO

    def image_states(self) -> dict[str, tuple[int, np.ndarray]]:
        """name -> (size from the first node reporting it, int32 indices of nodes having it)."""
        cache = getattr(self, "_image_cache", None)
        if cache is not None and cache[0] == self.nodes.version:
            return cache[1]
        sizes: dict[str, int] = {}
        holders: dict[str, list[int]] = {}
        for i in self.nodes.alive_indices():
            node = self.nodes.objects[i]
            seen: set[str] = set()
            for image in node.images:
                for name in image.names:
                    if name in seen:
                        continue
                    seen.add(name)
                    sizes.setdefault(name, image.size_bytes)
                    holders.setdefault(name, []).append(int(i))
        states = {k: (sizes[k], np.array(v, dtype=np.int32)) for k, v in holders.items()}
        self._image_cache = (self.nodes.version, states)
        return states
