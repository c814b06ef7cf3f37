"""Dictionary encoding of strings (label keys and values, namespaces, taints, images...)."""

from __future__ import annotations

from collections.abc import Hashable


class Vocab:
    """Maps hashable values to dense int ids in order of first appearance."""

    __slots__ = ("ids", "values")

    def __init__(self) -> None:
        self.ids: dict[Hashable, int] = {}
        self.values: list = []

    def add(self, value: Hashable) -> int:
        i = self.ids.get(value)
        if i is None:
            i = len(self.values)
            self.ids[value] = i
            self.values.append(value)
        return i

    def get(self, value: Hashable, default: int = -1) -> int:
        return self.ids.get(value, default)

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, i: int):
        return self.values[i]
