"""ImageLocality rules in plain Python."""

from __future__ import annotations

from engine.framework.cycle import CycleState, Snapshot
from engine.framework.plugins.image_locality import NAME
from engine.objects import Node, Pod

MB = 1024 * 1024
MIN_THRESHOLD = 23 * MB
MAX_CONTAINER_THRESHOLD = 1000 * MB


def normalized_image_name(name: str) -> str:
    """Append ':latest' when the reference has no tag (no ':' after the last '/')."""
    return name + ":latest" if name.rfind(":") <= name.rfind("/") else name


def image_states(snapshot: Snapshot) -> dict[str, tuple[int, int]]:
    """name -> (size from the first node reporting it, number of nodes having it)."""
    states: dict[str, tuple[int, int]] = {}
    for node in snapshot.nodes:
        seen: set[str] = set()
        for image in node.images:
            for name in image.names:
                if name in seen:
                    continue
                seen.add(name)
                size, count = states.get(name, (image.size_bytes, 0))
                states[name] = (size, count + 1)
    return states


def image_score(pod: Pod, node: Node, states: dict[str, tuple[int, int]], total_nodes: int) -> int:
    node_names = {n for image in node.images for n in image.names}
    total = 0
    for c in (*pod.init_containers, *pod.containers):
        name = normalized_image_name(c.image)
        if name in node_names:
            size, count = states[name]
            total += int(float(size) * (count / total_nodes))
    num = len(pod.init_containers) + len(pod.containers)
    max_threshold = MAX_CONTAINER_THRESHOLD * num
    if total < MIN_THRESHOLD:
        total = MIN_THRESHOLD
    elif total > max_threshold:
        total = max_threshold
    return _go_div(100 * (total - MIN_THRESHOLD), max_threshold - MIN_THRESHOLD)


def _go_div(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


class ImageLocality:
    name = NAME

    def pre_score(self, state: CycleState, nodes: list[Node]) -> bool:
        state.data[NAME] = image_states(state.snapshot)
        return False

    def score(self, state: CycleState, node: Node) -> int:
        states = state.data[NAME]
        return image_score(state.pod, node, states, len(state.snapshot.nodes))
