"""Node columns, label dictionary encoding, and the node tree (examination order).

Arrays (N = node capacity, R = resources, K = label keys, T = taint slots, P = port slots):

- ``alloc``         int64 [N, R]  allocatable (cpu m, bytes, units; column ``pods`` = max pods)
- ``requested``     int64 [N, R]  sum of the plain requests of pods on the node; ``pods`` = count
- ``hot``           int64 [N, 8]  the cpu/memory/pods figures most cycles need, in one cache line
  per node (columns ``HOT_*``): copies of ``alloc``/``requested``/``nonzero`` kept in step by
  bind/unbind, so the common Filter and Score passes touch one line per node, not four
- ``nonzero``       int64 [N, 2]  NonZeroRequested cpu (m) and memory (bytes), for scoring
- ``unschedulable`` uint8 [N]     spec.unschedulable
- ``alive``         uint8 [N]     slot holds a node (removed nodes leave a dead slot)
- ``labels``        int32 [N, K]  per-key value id of each label, -1 when absent
- ``taints``        int32 [N, T]  taint ids (``LabelIndex.taints``), -1 padding, in spec order
- ``ports``         int64 [N, P]  host ports in use, packed (ip id << 20 | protocol << 16 | port)
- ``order``         int32 [n]     alive node indices in node-tree order (zones interleaved)
- ``nom_head``      int32 [N]     first pod nominated to the node (preemption), -1
- ``nom_count``     int64 [1]     pods nominated to any node (0: filters skip the nominated lists)
- ``pod_head``      int32 [N]     first pod bound to the node (list through pods.next), -1
"""

from __future__ import annotations

import numpy as np

from engine.errors import InputError
from engine.framework.cycle import zone_key
from engine.labels import parse_go_int
from engine.objects import Node, Taint
from engine.state.growable import grow_cols, grow_rows, widen
from engine.state.resource_axis import CPU_COL, MEMORY_COL, PODS_COL, ResourceAxis
from engine.state.vocab import Vocab

PROTOCOLS = {"TCP": 0, "UDP": 1, "SCTP": 2}

# columns of ``hot``
HOT_ALLOC_CPU = 0
HOT_ALLOC_MEMORY = 1
HOT_REQ_CPU = 2
HOT_REQ_MEMORY = 3
HOT_NZ_CPU = 4  # NonZeroRequested
HOT_NZ_MEMORY = 5
HOT_FREE_PODS = 6  # allocatable pods - pods on the node
HOT_VERSION = 7  # bumped on every change of the row: memoized scores check it
HOT_WIDTH = 8


class LabelIndex:
    """Label keys and per-key value vocabularies, with integer parses for Gt/Lt."""

    def __init__(self) -> None:
        self.keys = Vocab()
        self.values: list[Vocab] = []
        self._ints: list[tuple[np.ndarray, np.ndarray] | None] = []

    def key(self, name: str) -> int:
        k = self.keys.add(name)
        if k == len(self.values):
            self.values.append(Vocab())
            self._ints.append(None)
        return k

    def value(self, key_id: int, value: str) -> int:
        self._ints[key_id] = None
        return self.values[key_id].add(value)

    def value_ids(self, key_name: str, values: tuple[str, ...]) -> np.ndarray:
        """Ids of the values known for ``key_name`` (unknown values can match no node)."""
        k = self.keys.get(key_name)
        if k < 0:
            return np.empty(0, dtype=np.int32)
        ids = [self.values[k].get(v) for v in values]
        return np.array([i for i in ids if i >= 0], dtype=np.int32)

    def int_table(self, key_id: int) -> tuple[np.ndarray, np.ndarray]:
        """(int64 value, bool parses) for every value id of a key (``strconv.ParseInt``)."""
        cached = self._ints[key_id]
        if cached is None:
            parsed = [parse_go_int(v) for v in self.values[key_id].values]
            ok = np.array([p is not None for p in parsed], dtype=np.bool_)
            vals = np.array([p if p is not None else 0 for p in parsed], dtype=np.int64)
            cached = (vals, ok)
            self._ints[key_id] = cached
        return cached


class NodeStore:
    def __init__(self, axis: ResourceAxis) -> None:
        self.axis = axis
        self.labels_index = LabelIndex()
        self.taint_vocab = Vocab()  # Taint (key, value, effect) -> id
        self.ip_vocab = Vocab()
        self.ip_vocab.add("0.0.0.0")
        self.objects: list[Node | None] = []
        self.index: dict[str, int] = {}
        self.n = 0
        self.alloc = np.zeros((0, axis.capacity), dtype=np.int64)
        self.requested = np.zeros((0, axis.capacity), dtype=np.int64)
        self.hot = np.zeros((0, HOT_WIDTH), dtype=np.int64)
        self.nonzero = np.zeros((0, 2), dtype=np.int64)
        self.unschedulable = np.zeros(0, dtype=np.uint8)
        self.alive = np.zeros(0, dtype=np.uint8)
        self.labels = np.full((0, 1), -1, dtype=np.int32)
        self.taints = np.full((0, 1), -1, dtype=np.int32)
        self.ports = np.full((0, 1), -1, dtype=np.int64)
        self.n_ports = np.zeros(0, dtype=np.int32)
        self.nom_head = np.zeros(0, dtype=np.int32)
        self.nom_count = np.zeros(1, dtype=np.int64)
        self.pod_head = np.zeros(0, dtype=np.int32)
        self._zones: dict[str, list[int]] = {}
        self.order = np.zeros(0, dtype=np.int32)
        self.version = 0  # bumped on every change that invalidates class masks

    # -- capacity -------------------------------------------------------------------------
    def _ensure_rows(self, need: int) -> None:
        self.alloc = grow_rows(self.alloc, need)
        self.requested = grow_rows(self.requested, need)
        self.hot = grow_rows(self.hot, need)
        self.nonzero = grow_rows(self.nonzero, need)
        self.unschedulable = grow_rows(self.unschedulable, need)
        self.alive = grow_rows(self.alive, need)
        self.labels = grow_rows(self.labels, need, -1)
        self.taints = grow_rows(self.taints, need, -1)
        self.ports = grow_rows(self.ports, need, -1)
        self.n_ports = grow_rows(self.n_ports, need)
        self.nom_head = grow_rows(self.nom_head, need, -1)
        self.pod_head = grow_rows(self.pod_head, need, -1)

    def widen_resources(self) -> None:
        r = self.axis.capacity
        self.alloc = widen(self.alloc, r)
        self.requested = widen(self.requested, r)

    # -- nodes ------------------------------------------------------------------------------
    def add(self, node: Node) -> int:
        if node.name in self.index:
            raise InputError(f"node {node.name!r} is defined twice", path="metadata.name")
        i = self.n
        self.n += 1
        self._ensure_rows(self.n)
        self.objects.append(node)
        self.index[node.name] = i
        self.alive[i] = 1
        self._write(i, node)
        self._zones.setdefault(zone_key(node.labels), []).append(i)
        self._rebuild_order()
        return i

    def remove(self, name: str) -> int:
        i = self.index.pop(name)
        self.alive[i] = 0
        self.objects[i] = None
        zone = next(z for z, members in self._zones.items() if i in members)
        self._zones[zone].remove(i)
        if not self._zones[zone]:
            del self._zones[zone]
        self._rebuild_order()
        self.version += 1
        return i

    def update(self, i: int, node: Node) -> None:
        """Replace labels, taints, unschedulable and allocatable of node ``i``."""
        old = self.objects[i]
        self.objects[i] = node
        self._write(i, node)
        if old is not None and zone_key(old.labels) != zone_key(node.labels):
            self._zones[zone_key(old.labels)].remove(i)
            if not self._zones[zone_key(old.labels)]:
                del self._zones[zone_key(old.labels)]
            self._zones.setdefault(zone_key(node.labels), []).append(i)
        self.version += 1

    def _write(self, i: int, node: Node) -> None:
        for name in node.allocatable:
            self.axis.ensure(name)
        self.widen_resources()
        self.alloc[i] = 0
        for name, value in node.allocatable.items():
            col = self.axis.index.get(name, -1)
            if col >= 0:
                self.alloc[i, col] = value
        self.hot[i, HOT_ALLOC_CPU] = self.alloc[i, CPU_COL]
        self.hot[i, HOT_ALLOC_MEMORY] = self.alloc[i, MEMORY_COL]
        self.hot[i, HOT_FREE_PODS] = self.alloc[i, PODS_COL] - self.requested[i, PODS_COL]
        self.hot[i, HOT_VERSION] += 1
        self.unschedulable[i] = 1 if node.unschedulable else 0
        li = self.labels_index
        keys = [(li.key(k), v) for k, v in node.labels.items()]
        self.labels = grow_cols(self.labels, len(li.keys), -1)
        self.labels[i] = -1
        for k, v in keys:
            self.labels[i, k] = li.value(k, v)
        ids = [self.taint_vocab.add((t.key, t.value, t.effect)) for t in node.taints]
        self.taints = grow_cols(self.taints, max(len(ids), 1), -1)
        self.taints[i] = -1
        self.taints[i, : len(ids)] = ids
        self.version += 1

    def _rebuild_order(self) -> None:
        zones = list(self._zones.values())
        out: list[int] = []
        depth = 0
        total = sum(len(z) for z in zones)
        while len(out) < total:
            for members in zones:
                if depth < len(members):
                    out.append(members[depth])
            depth += 1
        self.order = np.array(out, dtype=np.int32)

    def ensure_label_columns(self) -> None:
        """Give every registered label key a column: plans and carried terms register
        topology keys that no node may carry yet, and kernels index ``labels`` by key id."""
        self.labels = grow_cols(self.labels, len(self.labels_index.keys), -1)

    # -- ports ------------------------------------------------------------------------------
    def pack_port(self, host_ip: str, protocol: str, port: int) -> int:
        return (self.ip_vocab.add(host_ip or "0.0.0.0") << 20) | (PROTOCOLS.get(protocol, 0) << 16) | port

    def ensure_port_slots(self, need: int) -> None:
        self.ports = grow_cols(self.ports, need, -1)

    # -- views ------------------------------------------------------------------------------
    def taint(self, taint_id: int) -> Taint:
        key, value, effect = self.taint_vocab[taint_id]
        return Taint(key, value, effect)

    def alive_indices(self) -> np.ndarray:
        return np.nonzero(self.alive[: self.n])[0].astype(np.int32)

    @property
    def count(self) -> int:
        return len(self.index)

    def max_pods(self) -> np.ndarray:
        return self.alloc[: self.n, PODS_COL]
