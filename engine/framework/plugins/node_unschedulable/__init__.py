"""NodeUnschedulable: rejects cordoned nodes unless the pod tolerates the unschedulable taint."""

NAME = "NodeUnschedulable"
REASON = "node(s) were unschedulable"
