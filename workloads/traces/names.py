"""Kubernetes-valid names for objects made from trace identifiers.

Trace ids use characters a pod or template name may not contain (``instance_12``,
``V100M16|V100M32``). Names must be DNS-1123 subdomains: lowercase letters, digits, '-'
and '.'; everything else becomes '-'.
"""

from __future__ import annotations

import re
from collections.abc import Container

import polars as pl

_INVALID = re.compile(r"[^a-z0-9.-]+")
_INVALID_PATTERN = r"[^a-z0-9.-]+"


def dns_name(*parts: object) -> str:
    """Join ``parts`` with '-' and turn the result into a valid DNS-1123 subdomain."""
    text = "-".join(str(p) for p in parts if str(p) != "").lower()
    text = _INVALID.sub("-", text)
    text = re.sub(r"-{2,}", "-", text).strip("-.")
    return text or "x"


def dns_name_expr(expr: pl.Expr) -> pl.Expr:
    """``dns_name`` for a polars string column (one part)."""
    cleaned = expr.str.to_lowercase().str.replace_all(_INVALID_PATTERN, "-")
    return cleaned.str.replace_all(r"-{2,}", "-").str.strip_chars("-.")


def unique_name(base: str, taken: Container[str]) -> str:
    """``base``, or ``base-2``, ``base-3``... : the first one not in ``taken``."""
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    return name
