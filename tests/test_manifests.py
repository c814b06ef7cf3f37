"""workloads.manifests: reading YAML/JSON manifests into engine.objects, with located errors.

Fixtures are written into tmp_path by each test. Expected values are worked out by hand from
the manifest text and the quantity rules (cpu in millicores, everything else in units).
"""

from __future__ import annotations

import gc
import json
import textwrap
from pathlib import Path

import pytest
import yaml

from engine.errors import InputError
from engine.objects import (
    LabelSelector,
    Namespace,
    Node,
    NodeSelectorTerm,
    Pod,
    PodDisruptionBudget,
    PriorityClass,
    Requirement,
    Service,
    Taint,
    Toleration,
    Workload,
)
from workloads.manifests import (
    load_manifest_text,
    load_manifests,
    parse_node,
    parse_object,
    parse_pod,
)
from workloads.yamlstream import ManifestLoader, yaml_documents

EXAMPLES = Path(__file__).resolve().parent.parent / "workloads" / "examples"
GI = 2**30
MI = 2**20
KI = 2**10


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return path


def pod_doc(name: str = "p", extra_spec: str = "", containers: str | None = None) -> str:
    """A minimal Pod document; ``extra_spec`` lines are indented into spec."""
    if containers is None:
        containers = "  containers:\n  - name: c\n    image: nginx\n"
    spec = textwrap.indent(textwrap.dedent(extra_spec), "  ") if extra_spec else ""
    return f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n{containers}{spec}"


def load_error(tmp_path: Path, text: str, name: str = "bad.yaml") -> InputError:
    path = write(tmp_path, name, text)
    with pytest.raises(InputError) as err:
        load_manifests([path])
    return err.value


def assert_located(err: InputError, file: str, doc: int, path: str) -> None:
    text = str(err)
    assert file in text
    assert f"document {doc}" in text
    assert f"field {path}:" in text
    assert err.doc == doc
    assert err.path == path


# --------------------------------------------------------------------------- file formats


def test_single_document(tmp_path: Path) -> None:
    path = write(tmp_path, "pod.yaml", pod_doc("web"))
    objects = load_manifests([path])
    assert gc.isenabled()  # the loader pauses the collector only while it reads
    assert [p.name for p in objects.pods] == ["web"]
    assert objects.nodes == [] and objects.warnings == []


def test_multi_document_keeps_order_and_skips_empty_documents(tmp_path: Path) -> None:
    text = (
        "---\n"
        + pod_doc("b")
        + "---\n---\n"
        + "apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\n"
        + "---\n"
        + pod_doc("a")
    )
    objects = load_manifests([write(tmp_path, "all.yaml", text)])
    assert [p.name for p in objects.pods] == ["b", "a"]
    assert [n.name for n in objects.nodes] == ["n1"]
    assert objects.warnings == []


def test_kind_list_and_typed_lists(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "list.yaml",
        """
        apiVersion: v1
        kind: List
        items:
        - apiVersion: v1
          kind: Node
          metadata: {name: n1}
        - apiVersion: v1
          kind: Pod
          metadata: {name: p1, namespace: team}
          spec:
            containers: [{name: c}]
        ---
        apiVersion: v1
        kind: PodList
        items:
        - metadata: {name: p2}
          spec:
            containers: [{name: c}]
        """,
    )
    objects = load_manifests([path])
    assert [n.name for n in objects.nodes] == ["n1"]
    assert [p.key for p in objects.pods] == ["team/p1", "default/p2"]


def test_json_file(tmp_path: Path) -> None:
    doc = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "j", "labels": {"app": "x"}},
        "spec": {
            "containers": [{"name": "c", "resources": {"requests": {"cpu": 0.25, "memory": "1Gi"}}}]
        },
    }
    path = tmp_path / "pod.json"
    path.write_text(json.dumps(doc))
    (pod,) = load_manifests([path]).pods
    assert pod.labels == {"app": "x"}
    assert pod.containers[0].requests == {"cpu": 250, "memory": GI}


def test_invalid_json_is_located(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"kind": "Pod",\n "metadata": }')
    with pytest.raises(InputError) as err:
        load_manifests([path])
    assert "broken.json:2" in str(err.value)
    assert "invalid JSON" in str(err.value)


def test_directory_reads_manifests_sorted_by_name(tmp_path: Path) -> None:
    write(tmp_path, "b.yaml", pod_doc("from-b"))
    write(tmp_path, "a.yml", pod_doc("from-a"))
    (tmp_path / "c.json").write_text(
        json.dumps({"kind": "Node", "apiVersion": "v1", "metadata": {"name": "from-c"}})
    )
    write(tmp_path, "notes.txt", "kind: Pod\nthis is not read")
    objects = load_manifests([tmp_path])
    assert [p.name for p in objects.pods] == ["from-a", "from-b"]
    assert [n.name for n in objects.nodes] == ["from-c"]


def test_several_paths_extend_one_object_set(tmp_path: Path) -> None:
    one = write(tmp_path, "one.yaml", pod_doc("p1"))
    two = write(tmp_path, "two.yaml", pod_doc("p2"))
    assert [p.name for p in load_manifests([two, one]).pods] == ["p2", "p1"]


def test_missing_path_and_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_manifests([tmp_path / "nope.yaml"])
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="no \\*.yaml"):
        load_manifests([empty])


def test_yaml_syntax_error_names_document_and_line(tmp_path: Path) -> None:
    err = load_error(tmp_path, pod_doc("ok") + "---\nkind: Pod\nmetadata: {name: [unclosed\n")
    assert err.doc == 1
    assert err.line is not None and err.line >= 7
    assert "invalid YAML" in str(err) and "bad.yaml" in str(err)


def test_duplicate_yaml_key_is_an_error(tmp_path: Path) -> None:
    err = load_error(tmp_path, "kind: Pod\nmetadata:\n  name: a\n  name: b\n")
    assert "duplicate key 'name'" in str(err)
    assert err.line == 4


def test_load_manifest_text() -> None:
    objects = load_manifest_text(pod_doc("t"), file="inline")
    assert objects.pods[0].name == "t"
    with pytest.raises(InputError, match="inline, document 0"):
        load_manifest_text("kind: Pod\nmetadata: {}\n", file="inline")


# --------------------------------------------------------------------------- the YAML loader


def test_manifest_loader_matches_safe_loader_on_tricky_yaml() -> None:
    text = textwrap.dedent(
        """
        base: &base {a: 1, b: [x, y]}
        merged:
          <<: *base
          c: 2021-01-02
        alias: *base
        scalars: [1, 1.5, .5, 1e3, 0x10, yes, off, ~, '', "07", 010, 2021-01-02T03:04:05Z]
        tagged: !!str 5
        binary: !!binary aGVsbG8=
        set: !!set {a, b}
        """
    )
    expected = list(yaml.load_all(text, Loader=yaml.SafeLoader))
    assert [doc for _, doc in yaml_documents(text, "x")] == expected
    assert list(yaml.load_all(text, Loader=ManifestLoader)) == expected


def test_manifest_loader_handles_recursive_aliases() -> None:
    (doc,) = list(yaml.load_all("a: &x [1, *x]\n", Loader=ManifestLoader))
    assert doc["a"][0] == 1 and doc["a"][1] is doc["a"]


# --------------------------------------------------------------------------- nodes


NODE = """
apiVersion: v1
kind: Node
metadata:
  name: node-1
  labels:
    kubernetes.io/hostname: node-1
    topology.kubernetes.io/zone: zone-a
spec:
  unschedulable: true
  taints:
  - key: dedicated
    value: gpu
    effect: NoSchedule
  - key: node.kubernetes.io/unreachable
    effect: NoExecute
    timeAdded: "2025-01-01T00:00:00Z"
status:
  capacity:
    cpu: "4"
    memory: 16Gi
    pods: "110"
    nvidia.com/gpu: "2"
  allocatable:
    cpu: 3900m
    memory: 15Gi
    pods: "110"
  images:
  - names: [nginx:1.27, docker.io/library/nginx@sha256:abc]
    sizeBytes: 70000000
  - sizeBytes: 5
"""


def test_node_fields(tmp_path: Path) -> None:
    (node,) = load_manifests([write(tmp_path, "node.yaml", NODE)]).nodes
    assert node.name == "node-1"
    assert node.labels == {
        "kubernetes.io/hostname": "node-1",
        "topology.kubernetes.io/zone": "zone-a",
    }
    assert node.unschedulable is True
    assert node.taints == [
        Taint("dedicated", "gpu", "NoSchedule"),
        Taint("node.kubernetes.io/unreachable", "", "NoExecute"),
    ]
    assert node.allocatable == {"cpu": 3900, "memory": 15 * GI, "pods": 110}
    assert node.capacity == {"cpu": 4000, "memory": 16 * GI, "pods": 110, "nvidia.com/gpu": 2}
    assert [i.names for i in node.images] == [
        ("nginx:1.27", "docker.io/library/nginx@sha256:abc"),
        (),
    ]
    assert [i.size_bytes for i in node.images] == [70_000_000, 5]


def test_node_allocatable_falls_back_to_capacity_only_when_missing() -> None:
    missing = parse_node(
        {
            "kind": "Node",
            "metadata": {"name": "n"},
            "status": {"capacity": {"cpu": "2", "memory": "1Gi"}},
        }
    )
    assert missing.allocatable == {"cpu": 2000, "memory": GI}
    assert missing.capacity == {"cpu": 2000, "memory": GI}
    partial = parse_node(
        {
            "kind": "Node",
            "metadata": {"name": "n"},
            "status": {"capacity": {"cpu": "2", "memory": "1Gi"}, "allocatable": {"cpu": "1"}},
        }
    )
    assert partial.allocatable == {"cpu": 1000}  # present allocatable is taken as is
    bare = parse_node({"kind": "Node", "metadata": {"name": "n"}})
    assert bare.allocatable == {} and bare.capacity == {} and bare.taints == []


@pytest.mark.parametrize(
    ("snippet", "path", "message"),
    [
        ("  taints:\n  - key: a\n    effect: NoEvict\n", "spec.taints[0].effect", "NoSchedule"),
        ("  taints:\n  - key: a\n", "spec.taints[0].effect", "expected one of"),
        ("  taints:\n  - effect: NoSchedule\n", "spec.taints[0].key", "is required"),
        (
            "  taints:\n  - {key: a, effect: NoSchedule}\n  - {key: a, effect: NoSchedule, value: b}\n",
            "spec.taints[1]",
            "unique",
        ),
        ("  unschedulable: 'yes'\n", "spec.unschedulable", "true or false"),
    ],
)
def test_node_spec_errors(tmp_path: Path, snippet: str, path: str, message: str) -> None:
    err = load_error(tmp_path, "kind: Node\nmetadata:\n  name: n\nspec:\n" + snippet)
    assert_located(err, "bad.yaml", 0, path)
    assert message in str(err)


def test_node_status_errors(tmp_path: Path) -> None:
    err = load_error(
        tmp_path, "kind: Node\nmetadata: {name: n}\nstatus:\n  allocatable:\n    memory: 1GB\n"
    )
    assert_located(err, "bad.yaml", 0, "status.allocatable.memory")
    err = load_error(
        tmp_path, "kind: Node\nmetadata: {name: n}\nstatus:\n  capacity:\n    cpu: '-1'\n"
    )
    assert_located(err, "bad.yaml", 0, "status.capacity.cpu")
    assert "greater than or equal to 0" in str(err)
    err = load_error(tmp_path, "kind: Node\nmetadata: {labels: {a: b}}\n")
    assert_located(err, "bad.yaml", 0, "metadata.name")


# --------------------------------------------------------------------------- pods: every field

FULL_POD = """
apiVersion: v1
kind: Pod
metadata:
  name: full
  namespace: shop
  uid: 1234-abcd
  labels: {app: web, tier: front}
  annotations: {note: hello}
  deletionTimestamp: "2025-01-01T00:00:00Z"
  ownerReferences:
  - apiVersion: apps/v1
    kind: ReplicaSet
    name: web-abc
    uid: rs-uid
    controller: true
    blockOwnerDeletion: true
  - apiVersion: v1
    kind: ConfigMap
    name: cm
    uid: cm-uid
spec:
  priority: 7
  priorityClassName: ""
  preemptionPolicy: Never
  nodeName: node-1
  schedulerName: my-scheduler
  nodeSelector: {disktype: ssd}
  schedulingGates: [{name: quota}, {name: approval}]
  overhead: {cpu: 50m, memory: 64Mi}
  tolerations:
  - {key: dedicated, operator: Equal, value: gpu, effect: NoSchedule}
  - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 300}
  - {operator: Exists}
  - {key: plain, value: v}
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
        - matchExpressions:
          - {key: zone, operator: In, values: [a, b]}
          - {key: cores, operator: Gt, values: ["not-a-number"]}
          matchFields:
          - {key: metadata.name, operator: NotIn, values: [node-9]}
        - matchExpressions:
          - {key: gpu, operator: Exists}
      preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 20
        preference:
          matchExpressions:
          - {key: disk, operator: DoesNotExist}
    podAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
      - labelSelector:
          matchLabels: {app: db}
        topologyKey: topology.kubernetes.io/zone
        namespaces: [data]
        namespaceSelector:
          matchExpressions:
          - {key: team, operator: NotIn, values: [x]}
        matchLabelKeys: [pod-template-hash]
        mismatchLabelKeys: [tenant]
    podAntiAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          labelSelector:
            matchExpressions:
            - {key: app, operator: In, values: [web]}
          topologyKey: kubernetes.io/hostname
  topologySpreadConstraints:
  - maxSkew: 2
    topologyKey: topology.kubernetes.io/zone
    whenUnsatisfiable: DoNotSchedule
    labelSelector: {matchLabels: {app: web}}
    minDomains: 3
    nodeAffinityPolicy: Ignore
    nodeTaintsPolicy: Honor
    matchLabelKeys: [pod-template-hash]
  - maxSkew: 1
    topologyKey: kubernetes.io/hostname
    whenUnsatisfiable: ScheduleAnyway
  initContainers:
  - name: setup
    image: busybox
    resources:
      requests: {cpu: "1", memory: 10Mi}
  - name: proxy
    image: envoy
    restartPolicy: Always
    resources:
      requests: {cpu: 100m}
  containers:
  - name: app
    image: web:1
    ports:
    - {containerPort: 8080}
    - {containerPort: 53, hostPort: 5353, protocol: UDP, hostIP: 10.0.0.1}
    resources:
      requests: {cpu: 250m, memory: 128Mi, example.com/foo: "3"}
      limits: {cpu: "1", memory: 256Mi}
  - name: sidecar-ish
    image: log:2
status:
  phase: Pending
  nominatedNodeName: node-2
"""


def test_pod_fields(tmp_path: Path) -> None:
    objects = load_manifests([write(tmp_path, "full.yaml", FULL_POD)])
    assert objects.warnings == []
    (pod,) = objects.pods
    assert (pod.name, pod.namespace, pod.key, pod.uid) == ("full", "shop", "shop/full", "1234-abcd")
    assert pod.labels == {"app": "web", "tier": "front"}
    assert pod.annotations == {"note": "hello"}
    assert pod.terminating is True
    assert [(o.kind, o.name, o.controller, o.uid, o.api_version) for o in pod.owner_references] == [
        ("ReplicaSet", "web-abc", True, "rs-uid", "apps/v1"),
        ("ConfigMap", "cm", False, "cm-uid", "v1"),
    ]
    assert (pod.priority, pod.priority_class_name, pod.preemption_policy) == (7, "", "Never")
    assert pod.node_name == "node-1"
    assert pod.scheduler_name == "my-scheduler"
    assert pod.node_selector == {"disktype": "ssd"}
    assert pod.scheduling_gates == ["quota", "approval"]
    assert pod.overhead == {"cpu": 50, "memory": 64 * MI}
    assert pod.nominated_node_name == "node-2"
    assert pod.tolerations == [
        Toleration("dedicated", "Equal", "gpu", "NoSchedule"),
        Toleration("node.kubernetes.io/not-ready", "Exists", "", "NoExecute", 300),
        Toleration("", "Exists", "", ""),
        Toleration("plain", "Equal", "v", ""),  # operator defaults to Equal
    ]

    na = pod.affinity.node_affinity
    assert na.required == (
        NodeSelectorTerm(
            match_expressions=(
                Requirement("zone", "In", ("a", "b")),
                Requirement("cores", "Gt", ("not-a-number",)),  # kept raw for the scheduler
            ),
            match_fields=(Requirement("metadata.name", "NotIn", ("node-9",)),),
        ),
        NodeSelectorTerm(match_expressions=(Requirement("gpu", "Exists"),)),
    )
    assert len(na.preferred) == 1 and na.preferred[0].weight == 20
    assert na.preferred[0].preference.match_expressions == (Requirement("disk", "DoesNotExist"),)

    (term,) = pod.affinity.pod_affinity.required
    assert term.label_selector == LabelSelector(match_labels=(("app", "db"),))
    assert term.topology_key == "topology.kubernetes.io/zone"
    assert term.namespaces == ("data",)
    assert term.namespace_selector == LabelSelector(
        match_expressions=(Requirement("team", "NotIn", ("x",)),)
    )
    assert term.match_label_keys == ("pod-template-hash",)
    assert term.mismatch_label_keys == ("tenant",)
    assert pod.affinity.pod_affinity.preferred == ()

    anti = pod.affinity.pod_anti_affinity
    assert anti.required == ()
    (weighted,) = anti.preferred
    assert weighted.weight == 100
    assert weighted.term.topology_key == "kubernetes.io/hostname"
    assert weighted.term.label_selector.match_expressions == (Requirement("app", "In", ("web",)),)

    hard, soft = pod.topology_spread_constraints
    assert (hard.max_skew, hard.topology_key, hard.when_unsatisfiable) == (
        2,
        "topology.kubernetes.io/zone",
        "DoNotSchedule",
    )
    assert hard.label_selector == LabelSelector(match_labels=(("app", "web"),))
    assert (hard.min_domains, hard.node_affinity_policy, hard.node_taints_policy) == (
        3,
        "Ignore",
        "Honor",
    )
    assert hard.match_label_keys == ("pod-template-hash",)
    assert (soft.max_skew, soft.when_unsatisfiable, soft.label_selector) == (
        1,
        "ScheduleAnyway",
        None,
    )
    assert (soft.min_domains, soft.node_affinity_policy, soft.node_taints_policy) == (
        None,
        None,
        None,
    )

    setup, proxy = pod.init_containers
    assert (setup.name, setup.image, setup.requests, setup.is_sidecar) == (
        "setup",
        "busybox",
        {"cpu": 1000, "memory": 10 * MI},
        False,
    )
    assert proxy.is_sidecar and proxy.restart_policy == "Always" and proxy.requests == {"cpu": 100}

    app, other = pod.containers
    assert (app.name, app.image) == ("app", "web:1")
    assert app.requests == {"cpu": 250, "memory": 128 * MI, "example.com/foo": 3}
    assert app.limits == {"cpu": 1000, "memory": 256 * MI}
    assert [(p.container_port, p.host_port, p.protocol, p.host_ip) for p in app.ports] == [
        (8080, 0, "TCP", ""),
        (53, 5353, "UDP", "10.0.0.1"),
    ]
    assert (other.requests, other.limits, other.ports, other.restart_policy) == ({}, {}, [], None)
    assert (pod.resource_requests, pod.resource_limits) == (None, None)


def test_pod_defaults(tmp_path: Path) -> None:
    (pod,) = load_manifests([write(tmp_path, "p.yaml", pod_doc("plain"))]).pods
    assert pod.namespace == "default"
    assert pod.scheduler_name == "default-scheduler"
    assert pod.priority is None and pod.preemption_policy is None
    assert pod.affinity is None and pod.tolerations == [] and pod.topology_spread_constraints == []
    assert pod.terminating is False and pod.nominated_node_name == "" and pod.node_name == ""
    assert pod.containers[0].requests == {} and pod.containers[0].limits == {}


# --------------------------------------------------------------------------- API defaulting


def test_requests_default_to_limits_per_resource(tmp_path: Path) -> None:
    text = pod_doc(
        "d",
        containers="""\
  initContainers:
  - name: init
    resources:
      limits: {cpu: 200m}
  containers:
  - name: only-limits
    resources:
      limits: {cpu: 500m, memory: 1Gi, nvidia.com/gpu: "1"}
  - name: mixed
    resources:
      requests: {cpu: 100m}
      limits: {cpu: 300m, memory: 512Mi}
  - name: only-requests
    resources:
      requests: {memory: 64Mi}
""",
    )
    (pod,) = load_manifests([write(tmp_path, "d.yaml", text)]).pods
    only_limits, mixed, only_requests = pod.containers
    assert only_limits.requests == {"cpu": 500, "memory": GI, "nvidia.com/gpu": 1}
    assert mixed.requests == {"cpu": 100, "memory": 512 * MI}  # the given cpu request stays
    assert mixed.limits == {"cpu": 300, "memory": 512 * MI}
    assert only_requests.requests == {"memory": 64 * MI}  # no limit invented, nothing else
    assert only_requests.limits == {}
    assert pod.init_containers[0].requests == {"cpu": 200}


def test_pod_level_requests_default_from_limits_and_containers(tmp_path: Path) -> None:
    # Pod-level limits cpu 2 / memory 4Gi. The containers request cpu (100m + 300m) but no
    # memory, so the pod-level cpu request defaults to their aggregate, 400m, and memory to
    # its pod-level limit.
    text = pod_doc(
        "plr",
        extra_spec="""\
resources:
  limits: {cpu: "2", memory: 4Gi}
""",
        containers="""\
  containers:
  - name: a
    resources: {requests: {cpu: 100m}}
  - name: b
    resources: {requests: {cpu: 300m}}
""",
    )
    (pod,) = load_manifests([write(tmp_path, "plr.yaml", text)]).pods
    assert pod.resource_limits == {"cpu": 2000, "memory": 4 * GI}
    assert pod.resource_requests == {"cpu": 400, "memory": 4 * GI}


@pytest.mark.parametrize(
    ("app_cpu", "expected"),
    [
        # Sidecar 100m runs alongside the app; the plain init container (500m) runs after the
        # sidecar started, so its step needs 500m + 100m = 600m.
        ("200m", 600),  # max(200m + 100m, 600m) = 600m: the init step dominates
        ("800m", 900),  # max(800m + 100m, 600m) = 900m: app plus sidecar dominate
    ],
)
def test_pod_level_aggregate_counts_init_containers_and_sidecars(
    tmp_path: Path, app_cpu: str, expected: int
) -> None:
    text = pod_doc(
        "agg",
        extra_spec="""\
resources:
  limits: {cpu: "1", memory: 1Gi}
""",
        containers=f"""\
  initContainers:
  - {{name: sidecar, restartPolicy: Always, resources: {{requests: {{cpu: 100m}}}}}}
  - {{name: init, resources: {{requests: {{cpu: 500m}}}}}}
  containers:
  - {{name: app, resources: {{requests: {{cpu: {app_cpu}}}}}}}
""",
    )
    (pod,) = load_manifests([write(tmp_path, "agg.yaml", text)]).pods
    assert pod.resource_requests == {"cpu": expected, "memory": GI}  # memory: the pod limit


def test_pod_level_requests_alone_are_kept(tmp_path: Path) -> None:
    text = pod_doc("req", extra_spec="resources:\n  requests: {cpu: 750m}\n")
    (pod,) = load_manifests([write(tmp_path, "req.yaml", text)]).pods
    assert (pod.resource_requests, pod.resource_limits) == ({"cpu": 750}, None)


def test_host_network_turns_container_ports_into_host_ports(tmp_path: Path) -> None:
    text = pod_doc(
        "hn",
        extra_spec="hostNetwork: true\n",
        containers="""\
  containers:
  - name: c
    ports:
    - {containerPort: 9100}
    - {containerPort: 80, hostPort: 8080}
""",
    )
    (pod,) = load_manifests([write(tmp_path, "hn.yaml", text)]).pods
    assert [(p.container_port, p.host_port) for p in pod.containers[0].ports] == [
        (9100, 9100),
        (80, 8080),
    ]


# --------------------------------------------------------------------------- errors


def test_malformed_quantity_names_file_document_and_path(tmp_path: Path) -> None:
    second = pod_doc(
        "q",
        containers="""\
  containers:
  - name: a
    resources: {requests: {memory: 1Gi}}
  - name: b
    resources:
      requests:
        memory: 12 GB
""",
    )
    err = load_error(tmp_path, pod_doc("ok") + "---\n" + second, name="pods.yaml")
    assert_located(err, "pods.yaml", 1, "spec.containers[1].resources.requests.memory")
    assert "12 GB" in str(err)


@pytest.mark.parametrize(
    ("containers", "path", "message"),
    [
        (
            "  containers:\n  - resources: {requests: {cpu: '-1'}}\n",
            "spec.containers[0].resources.requests.cpu",
            "greater than or equal to 0",
        ),
        (
            "  containers:\n  - resources: {requests: {cpu: '2'}, limits: {cpu: '1'}}\n",
            "spec.containers[0].resources.requests.cpu",
            "must be less than or equal to cpu limit",
        ),
        (
            # 1.5 and 1.2 bytes both round up to 2, but the API compares 1500m > 1200m.
            "  containers:\n  - resources: {requests: {memory: '1.5'}, limits: {memory: '1.2'}}\n",
            "spec.containers[0].resources.requests.memory",
            "must be less than or equal to memory limit",
        ),
        (
            "  initContainers:\n  - resources: {requests: {memory: 2Gi}, limits: {memory: 1Gi}}\n"
            "  containers: [{name: c}]\n",
            "spec.initContainers[0].resources.requests.memory",
            "must be less than or equal to memory limit",
        ),
        ("  containers: {name: c}\n", "spec.containers", "expected a list"),
        (
            "  containers:\n  - resources: {requests: [cpu]}\n",
            "spec.containers[0].resources.requests",
            "expected a map",
        ),
        ("  containers:\n  - name: 5\n", "spec.containers[0].name", "expected a string"),
        (
            "  containers:\n  - ports: [{containerPort: 80, hostPort: 70000}]\n",
            "spec.containers[0].ports[0].hostPort",
            "between 0 and 65535",
        ),
        (
            "  containers:\n  - ports: [{containerPort: 80, protocol: HTTP}]\n",
            "spec.containers[0].ports[0].protocol",
            "TCP, UDP, SCTP",
        ),
        (
            "  containers:\n  - ports: [{hostPort: 80}]\n",
            "spec.containers[0].ports[0].containerPort",
            "is required",
        ),
        (
            "  initContainers:\n  - {name: i, restartPolicy: Never}\n  containers: [{name: c}]\n",
            "spec.initContainers[0].restartPolicy",
            "Always",
        ),
    ],
)
def test_container_errors(tmp_path: Path, containers: str, path: str, message: str) -> None:
    err = load_error(tmp_path, pod_doc("e", containers=containers))
    assert_located(err, "bad.yaml", 0, path)
    assert message in str(err)


@pytest.mark.parametrize(
    ("spec", "path", "message"),
    [
        ("nodeSelector: {zone: 1}\n", "spec.nodeSelector.zone", "quote"),
        (
            "nodeSelector: {ssd: true}\n",
            "spec.nodeSelector.ssd",
            "expected a string, got the boolean true",
        ),
        ("nodeSelector: [a]\n", "spec.nodeSelector", "expected a map"),
        ("priority: high\n", "spec.priority", "expected an integer"),
        ("priority: 3000000000\n", "spec.priority", "between"),
        ("preemptionPolicy: Sometimes\n", "spec.preemptionPolicy", "PreemptLowerPriority, Never"),
        ("tolerations: [{key: a, operator: Matches}]\n", "spec.tolerations[0].operator", "Equal"),
        ("tolerations: [{key: a, effect: NoEvict}]\n", "spec.tolerations[0].effect", "NoExecute"),
        (
            "tolerations: [{value: a}]\n",
            "spec.tolerations[0].operator",
            "must be Exists when key is empty",
        ),
        (
            "tolerations: [{key: a, operator: Exists, value: b}]\n",
            "spec.tolerations[0].value",
            "must be empty",
        ),
        (
            "tolerations: [{key: a, effect: NoSchedule, tolerationSeconds: 5}]\n",
            "spec.tolerations[0].effect",
            "tolerationSeconds",
        ),
        (
            "affinity:\n  nodeAffinity:\n    requiredDuringSchedulingIgnoredDuringExecution:\n"
            "      nodeSelectorTerms:\n      - matchExpressions:\n        - {key: a, operator: Near}\n",
            "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
            ".nodeSelectorTerms[0].matchExpressions[0].operator",
            "Gt, Lt",
        ),
        (
            "affinity:\n  nodeAffinity:\n    preferredDuringSchedulingIgnoredDuringExecution:\n"
            "    - weight: 101\n      preference: {}\n",
            "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight",
            "1-100",
        ),
        (
            "affinity:\n  podAntiAffinity:\n    preferredDuringSchedulingIgnoredDuringExecution:\n"
            "    - weight: 0\n      podAffinityTerm: {topologyKey: k}\n",
            "spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight",
            "1-100",
        ),
        (
            "affinity:\n  podAffinity:\n    requiredDuringSchedulingIgnoredDuringExecution:\n"
            "    - labelSelector:\n        matchExpressions: [{key: app, operator: Exists, values: [x]}]\n"
            "      topologyKey: k\n",
            "spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]"
            ".labelSelector.matchExpressions[0].values",
            "must be empty when operator is Exists",
        ),
        (
            "affinity:\n  podAffinity:\n    requiredDuringSchedulingIgnoredDuringExecution:\n"
            "    - labelSelector:\n        matchExpressions: [{key: app, operator: In}]\n"
            "      topologyKey: k\n",
            "spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]"
            ".labelSelector.matchExpressions[0].values",
            "must be non-empty when operator is In",
        ),
        (
            "affinity:\n  podAffinity:\n    requiredDuringSchedulingIgnoredDuringExecution:\n"
            "    - labelSelector:\n        matchExpressions: [{key: app, operator: Gt, values: ['1']}]\n"
            "      topologyKey: k\n",
            "spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]"
            ".labelSelector.matchExpressions[0].operator",
            "In, NotIn, Exists, DoesNotExist",
        ),
        (
            "affinity:\n  podAffinity:\n    requiredDuringSchedulingIgnoredDuringExecution:\n"
            "    - labelSelector: {matchLabels: {app: a}}\n",
            "spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey",
            "is required",
        ),
        (
            "affinity:\n  podAffinity:\n    requiredDuringSchedulingIgnoredDuringExecution:\n"
            "    - {topologyKey: k, matchLabelKeys: [a]}\n",
            "spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].matchLabelKeys",
            "labelSelector",
        ),
        (
            "topologySpreadConstraints:\n- {maxSkew: 0, topologyKey: k, whenUnsatisfiable: DoNotSchedule}\n",
            "spec.topologySpreadConstraints[0].maxSkew",
            "greater than zero",
        ),
        (
            "topologySpreadConstraints:\n- {maxSkew: 1, topologyKey: k, whenUnsatisfiable: Maybe}\n",
            "spec.topologySpreadConstraints[0].whenUnsatisfiable",
            "DoNotSchedule, ScheduleAnyway",
        ),
        (
            "topologySpreadConstraints:\n- {maxSkew: 1, topologyKey: k, whenUnsatisfiable: ScheduleAnyway,"
            " minDomains: 2}\n",
            "spec.topologySpreadConstraints[0].minDomains",
            "DoNotSchedule",
        ),
        (
            "topologySpreadConstraints:\n- {maxSkew: 1, topologyKey: k, whenUnsatisfiable: DoNotSchedule,"
            " nodeTaintsPolicy: Always}\n",
            "spec.topologySpreadConstraints[0].nodeTaintsPolicy",
            "Honor, Ignore",
        ),
        (
            "topologySpreadConstraints:\n- {maxSkew: 1, topologyKey: k, whenUnsatisfiable: DoNotSchedule}\n"
            "- {maxSkew: 2, topologyKey: k, whenUnsatisfiable: DoNotSchedule}\n",
            "spec.topologySpreadConstraints[1]",
            "duplicate",
        ),
        (
            "topologySpreadConstraints:\n- maxSkew: 1\n  topologyKey: k\n  whenUnsatisfiable: DoNotSchedule\n"
            "  labelSelector: {matchExpressions: [{key: a, operator: Like, values: [b]}]}\n",
            "spec.topologySpreadConstraints[0].labelSelector.matchExpressions[0].operator",
            "In, NotIn",
        ),
        ("schedulingGates: [{name: a}, {name: a}]\n", "spec.schedulingGates[1].name", "duplicate"),
        ("overhead: {cpu: lots}\n", "spec.overhead.cpu", "lots"),
        (
            "resources: {requests: {nvidia.com/gpu: '1'}}\n",
            "spec.resources.requests.nvidia.com/gpu",
            "cpu, memory",
        ),
    ],
)
def test_pod_spec_errors(tmp_path: Path, spec: str, path: str, message: str) -> None:
    err = load_error(tmp_path, pod_doc("e", extra_spec=spec))
    assert_located(err, "bad.yaml", 0, path)
    assert message in str(err)


@pytest.mark.parametrize(
    ("metadata", "path", "message"),
    [
        ("metadata:\n  labels: {app: web}\n", "metadata.name", "is required"),
        ("metadata:\n  generateName: web-\n", "metadata.name", "generateName is not supported"),
        ("metadata:\n  name: p\n  labels: [app]\n", "metadata.labels", "expected a map"),
        ("metadata:\n  name: p\n  labels: {version: 1.10}\n", "metadata.labels.version", "quote"),
        (
            "metadata:\n  name: p\n  annotations: {a: {b: c}}\n",
            "metadata.annotations.a",
            "expected a string",
        ),
        (
            "metadata:\n  name: p\n  ownerReferences:\n  - {apiVersion: v1, kind: A, name: a, controller: true}\n"
            "  - {apiVersion: v1, kind: B, name: b, controller: true}\n",
            "metadata.ownerReferences[1].controller",
            "only one",
        ),
        (
            "metadata:\n  name: p\n  ownerReferences:\n  - {apiVersion: v1, name: a}\n",
            "metadata.ownerReferences[0].kind",
            "is required",
        ),
    ],
)
def test_pod_metadata_errors(tmp_path: Path, metadata: str, path: str, message: str) -> None:
    err = load_error(
        tmp_path, f"apiVersion: v1\nkind: Pod\n{metadata}spec:\n  containers: [{{name: c}}]\n"
    )
    assert_located(err, "bad.yaml", 0, path)
    assert message in str(err)


def test_document_without_kind_or_not_a_map(tmp_path: Path) -> None:
    err = load_error(tmp_path, pod_doc("a") + "---\nmetadata: {name: b}\n")
    assert_located(err, "bad.yaml", 1, "kind")
    err = load_error(tmp_path, "- kind: Pod\n")
    assert err.doc == 0 and "must be a map" in str(err) and "got a list" in str(err)
    err = load_error(tmp_path, "kind: [Pod]\n")
    assert_located(err, "bad.yaml", 0, "kind")


@pytest.mark.parametrize(
    ("text", "path"),
    [
        (
            "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: b}\n",
            "apiVersion",
        ),
        ("apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: d}\n", "apiVersion"),
        (
            "kind: List\nitems:\n- {apiVersion: apps/v1, kind: Pod, metadata: {name: p}}\n",
            "items[0].apiVersion",
        ),
    ],
)
def test_api_versions_not_served_by_v1_35_are_errors(tmp_path: Path, text: str, path: str) -> None:
    err = load_error(tmp_path, text)
    assert_located(err, "bad.yaml", 0, path)
    assert "v1.35" in str(err)


def test_list_item_errors_start_with_items_index(tmp_path: Path) -> None:
    text = """
    kind: List
    items:
    - {kind: Node, metadata: {name: n}}
    - kind: Pod
      metadata: {name: p}
      spec:
        containers:
        - resources: {limits: {cpu: 1 core}}
    """
    err = load_error(tmp_path, pod_doc("first") + "---\n" + textwrap.dedent(text).lstrip())
    assert_located(err, "bad.yaml", 1, "items[1].spec.containers[0].resources.limits.cpu")
    err = load_error(tmp_path, "kind: List\nitems:\n- null\n")
    assert_located(err, "bad.yaml", 0, "items[0]")


def test_duplicate_objects_are_errors(tmp_path: Path) -> None:
    err = load_error(tmp_path, pod_doc("same") + "---\n" + pod_doc("same"))
    assert_located(err, "bad.yaml", 1, "metadata.name")
    assert "already defined in" in str(err) and "document 0" in str(err)
    # the same name in another namespace is a different pod
    other_ns = pod_doc("same").replace("  name: same", "  name: same\n  namespace: other")
    objects = load_manifests([write(tmp_path, "ok.yaml", pod_doc("same") + "---\n" + other_ns)])
    assert [p.key for p in objects.pods] == ["default/same", "other/same"]


# --------------------------------------------------------------------------- warnings


def test_unknown_kind_is_a_warning_naming_file_document_and_kind(tmp_path: Path) -> None:
    text = pod_doc("p") + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n"
    objects = load_manifests([write(tmp_path, "mixed.yaml", text)])
    assert [p.name for p in objects.pods] == ["p"]
    (warning,) = objects.warnings
    assert "mixed.yaml" in warning and "document 1" in warning and "ConfigMap" in warning


def test_pod_without_containers_is_accepted_with_a_warning(tmp_path: Path) -> None:
    text = (
        pod_doc("empty", containers="  containers: []\n")
        + "---\n"
        + "kind: Pod\nmetadata: {name: bare}\n"
    )
    objects = load_manifests([write(tmp_path, "empty.yaml", text)])
    assert [p.containers for p in objects.pods] == [[], []]
    (warning,) = objects.warnings  # repeats are counted, not repeated
    assert "default/empty has no containers; it requests nothing" in warning
    assert "document 0" in warning and "(and 1 more like it)" in warning


def test_unknown_fields_are_warnings(tmp_path: Path) -> None:
    text = pod_doc("typo", extra_spec="nodeSelecter: {zone: a}\n")
    objects = load_manifests([write(tmp_path, "typo.yaml", text)])
    (warning,) = objects.warnings
    assert "spec.nodeSelecter" in warning and "unknown" in warning
    assert objects.pods[0].node_selector == {}


def test_toleration_comparison_operators_warn_about_the_feature_gate(tmp_path: Path) -> None:
    text = pod_doc("gt", extra_spec="tolerations: [{key: sla, operator: Gt, value: '950'}]\n")
    objects = load_manifests([write(tmp_path, "gt.yaml", text)])
    assert objects.pods[0].tolerations == [Toleration("sla", "Gt", "950")]
    assert "TaintTolerationComparisonOperators" in objects.warnings[0]
    err = load_error(
        tmp_path, pod_doc("gt", extra_spec="tolerations: [{key: sla, operator: Lt, value: high}]\n")
    )
    assert_located(err, "bad.yaml", 0, "spec.tolerations[0].value")


# --------------------------------------------------------------------------- other kinds


def test_workloads(tmp_path: Path) -> None:
    text = """
    apiVersion: apps/v1
    kind: ReplicaSet
    metadata: {name: web-1, namespace: shop}
    spec:
      selector:
        matchLabels: {app: web}
        matchExpressions: [{key: tier, operator: In, values: [front]}]
      template:
        metadata: {labels: {app: web, tier: front}}
        spec:
          containers: [{name: c, resources: {limits: {cpu: "1"}}}]
    ---
    apiVersion: v1
    kind: ReplicationController
    metadata: {name: rc}
    spec:
      replicas: 4
      template:
        metadata: {labels: {app: legacy}}
        spec: {containers: [{name: c}]}
    ---
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: ds}
    spec:
      selector: {matchLabels: {app: agent}}
      template:
        metadata: {labels: {app: agent}}
        spec: {containers: [{name: c}]}
    ---
    apiVersion: batch/v1
    kind: Job
    metadata: {name: job}
    spec:
      parallelism: 3
      template:
        spec: {containers: [{name: c}], restartPolicy: Never}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: dep}
    spec:
      replicas: 0
      selector: {matchLabels: {app: d}}
      template:
        metadata: {labels: {app: d}}
        spec: {containers: [{name: c}]}
    ---
    apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: sts}
    spec:
      selector: {matchLabels: {app: s}}
      serviceName: sts
      template:
        metadata: {labels: {app: s}}
        spec: {containers: [{name: c}]}
    """
    objects = load_manifests([write(tmp_path, "w.yaml", text)])
    assert objects.warnings == []
    rs, rc, ds, job, dep, sts = objects.workloads
    assert all(isinstance(w, Workload) for w in objects.workloads)
    assert (rs.kind, rs.name, rs.namespace, rs.replicas) == ("ReplicaSet", "web-1", "shop", 1)
    assert rs.selector == LabelSelector(
        match_labels=(("app", "web"),), match_expressions=(Requirement("tier", "In", ("front",)),)
    )
    # the template stays raw (controllers build pods from it later)
    assert rs.template["spec"]["containers"][0]["resources"] == {"limits": {"cpu": "1"}}
    assert rs.spec["selector"]["matchLabels"] == {"app": "web"}
    # ReplicationController: a plain map selector, defaulted from the template labels
    assert (rc.kind, rc.replicas, rc.selector) == (
        "ReplicationController",
        4,
        LabelSelector(match_labels=(("app", "legacy"),)),
    )
    assert (ds.kind, ds.replicas) == ("DaemonSet", None)
    assert (job.kind, job.selector, job.replicas, job.spec["parallelism"]) == ("Job", None, None, 3)
    assert (dep.kind, dep.replicas) == ("Deployment", 0)
    assert (sts.kind, sts.replicas, sts.selector.match_labels) == (
        "StatefulSet",
        1,
        (("app", "s"),),
    )


@pytest.mark.parametrize(
    ("text", "path", "message"),
    [
        (
            "kind: Deployment\nmetadata: {name: d}\nspec:\n  template: {spec: {containers: [{name: c}]}}\n",
            "spec.selector",
            "is required",
        ),
        (
            "kind: ReplicaSet\nmetadata: {name: r}\nspec:\n  selector: {matchLabels: {app: a}}\n"
            "  template:\n    metadata: {labels: {app: b}}\n    spec: {containers: [{name: c}]}\n",
            "spec.template.metadata.labels",
            "does not match",
        ),
        (
            "kind: ReplicaSet\nmetadata: {name: r}\nspec:\n  selector: {matchLabels: {app: a}}\n",
            "spec.template",
            "is required",
        ),
        (
            "kind: ReplicaSet\nmetadata: {name: r}\nspec:\n  replicas: -1\n  selector: {matchLabels: {app: a}}\n"
            "  template:\n    metadata: {labels: {app: a}}\n    spec: {containers: [{name: c}]}\n",
            "spec.replicas",
            "greater than or equal to 0",
        ),
        (
            "kind: ReplicaSet\nmetadata: {name: r}\nspec:\n  selector: {matchLabels: {app: a}}\n"
            "  template:\n    metadata: {labels: {app: a}}\n    spec: {containers: [{resources: {requests: {cpu: x}}}]}\n",
            "spec.template.spec.containers[0].resources.requests.cpu",
            "'x'",
        ),
    ],
)
def test_workload_errors(tmp_path: Path, text: str, path: str, message: str) -> None:
    err = load_error(tmp_path, text)
    assert_located(err, "bad.yaml", 0, path)
    assert message in str(err)


def test_namespace_service_pdb_and_scheduler_config(tmp_path: Path) -> None:
    text = """
    apiVersion: v1
    kind: Namespace
    metadata: {name: shop, labels: {team: a}}
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: web, namespace: shop}
    spec:
      selector: {app: web}
      ports: [{port: 80}]
    ---
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata: {name: web-pdb, namespace: shop}
    spec:
      minAvailable: 50%
      selector: {matchLabels: {app: web}}
    ---
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata: {name: db-pdb}
    spec:
      maxUnavailable: 1
    ---
    apiVersion: kubescheduler.config.k8s.io/v1
    kind: KubeSchedulerConfiguration
    profiles:
    - schedulerName: default-scheduler
      pluginConfig:
      - name: NodeResourcesFit
        args: {scoringStrategy: {type: MostAllocated}}
    """
    objects = load_manifests([write(tmp_path, "misc.yaml", text)])
    # SetDefaults_Namespace adds the immutable name label namespaceSelectors rely on
    assert objects.namespaces == [
        Namespace("shop", {"team": "a", "kubernetes.io/metadata.name": "shop"})
    ]
    assert objects.services == [Service("web", "shop", {"app": "web"})]
    assert objects.pdbs == [
        PodDisruptionBudget(
            "web-pdb", "shop", LabelSelector(match_labels=(("app", "web"),)), "50%", None
        ),
        PodDisruptionBudget("db-pdb", "default", None, None, 1),
    ]
    (config,) = objects.scheduler_configs
    assert (
        config["profiles"][0]["pluginConfig"][0]["args"]["scoringStrategy"]["type"]
        == "MostAllocated"
    )


@pytest.mark.parametrize(
    ("spec", "path", "message"),
    [
        ("minAvailable: 150%", "spec.minAvailable", "100%"),
        ("minAvailable: half", "spec.minAvailable", "percentage"),
        ("maxUnavailable: '5'", "spec.maxUnavailable", "percentage"),
        ("maxUnavailable: -1", "spec.maxUnavailable", "greater than or equal to 0"),
        ("minAvailable: 1\n  maxUnavailable: 1", "spec.maxUnavailable", "cannot both be set"),
    ],
)
def test_pdb_errors(tmp_path: Path, spec: str, path: str, message: str) -> None:
    err = load_error(
        tmp_path, f"kind: PodDisruptionBudget\nmetadata: {{name: b}}\nspec:\n  {spec}\n"
    )
    assert_located(err, "bad.yaml", 0, path)
    assert message in str(err)


# --------------------------------------------------------------------------- priority admission

PRIORITY_CLASSES = """
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high}
value: 1000000
preemptionPolicy: Never
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: fallback}
value: 10
globalDefault: true
"""


def test_priority_classes_and_admission(tmp_path: Path) -> None:
    pods = (
        pod_doc("uses-high", extra_spec="priorityClassName: high\n")
        + "---\n"
        + pod_doc("no-class")
        + "---\n"
        + pod_doc("critical", extra_spec="priorityClassName: system-node-critical\n")
        + "---\n"
        + pod_doc("explicit", extra_spec="priority: 5\n")
    )
    # classes come after the pods that use them: admission runs once everything is read
    objects = load_manifests(
        [write(tmp_path, "pods.yaml", pods), write(tmp_path, "pc.yaml", PRIORITY_CLASSES)]
    )
    assert objects.priority_classes == [
        PriorityClass("high", 1_000_000, False, "Never"),
        PriorityClass("fallback", 10, True, "PreemptLowerPriority"),
    ]
    by_name = {p.name: p for p in objects.pods}
    assert (by_name["uses-high"].priority, by_name["uses-high"].preemption_policy) == (
        1_000_000,
        "Never",
    )
    assert (by_name["no-class"].priority, by_name["no-class"].priority_class_name) == (
        10,
        "fallback",
    )
    assert by_name["critical"].priority == 2_000_001_000
    assert by_name["explicit"].priority == 5  # already set: kept


def test_priority_admission_errors(tmp_path: Path) -> None:
    err = load_error(
        tmp_path, pod_doc("a") + "---\n" + pod_doc("b", extra_spec="priorityClassName: missing\n")
    )
    assert_located(err, "bad.yaml", 1, "spec.priorityClassName")
    assert "missing" in str(err)
    two_defaults = (
        PRIORITY_CLASSES
        + "---\n"
        + PRIORITY_CLASSES.replace("high", "h2").replace("fallback", "f2")
    )
    err = load_error(tmp_path, two_defaults)
    assert_located(err, "bad.yaml", 3, "globalDefault")
    err = load_error(tmp_path, "kind: PriorityClass\nmetadata: {name: huge}\nvalue: 1000000001\n")
    assert_located(err, "bad.yaml", 0, "value")
    err = load_error(tmp_path, "kind: PriorityClass\nmetadata: {name: system-mine}\nvalue: 1\n")
    assert_located(err, "bad.yaml", 0, "metadata.name")
    err = load_error(
        tmp_path,
        PRIORITY_CLASSES
        + "---\n"
        + pod_doc("p", extra_spec="priorityClassName: high\npriority: 3\n"),
    )
    assert_located(err, "bad.yaml", 2, "spec.priority")


@pytest.mark.parametrize("value", [-2147483649, 1000000001, 2000000000, 3000000000])
def test_priority_class_value_out_of_range(tmp_path: Path, value: int) -> None:
    # PriorityClass.value is an int32 (below -2147483648 the API cannot decode it) and a
    # user-defined class may not exceed HighestUserDefinablePriority = 1000000000
    # (pkg/apis/scheduling/validation: "maximum allowed value of a user defined priority is
    # 1000000000"); higher values belong to system-node-critical / system-cluster-critical.
    err = load_error(tmp_path, f"kind: PriorityClass\nmetadata: {{name: c}}\nvalue: {value}\n")
    assert_located(err, "bad.yaml", 0, "value")
    assert "expected an integer from -2147483648 to 1000000000" in str(err)
    assert str(err).endswith(f"got {value}")


def test_priority_class_value_bounds_are_accepted(tmp_path: Path) -> None:
    text = "\n---\n".join(f"kind: PriorityClass\nmetadata: {{name: c{i}}}\nvalue: {v}"
                           for i, v in enumerate((-2147483648, 1000000000)))
    objects = load_manifests([write(tmp_path, "ok.yaml", text)])
    assert [c.value for c in objects.priority_classes] == [-2147483648, 1000000000]


# --------------------------------------------------------------------------- DaemonSet pods

DAEMON_OWNER = """\
apiVersion: v1
kind: Pod
metadata:
  name: agent-x
  ownerReferences:
  - {apiVersion: apps/v1, kind: DaemonSet, name: agent, controller: true}
spec:
  containers:
  - name: c
    image: agent
"""


def _tol(key: str, effect: str, seconds: int | None = None, op: str = "Exists") -> Toleration:
    return Toleration(key, op, "", effect, seconds)


def test_daemonset_pods_get_the_daemonset_controllers_tolerations(tmp_path: Path) -> None:
    # AddOrUpdateDaemonPodTolerations (pkg/controller/daemon/util), in its order: not-ready and
    # unreachable NoExecute without tolerationSeconds, disk-pressure, memory-pressure,
    # pid-pressure, unschedulable NoSchedule, and network-unavailable NoSchedule for
    # hostNetwork pods; all operator Exists. AddOrUpdateTolerationInPodSpec replaces in place
    # an entry with the same key, operator, value and effect (here the 60 s unreachable one
    # loses its tolerationSeconds), and appends the others after the pod's own.
    text = DAEMON_OWNER + textwrap.indent(textwrap.dedent("""\
        hostNetwork: true
        tolerations:
        - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 60}
        - {key: custom, operator: Exists}
    """), "  ")
    pod = load_manifests([write(tmp_path, "ds.yaml", text)]).pods[0]
    assert pod.tolerations == [
        _tol("node.kubernetes.io/unreachable", "NoExecute"),
        _tol("custom", ""),
        _tol("node.kubernetes.io/not-ready", "NoExecute"),
        _tol("node.kubernetes.io/disk-pressure", "NoSchedule"),
        _tol("node.kubernetes.io/memory-pressure", "NoSchedule"),
        _tol("node.kubernetes.io/pid-pressure", "NoSchedule"),
        _tol("node.kubernetes.io/unschedulable", "NoSchedule"),
        _tol("node.kubernetes.io/network-unavailable", "NoSchedule"),
    ]


def test_daemonset_tolerations_only_for_daemonset_controlled_pods(tmp_path: Path) -> None:
    # Without hostNetwork: no network-unavailable toleration. A pod read back from a cluster
    # (it already carries them) is unchanged. A ReplicaSet pod, or a DaemonSet owner that is
    # not the controller, gets nothing.
    plain = load_manifests([write(tmp_path, "a.yaml", DAEMON_OWNER)]).pods[0]
    keys = [t.key.removeprefix("node.kubernetes.io/") for t in plain.tolerations]
    assert keys == ["not-ready", "unreachable", "disk-pressure", "memory-pressure", "pid-pressure", "unschedulable"]
    tolerations = yaml.safe_dump([{"key": t.key, "operator": t.operator, "effect": t.effect}
                                  for t in plain.tolerations])
    again = DAEMON_OWNER + "  tolerations:\n" + textwrap.indent(tolerations, "  ")
    assert load_manifests([write(tmp_path, "b.yaml", again)]).pods[0].tolerations == plain.tolerations
    for owner in ("kind: ReplicaSet, name: agent, controller: true", "kind: DaemonSet, name: agent"):
        text = DAEMON_OWNER.replace("kind: DaemonSet, name: agent, controller: true", owner)
        assert load_manifests([write(tmp_path, "c.yaml", text)]).pods[0].tolerations == []
    # scenario templates go through the same parser
    template = yaml.safe_load(DAEMON_OWNER)
    del template["metadata"]["name"]
    assert parse_pod(template, template=True).tolerations == plain.tolerations


# --------------------------------------------------------------------------- direct parsers


def test_parse_pod_with_prefix_locates_errors() -> None:
    template = {
        "metadata": {"name": "t"},
        "spec": {"containers": [{"resources": {"requests": {"cpu": "1x"}}}]},
    }
    with pytest.raises(InputError) as err:
        parse_pod(template, file="scenario.yaml", doc=2, path_prefix="workloads[0].template")
    assert_located(
        err.value,
        "scenario.yaml",
        2,
        "workloads[0].template.spec.containers[0].resources.requests.cpu",
    )
    with pytest.raises(InputError, match="metadata.name"):
        parse_pod({"spec": {"containers": [{"name": "c"}]}})
    nameless = parse_pod(
        {"spec": {"containers": [{"resources": {"limits": {"cpu": "1"}}}]}}, template=True
    )
    assert nameless.name == "" and nameless.containers[0].requests == {"cpu": 1000}
    warnings: list[str] = []
    pod = parse_pod({"metadata": {"name": "t"}}, file="s.yaml", doc=0, warnings=warnings)
    assert isinstance(pod, Pod) and pod.containers == []
    assert "has no containers" in warnings[0]


def test_parse_object_dispatches_on_kind() -> None:
    assert isinstance(parse_object({"kind": "Node", "metadata": {"name": "n"}}), Node)
    warnings: list[str] = []
    assert parse_object({"kind": "Secret"}, file="f", doc_index=3, warnings=warnings) is None
    assert "f, document 3" in warnings[0] and "Secret" in warnings[0]
    with pytest.raises(InputError, match="load_manifests"):
        parse_object({"kind": "List", "items": []})


# --------------------------------------------------------------------------- shipped examples


def test_examples_load_cleanly() -> None:
    cluster = load_manifests([EXAMPLES / "cluster.yaml"])
    assert cluster.warnings == []
    assert len(cluster.nodes) == 6
    zones = {n.labels["topology.kubernetes.io/zone"] for n in cluster.nodes}
    assert zones == {"us-east-1a", "us-east-1b"}
    (gpu,) = [n for n in cluster.nodes if "nvidia.com/gpu" in n.allocatable]
    assert gpu.allocatable["nvidia.com/gpu"] == 4
    assert [t.key for t in gpu.taints] == ["nvidia.com/gpu"]
    assert [n.name for n in cluster.nodes if n.unschedulable] == ["ip-10-0-1-142.ec2.internal"]
    assert cluster.pods and all(p.node_name for p in cluster.pods)

    pending = load_manifests([EXAMPLES / "pending.yaml"])
    assert pending.warnings == []
    assert pending.pods and not any(p.node_name for p in pending.pods)
    (rs,) = pending.workloads
    web = [p for p in pending.pods if p.labels.get("app") == "web"]
    assert len(web) == 3
    assert all(p.owner_references[0].uid == "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d" for p in web)
    assert rs.kind == "ReplicaSet" and rs.replicas == 3
    assert [s.selector for s in pending.services] == [{"app": "web"}]
    biggest = max(p.containers[0].requests.get("cpu", 0) for p in pending.pods)
    assert biggest > max(n.allocatable["cpu"] for n in cluster.nodes)  # fits nowhere

    (single,) = load_manifests([EXAMPLES / "pod.yaml"]).pods
    assert single.node_name == "" and single.containers[0].requests == {
        "cpu": 500,
        "memory": 768 * MI,
    }

    everything = load_manifests([EXAMPLES])
    assert len(everything.pods) == len(cluster.pods) + len(pending.pods) + 1


def test_preferred_node_affinity_with_non_integer_gt_is_rejected(tmp_path):
    """Upstream fails NodeAffinity's PreScore for such a pod on every attempt: a clear error."""
    path = tmp_path / "pod.yaml"
    path.write_text(
        """apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: c, image: x}]
  affinity:
    nodeAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
        - weight: 5
          preference:
            matchExpressions: [{key: rack, operator: Gt, values: ["x"]}]
"""
    )
    with pytest.raises(InputError) as err:
        load_manifests([path])
    message = str(err.value)
    assert "document 0" in message
    assert "preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions[0].values" in message
    assert "integer" in message
