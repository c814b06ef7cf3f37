"""Errors for user mistakes: they name the file, the document, the field and what was expected.

The CLI turns every ``PodbenchError`` into a one-paragraph message and a non-zero exit, never a
traceback. Programming errors stay ordinary exceptions.
"""

from __future__ import annotations


class PodbenchError(Exception):
    """A problem the user can fix (bad input, missing file, invalid option)."""

    exit_code = 2


class InputError(PodbenchError):
    """Bad input data, located as precisely as we can: file, document index, field path."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        doc: int | None = None,
        path: str | None = None,
        line: int | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.doc = doc
        self.path = path
        self.line = line
        super().__init__(str(self))

    def located(
        self, *, file: str | None = None, doc: int | None = None, prefix: str | None = None
    ) -> InputError:
        """Return a copy with missing location parts filled in (inner parsers know less)."""
        path = self.path
        if prefix:
            path = f"{prefix}.{path}" if path else prefix
        return type(self)(
            self.message,
            file=self.file or file,
            doc=self.doc if self.doc is not None else doc,
            path=path,
            line=self.line,
        )

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file if self.line is None else f"{self.file}:{self.line}")
        if self.doc is not None:
            where.append(f"document {self.doc}")
        if self.path:
            where.append(f"field {self.path}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class ConfigError(InputError):
    """Invalid scheduler configuration (KubeSchedulerConfiguration or profile override)."""
