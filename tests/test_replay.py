"""podbench replay (bench.replay): every trace format in time mode, FGD fill mode, errors.

Traces are the real ones in /work/shared/traces/, read with ``limit`` to stay fast.
Expected values come from the raw CSVs (read here with the csv module) or from the input
run, not from the code under test.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import yaml
from rich.console import Console

import reports
from bench.replay import read_trace, replay_command, replay_fill, replay_time
from engine.errors import InputError
from engine.simulator.simulator import Simulation
from workloads.scenario import load_scenario

TRACES = Path("/work/shared/traces")
OPENB = TRACES / "alibaba-gpu-v2023"
OPENB_PODS = OPENB / "openb_pod_list_default.csv"
GPU_NODES = OPENB / "openb_node_list_gpu_node.csv"
V2017 = TRACES / "alibaba-v2017"
DLRM = TRACES / "alibaba-gpu-v2025" / "disaggregated_DLRM_trace.csv"


def csv_rows(path: Path, limit: int | None = None) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    return rows[:limit] if limit is not None else rows


def events(run: Path) -> pl.DataFrame:
    return pl.read_ipc(run / "events.arrow")


def node_manifests(path: Path, n: int, cpu: str, memory: str, gpus: int = 0) -> Path:
    alloc = {"cpu": cpu, "memory": memory, "pods": "110", "ephemeral-storage": "20Ti"}
    if gpus:
        alloc["nvidia.com/gpu"] = str(gpus)
    docs = [
        {"apiVersion": "v1", "kind": "Node",
         "metadata": {"name": f"node-{i}", "labels": {"kubernetes.io/hostname": f"node-{i}"}},
         "status": {"allocatable": alloc, "capacity": alloc}}
        for i in range(n)
    ]
    path.write_text(yaml.safe_dump_all(docs))
    return path


# --------------------------------------------------------------------------- time mode


def test_openb_time_mode(tmp_path: Path) -> None:
    limit = 300
    rows = csv_rows(OPENB_PODS, limit)
    inp = read_trace("openb", OPENB_PODS, GPU_NODES, limit=limit)
    info = replay_time(inp, tmp_path / "run", seed=1, limit=limit)
    assert info["completed"] is True
    assert info["nodes"] == len(csv_rows(GPU_NODES))
    assert info["replay"]["format"] == "openb" and info["replay"]["mode"] == "time"
    ev = events(tmp_path / "run")
    created = ev.filter(pl.col("kind") == "Created")
    assert created.height == limit
    origin = min(int(r["creation_time"]) for r in rows)
    by_name = {r["name"]: r for r in rows}
    assert set(created["pod"].to_list()) == set(by_name)
    for name, t, cpu, gpu in created.select("pod", "time_ms", "cpu_request_m", "gpu_request").iter_rows():
        r = by_name[name]
        assert t == (int(r["creation_time"]) - origin) * 1000
        assert cpu == int(r["cpu_milli"]) and gpu == int(r["num_gpu"])
    # a pod that ran in the trace completes (deletion - scheduled) seconds after binding
    first = ev.filter(pl.col("pod_id") >= 0).group_by("pod").agg(
        bound=pl.col("time_ms").filter(pl.col("kind") == "Scheduled").min(),
        done=pl.col("time_ms").filter(pl.col("kind") == "Completed").min(),
    )
    checked = 0
    for name, bound, done in first.iter_rows():
        r = by_name[name]
        if r["scheduled_time"] and r["pod_phase"] != "Running" and done is not None:
            assert done - bound == (int(r["deletion_time"]) - int(r["scheduled_time"])) * 1000
            checked += 1
    assert checked > 50
    # default duration: the last departure in the trace plus a minute
    ends = []
    for r in rows:
        start = int(r["scheduled_time"] or r["creation_time"])
        ends.append((int(r["creation_time"]) - origin) * 1000)
        alive = r["pod_phase"] == "Running" and int(r["deletion_time"]) == 12902960
        if r["deletion_time"] and not alive:
            ends.append((int(r["creation_time"]) - origin) * 1000 + (int(r["deletion_time"]) - start) * 1000)
    assert info["duration_ms"] == max(ends) + 60_000


def test_alibaba_v2017_time_mode_with_its_server_events(tmp_path: Path) -> None:
    inp = read_trace("alibaba-v2017", V2017 / "batch_task.csv", None, limit=3)
    assert inp.nodes_source == str(V2017 / "server_event.csv")  # found next to the trace
    machines = {row[1] for row in csv.reader((V2017 / "server_event.csv").open()) if row[2] == "add"}
    assert len(inp.nodes) == len(machines)
    info = replay_time(inp, tmp_path / "run", duration_ms=2 * 3_600_000)
    assert info["completed"] is True
    rows = csv_rows(V2017 / "batch_task.csv", 3)
    # the third task is Waiting without a cpu request: the reader skips it (and says so)
    plan_cpu = " number_of_cpus_requested_per_instance_in_the_task"
    expected = sum(int(r["number_of_instances"]) for r in rows if r[plan_cpu].strip())
    assert inp.workload.summary.rows_skipped == 39 + 1
    created = events(tmp_path / "run").filter(pl.col("kind") == "Created")
    assert created.height == expected == info["pods"]
    assert info["simulated_ms"] == 2 * 3_600_000


def test_alibaba_dlrm_needs_nodes_and_replays_on_given_ones(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="alibaba-dlrm traces need nodes to replay on: pass --nodes"):
        read_trace("alibaba-dlrm", DLRM, None, limit=50)
    nodes = node_manifests(tmp_path / "nodes.yaml", 8, "128", "2Ti", gpus=8)
    inp = read_trace("alibaba-dlrm", DLRM, nodes, limit=50)
    info = replay_time(inp, tmp_path / "run", seed=2)
    assert info["completed"] is True and info["nodes"] == 8
    rows = csv_rows(DLRM, 50)
    ev = events(tmp_path / "run")
    created = ev.filter(pl.col("kind") == "Created")
    assert created.height == 50
    want = {r["instance_sn"].replace("_", "-"): (int(float(r["cpu_request"]) * 1000), int(r["gpu_request"]))
            for r in rows}
    got = {p: (c, g) for p, c, g in created.select("pod", "cpu_request_m", "gpu_request").iter_rows()}
    assert got == want


def test_podbench_trace_replays_its_arrivals(tmp_path: Path) -> None:
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(yaml.safe_dump({
        "name": "tiny", "seed": 4, "duration": "5m",
        "cluster": {"pools": [{"name": "n", "count": 2, "allocatable": {"cpu": "2", "memory": "4Gi"}}]},
        "workload": {"generators": [{
            "name": "web", "arrivals": {"rate": "0.5/s"}, "lifetime": "30s",
            "mix": [{"template": {"spec": {"containers": [{"name": "c", "image": "i", "resources": {
                "requests": {"cpu": "150m", "memory": "64Mi"}}}]}}}]}]},
    }))
    Simulation(load_scenario(scenario), tmp_path / "original").run()
    nodes = node_manifests(tmp_path / "nodes.yaml", 2, "2", "4Gi")
    inp = read_trace("podbench", tmp_path / "original", nodes)
    info = replay_time(inp, tmp_path / "replayed", duration_ms=5 * 60_000)
    assert info["completed"] is True
    cols = ["pod", "time_ms", "cpu_request_m", "memory_request_bytes"]
    before = events(tmp_path / "original").filter(pl.col("kind") == "Created").select(cols)
    after = events(tmp_path / "replayed").filter(pl.col("kind") == "Created").select(cols)
    assert before.height > 100
    assert after.sort("pod").equals(before.sort("pod"))
    # run times are kept: each pod runs from binding to completion as long as it did before
    def run_times(run: Path) -> dict[str, int]:
        per_pod = events(run).filter(pl.col("pod_id") >= 0).group_by("pod").agg(
            bound=pl.col("time_ms").filter(pl.col("kind") == "Scheduled").min(),
            done=pl.col("time_ms").filter(pl.col("kind") == "Completed").min(),
        ).drop_nulls()
        return dict(zip(per_pod["pod"], (per_pod["done"] - per_pod["bound"]).to_list(), strict=True))

    original, replayed = run_times(tmp_path / "original"), run_times(tmp_path / "replayed")
    both = original.keys() & replayed.keys()
    assert len(both) > 100
    assert {p: replayed[p] for p in both} == {p: original[p] for p in both}


# --------------------------------------------------------------------------- fill mode


@pytest.fixture(scope="module")
def fill_run(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("fill") / "run"
    inp = read_trace("openb", OPENB_PODS, GPU_NODES)
    return out, replay_fill(inp, out, fill_percent=60, seed=3)


def test_fill_mode_schedules_every_pod_exactly_once(fill_run) -> None:
    out, info = fill_run
    ev = events(out)
    n = info["pods"]
    assert info["completed"] is True
    assert ev.height == 2 * n == info["events"]
    created = ev.filter(pl.col("kind") == "Created")
    decided = ev.filter(pl.col("kind").is_in(["Scheduled", "FailedScheduling"]))
    assert created["pod_id"].to_list() == list(range(n))
    assert decided["pod_id"].to_list() == list(range(n))
    assert (created["time_ms"] == created["pod_id"]).all() and (decided["time_ms"] == decided["pod_id"]).all()
    assert created["pod"].n_unique() == n
    assert set(ev["kind"].unique()) <= {"Created", "Scheduled", "FailedScheduling"}  # no retries
    scheduled = decided.filter(pl.col("kind") == "Scheduled")
    failed = decided.filter(pl.col("kind") == "FailedScheduling")
    assert scheduled["node"].null_count() == 0 and failed["node"].null_count() == failed.height
    assert failed["reason"].str.starts_with("0/1213 nodes are available").all()
    assert info["summary"]["scheduled"] == scheduled.height
    assert info["fill"]["unschedulable"] == failed.height == n - scheduled.height
    assert info["scheduling"]["scheduled"] + info["scheduling"]["failed_attempts"] == n


def test_fill_mode_gpu_accounting(fill_run) -> None:
    out, info = fill_run
    ev = events(out)
    created = ev.filter(pl.col("kind") == "Created")
    cum = created["cum_gpu_arrived"].to_numpy()
    assert ev.filter(pl.col("kind") != "Created")["cum_gpu_arrived"].null_count() == created.height
    assert (np.diff(cum) >= 0).all()
    gpus = sum(int(r["gpu"]) for r in csv_rows(GPU_NODES))
    target = math.ceil(60 * gpus * 1000 / 100)
    assert info["fill"]["cluster_gpus"] == gpus and info["fill"]["target_milli_gpu"] == target
    assert cum[-1] >= target > cum[-2]
    # each Created row carries its own pod's trace request: num_gpu x gpu_milli milli-GPU
    trace = {r["name"]: r for r in csv_rows(OPENB_PODS)}
    base = created["pod"].str.replace(r"-fill\d+$", "")
    milli = [int(trace[b]["num_gpu"]) * int(trace[b]["gpu_milli"]) for b in base]
    assert np.array_equal(np.diff(cum, prepend=0), milli)
    assert created["cpu_request_m"].to_list() == [int(trace[b]["cpu_milli"]) for b in base]
    # allocated GPUs: the Scheduled pods' requests = the last node sample = run.json
    bound = ev.filter(pl.col("kind") == "Scheduled")["gpu_request"].sum()
    nodes = pl.read_ipc(out / "nodes.arrow")
    last = nodes.filter(pl.col("time_ms") == nodes["time_ms"].max())
    assert last.height == 1213
    assert bound == last["gpu_requested"].sum() == info["fill"]["allocated_gpus"]
    for res in ("cpu", "memory", "pods", "gpu"):
        alloc = f"{res}_allocatable_m" if res == "cpu" else (
            f"{res}_allocatable_bytes" if res == "memory" else f"{res}_allocatable")
        used = alloc.replace("allocatable", "requested")
        assert (last[used] <= last[alloc]).all(), res
    # a sample every 1 % of the pods, the last one after the last pod
    times = nodes["time_ms"].unique().sort().to_list()
    assert len(times) == 100 and times[-1] == info["pods"] - 1


def test_fill_mode_is_deterministic_and_seeded(fill_run, tmp_path: Path) -> None:
    out, _ = fill_run
    inp = read_trace("openb", OPENB_PODS, GPU_NODES)
    replay_fill(inp, tmp_path / "again", fill_percent=60, seed=3)
    assert (tmp_path / "again" / "events.arrow").read_bytes() == (out / "events.arrow").read_bytes()
    replay_fill(inp, tmp_path / "other", fill_percent=60, seed=4)
    order = events(tmp_path / "other").filter(pl.col("kind") == "Created")["pod"].to_list()
    assert order != events(out).filter(pl.col("kind") == "Created")["pod"].to_list()


def test_fill_mode_report_has_the_gpu_figure(fill_run, tmp_path: Path) -> None:
    out, info = fill_run
    report = reports.write_report(reports.load_input([out]), tmp_path / "report")
    names = [f.name for f in report.figures]
    assert "gpu_allocation" in names
    gpu = next(f for f in report.figures if f.name == "gpu_allocation").data
    end = gpu.filter(pl.col("time_ms") == gpu["time_ms"].max())
    assert end["allocated"][0] == info["fill"]["allocated_gpus"]
    assert end["allocated_pct"][0] == pytest.approx(100 * info["fill"]["allocated_gpus"] / 6212)


# --------------------------------------------------------------------------- errors


def test_unreadable_traces(tmp_path: Path) -> None:
    with pytest.raises(InputError) as e:
        read_trace("openb", tmp_path / "missing.csv", GPU_NODES)
    assert e.value.file == str(tmp_path / "missing.csv")
    bad = tmp_path / "pods.csv"
    bad.write_text("who,what\n1,2\n")
    with pytest.raises(InputError) as e:
        read_trace("openb", bad, GPU_NODES)
    assert e.value.file == str(bad)
    run = tmp_path / "run"
    run.mkdir()
    with pytest.raises(InputError):
        read_trace("podbench", run, GPU_NODES)
    (run / "events.arrow").write_bytes(b"not arrow at all")
    with pytest.raises(InputError) as e:
        read_trace("podbench", run, node_manifests(tmp_path / "n.yaml", 1, "1", "1Gi"))
    assert "events.arrow" in str(e.value)
    with pytest.raises(InputError, match="unknown trace format 'borg'"):
        read_trace("borg", OPENB_PODS, GPU_NODES)


def test_node_and_option_errors(tmp_path: Path) -> None:
    pod_only = tmp_path / "pod.yaml"
    pod_only.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                                        "spec": {"containers": [{"name": "c", "image": "i"}]}}))
    with pytest.raises(InputError, match="no Node objects"):
        read_trace("alibaba-dlrm", DLRM, pod_only, limit=5)
    with pytest.raises(InputError, match="node file not found"):
        read_trace("alibaba-dlrm", DLRM, tmp_path / "absent.yaml", limit=5)
    with pytest.raises(InputError, match="--limit must be >= 1"):
        read_trace("openb", OPENB_PODS, GPU_NODES, limit=0)
    v2017 = read_trace("alibaba-v2017", V2017 / "batch_task.csv", None, limit=2)
    with pytest.raises(InputError, match="needs GPUs in the cluster"):
        replay_fill(v2017, tmp_path / "x", fill_percent=50)
    openb = read_trace("openb", OPENB_PODS, GPU_NODES, limit=20)
    with pytest.raises(InputError, match="fill_percent must be a positive number"):
        replay_fill(openb, tmp_path / "y", fill_percent=0)
    console = Console(file=open("/dev/null", "w"))  # noqa: SIM115
    for kwargs, fragment in (
        ({"mode": "fill", "fill_percent": None}, "fill mode needs --fill-percent"),
        ({"mode": "fill", "fill_percent": 50, "duration": "1h"}, "--duration is for --mode time"),
        ({"mode": "time", "fill_percent": 50}, "--fill-percent is for --mode fill"),
        ({"mode": "time", "duration": "soon"}, "--duration"),
    ):
        args = {"mode": "time", "fill_percent": None, "duration": None, **kwargs}
        with pytest.raises(InputError, match=fragment):
            replay_command(OPENB_PODS, "openb", GPU_NODES, None, args["mode"], args["fill_percent"], 0,
                           tmp_path / "z", args["duration"], 10, console=console, err=console)


def test_malformed_rows_are_reported(tmp_path: Path) -> None:
    rows = OPENB_PODS.read_text().splitlines()
    pods = tmp_path / "pods.csv"
    bad = rows[3].split(",")
    bad[1] = "lots"  # cpu_milli not a number
    pods.write_text("\n".join([rows[0], rows[1], rows[2], ",".join(bad), rows[4]]) + "\n")
    record = Console(record=True, width=200)
    info = replay_command(pods, "openb", GPU_NODES, None, "time", None, 0, tmp_path / "run", None, None,
                          console=record, err=record)
    text = record.export_text()
    assert "read 4 rows from pods.csv, kept 3, skipped 1" in text
    assert f"{pods}:4:" in text
    assert info["pods"] == 3
    assert json.loads((tmp_path / "run" / "run.json").read_text())["replay"]["reader"]["rows_skipped"] == 1
