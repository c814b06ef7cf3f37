"""Pod columns. Pods are rows; pods generated from one template share a name prefix.

Arrays (P = pod capacity, R = resources):

- ``node``     int32 [P]     bound node, -1 when pending
- ``req``      int64 [P, R]  requests as the filters see them (``pods`` column = 1)
- ``nonzero``  int64 [P, 2]  cpu/memory with the scoring defaults (100m / 200Mi per container)
- ``priority`` int32 [P]
- ``cls``      int32 [P]     scheduling class (static constraints)
- ``ls``       int32 [P]     label set (namespace + labels)
- ``plan``     int32 [P]     plan (PodTopologySpread / InterPodAffinity / NodePorts rows)
- ``term``     uint8 [P]     terminating (deletion timestamp set)
- ``nominated`` int32 [P]    node nominated by preemption, -1; ``nom_next`` int32 [P] next pod in
  that node's nominated list
- ``next``, ``prev`` int32 [P]: the node's bound-pod list; ``start`` int64 [P]: start time (ms)
- ``name_src`` int32 [P], ``name_ord`` int32 [P]: name = sources[src] or f"{prefix}-{ord}"
"""

from __future__ import annotations

import numpy as np

from engine.state.growable import grow_rows, widen
from engine.state.resource_axis import ResourceAxis


class PodStore:
    def __init__(self, axis: ResourceAxis) -> None:
        self.axis = axis
        self.n = 0
        self.node = np.zeros(0, dtype=np.int32)
        self.req = np.zeros((0, axis.capacity), dtype=np.int64)
        self.nonzero = np.zeros((0, 2), dtype=np.int64)
        self.priority = np.zeros(0, dtype=np.int32)
        self.cls = np.zeros(0, dtype=np.int32)
        self.ls = np.zeros(0, dtype=np.int32)
        self.plan = np.zeros(0, dtype=np.int32)
        self.term = np.zeros(0, dtype=np.uint8)
        self.nom_next = np.zeros(0, dtype=np.int32)
        self.next = np.zeros(0, dtype=np.int32)
        self.prev = np.zeros(0, dtype=np.int32)
        self.start = np.zeros(0, dtype=np.int64)
        self.nominated = np.zeros(0, dtype=np.int32)
        self.name_src = np.zeros(0, dtype=np.int32)
        self.name_ord = np.zeros(0, dtype=np.int32)
        self.sources: list[tuple[str, str]] = []

    def reserve(self, need: int) -> None:
        self.node = grow_rows(self.node, need, -1)
        self.req = grow_rows(self.req, need)
        self.nonzero = grow_rows(self.nonzero, need)
        self.priority = grow_rows(self.priority, need)
        self.cls = grow_rows(self.cls, need)
        self.ls = grow_rows(self.ls, need)
        self.plan = grow_rows(self.plan, need)
        self.term = grow_rows(self.term, need)
        self.nom_next = grow_rows(self.nom_next, need, -1)
        self.next = grow_rows(self.next, need, -1)
        self.prev = grow_rows(self.prev, need, -1)
        self.start = grow_rows(self.start, need)
        self.nominated = grow_rows(self.nominated, need, -1)
        self.name_src = grow_rows(self.name_src, need)
        self.name_ord = grow_rows(self.name_ord, need)

    def widen_resources(self) -> None:
        self.req = widen(self.req, self.axis.capacity)

    def append(
        self,
        count: int,
        *,
        req: np.ndarray,
        nonzero: np.ndarray,
        priority: np.ndarray | int,
        cls: int,
        ls: int,
        plan: int,
        namespace: str,
        name: str,
        numbered: bool,
        first_ordinal: int = 0,
    ) -> np.ndarray:
        """Append ``count`` pods sharing class, label set and plan; returns their rows.

        ``req`` is int64 [R] (shared) or [count, R]; ``nonzero`` int64 [2] or [count, 2].
        """
        start = self.n
        end = start + count
        self.reserve(end)
        self.widen_resources()
        self.node[start:end] = -1
        self.req[start:end] = 0
        self.req[start:end, : req.shape[-1]] = req
        self.nonzero[start:end] = nonzero
        self.priority[start:end] = priority
        self.cls[start:end] = cls
        self.ls[start:end] = ls
        self.plan[start:end] = plan
        self.term[start:end] = 0
        self.nom_next[start:end] = -1
        self.nominated[start:end] = -1
        self.next[start:end] = -1
        self.prev[start:end] = -1
        self.start[start:end] = 0
        self.sources.append((namespace, name))
        self.name_src[start:end] = len(self.sources) - 1
        if numbered:
            self.name_ord[start:end] = np.arange(first_ordinal, first_ordinal + count, dtype=np.int32)
        else:
            self.name_ord[start:end] = -1
        self.n = end
        return np.arange(start, end, dtype=np.int32)

    def add_free_rows(self, count: int) -> np.ndarray:
        """Append blank, unbound rows (the simulator fills them as pods arrive)."""
        self.sources.append(("", ""))
        start = self.n
        self.reserve(start + count)
        self.widen_resources()
        end = self.node.shape[0]  # use the whole capacity: kernels and registries see every row
        self.node[start:end] = -1
        self.req[start:end] = 0
        self.nonzero[start:end] = 0
        self.term[start:end] = 0
        self.nom_next[start:end] = -1
        self.nominated[start:end] = -1
        self.next[start:end] = -1
        self.prev[start:end] = -1
        self.name_src[start:end] = len(self.sources) - 1
        self.name_ord[start:end] = -1
        self.n = end
        return np.arange(start, end, dtype=np.int32)

    def key(self, p: int) -> str:
        namespace, name = self.sources[self.name_src[p]]
        ordinal = self.name_ord[p]
        return f"{namespace}/{name}" if ordinal < 0 else f"{namespace}/{name}-{ordinal}"

    def nbytes(self) -> int:
        arrays = (self.node, self.req, self.nonzero, self.priority, self.cls, self.ls, self.plan,
                  self.term, self.name_src, self.name_ord)
        return sum(a[: self.n].nbytes for a in arrays)
