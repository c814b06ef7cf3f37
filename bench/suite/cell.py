"""Running one cell: a top-level function any executor can ship to a worker process.

``run_cell(spec, suite_dir)`` loads the cell's scenario (its ``set`` items and seed), runs
the simulator into ``<suite_dir>/<spec.dir>`` and writes ``cell.json`` next to the run's
files. It never raises for a cell's own failure (bad scenario value, simulator error): the
outcome says ``failed`` with the message, so one bad cell does not stop the others.

Every process first runs a small built-in warm-up scenario that calls every simulator
kernel, so Numba compilation (or loading from its cache) is paid once per process and is
not part of any cell's ``wall_seconds``.
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bench.suite.cells import CellSpec
from engine.errors import PodbenchError
from engine.simulator.simulator import Simulation
from engine.simulator.trace import write_json_atomic
from workloads.scenario import load_scenario

__all__ = ["CELL_JSON", "CellOutcome", "run_cell", "warm_up"]

CELL_JSON = "cell.json"
RUN_JSON = "run.json"


@dataclass(frozen=True)
class CellOutcome:
    id: str
    status: str  # completed | failed
    error: str | None
    wall_seconds: float
    summary: dict[str, Any] | None = None  # run.json "summary" of a completed run


# --------------------------------------------------------------------------- warm-up

_CONTAINER = {"name": "c", "image": "i", "resources": {"requests": {"cpu": "1", "memory": "256Mi"}}}
_SMALL = {"name": "c", "image": "i", "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}}}
WARMUP_OBJECTS = [
    {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "low"},
     "value": 10},
    {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "high"},
     "value": 1000},
    {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "low"},
     "spec": {"minAvailable": 4, "selector": {"matchLabels": {"app": "low"}}}},
]
# Small, but it preempts (with a PDB), completes pods, fails/recovers/drains/taints/adds and
# removes nodes: every kernel the simulator calls from Python runs at least once.
WARMUP_SCENARIO = {
    "name": "warmup",
    "seed": 1,
    "duration": "15m",
    "lifecycle": {"terminationGracePeriod": "5s"},
    "nodeLifecycle": {"defaultUnreachableTolerationSeconds": 10,
                      "defaultNotReadyTolerationSeconds": 10},
    "cluster": {"pools": [{"name": "n", "count": 4, "allocatable": {"cpu": "2", "memory": "4Gi"},
                           "zones": ["a", "b"]}]},
    "objects": ["objects.yaml"],
    "workload": {
        "pods": [{"name": "low", "count": 6, "every": "1s", "template": {
            "metadata": {"labels": {"app": "low"}},
            "spec": {"priorityClassName": "low", "containers": [_CONTAINER]}}}],
        "generators": [
            {"name": "high", "start": "1m", "count": 2, "arrivals": {"process": "fixed",
                                                                     "interval": "30s"},
             "lifetime": "2m", "mix": [{"template": {"spec": {"priorityClassName": "high",
                                                             "containers": [_CONTAINER]}}}]},
            {"name": "web", "arrivals": {"rate": "0.2/s"},
             "lifetime": {"distribution": "exponential", "mean": "30s"},
             "mix": [{"template": {"metadata": {"labels": {"app": "web"}}, "spec": {
                 "topologySpreadConstraints": [{
                     "maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
                     "whenUnsatisfiable": "ScheduleAnyway",
                     "labelSelector": {"matchLabels": {"app": "web"}}}],
                 "containers": [_SMALL]}}}]},
        ],
    },
    "events": [
        {"at": "4m", "action": "fail", "node": "n-000"},
        {"at": "6m", "action": "recover", "node": "n-000"},
        {"at": "7m", "action": "drain", "node": "n-001"},
        {"at": "8m", "action": "uncordon", "node": "n-001"},
        {"at": "9m", "action": "taint", "node": "n-002",
         "taint": {"key": "k", "value": "v", "effect": "NoExecute"}},
        {"at": "10m", "action": "untaint", "node": "n-002", "taint": {"key": "k", "effect": "NoExecute"}},
        {"at": "11m", "action": "add", "pool": "n", "count": 1},
        {"at": "12m", "action": "remove", "node": "n-003"},
        {"at": "13m", "action": "cordon", "node": "n-000"},
    ],
}

_warm_lock = threading.Lock()
_warm_seconds: float | None = None


def warm_up() -> float:
    """Run the warm-up scenario once per process; returns the seconds it took (0 after)."""
    global _warm_seconds
    with _warm_lock:
        if _warm_seconds is not None:
            return 0.0
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="podbench-warmup-") as tmp:
            base = Path(tmp)
            (base / "objects.yaml").write_text(yaml.safe_dump_all(WARMUP_OBJECTS))
            (base / "warmup.yaml").write_text(yaml.safe_dump(WARMUP_SCENARIO, sort_keys=False))
            scenario = load_scenario(base / "warmup.yaml")
            Simulation(scenario, base / "run").run()
        _warm_seconds = time.perf_counter() - t0
        return _warm_seconds


# --------------------------------------------------------------------------- one cell


def _summary(info: dict[str, Any]) -> dict[str, Any]:
    keep = ("pods", "events", "simulated_ms", "wall_seconds")
    return {**{k: info.get(k) for k in keep}, **(info.get("summary") or {})}


def run_cell(spec: CellSpec, suite_dir: str) -> CellOutcome:
    """Run one cell into its directory; the outcome says whether it completed."""
    warm_up()
    out = Path(suite_dir) / spec.dir
    out.mkdir(parents=True, exist_ok=True)
    # A cell counts as done only with a cell.json of its own hash, written last; files of an
    # earlier run of this directory go first, so a failed cell leaves no stale results.
    for name in (CELL_JSON, RUN_JSON, "events.arrow", "nodes.arrow"):
        (out / name).unlink(missing_ok=True)
    t0 = time.perf_counter()
    summary = None
    try:
        scenario = load_scenario(spec.scenario, sets=spec.sets, seed=spec.seed)
        info = Simulation(scenario, out).run().run_info
        status, error, summary = "completed", None, _summary(info)
    except PodbenchError as e:
        status, error = "failed", str(e)
    except Exception as e:  # a simulator bug in one cell must not stop the suite
        status, error = "failed", f"{type(e).__name__}: {e}"
    wall = round(time.perf_counter() - t0, 3)
    write_json_atomic(
        out / CELL_JSON,
        {
            "id": spec.id,
            "hash": spec.hash,
            "status": status,
            "error": error,
            "wall_seconds": wall,
            "variant": spec.variant,
            "seed": spec.seed,
            "scenario": spec.scenario,
            "set": list(spec.sets),
            "definition": spec.definition,
        },
    )
    return CellOutcome(spec.id, status, error, wall, summary)


def completed_outcome(spec: CellSpec, suite_dir: Path) -> CellOutcome | None:
    """The outcome of an earlier run of this very cell, if it completed; else None."""
    out = suite_dir / spec.dir
    try:
        cell = json.loads((out / CELL_JSON).read_text())
        info = json.loads((out / RUN_JSON).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(cell, dict) or not isinstance(info, dict):
        return None
    if cell.get("hash") != spec.hash or cell.get("status") != "completed":
        return None
    if info.get("completed") is not True:
        return None
    if not (out / "events.arrow").is_file() or not (out / "nodes.arrow").is_file():
        return None
    return CellOutcome(spec.id, "completed", None, float(cell.get("wall_seconds") or 0.0),
                       _summary(info))
