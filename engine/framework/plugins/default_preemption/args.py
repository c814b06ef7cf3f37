"""DefaultPreemptionArgs with upstream defaults."""

from __future__ import annotations

from dataclasses import dataclass

from engine.framework import decoding as d

KIND = "DefaultPreemptionArgs"


@dataclass(frozen=True)
class DefaultPreemptionArgs:
    min_candidate_nodes_percentage: int = 10
    min_candidate_nodes_absolute: int = 100


def parse_args(raw: object, path: str) -> DefaultPreemptionArgs:
    """Defaulted (10 %, 100 nodes) and validated as ValidateDefaultPreemptionArgs."""
    obj = d.args_body(raw, KIND, path)
    fields = ("minCandidateNodesPercentage", "minCandidateNodesAbsolute")
    d.check_fields(obj, fields, path, KIND)
    pct = d.opt_int(obj, fields[0], path)
    absolute = d.opt_int(obj, fields[1], path)
    pct = 10 if pct is None else pct
    absolute = 100 if absolute is None else absolute
    if not 0 <= pct <= 100:
        raise d.fail(d.child(path, fields[0]), f"must be in the range [0, 100], got {pct}")
    if absolute < 0:
        raise d.fail(d.child(path, fields[1]), f"must be at least 0, got {absolute}")
    if pct == 0 and absolute == 0:
        raise d.fail(
            d.child(path, fields[0]),
            "minCandidateNodesPercentage and minCandidateNodesAbsolute cannot both be 0",
        )
    return DefaultPreemptionArgs(
        min_candidate_nodes_percentage=pct, min_candidate_nodes_absolute=absolute
    )
