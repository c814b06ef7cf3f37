"""Reading the scenario document and the manifest files it points at.

The scenario itself is one YAML (or JSON) document, read with the manifest loader so
duplicate keys are errors. Pod and Node files referenced by workload entries and events
are read document by document (``kind: List`` flattened) without Priority admission: the
PriorityClasses live in other files, so the scenario loader resolves priorities itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from engine.errors import InputError
from workloads.fields import describe
from workloads.yamlstream import yaml_documents

__all__ = ["read_scenario_document", "manifest_documents"]


def read_scenario_document(path: Path, file: str) -> dict:
    """The scenario's single document as plain data."""
    if not path.is_file():
        what = "is a directory, not a scenario file" if path.is_dir() else "scenario file not found"
        raise InputError(what, file=file)
    docs = [doc for _, doc in _documents(path, file) if doc is not None]
    if len(docs) != 1:
        raise InputError(f"expected exactly one scenario document, found {len(docs)}", file=file)
    if not isinstance(docs[0], dict):
        raise InputError(f"a scenario must be a map, got {describe(docs[0])}", file=file)
    return docs[0]


def _documents(path: Path, file: str) -> Iterator[tuple[int, object]]:
    if path.suffix.lower() == ".json":
        try:
            with path.open("rb") as stream:
                yield 0, json.load(stream)
        except json.JSONDecodeError as e:
            raise InputError(f"invalid JSON: {e.msg}", file=file, line=e.lineno) from None
        except UnicodeDecodeError as e:
            raise InputError(f"not UTF-8 text: {e.reason}", file=file) from None
        return
    try:
        with path.open("rb") as stream:
            yield from yaml_documents(stream, file)
    except UnicodeDecodeError as e:
        raise InputError(f"not UTF-8 text: {e.reason}", file=file) from None


def manifest_documents(path: Path, file: str) -> Iterator[tuple[int, str | None, dict, str]]:
    """(document index, path of the item inside a List or None, manifest, kind) for every
    object in a manifest file."""
    for index, doc in _documents(path, file):
        if doc is None:
            continue
        if not isinstance(doc, dict):
            raise InputError(f"a manifest must be a map, got {describe(doc)}", file=file, doc=index)
        kind = doc.get("kind")
        if not isinstance(kind, str) or not kind:
            raise InputError(
                "is required (every manifest names its kind)", file=file, doc=index, path="kind"
            )
        if kind == "List" or (kind.endswith("List") and "items" in doc):
            items = doc.get("items") or []
            if not isinstance(items, list):
                raise InputError(
                    f"expected a list, got {describe(items)}", file=file, doc=index, path="items"
                )
            item_kind = kind[:-4] if kind != "List" else None
            for i, item in enumerate(items):
                base = f"items[{i}]"
                if not isinstance(item, dict):
                    raise InputError(
                        f"expected a map, got {describe(item)}", file=file, doc=index, path=base
                    )
                k = item.get("kind", item_kind)
                if not isinstance(k, str) or not k:
                    raise InputError("is required", file=file, doc=index, path=f"{base}.kind")
                yield index, base, item, k
            continue
        yield index, None, doc, kind
