"""Cells: scenarios x the product of the matrix dimensions x seeds, each a run to make.

Expansion also checks every cell before anything runs: its ``set`` keys against the
scenario schema (as ``--set`` does), and the scheduler configuration it ends up with
(config file plus overrides, exactly as the scenario loader will build it). A problem is an
``InputError`` naming the suite file and the entry that caused it.

A cell's *definition* is what determines its result: the scenario file's content, the
values set, the scheduler config's content, the seed and the podbench version. Its SHA-256
is stored with the cell, so a resumed suite reruns exactly the cells whose definition
changed. (Files a scenario itself refers to, such as manifests or pod streams, are not
hashed: rerun with ``--force`` after editing them.)
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bench.suite.schema import DimensionValue, ScenarioRef, Suite
from engine import __version__
from engine.errors import InputError
from engine.framework.config import apply_overrides, load_scheduler_settings
from workloads.scenario import apply_sets
from workloads.scenario.files import read_document

__all__ = ["CellSpec", "expand_cells", "set_item"]

CELLS_DIR = "cells"


@dataclass(frozen=True)
class CellSpec:
    """Everything a worker needs to run one cell (picklable: plain data only)."""

    index: int
    id: str
    variant: dict[str, str]
    seed: int
    scenario: str  # absolute path of the scenario file
    sets: tuple[str, ...]  # KEY=VALUE, as podbench run --set takes them
    dir: str  # relative to the suite directory
    hash: str
    definition: dict[str, Any] = field(default_factory=dict)


def set_item(key: str, value: Any) -> str:
    """``KEY=VALUE`` with VALUE written as YAML that reads back as ``value``."""
    text = yaml.safe_dump(value, default_flow_style=True, width=2**30, sort_keys=False)
    if text.endswith("\n...\n"):
        text = text[: -len("\n...\n")]
    return f"{key}={text.strip()}"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _raw(ref: ScenarioRef) -> dict:
    return read_document(ref.path, str(ref.path))


class _Files:
    """Hashes and scheduler configs of the files one expansion reads (each read once)."""

    def __init__(self) -> None:
        self._sha: dict[Path, str] = {}
        self._settings: dict[Path | None, tuple] = {}

    def sha256(self, path: Path) -> str:
        key = path.resolve()
        if key not in self._sha:
            self._sha[key] = _sha256(key)
        return self._sha[key]

    def settings(self, path: Path | None) -> tuple:
        if path not in self._settings:
            self._settings[path] = load_scheduler_settings(path)
        return self._settings[path]


class _Cell:
    """The ``set`` items of one (scenario, combination of values), with their origins."""

    def __init__(
        self, suite: Suite, ref: ScenarioRef, values: tuple[DimensionValue, ...], files: _Files
    ) -> None:
        self.suite, self.ref, self.values, self.files = suite, ref, values, files
        self.file = str(suite.source)

    def conflict_check(self) -> None:
        owners: dict[str, str] = {}
        for v in self.values:
            for key, _ in v.sets:
                if key in owners:
                    raise InputError(
                        f"{key!r} is set by both {owners[key]} and {v.where}; a cell combines one "
                        "value of every dimension, so two dimensions must not set the same key",
                        file=self.file,
                        path=f"{v.where}.set",
                    )
                owners[key] = v.where
        config = [v for v in self.values if v.config is not None]
        if len(config) > 1:
            raise InputError(
                f"the scheduler config is set by both {config[0].where} and {config[1].where}",
                file=self.file,
                path=f"{config[1].where}.config",
            )
        seen: dict[str, str] = {}
        for v in self.values:
            for key in v.overrides:
                if key in seen:
                    raise InputError(
                        f"override {key!r} is set by both {seen[key]} and {v.where}",
                        file=self.file,
                        path=f"{v.where}.overrides",
                    )
                seen[key] = v.where

    def steps(self) -> list[tuple[str, list[str]]]:
        """(where, KEY=VALUE items) in the order they apply: suite, scenario, dimensions."""
        out = [("set", [set_item(k, v) for k, v in self.suite.sets])]
        out.append((f"{self.ref.where}.set", [set_item(k, v) for k, v in self.ref.sets]))
        for v in self.values:
            items = [set_item(k, val) for k, val in v.sets]
            if v.config is not None:
                items.append(set_item("scheduler.config", str(v.config.resolve())))
            items += [set_item(f"scheduler.overrides.{k}", val) for k, val in v.overrides.items()]
            out.append((v.where, items))
        return [(where, items) for where, items in out if items]

    def apply(self, raw: dict) -> tuple[dict, tuple[str, ...]]:
        """The scenario document after every set, checked step by step."""
        doc, sets = raw, []
        for where, items in self.steps():
            try:
                doc = apply_sets(doc, items)
            except InputError as e:
                raise InputError(
                    f"{e.message} (applied to scenario {self.ref.given})",
                    file=self.file,
                    path=where,
                ) from None
            sets.extend(items)
        return doc, tuple(sets)

    def check_scheduler(self, doc: dict) -> None:
        """Build the profile the scenario loader will build (config file, then overrides)."""
        scheduler = doc.get("scheduler") or {}
        if not isinstance(scheduler, dict):
            return  # the scenario loader reports it, naming the scenario file
        config = scheduler.get("config")
        path = None
        if isinstance(config, str) and config:
            path = (self.ref.path.parent / config).resolve()
            if not path.is_file():
                return  # likewise: the loader names the scenario key
        overrides = scheduler.get("overrides")
        _, profile = self.files.settings(path)
        if not isinstance(overrides, dict) or not overrides:
            return
        try:
            apply_overrides(profile, overrides)
        except InputError as e:
            owner = next((v.where for v in self.values if e.path in v.overrides), None)
            where = f"{owner}.overrides" if owner else f"{self.ref.where}"
            detail = f" (field {e.path})" if e.path else ""
            raise InputError(
                f"scheduler overrides are invalid for scenario {self.ref.given}{detail}: "
                f"{e.message}",
                file=self.file,
                path=where,
            ) from None

    def definition(self, seed: int) -> dict[str, Any]:
        config = next((v.config for v in self.values if v.config is not None), None)
        return {
            "scenario_sha256": self.files.sha256(self.ref.path),
            "set": [[k, val] for k, val in self.suite.sets]
            + [[k, val] for k, val in self.ref.sets]
            + [[k, val] for v in self.values for k, val in v.sets],
            "config_sha256": self.files.sha256(config) if config is not None else None,
            "overrides": {k: val for v in self.values for k, val in v.overrides.items()},
            "seed": seed,
            "podbench": __version__,
        }


def _seed_of(doc: dict, file: str, where: str, scenario: str) -> int:
    seed = doc.get("seed", 0)
    if seed is None:
        seed = 0
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError(
            f"the suite has no seeds list, so cells use the scenario's seed, and {scenario} "
            f"has seed {seed!r} (expected an integer >= 0)",
            file=file,
            path=where,
        )
    return seed


def cell_id(variant: dict[str, str], seed: int) -> str:
    return ",".join([*(f"{k}={v}" for k, v in variant.items()), f"seed={seed}"])


def _hash(definition: dict[str, Any]) -> str:
    text = json.dumps(definition, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def expand_cells(suite: Suite) -> list[CellSpec]:
    """Every cell of the suite, checked, in a stable order: scenario, values (matrix order,
    last dimension fastest), seed."""
    several = len(suite.scenarios) > 1
    combos = list(itertools.product(*(d.values for d in suite.dimensions)))
    cells: list[CellSpec] = []
    files = _Files()
    for ref in suite.scenarios:
        raw = _raw(ref)
        for values in combos:
            cell = _Cell(suite, ref, values, files)
            cell.conflict_check()
            doc, sets = cell.apply(raw)
            cell.check_scheduler(doc)
            variant = {"scenario": ref.name} if several else {}
            variant.update({d.name: v.label for d, v in zip(suite.dimensions, values, strict=True)})
            seeds = suite.seeds
            if seeds is None:
                seeds = (_seed_of(doc, str(suite.source), ref.where, ref.given),)
            for seed in seeds:
                # plain JSON (YAML dates and the like as text): it goes into cell.json
                definition = json.loads(json.dumps(cell.definition(seed), default=str))
                cid = cell_id(variant, seed)
                cells.append(
                    CellSpec(
                        index=len(cells),
                        id=cid,
                        variant=dict(variant),
                        seed=seed,
                        scenario=str(ref.path.resolve()),
                        sets=sets,
                        dir=f"{CELLS_DIR}/{cid}",
                        hash=_hash(definition),
                        definition=definition,
                    )
                )
    return cells
