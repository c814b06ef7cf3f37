"""The structs of arrays that kernels receive: state, profile configuration, scratch.

``KernelState`` fields are views of ``engine.state`` arrays (see the docstrings there for
shapes and meanings); ``KernelConfig`` encodes one profile; ``Scratch`` holds per-cycle work
space and the explain outputs. All three are StructRefs (``engine.structs``).
"""

from __future__ import annotations

from engine.structs import struct

KERNEL_STATE_FIELDS = (
        # nodes
        "order", "alloc", "requested", "hot", "nonzero", "labels", "key_nvals", "ports", "n_ports",
        # classes
        "cls_bits", "cls_tt", "cls_na", "cls_img", "cls_flags", "narrow_ptr", "narrow_idx",
        "pass_ptr", "pass_pos", "pass_node", "static_hist",
        # pods
        "pod_node", "pod_req", "pod_nz", "pod_prio", "pod_cls", "pod_ls", "pod_plan", "pod_term",
        # nominated pods: per-node linked lists (preemption)
        "nom_head", "nom_next", "pod_nom", "nom_count",
        # pods bound to each node: doubly linked lists; start times (preemption order)
        "pod_head", "pod_next", "pod_prev", "pod_start",
        # PodDisruptionBudgets matching each label set, and their disruptionsAllowed now
        "ls_pdb_ptr", "ls_pdb_idx", "pdb_allowed",
        # selectors and domain entries
        "cnt", "sel_terminating", "dom_off", "dom_cnt", "dom_nodes", "dom_total", "elig", "ent_key",
        "ent_missing",
        "ls_sel_ptr", "ls_sel_idx", "sel_ent_ptr", "sel_ent_idx",
        # carried affinity terms
        "t_kind", "t_key", "t_weight", "t_off", "t_total", "tdom", "ls_term_ptr", "ls_term_idx",
        # plans
        "plan_flags", "pc_ptr", "pc_hard", "pc_key", "pc_skew", "pc_mindom", "pc_sel", "pc_ent",
        "pc_self", "pc_host", "it_ptr", "it_kind", "it_key", "it_ent", "it_weight",
        "plan_port_ptr", "plan_port", "plan_term_ptr", "plan_term",
)
KernelState, KernelStateType = struct("KernelState", KERNEL_STATE_FIELDS, __name__)

KERNEL_CONFIG_FIELDS = (
        "filter_ids",  # int32 [F] filter plugin ids in profile order
        "score_ids",  # int32 [S] score plugin ids in profile order
        "score_w",  # int64 [S] weights
        "pct",  # int: percentageOfNodesToScore (0 = adaptive)
        "selection",  # int: SELECT_HEAP or SELECT_RANDOM
        "na_prefilter",  # bool: NodeAffinity PreFilter enabled (narrowing / conflict)
        "pts_filter",  # bool: PodTopologySpread Filter enabled
        "ipa_filter",  # bool: InterPodAffinity Filter enabled
        "ipa_ignore_existing",  # bool: ignorePreferredTermsOfExistingPods
        "res_scalar",  # uint8 [R] resource column is scalar
        "fit_ignored",  # uint8 [R] extended resource ignored by the fit filter
        "fit_strategy",  # int: LEAST_ALLOCATED, MOST_ALLOCATED, REQUESTED_TO_CAPACITY_RATIO
        "fit_cols",  # int32 [n] axis column of each scoring resource (-1 untracked)
        "fit_scalar",  # uint8 [n] scoring resource is scalar
        "fit_w",  # int64 [n] weights
        "shape_u",  # int64 [m] RTCR utilization points
        "shape_s",  # int64 [m] RTCR scores, already scaled to 0..100
        "ba_cols",  # int32 [b] BalancedAllocation resources
        "ba_scalar",  # uint8 [b]
        "static_first",  # bool: every enabled static filter precedes every dynamic one
)
KernelConfig, KernelConfigType = struct("KernelConfig", KERNEL_CONFIG_FIELDS, __name__)

SCRATCH_FIELDS = (
        "feas",  # int32 [N] feasible nodes in examination order
        "total",  # int64 [N] weighted totals of the feasible nodes
        "buf",  # int64 [N] one plugin's scores
        "aux",  # int64 [N] a plugin's work space
        "norm_table",  # int64 [TABLE_MAX + 1] normalized score per raw value (normalize)
        "scores",  # int64 [N, N_SCORE] explain: final score per plugin (-1 skipped)
        "ex_node",  # int32 [N] explain: examined node
        "ex_code",  # int8 [N] explain: 0 feasible, 1 Unschedulable, 2 UnschedulableAndUnresolvable
        "ex_plugin",  # int8 [N] explain: failing filter id
        "ex_detail",  # int64 [N] explain: reason id, fit detail bits, or feasible index
        "hist",  # int64 [R_RESOURCE + R] reasons of the failed nodes of the last cycle
        "mins",  # int64 [C] PodTopologySpread global minimum per constraint
        "seen",  # int64 [V + 1] distinct-domain stamps
        "stamp",  # int64 [1]
        "want",  # int64 [n] the pod's request per scoring resource
        "act_col", "act_src", "act_want", "act_w",  # int64 [n] NodeResourcesFit's active resources
        "fit_buf", "ba_buf",  # int64 [N] memoized resource scores of the feasible nodes
        "memo_ver",  # int64 [MEMO_SLOTS, N] resource_memo: row version of each entry (-1 none)
        "memo_val",  # int32 [MEMO_SLOTS, N] resource_memo: signature << 16 | fit << 8 | balanced
        "sig_keys",  # int64 [SIGNATURES, 4] resource_memo: interned request figures
        "sig_table",  # int32 [2 * SIGNATURES] resource_memo: their open-addressing index
        "sig_count",  # int64 [1]
        "fractions",  # float64 [n] BalancedAllocation fractions
        "nom_tmp",  # int64 [P] nominated pods added in a filter pass
        "fit_cols",  # int64 [R] resource columns the fit filter checks for the pod
        "record",  # int64 [1] 1 = record every failed node in ex_* (preemption needs them)
)
Scratch, ScratchType = struct("Scratch", SCRATCH_FIELDS, __name__)
