"""Turn CLI inputs (manifest files, a scheduler configuration) into a ready ClusterState."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from engine.errors import InputError
from engine.framework.config import load_scheduler_config
from engine.framework.profile import Profile
from engine.objects import ObjectSet, Pod
from engine.state.cluster import ClusterState
from workloads.manifests import load_manifests


@dataclass
class Cluster:
    state: ClusterState
    profile: Profile
    objects: ObjectSet
    warnings: list[str] = field(default_factory=list)


def load_objects(paths: list[Path] | None) -> ObjectSet:
    return load_manifests([str(p) for p in paths]) if paths else ObjectSet()


def build_cluster(nodes: list[Path], bound: list[Path] | None, extra: list[ObjectSet], config: Path | None) -> Cluster:
    """Nodes and bound pods from files; Services, workloads, namespaces from every file given."""
    profile = load_scheduler_config(config)
    node_objs = load_objects(nodes)
    bound_objs = load_objects(bound)
    every = ObjectSet()
    for objs in (node_objs, bound_objs, *extra):
        every.extend(objs)
    if not node_objs.nodes:
        raise InputError("no Node objects found", file=", ".join(str(p) for p in nodes))
    state = ClusterState(
        profile, namespaces=every.namespaces, services=every.services, workloads=every.workloads
    )
    state.add_nodes(node_objs.nodes)
    warnings = list(every.warnings) + list(profile.warnings)
    running = [p for p in node_objs.pods + bound_objs.pods if p.node_name]
    pending = [p for p in bound_objs.pods if not p.node_name]
    for p in pending:
        warnings.append(f"pod {p.key} in the bound-pods file has no spec.nodeName; ignored")
    warnings.extend(state.add_existing(running))
    return Cluster(state, profile, every, warnings)


def pending_pods(objs: ObjectSet, source: str) -> list[Pod]:
    if not objs.pods:
        raise InputError("no Pod objects found", file=source)
    return objs.pods
