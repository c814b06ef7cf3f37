"""The resolved scenario the simulator consumes: plain data, every name and time resolved.

Times are integer milliseconds of simulated time. ``Arrivals`` is columnar (one NumPy array
per attribute, one row per pod) so a million arrivals cost a few arrays, not a million
objects. Nothing here refers back to the scenario file's syntax.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pyarrow as pa

from engine.framework.config import SchedulerSettings
from engine.framework.profile import Profile
from engine.objects import Node, ObjectSet, Pod, Taint
from workloads.generators.arrivals import FOREVER

__all__ = [
    "Lifecycle",
    "NodeLifecycle",
    "Arrivals",
    "TimedEvent",
    "Scenario",
    "EVENT_ACTIONS",
    "FOREVER",
]

NO_OVERRIDE = -1  # requests override value meaning "keep the template's request"

EVENT_ACTIONS = (
    "fail",
    "recover",
    "drain",
    "cordon",
    "uncordon",
    "remove",
    "add",
    "taint",
    "untaint",
)


def _ordinals(template: np.ndarray) -> np.ndarray:
    """Running number of each row among the rows of its template, in row order."""
    n = template.shape[0]
    if n == 0:
        return np.zeros(0, np.int64)
    by_template = np.argsort(template, kind="stable")
    counts = np.bincount(template)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    ordinal = np.empty(n, np.int64)
    ordinal[by_template] = np.arange(n, dtype=np.int64) - starts
    return ordinal


@dataclass(frozen=True)
class Lifecycle:
    """Pod timing the kubelet would impose (pods-and-nodes.md §3)."""

    start_latency_ms: int = 1000  # bind -> containers started
    ready_delay_ms: int = 0  # started -> Ready
    termination_grace_ms: int = 30_000  # for pods without terminationGracePeriodSeconds


@dataclass(frozen=True)
class NodeLifecycle:
    """Node lifecycle controller and DefaultTolerationSeconds settings (pods-and-nodes.md §6.1)."""

    monitor_grace_ms: int = 50_000
    monitor_period_ms: int = 5_000
    eviction_rate: float = 0.1  # nodes/s per zone
    secondary_eviction_rate: float = 0.01
    unhealthy_zone_threshold: float = 0.55
    large_cluster_size_threshold: int = 50
    not_ready_toleration_s: int = 300
    unreachable_toleration_s: int = 300


@dataclass(frozen=True, eq=False)
class Arrivals:
    """Pods created during the run, one row each, sorted by (time_ms, source order).

    - ``template``: index into ``Scenario.templates``.
    - ``lifetime_ms``: run time, ``FOREVER`` (-1) = until the end of the run.
    - ``ordinal``: running number of the row among the rows of its template (0, 1, ...);
      a pod without an explicit name is called ``<template name>-<ordinal>``.
    - ``names``: explicit pod names (pods from manifest files and streams), null where the
      pod takes the generated name; ``None`` when no pod has an explicit name.
    - ``namespaces``: per-pod namespace overrides from streams (null = the template's);
      ``None`` when there are none.
    - ``priority``: when not ``None``, the priority of every row (the template's resolved
      priority unless a stream overrides it).
    - ``requests``: per-pod effective request overrides from streams, keyed by resource
      name (``cpu`` in millicores, ``memory``, ``ephemeral-storage``, ``nvidia.com/gpu``);
      ``NO_OVERRIDE`` (-1) keeps the template's request; ``None`` when no stream has any.
    - ``source``: index into ``sources``, the scenario entry each row came from
      (e.g. ``workload.generators[0] (web)``).
    """

    time_ms: np.ndarray  # int64[n]
    template: np.ndarray  # int32[n]
    lifetime_ms: np.ndarray  # int64[n]
    source: np.ndarray  # int32[n]
    sources: tuple[str, ...] = ()
    names: pa.StringArray | None = None
    namespaces: pa.StringArray | None = None
    priority: np.ndarray | None = None  # int32[n]
    requests: dict[str, np.ndarray] | None = None  # resource -> int64[n]

    def __len__(self) -> int:
        return int(self.time_ms.shape[0])

    @cached_property
    def ordinal(self) -> np.ndarray:
        """int64[n], derived from ``template`` (class doc)."""
        return _ordinals(self.template)

    def pod_name(self, i: int, templates: list[Pod]) -> str:
        """Name of row ``i`` (explicit, or ``<template>-<ordinal>``); for people and tests."""
        if self.names is not None:
            name = self.names[i].as_py()
            if name is not None:
                return name
        return f"{templates[int(self.template[i])].name}-{int(self.ordinal[i])}"


@dataclass(frozen=True)
class TimedEvent:
    """A node event at ``at_ms``. ``nodes``: the nodes it applies to, resolved by name (for
    ``add``: the new nodes' names). ``new_nodes``: the Node objects an ``add`` creates.
    ``taint``: for taint/untaint (untaint matches key and effect). ``selector``: the label
    map the nodes were chosen by, if any. ``source_index``: position in the file's list."""

    at_ms: int
    action: str
    nodes: tuple[str, ...]
    new_nodes: tuple[Node, ...] = ()
    taint: Taint | None = None
    selector: dict[str, str] | None = None
    source_index: int = 0


@dataclass(frozen=True, eq=False)
class Scenario:
    name: str
    description: str
    source: Path
    seed: int
    duration_ms: int
    sample_interval_ms: int
    profile: Profile
    selection: str  # heap | random
    cycle_ms: int
    lifecycle: Lifecycle
    node_lifecycle: NodeLifecycle
    # Every Node at t=0 (manifests, then pools), bound pods, Services, workloads, namespaces,
    # PriorityClasses, PDBs.
    objects: ObjectSet
    templates: list[Pod]
    arrivals: Arrivals
    events: list[TimedEvent]
    warnings: list[str] = field(default_factory=list)
    # Top-level KubeSchedulerConfiguration settings (backoff, percentageOfNodesToScore).
    scheduler_settings: SchedulerSettings = field(default_factory=SchedulerSettings)
