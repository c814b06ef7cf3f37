"""Where cells run: in this process, in local worker processes, or on a Dask cluster.

Every executor runs the same top-level ``run_cell`` on plain-data ``CellSpec``s, so a cell's
output does not depend on where it ran. ``run`` yields outcomes as cells finish (any order);
the runner records them. An executor is a context manager that releases its workers.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

from bench.suite.cell import CellOutcome, run_cell
from bench.suite.cells import CellSpec
from engine.errors import InputError

__all__ = [
    "EXECUTORS",
    "DaskExecutor",
    "Executor",
    "InProcess",
    "LocalProcesses",
    "check_executor_options",
    "make_executor",
]

EXECUTORS = ("local", "dask")


def _lost(spec: CellSpec, err: BaseException) -> CellOutcome:
    """A cell whose worker died or could not return its outcome."""
    return CellOutcome(spec.id, "failed", f"worker failed: {type(err).__name__}: {err}", 0.0)


class Executor:
    workers = 1
    where = ""

    def run(self, cells: list[CellSpec], suite_dir: str) -> Iterator[CellOutcome]:
        raise NotImplementedError

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close(interrupted=exc[0] is not None)

    def close(self, interrupted: bool = False) -> None:
        pass


class InProcess(Executor):
    """One cell after the other in this process (``-j 1``)."""

    where = "in this process"

    def run(self, cells: list[CellSpec], suite_dir: str) -> Iterator[CellOutcome]:
        for spec in cells:
            yield run_cell(spec, suite_dir)


class LocalProcesses(Executor):
    """``jobs`` worker processes started with 'spawn': each has clean Numba state."""

    def __init__(self, jobs: int) -> None:
        self.workers = jobs
        self.where = f"in {jobs} local processes"
        self.pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"))

    def run(self, cells: list[CellSpec], suite_dir: str) -> Iterator[CellOutcome]:
        futures = {self.pool.submit(run_cell, spec, suite_dir): spec for spec in cells}
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as e:  # the worker process died (BrokenProcessPool, ...)
                yield _lost(futures[future], e)

    def close(self, interrupted: bool = False) -> None:
        self.pool.shutdown(wait=not interrupted, cancel_futures=True)


class DaskExecutor(Executor):
    """Cells as Dask tasks: on the scheduler at ``address``, or on a LocalCluster of
    ``jobs`` single-threaded worker processes (closed at the end)."""

    def __init__(self, jobs: int, address: str | None = None, *, processes: bool = True) -> None:
        from distributed import Client, LocalCluster

        self.cluster = None
        if address:
            try:
                self.client = Client(address, timeout="10s")
            except (OSError, TimeoutError, ValueError) as e:
                raise InputError(
                    f"--address: cannot connect to the Dask scheduler at {address}: {e}"
                ) from None
            self.workers = max(len(self.client.scheduler_info().get("workers", {})), 1)
            self.where = f"on the Dask scheduler {address}"
        else:
            self.cluster = LocalCluster(
                n_workers=jobs,
                threads_per_worker=1,
                processes=processes,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            self.client = Client(self.cluster)
            self.workers = jobs
            kind = "processes" if processes else "threads"
            self.where = f"on a local Dask cluster ({jobs} worker {kind})"

    def run(self, cells: list[CellSpec], suite_dir: str) -> Iterator[CellOutcome]:
        from distributed import as_completed as dask_completed

        futures = {
            self.client.submit(
                run_cell, spec, suite_dir, key=f"podbench-cell-{spec.index}-{spec.hash[:16]}",
                pure=False,
            ): spec
            for spec in cells
        }
        for future in dask_completed(list(futures)):
            try:
                yield future.result()
            except Exception as e:  # a worker died or the task could not run
                yield _lost(futures[future], e)

    def close(self, interrupted: bool = False) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def check_executor_options(kind: str, jobs: int, address: str | None) -> None:
    """``--executor``, ``-j`` and ``--address`` make sense together (before any work)."""
    if kind not in EXECUTORS:
        raise InputError(f"unknown executor {kind!r}; expected one of {', '.join(EXECUTORS)}")
    if jobs < 1:
        raise InputError(f"-j must be >= 1, got {jobs}")
    if kind == "local" and address:
        raise InputError("--address is for --executor dask")


def make_executor(
    kind: str, jobs: int, address: str | None = None, *, dask_processes: bool = True
) -> Executor:
    """The executor for ``--executor kind -j jobs [--address]``."""
    check_executor_options(kind, jobs, address)
    if kind == "local":
        return InProcess() if jobs == 1 else LocalProcesses(jobs)
    return DaskExecutor(jobs, address, processes=dask_processes)
