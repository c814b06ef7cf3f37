"""Running a suite: expand the cells, skip those already done, run the rest, record each.

A cell is *done* when its directory holds a completed run and a ``cell.json`` with the
same definition hash (``bench.suite.cell.completed_outcome``), so rerunning an interrupted
suite resumes it and a changed cell reruns. ``suite.json`` is rewritten atomically after
every cell, so it is always a valid index of what exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.suite.cell import CellOutcome, completed_outcome
from bench.suite.cells import CellSpec, expand_cells
from bench.suite.executors import Executor
from bench.suite.schema import Suite
from bench.suite.store import COMPLETED, FAILED, SuiteStore

__all__ = ["SuiteRun", "SuiteRunner"]


@dataclass
class SuiteRun:
    suite: Suite
    out: Path
    cells: list[CellSpec]
    outcomes: dict[str, CellOutcome] = field(default_factory=dict)  # cell id -> outcome
    skipped: int = 0  # cells found completed and not rerun

    @property
    def failed(self) -> list[CellOutcome]:
        return [o for o in self.outcomes.values() if o.status == FAILED]

    @property
    def completed(self) -> list[CellOutcome]:
        return [o for o in self.outcomes.values() if o.status == COMPLETED]


class SuiteRunner:
    """One suite into one directory. ``pending`` are the cells ``run`` will execute."""

    def __init__(self, suite: Suite, out: Path, *, force: bool = False) -> None:
        self.suite = suite
        self.out = Path(out)
        SuiteStore.check_target(self.out, suite)
        self.cells = expand_cells(suite)
        self.store = SuiteStore(self.out, suite, self.cells)
        self.result = SuiteRun(suite, self.out, self.cells)
        self.pending: list[CellSpec] = []
        for cell in self.cells:
            done = None if force else completed_outcome(cell, self.out)
            if done is None:
                self.pending.append(cell)
            else:
                self._record(done)
        self.result.skipped = len(self.cells) - len(self.pending)

    def _record(self, outcome: CellOutcome) -> None:
        self.store.record(outcome)
        self.result.outcomes[outcome.id] = outcome

    def run(
        self,
        executor: Executor | None,
        on_cell: Callable[[CellOutcome], None] | None = None,
    ) -> SuiteRun:
        """Run the pending cells; ``suite.json`` is written first and after every cell.

        ``on_cell`` is called after each cell is recorded (an exception it raises, such as
        KeyboardInterrupt, stops the suite with everything so far saved).
        """
        self.store.write()
        if self.pending:
            assert executor is not None
            for outcome in executor.run(self.pending, str(self.out.resolve())):
                self._record(outcome)
                self.store.write()
                if on_cell is not None:
                    on_cell(outcome)
        return self.result
