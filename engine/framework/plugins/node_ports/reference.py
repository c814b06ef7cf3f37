"""NodePorts rules in plain Python."""

from __future__ import annotations

from engine.framework.cycle import SKIP, CycleState, Status
from engine.framework.plugins.node_ports import NAME, REASON
from engine.framework.status import UNSCHEDULABLE
from engine.objects import Node, Pod

BIND_ALL = "0.0.0.0"

HostPort = tuple[str, str, int]  # (host IP, protocol, port), sanitized


def host_ports(pod: Pod) -> list[HostPort]:
    """Ports with hostPort > 0 of regular and sidecar init containers, sanitized."""
    containers = [*pod.containers, *(c for c in pod.init_containers if c.is_sidecar)]
    return [
        (p.host_ip or BIND_ALL, p.protocol or "TCP", p.host_port)
        for c in containers
        for p in c.ports
        if p.host_port > 0
    ]


def conflicts(used: list[HostPort], wanted: HostPort) -> bool:
    """``HostPortInfo.CheckConflict``: 0.0.0.0 clashes with any IP; an IP with itself or 0.0.0.0."""
    ip, proto, port = wanted
    if port <= 0:
        return False
    for u_ip, u_proto, u_port in used:
        if (u_proto, u_port) != (proto, port):
            continue
        if ip == BIND_ALL or u_ip in (BIND_ALL, ip):
            return True
    return False


class NodePorts:
    name = NAME

    def pre_filter(self, state: CycleState) -> tuple[Status | None, set[str] | None]:
        wanted = host_ports(state.pod)
        state.data[NAME] = wanted
        return (Status(SKIP, (), NAME) if not wanted else None), None

    def filter(self, state: CycleState, node: Node) -> Status | None:
        wanted: list[HostPort] = state.data[NAME]
        used = [hp for p in state.snapshot.pods_on(node) for hp in host_ports(p)]
        if any(conflicts(used, w) for w in wanted):
            return Status(UNSCHEDULABLE, (REASON,), NAME)
        return None
