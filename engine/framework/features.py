"""Feature gates that change scheduling decisions, at their v1.35 defaults."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FeatureGates:
    # Alpha in v1.35 (off): Gt/Lt toleration operators compare integer taint values.
    taint_toleration_comparison_operators: bool = False


DEFAULT_FEATURE_GATES = FeatureGates()
