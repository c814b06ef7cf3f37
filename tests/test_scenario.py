"""Scenario files (workloads.scenario) and arrival generators (workloads.generators.arrivals).

Fixtures are small scenario files written into tmp_path. Expected values are worked out by
hand from the file text (durations, fixed-rate arrival times, node names) or from the
distributions' known moments (Poisson counts and exponential/uniform/lognormal means) with
tolerances of at least four standard deviations, under fixed seeds.
"""

from __future__ import annotations

import copy
import json
import math
import textwrap
from fractions import Fraction
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.errors import InputError
from engine.objects import LABEL_HOSTNAME, LABEL_REGION, LABEL_ZONE, NO_EXECUTE, Taint
from workloads.generators.arrivals import (
    ArrivalProcess,
    RateSegment,
    arrival_times,
)
from workloads.pod_stream import write_pod_stream
from workloads.scenario import (
    FOREVER,
    NO_OVERRIDE,
    apply_sets,
    format_duration,
    load_scenario,
    parse_duration,
    parse_rate,
)

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "workloads" / "scenarios"
HOUR = 3_600_000

POD = {
    "spec": {
        "containers": [
            {
                "name": "c",
                "image": "i",
                "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}},
            }
        ]
    }
}


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return path


def scenario_doc(**overrides) -> dict:
    """A minimal valid scenario: one 4-node pool and one generator with a fixed interval."""
    doc = {
        "duration": "10m",
        "cluster": {
            "pools": [
                {
                    "name": "general",
                    "count": 4,
                    "allocatable": {"cpu": "4", "memory": "16Gi"},
                    "zones": ["a", "b"],
                }
            ]
        },
        "workload": {
            "generators": [
                {
                    "name": "web",
                    "arrivals": {"process": "fixed", "interval": "1m"},
                    "mix": [{"template": POD}],
                }
            ]
        },
    }
    doc.update(overrides)
    return copy.deepcopy(doc)


def load_doc(tmp_path: Path, doc: dict, name: str = "scenario.yaml", **kwargs):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return load_scenario(path, **kwargs)


def generator(tmp_path: Path, gen: dict, **top):
    """Load a scenario whose only workload is ``gen`` (name and mix defaulted)."""
    gen = {"name": "g", "mix": [{"template": POD}], **gen}
    doc = scenario_doc(workload={"generators": [gen]}, **top)
    return load_doc(tmp_path, doc)


def error_of(tmp_path: Path, doc: dict, **kwargs) -> str:
    with pytest.raises(InputError) as info:
        load_doc(tmp_path, doc, **kwargs)
    return str(info.value)


# ---------------------------------------------------------------- example scenarios


EXAMPLES = sorted(SCENARIOS.glob("*.yaml"))


def test_examples_exist():
    names = {p.stem for p in EXAMPLES}
    assert {
        "two-regions",
        "taints-and-cordon",
        "node-failure",
        "priority-overload",
        "quick-mixed",
        "day-1m",
    } <= names


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_scenarios_load_clean(path):
    s = load_scenario(path)
    assert s.warnings == []
    assert s.objects.nodes
    a = s.arrivals
    assert len(a) > 0
    assert np.all(np.diff(a.time_ms) >= 0)
    assert a.time_ms[0] >= 0 and a.time_ms[-1] < s.duration_ms
    assert a.template.min() >= 0 and a.template.max() < len(s.templates)
    assert s.name == path.stem


def test_two_regions_example():
    s = load_scenario(SCENARIOS / "two-regions.yaml")
    regions = [n.labels[LABEL_REGION] for n in s.objects.nodes]
    assert regions == ["us-east-1"] * 4 + ["us-west-2"] * 4
    assert [n.labels[LABEL_ZONE] for n in s.objects.nodes[:4]] == [
        "us-east-1a",
        "us-east-1b",
        "us-east-1a",
        "us-east-1b",
    ]
    by_name = {t.name: t for t in s.templates}
    assert by_name["east-web"].node_selector == {LABEL_REGION: "us-east-1"}
    assert by_name["west-api"].affinity.node_affinity.required is not None
    assert by_name["batch"].affinity.node_affinity.preferred[0].weight == 80
    assert s.duration_ms == HOUR


def test_node_failure_example():
    s = load_scenario(SCENARIOS / "node-failure.yaml")
    assert [(e.at_ms, e.action, e.nodes) for e in s.events] == [
        (300_000, "fail", ("node-b",)),
        (1_800_000, "recover", ("node-b",)),
    ]
    assert sorted((p.name, p.node_name) for p in s.objects.pods) == [
        ("cron-agent", "node-b"),
        ("web-7d4f9-a", "node-b"),
        ("web-7d4f9-b", "node-c"),
    ]
    assert [w.name for w in s.objects.workloads] == ["web-7d4f9"]
    assert s.node_lifecycle.monitor_grace_ms == 50_000
    assert s.node_lifecycle.unreachable_toleration_s == 300
    names = [s.arrivals.pod_name(i, s.templates) for i in range(len(s.arrivals))]
    assert names == ["debug-shell", "report-builder", "probe-0", "probe-1", "probe-2"]
    assert s.arrivals.time_ms.tolist() == [60_000, 120_000, 180_000, 190_000, 200_000]
    assert s.arrivals.lifetime_ms.tolist() == [FOREVER, FOREVER, 120_000, 120_000, 120_000]


def test_priority_overload_example():
    s = load_scenario(SCENARIOS / "priority-overload.yaml")
    prio = {t.name: t.priority for t in s.templates}
    assert prio == {"low-protected": 1000, "low-batch": 1000, "high": 1_000_000}
    assert [p.name for p in s.objects.pdbs] == ["protected"]
    high = s.arrivals.time_ms[s.arrivals.template == 2]
    assert high.tolist() == [300_000, 420_000, 540_000, 660_000]
    low_cpu = 16 * 1000
    assert low_cpu == sum(n.allocatable["cpu"] for n in s.objects.nodes)


def test_day_1m_example_size():
    s = load_scenario(SCENARIOS / "day-1m.yaml")
    assert len(s.objects.nodes) == 5000
    assert len(s.arrivals) == 1_000_000
    zones = {n.labels[LABEL_ZONE] for n in s.objects.nodes}
    assert zones == {"us-east-1a", "us-east-1b", "us-east-1c"}
    assert all(t.owner_references[0].kind == "ReplicaSet" for t in s.templates)


# ---------------------------------------------------------------- durations and rates


@pytest.mark.parametrize(
    "text, ms",
    [
        (0, 0),
        (1234, 1234),
        ("0", 0),
        ("250ms", 250),
        ("30s", 30_000),
        ("5m", 300_000),
        ("2h", 7_200_000),
        ("1d", 86_400_000),
        ("1h30m", 5_400_000),
        ("1.5s", 1500),
        ("1m0.5s", 60_500),
    ],
)
def test_parse_duration(text, ms):
    assert parse_duration(text) == ms


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("-5s", "negative"),
        (-1, "negative"),
        ("5", "needs a unit"),
        ("5x", "expected a duration"),
        ("1.5ms", "whole number of milliseconds"),
        (1.5, "write it as a string"),
        (True, "expected a duration"),
        ("", "expected a duration"),
        ("h", "expected a duration"),
    ],
)
def test_parse_duration_errors(text, fragment):
    with pytest.raises(InputError, match=fragment):
        parse_duration(text, "x.y")


def test_format_duration():
    assert format_duration(5_400_000) == "1h30m"
    assert format_duration(250) == "250ms"
    assert format_duration(0) == "0s"


def test_parse_rate():
    assert parse_rate("2/s") == Fraction(2, 1000)
    assert parse_rate("30/m") == Fraction(1, 2000)
    assert parse_rate("0.5/h") == Fraction(1, 7_200_000)
    for bad, fragment in (("2", "expected a rate"), (2, "add a unit"), ("-1/s", "negative")):
        with pytest.raises(InputError, match=fragment):
            parse_rate(bad)


# ---------------------------------------------------------------- arrival processes


def test_poisson_count_and_gaps(tmp_path):
    # 10/s over 1000 s: mean 10,000 arrivals, sd 100.
    s = generator(tmp_path, {"arrivals": {"rate": "10/s"}}, duration="1000s")
    t = s.arrivals.time_ms
    assert abs(len(t) - 10_000) < 400
    gaps = np.diff(t).astype(float)
    assert abs(gaps.mean() - 100.0) < 4.0
    # Exponential gaps: coefficient of variation 1 (a fixed process has 0).
    assert 0.95 < gaps.std() / gaps.mean() < 1.05


def test_poisson_is_deterministic_and_seeded(tmp_path):
    gen = {"arrivals": {"rate": "5/s"}, "lifetime": {"distribution": "exponential", "mean": "1m"}}
    a = generator(tmp_path, gen, seed=7).arrivals
    b = generator(tmp_path, gen, seed=7).arrivals
    c = generator(tmp_path, gen, seed=8).arrivals
    assert np.array_equal(a.time_ms, b.time_ms)
    assert np.array_equal(a.lifetime_ms, b.lifetime_ms)
    assert np.array_equal(a.template, b.template)
    assert not np.array_equal(a.time_ms[:100], c.time_ms[:100])


def test_seed_argument_overrides_file(tmp_path):
    doc = scenario_doc(seed=7)
    doc["workload"]["generators"][0]["arrivals"] = {"rate": "5/s"}
    s7 = load_doc(tmp_path, doc)
    s8 = load_doc(tmp_path, doc, seed=8)
    s8b = load_doc(tmp_path, {**doc, "seed": 8})
    assert (s7.seed, s8.seed) == (7, 8)
    assert np.array_equal(s8.arrivals.time_ms, s8b.arrivals.time_ms)
    assert not np.array_equal(s7.arrivals.time_ms[:50], s8.arrivals.time_ms[:50])


def test_count_caps_without_changing_the_prefix(tmp_path):
    a = generator(tmp_path, {"arrivals": {"rate": "5/s"}, "count": 100}).arrivals
    b = generator(tmp_path, {"arrivals": {"rate": "5/s"}, "count": 200}).arrivals
    assert len(a) == 100 and len(b) == 200
    assert np.array_equal(a.time_ms, b.time_ms[:100])


def test_generators_use_independent_streams(tmp_path):
    one = scenario_doc()
    one["workload"]["generators"][0]["arrivals"] = {"rate": "2/s"}
    two = json.loads(json.dumps(one))
    two["workload"]["generators"].insert(
        0, {"name": "other", "arrivals": {"rate": "3/s"}, "mix": [{"template": POD}]}
    )
    first = load_doc(tmp_path, one).arrivals
    second = load_doc(tmp_path, two).arrivals
    # Streams are keyed by position: the web generator is [0] in one and [1] in two.
    two["workload"]["generators"].reverse()
    third = load_doc(tmp_path, two).arrivals
    web_first = first.time_ms[first.template == 0]
    web_third = third.time_ms[third.template == 0]
    assert np.array_equal(web_first, web_third)
    assert len(second) > len(first)


def test_fixed_interval_exact_times(tmp_path):
    s = generator(
        tmp_path,
        {"start": "1s", "stop": "5s", "arrivals": {"process": "fixed", "interval": "500ms"}},
    )
    assert s.arrivals.time_ms.tolist() == [1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500]


def test_fixed_rate_exact_times(tmp_path):
    # k / 3 seconds, floored to whole ms.
    s = generator(tmp_path, {"stop": "2s", "arrivals": {"process": "fixed", "rate": "3/s"}})
    assert s.arrivals.time_ms.tolist() == [0, 333, 666, 1000, 1333, 1666]


def test_fixed_piecewise_rate_exact_times(tmp_path):
    # 1/s for [0, 2s) then 2/s: arrival k where the integrated rate reaches k.
    rate = [{"until": "2s", "rate": "1/s"}, {"rate": "2/s"}]
    s = generator(tmp_path, {"arrivals": {"process": "fixed", "rate": rate}}, duration="4s")
    assert s.arrivals.time_ms.tolist() == [0, 1000, 2000, 2500, 3000, 3500]


def test_poisson_piecewise_rates(tmp_path):
    rate = [{"until": "100s", "rate": "1/s"}, {"until": "200s", "rate": "10/s"}]
    t = generator(tmp_path, {"arrivals": {"rate": rate}}, duration="200s").arrivals.time_ms
    early = int((t < 100_000).sum())
    late = int((t >= 100_000).sum())
    assert abs(early - 100) < 40  # Poisson(100): sd 10
    assert abs(late - 1000) < 130  # Poisson(1000): sd ~32


def test_piecewise_zero_rate_segment_has_no_arrivals(tmp_path):
    rate = [
        {"until": "100s", "rate": "5/s"},
        {"until": "200s", "rate": "0/s"},
        {"rate": "5/s"},
    ]
    t = generator(tmp_path, {"arrivals": {"rate": rate}}, duration="300s").arrivals.time_ms
    assert not ((t >= 100_000) & (t < 200_000)).any()
    assert (t < 100_000).sum() > 300 and (t >= 200_000).sum() > 300


def test_diurnal_thinning_trough_and_mean(tmp_path):
    # Rate 1/s modulated by 1 + cos(2*pi*(t - 12h)/24h) over one day. Mean count 86,400
    # (sd ~294). Expected within +-2h of the peak: (4h + 24h/pi * sin(pi/6)) * 3600/h
    # ~ 28,150; within +-2h of the trough (midnight): (4h - 3.82h) * 3600 ~ 650.
    gen = {"arrivals": {"rate": "1/s", "diurnal": {"amplitude": 1.0, "peak": "12h"}}}
    t = generator(tmp_path, gen, duration="24h").arrivals.time_ms
    assert abs(len(t) - 86_400) < 1_200
    peak = int(((t >= 10 * HOUR) & (t < 14 * HOUR)).sum())
    trough = int(((t < 2 * HOUR) | (t >= 22 * HOUR)).sum())
    assert abs(peak - 28_150) < 700
    assert abs(trough - 650) < 110


def test_one_million_poisson_arrivals_are_capped_and_reproducible():
    process = ArrivalProcess("poisson", segments=(RateSegment(None, 11.7 / 1000),))
    t = arrival_times(process, 0, 24 * HOUR, np.random.SeedSequence(1), limit=1_000_000)
    assert t.shape == (1_000_000,) and t.dtype == np.int64
    assert np.all(np.diff(t) >= 0) and t[0] >= 0 and t[-1] < 24 * HOUR
    # 11.7/s would give ~1,010,900 arrivals in a day: the cap ends the stream early.
    assert t[-1] < 24 * HOUR - 10 * 60_000
    again = arrival_times(process, 0, 24 * HOUR, np.random.SeedSequence(1), limit=1_000_000)
    assert np.array_equal(t, again)


# ---------------------------------------------------------------- lifetimes and mix


def lifetimes(tmp_path, lifetime) -> np.ndarray:
    gen = {
        "count": 20_000,
        "arrivals": {"process": "fixed", "interval": "1ms"},
        "lifetime": lifetime,
    }
    return generator(tmp_path, gen).arrivals.lifetime_ms


def test_lifetime_exponential_mean(tmp_path):
    life = lifetimes(tmp_path, {"distribution": "exponential", "mean": "10s"})
    assert abs(life.mean() - 10_000) < 300  # sd of the mean: 10s / sqrt(20000) = 71 ms
    assert life.min() >= 0


def test_lifetime_uniform(tmp_path):
    life = lifetimes(tmp_path, {"distribution": "uniform", "min": "1s", "max": "3s"})
    assert life.min() >= 1000 and life.max() < 3000
    assert abs(life.mean() - 2000) < 40  # sd of the mean: 577 / sqrt(20000) = 4 ms


def test_lifetime_lognormal(tmp_path):
    life = lifetimes(tmp_path, {"distribution": "lognormal", "median": "5s", "sigma": 0.5})
    assert abs(np.median(life) - 5000) < 150
    assert abs(life.mean() - 5000 * math.exp(0.125)) < 150  # 5665.7


def test_lifetime_constant_none_and_shorthand(tmp_path):
    assert set(lifetimes(tmp_path, {"distribution": "constant", "value": "90s"})) == {90_000}
    assert set(lifetimes(tmp_path, "90s")) == {90_000}
    assert set(lifetimes(tmp_path, {"distribution": "none"})) == {FOREVER}
    assert set(lifetimes(tmp_path, None)) == {FOREVER}


def test_mix_weights_and_default_template_names(tmp_path):
    gen = {
        "name": "svc",
        "count": 20_000,
        "arrivals": {"process": "fixed", "interval": "1ms"},
        "mix": [{"weight": 3, "template": POD}, {"weight": 1, "template": POD}],
    }
    s = generator(tmp_path, gen)
    assert [t.name for t in s.templates] == ["svc-0", "svc-1"]
    share = float((s.arrivals.template == 0).mean())
    assert abs(share - 0.75) < 0.015  # sd 0.003
    first_1 = int(np.argmax(s.arrivals.template == 1))
    assert s.arrivals.pod_name(first_1, s.templates) == "svc-1-0"
    assert s.arrivals.ordinal[s.arrivals.template == 0].tolist()[:3] == [0, 1, 2]


def test_shared_template_file_is_one_template(tmp_path):
    write(tmp_path, "web.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {}\n")
    gens = [
        {
            "name": n,
            "arrivals": {"process": "fixed", "interval": "1m"},
            "mix": [{"file": "web.yaml"}],
        }
        for n in ("a", "b")
    ]
    s = load_doc(tmp_path, scenario_doc(workload={"generators": gens}))
    assert [t.name for t in s.templates] == ["web"]
    # Both generators arrive at 0, 1m, ...: ordinals run over both.
    assert s.arrivals.ordinal.tolist() == list(range(20))


# ---------------------------------------------------------------- explicit pods and streams


def test_explicit_pods_file_and_template(tmp_path):
    write(
        tmp_path,
        "pods.yaml",
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: first, namespace: team}
        spec: {containers: [{name: c, image: i}]}
        ---
        kind: PodList
        items:
          - metadata: {name: second}
            spec: {containers: [{name: c, image: i}]}
        """,
    )
    pods = [
        {"file": "pods.yaml", "at": "10s", "every": "5s", "lifetime": "1m"},
        {"name": "probe", "template": POD, "count": 3, "at": "12s", "every": "1s"},
    ]
    s = load_doc(tmp_path, scenario_doc(workload={"pods": pods}))
    a = s.arrivals
    names = [a.pod_name(i, s.templates) for i in range(len(a))]
    assert names == ["first", "probe-0", "probe-1", "probe-2", "second"]
    assert a.time_ms.tolist() == [10_000, 12_000, 13_000, 14_000, 15_000]
    assert a.lifetime_ms.tolist() == [60_000, FOREVER, FOREVER, FOREVER, 60_000]
    assert a.names.to_pylist() == ["first", None, None, None, "second"]
    assert s.templates[0].namespace == "team"


def test_pod_file_without_names_is_an_error(tmp_path):
    write(tmp_path, "pods.yaml", "kind: Pod\nspec: {containers: [{name: c}]}\n")
    msg = error_of(tmp_path, scenario_doc(workload={"pods": [{"file": "pods.yaml"}]}))
    assert "pods.yaml" in msg and "metadata.name" in msg and "document 0" in msg


def test_streams_merge_sorted_with_overrides(tmp_path):
    table = pa.table(
        {
            "arrival_ms": pa.array([500, 0, 1500], pa.int64()),
            "lifetime_ms": pa.array([1000, None, 20], pa.int64()),
            "template": ["a", "a", "b"],
            "name": ["s1", "s0", None],
            "priority": pa.array([None, 7, None], pa.int32()),
            "cpu_m": pa.array([None, 250, None], pa.int64()),
        }
    )
    write_pod_stream(table, tmp_path / "stream.parquet")
    write(tmp_path, "b.yaml", "kind: Pod\nmetadata: {name: ignored}\nspec: {priority: 3}\n")
    workload = {
        "pods": [{"name": "tie", "template": POD, "at": "500ms"}],
        "streams": [
            {
                "file": "stream.parquet",
                "offset": "1s",
                "templates": {"a": POD, "b": {"file": "b.yaml"}},
            }
        ],
    }
    s = load_doc(tmp_path, scenario_doc(workload=workload))
    a = s.arrivals
    assert [t.name for t in s.templates] == ["tie", "a", "b"]
    # Stream rows shift by 1s: s0 at 1000, s1 at 1500, b-2 at 2500; tie at 500.
    assert a.time_ms.tolist() == [500, 1000, 1500, 2500]
    assert a.names.to_pylist() == [None, "s0", "s1", "b-2"]
    assert a.template.tolist() == [0, 1, 1, 2]
    assert a.lifetime_ms.tolist() == [FOREVER, FOREVER, 1000, 20]
    assert a.priority.tolist() == [0, 7, 0, 3]
    assert a.requests["cpu"].tolist() == [NO_OVERRIDE, 250, NO_OVERRIDE, NO_OVERRIDE]
    assert set(a.requests) == {"cpu"}
    assert a.sources[a.source[0]].startswith("workload.pods[0]")


def test_stream_and_explicit_tie_keeps_source_order(tmp_path):
    table = pa.table(
        {
            "arrival_ms": pa.array([0], pa.int64()),
            "lifetime_ms": pa.array([None], pa.int64()),
            "template": ["a"],
        }
    )
    write_pod_stream(table, tmp_path / "s.arrow")
    workload = {
        "streams": [{"file": "s.arrow", "templates": {"a": POD}}],
        "pods": [{"name": "p", "template": POD}],
    }
    s = load_doc(tmp_path, scenario_doc(workload=workload))
    # pods come before streams in source order, whatever the key order in the file.
    assert [s.arrivals.pod_name(i, s.templates) for i in range(2)] == ["p-0", "a-0"]


# ---------------------------------------------------------------- cluster


def test_pools_expand_with_labels_zones_and_taints(tmp_path):
    write(
        tmp_path,
        "nodes.yaml",
        "kind: Node\nmetadata: {name: manual}\nstatus: {allocatable: {cpu: '2'}}\n",
    )
    cluster = {
        "manifests": ["nodes.yaml"],
        "pools": [
            {
                "name": "gpu",
                "count": 5,
                "allocatable": {"cpu": "8", "memory": "32Gi", "nvidia.com/gpu": 4},
                "labels": {"pool": "gpu"},
                "taints": [{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}],
                "zones": ["z1", "z2"],
                "region": "r1",
            },
            {"name": "big", "count": 1500, "allocatable": {"cpu": "1"}},
        ],
    }
    s = load_doc(tmp_path, scenario_doc(cluster=cluster))
    nodes = s.objects.nodes
    assert [n.name for n in nodes[:6]] == [
        "manual",
        "gpu-000",
        "gpu-001",
        "gpu-002",
        "gpu-003",
        "gpu-004",
    ]
    assert nodes[-1].name == "big-1499" and nodes[6].name == "big-0000"
    gpu = nodes[1:6]
    assert [n.labels[LABEL_ZONE] for n in gpu] == ["z1", "z2", "z1", "z2", "z1"]
    assert gpu[2].labels == {
        "pool": "gpu",
        LABEL_HOSTNAME: "gpu-002",
        "kubernetes.io/os": "linux",
        LABEL_ZONE: "z1",
        LABEL_REGION: "r1",
    }
    assert gpu[0].taints == [Taint("dedicated", "gpu", "NoSchedule")]
    assert gpu[0].allocatable == {
        "cpu": 8000,
        "memory": 32 * 2**30,
        "nvidia.com/gpu": 4,
        "pods": 110,
    }
    assert gpu[0].capacity == gpu[0].allocatable
    assert LABEL_ZONE not in nodes[7].labels


def test_pending_manifest_pods_arrive_at_zero(tmp_path):
    write(
        tmp_path,
        "cluster.yaml",
        """
        kind: Node
        metadata: {name: n1}
        status: {allocatable: {cpu: '2', pods: '10'}}
        ---
        kind: Pod
        metadata: {name: running}
        spec: {nodeName: n1}
        ---
        kind: Pod
        metadata: {name: waiting}
        spec: {}
        """,
    )
    doc = scenario_doc(cluster={"manifests": ["cluster.yaml"]}, workload={})
    s = load_doc(tmp_path, doc)
    assert [p.name for p in s.objects.pods] == ["running"]
    assert s.arrivals.names.to_pylist() == ["waiting"]
    assert s.arrivals.time_ms.tolist() == [0]
    assert any("no spec.nodeName" in w for w in s.warnings)


def test_bound_pod_on_unknown_node_is_an_error(tmp_path):
    write(tmp_path, "pods.yaml", "kind: Pod\nmetadata: {name: p}\nspec: {nodeName: ghost}\n")
    msg = error_of(tmp_path, scenario_doc(objects=["pods.yaml"]))
    assert "ghost" in msg and "cluster.manifests" in msg


def test_relative_paths_resolve_from_the_scenario_file(tmp_path, monkeypatch):
    write(tmp_path, "shared/nodes.yaml", "kind: Node\nmetadata: {name: shared-node}\n")
    write(tmp_path, "shared/pod.yaml", "kind: Pod\nmetadata: {name: tpl}\nspec: {}\n")
    doc = scenario_doc(
        cluster={"manifests": ["../shared/nodes.yaml"]},
        workload={
            "generators": [
                {
                    "name": "g",
                    "arrivals": {"process": "fixed", "interval": "1m"},
                    "mix": [{"file": "../shared/pod.yaml"}],
                }
            ]
        },
    )
    (tmp_path / "scenarios").mkdir()
    path = tmp_path / "scenarios" / "s.yaml"
    path.write_text(yaml.safe_dump(doc))
    monkeypatch.chdir(ROOT)
    s = load_scenario(path)
    assert [n.name for n in s.objects.nodes] == ["shared-node"]
    assert [t.name for t in s.templates] == ["tpl"]


def test_json_scenario_is_accepted(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(scenario_doc(name="from-json")))
    s = load_scenario(path)
    assert s.name == "from-json" and len(s.arrivals) == 10


def test_settings_and_defaults(tmp_path):
    s = load_doc(tmp_path, scenario_doc(), name="plain.yaml")
    assert s.name == "plain"
    assert (s.seed, s.duration_ms, s.sample_interval_ms) == (0, 600_000, 60_000)
    assert (s.selection, s.cycle_ms) == ("heap", 0)
    assert (s.lifecycle.start_latency_ms, s.lifecycle.termination_grace_ms) == (1000, 30_000)
    nl = s.node_lifecycle
    assert (nl.monitor_grace_ms, nl.monitor_period_ms, nl.eviction_rate) == (50_000, 5_000, 0.1)
    assert (nl.large_cluster_size_threshold, nl.unhealthy_zone_threshold) == (50, 0.55)
    assert s.profile.scheduler_name == "default-scheduler"


def test_scheduler_config_and_overrides(tmp_path):
    config = ROOT / "bench" / "configs" / "most-allocated.yaml"
    scheduler = {
        "config": str(config),
        "overrides": {"percentageOfNodesToScore": 50},
        "selection": "random",
        "cycleTime": "2ms",
    }
    s = load_doc(tmp_path, scenario_doc(scheduler=scheduler))
    assert s.profile.args.node_resources_fit.scoring_strategy.type == "MostAllocated"
    assert s.profile.percentage_of_nodes_to_score == 50
    assert (s.selection, s.cycle_ms) == ("random", 2)


def test_template_priority_from_priority_class(tmp_path):
    write(
        tmp_path,
        "pc.yaml",
        "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: gold}\n"
        "value: 500\npreemptionPolicy: Never\n",
    )
    tpl = {"spec": {"priorityClassName": "gold"}}
    doc = scenario_doc(objects=["pc.yaml"])
    doc["workload"]["generators"][0]["mix"] = [{"template": tpl}]
    s = load_doc(tmp_path, doc)
    assert s.templates[0].priority == 500
    assert s.templates[0].preemption_policy == "Never"


# ---------------------------------------------------------------- events


def events_scenario(tmp_path, events, **top):
    cluster = {
        "pools": [
            {
                "name": "general",
                "count": 3,
                "allocatable": {"cpu": "4"},
                "labels": {"pool": "general"},
            },
            {"name": "spot", "count": 2, "allocatable": {"cpu": "4"}, "labels": {"pool": "spot"}},
        ]
    }
    return load_doc(tmp_path, scenario_doc(cluster=cluster, events=events, duration="6h", **top))


def test_events_resolved_sorted_and_added(tmp_path):
    write(tmp_path, "extra.yaml", "kind: Node\nmetadata: {name: extra}\n")
    events = [
        {"at": "2h", "action": "cordon", "selector": {"pool": "spot"}},
        {"at": "1h", "action": "fail", "node": "general-000"},
        {"at": "4h", "action": "add", "pool": "general", "count": 2},
        {"at": "4h", "action": "drain", "nodes": ["general-003", "general-004"]},
        {"at": "5h", "action": "add", "file": "extra.yaml"},
        {"at": "5h", "action": "cordon", "selector": {"pool": "general"}},
        {"at": "5h30m", "action": "remove", "node": "extra"},
        {
            "at": "2h",
            "action": "taint",
            "node": "general-001",
            "taint": {"key": "maint", "value": "true", "effect": NO_EXECUTE},
        },
        {
            "at": "3h",
            "action": "untaint",
            "node": "general-001",
            "taint": {"key": "maint", "effect": NO_EXECUTE},
        },
    ]
    s = events_scenario(tmp_path, events)
    got = [(e.at_ms // 60_000, e.action, e.nodes, e.source_index) for e in s.events]
    assert got == [
        (60, "fail", ("general-000",), 1),
        (120, "cordon", ("spot-000", "spot-001"), 0),
        (120, "taint", ("general-001",), 7),
        (180, "untaint", ("general-001",), 8),
        (240, "add", ("general-003", "general-004"), 2),
        (240, "drain", ("general-003", "general-004"), 3),
        (300, "add", ("extra",), 4),
        (
            300,
            "cordon",
            ("general-000", "general-001", "general-002", "general-003", "general-004"),
            5,
        ),
        (330, "remove", ("extra",), 6),
    ]
    added = s.events[4].new_nodes
    assert [n.labels["pool"] for n in added] == ["general", "general"]
    assert s.events[1].selector == {"pool": "spot"}
    taint = s.events[2].taint
    assert taint == Taint("maint", "true", NO_EXECUTE) and taint.time_added_ms == 2 * HOUR
    assert s.warnings == []


def test_event_warnings(tmp_path):
    events = [
        {"at": "1h", "action": "cordon", "selector": {"pool": "nope"}},
        {
            "at": "1h",
            "action": "untaint",
            "node": "spot-000",
            "taint": {"key": "k", "effect": "NoSchedule"},
        },
        {"at": "7h", "action": "uncordon", "node": "spot-000"},
    ]
    s = events_scenario(tmp_path, events)
    assert [e.source_index for e in s.events] == [0, 1]  # the 7h event is dropped
    text = "\n".join(s.warnings)
    assert "events[0].selector" in text and "matches no node" in text
    assert "events[1].taint" in text and "not on node(s) spot-000" in text
    assert "events[2].at" in text and "never happens" in text


@pytest.mark.parametrize(
    "events, path, fragment",
    [
        ([{"at": "1h", "action": "fail", "node": "general-009"}], "events[0].node", "unknown node"),
        (
            [{"at": "1h", "action": "fail", "node": "genral-000"}],
            "events[0].node",
            "did you mean 'general-000'",
        ),
        (
            [{"at": "1h", "action": "cordon", "nodes": ["spot-000", "spot-002"]}],
            "events[0].nodes[1]",
            "unknown node 'spot-002'",
        ),
        (
            [
                {"at": "2h", "action": "cordon", "node": "general-003"},
                {"at": "3h", "action": "add", "pool": "general"},
            ],
            "events[0].node",
            "unknown node 'general-003' at 2h",
        ),
        (
            [
                {"at": "1h", "action": "remove", "node": "spot-000"},
                {"at": "2h", "action": "drain", "node": "spot-000"},
            ],
            "events[1].node",
            "removed by events[0]",
        ),
        ([{"at": "-1s", "action": "fail", "node": "spot-000"}], "events[0].at", "negative"),
        (
            [{"at": "1h", "action": "explode", "node": "spot-000"}],
            "events[0].action",
            "expected one of",
        ),
        ([{"at": "1h", "action": "add", "pool": "spt"}], "events[0].pool", "did you mean 'spot'"),
        ([{"at": "1h", "action": "cordon"}], "events[0]", "exactly one of node"),
        (
            [{"at": "1h", "action": "cordon", "node": "spot-000", "taint": {}}],
            "events[0].taint",
            "not used by action cordon",
        ),
        ([{"at": "1h", "action": "taint", "node": "spot-000"}], "events[0].taint", "is required"),
        (
            [
                {
                    "at": "1h",
                    "action": "taint",
                    "node": "spot-000",
                    "taint": {"key": "k", "effect": "NoRun"},
                }
            ],
            "events[0].taint.effect",
            "expected one of",
        ),
        ([{"at": "1h", "action": "add", "file": "missing.yaml"}], "events[0].file", "missing.yaml"),
        ([{"action": "fail", "node": "spot-000"}], "events[0].at", "is required"),
    ],
)
def test_event_errors(tmp_path, events, path, fragment):
    with pytest.raises(InputError) as info:
        events_scenario(tmp_path, events)
    msg = str(info.value)
    assert f"field {path}" in msg and fragment in msg and "scenario.yaml" in msg


# ---------------------------------------------------------------- --set


def test_apply_sets_values_and_paths():
    doc = scenario_doc()
    out = apply_sets(
        doc,
        [
            "seed=3",
            "duration=2h",
            "workload.generators[0].arrivals.rate=5/s",
            "scheduler.selection=random",
            "scheduler.overrides.weights.NodeAffinity=5",
            'workload.generators[0].mix[0].template.metadata.labels["app.kubernetes.io/name"]=web',
        ],
    )
    assert out["seed"] == 3 and out["duration"] == "2h"
    assert out["workload"]["generators"][0]["arrivals"]["rate"] == "5/s"
    assert out["scheduler"] == {"selection": "random", "overrides": {"weights.NodeAffinity": 5}}
    labels = out["workload"]["generators"][0]["mix"][0]["template"]["metadata"]["labels"]
    assert labels == {"app.kubernetes.io/name": "web"}
    assert "seed" not in doc and doc["duration"] == "10m"  # the input is not modified


def test_set_overrides_apply_before_validation(tmp_path):
    doc = scenario_doc()
    sets = ["workload.generators[0].arrivals.interval=30s", "seed=5", "duration=5m"]
    s = load_doc(tmp_path, doc, sets=sets)
    assert s.seed == 5 and s.duration_ms == 300_000
    assert s.arrivals.time_ms.tolist() == [k * 30_000 for k in range(10)]
    msg = error_of(tmp_path, doc, sets=["workload.generators[0].arrivals.interval=-1s"])
    assert "field workload.generators[0].arrivals.interval" in msg and "negative" in msg


@pytest.mark.parametrize(
    "item, path, fragment",
    [
        (
            "workload.generators[0].arivals.rate=5/s",
            "workload.generators[0].arivals",
            "did you mean 'arrivals'",
        ),
        ("sede=3", "sede", "did you mean 'seed'"),
        ("workload.generators[4].name=x", "workload.generators[4]", "out of range"),
        ("seed.value=3", "seed.value", "single value"),
        ("workload.generators.name=x", "workload.generators", "is a list; use an index"),
        ("events[0].at=1h", "events", "is not set"),
        ("cluster.pools[0].labels=1", None, None),
    ],
)
def test_set_errors_name_the_key(item, path, fragment):
    doc = scenario_doc()
    if path is None:
        assert apply_sets(doc, [item])["cluster"]["pools"][0]["labels"] == 1
        return
    with pytest.raises(InputError) as info:
        apply_sets(doc, [item])
    msg = str(info.value)
    assert f"field {path}" in msg and fragment in msg and item in msg


def test_set_syntax_errors():
    for item, fragment in (
        ("seed", "KEY=VALUE"),
        ("a..b=1", "malformed key"),
        ("x=[1", "not valid YAML"),
    ):
        with pytest.raises(InputError, match=fragment):
            apply_sets({}, [item])


def test_set_scheduler_config_is_relative_to_the_scenario(tmp_path):
    write(
        tmp_path,
        "configs/c.yaml",
        """
        apiVersion: kubescheduler.config.k8s.io/v1
        kind: KubeSchedulerConfiguration
        percentageOfNodesToScore: 30
        """,
    )
    (tmp_path / "sc").mkdir()
    s = load_doc(
        tmp_path, scenario_doc(), name="sc/s.yaml", sets=["scheduler.config=../configs/c.yaml"]
    )
    assert s.profile.percentage_of_nodes_to_score == 30


# ---------------------------------------------------------------- validation errors


def gen0(doc: dict) -> dict:
    return doc["workload"]["generators"][0]


def mix0(doc: dict) -> dict:
    return gen0(doc)["mix"][0]


def edit_path(doc, keys, value):
    target = doc
    for k in keys[:-1]:
        target = target[k]
    target[keys[-1]] = value


G = ("workload", "generators", 0)
T = (*G, "mix", 0, "template")

ERRORS = [
    # (keys to set, value, path expected in the message, message fragment)
    (("durration",), "1h", "durration", "did you mean 'duration'"),
    (("duration",), "-5s", "duration", "negative"),
    (("duration",), "soon", "duration", "expected a duration"),
    (("duration",), 0, "duration", "must be > 0"),
    (("apiVersion",), "podbench/v2", "apiVersion", "podbench/v1"),
    (("kind",), "Pod", "kind", "Scenario"),
    (("seed",), -1, "seed", ">= 0"),
    (("seed",), "one", "seed", "expected an integer"),
    (("sampleInterval",), "0s", "sampleInterval", "must be > 0"),
    (("scheduler",), {"selection": "best"}, "scheduler.selection", "heap, random"),
    (
        ("scheduler",),
        {"overrides": {"percentage": 5}},
        "scheduler.overrides.percentage",
        "unknown override",
    ),
    (("scheduler",), {"config": "nope.yaml"}, "scheduler.config", "resolved"),
    (("lifecycle",), {"startLatency": "fast"}, "lifecycle.startLatency", "expected a duration"),
    (("nodeLifecycle",), {"evictionRate": -1}, "nodeLifecycle.evictionRate", ">= 0"),
    (
        ("nodeLifecycle",),
        {"unhealthyZoneThreshold": 2},
        "nodeLifecycle.unhealthyZoneThreshold",
        "<= 1",
    ),
    (("nodeLifecycle",), {"monitorPeriod": 0}, "nodeLifecycle.monitorPeriod", "> 0"),
    (("cluster", "manifests"), ["missing.yaml"], "cluster.manifests[0]", "'missing.yaml'"),
    (("objects",), "pcs.yaml", "objects", "expected a list"),
    (("cluster", "pools", 0, "count"), "ten", "cluster.pools[0].count", "expected an integer"),
    (("cluster", "pools", 0, "count"), -2, "cluster.pools[0].count", ">= 0"),
    (
        ("cluster", "pools", 0, "allocatable"),
        {"cpu": "lots"},
        "cluster.pools[0].allocatable.cpu",
        "grammar",
    ),
    (("cluster", "pools", 0, "name"), "Bad_Name", "cluster.pools[0].name", "not a valid pool name"),
    (
        ("cluster", "pools", 0, "taints"),
        [{"key": "k", "effect": "Never"}],
        "cluster.pools[0].taints[0].effect",
        "NoSchedule",
    ),
    (
        ("cluster", "pools", 0, "labels"),
        {"x": True},
        "cluster.pools[0].labels.x",
        "expected a string",
    ),
    (("cluster", "pools", 0, "zone"), ["a"], "cluster.pools[0].zone", "did you mean 'zones'"),
    (("workload", "generator"), [], "workload.generator", "did you mean 'generators'"),
    ((*G, "arrivals"), {"rate": "abc"}, "workload.generators[0].arrivals.rate", "expected a rate"),
    ((*G, "arrivals"), {"rate": "-2/s"}, "workload.generators[0].arrivals.rate", "negative"),
    ((*G, "arrivals"), {"rate": 2}, "workload.generators[0].arrivals.rate", "add a unit"),
    (
        (*G, "arrivals"),
        {"process": "poison", "rate": "1/s"},
        "workload.generators[0].arrivals.process",
        "did you mean 'poisson'",
    ),
    (
        (*G, "arrivals"),
        {"interval": "1s"},
        "workload.generators[0].arrivals.interval",
        "only for process: fixed",
    ),
    (
        (*G, "arrivals"),
        {"process": "fixed", "interval": "0s"},
        "workload.generators[0].arrivals.interval",
        "> 0",
    ),
    (
        (*G, "arrivals"),
        {"process": "poisson"},
        "workload.generators[0].arrivals.rate",
        "is required",
    ),
    ((*G, "arrivals"), {"rate": []}, "workload.generators[0].arrivals.rate", "at least one"),
    (
        (*G, "arrivals"),
        {"rate": [{"until": "2m", "rate": "1/s"}, {"until": "1m", "rate": "1/s"}]},
        "workload.generators[0].arrivals.rate[1].until",
        "later than",
    ),
    (
        (*G, "arrivals"),
        {"rate": [{"rate": "1/s"}, {"until": "1m", "rate": "1/s"}]},
        "workload.generators[0].arrivals.rate[0].until",
        "only the last",
    ),
    (
        (*G, "arrivals"),
        {"process": "fixed", "rate": "1/s", "diurnal": {"amplitude": 0.5}},
        "workload.generators[0].arrivals.diurnal",
        "only for process: poisson",
    ),
    (
        (*G, "arrivals"),
        {"rate": "1/s", "diurnal": {"amplitude": 1.5}},
        "workload.generators[0].arrivals.diurnal.amplitude",
        "<= 1",
    ),
    ((*G, "arrivals"), {"rate": "1000000/s"}, "workload.generators[0].arrivals.rate", "limit"),
    ((*G, "count"), -1, "workload.generators[0].count", ">= 0"),
    ((*G, "stop"), "-1s", "workload.generators[0].stop", "negative"),
    ((*G, "start"), "2m", None, None),  # valid: replaced below by a stop before it
    (
        (*G, "lifetime"),
        {"distribution": "gamma"},
        "workload.generators[0].lifetime.distribution",
        "expected one of",
    ),
    (
        (*G, "lifetime"),
        {"distribution": "exponential", "mean": "1m", "sigma": 1},
        "workload.generators[0].lifetime.sigma",
        "not a parameter",
    ),
    (
        (*G, "lifetime"),
        {"distribution": "exponential"},
        "workload.generators[0].lifetime.mean",
        "is required",
    ),
    (
        (*G, "lifetime"),
        {"distribution": "uniform", "min": "2m", "max": "1m"},
        "workload.generators[0].lifetime.max",
        ">= min",
    ),
    (
        (*G, "lifetime"),
        {"mean": "1m"},
        "workload.generators[0].lifetime.distribution",
        "is required",
    ),
    ((*G, "mix"), [], "workload.generators[0].mix", "at least one"),
    ((*G, "mix", 0, "weight"), 0, "workload.generators[0].mix[0].weight", "> 0"),
    ((*G, "mix", 0, "weight"), -2, "workload.generators[0].mix[0].weight", "> 0"),
    ((*G, "mix", 0, "file"), "x.yaml", "workload.generators[0].mix[0]", "exactly one of template"),
    ((*G, "name"), "", "workload.generators[0].name", "must not be empty"),
    ((*G, "name"), "Web", "workload.generators[0].name", "DNS-1123"),
    (
        (*T, "kind"),
        "Service",
        "workload.generators[0].mix[0].template.kind",
        "expected a Pod template",
    ),
    ((*T, "apiVersion"), "v2", "workload.generators[0].mix[0].template.apiVersion", "v1"),
    (
        (*T, "metadata"),
        {"namespace": "Bad_NS"},
        "workload.generators[0].mix[0].template.metadata.namespace",
        "DNS-1123",
    ),
    (
        (*T, "metadata"),
        {"name": "Web"},
        "workload.generators[0].mix[0].template.metadata.name",
        "DNS-1123",
    ),
    (
        (*T, "spec"),
        {"containers": [{"name": "c", "resources": {"requests": {"cpu": "abc"}}}]},
        "workload.generators[0].mix[0].template.spec.containers[0].resources.requests.cpu",
        "grammar",
    ),
    (
        (*T, "spec"),
        {"priorityClassName": "gold"},
        "workload.generators[0].mix[0].template.spec.priorityClassName",
        "gold",
    ),
    (
        ("workload", "pods"),
        [{"template": {"spec": {}}}],
        "workload.pods[0].template.metadata.name",
        "is required",
    ),
    (
        ("workload", "pods"),
        [{"file": "p.yaml", "template": {}}],
        "workload.pods[0]",
        "exactly one of file",
    ),
    (
        ("workload", "pods"),
        [{"name": "p", "template": {}, "count": -1}],
        "workload.pods[0].count",
        ">= 0",
    ),
    (("workload", "pods"), [{"name": "P_1", "template": {}}], "workload.pods[0].name", "DNS-1123"),
    (
        ("workload", "streams"),
        [{"file": "s.csv", "templates": {"a": {}}}],
        "workload.streams[0].file",
        "not found",
    ),
    (("events",), {"at": "1h"}, "events", "expected a list"),
]


@pytest.mark.parametrize("keys, value, path, fragment", ERRORS, ids=lambda x: None)
def test_validation_errors_name_file_and_key_path(tmp_path, keys, value, path, fragment):
    doc = scenario_doc()
    edit_path(doc, keys, value)
    if path is None:
        gen0(doc)["stop"] = "1m"
        path, fragment = "workload.generators[0].stop", "must not be before start (2m)"
    msg = error_of(tmp_path, doc)
    assert msg.startswith(str(tmp_path / "scenario.yaml")), msg
    assert f"field {path}:" in msg, msg
    assert fragment in msg, msg
    assert "Traceback" not in msg


def test_missing_file_error_shows_given_and_resolved_path(tmp_path):
    msg = error_of(tmp_path, scenario_doc(objects=["sub/pcs.yaml"]))
    assert "'sub/pcs.yaml'" in msg and str(tmp_path / "sub" / "pcs.yaml") in msg
    assert "field objects[0]" in msg


def test_duration_is_required(tmp_path):
    doc = scenario_doc()
    del doc["duration"]
    assert "field duration: is required" in error_of(tmp_path, doc)


def test_template_namespace_must_be_declared_when_namespaces_are(tmp_path):
    write(tmp_path, "ns.yaml", "kind: Namespace\nmetadata: {name: shop}\n")
    doc = scenario_doc(objects=["ns.yaml"])
    mix0(doc)["template"] = {**POD, "metadata": {"namespace": "shops"}}
    msg = error_of(tmp_path, doc)
    assert "template.metadata.namespace" in msg and "did you mean 'shop'" in msg
    mix0(doc)["template"] = {**POD, "metadata": {"namespace": "shop"}}
    assert load_doc(tmp_path, doc).templates[0].namespace == "shop"


def test_conflicting_templates_with_one_name(tmp_path):
    doc = scenario_doc()
    gen0(doc)["mix"] = [
        {"template": {**POD, "metadata": {"name": "x"}}},
        {"template": {"metadata": {"name": "x"}, "spec": {}}},
    ]
    msg = error_of(tmp_path, doc)
    assert "field workload.generators[0].mix[1].template.metadata.name" in msg
    assert "already used" in msg and "workload.generators[0].mix[0].template" in msg


def test_template_file_must_hold_one_pod(tmp_path):
    write(
        tmp_path,
        "two.yaml",
        "kind: Pod\nmetadata: {name: a}\n---\nkind: Pod\nmetadata: {name: b}\n",
    )
    doc = scenario_doc()
    gen0(doc)["mix"] = [{"file": "two.yaml"}]
    msg = error_of(tmp_path, doc)
    assert "field workload.generators[0].mix[0].file" in msg and "exactly one Pod" in msg


def test_workload_pod_file_with_other_kinds_is_an_error(tmp_path):
    write(tmp_path, "mixed.yaml", "kind: Service\nmetadata: {name: s}\n")
    msg = error_of(tmp_path, scenario_doc(workload={"pods": [{"file": "mixed.yaml"}]}))
    assert "mixed.yaml" in msg and "got kind 'Service'" in msg and "objects" in msg


def test_invalid_yaml_and_non_map(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("duration: [1h\n")
    with pytest.raises(InputError, match="invalid YAML"):
        load_scenario(path)
    path.write_text("- 1\n- 2\n")
    with pytest.raises(InputError, match="must be a map"):
        load_scenario(path)
    with pytest.raises(InputError, match="not found"):
        load_scenario(tmp_path / "absent.yaml")
    path = tmp_path / "bad.json"
    path.write_text('{"duration": "1h",\n "seed": }\n')
    with pytest.raises(InputError, match=r"invalid JSON: .* \(column 10\)") as err:
        load_scenario(path)
    assert err.value.line == 2


# ---------------------------------------------------------------- documentation


def test_docs_complete_example_loads(tmp_path):
    text = (ROOT / "docs" / "scenario.md").read_text()
    section = text.split("## A complete example", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    home = tmp_path / "workloads" / "scenarios"
    path = write(home, "two-pools.yaml", example)
    config = (ROOT / "bench" / "configs" / "most-allocated.yaml").read_text()
    write(tmp_path, "bench/configs/most-allocated.yaml", config)
    write(home, "two-pools/control-plane.yaml", "kind: Node\nmetadata: {name: control-plane}\n")
    write(
        home,
        "two-pools/priorityclasses.yaml",
        "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: low}\nvalue: 10\n",
    )
    write(
        home,
        "two-pools/apps.yaml",
        """
        kind: Namespace
        metadata: {name: shop}
        ---
        apiVersion: apps/v1
        kind: ReplicaSet
        metadata: {name: web, namespace: shop}
        spec:
          selector: {matchLabels: {app: web}}
          template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web}]}}
        """,
    )
    spec = "spec: {containers: [{name: c, image: i}]}\n"
    write(home, "two-pools/web-canary.yaml", "kind: Pod\nmetadata: {name: web-canary}\n" + spec)
    write(home, "two-pools/replayed-pod.yaml", "kind: Pod\n" + spec)
    write(home, "two-pools/extra-node.yaml", "kind: Node\nmetadata: {name: extra}\n")
    stream = pa.table(
        {
            "arrival_ms": pa.array([0, 60_000], pa.int64()),
            "lifetime_ms": pa.array([None, 1000], pa.int64()),
            "template": ["replayed", "replayed"],
        }
    )
    write_pod_stream(stream, home / "two-pools" / "replay.parquet")
    s = load_scenario(path)
    assert s.warnings == []
    assert len(s.objects.nodes) == 31
    assert [t.name for t in s.templates] == ["warmup", "web-0", "web-canary", "batch", "replayed"]
    assert s.templates[3].priority == 10
    assert s.profile.percentage_of_nodes_to_score == 50
    assert s.events[6].nodes == ("general-020", "general-021")
    replayed = s.arrivals.time_ms[s.arrivals.template == 4]
    assert replayed.tolist() == [2 * HOUR, 2 * HOUR + 60_000]


@settings(max_examples=60, deadline=None)
@given(
    rates=st.lists(st.integers(0, 50), min_size=1, max_size=4),
    start=st.integers(0, 5_000),
    width=st.integers(0, 20_000),
    limit=st.one_of(st.none(), st.integers(0, 200)),
    fixed=st.booleans(),
    seed=st.integers(0, 2**32),
)
def test_arrival_times_stay_in_window_sorted_and_capped(rates, start, width, limit, fixed, seed):
    # Segments of 4 s each with rates in arrivals per second; the last one is open-ended.
    segments = tuple(
        RateSegment(None if k == len(rates) - 1 else 4000 * (k + 1), r / 1000)
        for k, r in enumerate(rates)
    )
    process = ArrivalProcess("fixed" if fixed else "poisson", segments=segments)
    stop = start + width
    t = arrival_times(process, start, stop, np.random.SeedSequence(seed), limit)
    assert t.dtype == np.int64
    assert np.all(np.diff(t) >= 0)
    assert t.size == 0 or (t[0] >= start and t[-1] < stop)
    if limit is not None:
        assert t.size <= limit
    uncapped = arrival_times(process, start, stop, np.random.SeedSequence(seed))
    assert np.array_equal(t, uncapped[: t.size])


def test_scenario_without_workload_or_events(tmp_path):
    s = load_doc(tmp_path, scenario_doc(workload=None))
    assert len(s.arrivals) == 0 and s.arrivals.names is None and s.events == []
    assert len(s.objects.nodes) == 4


def test_template_and_name_warnings(tmp_path):
    write(
        tmp_path,
        "pods.yaml",
        "kind: Pod\nmetadata: {name: web-1}\nspec: {containers: [{name: c, image: i}]}\n",
    )
    doc = scenario_doc()
    gen0(doc)["mix"][0]["template"] = {
        "metadata": {
            "ownerReferences": [
                {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "ghost", "controller": True}
            ]
        },
        "spec": {"schedulerName": "other", **POD["spec"]},
    }
    gen0(doc)["name"] = "web"
    doc["workload"]["pods"] = [{"file": "pods.yaml"}, {"file": "pods.yaml", "at": "5m"}]
    s = load_doc(tmp_path, doc)
    text = "\n".join(s.warnings)
    assert "ReplicaSet default/ghost, which no manifest defines" in text
    assert "field workload.generators[0].mix[0].template.spec.schedulerName" in text
    assert "arrive more than once: default/web-1" in text
    # The generator's pods are web-0 ... web-9; the file pod web-1 arrives twice.
    assert "2 explicit pod name(s) equal a generated" in text and "'web-1'" in text
