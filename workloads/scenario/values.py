"""Scalar syntax of scenario files (durations, rates) and typed readers with located errors.

Every reader takes the key path of the value (``workload.generators[0].arrivals.rate``) and
raises ``InputError`` naming the scenario file, that path, what was expected and what was
found. ``Context`` carries the file, its folder (scenario paths are relative to it) and
the warnings collected while loading.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from pathlib import Path

from engine.errors import InputError
from workloads.fields import describe, join
from workloads.scenario.schema import Map, suggest

__all__ = ["parse_duration", "parse_rate", "format_duration", "Context"]

_UNIT_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
_DURATION_PART = re.compile(r"([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ms|s|m|h|d)")
_RATE = re.compile(r"\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*/\s*(ms|s|m|h|d)\s*")
_DURATION_HELP = (
    "a duration: an integer number of milliseconds, or a string like 250ms, 30s, 5m, 2h, "
    "1d or 1h30m"
)
_RATE_HELP = "a rate like 2/s, 30/m, 0.5/h or 100/d (arrivals per unit of time)"
INT64_MAX = 2**63 - 1


def parse_duration(value: object, path: str | None = None) -> int:
    """Milliseconds from an integer (ms) or a string of number+unit parts (units ms, s, m, h,
    d; decimals allowed if the total is a whole number of ms)."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise InputError(f"must not be negative, got {value}", path=path)
        return value
    if not isinstance(value, str):
        hint = " (write it as a string, e.g. '1.5s')" if isinstance(value, float) else ""
        raise InputError(f"expected {_DURATION_HELP}, got {describe(value)}{hint}", path=path)
    text = value.strip()
    if text == "0":
        return 0
    if text.startswith("-"):
        raise InputError(f"must not be negative, got {value!r}", path=path)
    pos, total = 0, Fraction(0)
    for m in _DURATION_PART.finditer(text):
        if m.start() != pos:
            break
        total += Fraction(m.group(1)) * _UNIT_MS[m.group(2)]
        pos = m.end()
    if pos != len(text) or not text:
        hint = " (a bare number needs a unit, or write it without quotes for milliseconds)"
        hint = hint if text.replace(".", "", 1).isdigit() else ""
        raise InputError(f"expected {_DURATION_HELP}, got {value!r}{hint}", path=path)
    if total.denominator != 1:
        raise InputError(f"must be a whole number of milliseconds, got {value!r}", path=path)
    if total > INT64_MAX:
        raise InputError(f"is too large, got {value!r}", path=path)
    return int(total)


def format_duration(ms: int) -> str:
    """Compact human form of a duration in ms ('1h30m', '250ms', '0s')."""
    if ms == 0:
        return "0s"
    parts = []
    for unit in ("d", "h", "m", "s", "ms"):
        size = _UNIT_MS[unit]
        if ms >= size:
            parts.append(f"{ms // size}{unit}")
            ms %= size
    return "".join(parts)


def parse_rate(value: object, path: str | None = None) -> Fraction:
    """Arrivals per millisecond (exact) from a string like ``2/s``."""
    if not isinstance(value, str):
        hint = ""
        if isinstance(value, int | float) and not isinstance(value, bool):
            hint = f" (add a unit, e.g. '{value}/s')"
        raise InputError(f"expected {_RATE_HELP}, got {describe(value)}{hint}", path=path)
    m = _RATE.fullmatch(value)
    if not m:
        if value.strip().startswith("-"):
            raise InputError(f"must not be negative, got {value!r}", path=path)
        raise InputError(f"expected {_RATE_HELP}, got {value!r}", path=path)
    return Fraction(m.group(1)) / _UNIT_MS[m.group(2)]


class Context:
    """Where the scenario being read lives, and the warnings found so far."""

    def __init__(self, file: str, base_dir: Path) -> None:
        self.file = file
        self.base_dir = base_dir
        self.warnings: list[str] = []

    # -- reporting

    def error(self, path: str | None, message: str) -> InputError:
        return InputError(message, file=self.file, path=path)

    def warn(self, path: str | None, message: str) -> None:
        self.warnings.append(str(InputError(message, file=self.file, path=path)))

    # -- structure

    def section(self, raw: object, path: str, schema: Map, *, required: bool = False) -> dict:
        """A mapping checked against ``schema`` (unknown keys are errors); {} when absent."""
        if raw is None:
            if required:
                raise self.error(path, f"is required ({schema.what})")
            return {}
        if not isinstance(raw, dict):
            raise self.error(path or None, f"expected a map ({schema.what}), got {describe(raw)}")
        for key in raw:
            if key not in schema.fields:
                known = ", ".join(schema.fields)
                raise self.error(
                    join(path, str(key)),
                    f"unknown key {key!r} in {schema.what}{suggest(key, schema.fields)} "
                    f"(known keys: {known})",
                )
        return raw

    def items(self, raw: object, path: str) -> list:
        if raw is None:
            return []
        if not isinstance(raw, list):
            raise self.error(path, f"expected a list, got {describe(raw)}")
        return raw

    def resolve(self, given: object, path: str, what: str = "file") -> Path:
        """A path relative to the scenario file, which must exist."""
        if not isinstance(given, str) or not given:
            raise self.error(path, f"expected a {what} path (string), got {describe(given)}")
        resolved = self.base_dir / given
        if not resolved.exists():
            raise self.error(
                path,
                f"{what} not found: {given!r} (resolved relative to the scenario file to "
                f"{resolved})",
            )
        return resolved

    # -- scalars

    def duration(self, d: dict, key: str, base: str, default: int | None = None) -> int:
        value = d.get(key)
        if value is None:
            if default is None:
                raise self.error(join(base, key), f"is required: {_DURATION_HELP}")
            return default
        return self.duration_value(value, join(base, key))

    def duration_value(self, value: object, path: str) -> int:
        try:
            return parse_duration(value, path)
        except InputError as e:
            raise e.located(file=self.file) from None

    def rate(self, value: object, path: str) -> Fraction:
        try:
            return parse_rate(value, path)
        except InputError as e:
            raise e.located(file=self.file) from None

    def integer(
        self, d: dict, key: str, base: str, default: int | None = None, *, lo: int = 0
    ) -> int | None:
        value = d.get(key)
        path = join(base, key)
        if value is None:
            return default
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.error(path, f"expected an integer, got {describe(value)}")
        if value < lo:
            raise self.error(path, f"must be >= {lo}, got {value}")
        if value > INT64_MAX:
            raise self.error(path, f"is too large, got {value}")
        return value

    def number(
        self,
        d: dict,
        key: str,
        base: str,
        default: float | None = None,
        *,
        lo: float = 0.0,
        hi: float = math.inf,
        open_lo: bool = False,
    ) -> float:
        value = d.get(key)
        path = join(base, key)
        if value is None:
            if default is None:
                raise self.error(path, "is required: a number")
            return default
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise self.error(path, f"expected a number, got {describe(value)}")
        value = float(value)
        if not math.isfinite(value):
            raise self.error(path, f"expected a finite number, got {value!r}")
        if value < lo or (open_lo and value == lo) or value > hi:
            low = f"> {lo:g}" if open_lo else f">= {lo:g}"
            rng = low if hi == math.inf else f"{low} and <= {hi:g}"
            raise self.error(path, f"must be {rng}, got {value:g}")
        return value

    def string(self, d: dict, key: str, base: str, default: str | None = None) -> str:
        value = d.get(key)
        if value is None:
            if default is None:
                raise self.error(join(base, key), "is required: a string")
            return default
        if not isinstance(value, str):
            raise self.error(join(base, key), f"expected a string, got {describe(value)}")
        return value

    def choice(self, d: dict, key: str, base: str, allowed: tuple[str, ...], default: str) -> str:
        value = self.string(d, key, base, default)
        if value not in allowed:
            raise self.error(
                join(base, key),
                f"expected one of {', '.join(allowed)}, got {value!r}{suggest(value, allowed)}",
            )
        return value

    def boolean(self, d: dict, key: str, base: str, default: bool = False) -> bool:
        value = d.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.error(join(base, key), f"expected true or false, got {describe(value)}")
        return value

    def str_map(self, d: dict, key: str, base: str) -> dict[str, str]:
        value = d.get(key)
        path = join(base, key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.error(path, f"expected a map of strings, got {describe(value)}")
        for k, v in value.items():
            if not isinstance(k, str):
                raise self.error(path, f"expected string keys, got {describe(k)}")
            if not isinstance(v, str):
                hint = (
                    ' (quote it in YAML, e.g. "true")' if isinstance(v, bool | int | float) else ""
                )
                raise self.error(f"{path}.{k}", f"expected a string, got {describe(v)}{hint}")
        return dict(value)
