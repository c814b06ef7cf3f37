"""Pod resource requests as the scheduler computes them, and the pod's QoS class.

Rules (kube-scheduler.md §3, component-helpers ``PodRequests``): regular containers add up;
init containers are walked in order keeping the running sum of sidecar (restartable init
container) requests; the pod needs the element-wise max of the two; pod-level requests replace
the container-derived cpu/memory/hugepages; overhead is added last. The "non-zero" variant used
by NodeResourcesFit scoring gives a container without a cpu (memory) request key 100m (200Mi).
"""

from __future__ import annotations

from collections.abc import Iterable

from engine.objects import Container, Pod, ResourceList

CPU = "cpu"
MEMORY = "memory"
EPHEMERAL_STORAGE = "ephemeral-storage"
PODS = "pods"

DEFAULT_MILLI_CPU_REQUEST = 100
DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024


def is_hugepages(name: str) -> bool:
    return name.startswith("hugepages-")


def is_prefixed_native(name: str) -> bool:
    return "kubernetes.io/" in name


def is_extended(name: str) -> bool:
    """Extended resource: domain-qualified, outside ``kubernetes.io`` (e.g. nvidia.com/gpu)."""
    return "/" in name and not is_prefixed_native(name) and not name.startswith("requests.")


def is_scalar(name: str) -> bool:
    """``IsScalarResourceName``: the resources the scheduler tracks beyond cpu/memory/storage."""
    return (
        is_extended(name)
        or is_hugepages(name)
        or is_prefixed_native(name)
        or name.startswith("attachable-volumes-")
    )


def is_tracked(name: str) -> bool:
    """Resources the scheduler reads from requests and allocatable; others are ignored."""
    return name in (CPU, MEMORY, EPHEMERAL_STORAGE, PODS) or is_scalar(name)


def _pod_level_supported(name: str) -> bool:
    return name in (CPU, MEMORY) or is_hugepages(name)


def _add(into: ResourceList, other: ResourceList) -> None:
    for name, value in other.items():
        into[name] = into.get(name, 0) + value


def _max(into: ResourceList, other: ResourceList) -> None:
    for name, value in other.items():
        if name not in into or value > into[name]:
            into[name] = value


def _with_defaults(requests: ResourceList, defaults: ResourceList) -> ResourceList:
    if not defaults:
        return requests
    out = dict(requests)
    for name, value in defaults.items():
        out.setdefault(name, value)
    return out


def _aggregate(containers: Iterable[Container], init: Iterable[Container], defaults: ResourceList) -> ResourceList:
    total: ResourceList = {}
    for c in containers:
        _add(total, _with_defaults(c.requests, defaults))
    sidecars: ResourceList = {}
    init_need: ResourceList = {}
    for c in init:
        reqs = _with_defaults(c.requests, defaults)
        if c.is_sidecar:
            _add(total, reqs)
            _add(sidecars, reqs)
            need = dict(sidecars)
        else:
            need = dict(reqs)
            _add(need, sidecars)
        _max(init_need, need)
    _max(total, init_need)
    return total


def _pod_requests(pod: Pod, defaults: ResourceList) -> ResourceList:
    reqs = _aggregate(pod.containers, pod.init_containers, defaults)
    if pod.resource_requests:
        for name, value in pod.resource_requests.items():
            if _pod_level_supported(name):
                reqs[name] = value
    _add(reqs, pod.overhead)
    return reqs


def pod_requests(pod: Pod) -> ResourceList:
    """Effective requests used by every Filter (no non-zero defaults). Keys as present."""
    return _pod_requests(pod, {})


def pod_non_zero_requests(pod: Pod) -> tuple[int, int]:
    """(cpu millicores, memory bytes) with the scoring defaults for missing container keys."""
    plain = pod_requests(pod)
    if pod.resource_requests:
        defaults: ResourceList = {}
        if CPU not in plain:
            defaults[CPU] = DEFAULT_MILLI_CPU_REQUEST
        if MEMORY not in plain:
            defaults[MEMORY] = DEFAULT_MEMORY_REQUEST
    else:
        defaults = {CPU: DEFAULT_MILLI_CPU_REQUEST, MEMORY: DEFAULT_MEMORY_REQUEST}
    reqs = _pod_requests(pod, defaults) if defaults else plain
    return reqs.get(CPU, 0), reqs.get(MEMORY, 0)


def tracked_requests(pod: Pod) -> ResourceList:
    """Requests restricted to resources the scheduler tracks, zero entries dropped."""
    return {k: v for k, v in pod_requests(pod).items() if is_tracked(k) and k != PODS and v}


def qos_class(pod: Pod) -> str:
    """Guaranteed, Burstable or BestEffort (``ComputePodQOS``): only cpu and memory count.

    Guaranteed needs cpu and memory limits on every container and the summed requests equal
    to the summed limits; with pod-level resources set, those decide instead.
    """
    requests: ResourceList = {}
    limits: ResourceList = {}
    guaranteed = True
    if pod.resource_requests is not None or pod.resource_limits is not None:
        pairs = [(pod.resource_requests or {}, pod.resource_limits or {}, bool(pod.resource_limits))]
    else:
        pairs = [(c.requests, c.limits, True) for c in (*pod.containers, *pod.init_containers)]
    for reqs, lims, check_limits in pairs:
        _add(requests, {n: v for n, v in reqs.items() if n in (CPU, MEMORY) and v > 0})
        found = {n: v for n, v in lims.items() if n in (CPU, MEMORY) and v > 0}
        _add(limits, found)
        if check_limits and not (CPU in found and MEMORY in found):
            guaranteed = False
    if not requests and not limits:
        return "BestEffort"
    if guaranteed and all(limits.get(n) == v for n, v in requests.items()) and len(requests) == len(limits):
        return "Guaranteed"
    return "Burstable"
