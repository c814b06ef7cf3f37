"""Numba StructRefs: named groups of arrays passed to kernels by reference.

Kernels receive the cluster state, the profile and scratch space as StructRefs rather than
named tuples: a StructRef is one pointer, so calls between kernels stay cheap and compile
fast (a tuple of sixty arrays is flattened into hundreds of arguments at every call), and
field access in hot loops is as fast as a local array.
"""

from __future__ import annotations

from collections.abc import Sequence

from numba.core import types
from numba.experimental import structref


class _StructType(types.StructRef):
    def preprocess_fields(self, fields):
        return tuple((name, types.unliteral(typ)) for name, typ in fields)


class Struct(structref.StructRefProxy):
    """Base of the proxies: construct with keywords, read fields as attributes.

    Python reads fields from the arrays it passed in (kept in ``_py``), so field access from
    Python costs nothing and compiles nothing; kernels see the same buffers.
    """

    FIELDS: tuple[str, ...] = ()

    @classmethod
    def of(cls, **fields):
        missing = set(cls.FIELDS) - set(fields)
        extra = set(fields) - set(cls.FIELDS)
        if missing or extra:
            raise TypeError(f"{cls.__name__}: missing {sorted(missing)}, unexpected {sorted(extra)}")
        obj = cls(*(fields[name] for name in cls.FIELDS))
        obj.__dict__["_py"] = dict(fields)
        return obj

    def __getattr__(self, name: str):
        try:
            return self.__dict__["_py"][name]
        except KeyError:
            raise AttributeError(f"{type(self).__name__} has no field {name!r}") from None

    def fields(self) -> dict:
        return dict(self.__dict__["_py"])

    def replace(self, **changes):
        return type(self).of(**(self.fields() | changes))


def struct(name: str, fields: Sequence[str], module: str) -> tuple[type, type]:
    """Define a StructRef proxy class ``name`` and its Numba type ``name + 'Type'``.

    Both must be bound to module globals of those names in ``module`` (Numba's cache pickles
    the type by reference).
    """
    type_cls = type(f"{name}Type", (_StructType,), {"__module__": module, "__qualname__": f"{name}Type"})
    type_cls = structref.register(type_cls)
    proxy = type(name, (Struct,), {"__module__": module, "__qualname__": name, "FIELDS": tuple(fields)})
    structref.define_proxy(proxy, type_cls, list(fields))
    return proxy, type_cls
