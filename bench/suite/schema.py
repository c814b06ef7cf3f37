"""Suite files (docs/suites.md): the format, its validation and the resolved ``Suite``.

A suite names scenarios, a matrix of variant dimensions and seeds; the runner expands it
into cells (``bench.suite.cells``). Everything here is checked when the file is read, so a
misspelt key or a missing file is an error naming the suite file and the key, before any
cell runs. Paths are relative to the suite file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.errors import InputError
from engine.framework.config import load_scheduler_settings
from workloads.fields import describe, join
from workloads.scenario.files import read_document
from workloads.scenario.schema import suggest

__all__ = [
    "API_VERSION",
    "KIND",
    "RESERVED_DIMENSIONS",
    "Dimension",
    "DimensionValue",
    "ScenarioRef",
    "Suite",
    "load_suite",
]

API_VERSION = "podbench/v1"
KIND = "Suite"
SUITE_KEYS = ("apiVersion", "kind", "name", "description", "scenarios", "set", "matrix", "seeds")
SCENARIO_KEYS = ("file", "name", "set")
VALUE_KEYS = ("label", "description", "set", "config", "overrides")
# Variant keys the runner adds itself (``scenario`` when there are several; seeds are apart).
RESERVED_DIMENSIONS = ("scenario", "seed")
LABEL_HELP = (
    "letters, digits, '.', '_' and '-', starting and ending with a letter or digit, "
    "at most 63 characters"
)
_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?")

SetItems = tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class ScenarioRef:
    """One scenario of the suite: ``name`` (variant value), the file, its own ``set``."""

    name: str
    path: Path
    given: str
    sets: SetItems
    where: str  # e.g. scenarios[1]


@dataclass(frozen=True)
class DimensionValue:
    """One value of a matrix dimension: a label and what it changes in the cell."""

    label: str
    where: str  # e.g. matrix.scheduler[1]
    description: str = ""
    sets: SetItems = ()
    config: Path | None = None
    config_given: str | None = None
    overrides: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Dimension:
    name: str
    values: tuple[DimensionValue, ...]


@dataclass(frozen=True)
class Suite:
    name: str
    description: str
    source: Path
    scenarios: tuple[ScenarioRef, ...]
    sets: SetItems
    dimensions: tuple[Dimension, ...]
    seeds: tuple[int, ...] | None  # None: every scenario keeps its own seed

    @property
    def base_dir(self) -> Path:
        return self.source.parent


class _Reader:
    """Located errors for one suite file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file = str(path)

    def error(self, where: str | None, message: str) -> InputError:
        return InputError(message, file=self.file, path=where or None)

    def keys(self, raw: object, where: str, known: tuple[str, ...], what: str) -> dict:
        if not isinstance(raw, dict):
            raise self.error(where, f"expected a map ({what}), got {describe(raw)}")
        for key in raw:
            if key not in known:
                raise self.error(
                    f"{where}.{key}" if where else str(key),
                    f"unknown key {key!r} in {what}{suggest(key, known)} "
                    f"(known keys: {', '.join(known)})",
                )
        return raw

    def label(self, value: object, where: str, what: str) -> str:
        if not isinstance(value, str) or not _LABEL.fullmatch(value):
            raise self.error(where, f"expected a {what}: {LABEL_HELP}; got {describe(value)}")
        return value

    def text(self, d: dict, key: str, where: str) -> str:
        value = d.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise self.error(join(where, key), f"expected a string, got {describe(value)}")
        return value

    def file_path(self, value: object, where: str, what: str) -> tuple[Path, str]:
        if not isinstance(value, str) or not value:
            raise self.error(where, f"expected a {what} path (string), got {describe(value)}")
        resolved = self.path.parent / value
        if not resolved.is_file():
            problem = "is a directory" if resolved.is_dir() else "not found"
            raise self.error(
                where,
                f"{what} {problem}: {value!r} (resolved relative to the suite file to "
                f"{resolved})",
            )
        return resolved, value

    def sets(self, raw: object, where: str) -> SetItems:
        """``set:`` is a map of scenario key path (as ``--set`` takes it) -> value."""
        if raw is None:
            return ()
        if not isinstance(raw, dict):
            raise self.error(
                where,
                f"expected a map of scenario key -> value (like --set KEY=VALUE), got "
                f"{describe(raw)}",
            )
        for key in raw:
            if not isinstance(key, str) or not key.strip():
                raise self.error(where, f"keys must be scenario key paths, got {describe(key)}")
        return tuple(raw.items())


def load_suite(path: str | Path) -> Suite:
    """Read and validate a suite file; raises ``InputError`` naming the file and key."""
    source = Path(path)
    r = _Reader(source)
    top = r.keys(read_document(source, str(source), "suite"), "", SUITE_KEYS, "a suite")
    for key, expected in (("apiVersion", API_VERSION), ("kind", KIND)):
        if top.get(key) is not None and top[key] != expected:
            raise r.error(key, f"expected {expected!r}, got {top[key]!r}")
    name = top.get("name")
    name = source.stem if name is None else r.label(name, "name", "suite name")
    return Suite(
        name=name,
        description=r.text(top, "description", ""),
        source=source,
        scenarios=_scenarios(r, top.get("scenarios")),
        sets=r.sets(top.get("set"), "set"),
        dimensions=_matrix(r, top.get("matrix")),
        seeds=_seeds(r, top.get("seeds")),
    )


def _scenarios(r: _Reader, raw: object) -> tuple[ScenarioRef, ...]:
    if raw is None:
        raise r.error("scenarios", "is required: a list of scenario files (relative to the suite)")
    if not isinstance(raw, list) or not raw:
        raise r.error("scenarios", f"expected a non-empty list of scenario files, got {describe(raw)}")
    refs: list[ScenarioRef] = []
    seen: dict[str, str] = {}
    for i, entry in enumerate(raw):
        where = f"scenarios[{i}]"
        if isinstance(entry, str):
            entry = {"file": entry}
        d = r.keys(entry, where, SCENARIO_KEYS, "a scenario entry: a path or {file, name, set}")
        if d.get("file") is None:
            raise r.error(f"{where}.file", "is required: the scenario file")
        path, given = r.file_path(d["file"], f"{where}.file", "scenario file")
        if d.get("name") is None:
            name = r.label(path.stem, f"{where}.file", "scenario name (from the file name)")
        else:
            name = r.label(d["name"], f"{where}.name", "scenario name")
        if name in seen:
            raise r.error(
                where,
                f"scenario name {name!r} is already used by {seen[name]}; give one of them "
                "another name: (scenarios: [{file: ..., name: ...}])",
            )
        seen[name] = where
        refs.append(ScenarioRef(name, path, given, r.sets(d.get("set"), f"{where}.set"), where))
    return tuple(refs)


def _matrix(r: _Reader, raw: object) -> tuple[Dimension, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise r.error("matrix", f"expected a map of dimension name -> list of values, got {describe(raw)}")
    dims = []
    for name, values in raw.items():
        where = f"matrix.{name}"
        r.label(name, where, "dimension name")
        if name in RESERVED_DIMENSIONS:
            raise r.error(
                where,
                f"{name!r} is reserved ({'the list of seeds' if name == 'seed' else 'the scenarios list'} "
                "makes that dimension); choose another dimension name",
            )
        if not isinstance(values, list) or not values:
            raise r.error(where, f"expected a non-empty list of values, got {describe(values)}")
        parsed = [_value(r, v, f"{where}[{j}]") for j, v in enumerate(values)]
        labels: dict[str, str] = {}
        for v in parsed:
            if v.label in labels:
                raise r.error(f"{v.where}.label", f"label {v.label!r} is already used by {labels[v.label]}")
            labels[v.label] = v.where
        dims.append(Dimension(name, tuple(parsed)))
    return tuple(dims)


def _value(r: _Reader, raw: object, where: str) -> DimensionValue:
    if isinstance(raw, str):  # a bare label: a variant that changes nothing (the baseline)
        raw = {"label": raw}
    d = r.keys(raw, where, VALUE_KEYS, "a dimension value: {label, set, config, overrides}")
    if d.get("label") is None:
        raise r.error(f"{where}.label", "is required: names the value in cell ids and reports")
    label = r.label(d["label"], f"{where}.label", "label")
    config = config_given = None
    if d.get("config") is not None:
        config, config_given = r.file_path(d["config"], f"{where}.config", "scheduler config file")
        load_scheduler_settings(config)  # a broken config file fails now, naming that file
    overrides = d.get("overrides")
    if overrides is None:
        overrides = {}
    elif not isinstance(overrides, dict) or not overrides:
        raise r.error(
            f"{where}.overrides",
            f"expected a map of scheduler override -> value (e.g. scoringStrategy: MostAllocated), "
            f"got {describe(overrides)}",
        )
    for key in overrides:
        if not isinstance(key, str):
            raise r.error(f"{where}.overrides", f"override keys must be strings, got {describe(key)}")
    return DimensionValue(
        label=label,
        where=where,
        description=r.text(d, "description", where),
        sets=r.sets(d.get("set"), f"{where}.set"),
        config=config,
        config_given=config_given,
        overrides=dict(overrides),
    )


def _seeds(r: _Reader, raw: object) -> tuple[int, ...] | None:
    if raw is None:
        return None
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = [raw]
    if not isinstance(raw, list) or not raw:
        raise r.error("seeds", f"expected a non-empty list of integers >= 0, got {describe(raw)}")
    seen: set[int] = set()
    for i, s in enumerate(raw):
        if isinstance(s, bool) or not isinstance(s, int) or s < 0:
            raise r.error(f"seeds[{i}]", f"expected an integer >= 0, got {describe(s)}")
        if s in seen:
            raise r.error(f"seeds[{i}]", f"seed {s} is listed twice")
        seen.add(s)
    return tuple(raw)
