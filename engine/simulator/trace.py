"""Writes a run directory (docs/trace-format.md): events.arrow, nodes.arrow, run.json.

Files are written under ``*.partial`` names while the run goes and renamed when it ends;
``run.json`` comes last and says whether the run completed, so a trace that looks complete
is complete. Arrow IPC files are zstd-compressed (deterministic for the same input).
"""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path

import numpy as np
import pyarrow as pa

KIND_NAMES = (
    "Created", "Scheduled", "FailedScheduling", "Nominated", "Preempted", "Started", "Ready", "Completed",
    "Failed", "Evicted", "Deleted", "NodeAdded", "NodeRemoved", "NodeNotReady", "NodeReady",
    "NodeCordoned", "NodeUncordoned", "NodeTainted", "NodeUntainted", "EvictionFailed",
)
QOS_NAMES = ("Guaranteed", "Burstable", "BestEffort")


def qos_with_requests(template_qos, cpu, memory):
    """Per-pod QoS codes (index into QOS_NAMES): a BestEffort template whose pods get cpu or
    memory requests from a pod stream (requests without limits) makes Burstable pods."""
    best_effort = QOS_NAMES.index("BestEffort")
    return np.where((template_qos == best_effort) & ((cpu > 0) | (memory > 0)),
                    QOS_NAMES.index("Burstable"), template_qos)

EVENTS_SCHEMA = pa.schema(
    [
        ("time_ms", pa.int64()),
        ("kind", pa.string()),
        ("namespace", pa.string()),
        ("pod", pa.string()),
        ("node", pa.string()),
        ("priority", pa.int32()),
        ("qos", pa.string()),
        ("reason", pa.string()),
        ("cpu_request_m", pa.int64()),
        ("memory_request_bytes", pa.int64()),
        ("gpu_request", pa.int64()),
        ("pod_id", pa.int64()),
    ]
)

NODES_SCHEMA = pa.schema(
    [
        ("time_ms", pa.int64()),
        ("node", pa.string()),
        ("cpu_allocatable_m", pa.int64()),
        ("cpu_requested_m", pa.int64()),
        ("memory_allocatable_bytes", pa.int64()),
        ("memory_requested_bytes", pa.int64()),
        ("pods_allocatable", pa.int64()),
        ("pods_requested", pa.int64()),
        ("gpu_allocatable", pa.int64()),
        ("gpu_requested", pa.int64()),
        ("ready", pa.bool_()),
        ("schedulable", pa.bool_()),
    ]
)

WRITE_OPTIONS = pa.ipc.IpcWriteOptions(compression="zstd")


class TraceWriter:
    """Streams record batches into a run directory; ``close`` finalises it."""

    def __init__(self, out_dir: Path, events_schema: pa.Schema = EVENTS_SCHEMA) -> None:
        self.dir = Path(out_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        for name in ("events.arrow", "nodes.arrow", "run.json"):
            (self.dir / name).unlink(missing_ok=True)
        self._events_path = self.dir / "events.arrow.partial"
        self._nodes_path = self.dir / "nodes.arrow.partial"
        self._events = pa.ipc.new_file(str(self._events_path), events_schema, options=WRITE_OPTIONS)
        self._nodes = pa.ipc.new_file(str(self._nodes_path), NODES_SCHEMA, options=WRITE_OPTIONS)
        self.events_written = 0
        self.node_rows_written = 0
        self.closed = False

    def write_events(self, batch: pa.RecordBatch) -> None:
        if batch.num_rows:
            self._events.write_batch(batch)
            self.events_written += batch.num_rows

    def write_nodes(self, batch: pa.RecordBatch) -> None:
        if batch.num_rows:
            self._nodes.write_batch(batch)
            self.node_rows_written += batch.num_rows

    def close(self, run_info: dict) -> None:
        """Close both files, move them to their final names, then write run.json."""
        if self.closed:
            return
        self.closed = True
        self._events.close()
        self._nodes.close()
        os.replace(self._events_path, self.dir / "events.arrow")
        os.replace(self._nodes_path, self.dir / "nodes.arrow")
        write_json_atomic(self.dir / "run.json", run_info)


def write_json_atomic(path: Path, doc: dict) -> None:
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(json.dumps(doc, indent=2, sort_keys=False) + "\n")
    os.replace(tmp, path)


def library_versions() -> dict[str, str]:
    """Python and the numeric libraries' versions, for run.json's ``versions``."""
    versions = {"python": platform.python_version()}
    for mod in ("numpy", "numba", "pyarrow", "polars"):
        try:
            versions[mod] = __import__(mod).__version__
        except ImportError:  # pragma: no cover
            pass
    return versions
