"""Kubernetes resource quantities (``resource.Quantity``) parsed exactly.

Grammar (apimachinery ``quantity.go``): an optionally signed decimal number followed by a
binary SI suffix (Ki..Ei), a decimal SI suffix (n u m "" k M G T P E) or a decimal exponent
(``e``/``E`` followed by a signed integer). Values are kept as exact fractions; API defaulting
rounds every resource value up to milli precision, so cpu becomes integer millicores
(``ceil(v * 1000)``) and every other resource integer base units (``ceil(v)``), as the
scheduler's ``MilliValue()`` / ``Value()`` do.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

from engine.errors import InputError

_NUMBER = re.compile(r"^([+-]?)(\d+\.?\d*|\.\d+)(.*)$")
_EXPONENT = re.compile(r"^[eE]([+-]?\d+)$")

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {
    "n": Fraction(1, 10**9),
    "u": Fraction(1, 10**6),
    "m": Fraction(1, 10**3),
    "": Fraction(1),
    "k": Fraction(10**3),
    "M": Fraction(10**6),
    "G": Fraction(10**9),
    "T": Fraction(10**12),
    "P": Fraction(10**15),
    "E": Fraction(10**18),
}
INT64_MAX = 2**63 - 1


def parse_quantity(value: object, path: str | None = None) -> Fraction:
    """Parse a quantity string (or a YAML/JSON number) into an exact fraction.

    Raises ``InputError`` naming ``path`` when the text does not follow the grammar.
    """
    if isinstance(value, bool) or value is None:
        raise InputError(f"expected a quantity such as '500m' or '2Gi', got {value!r}", path=path)
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InputError(f"expected a finite quantity, got {value!r}", path=path)
        text = repr(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise InputError(
            f"expected a quantity such as '500m' or '2Gi', got {type(value).__name__}", path=path
        )
    m = _NUMBER.match(text)
    if not m:
        raise InputError(
            f"quantity {text!r} does not match the Kubernetes grammar (e.g. '100m', '1.5Gi', '2e3')",
            path=path,
        )
    sign, digits, suffix = m.groups()
    number = Fraction(digits if not digits.endswith(".") else digits[:-1])
    if suffix in _BINARY:
        scale = Fraction(_BINARY[suffix])
    elif suffix in _DECIMAL:
        scale = _DECIMAL[suffix]
    else:
        exp = _EXPONENT.match(suffix)
        if not exp:
            raise InputError(
                f"quantity {text!r} has an unknown suffix {suffix!r} "
                "(expected one of n u m k M G T P E, Ki Mi Gi Ti Pi Ei, or an exponent like e3)",
                path=path,
            )
        power = int(exp.group(1))
        if abs(power) > 1000:
            raise InputError(f"quantity {text!r} has an exponent out of range", path=path)
        scale = Fraction(10) ** power
    result = number * scale
    return -result if sign == "-" else result


def _ceil(value: Fraction) -> int:
    return -((-value.numerator) // value.denominator)


def _checked(result: int, text: object, path: str | None, unit: str) -> int:
    if result < 0:
        raise InputError(f"quantity {text!r} must be greater than or equal to 0", path=path)
    if result > INT64_MAX:
        raise InputError(f"quantity {text!r} is too large ({unit} must fit in int64)", path=path)
    return result


def to_millis(value: object, path: str | None = None) -> int:
    """Quantity as integer milli-units rounded up (cpu: ``500m`` -> 500, ``0.0001`` -> 1)."""
    q = parse_quantity(value, path)
    return _checked(_ceil(q * 1000), value, path, "milli-units")


def to_units(value: object, path: str | None = None) -> int:
    """Quantity as integer base units rounded up (memory ``1.5`` -> 2 bytes, ``1Ki`` -> 1024)."""
    q = parse_quantity(value, path)
    return _checked(_ceil(q), value, path, "units")


def resource_value(name: str, value: object, path: str | None = None) -> int:
    """The integer the scheduler uses for resource ``name``: millicores for cpu, else units."""
    return to_millis(value, path) if name == "cpu" else to_units(value, path)


def format_millicores(m: int) -> str:
    """Render millicores compactly for people ('250m', '4')."""
    return f"{m // 1000}" if m % 1000 == 0 else f"{m}m"


def format_bytes(b: int) -> str:
    """Render bytes with the largest exact binary suffix ('512Mi', '3Gi', '1000')."""
    for suffix, size in (("Ei", 2**60), ("Pi", 2**50), ("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10)):
        if b and b % size == 0:
            return f"{b // size}{suffix}"
    return str(b)
