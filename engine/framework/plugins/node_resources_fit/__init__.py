"""NodeResourcesFit: requests must fit the node's allocatable; scores by a scoring strategy."""

NAME = "NodeResourcesFit"
REASON_TOO_MANY_PODS = "Too many pods"
