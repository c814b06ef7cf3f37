"""The resource axis: which column of a resource matrix holds which resource.

Columns 0..3 are fixed (cpu in millicores, memory bytes, ephemeral-storage bytes, pods);
scalar resources (extended such as ``nvidia.com/gpu``, hugepages-*, ``*kubernetes.io/*``,
attachable-volumes-*) get further columns in order of first appearance.
"""

from __future__ import annotations

import numpy as np

from engine.resources import CPU, EPHEMERAL_STORAGE, MEMORY, PODS, is_extended, is_scalar

FIXED = (CPU, MEMORY, EPHEMERAL_STORAGE, PODS)
CPU_COL, MEMORY_COL, EPHEMERAL_COL, PODS_COL = 0, 1, 2, 3


class ResourceAxis:
    def __init__(self) -> None:
        self.names: list[str] = list(FIXED)
        self.index: dict[str, int] = {n: i for i, n in enumerate(FIXED)}

    def __len__(self) -> int:
        return len(self.names)

    @property
    def capacity(self) -> int:
        """Columns of every resource matrix: a power of two >= 8 covering all resources.

        All matrices share it exactly, so kernels may loop over a row's columns and index
        the others with the same column; unused columns stay 0.
        """
        cap = 8
        while cap < len(self.names):
            cap *= 2
        return cap

    def ensure(self, name: str) -> int:
        """Column of ``name``, adding scalar resources on first use; -1 for untracked names."""
        i = self.index.get(name)
        if i is not None:
            return i
        if not is_scalar(name):
            return -1
        self.index[name] = len(self.names)
        self.names.append(name)
        return self.index[name]

    def scalar_mask(self) -> np.ndarray:
        """bool [R]: column is a scalar resource (checked only when requested, never defaulted)."""
        return np.array([is_scalar(n) for n in self.names], dtype=np.bool_)

    def ignored_mask(self, ignored: tuple[str, ...], groups: tuple[str, ...]) -> np.ndarray:
        """bool [R]: extended resources NodeResourcesFit must not check (ignoredResources*)."""
        return np.array(
            [is_extended(n) and (n in ignored or n.split("/")[0] in groups) for n in self.names],
            dtype=np.bool_,
        )
