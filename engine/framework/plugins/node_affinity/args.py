"""NodeAffinityArgs: a profile-wide ``addedAffinity`` applied to every pod."""

from __future__ import annotations

from dataclasses import dataclass

from engine.framework import decoding as d
from engine.labels import NODE_SELECTOR_OPERATORS, is_label_value, is_qualified_name, parse_go_int
from engine.objects import NodeAffinity, NodeSelectorTerm, PreferredSchedulingTerm, Requirement

KIND = "NodeAffinityArgs"
FIELD_SELECTOR_OPERATORS = ("In", "NotIn")


@dataclass(frozen=True)
class NodeAffinityArgs:
    added_affinity: NodeAffinity | None = None


def parse_args(raw: object, path: str) -> NodeAffinityArgs:
    """``addedAffinity`` parsed and validated as ValidateNodeAffinityArgs does: every
    non-empty term must parse (``nodeaffinity.NewNodeSelector`` /
    ``NewPreferredSchedulingTerms``); preferred terms with weight 0 are skipped, as upstream."""
    obj = d.args_body(raw, KIND, path)
    d.check_fields(obj, ("addedAffinity",), path, KIND)
    added = obj.get("addedAffinity")
    if added is None:
        return NodeAffinityArgs()
    return NodeAffinityArgs(added_affinity=parse_node_affinity(added, d.child(path, "addedAffinity")))


def parse_node_affinity(raw: object, path: str) -> NodeAffinity:
    obj = d.mapping(raw, path)
    req_key, pref_key = (
        "requiredDuringSchedulingIgnoredDuringExecution",
        "preferredDuringSchedulingIgnoredDuringExecution",
    )
    d.check_fields(obj, (req_key, pref_key), path, "NodeAffinity")
    required = None
    if obj.get(req_key) is not None:
        sel_path = d.child(path, req_key)
        selector = d.mapping(obj[req_key], sel_path)
        d.check_fields(selector, ("nodeSelectorTerms",), sel_path, "NodeSelector")
        terms_path = d.child(sel_path, "nodeSelectorTerms")
        required = tuple(
            parse_term(t, d.index(terms_path, i))
            for i, t in enumerate(d.opt_list(selector, "nodeSelectorTerms", sel_path))
        )
    preferred = []
    pref_path = d.child(path, pref_key)
    for i, item in enumerate(d.opt_list(obj, pref_key, path)):
        p = d.index(pref_path, i)
        pt = d.mapping(item, p)
        d.check_fields(pt, ("weight", "preference"), p, "PreferredSchedulingTerm")
        weight = d.opt_int(pt, "weight", p) or 0
        term = parse_term(pt.get("preference"), d.child(p, "preference"), validate=weight != 0)
        if weight != 0 and (term.match_expressions or term.match_fields):
            preferred.append(PreferredSchedulingTerm(weight=weight, preference=term))
    return NodeAffinity(required=required, preferred=tuple(preferred))


def parse_term(raw: object, path: str, validate: bool = True) -> NodeSelectorTerm:
    """One NodeSelectorTerm. An empty term is kept (it matches no node) and not validated."""
    obj = d.mapping(raw, path)
    d.check_fields(obj, ("matchExpressions", "matchFields"), path, "NodeSelectorTerm")
    exprs = _requirements(obj, "matchExpressions", path)
    fields = _requirements(obj, "matchFields", path)
    if validate and (exprs or fields):
        base = d.child(path, "matchExpressions")
        for i, r in enumerate(exprs):
            validate_label_requirement(r, d.index(base, i))
        base = d.child(path, "matchFields")
        for i, r in enumerate(fields):
            p = d.index(base, i)
            if r.operator not in FIELD_SELECTOR_OPERATORS:
                raise d.fail(
                    d.child(p, "operator"),
                    f"unsupported operator {r.operator!r} for matchFields; supported: In, NotIn",
                )
            if len(r.values) != 1:
                raise d.fail(d.child(p, "values"), f"must have one element, got {len(r.values)}")
    return NodeSelectorTerm(match_expressions=exprs, match_fields=fields)


def _requirements(obj, key: str, path: str) -> tuple[Requirement, ...]:
    base = d.child(path, key)
    out = []
    for i, item in enumerate(d.opt_list(obj, key, path)):
        p = d.index(base, i)
        r = d.mapping(item, p)
        d.check_fields(r, ("key", "operator", "values"), p, "NodeSelectorRequirement")
        out.append(
            Requirement(
                key=d.opt_str(r, "key", p),
                operator=d.opt_str(r, "operator", p),
                values=d.string_list(r, "values", p),
            )
        )
    return tuple(out)


def validate_label_requirement(r: Requirement, path: str) -> None:
    """``labels.NewRequirement`` checks, in upstream order: operator, key, values."""
    if r.operator not in NODE_SELECTOR_OPERATORS:
        raise d.fail(
            d.child(path, "operator"),
            f"unsupported operator {r.operator!r}; supported: {', '.join(NODE_SELECTOR_OPERATORS)}",
        )
    if not is_qualified_name(r.key):
        raise d.fail(
            d.child(path, "key"),
            f"{r.key!r} is not a valid label key (optional DNS-subdomain prefix and '/', "
            "then at most 63 alphanumerics, '-', '_' or '.')",
        )
    values_path = d.child(path, "values")
    if r.operator in ("In", "NotIn") and not r.values:
        raise d.fail(values_path, f"operator {r.operator} needs at least one value")
    if r.operator in ("Exists", "DoesNotExist") and r.values:
        raise d.fail(values_path, f"operator {r.operator} takes no values")
    if r.operator in ("Gt", "Lt"):
        if len(r.values) != 1:
            raise d.fail(values_path, f"operator {r.operator} needs exactly one value")
        if parse_go_int(r.values[0]) is None:
            raise d.fail(
                d.index(values_path, 0),
                f"operator {r.operator} needs an integer value, got {r.values[0]!r}",
            )
    for i, v in enumerate(r.values):
        if not is_label_value(v):
            raise d.fail(d.index(values_path, i), f"{v!r} is not a valid label value")
