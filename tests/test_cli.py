"""The podbench command line (bench.cli:main): JSON output, exit codes and messages for bad
input, and the run / suite / replay / report / compare commands end to end.

Commands run in this process through ``main()`` (as the console script calls it), except
one subprocess check of the real entry point. Expected values come from the example
manifests (counted here) or from the files the commands wrote.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from tests.simulation_helpers import podbench

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "workloads" / "examples"
OPENB = Path("/work/shared/traces/alibaba-gpu-v2023")

TINY = {
    "name": "tiny",
    "seed": 1,
    "duration": "10m",
    "cluster": {"pools": [{"name": "n", "count": 3, "allocatable": {"cpu": "2", "memory": "4Gi"}}]},
    "workload": {"generators": [{
        "name": "web", "arrivals": {"rate": "0.5/s"},
        "lifetime": {"distribution": "exponential", "mean": "2m"},
        "mix": [{"template": {"spec": {"containers": [{"name": "c", "image": "i", "resources": {
            "requests": {"cpu": "200m", "memory": "64Mi"}}}]}}}]}]},
}


def flat(text: str) -> str:
    """Rich wraps long messages at the console width: compare with whitespace collapsed."""
    return " ".join(text.split())


def docs_of(path: Path, kind: str) -> list[dict]:
    out = []
    for doc in yaml.safe_load_all(path.read_text()):
        if not doc:
            continue
        items = doc.get("items", [doc]) if doc.get("kind") == "List" else [doc]
        out += [d for d in items if d.get("kind") == kind]
    return out


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(TINY))
    return path


# --------------------------------------------------------------------------- explain / place


def test_explain_json(monkeypatch, capsys) -> None:
    code, out, _ = podbench(monkeypatch, capsys, "explain", "--nodes", EXAMPLES / "cluster.yaml",
                            "--pod", EXAMPLES / "pod.yaml", "-o", "json")
    assert code == 0
    doc = json.loads(out)
    assert set(doc) >= {"pod", "selected", "nodes"}
    (pod,) = docs_of(EXAMPLES / "pod.yaml", "Pod")
    assert doc["pod"] == f"{pod['metadata']['namespace']}/{pod['metadata']['name']}"
    names = [n["metadata"]["name"] for n in docs_of(EXAMPLES / "cluster.yaml", "Node")]
    assert sorted(n["name"] for n in doc["nodes"]) == sorted(names)
    for n in doc["nodes"]:
        assert set(n) == {"name", "feasible", "status", "plugin", "reasons", "scores", "total"}
        if n["feasible"]:
            assert n["total"] is not None and n["status"] is None and n["scores"]
        else:
            assert n["total"] is None and n["plugin"] and n["reasons"]
    feasible = [n for n in doc["nodes"] if n["feasible"]]
    best = max(n["total"] for n in feasible)
    assert doc["selected"] in {n["name"] for n in feasible if n["total"] == best}


def test_place_json(monkeypatch, capsys) -> None:
    code, out, _ = podbench(monkeypatch, capsys, "place", "--nodes", EXAMPLES / "cluster.yaml",
                            "--pending", EXAMPLES / "pending.yaml", "-o", "json")
    assert code == 0
    doc = json.loads(out)
    assert set(doc) == {"placements", "placed", "unschedulable", "seconds", "compile_seconds"}
    pods = docs_of(EXAMPLES / "pending.yaml", "Pod")
    assert [p["pod"] for p in doc["placements"]] == [
        f"{p['metadata'].get('namespace', 'default')}/{p['metadata']['name']}" for p in pods]
    assert doc["placed"] + doc["unschedulable"] == len(pods)
    nodes = {n["metadata"]["name"] for n in docs_of(EXAMPLES / "cluster.yaml", "Node")}
    for p in doc["placements"]:
        assert (p["node"] is None) == (p["reason"] is not None)
        if p["node"] is not None:
            assert p["node"] in nodes
        else:
            assert p["reason"].startswith(f"0/{len(nodes)} nodes are available")
    assert doc["placed"] == sum(p["node"] is not None for p in doc["placements"])


# --------------------------------------------------------------------------- bad input


def _bad_files(tmp_path: Path) -> dict[str, Path]:
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("kind: Node\nmetadata: {name: [unclosed\n")
    bad_config = tmp_path / "config.yaml"
    bad_config.write_text("apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n"
                          "percentageOfNodesToScore: 150\n")
    return {"yaml": bad_yaml, "config": bad_config}


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["explain", "--nodes", "{tmp}/missing.yaml", "--pod", EXAMPLES / "pod.yaml"], "missing.yaml"),
        (["explain", "--nodes", "{yaml}", "--pod", EXAMPLES / "pod.yaml"], "invalid YAML"),
        (["place", "--nodes", EXAMPLES / "cluster.yaml", "--pending", EXAMPLES / "pending.yaml",
          "--config", "{config}"], "config.yaml"),
        (["run", "{tmp}/missing.yaml"], "scenario file not found"),
        (["run", "{yaml}"], "invalid YAML"),
        (["suite", "{tmp}/missing-suite.yaml"], "suite file not found"),
        (["suite", "{yaml}"], "bad.yaml"),
        (["replay", "{tmp}/missing.csv", "--format", "openb"], "trace not found"),
        (["replay", OPENB / "openb_pod_list_default.csv", "--format", "openb", "--mode", "fill"],
         "--fill-percent"),
        (["report", "{tmp}"], "neither a run directory"),
        (["compare", "{tmp}", "{tmp}"], "neither a run directory"),
    ],
)
def test_bad_input_exits_2_with_a_message(monkeypatch, capsys, tmp_path: Path, args, fragment) -> None:
    files = _bad_files(tmp_path)
    argv = [str(a).format(tmp=tmp_path, **files) for a in args]
    code, _, err = podbench(monkeypatch, capsys, *argv)
    assert code == 2
    assert err.startswith("error:")
    assert fragment in flat(err)
    assert "Traceback" not in err


def test_console_script_exit_status(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "bench.cli", "run", str(tmp_path / "nope.yaml")],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 2
    assert "scenario file not found" in proc.stderr and "Traceback" not in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "bench.cli", "run"], capture_output=True, text=True)
    assert proc.returncode == 2 and "Missing argument" in proc.stderr  # usage errors too


# --------------------------------------------------------------------------- run / report / compare


def test_run_report_and_compare(monkeypatch, capsys, tiny: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for out, seed in ((a, 1), (b, 2)):
        code, stdout, _ = podbench(monkeypatch, capsys, "run", tiny, "-o", out, "--seed", seed)
        assert code == 0 and f"trace: {out}" in stdout
        info = json.loads((out / "run.json").read_text())
        assert info["completed"] is True and info["seed"] == seed and info["nodes"] == 3

    code, stdout, _ = podbench(monkeypatch, capsys, "report", a)
    assert code == 0
    index = Path(stdout.strip())
    assert index == a / "report" / "index.html" and index.is_file()
    assert "podbench run: a" in index.read_text()

    code, stdout, _ = podbench(monkeypatch, capsys, "report", a, b, "-o", tmp_path / "both")
    assert code == 0 and Path(stdout.strip()) == tmp_path / "both" / "index.html"
    assert "podbench comparison: a, b" in (tmp_path / "both" / "index.html").read_text()

    code, stdout, _ = podbench(monkeypatch, capsys, "compare", a, b)
    assert code == 0 and "pods created" in stdout and "B - A" in stdout
    code, stdout, _ = podbench(monkeypatch, capsys, "compare", a, b, "--json")
    doc = json.loads(stdout)
    assert doc["a"] == {"dir": str(a), "completed": True}
    rows = {r["metric"]: r for r in doc["rows"]}
    created_a = json.loads((a / "run.json").read_text())["summary"]["created"]
    created_b = json.loads((b / "run.json").read_text())["summary"]["created"]
    assert (rows["pods_created"]["a"], rows["pods_created"]["b"]) == (created_a, created_b)
    assert rows["pods_created"]["difference"] == created_b - created_a


# --------------------------------------------------------------------------- suite / replay


def test_suite_command(monkeypatch, capsys, tiny: Path, tmp_path: Path) -> None:
    suite = tmp_path / "suite.yaml"
    suite.write_text(textwrap.dedent("""\
        name: cli-suite
        scenarios: [tiny.yaml]
        matrix:
          scoring:
            - label: least
            - {label: most, overrides: {scoringStrategy: MostAllocated}}
        seeds: [1]
        """))
    out = tmp_path / "out"
    code, stdout, _ = podbench(monkeypatch, capsys, "suite", suite, "-o", out, "--list")
    assert code == 0 and "scoring=least,seed=1" in stdout and "scoring=most,seed=1" in stdout
    assert not out.exists()  # --list runs nothing and writes nothing

    code, stdout, _ = podbench(monkeypatch, capsys, "suite", suite, "-o", out, "--report")
    assert code == 0
    doc = json.loads((out / "suite.json").read_text())
    assert [c["status"] for c in doc["cells"]] == ["completed", "completed"]
    assert f"report: {out / 'report' / 'index.html'}" in stdout
    assert (out / "report" / "index.html").is_file()

    code, stdout, _ = podbench(monkeypatch, capsys, "suite", suite, "-o", out)
    assert code == 0 and "2 cell(s) already completed" in stdout
    assert f"report: podbench report {out}" in stdout


def test_suite_with_a_failing_cell_exits_1(monkeypatch, capsys, tiny: Path, tmp_path: Path) -> None:
    suite = tmp_path / "suite.yaml"
    suite.write_text(textwrap.dedent("""\
        scenarios: [tiny.yaml]
        matrix:
          rate:
            - label: ok
            - {label: broken, set: {"workload.generators[0].arrivals.rate": 2}}
        """))
    code, stdout, err = podbench(monkeypatch, capsys, "suite", suite, "-o", tmp_path / "out")
    assert code == 1
    assert "failed cell rate=broken,seed=1" in err and "arrivals.rate" in err
    doc = json.loads((tmp_path / "out" / "suite.json").read_text())
    assert {c["id"]: c["status"] for c in doc["cells"]} == {
        "rate=ok,seed=1": "completed", "rate=broken,seed=1": "failed"}


def test_replay_command_fill_mode(monkeypatch, capsys, tmp_path: Path) -> None:
    out = tmp_path / "fill"
    code, stdout, err = podbench(monkeypatch, capsys, "replay", OPENB / "openb_pod_list_default.csv",
                                 "--format", "openb", "--mode", "fill", "--fill-percent", "20",
                                 "--limit", "400", "--seed", "5", "-o", out)
    assert code == 0
    assert "openb: read 400 rows from openb_pod_list_default.csv" in err
    info = json.loads((out / "run.json").read_text())
    assert info["completed"] is True and info["seed"] == 5
    assert info["replay"] | {"reader": None} == {
        "format": "openb", "trace": str(OPENB / "openb_pod_list_default.csv"),
        "nodes": str(OPENB / "openb_node_list_gpu_node.csv"), "mode": "fill", "config": None,
        "limit": 400, "reader": None}
    assert info["fill"]["fill_percent"] == 20.0
    assert f"trace: {out}" in stdout
