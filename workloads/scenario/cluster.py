"""The cluster at t=0: Node manifests, generated node pools, and every other object.

A pool stamps out identical nodes named ``<pool>-<index>`` (zero-padded to at least three
digits), spread round-robin over its zones. ``add`` events grow a pool later with the next
indices, so names stay unique. Manifest files (``cluster.manifests`` then ``objects``) are
read in one ``load_manifests`` call so PriorityClasses in one file admit pods in another.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from engine.errors import InputError
from engine.objects import (
    LABEL_HOSTNAME,
    LABEL_REGION,
    LABEL_ZONE,
    NO_EXECUTE,
    TAINT_EFFECTS,
    Node,
    ObjectSet,
    Taint,
)
from engine.quantity import resource_value
from workloads.fields import DNS_LABEL, describe
from workloads.manifests import load_manifests
from workloads.scenario.schema import POOL, TAINT, section_schema, suggest
from workloads.scenario.values import Context

__all__ = ["Pool", "load_cluster", "parse_taint", "LABEL_OS", "DEFAULT_MAX_PODS"]

LABEL_OS = "kubernetes.io/os"
DEFAULT_MAX_PODS = 110  # the kubelet's default maxPods


@dataclass(frozen=True)
class Pool:
    """A validated pool definition; ``node(i)`` builds its i-th node."""

    name: str
    count: int
    width: int
    allocatable: dict[str, int]
    capacity: dict[str, int]
    labels: dict[str, str]
    taints: tuple[Taint, ...]
    zones: tuple[str, ...]
    region: str | None
    unschedulable: bool

    def node_name(self, index: int) -> str:
        return f"{self.name}-{index:0{self.width}d}"

    def node(self, index: int) -> Node:
        name = self.node_name(index)
        labels = dict(self.labels)
        labels[LABEL_HOSTNAME] = name
        labels[LABEL_OS] = "linux"
        if self.zones:
            labels[LABEL_ZONE] = self.zones[index % len(self.zones)]
        if self.region is not None:
            labels[LABEL_REGION] = self.region
        return Node(
            name=name,
            labels=labels,
            taints=list(self.taints),
            unschedulable=self.unschedulable,
            allocatable=dict(self.allocatable),
            capacity=dict(self.capacity),
        )


def parse_taint(ctx: Context, raw: object, path: str, at_ms: int | None = None) -> Taint:
    """A taint map {key, value, effect}; NoExecute taints added at ``at_ms`` record it."""
    t = ctx.section(raw, path, TAINT, required=True)
    key = ctx.string(t, "key", path)
    if not key:
        raise ctx.error(f"{path}.key", "must not be empty")
    value = ctx.string(t, "value", path, "")
    effect = ctx.string(t, "effect", path)
    if effect not in TAINT_EFFECTS:
        raise ctx.error(
            f"{path}.effect",
            f"expected one of {', '.join(TAINT_EFFECTS)}, got {effect!r}"
            f"{suggest(effect, TAINT_EFFECTS)}",
        )
    added = at_ms if effect == NO_EXECUTE else None
    return Taint(key, value, effect, time_added_ms=added)


def _resources(ctx: Context, raw: object, path: str) -> dict[str, int]:
    if not isinstance(raw, dict) or not raw:
        raise ctx.error(
            path, f"expected a non-empty map of resource quantities, got {describe(raw)}"
        )
    out = {}
    for name, value in raw.items():
        if not isinstance(name, str):
            raise ctx.error(path, f"expected resource names (strings), got {describe(name)}")
        try:
            out[name] = resource_value(name, value, f"{path}.{name}")
        except InputError as e:
            raise e.located(file=ctx.file) from None
    return out


def _pool(ctx: Context, raw: object, path: str) -> Pool:
    p = ctx.section(raw, path, POOL, required=True)
    name = ctx.string(p, "name", path)
    if not DNS_LABEL.fullmatch(name) or len(name) > 50:
        raise ctx.error(
            f"{path}.name",
            f"{name!r} is not a valid pool name: expected lowercase letters, digits and '-', "
            "at most 50 characters (it prefixes node names)",
        )
    count = ctx.integer(p, "count", path)
    if count is None:
        raise ctx.error(f"{path}.count", "is required: the number of nodes (>= 0)")
    if "allocatable" not in p:
        raise ctx.error(f"{path}.allocatable", "is required: e.g. {cpu: '8', memory: 32Gi}")
    allocatable = _resources(ctx, p["allocatable"], f"{path}.allocatable")
    allocatable.setdefault("pods", DEFAULT_MAX_PODS)
    capacity = dict(allocatable)
    if p.get("capacity") is not None:
        capacity = _resources(ctx, p["capacity"], f"{path}.capacity")
        capacity.setdefault("pods", allocatable["pods"])
        for res, value in allocatable.items():
            if res in capacity and value > capacity[res]:
                raise ctx.error(
                    f"{path}.allocatable.{res}",
                    f"must not exceed capacity ({value} > {capacity[res]})",
                )
    labels = ctx.str_map(p, "labels", path)
    zones = tuple(_strings(ctx, p.get("zones"), f"{path}.zones"))
    region = ctx.string(p, "region", path, "") or None
    reserved = [(LABEL_HOSTNAME, "it is set to each node's name")]
    if zones:
        reserved.append((LABEL_ZONE, "zones sets it"))
    if region is not None:
        reserved.append((LABEL_REGION, "region sets it"))
    for label, why in reserved:
        if label in labels:
            raise ctx.error(f"{path}.labels.{label}", f"must not be set here: {why}")
    taints: list[Taint] = []
    for i, t in enumerate(ctx.items(p.get("taints"), f"{path}.taints")):
        taint = parse_taint(ctx, t, f"{path}.taints[{i}]")
        if any(x.key == taint.key and x.effect == taint.effect for x in taints):
            raise ctx.error(
                f"{path}.taints[{i}]",
                f"taints must be unique by key and effect: {taint.key}:{taint.effect} repeats",
            )
        taints.append(taint)
    return Pool(
        name=name,
        count=count,
        width=max(3, len(str(max(count - 1, 0)))),
        allocatable=allocatable,
        capacity=capacity,
        labels=labels,
        taints=tuple(taints),
        zones=zones,
        region=region,
        unschedulable=ctx.boolean(p, "unschedulable", path),
    )


def _strings(ctx: Context, raw: object, path: str) -> list[str]:
    items = ctx.items(raw, path)
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item:
            raise ctx.error(f"{path}[{i}]", f"expected a non-empty string, got {describe(item)}")
    return items


def _manifest_paths(ctx: Context, raw: object, path: str) -> list[Path]:
    return [ctx.resolve(given, f"{path}[{i}]") for i, given in enumerate(ctx.items(raw, path))]


def load_cluster(
    ctx: Context, cluster: dict, objects_raw: object
) -> tuple[ObjectSet, dict[str, Pool]]:
    """Objects from the manifest files plus the pools' nodes (after the manifests' nodes)."""
    cluster = ctx.section(cluster, "cluster", section_schema("cluster"))
    paths = _manifest_paths(ctx, cluster.get("manifests"), "cluster.manifests")
    paths += _manifest_paths(ctx, objects_raw, "objects")
    objects = load_manifests(paths) if paths else ObjectSet()
    pools: dict[str, Pool] = {}
    for i, raw in enumerate(ctx.items(cluster.get("pools"), "cluster.pools")):
        pool = _pool(ctx, raw, f"cluster.pools[{i}]")
        if pool.name in pools:
            raise ctx.error(f"cluster.pools[{i}].name", f"duplicate pool name {pool.name!r}")
        pools[pool.name] = pool
    names = {n.name for n in objects.nodes}
    for i, pool in enumerate(pools.values()):
        for index in range(pool.count):
            node = pool.node(index)
            if node.name in names:
                raise ctx.error(
                    f"cluster.pools[{i}].name",
                    f"pool node {node.name!r} has the name of a node from the manifests",
                )
            names.add(node.name)
            objects.nodes.append(node)
    return objects, pools
