"""Trace readers: real cluster traces -> ``TraceWorkload`` (nodes, pod templates, pod stream).

One module per format; docs/pod-stream.md ("Trace readers") lists each reader's column
mapping, units and what it drops. ``fill`` turns a stream into the FGD paper's fill mode.
"""

from workloads.traces.alibaba_dlrm import read_alibaba_dlrm
from workloads.traces.alibaba_v2017 import read_alibaba_v2017, read_v2017_nodes
from workloads.traces.fill import fill_stream
from workloads.traces.openb import read_openb, read_openb_nodes
from workloads.traces.podbench_trace import read_podbench_trace
from workloads.traces.workload import FileSummary, ReadSummary, TraceWorkload

__all__ = [
    "FileSummary",
    "ReadSummary",
    "TraceWorkload",
    "fill_stream",
    "read_alibaba_dlrm",
    "read_alibaba_v2017",
    "read_openb",
    "read_openb_nodes",
    "read_podbench_trace",
    "read_v2017_nodes",
]
