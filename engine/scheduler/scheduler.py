"""The Numba scheduler's Python facade: build kernel inputs, run cycles, interpret results.

``Scheduler.explain`` runs one cycle with full diagnostics (every node by default);
``Scheduler.place`` places many pods in file order, one kernel call per chunk, carrying the
round-robin start index from pod to pod as kube-scheduler does.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from engine.framework.plugins import (
    default_preemption,
    inter_pod_affinity,
    node_affinity,
    node_name,
    node_ports,
    node_unschedulable,
    pod_topology_spread,
    taint_toleration,
)
from engine.framework.plugins.node_affinity.reference import REASON_CONFLICT
from engine.framework.plugins.node_resources_fit import REASON_TOO_MANY_PODS
from engine.framework.plugins.node_resources_fit.args import (
    LEAST_ALLOCATED,
    MAX_CUSTOM_PRIORITY_SCORE,
    MOST_ALLOCATED,
)
from engine.framework.profile import Profile
from engine.framework.result import CycleResult, NodeVerdict, fit_error_message
from engine.framework.status import CODE_NAMES
from engine.resources import is_scalar
from engine.scheduler import codes, resource_memo
from engine.scheduler.arrays import KernelConfig, Scratch
from engine.scheduler.batch import place_batch
from engine.scheduler.cycle import schedule_one
from engine.scheduler.normalize import TABLE_MAX
from engine.state.classes import FLAG_NARROW
from engine.state.cluster import ClusterState

HEAP = "heap"
RANDOM = "random"
ABSENT_REASON = "node(s) didn't satisfy plugin(s) [NodeAffinity]"

REASONS = {
    codes.R_UNSCHEDULABLE: node_unschedulable.REASON,
    codes.R_NODE_NAME: node_name.REASON,
    codes.R_TAINT: taint_toleration.REASON,
    codes.R_AFFINITY: node_affinity.REASON,
    codes.R_ENFORCED: node_affinity.REASON_ENFORCED,
    codes.R_PORTS: node_ports.REASON,
    codes.R_TOO_MANY_PODS: REASON_TOO_MANY_PODS,
    codes.R_PTS_LABEL: pod_topology_spread.REASON_NODE_LABEL_NOT_MATCH,
    codes.R_PTS_SKEW: pod_topology_spread.REASON_CONSTRAINTS_NOT_MATCH,
    codes.R_IPA_AFFINITY: inter_pod_affinity.REASON_AFFINITY_RULES,
    codes.R_IPA_ANTI: inter_pod_affinity.REASON_ANTI_AFFINITY_RULES,
    codes.R_IPA_EXISTING: inter_pod_affinity.REASON_EXISTING_ANTI_AFFINITY,
    codes.R_NO_VICTIMS: default_preemption.REASON_NO_VICTIMS,
    codes.R_NOT_HELPFUL: default_preemption.REASON_NOT_HELPFUL,
}


def reason_counts(hist: np.ndarray, names: Sequence[str]) -> Counter[str]:
    """Reason texts counted from a reason histogram; ids from ``R_RESOURCE`` on are
    ``Insufficient <resource>`` (``names``: the resource axis)."""
    counts: Counter[str] = Counter()
    for reason_id in np.nonzero(hist)[0]:
        if reason_id >= codes.R_RESOURCE:
            text = f"Insufficient {names[reason_id - codes.R_RESOURCE]}"
        else:
            text = REASONS[int(reason_id)]
        counts[text] += int(hist[reason_id])
    return counts


def kernel_config(profile: Profile, state: ClusterState, selection: str) -> KernelConfig:
    """Encode a profile for the kernels against the state's resource axis."""
    axis = state.axis
    args = profile.args
    fit = args.node_resources_fit
    strategy = fit.scoring_strategy
    strategies = {LEAST_ALLOCATED: codes.LEAST_ALLOCATED, MOST_ALLOCATED: codes.MOST_ALLOCATED}
    scale = 100 // MAX_CUSTOM_PRIORITY_SCORE
    ba = args.balanced_allocation.resources
    return KernelConfig.of(
        filter_ids=np.array([codes.FILTER_IDS[n] for n in profile.filters if n in codes.FILTER_IDS], dtype=np.int32),
        score_ids=np.array([codes.SCORE_IDS[n] for n, _ in profile.scores if n in codes.SCORE_IDS], dtype=np.int32),
        score_w=np.array([w for n, w in profile.scores if n in codes.SCORE_IDS], dtype=np.int64),
        pct=int(profile.percentage_of_nodes_to_score or 0),
        selection=codes.SELECT_RANDOM if selection == RANDOM else codes.SELECT_HEAP,
        na_prefilter="NodeAffinity" in profile.pre_filters,
        pts_filter="PodTopologySpread" in profile.filters,
        ipa_filter="InterPodAffinity" in profile.filters,
        ipa_ignore_existing=bool(args.inter_pod_affinity.ignore_preferred_terms_of_existing_pods),
        res_scalar=axis.scalar_mask().astype(np.uint8),
        fit_ignored=axis.ignored_mask(fit.ignored_resources, fit.ignored_resource_groups).astype(np.uint8),
        fit_strategy=strategies.get(strategy.type, codes.REQUESTED_TO_CAPACITY_RATIO),
        fit_cols=np.array([axis.index.get(r.name, -1) for r in strategy.resources], dtype=np.int32),
        fit_scalar=np.array([is_scalar(r.name) for r in strategy.resources], dtype=np.uint8),
        fit_w=np.array([r.weight for r in strategy.resources], dtype=np.int64),
        shape_u=np.array([p.utilization for p in strategy.shape] or [0], dtype=np.int64),
        shape_s=np.array([p.score * scale for p in strategy.shape] or [0], dtype=np.int64),
        ba_cols=np.array([axis.index.get(r.name, -1) for r in ba], dtype=np.int32),
        ba_scalar=np.array([is_scalar(r.name) for r in ba], dtype=np.uint8),
        static_first=static_first(profile),
    )


def static_first(profile: Profile) -> bool:
    """Whether all enabled static filters run before all dynamic ones (then the cycle may
    skip statically rejected nodes and count their reasons in bulk)."""
    ids = [codes.FILTER_IDS[n] for n in profile.filters if n in codes.FILTER_IDS]
    seen_dynamic = False
    for f in ids:
        if f not in codes.STATIC_FILTERS:
            seen_dynamic = True
        elif seen_dynamic:
            return False
    return True


def make_scratch(state: ClusterState) -> Scratch:
    n = max(state.nodes.alloc.shape[0], 1)
    plans = state.plans.rows
    max_c = max([len(r.constraints) for r in plans] or [1]) + 1
    max_v = max([len(v) for v in state.nodes.labels_index.values] or [1]) + 1
    args = state.profile.args
    max_r = max(len(args.node_resources_fit.scoring_strategy.resources), len(args.balanced_allocation.resources), 1)
    return Scratch.of(
        feas=np.zeros(n, dtype=np.int32),
        total=np.zeros(n, dtype=np.int64),
        buf=np.zeros(n, dtype=np.int64),
        aux=np.zeros(n, dtype=np.int64),
        norm_table=np.zeros(TABLE_MAX + 1, dtype=np.int64),
        scores=np.full((n, codes.N_SCORE), -1, dtype=np.int64),
        ex_node=np.zeros(n, dtype=np.int32),
        ex_code=np.zeros(n, dtype=np.int8),
        ex_plugin=np.zeros(n, dtype=np.int8),
        ex_detail=np.zeros(n, dtype=np.int64),
        hist=np.zeros(codes.R_RESOURCE + len(state.axis), dtype=np.int64),
        mins=np.zeros(max_c, dtype=np.int64),
        seen=np.zeros(max_v + 1, dtype=np.int64),
        stamp=np.zeros(1, dtype=np.int64),
        want=np.zeros(max_r, dtype=np.int64),
        act_col=np.zeros(max_r, dtype=np.int64),
        act_src=np.zeros(max_r, dtype=np.int64),
        act_want=np.zeros(max_r, dtype=np.int64),
        act_w=np.zeros(max_r, dtype=np.int64),
        fit_buf=np.zeros(n, dtype=np.int64),
        ba_buf=np.zeros(n, dtype=np.int64),
        memo_ver=np.full((resource_memo.MEMO_SLOTS, n), -1, dtype=np.int64),
        memo_val=np.zeros((resource_memo.MEMO_SLOTS, n), dtype=np.int32),
        sig_keys=np.zeros((resource_memo.SIGNATURES, 4), dtype=np.int64),
        sig_table=np.full(2 * resource_memo.SIGNATURES, -1, dtype=np.int32),
        sig_count=np.zeros(1, dtype=np.int64),
        fractions=np.zeros(max_r, dtype=np.float64),
        nom_tmp=np.zeros(max(state.pods.node.shape[0], 1), dtype=np.int64),
        fit_cols=np.zeros(state.axis.capacity, dtype=np.int64),
        record=np.zeros(1, dtype=np.int64),
    )


@dataclass
class PlaceResult:
    """Outcome of placing pods in order: node per pod (-1 unschedulable) and messages."""

    rows: np.ndarray
    nodes: np.ndarray
    messages: dict[int, str] = field(default_factory=dict)  # index in rows -> FailedScheduling
    seconds: float = 0.0
    node_evaluations: int = 0

    @property
    def placed(self) -> int:
        return int((self.nodes >= 0).sum())


class Scheduler:
    """Runs kube-scheduler cycles on a ``ClusterState`` with one profile."""

    def __init__(self, state: ClusterState, *, selection: str = HEAP, seed: int = 0) -> None:
        self.state = state
        self.profile = state.profile
        self.selection = selection
        self.rng = np.random.default_rng(seed)
        self.next_start_index = 0

    def _inputs(self):
        st = self.state.kernel_state()
        return st, kernel_config(self.profile, self.state, self.selection), make_scratch(self.state)

    def _draws(self, n: int) -> np.ndarray:
        return self.rng.integers(0, 2**62, size=n, dtype=np.int64)

    # -- explain -------------------------------------------------------------------------------
    def explain(self, p: int, *, sample: bool = False) -> CycleResult:
        """One cycle for pod row ``p`` with diagnostics; examines every node unless ``sample``."""
        st, cfg, sc = self._inputs()
        draw = int(self._draws(1)[0])
        node, processed, f, examined = schedule_one(
            st, cfg, sc, p, self.next_start_index, not sample, True, draw, True
        )
        n_all = len(st.order)
        self.next_start_index = (self.next_start_index + processed) % max(n_all, 1)
        result = CycleResult(self.state.pods.key(p), None, [], None, n_all, self.next_start_index)
        if node == codes.PREFILTER_REJECT:
            result.message = fit_error_message(n_all, {}, prefilter_message=REASON_CONFLICT)
            return result
        score_names = [codes.SCORE_NAMES[i] for i in cfg.score_ids]
        for i in range(examined):
            idx = int(sc.ex_node[i])
            name = self.state.node_name(idx)
            if sc.ex_code[i] == 0:
                k = int(sc.ex_detail[i])
                scores = {}
                for sid_name in score_names:
                    value = int(sc.scores[k, codes.SCORE_IDS[sid_name]])
                    if value >= 0:
                        scores[sid_name] = value
                result.nodes.append(NodeVerdict(name, True, scores=scores, total=int(sc.total[k])))
            else:
                reasons = self.reasons(int(sc.ex_detail[i]))
                result.nodes.append(
                    NodeVerdict(name, False, CODE_NAMES[int(sc.ex_code[i])], codes.FILTER_NAMES[sc.ex_plugin[i]], reasons)
                )
        if node >= 0:
            result.selected = self.state.node_name(int(node))
        else:
            result.message = self.failure_message(sc.hist, p, n_all)
        return result

    # -- place ---------------------------------------------------------------------------------
    def place(self, rows: np.ndarray, *, chunk: int = 8192, progress=None) -> PlaceResult:
        """Schedule pod rows in order, binding each placed pod before the next cycle."""
        state = self.state
        plan_ports = [len(r.ports) for r in state.plans.rows]
        extra = sum(plan_ports[state.pods.plan[r]] for r in rows) if any(plan_ports) else 0
        state.reserve_ports(extra)
        st, cfg, sc = self._inputs()
        out = np.full(len(rows), -1, dtype=np.int32)
        result = PlaceResult(np.asarray(rows, dtype=np.int32), out)
        n_all = max(len(st.order), 1)
        hist_width = codes.R_RESOURCE + len(state.axis)
        t0 = time.perf_counter()
        for begin in range(0, len(rows), chunk):
            part = result.rows[begin : begin + chunk]
            hist = np.zeros((len(part), hist_width), dtype=np.int64)
            fail_idx = np.zeros(len(part), dtype=np.int32)
            start, evaluations, failed = place_batch(
                st, cfg, sc, part, self._draws(len(part)), self.next_start_index, n_all,
                out[begin : begin + len(part)], hist, fail_idx,
            )
            self.next_start_index = int(start)
            result.node_evaluations += int(evaluations)
            for k in range(failed):
                i = int(fail_idx[k])
                p = int(part[i])
                if out[begin + i] == codes.PREFILTER_REJECT:
                    result.messages[begin + i] = fit_error_message(n_all, {}, prefilter_message=REASON_CONFLICT)
                else:
                    result.messages[begin + i] = self.failure_message(hist[k], p, n_all)
            if progress is not None:
                progress(begin + len(part))
        result.seconds = time.perf_counter() - t0
        out[out < 0] = -1
        return result

    # -- reasons -------------------------------------------------------------------------------
    def resource_reasons(self, detail: int) -> list[str]:
        names = self.state.axis.names
        reasons = [REASON_TOO_MANY_PODS] if detail & codes.DETAIL_TOO_MANY_PODS else []
        fixed = [f"Insufficient {names[c]}" for c in range(3) if detail & (1 << c)]
        scalars = sorted(names[c] for c in range(4, len(names)) if detail & (1 << c))
        return reasons + fixed + [f"Insufficient {n}" for n in scalars]

    def reasons(self, detail: int) -> list[str]:
        if detail & (1 << 62):
            return self.resource_reasons(detail)
        return [REASONS[detail]]

    def failure_message(self, hist: np.ndarray, p: int, n_all: int) -> str:
        counts = reason_counts(hist, self.state.axis.names)
        cls = int(self.state.pods.cls[p])
        if self.state.classes.flags[cls] & FLAG_NARROW and "NodeAffinity" in self.profile.pre_filters:
            ptr = self.state.classes.narrow_ptr
            counts[ABSENT_REASON] += n_all - int(ptr[cls + 1] - ptr[cls])
        return fit_error_message(n_all, counts)
