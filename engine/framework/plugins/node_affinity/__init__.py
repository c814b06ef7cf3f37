"""NodeAffinity: nodeSelector and required node affinity filter; preferred terms score."""

NAME = "NodeAffinity"
REASON = "node(s) didn't match Pod's node affinity/selector"
REASON_ENFORCED = "node(s) didn't match scheduler-enforced node affinity"
