"""Helpers for the simulator tests: write small scenarios, run them, read the trace.

Every run is checked with ``engine.simulator.invariants.check_trace`` unless told not to.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polars as pl
import yaml

from bench.cli import main
from engine.simulator.invariants import check_trace
from engine.simulator.simulator import Simulation
from workloads.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "workloads" / "scenarios"
FIXTURES = Path(__file__).resolve().parent / "scenarios"


def pod(name: str, cpu: str, *, at: str = "0s", priority_class: str | None = None,
        node: str | None = None, lifetime: str | None = None, labels: dict | None = None,
        tolerations: list | None = None, grace: int | None = None, count: int = 1,
        every: str | None = None, owner: tuple[str, str] | None = None) -> dict:
    """A ``workload.pods`` entry: ``count`` pods named ``<name>-<i>`` requesting ``cpu``."""
    spec: dict = {"containers": [{"name": "c", "image": "i",
                                  "resources": {"requests": {"cpu": cpu, "memory": "64Mi"}}}]}
    if priority_class:
        spec["priorityClassName"] = priority_class
    if node:
        spec["nodeSelector"] = {"kubernetes.io/hostname": node}
    if tolerations:
        spec["tolerations"] = tolerations
    if grace is not None:
        spec["terminationGracePeriodSeconds"] = grace
    meta: dict = {"labels": labels or {"app": name}}
    if owner:
        meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": owner[0], "name": owner[1],
                                    "controller": True}]
    entry: dict = {"name": name, "at": at, "count": count, "template": {"metadata": meta, "spec": spec}}
    if every:
        entry["every"] = every
    if lifetime:
        entry["lifetime"] = lifetime
    return entry


def pool(name: str, count: int, cpu: str = "4", **extra) -> dict:
    return {"name": name, "count": count, "allocatable": {"cpu": cpu, "memory": "16Gi"}, **extra}


def priority_classes(**values: int) -> list[dict]:
    return [{"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": k},
             "value": v} for k, v in values.items()]


def pdb(name: str, labels: dict, **spec) -> dict:
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": name},
            "spec": {"selector": {"matchLabels": labels}, **spec}}


def bound_pod(name: str, node: str, cpu: str, *, tolerations: list | None = None) -> dict:
    """A Pod manifest already running on ``node`` (``spec.nodeName``), for ``cluster.manifests``."""
    spec: dict = {"nodeName": node, "containers": [{"name": "c", "image": "i",
                                                    "resources": {"requests": {"cpu": cpu, "memory": "64Mi"}}}]}
    if tolerations:
        spec["tolerations"] = tolerations
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"app": name}}, "spec": spec}


def write_scenario(directory: Path, *, pods: list[dict], pools: list[dict], objects: list[dict] = (),
                   events: list[dict] = (), duration: str = "5m", name: str = "case",
                   manifests: list[dict] = (), **top) -> Path:
    """A scenario file (and its objects and cluster manifest files) in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    doc: dict = {"name": name, "duration": duration, "cluster": {"pools": pools},
                 "workload": {"pods": pods}, **top}
    if objects:
        (directory / f"{name}-objects.yaml").write_text(yaml.safe_dump_all(objects, sort_keys=False))
        doc["objects"] = [f"{name}-objects.yaml"]
    if manifests:
        (directory / f"{name}-cluster.yaml").write_text(yaml.safe_dump_all(manifests, sort_keys=False))
        doc["cluster"]["manifests"] = [f"{name}-cluster.yaml"]
    if events:
        doc["events"] = list(events)
    path = directory / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def run(path: Path, out: Path, *, sets: list[str] = (), seed: int | None = None, check: bool = True,
        progress=None) -> tuple[pl.DataFrame, dict]:
    """Simulate ``path`` into ``out``; returns (events, run.json). Asserts the invariants."""
    scenario = load_scenario(path, sets=list(sets), seed=seed)
    Simulation(scenario, out, progress=progress).run()
    info = json.loads((out / "run.json").read_text())
    if check:
        violations = check_trace(out)
        assert violations == [], "\n".join(violations)
    events = pl.read_ipc(out / "events.arrow").with_columns(
        pl.col(c).cast(pl.Utf8) for c in ("kind", "namespace", "pod", "node", "qos", "reason"))
    return events, info


def of_pod(events: pl.DataFrame, name: str) -> list[tuple[int, str, str | None]]:
    """(time_ms, kind, node) of one pod's events, in trace order."""
    rows = events.filter(pl.col("pod") == name).select("time_ms", "kind", "node").rows()
    assert rows, f"no events for pod {name}"
    return rows


def kinds(events: pl.DataFrame, kind: str) -> list[tuple[int, str | None, str | None, str | None]]:
    """(time_ms, pod, node, reason) of every event of ``kind``, in trace order."""
    return events.filter(pl.col("kind") == kind).select("time_ms", "pod", "node", "reason").rows()


def node_events(events: pl.DataFrame, node: str | None = None) -> list[tuple[int, str, str, str | None]]:
    """(time_ms, kind, node, reason) of node events (pod_id -1), in trace order."""
    frame = events.filter(pl.col("pod_id") < 0)
    if node is not None:
        frame = frame.filter(pl.col("node") == node)
    return frame.select("time_ms", "kind", "node", "reason").rows()


def podbench(monkeypatch, capsys, *args: str | Path) -> tuple[int, str, str]:
    """Run the CLI entry point in this process; returns (exit status, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["podbench", *map(str, args)])
    code = 0
    try:
        main()
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    captured = capsys.readouterr()
    return code, captured.out, captured.err
