"""Reading the scenario document and the manifest files it points at.

The scenario itself is one YAML (or JSON) document, read with the manifest loader's reader
so duplicate keys are errors. Pod and Node files referenced by workload entries and events
are read document by document (``kind: List`` flattened) without Priority admission: the
PriorityClasses live in other files, so the scenario loader resolves priorities itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from engine.errors import InputError
from workloads.fields import describe
from workloads.manifests import file_documents, manifest_objects

__all__ = ["read_document", "manifest_documents"]


def read_document(path: Path, file: str, what: str = "scenario") -> dict:
    """The single document (a map) of a ``what`` file (scenario, suite) as plain data."""
    if not path.is_file():
        problem = f"is a directory, not a {what} file" if path.is_dir() else f"{what} file not found"
        raise InputError(problem, file=file)
    docs = [doc for _, doc in file_documents(path, file) if doc is not None]
    if len(docs) != 1:
        raise InputError(f"expected exactly one {what} document, found {len(docs)}", file=file)
    if not isinstance(docs[0], dict):
        raise InputError(f"a {what} must be a map, got {describe(docs[0])}", file=file)
    return docs[0]


def manifest_documents(path: Path, file: str) -> Iterator[tuple[int, str | None, dict, str]]:
    """(document index, path of the item inside a List or None, manifest, kind) for every
    object in a manifest file."""
    for index, doc in file_documents(path, file):
        if doc is None:
            continue
        try:
            for item, manifest, kind in manifest_objects(doc):
                yield index, item, manifest, kind
        except InputError as e:
            raise e.located(file=file, doc=index) from None
