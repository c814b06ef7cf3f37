"""The synthetic cluster and pod stream of the placement benchmark.

Cluster: nodes in three zones of one region, in five pools (shapes relative to a base size):

| pool      | share | cpu  | memory | extra                                                  |
|-----------|-------|------|--------|--------------------------------------------------------|
| general   | 50 %  | 1x   | 4 GiB/core  | label pool=general                                |
| compute   | 20 %  | 2x   | 2 GiB/core  | label pool=compute                                |
| memory    | 15 %  | 1x   | 8 GiB/core  | label pool=memory                                 |
| spot      | 10 %  | 1x   | 4 GiB/core  | taint spot=true:PreferNoSchedule, label pool=spot |
| gpu       | 5 %   | 2x   | 8 GiB/core  | 8 nvidia.com/gpu, taint nvidia.com/gpu:NoSchedule |

Pods come from six templates, each owned by a ReplicaSet and selected by a Service, so
PodTopologySpread's system default constraints apply to all of them:

| template | share | requests           | constraints                                              |
|----------|-------|--------------------|----------------------------------------------------------|
| web      | 35 %  | 250m / 512Mi       | –                                                        |
| api      | 20 %  | 500m / 1Gi         | preferred node affinity pool In (general, compute)       |
| worker   | 15 %  | 1 / 2Gi            | nodeSelector pool=general                                |
| batch    | 15 %  | 2 / 2Gi            | tolerates spot; preferred pool=spot                      |
| cache    | 10 %  | 500m / 4Gi         | required node affinity pool In (memory, general)         |
| train    | 5 %   | 4 / 16Gi, 1 GPU    | tolerates the GPU taint; nodeSelector accelerator=nvidia |

The base node size is chosen so that the cluster's cpu, memory and GPUs hold about 90 % of
the stream's requests, and ``pods`` allocatable so that pod count is never the binding limit;
about nine pods in ten therefore fit and the figure measures placement, not failure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.objects import (
    LABEL_HOSTNAME,
    LABEL_REGION,
    LABEL_ZONE,
    NO_SCHEDULE,
    PREFER_NO_SCHEDULE,
    Affinity,
    Container,
    LabelSelector,
    Node,
    NodeAffinity,
    NodeSelectorTerm,
    OwnerReference,
    Pod,
    PreferredSchedulingTerm,
    Requirement,
    Service,
    Taint,
    Toleration,
    Workload,
)

GI = 2**30
ZONES = ("us-east-1a", "us-east-1b", "us-east-1c")
FIT_TARGET = 0.9

# (pool, share, cpu multiplier, GiB per core, gpus, taint)
POOLS = (
    ("general", 0.50, 1, 4, 0, None),
    ("compute", 0.20, 2, 2, 0, None),
    ("memory", 0.15, 1, 8, 0, None),
    ("spot", 0.10, 1, 4, 0, Taint("spot", "true", PREFER_NO_SCHEDULE)),
    ("gpu", 0.05, 2, 8, 8, Taint("nvidia.com/gpu", "", NO_SCHEDULE)),
)


@dataclass(frozen=True)
class TemplateSpec:
    name: str
    share: float
    cpu_m: int
    memory: int
    gpu: int = 0


TEMPLATES = (
    TemplateSpec("web", 0.35, 250, GI // 2),
    TemplateSpec("api", 0.20, 500, GI),
    TemplateSpec("worker", 0.15, 1000, 2 * GI),
    TemplateSpec("batch", 0.15, 2000, 2 * GI),
    TemplateSpec("cache", 0.10, 500, 4 * GI),
    TemplateSpec("train", 0.05, 4000, 16 * GI, 1),
)


@dataclass
class PlacementWorkload:
    nodes: list[Node]
    templates: list[Pod]
    services: list[Service]
    workloads: list[Workload]
    stream: np.ndarray  # int32 [P]: template index of each pod, in queue order


def _pool_counts(n: int) -> list[int]:
    counts = [int(n * share) for _, share, *_ in POOLS]
    counts[0] += n - sum(counts)
    return counts


def build_nodes(num_nodes: int, num_pods: int) -> list[Node]:
    """Nodes sized so the cluster holds about 90 % of the expected requests."""
    counts = _pool_counts(num_nodes)
    cpu_units = sum(c * p[2] for c, p in zip(counts, POOLS, strict=True))
    demand_cpu = num_pods * sum(t.share * t.cpu_m for t in TEMPLATES)
    base_cores = max(2, math.ceil(FIT_TARGET * demand_cpu / 1000 / max(cpu_units, 1)))
    demand_mem = num_pods * sum(t.share * t.memory for t in TEMPLATES)
    mem_units = sum(c * p[2] * p[3] for c, p in zip(counts, POOLS, strict=True)) * base_cores * GI
    mem_scale = max(1.0, FIT_TARGET * demand_mem / max(mem_units, 1))
    gpu_nodes = counts[-1]
    demand_gpu = num_pods * sum(t.share * t.gpu for t in TEMPLATES)
    gpus = max(1, math.ceil(FIT_TARGET * demand_gpu / max(gpu_nodes, 1))) if gpu_nodes else 0
    max_pods = max(110, math.ceil(2 * num_pods / max(num_nodes, 1)))
    nodes: list[Node] = []
    i = 0
    for (pool, _, cpu_mult, gib_per_core, has_gpu, taint), count in zip(POOLS, counts, strict=True):
        cores = base_cores * cpu_mult
        for _ in range(count):
            name = f"node-{i:05d}"
            labels = {
                LABEL_HOSTNAME: name,
                LABEL_ZONE: ZONES[i % len(ZONES)],
                LABEL_REGION: "us-east-1",
                "pool": pool,
                "node.kubernetes.io/instance-type": f"{pool}-{cores}c",
            }
            alloc = {
                "cpu": cores * 1000,
                "memory": int(cores * gib_per_core * GI * mem_scale),
                "ephemeral-storage": 200 * GI,
                "pods": max_pods,
            }
            if has_gpu:
                labels["accelerator"] = "nvidia"
                alloc["nvidia.com/gpu"] = gpus
            nodes.append(Node(name, labels, [taint] if taint else [], False, alloc, dict(alloc)))
            i += 1
    return nodes


def build_templates() -> tuple[list[Pod], list[Service], list[Workload]]:
    pods, services, workloads = [], [], []
    for t in TEMPLATES:
        labels = {"app": t.name}
        requests = {"cpu": t.cpu_m, "memory": t.memory}
        if t.gpu:
            requests["nvidia.com/gpu"] = t.gpu
        pod = Pod(
            name=t.name,
            namespace="bench",
            labels=labels,
            owner_references=[OwnerReference("apps/v1", "ReplicaSet", f"{t.name}-rs", True)],
            containers=[Container(name=t.name, image=f"registry.example/{t.name}:1.0", requests=requests,
                                  limits=dict(requests) if t.gpu else {})],
        )
        _constrain(pod, t.name)
        pods.append(pod)
        services.append(Service(t.name, "bench", dict(labels)))
        workloads.append(Workload("ReplicaSet", f"{t.name}-rs", "bench", LabelSelector(tuple(labels.items()))))
    return pods, services, workloads


def _term(key: str, op: str, *values: str) -> NodeSelectorTerm:
    return NodeSelectorTerm(match_expressions=(Requirement(key, op, values),))


def _constrain(pod: Pod, name: str) -> None:
    if name == "api":
        pod.affinity = Affinity(NodeAffinity(preferred=(PreferredSchedulingTerm(50, _term("pool", "In", "general", "compute")),)))
    elif name == "worker":
        pod.node_selector = {"pool": "general"}
    elif name == "batch":
        pod.tolerations = [Toleration("spot", "Equal", "true", PREFER_NO_SCHEDULE)]
        pod.affinity = Affinity(NodeAffinity(preferred=(PreferredSchedulingTerm(80, _term("pool", "In", "spot")),)))
    elif name == "cache":
        pod.affinity = Affinity(NodeAffinity(required=(_term("pool", "In", "memory", "general"),)))
    elif name == "train":
        pod.tolerations = [Toleration("nvidia.com/gpu", "Exists", "", NO_SCHEDULE)]
        pod.node_selector = {"accelerator": "nvidia"}


def build(num_nodes: int, num_pods: int, seed: int = 0) -> PlacementWorkload:
    """The benchmark workload: nodes, templates, services/ReplicaSets, and the pod order."""
    templates, services, workloads = build_templates()
    rng = np.random.default_rng(seed)
    shares = np.array([t.share for t in TEMPLATES])
    stream = rng.choice(len(TEMPLATES), size=num_pods, p=shares / shares.sum()).astype(np.int32)
    return PlacementWorkload(build_nodes(num_nodes, num_pods), templates, services, workloads, stream)
