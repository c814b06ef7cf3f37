"""Typed field readers for decoded YAML/JSON manifests, with located errors and warnings.

Manifests arrive as plain dicts from the YAML/JSON parser. These readers check one field's
type the way the API server's decoder would (a label value must be a string, a replica
count an integer) and raise ``InputError`` naming the full field path. Paths are built only
when something is wrong, so the happy path stays cheap when loading 100k pods.
"""

from __future__ import annotations

import re
from typing import Any

from engine.errors import InputError

# Kubernetes object names (DNS-1123); anchored, so they also serve Arrow's regex matching.
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def join(base: str | None, key: str) -> str:
    """Field path of ``key`` under ``base`` ('spec' + 'nodeName' -> 'spec.nodeName')."""
    return f"{base}.{key}" if base else key


def describe(value: object) -> str:
    """How a YAML/JSON value reads to a person, for 'expected X, got Y' messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, dict):
        return "a map"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


def type_error(value: object, expected: str, path: str) -> InputError:
    hint = ""
    if expected == "a string" and isinstance(value, bool | int | float):
        # YAML 1.1 reads 1, 1.10, yes, on, true as numbers/booleans; Kubernetes wants strings.
        hint = ' (Kubernetes requires a string here: quote the value in YAML, e.g. "1" or "true")'
    return InputError(f"expected {expected}, got {describe(value)}{hint}", path=path)


def as_map(value: object, path: str) -> dict:
    if type(value) is dict:
        return value
    raise type_error(value, "a map", path)


# In every reader below, JSON null and an absent key both mean "unset", as in the API.


def get_map(d: dict, key: str, base: str | None) -> dict | None:
    v = d.get(key)
    if v is None or type(v) is dict:
        return v
    raise type_error(v, "a map", join(base, key))


def get_list(d: dict, key: str, base: str | None) -> list:
    v = d.get(key)
    if v is None:
        return []
    if type(v) is list:
        return v
    raise type_error(v, "a list", join(base, key))


def get_str(d: dict, key: str, base: str | None, default: str = "") -> str:
    v = d.get(key)
    if v is None:
        return default
    if type(v) is str:
        return v
    raise type_error(v, "a string", join(base, key))


def require_str(d: dict, key: str, base: str | None, what: str = "") -> str:
    """A string field that must be present and non-empty."""
    v = get_str(d, key, base)
    if not v:
        raise InputError(f"is required{what}", path=join(base, key))
    return v


def get_bool(d: dict, key: str, base: str | None, default: bool = False) -> bool:
    v = d.get(key)
    if v is None:
        return default
    if type(v) is bool:
        return v
    raise type_error(v, "true or false", join(base, key))


INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)


def get_int(
    d: dict,
    key: str,
    base: str | None,
    default: int | None = None,
    *,
    lo: int = INT32[0],
    hi: int = INT32[1],
) -> int | None:
    """An integer field (int32 unless ``lo``/``hi`` say otherwise); YAML floats like 2.0 are
    accepted only when integral, as Go's JSON decoder does for integer fields."""
    v = d.get(key)
    if v is None:
        return default
    if type(v) is float and v.is_integer():
        v = int(v)
    if type(v) is not int:
        raise type_error(v, "an integer", join(base, key))
    if not lo <= v <= hi:
        if lo == 0 and v < 0:
            raise InputError(f"must be greater than or equal to 0, got {v}", path=join(base, key))
        raise InputError(f"must be between {lo} and {hi}, got {v}", path=join(base, key))
    return v


def get_str_map(d: dict, key: str, base: str | None) -> dict[str, str]:
    """A map of strings to strings (labels, annotations, nodeSelector, Service selector)."""
    v = d.get(key)
    if v is None:
        return {}
    if type(v) is not dict:
        raise type_error(v, "a map of strings", join(base, key))
    for k, item in v.items():
        if type(item) is not str:
            raise type_error(item, "a string", f"{join(base, key)}.{k}")
        if type(k) is not str:
            raise type_error(k, "a string", f"{join(base, key)} key {k!r}")
    return dict(v)


def get_str_list(d: dict, key: str, base: str | None) -> list[str]:
    v = d.get(key)
    if v is None:
        return []
    if type(v) is not list:
        raise type_error(v, "a list of strings", join(base, key))
    for i, item in enumerate(v):
        if type(item) is not str:
            raise type_error(item, "a string", f"{join(base, key)}[{i}]")
    return v


def require_one_of(value: str, allowed: tuple[str, ...], path: str) -> str:
    if value in allowed:
        return value
    choices = ", ".join(allowed)
    raise InputError(f"unsupported value {value!r}: expected one of {choices}", path=path)


_INDEX = re.compile(r"\[\d+\]")


class Reporter:
    """Collects warnings; identical warnings (same key) are counted instead of repeated."""

    def __init__(self) -> None:
        self._entries: dict[Any, list] = {}

    def warn(self, key: Any, message: str) -> None:
        entry = self._entries.get(key)
        if entry is None:
            self._entries[key] = [message, 1]
        else:
            entry[1] += 1

    def messages(self) -> list[str]:
        out = []
        for message, count in self._entries.values():
            out.append(message if count == 1 else f"{message} (and {count - 1} more like it)")
        return out


class Where:
    """Location of the document being read (file, document index), plus the warning sink."""

    __slots__ = ("file", "doc", "reporter")

    def __init__(self, file: str | None, doc: int | None, reporter: Reporter | None) -> None:
        self.file = file
        self.doc = doc
        self.reporter = reporter

    def warn(self, path: str | None, message: str, key: Any = None) -> None:
        """Record a warning; ``key`` groups repeats (default: message with indices erased)."""
        if self.reporter is None:
            return
        text = str(InputError(message, file=self.file, doc=self.doc, path=path))
        if key is None:
            key = (_INDEX.sub("[*]", path or ""), message)
        self.reporter.warn(key, text)

    def check_keys(self, d: dict, known: frozenset[str], base: str | None, what: str) -> None:
        """Warn about fields podbench does not know (often typos that would change meaning)."""
        if d.keys() <= known:
            return
        for k in d:
            if k not in known:
                path = join(base, str(k))
                self.warn(
                    path,
                    f"unknown {what} field {k!r} ignored (check the spelling; the API server "
                    "rejects unknown fields under strict validation)",
                    key=("unknown-field", _INDEX.sub("[*]", path)),
                )
