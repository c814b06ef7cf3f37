"""engine.quantity: the resource.Quantity grammar and the scheduler's rounding.

Expected values are worked out by hand from the rules in
/work/shared/spec/controllers-and-admission.md section 7 (apimachinery quantity.go): decimal
suffixes are powers of 10, binary suffixes powers of 2, the API rounds every value up to milli
precision, cpu is read as MilliValue() and everything else as Value() (both round up).
"""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from engine.errors import InputError
from engine.quantity import (
    INT64_MAX,
    format_bytes,
    format_millicores,
    parse_quantity,
    resource_value,
    to_millis,
    to_units,
)

# Multipliers written out independently of the module under test.
DECIMAL = {
    "n": Fraction(1, 1_000_000_000),
    "u": Fraction(1, 1_000_000),
    "m": Fraction(1, 1_000),
    "": Fraction(1),
    "k": Fraction(1_000),
    "M": Fraction(1_000_000),
    "G": Fraction(1_000_000_000),
    "T": Fraction(1_000_000_000_000),
    "P": Fraction(1_000_000_000_000_000),
    "E": Fraction(1_000_000_000_000_000_000),
}
BINARY = {
    "Ki": 1024,
    "Mi": 1024 * 1024,
    "Gi": 1024 * 1024 * 1024,
    "Ti": 1024**4,
    "Pi": 1024**5,
    "Ei": 1024**6,
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", Fraction(0)),
        ("1", Fraction(1)),
        ("250m", Fraction(1, 4)),
        ("5n", Fraction(5, 10**9)),
        ("7u", Fraction(7, 10**6)),
        ("2k", Fraction(2000)),
        ("3M", Fraction(3 * 10**6)),
        ("4G", Fraction(4 * 10**9)),
        ("5T", Fraction(5 * 10**12)),
        ("6P", Fraction(6 * 10**15)),
        ("7E", Fraction(7 * 10**18)),  # a bare E is exa, not an exponent
        ("1Ki", Fraction(1024)),
        ("1Mi", Fraction(1_048_576)),
        ("1Gi", Fraction(1_073_741_824)),
        ("1Ti", Fraction(1_099_511_627_776)),
        ("1Pi", Fraction(1_125_899_906_842_624)),
        ("1Ei", Fraction(1_152_921_504_606_846_976)),
        ("1.5Gi", Fraction(1_610_612_736)),  # 1.5 * 2^30
        ("0.5Gi", Fraction(536_870_912)),
        # decimal exponents, both cases and both signs
        ("1e3", Fraction(1000)),
        ("1E3", Fraction(1000)),
        ("12e6", Fraction(12_000_000)),
        ("1e+3", Fraction(1000)),
        ("1e-3", Fraction(1, 1000)),
        ("2.5e-2", Fraction(1, 40)),  # 0.025
        # fractions: leading dot, trailing dot
        (".5", Fraction(1, 2)),
        ("1.", Fraction(1)),
        ("1.m", Fraction(1, 1000)),
        ("0.25", Fraction(1, 4)),
        # signs
        ("+1", Fraction(1)),
        ("-1", Fraction(-1)),
        ("-.5Ki", Fraction(-512)),
        ("+100m", Fraction(1, 10)),
    ],
)
def test_grammar(text: str, expected: Fraction) -> None:
    assert parse_quantity(text) == expected


@pytest.mark.parametrize(
    ("text", "millicores"),
    [
        ("1", 1000),
        ("100m", 100),
        ("0.5", 500),
        ("2.0001", 2001),  # 2000.1m rounds up
        ("0.0001", 1),  # 100 micro-cores = 0.1m, rounded up to 1m ("if you ask for some...")
        ("0.0005", 1),  # 0.5m -> 1m
        ("0.5m", 1),
        ("3000023n", 4),  # 3.000023m -> 4m
        ("1n", 1),  # 0.000001m -> 1m
        ("1500u", 2),  # 1.5m -> 2m
        ("1000000n", 1),  # exactly 1m: no rounding
        ("0", 0),
        ("1k", 1_000_000),
    ],
)
def test_cpu_rounds_up_to_whole_millicores(text: str, millicores: int) -> None:
    assert to_millis(text) == millicores
    assert resource_value("cpu", text) == millicores


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("400m", 1),  # 0.4 byte -> Value() rounds up to 1
        ("1.5", 2),
        ("1000m", 1),
        ("1001m", 2),
        ("128Mi", 134_217_728),
        ("1G", 1_000_000_000),
        ("1e3", 1000),
        ("0", 0),
    ],
)
def test_non_cpu_resources_round_up_to_whole_units(text: str, units: int) -> None:
    assert to_units(text) == units
    assert resource_value("memory", text) == units
    assert resource_value("nvidia.com/gpu", text) == units


@pytest.mark.parametrize(
    "text",
    ["", "1KB", "ki", "1.2.3", "--1", "1e", "e3", "1K", "Gi", "1 Gi", "0x10", "1e3.5", "+-1"],
)
def test_invalid_strings_name_the_field(text: str) -> None:
    path = "spec.containers[0].resources.requests.memory"
    with pytest.raises(InputError) as err:
        to_units(text, path)
    assert err.value.path == path
    assert path in str(err.value)


@pytest.mark.parametrize("value", [None, True, False, [1], {"a": 1}, float("inf"), float("nan")])
def test_non_quantity_values_are_rejected(value: object) -> None:
    with pytest.raises(InputError) as err:
        to_millis(value, "spec.overhead.cpu")
    assert "spec.overhead.cpu" in str(err.value)


def test_negative_values_parse_but_are_not_resources() -> None:
    assert parse_quantity("-100m") == Fraction(-1, 10)
    with pytest.raises(InputError, match="greater than or equal to 0"):
        to_millis("-100m", "spec.containers[0].resources.requests.cpu")
    with pytest.raises(InputError, match="greater than or equal to 0"):
        to_units("-1Ki", "status.allocatable.memory")


def test_int64_bounds() -> None:
    # memory: 2^63 - 1 bytes is the largest value; 8Ei = 2^63 is one too many.
    assert to_units(str(INT64_MAX)) == 2**63 - 1
    with pytest.raises(InputError, match="int64"):
        to_units("8Ei", "status.capacity.memory")
    # cpu is stored in millicores: INT64_MAX millicores fits, one more does not, and a
    # core count whose milli value passes 2^63 - 1 overflows too.
    assert to_millis(f"{INT64_MAX}m") == INT64_MAX
    with pytest.raises(InputError, match="int64"):
        to_millis(f"{INT64_MAX + 1}m")
    with pytest.raises(InputError, match="int64"):
        to_millis("9223372036854776")  # 9.223372036854776e15 cores * 1000 > 2^63 - 1


def test_yaml_and_json_numbers() -> None:
    doc = yaml.safe_load("a: 0.5\nb: 2\nc: 1.0e+3\nd: 1e3\n")
    assert to_millis(doc["a"]) == 500
    assert to_millis(doc["b"]) == 2000
    assert to_units(doc["c"]) == 1000  # a YAML float
    assert doc["d"] == "1e3"  # YAML 1.1 reads 1e3 as a string; it is still a quantity
    assert to_units(doc["d"]) == 1000
    assert to_units(json.loads("1e3")) == 1000  # JSON reads it as the float 1000.0
    assert to_millis(json.loads("0.1")) == 100  # decimal text, not binary float error
    assert to_millis(json.loads("0.00001")) == 1  # 0.01m rounds up


def test_formatting_for_people() -> None:
    assert format_millicores(1500) == "1500m"
    assert format_millicores(2000) == "2"
    assert format_bytes(3 * 2**30) == "3Gi"
    assert format_bytes(1536 * 2**20) == "1536Mi"
    assert format_bytes(1000) == "1000"
    assert format_bytes(0) == "0"


SUFFIXES = st.sampled_from(sorted({**DECIMAL, **{k: Fraction(v) for k, v in BINARY.items()}}))


@given(n=st.integers(min_value=-(10**12), max_value=10**12), suffix=SUFFIXES)
def test_integer_times_suffix_is_exact(n: int, suffix: str) -> None:
    multiplier = DECIMAL[suffix] if suffix in DECIMAL else Fraction(BINARY[suffix])
    assert parse_quantity(f"{n}{suffix}") == n * multiplier


@given(
    n=st.integers(min_value=0, max_value=10**9),
    exponent=st.integers(min_value=-12, max_value=12),
    letter=st.sampled_from("eE"),
)
def test_integer_times_exponent_is_exact(n: int, exponent: int, letter: str) -> None:
    assert parse_quantity(f"{n}{letter}{exponent}") == n * Fraction(10) ** exponent


@given(n=st.integers(min_value=0, max_value=10**12), suffix=st.sampled_from(sorted(DECIMAL)))
def test_cpu_millicores_are_the_ceiling_or_an_overflow_error(n: int, suffix: str) -> None:
    # MilliValue(): the smallest integer number of millicores that is >= the quantity,
    # provided it fits in int64.
    exact = n * DECIMAL[suffix] * 1000
    if exact > INT64_MAX:
        with pytest.raises(InputError, match="int64"):
            to_millis(f"{n}{suffix}")
        return
    millis = to_millis(f"{n}{suffix}")
    assert millis - 1 < exact <= millis
