"""Benchmark suites: scenarios x a matrix of variants x seeds, run as one cell each.

docs/suites.md is the reference. ``load_suite`` reads and checks a suite file,
``expand_cells`` lists its cells, ``SuiteRunner`` runs the missing ones with an executor
(in-process, local processes or Dask) and keeps ``suite.json`` current.
"""

from bench.suite.cell import CellOutcome, run_cell, warm_up
from bench.suite.cells import CellSpec, expand_cells
from bench.suite.runner import SuiteRun, SuiteRunner
from bench.suite.schema import Suite, load_suite

__all__ = [
    "CellOutcome",
    "CellSpec",
    "Suite",
    "SuiteRun",
    "SuiteRunner",
    "expand_cells",
    "load_suite",
    "run_cell",
    "warm_up",
]
