"""``suite.json``: the suite directory's index of cells, rewritten atomically after each cell.

The format is the one ``reports`` reads (docs/reports.md): suite name, description and one
entry per cell with its id, variant, seed, directory, status (completed | failed | pending),
error and wall time. podbench adds the cell's definition hash and its ``set`` items.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.suite.cell import CellOutcome
from bench.suite.cells import CellSpec
from bench.suite.schema import Suite
from engine import __version__
from engine.errors import InputError
from engine.simulator.trace import write_json_atomic

__all__ = ["SUITE_JSON", "SuiteStore"]

SUITE_JSON = "suite.json"
PENDING, COMPLETED, FAILED = "pending", "completed", "failed"


class SuiteStore:
    """The cell records of one suite directory."""

    def __init__(self, out: Path, suite: Suite, cells: list[CellSpec]) -> None:
        self.out = Path(out)
        self.path = self.out / SUITE_JSON
        self.suite = suite
        self.cells = cells
        self.records: dict[str, dict[str, Any]] = {
            c.id: {
                "id": c.id,
                "variant": dict(c.variant),
                "seed": c.seed,
                "dir": c.dir,
                "status": PENDING,
                "error": None,
                "wall_seconds": None,
                "hash": c.hash,
                "set": list(c.sets),
            }
            for c in cells
        }

    @staticmethod
    def check_target(out: Path, suite: Suite) -> None:
        """Refuse to mix two suites (or a run) in one directory."""
        if (out / "run.json").is_file():
            raise InputError("is a run directory (it has run.json); choose another --out", file=str(out))
        path = out / SUITE_JSON
        if not path.is_file():
            return
        try:
            doc = json.loads(path.read_text())
        except (OSError, ValueError):
            return  # unreadable: rewritten below
        other = doc.get("suite") if isinstance(doc, dict) else None
        if other is not None and other != suite.name:
            raise InputError(
                f"holds the results of suite {other!r}, not {suite.name!r}; choose another "
                "--out (or delete the directory)",
                file=str(out),
            )

    def record(self, outcome: CellOutcome) -> None:
        r = self.records[outcome.id]
        r["status"] = outcome.status
        r["error"] = outcome.error
        r["wall_seconds"] = outcome.wall_seconds

    def status(self, cell: CellSpec) -> str:
        return self.records[cell.id]["status"]

    def document(self) -> dict[str, Any]:
        s = self.suite
        counts = {k: 0 for k in (COMPLETED, FAILED, PENDING)}
        for r in self.records.values():
            counts[r["status"]] += 1
        return {
            "suite": s.name,
            "description": s.description,
            "source": str(s.source),
            "podbench_version": __version__,
            "scenarios": [ref.given for ref in s.scenarios],
            "dimensions": {d.name: [v.label for v in d.values] for d in s.dimensions},
            "seeds": list(s.seeds) if s.seeds is not None else None,
            "counts": counts,
            "cells": [self.records[c.id] for c in self.cells],
        }

    def write(self) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        write_json_atomic(self.path, self.document())
