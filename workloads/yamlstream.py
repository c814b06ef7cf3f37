"""YAML document streams for manifests: libyaml parsing with a lean constructor.

PyYAML's ``CSafeLoader`` parses in C but builds Python objects with a generic, slow
constructor. Manifests only hold maps, lists and plain scalars, so this loader builds those
directly (falling back to PyYAML's constructor for anything else: custom tags, merge keys,
recursive aliases) and caches the implicit type of repeated plain scalars. Duplicate keys
are rejected, as the API server does under strict field validation (kubectl's default),
instead of silently keeping the last value.
"""

from __future__ import annotations

from collections.abc import Iterator

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from engine.errors import InputError

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_SCALAR_TAGS = (
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:binary",
)
_CACHE_LIMIT = 20_000


class DuplicateKeyError(yaml.MarkedYAMLError):
    """A mapping repeats a key."""


class _Fallback(Exception):
    """The document needs PyYAML's full constructor."""


class ManifestLoader(_Base):  # type: ignore[misc, valid-type]
    """Safe YAML loader specialised for manifests (same results as ``SafeLoader``)."""

    _scalar_ctors = {tag: _Base.yaml_constructors[tag] for tag in _SCALAR_TAGS}
    _plain_tags: dict[str, str] = {}

    def resolve(self, kind, value, implicit):  # noqa: ANN001, ANN201 - PyYAML's signature
        # A plain scalar's implicit tag depends only on its text (SafeLoader has no path
        # resolvers), and manifests repeat the same keys and values many times.
        if kind is ScalarNode and implicit[0]:
            tag = self._plain_tags.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(self._plain_tags) < _CACHE_LIMIT:
                    self._plain_tags[value] = tag
            return tag
        return super().resolve(kind, value, implicit)

    def get_data(self):  # noqa: ANN201
        node = self.get_node()
        try:
            return self._build(node)
        except (_Fallback, RecursionError):
            return self.construct_document(node)

    def _build(self, node):  # noqa: ANN001, ANN202
        tag = node.tag
        if tag == _STR and type(node) is ScalarNode:
            return node.value
        cls = type(node)
        if cls is MappingNode:
            if tag != _MAP:
                raise _Fallback
            out = {}
            build = self._build
            for key_node, value_node in node.value:
                key = build(key_node)
                try:
                    if key in out:
                        raise DuplicateKeyError(
                            "while constructing a mapping",
                            node.start_mark,
                            f"found duplicate key {key!r}",
                            key_node.start_mark,
                        )
                except TypeError:  # unhashable key: let PyYAML report it
                    raise _Fallback from None
                out[key] = build(value_node)
            return out
        if cls is SequenceNode:
            if tag != _SEQ:
                raise _Fallback
            build = self._build
            return [build(item) for item in node.value]
        ctor = self._scalar_ctors.get(tag)
        if ctor is None:
            raise _Fallback
        return ctor(self, node)


def yaml_documents(source: object, file: str) -> Iterator[tuple[int, object]]:
    """(index, document) pairs from YAML text or a binary stream; syntax errors become
    ``InputError`` naming the file, the document index and the line."""
    loader = ManifestLoader(source)
    index = 0
    try:
        while True:
            try:
                if not loader.check_data():
                    return
                doc = loader.get_data()
            except yaml.YAMLError as e:
                mark = getattr(e, "problem_mark", None)
                problem = getattr(e, "problem", None) or str(e)
                raise InputError(
                    f"invalid YAML: {problem}",
                    file=file,
                    doc=index,
                    line=None if mark is None else mark.line + 1,
                ) from None
            yield index, doc
            index += 1
    finally:
        loader.dispose()
