"""Integer arithmetic of the score kernels, exact and fast."""

from __future__ import annotations

import numpy as np
from numba import njit

FLOAT_EXACT = 9007199254740992  # 2**53: integers below are exact in float64


@njit(cache=True, inline="always")
def exact_div(x, a):
    """``x // a`` for 0 <= x, 0 < a: through float64 when that is exact (x < 2**53, the
    correctly rounded quotient then truncates to the integer quotient), which pipelines far
    better than a 64-bit integer division."""
    if x < FLOAT_EXACT:
        return np.int64(float(x) / float(a))
    return x // a
