"""NodePorts: a pod's host ports must be free on the node."""

NAME = "NodePorts"
REASON = "node(s) didn't have free ports for the requested pod ports"
