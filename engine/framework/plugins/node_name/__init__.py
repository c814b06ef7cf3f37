"""NodeName: a pod with ``spec.nodeName`` set fits only that node."""

NAME = "NodeName"
REASON = "node(s) didn't match the requested node name"
