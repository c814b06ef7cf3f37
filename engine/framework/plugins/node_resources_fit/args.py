"""NodeResourcesFitArgs (kubescheduler.config.k8s.io/v1) with upstream defaults."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.framework import decoding as d
from engine.labels import is_qualified_name

LEAST_ALLOCATED = "LeastAllocated"
MOST_ALLOCATED = "MostAllocated"
REQUESTED_TO_CAPACITY_RATIO = "RequestedToCapacityRatio"
STRATEGIES = (LEAST_ALLOCATED, MOST_ALLOCATED, REQUESTED_TO_CAPACITY_RATIO)

# MaxCustomPriorityScore: shape scores are given in [0, 10] and scaled by 100 / 10.
MAX_CUSTOM_PRIORITY_SCORE = 10
MAX_UTILIZATION = 100


@dataclass(frozen=True)
class ResourceSpec:
    name: str
    weight: int = 1


@dataclass(frozen=True)
class UtilizationShapePoint:
    utilization: int
    score: int


DEFAULT_RESOURCES = (ResourceSpec("cpu", 1), ResourceSpec("memory", 1))


@dataclass(frozen=True)
class ScoringStrategy:
    type: str = LEAST_ALLOCATED
    resources: tuple[ResourceSpec, ...] = DEFAULT_RESOURCES
    # RequestedToCapacityRatio only: points with increasing utilization, scores in [0, 10].
    shape: tuple[UtilizationShapePoint, ...] = ()


@dataclass(frozen=True)
class NodeResourcesFitArgs:
    ignored_resources: tuple[str, ...] = ()
    ignored_resource_groups: tuple[str, ...] = ()
    scoring_strategy: ScoringStrategy = field(default_factory=ScoringStrategy)


# --- Parsing and validation (v1 defaults.go SetDefaults_NodeResourcesFitArgs, then
# validation_pluginargs.go ValidateNodeResourcesFitArgs) ---

KIND = "NodeResourcesFitArgs"
MAX_RESOURCE_WEIGHT = 100


def parse_resources(items: list, path: str) -> tuple[ResourceSpec, ...]:
    """``resources``: empty means cpu and memory; weight 0 or unset defaults to 1."""
    if not items:
        return DEFAULT_RESOURCES
    out = []
    for i, item in enumerate(items):
        p = d.index(path, i)
        obj = d.mapping(item, p)
        d.check_fields(obj, ("name", "weight"), p, "ResourceSpec")
        name = d.opt_str(obj, "name", p)
        if not name:
            raise d.fail(d.child(p, "name"), "resource name is required")
        weight = d.opt_int(obj, "weight", p, d.INT64) or 1
        out.append(ResourceSpec(name, weight))
    return tuple(out)


def validate_weights(resources: tuple[ResourceSpec, ...], path: str) -> None:
    for i, r in enumerate(resources):
        if not 0 < r.weight <= MAX_RESOURCE_WEIGHT:
            raise d.fail(
                d.child(d.index(path, i), "weight"),
                f"resource weight of {r.name} must be in the range [1, {MAX_RESOURCE_WEIGHT}], "
                f"got {r.weight}",
            )


def parse_shape(raw: object, path: str) -> tuple[UtilizationShapePoint, ...]:
    """``requestedToCapacityRatio``: a shape of strictly increasing utilization points."""
    obj = d.mapping(raw, path)
    d.check_fields(obj, ("shape",), path, "RequestedToCapacityRatioParam")
    shape_path = d.child(path, "shape")
    points = []
    for i, item in enumerate(d.opt_list(obj, "shape", path)):
        p = d.index(shape_path, i)
        pt = d.mapping(item, p)
        d.check_fields(pt, ("utilization", "score"), p, "UtilizationShapePoint")
        points.append(
            UtilizationShapePoint(
                utilization=d.opt_int(pt, "utilization", p) or 0,
                score=d.opt_int(pt, "score", p) or 0,
            )
        )
    validate_shape(tuple(points), shape_path)
    return tuple(points)


def validate_shape(shape: tuple[UtilizationShapePoint, ...], path: str) -> None:
    if not shape:
        raise d.fail(path, "at least one point must be specified")
    for i in range(1, len(shape)):
        if shape[i - 1].utilization >= shape[i].utilization:
            raise d.fail(
                d.child(d.index(path, i), "utilization"),
                "utilization values must be sorted in strictly increasing order "
                f"({shape[i - 1].utilization} then {shape[i].utilization})",
            )
    for i, pt in enumerate(shape):
        if not 0 <= pt.utilization <= MAX_UTILIZATION:
            raise d.fail(
                d.child(d.index(path, i), "utilization"),
                f"must be in the range [0, {MAX_UTILIZATION}], got {pt.utilization}",
            )
        if not 0 <= pt.score <= MAX_CUSTOM_PRIORITY_SCORE:
            raise d.fail(
                d.child(d.index(path, i), "score"),
                f"must be in the range [0, {MAX_CUSTOM_PRIORITY_SCORE}], got {pt.score}",
            )


def parse_scoring_strategy(raw: object, path: str) -> ScoringStrategy:
    if raw is None:
        return ScoringStrategy()
    obj = d.mapping(raw, path)
    d.check_fields(obj, ("type", "resources", "requestedToCapacityRatio"), path, "ScoringStrategy")
    # Upstream does not default ``type`` when scoringStrategy is given: "" is rejected.
    kind = d.opt_str(obj, "type", path)
    if kind not in STRATEGIES:
        raise d.fail(
            d.child(path, "type"),
            f"unsupported scoring strategy {kind!r}; supported: {', '.join(STRATEGIES)}",
        )
    res_path = d.child(path, "resources")
    resources = parse_resources(d.opt_list(obj, "resources", path), res_path)
    validate_weights(resources, res_path)
    rtcr_path = d.child(path, "requestedToCapacityRatio")
    rtcr = obj.get("requestedToCapacityRatio")
    shape: tuple[UtilizationShapePoint, ...] = ()
    if kind == REQUESTED_TO_CAPACITY_RATIO:
        if rtcr is None:
            raise d.fail(rtcr_path, "must be specified when type is RequestedToCapacityRatio")
        shape = parse_shape(rtcr, rtcr_path)
    elif rtcr is not None:
        raise d.fail(rtcr_path, f"must not be set when type is {kind} (only RequestedToCapacityRatio)")
    return ScoringStrategy(type=kind, resources=resources, shape=shape)


def parse_args(raw: object, path: str) -> NodeResourcesFitArgs:
    """NodeResourcesFitArgs from a pluginConfig ``args`` object, defaulted and validated."""
    obj = d.args_body(raw, KIND, path)
    d.check_fields(obj, ("ignoredResources", "ignoredResourceGroups", "scoringStrategy"), path, KIND)
    ignored = d.string_list(obj, "ignoredResources", path)
    for i, name in enumerate(ignored):
        if not is_qualified_name(name):
            raise d.fail(
                d.index(d.child(path, "ignoredResources"), i),
                f"{name!r} is not a valid resource name (a qualified name such as "
                "'example.com/foo')",
            )
    groups = d.string_list(obj, "ignoredResourceGroups", path)
    for i, group in enumerate(groups):
        p = d.index(d.child(path, "ignoredResourceGroups"), i)
        if "/" in group:
            raise d.fail(p, f"resource group name can't contain '/', got {group!r}")
        if not is_qualified_name(group):
            raise d.fail(p, f"{group!r} is not a valid resource group name")
    strategy = parse_scoring_strategy(obj.get("scoringStrategy"), d.child(path, "scoringStrategy"))
    return NodeResourcesFitArgs(
        ignored_resources=ignored, ignored_resource_groups=groups, scoring_strategy=strategy
    )
