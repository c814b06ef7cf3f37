"""The resource-score memo returns exactly what the kernels compute, however nodes change.

Random sequences of scoring cycles (pods drawn from a few request signatures, more than the
memo has slots) and binds (which change a node's hot row and its version) are run against a
memo with a deliberately small signature table, so that slots collide and the table starts
over; every score must equal the reference plugins' arithmetic on the node's current row.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.framework.plugins.node_resources_balanced_allocation.reference import balanced_score
from engine.framework.plugins.node_resources_fit.args import ResourceSpec
from engine.framework.plugins.node_resources_fit.reference import strategy_score
from engine.scheduler import resource_memo as memo
from engine.state.nodes import (
    HOT_ALLOC_CPU,
    HOT_ALLOC_MEMORY,
    HOT_NZ_CPU,
    HOT_NZ_MEMORY,
    HOT_REQ_CPU,
    HOT_REQ_MEMORY,
    HOT_VERSION,
    HOT_WIDTH,
)

SETTINGS = dict(deadline=None, derandomize=True, database=None)
GI = 2**30

requests = st.tuples(st.integers(0, 4000), st.integers(0, 8 * GI))
operations = st.one_of(
    st.tuples(st.just("score"), st.integers(0, 11)),
    st.tuples(st.just("bind"), st.integers(0, 7), requests),
)


def expected(hot, node, pod, weights, most):
    (nz_cpu, nz_mem), (cpu, mem) = pod
    a = [int(hot[node, HOT_ALLOC_CPU]), int(hot[node, HOT_ALLOC_MEMORY])]
    fit = strategy_score(
        "MostAllocated" if most else "LeastAllocated",
        (ResourceSpec("cpu", weights[0]), ResourceSpec("memory", weights[1])),
        [],
        [int(hot[node, HOT_NZ_CPU]) + nz_cpu, int(hot[node, HOT_NZ_MEMORY]) + nz_mem],
        a,
    )
    ba = balanced_score([int(hot[node, HOT_REQ_CPU]) + cpu, int(hot[node, HOT_REQ_MEMORY]) + mem], a)
    return fit, ba


@settings(max_examples=200, **SETTINGS)
@given(
    st.lists(st.tuples(st.sampled_from([0, 2000, 8000]), st.sampled_from([0, 16 * GI, 64 * GI])), min_size=8,
             max_size=8),
    st.lists(st.tuples(requests, requests), min_size=12, max_size=12),
    st.lists(operations, min_size=1, max_size=60),
    st.tuples(st.integers(0, 5), st.integers(0, 5)),
    st.booleans(),
)
def test_memoized_scores_equal_fresh_ones(allocs, pods, ops, weights, most):
    n = len(allocs)
    hot = np.zeros((n, HOT_WIDTH), dtype=np.int64)
    for node, (cpu, mem) in enumerate(allocs):
        hot[node, HOT_ALLOC_CPU], hot[node, HOT_ALLOC_MEMORY] = cpu, mem
    memo_ver = np.full((memo.MEMO_SLOTS, n), -1, dtype=np.int64)
    memo_val = np.zeros((memo.MEMO_SLOTS, n), dtype=np.int32)
    # ten signatures, more than the memo's slots (ids 0 and 8 share one), then the table
    # starts over
    sig_keys = np.zeros((10, 4), dtype=np.int64)
    sig_table = np.full(16, -1, dtype=np.int32)
    sig_count = np.zeros(1, dtype=np.int64)
    feas = np.arange(n, dtype=np.int32)[::-1].copy()
    fit_out = np.zeros(n, dtype=np.int64)
    ba_out = np.zeros(n, dtype=np.int64)
    for op in ops:
        if op[0] == "bind":
            _, node, (cpu, mem) = op
            hot[node, HOT_REQ_CPU] += cpu
            hot[node, HOT_REQ_MEMORY] += mem
            hot[node, HOT_NZ_CPU] += max(cpu, 100)
            hot[node, HOT_NZ_MEMORY] += max(mem, 200 * 2**20)
            hot[node, HOT_VERSION] += 1
            continue
        pod = pods[op[1]]
        (nz_cpu, nz_mem), (cpu, mem) = pod
        sig = memo.signature(sig_keys, sig_table, sig_count, memo_ver, nz_cpu, nz_mem, cpu, mem)
        assert 0 <= sig < sig_keys.shape[0]
        assert list(sig_keys[sig]) == [nz_cpu, nz_mem, cpu, mem]
        memo.resource_scores(feas, n, hot, memo_ver, memo_val, sig, nz_cpu, weights[0], nz_mem, weights[1], most,
                             cpu, mem, fit_out, ba_out)
        for k, node in enumerate(feas):
            assert (fit_out[k], ba_out[k]) == expected(hot, node, pod, weights, most)


def test_a_signature_is_stable_until_the_table_starts_over():
    memo_ver = np.zeros((memo.MEMO_SLOTS, 3), dtype=np.int64)
    sig_keys = np.zeros((2, 4), dtype=np.int64)
    sig_table = np.full(4, -1, dtype=np.int32)
    sig_count = np.zeros(1, dtype=np.int64)
    first = memo.signature(sig_keys, sig_table, sig_count, memo_ver, 1, 2, 3, 4)
    second = memo.signature(sig_keys, sig_table, sig_count, memo_ver, 5, 6, 7, 8)
    assert (first, second) == (0, 1)
    assert memo.signature(sig_keys, sig_table, sig_count, memo_ver, 1, 2, 3, 4) == first
    assert (memo_ver == 0).all()
    third = memo.signature(sig_keys, sig_table, sig_count, memo_ver, 9, 9, 9, 9)  # full: start over
    assert third == 0
    assert (memo_ver == -1).all()
    assert memo.signature(sig_keys, sig_table, sig_count, memo_ver, 1, 2, 3, 4) == 1


def test_signatures_sharing_a_slot_do_not_see_each_others_scores():
    """Ids 0 and MEMO_SLOTS share a memo slot; a node unchanged between them must still be
    scored afresh for the second pod."""
    hot = np.zeros((1, HOT_WIDTH), dtype=np.int64)
    hot[0, HOT_ALLOC_CPU], hot[0, HOT_ALLOC_MEMORY] = 8000, 64 * GI
    memo_ver = np.full((memo.MEMO_SLOTS, 1), -1, dtype=np.int64)
    memo_val = np.zeros((memo.MEMO_SLOTS, 1), dtype=np.int32)
    sig_keys = np.zeros((memo.MEMO_SLOTS + 1, 4), dtype=np.int64)
    sig_table = np.full(64, -1, dtype=np.int32)
    sig_count = np.zeros(1, dtype=np.int64)
    pods = [((100 * (i + 1), GI), (100 * (i + 1), GI)) for i in range(memo.MEMO_SLOTS + 1)]
    sigs = [memo.signature(sig_keys, sig_table, sig_count, memo_ver, *nz, *req) for nz, req in pods]
    assert sigs[0] % memo.MEMO_SLOTS == sigs[-1] % memo.MEMO_SLOTS
    feas = np.zeros(1, dtype=np.int32)
    for i in (0, memo.MEMO_SLOTS):
        fit_out = np.zeros(1, dtype=np.int64)
        ba_out = np.zeros(1, dtype=np.int64)
        (nz_cpu, nz_mem), (cpu, mem) = pods[i]
        memo.resource_scores(feas, 1, hot, memo_ver, memo_val, sigs[i], nz_cpu, 1, nz_mem, 1, False, cpu, mem,
                             fit_out, ba_out)
        assert (fit_out[0], ba_out[0]) == expected(hot, 0, pods[i], (1, 1), False)
