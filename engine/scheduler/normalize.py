"""Normalization kernels (``DefaultNormalizeScore`` and friends) over the feasible list."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def default_normalize(scores, n, reverse):
    """Scale by the maximum to [0, 100] (integer division); reverse flips; all-zero: 100 or 0."""
    top = np.int64(0)
    for i in range(n):
        if scores[i] > top:
            top = scores[i]
    for i in range(n):
        if top == 0:
            scores[i] = 100 if reverse else scores[i]
        else:
            s = 100 * scores[i] // top
            scores[i] = 100 - s if reverse else s
