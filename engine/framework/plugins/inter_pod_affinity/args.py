"""InterPodAffinityArgs with upstream defaults."""

from __future__ import annotations

from dataclasses import dataclass

from engine.framework import decoding as d

KIND = "InterPodAffinityArgs"
MAX_HARD_POD_AFFINITY_WEIGHT = 100


@dataclass(frozen=True)
class InterPodAffinityArgs:
    hard_pod_affinity_weight: int = 1
    ignore_preferred_terms_of_existing_pods: bool = False


def parse_args(raw: object, path: str) -> InterPodAffinityArgs:
    """Defaulted (hardPodAffinityWeight 1) and validated (weight in [0, 100]) as upstream."""
    obj = d.args_body(raw, KIND, path)
    d.check_fields(obj, ("hardPodAffinityWeight", "ignorePreferredTermsOfExistingPods"), path, KIND)
    weight = d.opt_int(obj, "hardPodAffinityWeight", path)
    if weight is None:
        weight = 1
    if not 0 <= weight <= MAX_HARD_POD_AFFINITY_WEIGHT:
        raise d.fail(
            d.child(path, "hardPodAffinityWeight"),
            f"must be in the range [0, {MAX_HARD_POD_AFFINITY_WEIGHT}], got {weight}",
        )
    ignore = d.opt_bool(obj, "ignorePreferredTermsOfExistingPods", path)
    return InterPodAffinityArgs(
        hard_pod_affinity_weight=weight, ignore_preferred_terms_of_existing_pods=ignore
    )
