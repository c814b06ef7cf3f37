"""Timed node events: parsed, sorted by time (ties keep file order) and resolved to names.

Events are replayed here against a model of the node list (names, labels, taints, failed)
as it will be at each event's time, so an event naming a node that does not exist yet, or
any more, is an error at load time rather than a surprise mid-run. Node labels never change
during a run, so a selector resolves to the same nodes the engine would find.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.errors import InputError
from engine.objects import Node, Taint
from workloads.fields import describe
from workloads.manifests import load_manifests
from workloads.scenario.cluster import Pool, parse_taint
from workloads.scenario.model import EVENT_ACTIONS, TimedEvent
from workloads.scenario.schema import EVENT, suggest
from workloads.scenario.values import Context, format_duration

__all__ = ["resolve_events"]

_TARGETS = ("node", "nodes", "selector")
# Keys each action takes besides at/action (targets: one of node, nodes, selector).
_KEYS = {
    "fail": _TARGETS,
    "recover": _TARGETS,
    "drain": _TARGETS,
    "cordon": _TARGETS,
    "uncordon": _TARGETS,
    "remove": _TARGETS,
    "taint": (*_TARGETS, "taint"),
    "untaint": (*_TARGETS, "taint"),
    "add": ("pool", "count", "file"),
}


@dataclass
class _NodeState:
    labels: dict[str, str]
    taints: list[Taint]
    failed: bool = False


@dataclass
class _Cluster:
    """The node list as events change it."""

    nodes: dict[str, _NodeState] = field(default_factory=dict)
    removed: dict[str, str] = field(default_factory=dict)  # name -> the event that removed it
    next_index: dict[str, int] = field(default_factory=dict)  # pool -> next node index

    def add(self, node: Node) -> None:
        self.nodes[node.name] = _NodeState(dict(node.labels), list(node.taints))
        self.removed.pop(node.name, None)


def resolve_events(
    ctx: Context, raw: object, duration_ms: int, nodes: list[Node], pools: dict[str, Pool]
) -> list[TimedEvent]:
    items = ctx.items(raw, "events")
    parsed = []
    for i, item in enumerate(items):
        path = f"events[{i}]"
        e = ctx.section(item, path, EVENT, required=True)
        if e.get("at") is None:
            raise ctx.error(f"{path}.at", "is required: when the event happens (a duration)")
        at = ctx.duration(e, "at", path)
        if e.get("action") is None:
            raise ctx.error(f"{path}.action", f"is required: one of {', '.join(EVENT_ACTIONS)}")
        action = ctx.choice(e, "action", path, EVENT_ACTIONS, "")
        for key in e:
            if key not in ("at", "action") and key not in _KEYS[action]:
                raise ctx.error(
                    f"{path}.{key}",
                    f"is not used by action {action} (it takes {', '.join(_KEYS[action])})",
                )
        parsed.append((at, i, action, e))
    parsed.sort(key=lambda x: x[0])  # stable: ties keep file order

    cluster = _Cluster(next_index={name: pool.count for name, pool in pools.items()})
    for node in nodes:
        cluster.add(node)
    out = []
    for at, i, action, e in parsed:
        path = f"events[{i}]"
        if action == "add":
            event = _add(ctx, e, path, at, i, cluster, pools)
        else:
            event = _apply(ctx, e, path, at, i, action, cluster)
        if at >= duration_ms:
            ctx.warn(
                f"{path}.at",
                f"{format_duration(at)} is at or after the end of the run "
                f"({format_duration(duration_ms)}): the event never happens and is dropped",
            )
            continue
        out.append(event)
    return out


def _targets(
    ctx: Context, e: dict, path: str, at: int, cluster: _Cluster
) -> tuple[tuple[str, ...], dict[str, str] | None]:
    given = [k for k in _TARGETS if e.get(k) is not None]
    if len(given) != 1:
        raise ctx.error(
            path,
            "needs exactly one of node (a name), nodes (a list of names) or selector (a label "
            f"map), got {', '.join(given) or 'none'}",
        )
    key = given[0]
    if key == "selector":
        selector = ctx.str_map(e, "selector", path)
        names = tuple(
            name
            for name, state in cluster.nodes.items()
            if all(state.labels.get(k) == v for k, v in selector.items())
        )
        if not names:
            ctx.warn(
                f"{path}.selector",
                f"matches no node at {format_duration(at)}; the event does nothing",
            )
        return names, selector
    if key == "node":
        names = [e["node"]]
        paths = [f"{path}.node"]
    else:
        names = ctx.items(e["nodes"], f"{path}.nodes")
        if not names:
            raise ctx.error(f"{path}.nodes", "must list at least one node")
        paths = [f"{path}.nodes[{j}]" for j in range(len(names))]
    for name, npath in zip(names, paths, strict=True):
        if not isinstance(name, str):
            raise ctx.error(npath, f"expected a node name (string), got {describe(name)}")
        if name not in cluster.nodes:
            raise ctx.error(npath, _unknown_node(name, at, cluster))
    if len(set(names)) != len(names):
        raise ctx.error(f"{path}.nodes", "lists a node more than once")
    return tuple(names), None


def _unknown_node(name: str, at: int, cluster: _Cluster) -> str:
    when = format_duration(at)
    if name in cluster.removed:
        return f"node {name!r} does not exist at {when}: it was removed by {cluster.removed[name]}"
    known = list(cluster.nodes)
    shown = ", ".join(known[:5]) + (f" ... ({len(known)} nodes)" if len(known) > 5 else "")
    return (
        f"unknown node {name!r} at {when}{suggest(name, known)} (nodes then: {shown or 'none'}; "
        "nodes come from cluster.manifests, cluster.pools and earlier add events)"
    )


def _apply(
    ctx: Context, e: dict, path: str, at: int, i: int, action: str, cluster: _Cluster
) -> TimedEvent:
    names, selector = _targets(ctx, e, path, at, cluster)
    taint = None
    if action in ("taint", "untaint"):
        if e.get("taint") is None:
            raise ctx.error(f"{path}.taint", "is required: {key, value, effect}")
        taint = parse_taint(ctx, e["taint"], f"{path}.taint", at if action == "taint" else None)
        _retaint(ctx, path, action, taint, names, cluster)
    elif action in ("fail", "recover"):
        wrong = [n for n in names if cluster.nodes[n].failed == (action == "fail")]
        if wrong:
            state = "already failed" if action == "fail" else "not failed"
            ctx.warn(path, f"{action}: node(s) {', '.join(wrong)} {state}; no change for them")
        for n in names:
            cluster.nodes[n].failed = action == "fail"
    elif action == "remove":
        for n in names:
            del cluster.nodes[n]
            cluster.removed[n] = f"events[{i}] at {format_duration(at)}"
    return TimedEvent(at, action, names, (), taint, selector, i)


def _retaint(
    ctx: Context, path: str, action: str, taint: Taint, names: tuple[str, ...], cluster: _Cluster
) -> None:
    """Track taints; warn on an untaint that removes nothing or a taint that replaces one."""
    hits = []
    for n in names:
        taints = cluster.nodes[n].taints
        same = [t for t in taints if t.key == taint.key and t.effect == taint.effect]
        if same:
            hits.append(n)
        taints[:] = [t for t in taints if t not in same]
        if action == "taint":
            taints.append(taint)
    label = f"{taint.key}:{taint.effect}"
    if action == "untaint" and len(hits) < len(names):
        missing = [n for n in names if n not in hits]
        ctx.warn(
            f"{path}.taint",
            f"taint {label} is not on node(s) {', '.join(missing[:5])}"
            + (" ..." if len(missing) > 5 else "")
            + "; nothing to remove there",
        )
    if action == "taint" and hits:
        ctx.warn(
            f"{path}.taint",
            f"node(s) {', '.join(hits[:5])} already have a {label} taint; it is replaced",
        )


def _add(
    ctx: Context,
    e: dict,
    path: str,
    at: int,
    i: int,
    cluster: _Cluster,
    pools: dict[str, Pool],
) -> TimedEvent:
    if (e.get("pool") is None) == (e.get("file") is None):
        raise ctx.error(path, "add needs exactly one of pool (+ count) or file (Node manifests)")
    if e.get("pool") is not None:
        name = e["pool"]
        if name not in pools:
            raise ctx.error(
                f"{path}.pool",
                f"unknown pool {name!r}{suggest(name, list(pools))} (pools: "
                f"{', '.join(pools) or 'none defined under cluster.pools'})",
            )
        count = ctx.integer(e, "count", path, 1, lo=1)
        start = cluster.next_index[name]
        new = [pools[name].node(k) for k in range(start, start + count)]
        cluster.next_index[name] = start + count
        where = f"{path}.pool"
    else:
        if e.get("count") is not None:
            raise ctx.error(f"{path}.count", "is only for pool: a file adds the nodes it holds")
        resolved = ctx.resolve(e["file"], f"{path}.file")
        objects = load_manifests([resolved])
        others = [
            kind
            for kind, items in (
                ("Pod", objects.pods),
                ("Service", objects.services),
                ("workload", objects.workloads),
                ("PriorityClass", objects.priority_classes),
                ("PodDisruptionBudget", objects.pdbs),
                ("Namespace", objects.namespaces),
            )
            if items
        ]
        if others or not objects.nodes:
            raise InputError(
                f"an add event's file must hold Node manifests only (found "
                f"{', '.join(others) or 'no Node'}); list other objects under `objects:`",
                file=str(resolved),
            )
        ctx.warnings.extend(objects.warnings)
        new = objects.nodes
        where = f"{path}.file"
    for node in new:
        if node.name in cluster.nodes:
            raise ctx.error(where, f"node {node.name!r} already exists at {format_duration(at)}")
        cluster.add(node)
    return TimedEvent(at, "add", tuple(n.name for n in new), tuple(new), None, None, i)
