"""Trace readers and the pod stream, on the real traces in /work/shared/traces/.

Expected values come from the raw CSVs (read with the csv module, conversions written out
here), from the trace READMEs, or are written by hand for the small fixtures.
"""

from __future__ import annotations

import csv
import json
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc
import pytest

from engine.errors import InputError
from engine.objects import LABEL_HOSTNAME
from workloads.pod_stream import (
    POD_STREAM_SCHEMA,
    read_pod_stream,
    validate_pod_stream,
    write_pod_stream,
)
from workloads.traces import (
    fill_stream,
    read_alibaba_dlrm,
    read_alibaba_v2017,
    read_openb,
    read_openb_nodes,
    read_podbench_trace,
    read_v2017_nodes,
)

TRACES = Path("/work/shared/traces")
OPENB = TRACES / "alibaba-gpu-v2023"
GPU_NODES = OPENB / "openb_node_list_gpu_node.csv"
ALL_NODES = OPENB / "openb_node_list_all_node.csv"
DEFAULT = OPENB / "openb_pod_list_default.csv"
V2017 = TRACES / "alibaba-v2017"
BATCH_TASK = V2017 / "batch_task.csv"
SERVER_EVENT = V2017 / "server_event.csv"
DLRM = TRACES / "alibaba-gpu-v2025" / "disaggregated_DLRM_trace.csv"

MIB = 1024 * 1024
GIB = 1024 * MIB
GPU = "nvidia.com/gpu"


def csv_dicts(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def csv_rows(path: Path) -> list[list[str]]:
    with path.open(newline="") as f:
        return list(csv.reader(f))


def by_name(table: pa.Table) -> dict[str, dict]:
    return {r["name"]: r for r in table.to_pylist()}


@pytest.fixture(scope="module")
def openb_default():
    return read_openb(DEFAULT, GPU_NODES)


# ---------------------------------------------------------------- pod stream form


def small_stream(**columns) -> pa.Table:
    base = {
        "arrival_ms": pa.array([5, 0, 5, 2], pa.int64()),
        "lifetime_ms": pa.array([None, 10, None, 0], pa.int64()),
        "template": pa.array(["web", "batch", "web", "web"]).dictionary_encode(),
    }
    base.update(columns)
    return pa.table(base)


def test_validate_returns_canonical_sorted_stream():
    table = small_stream(
        name=pa.array([None, "b0", None, "x"]),
        priority=pa.array([1, 2, 3, 4], pa.int8()),
        gpu_milli=pa.array([1, 2, 3, 4], pa.int64()),
    )
    out = validate_pod_stream(table, source="s.arrow", templates={"web", "batch"})
    assert out.schema.names[: len(POD_STREAM_SCHEMA)] == POD_STREAM_SCHEMA.names
    assert out.schema.names[-1] == "gpu_milli"
    assert out.schema.field("template").type == pa.string()
    assert out.schema.field("priority").type == pa.int32()
    # Sorted by arrival; the two arrivals at 5 keep their row order (rows 0 then 2).
    assert out.column("arrival_ms").to_pylist() == [0, 2, 5, 5]
    assert out.column("name").to_pylist() == ["b0", "x", "web-0", "web-2"]
    assert out.column("gpu_milli").to_pylist() == [2, 4, 1, 3]
    assert out.column("cpu_m").null_count == 4  # absent optional column -> all null


@pytest.mark.parametrize(
    ("change", "drop", "match", "where"),
    [
        ({}, "template", "missing required column", None),
        ({}, "lifetime_ms", "missing required column", None),
        ({"arrival_ms": pa.array([1.0, 2.0, 3.0, 4.0])}, None, "expected integers", "arrival_ms"),
        ({"lifetime_ms": pa.array([1, -4, 2, -1])}, None, "must be >= 0, got -4", "lifetime_ms[1]"),
        ({"cpu_m": pa.array([1, 2, 3, -1])}, None, "must be >= 0", "cpu_m[3]"),
        (
            {"template": pa.array(["web", "web", "api", "db"])},
            None,
            "unknown template 'api'",
            "template[2]",
        ),
        ({"template": pa.array(["web", None, "web", "web"])}, None, "required", "template[1]"),
        ({"priority": pa.array([0, 0, 2**31, 0])}, None, "does not fit in int32", "priority[2]"),
        ({"name": pa.array(["a", "B_x", "c", "d"])}, None, "not a valid pod name", "name[1]"),
        (
            {"namespace": pa.array(["a", "b.c", None, "d"])},
            None,
            "not a valid pod namespace",
            "namespace[1]",
        ),
        ({"memory": pa.array([1, 2, 3, 4])}, None, "did you mean 'memory_bytes'", "memory"),
        ({"template": pa.array([1, 2, 3, 4])}, None, "expected strings", "template"),
    ],
)
def test_validate_errors_name_file_column_and_row(change, drop, match, where):
    table = small_stream()
    if drop:
        table = table.drop_columns([drop])
    for name, values in change.items():
        if name in table.column_names:
            table = table.set_column(table.column_names.index(name), name, values)
        else:
            table = table.append_column(name, values)
    with pytest.raises(InputError, match=match) as err:
        validate_pod_stream(table, source="streams/s.arrow", templates={"web", "batch"})
    assert err.value.file == "streams/s.arrow"
    assert err.value.path == where
    assert str(err.value).startswith("streams/s.arrow")


@pytest.mark.parametrize("suffix", [".arrow", ".parquet", ".feather"])
def test_pod_stream_files_round_trip(tmp_path, suffix):
    table = validate_pod_stream(small_stream(), source="x", templates={"web", "batch"})
    path = tmp_path / f"s{suffix}"
    write_pod_stream(table, path)
    back = read_pod_stream(path, templates={"web", "batch"})
    assert back.equals(table)


def test_read_pod_stream_accepts_ipc_stream_format(tmp_path):
    path = tmp_path / "s.arrow"
    table = small_stream()
    with ipc.new_stream(path, table.schema) as w:
        w.write_table(table)
    assert read_pod_stream(path).column("arrival_ms").to_pylist() == [0, 2, 5, 5]


def test_read_pod_stream_errors(tmp_path):
    with pytest.raises(InputError, match="not found") as err:
        read_pod_stream(tmp_path / "missing.arrow")
    assert err.value.file.endswith("missing.arrow")
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"this is not parquet")
    with pytest.raises(InputError, match="cannot read") as err:
        read_pod_stream(bad)
    assert err.value.file == str(bad)
    with pytest.raises(InputError, match="unsupported"):
        (tmp_path / "s.csv").write_text("a\n")
        read_pod_stream(tmp_path / "s.csv")
    table = small_stream()
    write_pod_stream(table, tmp_path / "t.arrow")
    with pytest.raises(InputError, match="unknown template 'web'") as err:
        read_pod_stream(tmp_path / "t.arrow", templates={"batch"})
    assert err.value.path == "template[0]"


# ---------------------------------------------------------------- openb (gpu-v2023)


def test_openb_gpu_node_list_matches_readme():
    nodes = read_openb_nodes(GPU_NODES)
    assert len(nodes) == 1213  # README
    assert sum(n.allocatable[GPU] for n in nodes) == 6212
    assert sum(n.allocatable["cpu"] for n in nodes) == 107_018 * 1000
    assert sum(n.allocatable["memory"] for n in nodes) == 492_020 * GIB
    per_model = Counter()
    for n in nodes:
        per_model[n.labels["alibaba.com/gpu-model"]] += n.allocatable[GPU]
    assert per_model == {
        "G2": 4392,
        "T4": 842,
        "G3": 312,
        "P100": 265,
        "V100M32": 204,
        "V100M16": 195,
        "A10": 2,
    }
    assert sum(1 for n in nodes if n.labels["alibaba.com/gpu-model"] == "G2") == 549
    raw = csv_dicts(GPU_NODES)
    for node, row in ((nodes[0], raw[0]), (nodes[-1], raw[-1])):
        assert node.name == row["sn"]
        assert node.labels[LABEL_HOSTNAME] == row["sn"]
        assert node.allocatable == {
            "cpu": int(row["cpu_milli"]),
            "memory": int(row["memory_mib"]) * MIB,
            "pods": 110,
            GPU: int(row["gpu"]),
        }
        assert node.capacity == node.allocatable
        assert not any("zone" in k for k in node.labels)


def test_openb_all_nodes_cpu_only_have_no_gpu_or_model():
    nodes = read_openb_nodes(ALL_NODES, max_pods_per_node=64)
    raw = csv_dicts(ALL_NODES)
    assert len(nodes) == len(raw) == 1523
    cpu_only = [n for n in nodes if GPU not in n.allocatable]
    assert len(cpu_only) == sum(1 for r in raw if r["gpu"] == "0") == 310
    assert all("alibaba.com/gpu-model" not in n.labels for n in cpu_only)
    assert all(n.allocatable["pods"] == 64 for n in nodes)


POD_FILES = sorted(OPENB.glob("openb_pod_list_*.csv"))


@pytest.mark.parametrize("path", POD_FILES, ids=lambda p: p.stem)
def test_openb_every_pod_file_full_counts_and_gpu_total(path):
    raw = csv_dicts(path)
    w = read_openb(path)
    assert w.summary.rows_read == len(raw)
    assert w.summary.rows_kept == len(raw)
    assert w.summary.rows_skipped == 0
    assert w.stream.num_rows == len(raw)
    assert w.nodes is None
    got = w.stream.select(["gpu", "gpu_milli"]).to_pydict()
    assert sum(g * m for g, m in zip(got["gpu"], got["gpu_milli"], strict=True)) == sum(
        int(r["num_gpu"]) * int(r["gpu_milli"]) for r in raw
    )
    arrivals = w.stream.column("arrival_ms").to_pylist()
    assert arrivals == sorted(arrivals)


def test_openb_default_readme_facts(openb_default):
    s = openb_default.stream.to_pydict()
    assert s["name"][0] == "openb-pod-0000"
    assert sum(g * m for g, m in zip(s["gpu"], s["gpu_milli"], strict=True)) == 6_086_800
    assert sum(1 for g in s["gpu"] if g == 0) == 1088
    assert (
        sum(1 for g, m in zip(s["gpu"], s["gpu_milli"], strict=True) if g == 1 and m < 1000) == 3078
    )
    assert Counter(g for g in s["gpu"] if g > 1) == {2: 16, 4: 15, 8: 44}
    assert openb_default.summary.render().splitlines()[1] == (
        "openb: read 8152 rows from openb_pod_list_default.csv, kept 8152, skipped 0"
    )


def test_openb_units_first_and_last_rows(openb_default):
    raw = csv_dicts(DEFAULT)
    origin = min(int(r["creation_time"]) for r in raw)
    latest = max(int(r["deletion_time"]) for r in raw)
    pods = by_name(openb_default.stream)
    pending = next(r for r in raw if r["scheduled_time"] == "")
    alive = next(
        r for r in raw if r["pod_phase"] == "Running" and int(r["deletion_time"]) == latest
    )
    for row in (raw[0], raw[-1], pending, alive):
        pod = pods[row["name"]]
        assert pod["cpu_m"] == int(row["cpu_milli"])
        assert pod["memory_bytes"] == int(row["memory_mib"]) * 1048576
        assert pod["gpu"] == int(row["num_gpu"])
        assert pod["gpu_milli"] == int(row["gpu_milli"])
        assert pod["arrival_ms"] == (int(row["creation_time"]) - origin) * 1000
        if row is alive:
            expected = None  # still running at the trace's cut-off
        elif row["scheduled_time"]:
            expected = (int(row["deletion_time"]) - int(row["scheduled_time"])) * 1000
        else:  # Pending, never ran: deletion - creation
            expected = (int(row["deletion_time"]) - int(row["creation_time"])) * 1000
        assert pod["lifetime_ms"] == expected
    assert raw[-1]["name"] == "openb-pod-8151"
    assert pods["openb-pod-8151"]["lifetime_ms"] == (12901792 - 12901762) * 1000
    n_alive = sum(
        1 for r in raw if r["pod_phase"] == "Running" and int(r["deletion_time"]) == latest
    )
    assert n_alive == 34  # README: 34 pods end exactly at the cap
    assert openb_default.stream.column("lifetime_ms").null_count == n_alive


def test_openb_gpu_spec_becomes_required_affinity_per_template():
    path = OPENB / "openb_pod_list_gpuspec33.csv"
    raw = csv_dicts(path)
    w = read_openb(path)
    keys = {(frozenset(m for m in r["gpu_spec"].split("|") if m), r["qos"]) for r in raw}
    assert len(w.templates) == len(keys)
    pods = by_name(w.stream)
    with_spec = [r for r in raw if r["gpu_spec"]]
    assert len(with_spec) == 2388  # README
    first_per_key = {}
    for r in raw:
        first_per_key.setdefault((r["gpu_spec"], r["qos"]), r)
    assert any(len(set(s.split("|"))) < len(s.split("|")) for s, _ in first_per_key)
    for row in first_per_key.values():  # every raw (gpu_spec, qos) once
        t = w.templates[pods[row["name"]]["template"]]
        assert t.labels["alibaba.com/qos"] == row["qos"]
        if row["gpu_spec"]:
            (term,) = t.affinity.node_affinity.required
            (req,) = term.match_expressions
            assert (req.key, req.operator) == ("alibaba.com/gpu-model", "In")
            assert set(req.values) == set(row["gpu_spec"].split("|"))
            assert len(req.values) == len(set(req.values))  # duplicates in the spec removed
        else:
            assert t.affinity is None
        assert t.priority is None


def test_openb_multigpu_file_has_no_times():
    path = OPENB / "openb_pod_list_multigpu50.csv"
    raw = csv_dicts(path)
    assert list(raw[0]) == ["name", "cpu_milli", "memory_mib", "num_gpu", "gpu_milli"]
    w = read_openb(path, GPU_NODES)
    assert w.stream.num_rows == len(raw) == 9061
    assert set(w.stream.column("arrival_ms").to_pylist()) == {0}
    assert w.stream.column("lifetime_ms").null_count == len(raw)
    assert list(w.templates) == ["openb-any"]
    assert any("multigpu" in n and "arrives at 0" in n for n in w.summary.notes)
    last = by_name(w.stream)[raw[-1]["name"]]
    assert last["gpu"] == int(raw[-1]["num_gpu"]) and last["cpu_m"] == int(raw[-1]["cpu_milli"])


def test_openb_limit():
    w = read_openb(DEFAULT, GPU_NODES, limit=10)
    assert w.stream.num_rows == 10
    assert len(w.nodes) == 1213  # the node list is read whole
    assert w.summary.rows_read == 10 + 1213
    assert sorted(w.stream.column("name").to_pylist()) == [f"openb-pod-{i:04d}" for i in range(10)]


OPENB_HEADER = (
    "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,"
    "deletion_time,scheduled_time\n"
)


def test_openb_malformed_rows_are_skipped_and_located(tmp_path):
    path = tmp_path / "pods.csv"
    path.write_text(
        OPENB_HEADER
        + "openb-pod-0000,1000,1024,1,500,,LS,Succeeded,10,100,20\n"  # line 2: good
        + "openb-pod-0001,1000,1024,1,500,,LS,Running,10,100\n"  # line 3: 10 fields
        + "openb-pod-0002,lots,1024,1,500,,LS,Running,10,100,20\n"  # line 4: not a number
        + "\n"  # line 5: blank
        + "openb-pod-0003,1000,1024,1,1500,,LS,Running,10,100,20\n"  # line 6: gpu_milli
        + "openb-pod-0004,1000,1024,1,500,,LS,Failed,10,15,20\n"  # line 7: deleted < sched
        + "openb-pod-0005,1000,-5,0,0,,BE,Running,30,100,30\n"  # line 8: negative
        + "openb-pod-0000,1000,1024,1,500,,LS,Running,10,100,20\n"  # line 9: duplicate
        + "openb-pod-0006,2000,2048,0,0,,,Pending,40,100,\n"  # line 10: missing qos
        + "openb-pod-0007,2000,2048,0,0,,BE,Pending,40,100,\n"  # line 11: good, pending
    )
    w = read_openb(path)
    s = w.summary
    assert s.rows_read == 10 and s.rows_kept == 2 and s.rows_skipped == 8
    assert s.skipped == Counter(
        {
            "wrong number of fields": 1,
            "cpu_milli is not an integer": 1,
            "blank line": 1,
            "gpu_milli above 1000": 1,
            "deletion before start": 1,
            "memory_mib below 0": 1,
            "duplicate pod name": 1,
            "missing qos": 1,
        }
    )
    lines = [p.split(": ")[0] for p in s.problems]
    assert lines == [f"{path}:{n}" for n in (3, 4, 5, 6, 7, 8, 9, 10)]
    assert f"{path}:3: wrong number of fields (10 fields, expected 11)" in s.problems
    assert f"{path}:4: cpu_milli is not an integer (got 'lots')" in s.problems
    assert f"{path}:3" in s.render()
    pods = by_name(w.stream)
    assert pods["openb-pod-0000"]["lifetime_ms"] == 80_000
    assert pods["openb-pod-0007"]["lifetime_ms"] == 60_000  # pending: deletion - creation
    assert pods["openb-pod-0007"]["arrival_ms"] == 30_000  # relative to the earliest kept row


def test_openb_hopeless_files_raise(tmp_path):
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("name,cpu,mem\na,1,2\n")
    with pytest.raises(InputError, match="lacks column") as err:
        read_openb(wrong)
    assert err.value.file == str(wrong)
    with pytest.raises(InputError, match="not found"):
        read_openb(tmp_path / "nope.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InputError, match="empty"):
        read_openb(empty)
    bad_nodes = tmp_path / "nodes.csv"
    bad_nodes.write_text("sn,cpu_milli,memory_mib,gpu,model\nn-1,1000,1024,2,T4\nn-2,x,1,0,\n")
    with pytest.raises(InputError, match="nodes.csv:3: cpu_milli is not an integer"):
        read_openb_nodes(bad_nodes)


# ---------------------------------------------------------------- fill mode


def test_fill_reaches_target_and_only_changes_order(openb_default):
    w = openb_default
    filled = fill_stream(w, fill_percent=130, seed=7)
    target = math.ceil(1.30 * 6212 * 1000)  # 130 % of the 1213-node cluster's 6212 GPUs
    assert target == 8_075_600
    cum = filled.column("cum_gpu_arrived").to_pylist()
    assert all(b >= a for a, b in zip(cum, cum[1:], strict=False))
    assert cum[-1] >= target and cum[-2] < target
    src = w.stream.to_pylist()
    rows = filled.to_pylist()
    running = 0
    changed = {"arrival_ms", "lifetime_ms", "name", "source_row", "cum_gpu_arrived"}
    for i, row in enumerate(rows):
        orig = src[row["source_row"]]
        assert {k: v for k, v in row.items() if k not in changed} == {
            k: v for k, v in orig.items() if k not in changed
        }
        assert row["arrival_ms"] == i and row["lifetime_ms"] is None
        running += orig["gpu"] * orig["gpu_milli"]
        assert row["cum_gpu_arrived"] == running
    n = len(src)
    # The first n rows are a permutation of the trace, the rest are renamed copies.
    assert sorted(r["source_row"] for r in rows[:n]) == list(range(n))
    assert all(r["name"] == src[r["source_row"]]["name"] for r in rows[:n])
    assert all(r["name"].startswith(src[r["source_row"]]["name"] + "-fill") for r in rows[n:])
    assert len({r["name"] for r in rows}) == len(rows)


def test_fill_is_deterministic_per_seed(openb_default):
    a = fill_stream(openb_default, fill_percent=120, seed=3)
    b = fill_stream(openb_default, fill_percent=120, seed=3)
    c = fill_stream(openb_default, fill_percent=120, seed=4)
    assert a.equals(b)
    assert a.column("source_row").to_pylist() != c.column("source_row").to_pylist()


def test_fill_below_the_trace_total_cuts_the_permutation(openb_default):
    filled = fill_stream(openb_default, fill_percent=50, seed=1)
    target = math.ceil(0.5 * 6212 * 1000)
    cum = filled.column("cum_gpu_arrived").to_pylist()
    assert cum[-1] >= target > cum[-2]
    src_rows = filled.column("source_row").to_pylist()
    assert len(set(src_rows)) == len(src_rows) < openb_default.stream.num_rows


def test_fill_errors(openb_default):
    no_nodes = read_openb(DEFAULT, limit=20)
    with pytest.raises(InputError, match="no nodes"):
        fill_stream(no_nodes, fill_percent=100, seed=1)
    assert fill_stream(no_nodes, fill_percent=100, seed=1, cluster_gpus=4).num_rows > 0
    with pytest.raises(InputError, match="positive"):
        fill_stream(openb_default, fill_percent=0, seed=1)
    dlrm = read_alibaba_dlrm(DLRM, limit=5)
    assert set(dlrm.stream.column("gpu").to_pylist()) == {1}
    assert (
        fill_stream(dlrm, fill_percent=100, seed=1, cluster_gpus=7)
        .column("cum_gpu_arrived")
        .to_pylist()[-1]
        == 7000
    )  # without gpu_milli: whole GPUs x 1000


# ---------------------------------------------------------------- alibaba v2017


def v2017_expected_kept(rows: list[list[str]]) -> list[list[str]]:
    """The documented keep rule: plan_cpu and plan_mem present; a finished task (Terminated,
    Failed) must end after it starts and after the window opens."""
    kept = []
    for r in rows:
        create, modify, status = int(r[0]), int(r[1]), r[5].strip()
        if r[6].strip() == "" or r[7].strip() == "":
            continue
        if status in ("Terminated", "Failed") and (modify < create or modify <= 0):
            continue
        kept.append(r)
    return kept


def test_v2017_full_batch_task_counts():
    raw = csv_rows(BATCH_TASK)[1:]  # this copy has an added header row
    assert len(raw) == 80553
    w = read_alibaba_v2017(BATCH_TASK, max_pods=500)
    missing = sum(1 for r in raw if r[6].strip() == "")
    assert missing == 9017  # README
    fs = w.summary.files[0]
    assert fs.rows_read == len(raw)
    assert fs.rows_kept == len(v2017_expected_kept(raw))
    assert fs.skipped["missing plan_cpu"] == missing
    assert fs.rows_skipped == len(raw) - fs.rows_kept
    assert w.stream.num_rows == 500
    total = sum(int(r[4]) for r in v2017_expected_kept(raw))
    assert any(f"kept 500 of {total} instances" in n for n in w.summary.notes)


def test_v2017_units_and_instance_expansion():
    raw = csv_rows(BATCH_TASK)[1:201]
    unit = 100 * GIB
    w = read_alibaba_v2017(BATCH_TASK, limit=200, max_pods=None, memory_unit_bytes=unit)
    kept = v2017_expected_kept(raw)
    assert w.stream.num_rows == sum(int(r[4]) for r in kept)
    pods = by_name(w.stream)
    for r in (kept[0], kept[-1]):
        create, modify, job, task, count = (int(x) for x in r[:5])
        for i in (0, count - 1):
            pod = pods[f"v2017-j{job}-t{task}-{i}"]
            assert pod["cpu_m"] == int(r[6]) * 10  # hundredths of a core -> millicores
            assert pod["memory_bytes"] == round(float(r[7]) * unit)
            assert pod["arrival_ms"] == max(create, 0) * 1000
            if r[5].strip() in ("Terminated", "Failed"):
                assert pod["lifetime_ms"] == (modify - max(create, 0)) * 1000
            else:
                assert pod["lifetime_ms"] is None
            assert pod["template"] == "v2017-batch"
        assert f"v2017-j{job}-t{task}-{count}" not in pods


def test_v2017_server_events_to_nodes():
    raw = csv_rows(SERVER_EVENT)
    adds = [r for r in raw if r[2] == "add"]
    assert len(raw) == 1352 and len(adds) == 1313  # README
    unit = 512 * GIB
    w = read_alibaba_v2017(BATCH_TASK, SERVER_EVENT, limit=5, memory_unit_bytes=unit)
    nodes = {n.name: n for n in w.nodes}
    assert len(nodes) == 1313
    assert w.summary.files[0].rows_read == 1352
    assert w.summary.files[0].skipped == Counter(
        {"softerror event (node conditions are not replayed)": 39}
    )
    for r in (adds[0], adds[-1]):
        node = nodes[f"machine-{r[1]}"]
        assert node.allocatable == {
            "cpu": int(r[4]) * 1000,
            "memory": round(float(r[5]) * unit),
            "pods": 110,
        }
        assert node.labels == {LABEL_HOSTNAME: f"machine-{r[1]}"}
    ids = [int(n.name.split("-")[1]) for n in w.nodes]
    assert ids == sorted(ids)


def test_v2017_headerless_copy_reads_the_same(tmp_path):
    lines = BATCH_TASK.read_bytes().split(b"\r\n")
    official = tmp_path / "batch_task.csv"
    official.write_bytes(b"\n".join(lines[1:301]) + b"\n")  # no header, LF, like the original
    a = read_alibaba_v2017(official, max_pods=None)
    b = read_alibaba_v2017(BATCH_TASK, limit=300, max_pods=None)
    assert a.summary.files[0].rows_read == 300
    assert a.stream.drop_columns(["source_line"]).equals(b.stream.drop_columns(["source_line"]))
    assert (
        a.stream.column("source_line")[0].as_py() + 1 == b.stream.column("source_line")[0].as_py()
    )


def test_v2017_malformed_rows(tmp_path):
    tasks = tmp_path / "batch_task.csv"
    tasks.write_text(
        "10,20,1,1,2,Terminated,50,0.01\n"  # 1 good
        "10,20,1,2,2,Terminated,50\n"  # 2 seven fields
        "10,20,x,3,2,Terminated,50,0.01\n"  # 3 job id not a number
        "30,20,1,4,2,Terminated,50,0.01\n"  # 4 end before start
        "10,20,1,5,2,Running,,\n"  # 5 missing plan_cpu
        "10,20,1,6,2,Sleeping,50,0.01\n"  # 6 unknown status
        "10,20,1,7,0,Running,50,0.01\n"  # 7 no instances
        "-50,-5,1,8,2,Failed,50,0.01\n"  # 8 ended before the window
        "-50,90,1,9,1,Running,100,0.02\n"  # 9 good, created before the window
        "10,20,1,1,2,Terminated,50,0.01\n"  # 10 same job and task as line 1
    )
    w = read_alibaba_v2017(tasks, memory_unit_bytes=1000)
    fs = w.summary.files[0]
    assert (fs.rows_read, fs.rows_kept) == (10, 2)
    assert [p.split(": ")[0] for p in fs.problems] == [f"{tasks}:{n}" for n in (*range(2, 9), 10)]
    assert f"{tasks}:10: duplicate task (job 1 task 1)" in fs.problems
    assert fs.skipped["wrong number of fields"] == 1
    assert fs.skipped["end before start"] == 1
    pods = w.stream.to_pylist()
    assert [(p["name"], p["arrival_ms"], p["lifetime_ms"], p["memory_bytes"]) for p in pods] == [
        ("v2017-j1-t9-0", 0, None, 20),
        ("v2017-j1-t1-0", 10_000, 10_000, 10),
        ("v2017-j1-t1-1", 10_000, 10_000, 10),
    ]
    events = tmp_path / "server_event.csv"
    events.write_text("0,1,add,,64,0.5,1\n0,2,add,,64\n0,x,add,,64,0.5,1\n0,1,add,,64,0.5,1\n")
    summary_nodes = read_alibaba_v2017(tasks, events).summary.files[0]
    assert summary_nodes.problems == [
        f"{events}:2: wrong number of fields (5 fields, expected 7)",
        f"{events}:3: machine_id is not an integer (got 'x')",
        f"{events}:4: duplicate add event (machine 1)",
    ]
    hopeless = tmp_path / "three.csv"
    hopeless.write_text("1,2,3\n4,5,6\n")
    with pytest.raises(InputError, match="no row has the 8") as err:
        read_alibaba_v2017(hopeless)
    assert (err.value.file, err.value.line) == (str(hopeless), 1)
    with pytest.raises(InputError, match="memory_unit_bytes"):
        read_alibaba_v2017(tasks, memory_unit_bytes=0)
    assert len(read_v2017_nodes(events)) == 1


# ---------------------------------------------------------------- alibaba gpu-v2025 DLRM


def ms(text: str) -> int | None:
    return None if text == "" else round(float(text) * 1000)


def test_dlrm_full_counts_and_units():
    raw = csv_dicts(DLRM)
    w = read_alibaba_dlrm(DLRM)
    assert len(raw) == 23871 == w.stream.num_rows == w.summary.rows_kept
    assert w.nodes is None
    assert any("no node list" in n for n in w.summary.notes)
    assert len(w.templates) == len({(r["role"], r["app_name"]) for r in raw})
    assert w.stream.column("lifetime_ms").null_count == sum(
        1 for r in raw if not r["deletion_time"]
    )
    arrivals = w.stream.column("arrival_ms").to_pylist()
    assert arrivals.count(0) == sum(1 for r in raw if not r["creation_time"]) == 7280
    pods = by_name(w.stream)
    before_and_deleted = next(r for r in raw if not r["creation_time"] and r["deletion_time"])
    for r in (
        raw[0],
        raw[-1],
        before_and_deleted,
        next(r for r in raw if r["deletion_time"] and r["scheduled_time"]),
    ):
        pod = pods[r["instance_sn"].replace("_", "-")]
        assert pod["cpu_m"] == int(r["cpu_request"]) * 1000
        assert pod["memory_bytes"] == round(float(r["memory_request"]) * GIB)
        assert pod["ephemeral_storage_bytes"] == round(float(r["disk_request"]) * GIB)
        assert pod["gpu"] == int(r["gpu_request"])
        assert pod["rdma_percent"] == int(r["rdma_request"])
        assert pod["arrival_ms"] == (ms(r["creation_time"]) or 0)
        if not r["deletion_time"]:
            assert pod["lifetime_ms"] is None
        else:
            start = ms(r["scheduled_time"]) or 0
            assert pod["lifetime_ms"] == ms(r["deletion_time"]) - start
        t = w.templates[pod["template"]]
        assert t.labels == {"app": r["app_name"], "alibaba.com/dlrm-role": r["role"]}


def test_dlrm_limit_and_bad_rows(tmp_path):
    assert read_alibaba_dlrm(DLRM, limit=25).stream.num_rows == 25
    lines = DLRM.read_text().splitlines()
    path = tmp_path / "dlrm.csv"
    bad = lines[1].split(",")
    bad[9] = "lots"  # memory_request
    late = lines[-1].split(",")
    late[16] = "1.0"  # deleted before it was scheduled
    path.write_text("\n".join([lines[0], lines[1], ",".join(bad), ",".join(late)]) + "\n")
    w = read_alibaba_dlrm(path)
    assert w.summary.rows_kept == 1
    assert w.summary.problems == [
        f"{path}:3: memory_request is not a finite number (got 'lots')",
        f"{path}:4: deletion before start (deleted 1.0)",
    ]


# ---------------------------------------------------------------- podbench run directory

EVENT_TYPES = {
    "time_ms": pa.int64(),
    "kind": pa.string(),
    "namespace": pa.string(),
    "pod": pa.string(),
    "node": pa.string(),
    "priority": pa.int32(),
    "qos": pa.string(),
    "reason": pa.string(),
    "cpu_request_m": pa.int64(),
    "memory_request_bytes": pa.int64(),
    "gpu_request": pa.int64(),
    "pod_id": pa.int64(),
}

# (time_ms, kind, namespace, pod, node, priority, qos, cpu_m, memory, gpu, pod_id)
EVENTS = [
    (0, "NodeAdded", None, None, "n1", 0, None, 0, 0, 0, -1),
    (0, "Created", "default", "a", None, 0, "Burstable", 500, 1 << 30, 0, 0),
    (3, "Created", "default", "b", None, 0, "Burstable", 64000, 1 << 30, 0, 1),
    (3, "FailedScheduling", "default", "b", None, 0, "Burstable", 64000, 1 << 30, 0, 1),
    (5, "Scheduled", "default", "a", "n1", 0, "Burstable", 500, 1 << 30, 0, 0),
    (7, "Created", "batch", "c", None, 100, "Guaranteed", 1000, 2 << 30, 1, 2),
    (7, "Created", "default", "d", None, 0, "Burstable", 250, 1 << 20, 0, 3),
    (8, "Scheduled", "batch", "c", "n1", 100, "Guaranteed", 1000, 2 << 30, 1, 2),
    (9, "Scheduled", "default", "d", "n1", 0, "Burstable", 250, 1 << 20, 0, 3),
    (9, "Started", "default", "d", "n1", 0, "Burstable", 250, 1 << 20, 0, 3),
    (10, "Started", "default", "a", "n1", 0, "Burstable", 500, 1 << 30, 0, 0),
    (10, "Created", "batch", "e", None, 100, "Guaranteed", 1000, 2 << 30, 0, 4),
    (12, "Scheduled", "batch", "e", "n1", 100, "Guaranteed", 1000, 2 << 30, 0, 4),
    (50, "Preempted", "batch", "c", "n1", 100, "Guaranteed", 1000, 2 << 30, 1, 2),
    (51, "Deleted", "batch", "c", "n1", 100, "Guaranteed", 1000, 2 << 30, 1, 2),
    (59, "Deleted", "default", "d", "n1", 0, "Burstable", 250, 1 << 20, 0, 3),
    (105, "Completed", "default", "a", "n1", 0, "Burstable", 500, 1 << 30, 0, 0),
    (106, "Deleted", "default", "a", "n1", 0, "Burstable", 500, 1 << 30, 0, 0),
]


def write_run(run_dir: Path, events=EVENTS, *, completed: bool | None = True, drop=()) -> Path:
    run_dir.mkdir(parents=True, exist_ok=True)
    names = [c for c in EVENT_TYPES if c != "reason"]
    columns = {n: [e[i] for e in events] for i, n in enumerate(names)}
    columns["reason"] = [None] * len(events)
    arrays = {}
    for name, typ in EVENT_TYPES.items():
        arr = pa.array(columns[name], typ)
        if typ == pa.string():
            arr = arr.dictionary_encode()  # the documented dictionary<int32, utf8> form
        arrays[name] = arr
    table = pa.table({k: v for k, v in arrays.items() if k not in drop})
    with ipc.new_file(run_dir / "events.arrow", table.schema) as w:
        w.write_table(table)
    if completed is not None:
        (run_dir / "run.json").write_text(
            json.dumps(
                {
                    "completed": completed,
                    "seed": 1,
                    "pods": 5,
                    "events": len(events),
                    "wall_seconds": 0.1,
                }
            )
        )
    return run_dir


def test_podbench_trace_keeps_arrivals_requests_and_run_times(tmp_path):
    w = read_podbench_trace(write_run(tmp_path / "run"))
    rows = w.stream.to_pylist()
    got = [(r["name"], r["namespace"], r["arrival_ms"], r["lifetime_ms"]) for r in rows]
    assert got == [
        ("a", "default", 0, 95),  # Completed 105 - Started 10
        ("b", "default", 3, None),  # never scheduled
        ("c", "batch", 7, None),  # preempted: run time unknown
        ("d", "default", 7, 50),  # Deleted 59 - Started 9
        ("e", "batch", 10, None),  # still running at the end
    ]
    c = rows[2]
    assert (c["cpu_m"], c["memory_bytes"], c["gpu"]) == (1000, 2 << 30, 1)
    assert sorted(w.templates) == [
        "podbench-batch-p100-guaranteed",
        "podbench-default-p0-burstable",
    ]
    t = w.templates[c["template"]]
    assert (t.namespace, t.priority, t.labels) == ("batch", 100, {"podbench.io/qos": "Guaranteed"})
    assert w.nodes is None
    assert w.summary.render().splitlines()[0] == (
        "podbench: read 5 Created events from events.arrow, kept 5, skipped 0"
    )
    assert any(
        "constraints" in n and "requests, priorities and run times only" in n
        for n in w.summary.notes
    )
    assert read_podbench_trace(tmp_path / "run" / "events.arrow").stream.equals(w.stream)
    assert read_podbench_trace(tmp_path / "run", limit=2).stream.num_rows == 2


def test_podbench_trace_bad_input(tmp_path):
    dup = EVENTS + [(200, "Created", "default", "a", None, 0, "Burstable", 1, 1, 0, 0)]
    w = read_podbench_trace(write_run(tmp_path / "dup", dup, completed=False))
    assert w.summary.skipped == Counter({"duplicate Created": 1})
    assert w.summary.problems == [
        f"{tmp_path / 'dup' / 'events.arrow'} row 18: duplicate Created (pod_id 0)"
    ]
    assert any("did not complete" in n for n in w.summary.notes)
    with pytest.raises(InputError, match="missing column.*gpu_request"):
        read_podbench_trace(write_run(tmp_path / "old", drop=("gpu_request",)))
    (tmp_path / "empty-dir").mkdir()
    with pytest.raises(InputError, match="no events.arrow"):
        read_podbench_trace(tmp_path / "empty-dir")
    garbage = tmp_path / "garbage"
    garbage.mkdir()
    (garbage / "events.arrow").write_bytes(b"not arrow")
    with pytest.raises(InputError, match="cannot read") as err:
        read_podbench_trace(garbage)
    assert err.value.file.endswith("events.arrow")


def test_readers_are_deterministic():
    a = read_openb(DEFAULT, limit=300)
    b = read_openb(DEFAULT, limit=300)
    assert a.stream.equals(b.stream) and a.templates == b.templates
    assert np.array_equal(
        read_alibaba_v2017(BATCH_TASK, limit=50).stream.column("memory_bytes").to_numpy(),
        read_alibaba_v2017(BATCH_TASK, limit=50).stream.column("memory_bytes").to_numpy(),
    )
