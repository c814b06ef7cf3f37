"""Filter status codes, as kube-scheduler's framework spells them.

``Unschedulable``: preemption might help on this node. ``UnschedulableAndUnresolvable``:
preemption will not consider the node. Codes are small integers so kernels can return them.
"""

SUCCESS = 0
UNSCHEDULABLE = 1
UNSCHEDULABLE_AND_UNRESOLVABLE = 2

CODE_NAMES = {
    SUCCESS: "Success",
    UNSCHEDULABLE: "Unschedulable",
    UNSCHEDULABLE_AND_UNRESOLVABLE: "UnschedulableAndUnresolvable",
}
