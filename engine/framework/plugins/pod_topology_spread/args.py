"""PodTopologySpreadArgs: default constraints and how they are defaulted."""

from __future__ import annotations

from dataclasses import dataclass

from engine.framework import decoding as d
from engine.labels import is_qualified_name
from engine.objects import LABEL_HOSTNAME, LABEL_ZONE, TopologySpreadConstraint

SYSTEM_DEFAULTING = "System"
LIST_DEFAULTING = "List"
DEFAULTING_TYPES = (SYSTEM_DEFAULTING, LIST_DEFAULTING)

KIND = "PodTopologySpreadArgs"
WHEN_UNSATISFIABLE = ("DoNotSchedule", "ScheduleAnyway")
INCLUSION_POLICIES = ("Honor", "Ignore")
CONSTRAINT_FIELDS = (
    "maxSkew",
    "topologyKey",
    "whenUnsatisfiable",
    "labelSelector",
    "minDomains",
    "nodeAffinityPolicy",
    "nodeTaintsPolicy",
    "matchLabelKeys",
)

# Used when defaultingType is System (plugins/podtopologyspread/plugin.go).
SYSTEM_DEFAULT_CONSTRAINTS = (
    TopologySpreadConstraint(max_skew=3, topology_key=LABEL_HOSTNAME, when_unsatisfiable="ScheduleAnyway"),
    TopologySpreadConstraint(max_skew=5, topology_key=LABEL_ZONE, when_unsatisfiable="ScheduleAnyway"),
)


@dataclass(frozen=True)
class PodTopologySpreadArgs:
    default_constraints: tuple[TopologySpreadConstraint, ...] = ()
    defaulting_type: str = SYSTEM_DEFAULTING

    @property
    def effective_default_constraints(self) -> tuple[TopologySpreadConstraint, ...]:
        if self.defaulting_type == SYSTEM_DEFAULTING:
            return SYSTEM_DEFAULT_CONSTRAINTS
        return self.default_constraints

    @property
    def system_defaulted(self) -> bool:
        return self.defaulting_type == SYSTEM_DEFAULTING


def parse_args(raw: object, path: str) -> PodTopologySpreadArgs:
    """Defaulted (defaultingType System) and validated as ValidatePodTopologySpreadArgs.

    As upstream, ``defaultConstraints`` without ``defaultingType: List`` is an error, because
    the type defaults to System before validation.
    """
    obj = d.args_body(raw, KIND, path)
    d.check_fields(obj, ("defaultConstraints", "defaultingType"), path, KIND)
    constraints_path = d.child(path, "defaultConstraints")
    raw_constraints = d.opt_list(obj, "defaultConstraints", path)
    defaulting = d.opt_str(obj, "defaultingType", path) or SYSTEM_DEFAULTING
    type_path = d.child(path, "defaultingType")
    if defaulting not in DEFAULTING_TYPES:
        raise d.fail(type_path, f"unsupported value {defaulting!r}; supported: System, List")
    if defaulting == SYSTEM_DEFAULTING and raw_constraints:
        raise d.fail(
            type_path,
            "must be List when defaultConstraints are given (it defaults to System, which "
            "uses the built-in constraints)",
        )
    constraints = tuple(
        parse_default_constraint(c, d.index(constraints_path, i))
        for i, c in enumerate(raw_constraints)
    )
    seen: dict[tuple[str, str], int] = {}
    for i, c in enumerate(constraints):
        key = (c.topology_key, c.when_unsatisfiable)
        if key in seen:
            raise d.fail(
                d.index(constraints_path, i),
                f"duplicate constraint {{{c.topology_key}, {c.when_unsatisfiable}}} "
                f"(same topologyKey and whenUnsatisfiable as defaultConstraints[{seen[key]}])",
            )
        seen[key] = i
    return PodTopologySpreadArgs(default_constraints=constraints, defaulting_type=defaulting)


def parse_default_constraint(raw: object, path: str) -> TopologySpreadConstraint:
    """One default constraint: like a pod's, but its selector is deduced per pod, so none."""
    obj = d.mapping(raw, path)
    d.check_fields(obj, CONSTRAINT_FIELDS, path, "TopologySpreadConstraint")
    max_skew = d.opt_int(obj, "maxSkew", path) or 0
    if max_skew <= 0:
        raise d.fail(d.child(path, "maxSkew"), f"must be greater than 0, got {max_skew}")
    key = d.opt_str(obj, "topologyKey", path)
    if not key:
        raise d.fail(d.child(path, "topologyKey"), "is required")
    if not is_qualified_name(key):
        raise d.fail(d.child(path, "topologyKey"), f"{key!r} is not a valid label key")
    when = d.opt_str(obj, "whenUnsatisfiable", path)
    if not when:
        raise d.fail(d.child(path, "whenUnsatisfiable"), "is required")
    if when not in WHEN_UNSATISFIABLE:
        raise d.fail(
            d.child(path, "whenUnsatisfiable"),
            f"unsupported value {when!r}; supported: {', '.join(WHEN_UNSATISFIABLE)}",
        )
    if obj.get("labelSelector") is not None:
        raise d.fail(
            d.child(path, "labelSelector"),
            "default constraints must not define a selector: it is deduced for each pod from "
            "its Services, ReplicaSets, StatefulSets and ReplicationControllers",
        )
    min_domains = d.opt_int(obj, "minDomains", path)
    if min_domains is not None and min_domains <= 0:
        raise d.fail(d.child(path, "minDomains"), f"must be greater than 0, got {min_domains}")
    policies = {}
    for name in ("nodeAffinityPolicy", "nodeTaintsPolicy"):
        value = obj.get(name)
        if value is not None and d.string(value, d.child(path, name)) not in INCLUSION_POLICIES:
            raise d.fail(
                d.child(path, name), f"unsupported value {value!r}; supported: Honor, Ignore"
            )
        policies[name] = value
    return TopologySpreadConstraint(
        max_skew=max_skew,
        topology_key=key,
        when_unsatisfiable=when,
        min_domains=min_domains,
        node_affinity_policy=policies["nodeAffinityPolicy"],
        node_taints_policy=policies["nodeTaintsPolicy"],
        match_label_keys=d.string_list(obj, "matchLabelKeys", path),
    )
