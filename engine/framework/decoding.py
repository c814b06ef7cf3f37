"""Strict decoding of scheduler configuration objects, as kube-scheduler decodes them.

Upstream decodes ``KubeSchedulerConfiguration`` and plugin args strictly (unknown or
wrongly-cased fields are errors) into typed Go structs: an ``int32`` field rejects strings,
floats and out-of-range numbers, a ``string`` field rejects numbers. ``null`` leaves a field
unset. These helpers reproduce that and raise ``ConfigError`` naming the field path, so the
config loader and every plugin's ``parse_args`` report errors the same way.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from engine.errors import ConfigError

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)

API_VERSION = "kubescheduler.config.k8s.io/v1"


def child(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def index(path: str, i: int) -> str:
    return f"{path}[{i}]"


def fail(path: str, message: str) -> ConfigError:
    return ConfigError(message, path=path or None)


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return f"a number ({value!r})"
    if isinstance(value, str):
        return f"a string ({value!r})"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def mapping(value: object, path: str) -> Mapping[str, Any]:
    """A JSON object; ``null`` decodes as an empty one."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise fail(path, f"expected a mapping, got {_type_name(value)}")
    return value


def check_fields(obj: Mapping[str, Any], allowed: Iterable[str], path: str, what: str) -> None:
    """Strict decoding: every key must be a field of the Go struct (case-sensitive)."""
    allowed = tuple(allowed)
    for key in obj:
        if key not in allowed:
            where = child(path, str(key))
            hint = next((a for a in allowed if a.lower() == str(key).lower()), None)
            if hint is None:
                close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.75)
                hint = close[0] if close else None
            extra = f' (did you mean "{hint}"?)' if hint else ""
            raise fail(
                where,
                f'unknown field "{key}" in {what}{extra}; known fields: {", ".join(allowed)}',
            )


def integer(value: object, path: str, bounds: tuple[int, int] = INT32) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise fail(path, f"expected an integer, got {_type_name(value)}")
    lo, hi = bounds
    if not lo <= value <= hi:
        raise fail(path, f"{value} does not fit the field's integer type (range [{lo}, {hi}])")
    return value


def opt_int(obj: Mapping[str, Any], key: str, path: str, bounds=INT32) -> int | None:
    value = obj.get(key)
    return None if value is None else integer(value, child(path, key), bounds)


def string(value: object, path: str) -> str:
    if not isinstance(value, str):
        hint = " (quote it in YAML)" if isinstance(value, int | float | bool) else ""
        raise fail(path, f"expected a string, got {_type_name(value)}{hint}")
    return value


def opt_str(obj: Mapping[str, Any], key: str, path: str, default: str = "") -> str:
    value = obj.get(key)
    return default if value is None else string(value, child(path, key))


def opt_bool(obj: Mapping[str, Any], key: str, path: str, default: bool = False) -> bool:
    value = obj.get(key)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise fail(child(path, key), f"expected true or false, got {_type_name(value)}")
    return value


def opt_list(obj: Mapping[str, Any], key: str, path: str) -> list[Any]:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise fail(child(path, key), f"expected a list, got {_type_name(value)}")
    return list(value)


def string_list(obj: Mapping[str, Any], key: str, path: str) -> tuple[str, ...]:
    p = child(path, key)
    return tuple(string(v, index(p, i)) for i, v in enumerate(opt_list(obj, key, path)))


def args_body(raw: object, kind: str, path: str) -> Mapping[str, Any]:
    """Plugin args: an object that may carry ``apiVersion``/``kind`` naming its own type."""
    obj = mapping(raw, path)
    api_version = obj.get("apiVersion")
    if api_version is not None and api_version != API_VERSION:
        raise fail(
            child(path, "apiVersion"),
            f"expected {API_VERSION!r} (or omit it), got {api_version!r}",
        )
    got_kind = obj.get("kind")
    if got_kind is not None and got_kind != kind:
        raise fail(child(path, "kind"), f"args must be of kind {kind!r}, got {got_kind!r}")
    return {k: v for k, v in obj.items() if k not in ("apiVersion", "kind")}
