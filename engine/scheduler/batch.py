"""Place many pods in one kernel call: schedule, bind, next pod (no Python between pods)."""

from __future__ import annotations

import numpy as np
from numba import njit

from engine.scheduler.bind import bind
from engine.scheduler.cycle import schedule_one


@njit(cache=True)
def place_batch(st, cfg, sc, pods, draws, start, n_all, out_node, out_hist, out_fail):
    """Schedule ``pods`` (int32 rows) in order from round-robin index ``start``.

    Writes the chosen node (or a negative code) to ``out_node``; for the k-th failed pod,
    its index in ``pods`` to ``out_fail[k]`` and its reason histogram to ``out_hist[k]``.
    Returns (next start index, node evaluations, failures).
    """
    evaluations = 0
    failed = 0
    for b in range(pods.shape[0]):
        p = np.int64(pods[b])
        node, processed, f, examined = schedule_one(st, cfg, sc, p, start, False, False, draws[b], False)
        start = (start + processed) % n_all
        evaluations += processed
        out_node[b] = node
        if node >= 0:
            bind(st, p, node)
        else:
            out_hist[failed, :] = sc.hist
            out_fail[failed] = b
            failed += 1
    return start, evaluations, failed
