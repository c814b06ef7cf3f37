"""The scenario file's key structure: which keys exist where.

One tree serves two readers: the loader checks every mapping against it (an unknown key is
an error with a "did you mean" hint) and ``--set`` checks override paths against it before
touching the document. Types and ranges are checked by the loader, not here.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

__all__ = ["Node", "Leaf", "Free", "FreeFlat", "Map", "Seq", "SCENARIO", "suggest", "section_schema"]


class Node:
    """A position in the schema."""


class Leaf(Node):
    """A scalar (or a value the loader reads as a whole)."""


class Free(Node):
    """A user mapping with arbitrary keys (labels, resource lists, inline manifests)."""


class FreeFlat(Free):
    """Arbitrary keys that may themselves contain dots (scheduler overrides such as
    ``weights.NodeAffinity``): a ``--set`` path takes the rest of the key as one key."""


@dataclass(frozen=True, eq=False)
class Map(Node):
    fields: dict[str, Node]
    what: str


@dataclass(frozen=True, eq=False)
class Seq(Node):
    item: Node


LEAF = Leaf()
FREE = Free()


def suggest(key: object, known: list[str] | tuple[str, ...] | dict) -> str:
    """' (did you mean 'x'?)' for a misspelt key, else ''."""
    if not isinstance(key, str):
        return ""
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    if not close:
        lowered = {k.lower(): k for k in known}
        if key.lower() in lowered:
            close = [lowered[key.lower()]]
    return f"; did you mean {close[0]!r}?" if close else ""


TAINT = Map({"key": LEAF, "value": LEAF, "effect": LEAF}, "taint")

LIFETIME = Map(
    {
        "distribution": LEAF,
        "value": LEAF,
        "mean": LEAF,
        "min": LEAF,
        "max": LEAF,
        "median": LEAF,
        "sigma": LEAF,
    },
    "lifetime",
)

POOL = Map(
    {
        "name": LEAF,
        "count": LEAF,
        "allocatable": FREE,
        "capacity": FREE,
        "labels": FREE,
        "taints": Seq(TAINT),
        "zones": Seq(LEAF),
        "region": LEAF,
        "unschedulable": LEAF,
    },
    "node pool",
)

PODS_ENTRY = Map(
    {
        "name": LEAF,
        "file": LEAF,
        "template": FREE,
        "count": LEAF,
        "at": LEAF,
        "every": LEAF,
        "lifetime": LIFETIME,
    },
    "workload.pods entry",
)

RATE_SEGMENT = Map({"until": LEAF, "rate": LEAF}, "rate segment")

ARRIVALS = Map(
    {
        "process": LEAF,
        "rate": Seq(RATE_SEGMENT),
        "interval": LEAF,
        "diurnal": Map({"amplitude": LEAF, "peak": LEAF, "period": LEAF}, "diurnal"),
    },
    "arrivals",
)

MIX_ENTRY = Map({"weight": LEAF, "template": FREE, "file": LEAF}, "mix entry")

GENERATOR = Map(
    {
        "name": LEAF,
        "start": LEAF,
        "stop": LEAF,
        "count": LEAF,
        "arrivals": ARRIVALS,
        "lifetime": LIFETIME,
        "mix": Seq(MIX_ENTRY),
    },
    "generator",
)

STREAM = Map({"file": LEAF, "templates": FREE, "offset": LEAF}, "stream")

EVENT = Map(
    {
        "at": LEAF,
        "action": LEAF,
        "node": LEAF,
        "nodes": Seq(LEAF),
        "selector": FREE,
        "pool": LEAF,
        "count": LEAF,
        "file": LEAF,
        "taint": TAINT,
    },
    "event",
)

SCENARIO = Map(
    {
        "apiVersion": LEAF,
        "kind": LEAF,
        "name": LEAF,
        "description": LEAF,
        "seed": LEAF,
        "duration": LEAF,
        "sampleInterval": LEAF,
        "scheduler": Map(
            {"config": LEAF, "overrides": FreeFlat(), "selection": LEAF, "cycleTime": LEAF},
            "scheduler",
        ),
        "lifecycle": Map(
            {"startLatency": LEAF, "readyDelay": LEAF, "terminationGracePeriod": LEAF},
            "lifecycle",
        ),
        "nodeLifecycle": Map(
            {
                "monitorGracePeriod": LEAF,
                "monitorPeriod": LEAF,
                "evictionRate": LEAF,
                "secondaryEvictionRate": LEAF,
                "unhealthyZoneThreshold": LEAF,
                "largeClusterSizeThreshold": LEAF,
                "defaultNotReadyTolerationSeconds": LEAF,
                "defaultUnreachableTolerationSeconds": LEAF,
            },
            "nodeLifecycle",
        ),
        "cluster": Map({"manifests": Seq(LEAF), "pools": Seq(POOL)}, "cluster"),
        "objects": Seq(LEAF),
        "workload": Map(
            {"pods": Seq(PODS_ENTRY), "generators": Seq(GENERATOR), "streams": Seq(STREAM)},
            "workload",
        ),
        "events": Seq(EVENT),
    },
    "scenario",
)


def section_schema(key: str, parent: Map = SCENARIO) -> Map:
    """The ``Map`` under ``parent``'s ``key`` (a top-level scenario section by default)."""
    schema = parent.fields[key]
    assert isinstance(schema, Map)
    return schema
