"""``--set KEY=VALUE`` overrides applied to the raw scenario document before validation.

KEY is a dotted path with list indices, as error messages print them
(``workload.generators[0].arrivals.rate``); a key that itself contains dots is written in
brackets and quotes (``template.metadata.labels["app.kubernetes.io/name"]``). VALUE is
parsed as YAML, so ``seed=3`` sets a number, ``duration=2h`` a string and
``lifetime={distribution: constant, value: 1h}`` a map. The path is checked against the
scenario schema first: a misspelt key is an error, never a new, ignored key.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable

import yaml

from engine.errors import InputError
from workloads.fields import describe
from workloads.scenario.schema import SCENARIO, Free, FreeFlat, Leaf, Map, Node, Seq, suggest

__all__ = ["apply_sets", "parse_key"]

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BRACKET = re.compile(r"""\[(?:([0-9]+)|"([^"]*)"|'([^']*)')\]""")
_NAME = re.compile(r"[^.\[\]]+")


def parse_key(key: str) -> list[str | int]:
    """``a.b[0]["c.d"]`` -> ['a', 'b', 0, 'c.d']; ``ValueError`` when malformed."""
    tokens: list[str | int] = []
    pos = 0
    while pos < len(key):
        if key[pos] == "[":
            m = _BRACKET.match(key, pos)
            if not m:
                raise ValueError(f'malformed key {key!r}: expected [N] or ["name"] at {pos + 1}')
            index, double, single = m.groups()
            tokens.append(
                int(index) if index is not None else (double if double is not None else single)
            )
        else:
            if tokens:
                if key[pos] != ".":
                    raise ValueError(f"malformed key {key!r}: expected '.' at {pos + 1}")
                pos += 1
            m = _NAME.match(key, pos)
            if not m:
                raise ValueError(f"malformed key {key!r}: expected a name at {pos + 1}")
            tokens.append(m.group(0))
        pos = m.end()
    if not tokens:
        raise ValueError("empty key")
    return tokens


def _path(tokens: list[str | int]) -> str:
    out = ""
    for t in tokens:
        if isinstance(t, int):
            out += f"[{t}]"
        elif "." in t or "[" in t:
            out += f'["{t}"]'
        else:
            out += f".{t}" if out else t
    return out


def apply_sets(raw_doc: dict | None, sets: Iterable[str]) -> dict:
    """A copy of ``raw_doc`` with every ``KEY=VALUE`` of ``sets`` applied, in order."""
    doc = copy.deepcopy(raw_doc) if raw_doc is not None else {}
    for item in sets:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--set {item!r}: expected KEY=VALUE, e.g. seed=3 or duration=2h")
        try:
            tokens = parse_key(key.strip())
        except ValueError as e:
            raise InputError(f"--set {item!r}: {e}") from None
        try:
            value = yaml.load(text, Loader=_Loader) if text.strip() else None
        except yaml.YAMLError as e:
            problem = getattr(e, "problem", None) or str(e)
            raise InputError(f"--set {item!r}: VALUE is not valid YAML: {problem}") from None
        if not isinstance(doc, dict):
            raise InputError(f"--set {item!r}: the scenario document is not a map")
        _assign(doc, tokens, value, item)
    return doc


def _assign(doc: dict, tokens: list[str | int], value: object, item: str) -> None:
    node: Node = SCENARIO
    container: dict | list = doc
    for i, token in enumerate(tokens):
        here = _path(tokens[: i + 1])
        last = i == len(tokens) - 1
        if isinstance(node, FreeFlat) and isinstance(container, dict):
            rest = ".".join(str(t) for t in tokens[i:])
            container[rest] = value
            return
        child = _child_schema(node, token, tokens, i, item)
        if isinstance(token, int):
            if not isinstance(container, list) or token >= len(container):
                size = len(container) if isinstance(container, list) else 0
                raise InputError(
                    f"--set {item!r}: index {token} is out of range (the list has {size} "
                    "item(s); --set can change items but not add them)",
                    path=here,
                )
            if last:
                container[token] = value
                return
            nxt = container[token]
        else:
            if not isinstance(container, dict):
                raise InputError(
                    f"--set {item!r}: {_path(tokens[:i]) or 'the document'} is a list; "
                    "use an index like [0]",
                    path=here,
                )
            if last:
                container[token] = value
                return
            nxt = container.get(token)
            if nxt is None:
                if isinstance(child, Seq):
                    raise InputError(
                        f"--set {item!r}: {here} is not set, so it has no items to change",
                        path=here,
                    )
                nxt = container[token] = {}
        if isinstance(tokens[i + 1], str) and isinstance(nxt, list):
            raise InputError(
                f"--set {item!r}: {here} is a list; use an index like {here}[0]", path=here
            )
        if isinstance(tokens[i + 1], str) and not isinstance(nxt, dict):
            raise InputError(
                f"--set {item!r}: {here} is {describe(nxt)}, not a map; set the whole value "
                f"instead ({here}=...)",
                path=here,
            )
        node, container = child, nxt


def _child_schema(node: Node, token: str | int, tokens: list, i: int, item: str) -> Node:
    here = _path(tokens[: i + 1])
    if isinstance(node, Free):
        return node
    if isinstance(node, Seq):
        if not isinstance(token, int):
            raise InputError(
                f"--set {item!r}: {_path(tokens[:i])} is a list; expected an index like [0] "
                f"before {token!r}",
                path=here,
            )
        return node.item
    if isinstance(node, Map):
        if isinstance(token, int):
            raise InputError(
                f"--set {item!r}: {_path(tokens[:i]) or 'the document'} is a map, not a list",
                path=here,
            )
        if token not in node.fields:
            raise InputError(
                f"--set {item!r}: unknown key {token!r} in {node.what}"
                f"{suggest(token, node.fields)} (known keys: {', '.join(node.fields)})",
                path=here,
            )
        return node.fields[token]
    assert isinstance(node, Leaf)
    raise InputError(
        f"--set {item!r}: {_path(tokens[:i])} is a single value; it has no key {token!r}",
        path=here,
    )
