"""NodePorts kernel. Ports are packed as ip id << 20 | protocol << 16 | port (ip id 0 = 0.0.0.0)."""

from __future__ import annotations

from numba import njit


@njit(cache=True)
def ports_conflict(wanted, w0, w1, ports, n_ports, node):
    """``HostPortInfo.CheckConflict`` for wanted[w0:w1] against row ``node`` of ``ports``."""
    used = ports[node]
    n_used = n_ports[node]
    for i in range(w0, w1):
        w = wanted[i]
        w_ip = w >> 20
        w_pp = w & 0xFFFFF
        if (w & 0xFFFF) == 0:
            continue
        for j in range(n_used):
            u = used[j]
            if (u & 0xFFFFF) != w_pp:
                continue
            u_ip = u >> 20
            if w_ip == 0 or u_ip == 0 or u_ip == w_ip:
                return True
    return False
