"""``podbench report`` and ``podbench compare``: the reports library with console feedback."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape

__all__ = ["default_report_dir", "write_report_with_progress", "print_comparison"]


def default_report_dir(dirs: Sequence[Path]) -> Path:
    """``<first DIR>/report`` when the first input is a directory, else ``./report``."""
    first = Path(dirs[0]) if dirs else None
    return first / "report" if first is not None and first.is_dir() else Path("report")


def write_report_with_progress(dirs: Sequence[Path], out: Path, console: Console) -> Path:
    """Build the HTML report of run/suite directories, showing which figure is being drawn."""
    import reports

    with console.status("reading the runs") as status:

        def progress(what: str) -> None:
            status.update(f"report: {escape(what)}")

        return reports.build_report([Path(d) for d in dirs], Path(out), progress)


def print_comparison(a: Path, b: Path, console: Console, *, as_json: bool) -> None:
    """Key metrics of run A and run B side by side (a rich table, or JSON)."""
    import reports

    table = reports.compare_runs(Path(a), Path(b))
    if as_json:
        print(json.dumps(table.to_dict()))
    else:
        console.print(table.to_rich_table())
