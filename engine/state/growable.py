"""Capacity-managed NumPy arrays: amortised O(1) appends along the first axis, and widening."""

from __future__ import annotations

import numpy as np


def grow_rows(a: np.ndarray, need: int, fill: int | float = 0) -> np.ndarray:
    """Return ``a`` or a copy with at least ``need`` rows (capacity doubles)."""
    if need <= a.shape[0]:
        return a
    cap = max(need, 2 * a.shape[0], 16)
    out = np.full((cap, *a.shape[1:]), fill, dtype=a.dtype)
    out[: a.shape[0]] = a
    return out


def grow_cols(a: np.ndarray, need: int, fill: int | float = 0) -> np.ndarray:
    """Return ``a`` or a copy with at least ``need`` columns (2-D arrays)."""
    if need <= a.shape[1]:
        return a
    cap = max(need, 2 * a.shape[1], 4)
    out = np.full((a.shape[0], cap), fill, dtype=a.dtype)
    out[:, : a.shape[1]] = a
    return out


def widen(a: np.ndarray, columns: int) -> np.ndarray:
    """Exactly ``columns`` columns, zero-filled (resource matrices all share the axis capacity)."""
    if a.shape[1] == columns:
        return a
    out = np.zeros((a.shape[0], columns), dtype=a.dtype)
    out[:, : a.shape[1]] = a
    return out
