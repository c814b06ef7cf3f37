"""Upstream kube-scheduler unit-test cases (``cases-sample.json``) turned into podbench runs.

Each case's neutral JSON (nodes, bound pods, incoming pod, plugin args, feature gates) is
converted into Kubernetes manifest dicts and parsed with ``workloads.manifests`` (so the loader
is exercised too), then run through a single-plugin profile on both implementations: the
plain-Python reference scheduler and the Numba kernel behind ``Scheduler.explain``. Both run
in examine-all mode (every node is filtered; a single feasible node is scored too), which is
what upstream's per-plugin unit tests observe.

Quantities are passed through exactly as upstream wrote them (``meta.conventions``): a bare
cpu number is cores, so the manifest parser reads ``"4000"`` as 4,000,000 millicores.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from engine.framework.cycle import CycleState, Snapshot, node_tree_order
from engine.framework.features import FeatureGates
from engine.framework.plugins.node_affinity import args as node_affinity_args
from engine.framework.plugins.node_resources_balanced_allocation import args as balanced_args
from engine.framework.plugins.node_resources_fit import args as fit_args
from engine.framework.profile import EXTENSION_POINTS, PluginArgs, Profile
from engine.framework.reference_scheduler import ReferenceScheduler
from engine.framework.result import CycleResult
from engine.objects import Node, Pod
from engine.scheduler.scheduler import Scheduler
from engine.state.cluster import ClusterState
from workloads.manifests import parse_node, parse_pod

CASES_PATH = Path("/work/shared/spec/cases-sample.json")

# Feature gates a case may set, by upstream name -> FeatureGates field.
GATES = {"TaintTolerationComparisonOperators": "taint_toleration_comparison_operators"}

# Plugins whose args a case may carry: PluginArgs field and the plugin's own parser.
ARGS_PARSERS = {
    "NodeResourcesFit": ("node_resources_fit", fit_args.parse_args),
    "NodeResourcesBalancedAllocation": ("balanced_allocation", balanced_args.parse_args),
    "NodeAffinity": ("node_affinity", node_affinity_args.parse_args),
}

FILTER_POINTS = ("Filter", "PreFilter+Filter")
SCORE_POINTS = ("Score", "Score+NormalizeScore", "PreScore+Score+NormalizeScore")

_NODE_KEYS = {"name", "allocatable", "labels", "taints", "unschedulable", "name_note"}
_POD_KEYS = {
    "containers",
    "init_containers",
    "requests",
    "node",
    "tolerations",
    "affinity",
    "node_selector",
    "overhead",
}
_CONTAINER_KEYS = {"requests", "ports", "restart_policy"}
_PORT_KEYS = {"protocol", "hostPort", "hostIP", "containerPort"}


@cache
def load_cases() -> tuple[dict, ...]:
    return tuple(json.loads(CASES_PATH.read_text())["cases"])


def cases_where(predicate) -> list[dict]:
    return [c for c in load_cases() if predicate(c)]


def is_master_only(case: Mapping[str, Any]) -> bool:
    """Cases that describe upstream master (after v1.35), not the version podbench models."""
    return "upstream master" in case.get("applies_to", "")


# --------------------------------------------------------------------------- manifests


def _strict(obj: Mapping[str, Any], allowed: set[str], what: str) -> None:
    unknown = set(obj) - allowed
    if unknown:
        raise AssertionError(f"{what} has fields this converter does not know: {sorted(unknown)}")


def node_manifest(node: Mapping[str, Any]) -> dict:
    """A v1 Node manifest; allocatable == capacity in these tests (meta.conventions)."""
    _strict(node, _NODE_KEYS, "node")
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": node["name"], "labels": dict(node["labels"])},
        "spec": {"taints": list(node["taints"]), "unschedulable": node["unschedulable"]},
        "status": {"capacity": dict(node["allocatable"]), "allocatable": dict(node["allocatable"])},
    }


def _container_manifest(c: Mapping[str, Any], name: str) -> dict:
    _strict(c, _CONTAINER_KEYS, "container")
    out: dict[str, Any] = {"name": name, "image": "registry.k8s.io/pause:3.10"}
    if c["requests"]:
        out["resources"] = {"requests": dict(c["requests"])}
    ports = []
    for p in c.get("ports", ()):
        _strict(p, _PORT_KEYS, "port")
        port = dict(p)
        # The API requires containerPort; upstream's test helpers only set host ports.
        port.setdefault("containerPort", p["hostPort"])
        ports.append(port)
    if ports:
        out["ports"] = ports
    if c.get("restart_policy"):
        out["restartPolicy"] = c["restart_policy"]
    return out


def pod_manifest(pod: Mapping[str, Any], name: str) -> dict:
    """A v1 Pod manifest; a pod with ``node`` is bound there (spec.nodeName)."""
    _strict(pod, _POD_KEYS, "pod")
    spec: dict[str, Any] = {
        "containers": [_container_manifest(c, f"c{i}") for i, c in enumerate(pod["containers"])]
    }
    if pod.get("init_containers"):
        spec["initContainers"] = [
            _container_manifest(c, f"init{i}") for i, c in enumerate(pod["init_containers"])
        ]
    if pod.get("node"):
        spec["nodeName"] = pod["node"]
    if pod.get("tolerations"):
        spec["tolerations"] = list(pod["tolerations"])
    if pod.get("affinity"):
        spec["affinity"] = pod["affinity"]
    if pod.get("node_selector"):
        spec["nodeSelector"] = dict(pod["node_selector"])
    if pod.get("overhead"):
        spec["overhead"] = dict(pod["overhead"])
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": spec,
    }


# --------------------------------------------------------------------------- inputs


@dataclass
class CaseInputs:
    """A case parsed into typed objects, with the single-plugin profile it runs under."""

    case: dict
    nodes: list[Node]
    existing: list[Pod]
    pod: Pod
    profile: Profile
    gates: FeatureGates
    warnings: list[str] = field(default_factory=list)

    @property
    def plugin(self) -> str:
        return self.case["plugin"]

    def snapshot(self) -> Snapshot:
        pods: dict[str, list[Pod]] = {}
        for p in self.existing:
            pods.setdefault(p.node_name, []).append(p)
        return Snapshot(node_tree_order(self.nodes), pods)


def plugin_args(plugin: str, raw: Mapping[str, Any]) -> PluginArgs:
    """The case's args parsed by the plugin's own ``parse_args`` (defaulted and validated)."""
    if plugin not in ARGS_PARSERS:
        if raw:
            raise AssertionError(f"{plugin} takes no args in podbench, case has {dict(raw)}")
        return PluginArgs()
    attr, parse = ARGS_PARSERS[plugin]
    return PluginArgs(**{attr: parse(dict(raw), "")})


def single_plugin_profile(plugin: str, extension_point: str, args: PluginArgs) -> Profile:
    """Only the plugin under test, at the points the case exercises.

    Filter cases run PreFilter (if the plugin has one) and Filter, no scoring; score cases run
    PreScore and Score (+ NormalizeScore) with weight 1 and no filter, as upstream's Score
    tests call the plugin on every node of the snapshot.
    """
    points = EXTENSION_POINTS[plugin]
    if extension_point in FILTER_POINTS:
        assert "filter" in points, plugin
        pre = (plugin,) if "preFilter" in points else ()
        return Profile(pre_filters=pre, filters=(plugin,), args=args)
    assert extension_point in SCORE_POINTS, extension_point
    assert "score" in points, plugin
    pre_score = (plugin,) if "preScore" in points else ()
    return Profile(pre_scores=pre_score, scores=((plugin, 1),), args=args)


def feature_gates(case: Mapping[str, Any]) -> FeatureGates:
    values = {}
    for name, on in case.get("feature_gates", {}).items():
        if name not in GATES:
            raise AssertionError(f"unknown feature gate {name!r} in case {case['id']!r}")
        values[GATES[name]] = on
    return FeatureGates(**values)


def case_inputs(case: dict) -> CaseInputs:
    warnings: list[str] = []
    nodes = [parse_node(node_manifest(n), warnings=warnings) for n in case["nodes"]]
    existing = [
        parse_pod(pod_manifest(p, f"existing-{i}"), warnings=warnings)
        for i, p in enumerate(case["existing_pods"])
    ]
    pod = parse_pod(pod_manifest(case["pod"], "incoming"), warnings=warnings)
    args = plugin_args(case["plugin"], case["args"])
    profile = single_plugin_profile(case["plugin"], case["extension_point"], args)
    return CaseInputs(case, nodes, existing, pod, profile, feature_gates(case), warnings)


# --------------------------------------------------------------------------- runs


def run_reference(inputs: CaseInputs) -> CycleResult:
    ref = ReferenceScheduler(inputs.profile, gates=inputs.gates)
    return ref.schedule_one(inputs.pod, inputs.snapshot(), examine_all=True, score_single=True)


def kernel_state(inputs: CaseInputs) -> tuple[ClusterState, int]:
    """The case loaded into a ClusterState: nodes, bound pods, then the pending pod's row."""
    state = ClusterState(inputs.profile, inputs.gates)
    state.add_nodes(inputs.nodes)
    for p in inputs.existing:
        state.add_pod(p)
    return state, state.add_pod(inputs.pod)


def run_kernel(inputs: CaseInputs) -> tuple[CycleResult, ClusterState, int]:
    state, row = kernel_state(inputs)
    return Scheduler(state).explain(row), state, row


def reference_pre_filter(inputs: CaseInputs):
    """(status, node-name set) of the plugin's PreFilter on the reference side."""
    ref = ReferenceScheduler(inputs.profile, gates=inputs.gates)
    state = CycleState(inputs.pod, inputs.snapshot(), inputs.profile, inputs.gates)
    return ref.plugins[inputs.plugin].pre_filter(state)
