"""Scheduling profiles: which plugins run at which extension point, with weights and args.

``default_profile()`` is upstream's v1.35 default profile without the volume and DRA plugins
(out of scope). ``engine.framework.config`` builds a ``Profile`` from a
``KubeSchedulerConfiguration`` file the way upstream merges ``multiPoint`` with the
per-extension-point plugin sets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.framework.plugins.default_preemption.args import DefaultPreemptionArgs
from engine.framework.plugins.inter_pod_affinity.args import InterPodAffinityArgs
from engine.framework.plugins.node_affinity.args import NodeAffinityArgs
from engine.framework.plugins.node_resources_balanced_allocation.args import (
    NodeResourcesBalancedAllocationArgs,
)
from engine.framework.plugins.node_resources_fit.args import NodeResourcesFitArgs
from engine.framework.plugins.pod_topology_spread.args import PodTopologySpreadArgs

# Plugins podbench implements, with the extension points each one implements (upstream).
EXTENSION_POINTS: dict[str, tuple[str, ...]] = {
    "SchedulingGates": ("preEnqueue",),
    "PrioritySort": ("queueSort",),
    "NodeUnschedulable": ("filter",),
    "NodeName": ("filter",),
    "TaintToleration": ("filter", "preScore", "score"),
    "NodeAffinity": ("preFilter", "filter", "preScore", "score"),
    "NodePorts": ("preFilter", "filter"),
    "NodeResourcesFit": ("preFilter", "filter", "preScore", "score"),
    "PodTopologySpread": ("preFilter", "filter", "preScore", "score"),
    "InterPodAffinity": ("preFilter", "filter", "preScore", "score"),
    "DefaultPreemption": ("postFilter",),
    "NodeResourcesBalancedAllocation": ("preScore", "score"),
    "ImageLocality": ("score",),
    "DefaultBinder": ("bind",),
}

# Upstream plugins that podbench recognises but does not model: ignored with a warning.
OUT_OF_SCOPE = (
    "VolumeRestrictions",
    "NodeVolumeLimits",
    "VolumeBinding",
    "VolumeZone",
    "DynamicResources",
    "EBSLimits",
    "GCEPDLimits",
    "AzureDiskLimits",
    "CinderLimits",
    "NodeDeclaredFeatures",
    "GangScheduling",
)

# v1.35 default profile (default_plugins.go), in multiPoint order, with score weights.
DEFAULT_MULTIPOINT: tuple[tuple[str, int], ...] = (
    ("SchedulingGates", 0),
    ("PrioritySort", 0),
    ("NodeUnschedulable", 0),
    ("NodeName", 0),
    ("TaintToleration", 3),
    ("NodeAffinity", 2),
    ("NodePorts", 0),
    ("NodeResourcesFit", 1),
    ("PodTopologySpread", 2),
    ("InterPodAffinity", 2),
    ("DefaultPreemption", 0),
    ("NodeResourcesBalancedAllocation", 1),
    ("ImageLocality", 1),
    ("DefaultBinder", 0),
)

FILTER_PLUGINS = tuple(n for n, _ in DEFAULT_MULTIPOINT if "filter" in EXTENSION_POINTS[n])
SCORE_PLUGINS = tuple(n for n, _ in DEFAULT_MULTIPOINT if "score" in EXTENSION_POINTS[n])


@dataclass(frozen=True)
class PluginArgs:
    """Arguments of every configurable plugin (defaults when not configured)."""

    node_resources_fit: NodeResourcesFitArgs = field(default_factory=NodeResourcesFitArgs)
    balanced_allocation: NodeResourcesBalancedAllocationArgs = field(
        default_factory=NodeResourcesBalancedAllocationArgs
    )
    node_affinity: NodeAffinityArgs = field(default_factory=NodeAffinityArgs)
    pod_topology_spread: PodTopologySpreadArgs = field(default_factory=PodTopologySpreadArgs)
    inter_pod_affinity: InterPodAffinityArgs = field(default_factory=InterPodAffinityArgs)
    default_preemption: DefaultPreemptionArgs = field(default_factory=DefaultPreemptionArgs)


@dataclass(frozen=True)
class Profile:
    """One scheduler profile, resolved: ordered plugin lists per extension point.

    ``percentage_of_nodes_to_score``: None or 0 means adaptive (upstream default).
    ``scores`` pairs each score plugin with its weight (1..100), in profile order.
    """

    scheduler_name: str = "default-scheduler"
    percentage_of_nodes_to_score: int | None = None
    pre_filters: tuple[str, ...] = ()
    filters: tuple[str, ...] = ()
    post_filters: tuple[str, ...] = ()
    pre_scores: tuple[str, ...] = ()
    scores: tuple[tuple[str, int], ...] = ()
    args: PluginArgs = field(default_factory=PluginArgs)
    warnings: tuple[str, ...] = ()

    def score_weight(self, name: str) -> int:
        for n, w in self.scores:
            if n == name:
                return w
        return 0

    def has_filter(self, name: str) -> bool:
        return name in self.filters

    def has_score(self, name: str) -> bool:
        return any(n == name for n, _ in self.scores)


def plugins_at(point: str, plugins: tuple[tuple[str, int], ...]) -> tuple[str, ...]:
    return tuple(n for n, _ in plugins if point in EXTENSION_POINTS.get(n, ()))


def default_profile(args: PluginArgs | None = None, percentage: int | None = None) -> Profile:
    """Upstream's default profile (v1.35) restricted to the plugins podbench models."""
    mp = DEFAULT_MULTIPOINT
    return Profile(
        percentage_of_nodes_to_score=percentage,
        pre_filters=plugins_at("preFilter", mp),
        filters=plugins_at("filter", mp),
        post_filters=plugins_at("postFilter", mp),
        pre_scores=plugins_at("preScore", mp),
        scores=tuple((n, w) for n, w in mp if "score" in EXTENSION_POINTS[n]),
        args=args or PluginArgs(),
    )
