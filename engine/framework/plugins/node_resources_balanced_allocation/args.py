"""NodeResourcesBalancedAllocationArgs with upstream defaults (cpu and memory)."""

from __future__ import annotations

from dataclasses import dataclass

from engine.framework import decoding as d
from engine.framework.plugins.node_resources_fit.args import (
    DEFAULT_RESOURCES,
    ResourceSpec,
    parse_resources,
)

KIND = "NodeResourcesBalancedAllocationArgs"


@dataclass(frozen=True)
class NodeResourcesBalancedAllocationArgs:
    # Weights are validated but, as upstream, not used by the score.
    resources: tuple[ResourceSpec, ...] = DEFAULT_RESOURCES


def parse_args(raw: object, path: str) -> NodeResourcesBalancedAllocationArgs:
    """Defaulted like upstream (empty: cpu+memory; weight 0 -> 1), then every weight must be 1
    and names unique (ValidateNodeResourcesBalancedAllocationArgs)."""
    obj = d.args_body(raw, KIND, path)
    d.check_fields(obj, ("resources",), path, KIND)
    res_path = d.child(path, "resources")
    resources = parse_resources(d.opt_list(obj, "resources", path), res_path)
    seen: set[str] = set()
    for i, r in enumerate(resources):
        p = d.index(res_path, i)
        if r.name in seen:
            raise d.fail(d.child(p, "name"), f"duplicate resource {r.name!r}")
        seen.add(r.name)
        if r.weight != 1:
            raise d.fail(
                d.child(p, "weight"),
                f"must be 1 (BalancedAllocation weighs resources equally), got {r.weight}",
            )
    return NodeResourcesBalancedAllocationArgs(resources=resources)
