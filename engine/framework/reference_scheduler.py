"""The reference scheduler: one kube-scheduler cycle in plain, slow, readable Python.

This is the oracle the Numba kernel is tested against. It follows ``schedule_one.go`` with
``parallelism: 1``: PreFilter, Filter over nodes from the round-robin start index until
``numFeasibleNodesToFind`` feasible nodes (plus the one extra that stops the search), then
PreScore, Score, NormalizeScore, weights, and host selection.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.framework.cycle import SKIP, CycleState, Snapshot, Status
from engine.framework.features import DEFAULT_FEATURE_GATES, FeatureGates
from engine.framework.plugins.image_locality.reference import ImageLocality
from engine.framework.plugins.inter_pod_affinity.reference import InterPodAffinity
from engine.framework.plugins.node_affinity.reference import NodeAffinity
from engine.framework.plugins.node_name.reference import NodeName
from engine.framework.plugins.node_ports.reference import NodePorts
from engine.framework.plugins.node_resources_balanced_allocation.reference import (
    NodeResourcesBalancedAllocation,
)
from engine.framework.plugins.node_resources_fit.reference import NodeResourcesFit
from engine.framework.plugins.node_unschedulable.reference import NodeUnschedulable
from engine.framework.plugins.pod_topology_spread.reference import PodTopologySpread
from engine.framework.plugins.taint_toleration.reference import TaintToleration
from engine.framework.profile import Profile, default_profile
from engine.framework.result import CycleResult, NodeVerdict, count_reasons, fit_error_message
from engine.framework.selection import num_feasible_nodes_to_find, select_heap_go, select_random
from engine.framework.status import CODE_NAMES, UNSCHEDULABLE_AND_UNRESOLVABLE
from engine.objects import Node, Pod

HEAP = "heap"
RANDOM = "random"
ABSENT_REASON = "node(s) didn't satisfy plugin(s) [NodeAffinity]"


def build_plugins(profile: Profile) -> dict[str, object]:
    a = profile.args
    return {
        "NodeUnschedulable": NodeUnschedulable(),
        "NodeName": NodeName(),
        "TaintToleration": TaintToleration(),
        "NodeAffinity": NodeAffinity(a.node_affinity.added_affinity),
        "NodePorts": NodePorts(),
        "NodeResourcesFit": NodeResourcesFit(a.node_resources_fit),
        "PodTopologySpread": PodTopologySpread(a.pod_topology_spread),
        "InterPodAffinity": InterPodAffinity(a.inter_pod_affinity),
        "NodeResourcesBalancedAllocation": NodeResourcesBalancedAllocation(a.balanced_allocation),
        "ImageLocality": ImageLocality(),
    }


@dataclass
class _Filtered:
    feasible: list[Node] = field(default_factory=list)
    verdicts: list[NodeVerdict] = field(default_factory=list)
    processed: int = 0


class ReferenceScheduler:
    """Schedules pods one at a time on a ``Snapshot``; keeps the round-robin start index."""

    def __init__(
        self,
        profile: Profile | None = None,
        gates: FeatureGates = DEFAULT_FEATURE_GATES,
        selection: str = HEAP,
    ) -> None:
        self.profile = profile or default_profile()
        self.gates = gates
        self.selection = selection
        self.plugins = build_plugins(self.profile)
        self.next_start_index = 0

    def schedule_one(
        self,
        pod: Pod,
        snapshot: Snapshot,
        *,
        examine_all: bool = False,
        score_single: bool = False,
        draw: int = 0,
    ) -> CycleResult:
        """One scheduling cycle. ``draw`` is the random number random selection uses."""
        state = CycleState(pod, snapshot, self.profile, self.gates)
        n_all = len(snapshot.nodes)
        skipped, names, reject = self._pre_filter(state)
        if reject is not None:
            message = fit_error_message(n_all, {}, prefilter_message=", ".join(reject.reasons))
            return CycleResult(pod.key, None, [], message, n_all, self.next_start_index)
        nodes = snapshot.nodes if names is None else [n for n in snapshot.nodes if n.name in names]
        filtered = self._filter(state, nodes, skipped, examine_all)
        self.next_start_index = (self.next_start_index + filtered.processed) % max(n_all, 1)
        result = CycleResult(pod.key, None, filtered.verdicts, None, n_all, self.next_start_index)
        if not filtered.feasible:
            absent = n_all - len(nodes)
            counts = count_reasons(filtered.verdicts, absent, ABSENT_REASON)
            result.message = fit_error_message(n_all, counts)
            return result
        if len(filtered.feasible) == 1 and not score_single:
            result.selected = filtered.feasible[0].name
            return result
        totals = self._score(state, filtered.feasible, result)
        if self.selection == RANDOM:
            index = select_random(totals, draw)
        else:
            index = select_heap_go(totals)
        result.selected = filtered.feasible[index].name
        return result

    # -- phases ------------------------------------------------------------------------
    def _pre_filter(self, state: CycleState) -> tuple[set[str], set[str] | None, Status | None]:
        skipped: set[str] = set()
        names: set[str] | None = None
        unschedulable: Status | None = None
        for name in self.profile.pre_filters:
            plugin = self.plugins.get(name)
            if plugin is None or not hasattr(plugin, "pre_filter"):
                continue
            status, result = plugin.pre_filter(state)
            if status is not None and status.code == SKIP:
                skipped.add(name)
                continue
            if status is not None:
                if status.code == UNSCHEDULABLE_AND_UNRESOLVABLE:
                    return skipped, None, status
                unschedulable = status
                continue
            if result is not None:
                names = result if names is None else names & result
                if not names:
                    msg = f"node(s) didn't satisfy plugin {name}"
                    return skipped, None, Status(UNSCHEDULABLE_AND_UNRESOLVABLE, (msg,), name)
        return skipped, names, unschedulable

    def _filter(self, state: CycleState, nodes: list[Node], skipped: set[str], examine_all: bool) -> _Filtered:
        out = _Filtered()
        n = len(nodes)
        if n == 0:
            return out
        want = n if examine_all else num_feasible_nodes_to_find(self.profile, n)
        for i in range(n):
            node = nodes[(self.next_start_index + i) % n]
            status = self._run_filters(state, node, skipped)
            if status is None:
                if len(out.feasible) == want:
                    break  # the extra feasible node that stops the search is not kept
                out.feasible.append(node)
                out.verdicts.append(NodeVerdict(node.name, True))
            else:
                out.verdicts.append(
                    NodeVerdict(node.name, False, CODE_NAMES[status.code], status.plugin, list(status.reasons))
                )
        out.processed = len(out.verdicts)
        return out

    def _run_filters(self, state: CycleState, node: Node, skipped: set[str]) -> Status | None:
        for name in self.profile.filters:
            plugin = self.plugins.get(name)
            if plugin is None or name in skipped:
                continue
            status = plugin.filter(state, node)
            if status is not None:
                return status
        return None

    def _score(self, state: CycleState, nodes: list[Node], result: CycleResult) -> list[int]:
        totals = [0] * len(nodes)
        by_name = {v.name: v for v in result.nodes if v.feasible}
        for name, weight in self.profile.scores:
            plugin = self.plugins.get(name)
            if plugin is None or plugin.pre_score(state, nodes):
                continue
            scores = [plugin.score(state, node) for node in nodes]
            if hasattr(plugin, "normalize"):
                if isinstance(plugin, PodTopologySpread):
                    scores = plugin.normalize(state, scores, nodes)
                else:
                    scores = plugin.normalize(state, scores)
            for i, (node, s) in enumerate(zip(nodes, scores, strict=True)):
                if not 0 <= s <= 100:
                    raise AssertionError(f"{name} returned score {s} for {node.name}")
                by_name[node.name].scores[name] = s
                totals[i] += s * weight
        for node, total in zip(nodes, totals, strict=True):
            by_name[node.name].total = total
        return totals
