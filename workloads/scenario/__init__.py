"""Scenario files: the schema, its loader and validation, ``--set`` overrides.

``load_scenario(path, sets=(), seed=None)`` returns a fully resolved ``Scenario`` (nodes,
templates, columnar arrivals, timed events) for the simulator. docs/scenario.md is the
reference for the file format.
"""

from workloads.scenario.loader import API_VERSION, KIND, load_scenario
from workloads.scenario.model import (
    EVENT_ACTIONS,
    FOREVER,
    NO_OVERRIDE,
    Arrivals,
    Lifecycle,
    NodeLifecycle,
    Scenario,
    TimedEvent,
)
from workloads.scenario.sets import apply_sets
from workloads.scenario.values import format_duration, parse_duration, parse_rate

__all__ = [
    "load_scenario",
    "apply_sets",
    "parse_duration",
    "parse_rate",
    "format_duration",
    "Scenario",
    "Arrivals",
    "TimedEvent",
    "Lifecycle",
    "NodeLifecycle",
    "EVENT_ACTIONS",
    "FOREVER",
    "NO_OVERRIDE",
    "API_VERSION",
    "KIND",
]
