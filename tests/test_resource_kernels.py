"""Property tests: the specialised resource kernels against the plain-Python rules.

The cycle takes unrolled fast paths for the common case (the resources-only Filter pass, the
LeastAllocated/MostAllocated score over at most three resources, BalancedAllocation over two);
each must agree, node for node, with the reference plugins in
``engine.framework.plugins.*.reference`` on arbitrary inputs, including zero allocatable,
over-committed nodes and 0 weights.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.framework.plugins.node_resources_balanced_allocation import kernel as ba
from engine.framework.plugins.node_resources_balanced_allocation.reference import balanced_score
from engine.framework.plugins.node_resources_fit import kernel as fit
from engine.framework.plugins.node_resources_fit.args import ResourceSpec
from engine.framework.plugins.node_resources_fit.reference import strategy_score
from engine.scheduler.codes import R_RESOURCE, R_TOO_MANY_PODS
from engine.scheduler.fast_filter import fast_filter
from engine.state.nodes import (
    HOT_ALLOC_CPU,
    HOT_ALLOC_MEMORY,
    HOT_FREE_PODS,
    HOT_NZ_CPU,
    HOT_NZ_MEMORY,
    HOT_REQ_CPU,
    HOT_REQ_MEMORY,
    HOT_WIDTH,
)
from engine.state.resource_axis import CPU_COL, MEMORY_COL, PODS_COL

SETTINGS = dict(deadline=None, derandomize=True, database=None)
R = 8
BIG = 2**40  # memory-sized quantities


def hot_rows(alloc, used, nonzero):
    """The ``hot`` node rows (``engine.state.nodes``) of these arrays."""
    hot = np.zeros((alloc.shape[0], HOT_WIDTH), dtype=np.int64)
    hot[:, HOT_ALLOC_CPU], hot[:, HOT_ALLOC_MEMORY] = alloc[:, CPU_COL], alloc[:, MEMORY_COL]
    hot[:, HOT_REQ_CPU], hot[:, HOT_REQ_MEMORY] = used[:, CPU_COL], used[:, MEMORY_COL]
    hot[:, HOT_NZ_CPU], hot[:, HOT_NZ_MEMORY] = nonzero[:, 0], nonzero[:, 1]
    hot[:, HOT_FREE_PODS] = alloc[:, PODS_COL] - used[:, PODS_COL]
    return hot


def amounts(max_value: int):
    return st.integers(min_value=0, max_value=max_value)


@st.composite
def nodes(draw, n_max: int = 12):
    """(alloc, used, nonzero) int64 arrays for a few nodes; values may exceed allocatable."""
    n = draw(st.integers(1, n_max))
    alloc = np.zeros((n, R), dtype=np.int64)
    used = np.zeros((n, R), dtype=np.int64)
    for c in range(R):
        top = BIG if c == 1 else 10**6
        alloc[:, c] = draw(st.lists(st.one_of(st.just(0), amounts(top)), min_size=n, max_size=n))
        used[:, c] = draw(st.lists(amounts(top), min_size=n, max_size=n))
    nonzero = np.stack([used[:, 0] + draw(amounts(500)), used[:, 1] + draw(amounts(2**28))], axis=1)
    return alloc, used, nonzero.astype(np.int64)


@settings(max_examples=300, **SETTINGS)
@given(
    nodes(),
    st.lists(st.tuples(st.integers(0, R - 1), amounts(10**6), st.integers(0, 100)), min_size=1, max_size=3),
    st.booleans(),
)
def test_allocated_scores_match_the_reference(cluster, resources, most):
    alloc, used, nonzero = cluster
    n = alloc.shape[0]
    cols = np.array([c for c, _, _ in resources], dtype=np.int64)
    src = np.array([c if c < 2 else fit.SRC_REQUESTED for c in cols], dtype=np.int64)
    want = np.array([w for _, w, _ in resources], dtype=np.int64)
    weights = np.array([w for _, _, w in resources], dtype=np.int64)
    feas = np.arange(n, dtype=np.int32)[::-1].copy()
    out = np.zeros(n, dtype=np.int64)
    total = np.full(n, 7, dtype=np.int64)
    fit.allocated_scores(feas, n, alloc, used, nonzero, cols, src, want, weights, len(cols), most, out, total, 3)
    specs = tuple(ResourceSpec(f"r{i}", int(w)) for i, w in enumerate(weights))
    for k, node in enumerate(feas):
        requested = [int((nonzero[node, c] if c < 2 else used[node, c]) + w) for c, w in zip(cols, want, strict=True)]
        allocatable = [int(alloc[node, c]) for c in cols]
        expected = strategy_score("MostAllocated" if most else "LeastAllocated", specs, [], requested, allocatable)
        assert out[k] == expected
        assert total[k] == 7 + 3 * expected


@settings(max_examples=300, **SETTINGS)
@given(nodes(), amounts(10**6), amounts(BIG), st.integers(0, 100), st.integers(0, 100), st.booleans())
def test_allocated_scores_from_hot_rows_match_the_reference(cluster, cpu, memory, w_cpu, w_mem, most):
    alloc, used, nonzero = cluster
    n = alloc.shape[0]
    feas = np.arange(n, dtype=np.int32)
    out = np.zeros(n, dtype=np.int64)
    total = np.zeros(n, dtype=np.int64)
    fit.allocated_scores_hot(feas, n, hot_rows(alloc, used, nonzero), cpu, w_cpu, memory, w_mem, most, out, total, 1)
    specs = (ResourceSpec("cpu", w_cpu), ResourceSpec("memory", w_mem))
    for node in range(n):
        requested = [int(nonzero[node, 0] + cpu), int(nonzero[node, 1] + memory)]
        allocatable = [int(alloc[node, CPU_COL]), int(alloc[node, MEMORY_COL])]
        expected = strategy_score("MostAllocated" if most else "LeastAllocated", specs, [], requested, allocatable)
        assert out[node] == expected
        assert total[node] == expected


@settings(max_examples=300, **SETTINGS)
@given(nodes(), amounts(10**6), amounts(BIG))
def test_balanced_pair_matches_the_reference(cluster, cpu, memory):
    alloc, used, _ = cluster
    n = alloc.shape[0]
    feas = np.arange(n, dtype=np.int32)
    out = np.zeros(n, dtype=np.int64)
    total = np.zeros(n, dtype=np.int64)
    ba.score_nodes_pair(feas, n, alloc, used, 0, cpu, 1, memory, out, total, 2)
    hot_out = np.zeros(n, dtype=np.int64)
    ba.score_nodes_hot(feas, n, hot_rows(alloc, used, used), cpu, memory, hot_out, np.zeros(n, dtype=np.int64), 1)
    for node in range(n):
        expected = balanced_score(
            [int(used[node, 0] + cpu), int(used[node, 1] + memory)], [int(alloc[node, 0]), int(alloc[node, 1])]
        )
        assert out[node] == expected
        assert hot_out[node] == expected
        assert total[node] == 2 * expected


def reference_pass(order, start, skip_bits, free, cols, pod_want, want):
    """Visit positions from ``start`` round-robin; a node fits when no static bit is set, a
    pod slot is free and every checked request fits (``fitsRequest``). Stops at the
    (want + 1)-th fitting node."""
    n = len(order)
    feasible, visited = [], 0
    for i in range(n):
        pos = (start + i) % n
        node = order[pos]
        fits = skip_bits[node] == 0 and free[node, PODS_COL] >= 1
        fits = fits and all(pod_want[c] <= free[node, c] for c in cols)
        if fits and len(feasible) == want:
            return feasible, pos, visited
        if fits:
            feasible.append(int(node))
        visited += 1
    return feasible, -1, visited


@settings(max_examples=300, **SETTINGS)
@given(
    nodes(n_max=20),
    st.lists(st.integers(0, R - 1).filter(lambda c: c != PODS_COL), max_size=3, unique=True),
    st.data(),
)
def test_fast_filter_matches_a_plain_loop(cluster, cols, data):
    alloc, used, _ = cluster
    free = alloc - used
    n = alloc.shape[0]
    order = np.array(data.draw(st.permutations(range(n))), dtype=np.int32)
    bits = np.array(data.draw(st.lists(st.sampled_from([0, 0, 0, 4]), min_size=n, max_size=n)), dtype=np.uint8)
    pod_want = np.zeros(R, dtype=np.int64)
    for c in cols:
        pod_want[c] = data.draw(amounts(10**6))
    start = data.draw(st.integers(0, n - 1))
    want = data.draw(st.integers(1, n))
    use_skip = data.draw(st.booleans())
    passing = np.array([p for p in range(n) if bits[order[p]] == 0], dtype=np.int32)
    jdx = int(np.searchsorted(passing, start)) if use_skip else 0
    feas = np.zeros(n + 1, dtype=np.int32)
    hist = np.zeros(R_RESOURCE + R, dtype=np.int64)
    nominated_to = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
    nom_head = np.array([0 if x else -1 for x in nominated_to], dtype=np.int32)
    nom_count = sum(nominated_to)
    got_f, got_stop, got_visited, nominated = fast_filter(
        order, 0, n, start, use_skip, passing, order[passing], 0, len(passing), jdx, bits, nom_head, nom_count,
        hot_rows(alloc, used, used), alloc, used, np.array(cols + [0] * (3 - len(cols)), dtype=np.int64), len(cols),
        pod_want, want, feas, hist,
    )
    expected, stop, visited = reference_pass(order, start, bits, free, cols, pod_want, want)
    assert list(feas[:got_f]) == expected
    assert got_stop == stop
    # the nominated lists of the visited nodes, up to and including the one that stopped it
    span = n if stop < 0 else (stop - start) % n + 1
    seen = [order[(start + i) % n] for i in range(span)]
    if use_skip:
        seen = [node for node in seen if bits[node] == 0]
    assert nominated == any(nominated_to[node] for node in seen)
    if use_skip:  # only pass positions are visited; the one that stopped the pass is not counted
        stopped = 0 if stop < 0 else 1
        assert got_visited == len(seen) - stopped
    else:
        assert got_visited == visited
    # a pod that fits nowhere gets NodeResourcesFit's reasons over the visited (passing) nodes
    expected_hist = np.zeros_like(hist)
    if use_skip and not expected:
        for p in passing:
            node = order[p]
            expected_hist[R_TOO_MANY_PODS] += free[node, PODS_COL] < 1
            for c in cols:
                expected_hist[R_RESOURCE + c] += pod_want[c] > free[node, c]
    assert list(hist) == list(expected_hist)


@settings(max_examples=300, **SETTINGS)
@given(
    nodes(n_max=20),
    st.lists(st.sampled_from([CPU_COL, MEMORY_COL]), max_size=2, unique=True),
    st.data(),
)
def test_hot_filter_pass_matches_a_plain_loop(cluster, cols, data):
    """The common case: pass positions only, cpu/memory from the ``hot`` rows, no nominated
    pods (the counter-free loop plus the reasons pass when nothing fits)."""
    alloc, used, _ = cluster
    free = alloc - used
    n = alloc.shape[0]
    order = np.array(data.draw(st.permutations(range(n))), dtype=np.int32)
    bits = np.array(data.draw(st.lists(st.sampled_from([0, 0, 0, 4]), min_size=n, max_size=n)), dtype=np.uint8)
    pod_want = np.zeros(R, dtype=np.int64)
    for c in cols:
        pod_want[c] = data.draw(st.one_of(amounts(10**6), amounts(BIG)))
    start = data.draw(st.integers(0, n - 1))
    want = data.draw(st.integers(1, n))
    passing = np.array([p for p in range(n) if bits[order[p]] == 0], dtype=np.int32)
    jdx = int(np.searchsorted(passing, start))
    feas = np.zeros(n + 1, dtype=np.int32)
    hist = np.zeros(R_RESOURCE + R, dtype=np.int64)
    nom_head = np.full(n, -1, dtype=np.int32)
    got_f, got_stop, got_visited, nominated = fast_filter(
        order, 0, n, start, True, passing, order[passing], 0, len(passing), jdx, bits, nom_head, 0,
        hot_rows(alloc, used, used), alloc, used, np.array(cols + [0] * (3 - len(cols)), dtype=np.int64), len(cols),
        pod_want, want, feas, hist,
    )
    expected, stop, _ = reference_pass(order, start, bits, free, cols, pod_want, want)
    assert list(feas[:got_f]) == expected
    assert got_stop == stop
    assert not nominated
    span = n if stop < 0 else (stop - start) % n
    assert got_visited == sum(bits[order[(start + i) % n]] == 0 for i in range(span))
    expected_hist = np.zeros_like(hist)
    if not expected:
        for p in passing:
            node = order[p]
            expected_hist[R_TOO_MANY_PODS] += free[node, PODS_COL] < 1
            for c in cols:
                expected_hist[R_RESOURCE + c] += pod_want[c] > free[node, c]
    assert list(hist) == list(expected_hist)
