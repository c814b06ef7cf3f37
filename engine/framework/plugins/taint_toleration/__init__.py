"""TaintToleration: NoSchedule/NoExecute taints filter, PreferNoSchedule taints score."""

NAME = "TaintToleration"
REASON = "node(s) had untolerated taint(s)"
