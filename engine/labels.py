"""Label and node selector semantics (apimachinery ``labels``, component-helpers ``nodeaffinity``).

Plain-Python rules shared by the reference scheduler and by the compilers that turn selectors
into array masks. Kept literal: these functions are the readable statement of the rules.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from engine.objects import LabelSelector, NodeSelectorTerm, Requirement

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

_GO_INT = re.compile(r"^[+-]?[0-9]+$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_NAME_PART = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")

LABEL_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")
NODE_SELECTOR_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt")


def parse_go_int(text: str) -> int | None:
    """``strconv.ParseInt(text, 10, 64)``: optional sign, decimal digits, int64 range."""
    if not _GO_INT.match(text):
        return None
    value = int(text)
    return value if INT64_MIN <= value <= INT64_MAX else None


def is_label_value(value: str) -> bool:
    return len(value) <= 63 and bool(LABEL_VALUE.match(value))


def is_qualified_name(key: str) -> bool:
    """A label key: optional DNS-subdomain prefix and '/', then a name of at most 63 chars."""
    prefix, _, name = key.rpartition("/")
    if "/" in key and (not prefix or len(prefix) > 253 or not DNS_SUBDOMAIN.match(prefix)):
        return False
    return 0 < len(name) <= 63 and bool(_NAME_PART.match(name))


def requirement_is_valid(req: Requirement, operators: tuple[str, ...] = NODE_SELECTOR_OPERATORS) -> bool:
    """``labels.NewRequirement`` validation: a failing requirement makes its term unusable."""
    if req.operator not in operators or not is_qualified_name(req.key):
        return False
    if req.operator in ("In", "NotIn"):
        ok = len(req.values) > 0
    elif req.operator in ("Exists", "DoesNotExist"):
        ok = len(req.values) == 0
    else:  # Gt, Lt
        ok = len(req.values) == 1 and parse_go_int(req.values[0]) is not None
    return ok and all(is_label_value(v) for v in req.values)


def requirement_matches(labels: Mapping[str, str], req: Requirement) -> bool:
    """``Requirement.Matches``: NotIn and DoesNotExist match when the key is absent."""
    op = req.operator
    present = req.key in labels
    if op == "In":
        return present and labels[req.key] in req.values
    if op == "NotIn":
        return not present or labels[req.key] not in req.values
    if op == "Exists":
        return present
    if op == "DoesNotExist":
        return not present
    if op in ("Gt", "Lt"):
        if not present or len(req.values) != 1:
            return False
        have, want = parse_go_int(labels[req.key]), parse_go_int(req.values[0])
        if have is None or want is None:
            return False
        return have > want if op == "Gt" else have < want
    return False


def selector_matches(labels: Mapping[str, str], selector: LabelSelector | None) -> bool:
    """``metav1.LabelSelectorAsSelector`` then ``Matches``: None selects nothing, {} everything."""
    if selector is None:
        return False
    for key, value in selector.match_labels:
        if key not in labels or labels[key] != value:
            return False
    return all(requirement_matches(labels, r) for r in selector.match_expressions)


def map_selector_matches(labels: Mapping[str, str], selector: Mapping[str, str]) -> bool:
    """``labels.SelectorFromSet``: every key present with an equal value (empty map: all)."""
    return all(k in labels and labels[k] == v for k, v in selector.items())


def term_is_empty(term: NodeSelectorTerm) -> bool:
    return not term.match_expressions and not term.match_fields


def term_parses(term: NodeSelectorTerm) -> bool:
    """Whether ``newNodeSelectorTerm`` parses without errors (a failing term never matches)."""
    if not all(requirement_is_valid(r) for r in term.match_expressions):
        return False
    for r in term.match_fields:
        if r.operator not in ("In", "NotIn") or len(r.values) != 1:
            return False
    return True


def term_matches(term: NodeSelectorTerm, node_name: str, node_labels: Mapping[str, str]) -> bool:
    """One node selector term: all expressions AND all fields (only ``metadata.name`` exists)."""
    if term_is_empty(term) or not term_parses(term):
        return False
    if term.match_expressions and not all(
        requirement_matches(node_labels, r) for r in term.match_expressions
    ):
        return False
    for r in term.match_fields:
        field_value = node_name if r.key == "metadata.name" else ""
        if (field_value == r.values[0]) != (r.operator == "In"):
            return False
    return True


def node_selector_matches(
    terms: tuple[NodeSelectorTerm, ...], node_name: str, node_labels: Mapping[str, str]
) -> bool:
    """``NodeSelector.Match``: OR over terms; empty and unparsable terms match nothing."""
    return any(term_matches(t, node_name, node_labels) for t in terms)


# A compiled label selector: a tuple of requirements (all must hold), or None for "Nothing"
# (``LabelSelectorAsSelector(nil)``). The empty tuple is "Everything".
Selector = tuple[Requirement, ...] | None


def compile_selector(selector: LabelSelector | None) -> Selector:
    if selector is None:
        return None
    reqs = [Requirement(k, "In", (v,)) for k, v in selector.match_labels]
    reqs.extend(selector.match_expressions)
    return tuple(reqs)


def compile_map_selector(selector: dict[str, str]) -> Selector:
    return tuple(Requirement(k, "In", (v,)) for k, v in sorted(selector.items()))


def merge_label_keys(
    selector: Selector, labels: dict[str, str], match_keys: tuple[str, ...], mismatch_keys: tuple[str, ...] = ()
) -> Selector:
    """Add ``key In (value)`` / ``key NotIn (value)`` for match/mismatchLabelKeys present in labels.

    A "Nothing" selector stays "Nothing" (``mergeLabelSetWithSelector``).
    """
    if selector is None:
        return None
    extra = [Requirement(k, "In", (labels[k],)) for k in match_keys if k in labels]
    extra += [Requirement(k, "NotIn", (labels[k],)) for k in mismatch_keys if k in labels]
    return (*selector, *extra) if extra else selector


def compiled_matches(labels: Mapping[str, str], selector: Selector) -> bool:
    if selector is None:
        return False
    return all(requirement_matches(labels, r) for r in selector)
