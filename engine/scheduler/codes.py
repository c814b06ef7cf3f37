"""Integer codes shared by kernels and the Python facade: plugin ids, reason ids, statuses."""

from __future__ import annotations

# Filter statuses (framework codes): 0 passes.
from engine.framework.status import UNSCHEDULABLE  # noqa: F401 (re-exported)
from engine.framework.status import UNSCHEDULABLE_AND_UNRESOLVABLE as UNRESOLVABLE  # noqa: F401

# Filter plugin ids (kernel ``filter_ids`` holds the profile's filter order).
F_NODE_UNSCHEDULABLE = 0
F_NODE_NAME = 1
F_TAINT_TOLERATION = 2
F_NODE_AFFINITY = 3
F_NODE_PORTS = 4
F_NODE_RESOURCES_FIT = 5
F_POD_TOPOLOGY_SPREAD = 6
F_INTER_POD_AFFINITY = 7
FILTER_NAMES = (
    "NodeUnschedulable",
    "NodeName",
    "TaintToleration",
    "NodeAffinity",
    "NodePorts",
    "NodeResourcesFit",
    "PodTopologySpread",
    "InterPodAffinity",
)
FILTER_IDS = {name: i for i, name in enumerate(FILTER_NAMES)}
# The static filters: their verdicts depend only on the pod's class and the node (cached per
# class in ``engine.state.classes``); the others are dynamic.
STATIC_FILTERS = (F_NODE_UNSCHEDULABLE, F_NODE_NAME, F_TAINT_TOLERATION, F_NODE_AFFINITY)

# Score plugin ids (kernel ``score_ids``/``score_w`` hold the profile's score plugins, weights).
S_TAINT_TOLERATION = 0
S_NODE_AFFINITY = 1
S_NODE_RESOURCES_FIT = 2
S_POD_TOPOLOGY_SPREAD = 3
S_INTER_POD_AFFINITY = 4
S_BALANCED_ALLOCATION = 5
S_IMAGE_LOCALITY = 6
SCORE_NAMES = (
    "TaintToleration",
    "NodeAffinity",
    "NodeResourcesFit",
    "PodTopologySpread",
    "InterPodAffinity",
    "NodeResourcesBalancedAllocation",
    "ImageLocality",
)
SCORE_IDS = {name: i for i, name in enumerate(SCORE_NAMES)}
N_SCORE = len(SCORE_NAMES)

# Reason ids for the FailedScheduling histogram; resource reasons follow at R_RESOURCE + column.
R_UNSCHEDULABLE = 0
R_NODE_NAME = 1
R_TAINT = 2
R_AFFINITY = 3
R_ENFORCED = 4
R_PORTS = 5
R_TOO_MANY_PODS = 6
R_PTS_LABEL = 7
R_PTS_SKEW = 8
R_IPA_AFFINITY = 9
R_IPA_ANTI = 10
R_IPA_EXISTING = 11
R_NO_VICTIMS = 12  # DefaultPreemption: no lower-priority pods on the node
R_NOT_HELPFUL = 13  # DefaultPreemption: node rejected with UnschedulableAndUnresolvable
R_RESOURCE = 14

# Filter detail bits for NodeResourcesFit: bit c for resource column c, plus too-many-pods.
DETAIL_TOO_MANY_PODS = 1 << 60

# Fit scoring strategies.
LEAST_ALLOCATED = 0
MOST_ALLOCATED = 1
REQUESTED_TO_CAPACITY_RATIO = 2

# Host selection.
SELECT_HEAP = 0
SELECT_RANDOM = 1

# Cycle outcomes besides a node index.
NO_NODE = -1
PREFILTER_REJECT = -2
