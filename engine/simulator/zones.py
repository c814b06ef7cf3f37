"""The node lifecycle controller's NoExecute tainting per zone: rate-limited queues and the
zone states that set their rates (pods-and-nodes.md §6.2).

Upstream (``pkg/controller/nodelifecycle/node_lifecycle_controller.go``) keeps, per zone key
(``GetZoneKey``: region and zone), a ``RateLimitedTimedQueue`` of nodes waiting for their
NoExecute taint, drained by a token bucket with burst 1. Every monitor pass recomputes each
zone's state (``ComputeZoneState``) and, in ``handleDisruption``, swaps the bucket when the
state changes: Normal and FullDisruption taint at ``evictionRate``, PartialDisruption at
``secondaryEvictionRate`` in zones larger than ``largeClusterSizeThreshold`` and not at all
in smaller ones; when every zone is fully disrupted (a control-plane connectivity problem is
more likely than a dead cluster) the controller removes every NoExecute taint it placed and
stops tainting until some node is Ready again. A zone whose state improves resumes tainting
with the rate of its new state.

This module is that bookkeeping in plain Python, in integer milliseconds; the Simulation
calls it at detections, recoveries and node additions/removals (the only moments a zone's
state can change in the simulator) and performs the taints it hands out.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

import numpy as np

from engine.framework.cycle import zone_key as zone_key  # GetZoneKey, re-exported for the simulator

INITIAL, NORMAL, PARTIAL, FULL = "Initial", "Normal", "PartialDisruption", "FullDisruption"
# nodes with this label are left out of the zone states (isNodeExcludedFromDisruptionChecks)
EXCLUDE_DISRUPTION = "node.kubernetes.io/exclude-disruption"
NEVER = 2**62
# handleDisruption's master-disruption transitions
ENTER_FULL, EXIT_FULL = "enter", "exit"


def zone_name(key: str) -> str:
    """A zone key for messages: ``region/zone``, ``<none>`` for the empty key."""
    return key.replace(":\x00:", "/").strip("/") or "<none>"


def zone_state(ready: int, not_ready: int, threshold: float) -> str:
    """``ComputeZoneState``: no Ready node -> FullDisruption; more than two not Ready and at
    least ``threshold`` of the zone (compared in float32, as upstream) -> PartialDisruption."""
    if ready == 0 and not_ready > 0:
        return FULL
    if not_ready > 2 and np.float32(not_ready) / np.float32(not_ready + ready) >= np.float32(threshold):
        return PARTIAL
    return NORMAL


def period_ms(qps: float) -> int:
    """Milliseconds between two tokens of a bucket filling at ``qps`` per second."""
    return int(round(1000 / qps))


@dataclass
class Limiter:
    """``flowcontrol`` token bucket with burst 1 (``EvictionRateLimiterBurst``); ``qps`` 0 is
    the never-accepting limiter. ``ready_at``: when the bucket next holds a token."""

    qps: float
    ready_at: int = 0

    def try_accept(self, now: int) -> bool:
        if self.qps <= 0 or now < self.ready_at:
            return False
        self.ready_at = now + period_ms(self.qps)
        return True

    def swap(self, qps: float, now: int) -> None:
        """``SwapLimiter``: a new bucket, full unless the old one had no token right now (then
        the new one starts drained, so the first taint waits one period)."""
        if qps == self.qps:
            return
        drained = not self.try_accept(now)
        self.qps = qps
        if qps <= 0:
            self.ready_at = NEVER
        else:
            self.ready_at = now + period_ms(qps) if drained else now


@dataclass
class Zone:
    """One zone's tainting queue. ``queue`` is a heap of (time added, sequence, node name) in
    the order nodes were found NotReady; ``members`` is the queue's set, which also keeps
    nodes already tainted (``RemoveFromQueue``) so they are not queued again."""

    limiter: Limiter
    queue: list[tuple[int, int, str]] = field(default_factory=list)
    members: set[str] = field(default_factory=set)
    wake: int = -1  # when a tainting step is scheduled for this zone (-1: none)


class ZoneTainters:
    """The per-zone NoExecute tainting queues and zone states of the node lifecycle controller."""

    def __init__(self, rate: float, secondary_rate: float, threshold: float, large_zone: int) -> None:
        self.rate = rate
        self.secondary_rate = secondary_rate
        self.threshold = threshold
        self.large_zone = large_zone
        self.zones: dict[str, Zone] = {}
        self.states: dict[str, str] = {}  # nc.zoneStates: zones that have nodes
        self._seq = 0

    def zone(self, key: str) -> Zone:
        """The zone's queue, created on first sight with a full bucket at the normal rate
        (``addPodEvictorForNewZone``). Queues are never removed, as upstream."""
        z = self.zones.get(key)
        if z is None:
            z = self.zones[key] = Zone(Limiter(self.rate))
        return z

    # -- the queue (RateLimitedTimedQueue) -------------------------------------------------
    def add(self, key: str, name: str, now: int) -> bool:
        """``markNodeForTainting``: queue a NotReady node (no-op if queued or tainted)."""
        z = self.zone(key)
        if name in z.members:
            return False
        self._seq += 1
        z.members.add(name)
        heapq.heappush(z.queue, (now, self._seq, name))
        return True

    def remove(self, key: str, name: str) -> None:
        """``markNodeAsReachable``: the node leaves the queue and its set."""
        z = self.zones.get(key)
        if z is None or name not in z.members:
            return
        z.members.discard(name)
        z.queue = [e for e in z.queue if e[2] != name]
        heapq.heapify(z.queue)

    def due(self, key: str, now: int) -> int | None:
        """When the zone's queue head can next be processed; None if never (empty queue or a
        stopped limiter)."""
        z = self.zones[key]
        if not z.queue or z.limiter.qps <= 0:
            return None
        return max(now, z.limiter.ready_at)

    def take(self, key: str, now: int) -> str | None:
        """One step of ``Try``: a token, then the queue head (kept in the set); None when the
        limiter refuses or the queue is empty."""
        z = self.zones[key]
        if not z.queue or not z.limiter.try_accept(now):
            return None
        return heapq.heappop(z.queue)[2]

    # -- zone states (handleDisruption) -------------------------------------------------------
    def _limiter_rate(self, size: int, state: str) -> float:
        """``setLimiterInZone``: HealthyQPSFunc for Normal and FullDisruption,
        ReducedQPSFunc (by the zone's node count) for PartialDisruption."""
        if state == PARTIAL:
            return self.secondary_rate if size > self.large_zone else 0.0
        return self.rate

    def disruption(self, counts: dict[str, tuple[int, int]], now: int) -> tuple[str, list[str]]:
        """``handleDisruption`` for the zones' (Ready, not Ready) node counts. Returns the
        master-disruption transition (ENTER_FULL, EXIT_FULL or "") and the zones whose state
        changed; limiters are swapped as upstream."""
        new = {k: zone_state(ready, not_ready, self.threshold) for k, (ready, not_ready) in counts.items()}
        all_are = all(s == FULL for s in new.values())
        for k in counts:
            self.zone(k)
            self.states.setdefault(k, INITIAL)
        for k in [k for k in self.states if k not in counts]:
            del self.states[k]  # a zone without nodes
        all_was = all(s == FULL for s in self.states.values())
        if all_are and all_was:
            return "", []
        if all_are:  # every zone fully disrupted: stop all tainting
            for k in self.states:
                self.zones[k].limiter.swap(0.0, now)
                self.states[k] = FULL
            return ENTER_FULL, list(self.states)
        changed = []
        for k, state in self.states.items():
            if state == new[k] and not all_was:
                continue
            self.zones[k].limiter.swap(self._limiter_rate(counts[k][0] + counts[k][1], new[k]), now)
            if state != new[k]:
                changed.append(k)
            self.states[k] = new[k]
        return (EXIT_FULL if all_was else ""), changed
