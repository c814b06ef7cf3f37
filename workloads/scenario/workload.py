"""The ``workload`` section -> ``Arrivals``: explicit pods, generators and pod streams.

Each entry yields a *part* (columns for its own pods, sorted by time); the parts are
concatenated in source order (pending pods from manifests, ``pods``, ``generators``,
``streams``) and stably sorted by time, so ties keep source order. Random draws use
``SeedSequence(seed, spawn_key=(section, index))`` per entry, so adding a generator does
not change the pods of the others.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.errors import InputError
from engine.objects import Pod
from workloads.generators.arrivals import (
    FOREVER,
    LIFETIMES,
    MIX,
    Lifetime,
    arrival_times,
    child_stream,
    choose_templates,
    expected_arrivals,
    sample_lifetimes,
)
from workloads.pod_stream import read_pod_stream, request_overrides, row_priorities
from workloads.scenario.files import manifest_documents
from workloads.scenario.model import NO_OVERRIDE, Arrivals
from workloads.scenario.processes import parse_arrivals, parse_lifetime
from workloads.scenario.schema import GENERATOR, MIX_ENTRY, PODS_ENTRY, STREAM, section_schema
from workloads.scenario.templates import Templates, name_problem
from workloads.scenario.values import Context, format_duration

__all__ = ["build_arrivals", "stream_arrivals", "MAX_GENERATED", "STREAM_SUFFIXES"]

# Refuse generators whose expected size would exhaust memory (about 40 bytes per arrival).
MAX_GENERATED = 50_000_000
STREAM_SUFFIXES = (".arrow", ".ipc", ".feather", ".parquet")
_PODS, _GENERATORS = 0, 1  # SeedSequence spawn keys of the sections that draw numbers


@dataclass
class _Part:
    source: str
    time: np.ndarray
    template: np.ndarray
    lifetime: np.ndarray
    names: pa.Array | None = None
    namespaces: pa.Array | None = None
    priority: pa.Array | None = None  # int32, null = the template's priority
    requests: dict[str, np.ndarray] | None = None
    file_names: bool = False  # names come from manifest files (checked for repeats)


def build_arrivals(
    ctx: Context,
    raw: object,
    *,
    seed: int,
    duration_ms: int,
    templates: Templates,
    pending: list[Pod],
) -> Arrivals:
    w = ctx.section(raw, "workload", section_schema("workload"))
    parts: list[_Part] = []
    if pending:
        parts.append(_pending(ctx, pending, templates))
    for i, entry in enumerate(ctx.items(w.get("pods"), "workload.pods")):
        parts.append(_explicit(ctx, entry, i, seed, templates))
    names: dict[str, str] = {}
    for i, entry in enumerate(ctx.items(w.get("generators"), "workload.generators")):
        parts.append(_generator(ctx, entry, i, seed, duration_ms, templates, names))
    for i, entry in enumerate(ctx.items(w.get("streams"), "workload.streams")):
        parts.append(_stream(ctx, entry, i, templates))
    arrivals = _merge(ctx, parts, duration_ms, np.asarray(templates.priorities(), np.int64))
    _check_names(ctx, parts, arrivals, templates.pods)
    return arrivals


# --------------------------------------------------------------------------- entries


def _pending(ctx: Context, pods: list[Pod], templates: Templates) -> _Part:
    """Pods without spec.nodeName in the cluster manifests: created at t=0."""
    index = [templates.add_object(p, "cluster manifests") for p in pods]
    ctx.warn(
        None,
        f"{len(pods)} pod(s) in the manifests have no spec.nodeName; they arrive at t=0 as "
        "pending pods and run until the end",
    )
    n = len(pods)
    return _Part(
        source="cluster manifests (pending pods)",
        time=np.zeros(n, np.int64),
        template=np.asarray(index, np.int32),
        lifetime=np.full(n, FOREVER, np.int64),
        names=pa.array([p.name for p in pods], pa.string()),
        file_names=True,
    )


def _explicit(ctx: Context, raw: object, i: int, seed: int, templates: Templates) -> _Part:
    base = f"workload.pods[{i}]"
    e = ctx.section(raw, base, PODS_ENTRY, required=True)
    if (e.get("file") is None) == (e.get("template") is None):
        raise ctx.error(base, "needs exactly one of file (Pod manifests) or template (+ count)")
    at = ctx.duration(e, "at", base, 0)
    every = ctx.duration(e, "every", base, 0)
    lifetime = parse_lifetime(ctx, e.get("lifetime"), f"{base}.lifetime")
    names = None
    if e.get("file") is not None:
        for key in ("count", "name"):
            if e.get(key) is not None:
                raise ctx.error(
                    f"{base}.{key}", "is only for template entries: a file's pods arrive once each"
                )
        index = _file_pods(ctx, e["file"], f"{base}.file", templates)
        names = pa.array([templates.pods[t].name for t in index], pa.string())
        label = f"{base} ({e['file']})"
    else:
        count = ctx.integer(e, "count", base, 1)
        name = ctx.string(e, "name", base, "") or None
        if name is not None and name_problem(name):
            raise ctx.error(f"{base}.name", f"{name_problem(name)} (it names the pods it creates)")
        t = templates.add(e["template"], path=f"{base}.template", default_name=name)
        index = np.full(count, t, np.int32)
        label = f"{base} ({templates.pods[t].name})"
    n = len(index)
    seq = np.random.SeedSequence(seed, spawn_key=(_PODS, i))
    return _Part(
        source=label,
        time=at + np.arange(n, dtype=np.int64) * every,
        template=np.asarray(index, np.int32),
        lifetime=_lifetimes(lifetime, n, seq),
        names=names,
        file_names=names is not None,
    )


def _file_pods(ctx: Context, given: object, path: str, templates: Templates) -> list[int]:
    resolved = ctx.resolve(given, path)
    file = str(resolved)
    index = []
    for doc, item, manifest, kind in manifest_documents(resolved, file):
        if kind != "Pod":
            raise InputError(
                f"expected Pod manifests (this file is {path} of {ctx.file}), got kind "
                f"{kind!r}; list other objects under `objects:`",
                file=file,
                doc=doc,
                path=f"{item}.kind" if item else "kind",
            )
        index.append(templates.add(manifest, path=item or "", file=file, doc=doc, named_pods=True))
    if not index:
        raise ctx.error(path, f"{given!r} holds no Pod manifests")
    return index


def _template_file(
    ctx: Context, given: object, path: str, templates: Templates, **names: str | None
) -> int:
    """A file holding exactly one Pod manifest, used as a template."""
    resolved = ctx.resolve(given, path)
    file = str(resolved)
    docs = list(manifest_documents(resolved, file))
    if len(docs) != 1:
        raise ctx.error(path, f"{given!r} must hold exactly one Pod manifest, found {len(docs)}")
    doc, item, manifest, _ = docs[0]
    return templates.add(manifest, path=item or "", file=file, doc=doc, **names)


def _lifetimes(lifetime: Lifetime, n: int, seq: np.random.SeedSequence) -> np.ndarray:
    return sample_lifetimes(lifetime, n, child_stream(seq, LIFETIMES))


def _generator(
    ctx: Context,
    raw: object,
    i: int,
    seed: int,
    duration_ms: int,
    templates: Templates,
    names: dict[str, str],
) -> _Part:
    base = f"workload.generators[{i}]"
    g = ctx.section(raw, base, GENERATOR, required=True)
    name = ctx.string(g, "name", base)
    if not name:
        raise ctx.error(f"{base}.name", "must not be empty")
    if name_problem(name):
        raise ctx.error(f"{base}.name", f"{name_problem(name)} (it names the pods it creates)")
    if name in names:
        raise ctx.error(f"{base}.name", f"duplicate generator name {name!r} (also {names[name]})")
    names[name] = base
    start = ctx.duration(g, "start", base, 0)
    stop = ctx.duration(g, "stop", base, duration_ms)
    if stop < start:
        raise ctx.error(
            f"{base}.stop",
            f"must not be before start ({format_duration(start)}), got {format_duration(stop)}",
        )
    if start >= duration_ms:
        ctx.warn(
            f"{base}.start", f"is at or after the end of the run ({format_duration(duration_ms)})"
        )
    stop = min(stop, duration_ms)
    count = ctx.integer(g, "count", base)
    process = parse_arrivals(ctx, g.get("arrivals"), f"{base}.arrivals", stop)
    lifetime = parse_lifetime(ctx, g.get("lifetime"), f"{base}.lifetime")
    weights, index = _mix(ctx, g.get("mix"), f"{base}.mix", name, templates)
    expected = expected_arrivals(process, start, stop)
    if expected > MAX_GENERATED and (count is None or count > MAX_GENERATED):
        key = "interval" if process.interval_ms is not None else "rate"
        raise ctx.error(
            f"{base}.arrivals.{key}",
            f"would generate about {expected:,.0f} arrivals (limit {MAX_GENERATED:,}); lower "
            "the rate, shorten the window or set count",
        )
    seq = np.random.SeedSequence(seed, spawn_key=(_GENERATORS, i))
    times = arrival_times(process, start, stop, seq, count)
    n = times.shape[0]
    if n == 0:
        ctx.warn(base, f"generator {name!r} produces no arrivals")
    choice = choose_templates(weights, n, child_stream(seq, MIX))
    return _Part(
        source=f"{base} ({name})",
        time=times,
        template=np.asarray(index, np.int32)[choice],
        lifetime=_lifetimes(lifetime, n, seq),
    )


def _mix(
    ctx: Context, raw: object, path: str, generator: str, templates: Templates
) -> tuple[np.ndarray, list[int]]:
    mix = ctx.items(raw, path)
    if not mix:
        raise ctx.error(path, "must list at least one {weight, template | file} entry")
    weights, index = [], []
    for j, entry in enumerate(mix):
        mp = f"{path}[{j}]"
        m = ctx.section(entry, mp, MIX_ENTRY, required=True)
        weights.append(ctx.number(m, "weight", mp, 1.0, lo=0.0, open_lo=True))
        default = generator if len(mix) == 1 else f"{generator}-{j}"
        if (m.get("file") is None) == (m.get("template") is None):
            raise ctx.error(mp, "needs exactly one of template (a Pod manifest) or file")
        if m.get("template") is not None:
            index.append(templates.add(m["template"], path=f"{mp}.template", default_name=default))
        else:
            index.append(
                _template_file(ctx, m["file"], f"{mp}.file", templates, default_name=default)
            )
    return np.asarray(weights), index


def _stream(ctx: Context, raw: object, i: int, templates: Templates) -> _Part:
    base = f"workload.streams[{i}]"
    s = ctx.section(raw, base, STREAM, required=True)
    if s.get("file") is None:
        raise ctx.error(f"{base}.file", "is required: a pod stream (.arrow, .feather, .parquet)")
    resolved = ctx.resolve(s["file"], f"{base}.file")
    if resolved.suffix.lower() not in STREAM_SUFFIXES:
        raise ctx.error(
            f"{base}.file",
            f"expected an Arrow or Parquet pod stream ({', '.join(STREAM_SUFFIXES)}), got "
            f"{s['file']!r}",
        )
    offset = ctx.duration(s, "offset", base, 0)
    raw_templates = s.get("templates")
    if not isinstance(raw_templates, dict) or not raw_templates:
        raise ctx.error(
            f"{base}.templates", "is required: a map of template name -> Pod manifest or {file}"
        )
    keys, index = [], []
    for key, manifest in raw_templates.items():
        tp = f"{base}.templates.{key}"
        if not isinstance(key, str):
            raise ctx.error(f"{base}.templates", f"template names must be strings, got {key!r}")
        if isinstance(manifest, dict) and set(manifest) == {"file"}:
            index.append(_template_file(ctx, manifest["file"], f"{tp}.file", templates, name=key))
        else:
            index.append(templates.add(manifest, path=tp, name=key))
        keys.append(key)
    table = read_pod_stream(resolved, templates=keys)
    part = _stream_part(table, keys, index, f"{base} ({s['file']})", offset)
    if part.namespaces is not None:
        for ns in pc.unique(part.namespaces.drop_null()).to_pylist():
            problem = templates.namespace_problem(ns)
            if problem:
                raise InputError(problem, file=str(resolved), path="namespace")
    return part


def _stream_part(
    table: pa.Table, keys: list[str], index: list[int], source: str, offset: int = 0
) -> _Part:
    """A validated pod stream's rows; ``index``: the template index of each of ``keys``."""
    n = table.num_rows
    local = pc.index_in(table.column("template"), value_set=pa.array(keys, pa.string()))
    namespace, priority = table.column("namespace"), table.column("priority")
    return _Part(
        source=source,
        time=table.column("arrival_ms").to_numpy().astype(np.int64) + offset,
        template=np.asarray(index, np.int32)[local.to_numpy()],
        lifetime=pc.fill_null(table.column("lifetime_ms"), FOREVER).to_numpy().astype(np.int64),
        names=table.column("name").combine_chunks(),
        namespaces=namespace.combine_chunks() if namespace.null_count < n else None,
        priority=priority.combine_chunks() if priority.null_count < n else None,
        requests=request_overrides(table, NO_OVERRIDE),
    )


def stream_arrivals(
    table: pa.Table, keys: list[str], template_priority: np.ndarray, source: str
) -> Arrivals:
    """A validated pod stream, sorted by arrival, as ``Arrivals`` on its own; templates are
    indexed in ``keys`` order, ``template_priority`` holds their priorities."""
    part = _stream_part(table, keys, list(range(len(keys))), source)
    return _combine([part], np.arange(table.num_rows), template_priority)


# --------------------------------------------------------------------------- merge


def _strings(parts: list[_Part], attr: str, order: np.ndarray) -> pa.StringArray | None:
    if all(getattr(p, attr) is None for p in parts):
        return None
    arrays = [
        getattr(p, attr) if getattr(p, attr) is not None else pa.nulls(len(p.time), pa.string())
        for p in parts
    ]
    return pa.concat_arrays([a.cast(pa.string()) for a in arrays]).take(pa.array(order))


def _source_index(parts: list[_Part]) -> np.ndarray:
    """int32 index of each row's part."""
    return np.concatenate([np.full(len(p.time), k, np.int32) for k, p in enumerate(parts)])


def _merge(
    ctx: Context, parts: list[_Part], duration_ms: int, template_priority: np.ndarray
) -> Arrivals:
    if not parts:
        empty = np.zeros(0, np.int64)
        return Arrivals(empty, np.zeros(0, np.int32), empty, np.zeros(0, np.int32))
    time = np.concatenate([p.time for p in parts])
    source = _source_index(parts)
    order = np.argsort(time, kind="stable")
    late = time[order] >= duration_ms
    if late.any():
        for k, dropped in enumerate(np.bincount(source[order[late]], minlength=len(parts))):
            if dropped:
                ctx.warn(
                    None,
                    f"{dropped} arrival(s) from {parts[k].source} are at or after the end of the "
                    f"run ({format_duration(duration_ms)}) and are dropped",
                )
        order = order[~late]
    return _combine(parts, order, template_priority)


def _combine(parts: list[_Part], order: np.ndarray, template_priority: np.ndarray) -> Arrivals:
    """The parts' rows taken in ``order`` (indices into their concatenation)."""
    template = np.concatenate([p.template for p in parts])[order]
    priority = None
    if any(p.priority is not None for p in parts):
        columns = [
            template_priority[p.template]
            if p.priority is None
            else row_priorities(p.priority, template_priority[p.template])
            for p in parts
        ]
        priority = np.concatenate(columns)[order].astype(np.int32)
    requests = None
    keys = sorted({k for p in parts if p.requests for k in p.requests})
    if keys:
        requests = {
            k: np.concatenate(
                [
                    p.requests[k]
                    if p.requests and k in p.requests
                    else np.full(len(p.time), NO_OVERRIDE, np.int64)
                    for p in parts
                ]
            )[order]
            for k in keys
        }
    return Arrivals(
        time_ms=np.concatenate([p.time for p in parts])[order],
        template=template,
        lifetime_ms=np.concatenate([p.lifetime for p in parts])[order],
        source=_source_index(parts)[order],
        sources=tuple(p.source for p in parts),
        names=_strings(parts, "names", order),
        namespaces=_strings(parts, "namespaces", order),
        priority=priority,
        requests=requests,
    )


def _check_names(ctx: Context, parts: list[_Part], arrivals: Arrivals, pods: list[Pod]) -> None:
    """Warn about pod names that repeat: the same manifest pod listed twice, or an explicit
    name equal to a generated ``<template>-<ordinal>`` name."""
    seen = Counter(
        (pods[int(t)].namespace, name)
        for p in parts
        if p.file_names
        for t, name in zip(p.template, p.names.to_pylist(), strict=True)
    )
    repeated = [f"{ns}/{name}" for (ns, name), k in seen.items() if k > 1]
    if repeated:
        ctx.warn(
            None,
            f"pod name(s) arrive more than once: {', '.join(repeated[:5])}"
            + (" ..." if len(repeated) > 5 else ""),
        )
    names = arrivals.names
    if names is None or names.null_count in (0, len(names)):
        return
    generated = names.is_null().to_numpy(zero_copy_only=False)
    gen_templates = np.unique(arrivals.template[generated])
    known = pa.array([pods[int(t)].name for t in gen_templates], pa.string())
    explicit = names.filter(pa.array(~generated))
    parts_ = pc.extract_regex(explicit, r"^(?P<t>.*)-(?P<n>[0-9]{1,15})$")
    matched = parts_.is_valid()
    if not pc.any(matched).as_py():
        return
    parts_ = parts_.filter(matched)
    where = pc.fill_null(pc.index_in(parts_.field("t"), value_set=known), -1).to_numpy()
    number = pc.cast(parts_.field("n"), pa.int64()).to_numpy()
    ok = where >= 0
    if not ok.any():
        return
    shift = np.int64(2**40)
    candidate = gen_templates[where[ok].astype(np.int64)].astype(np.int64) * shift + number[ok]
    produced = arrivals.template[generated].astype(np.int64) * shift + arrivals.ordinal[generated]
    clash = np.isin(candidate, produced)
    if clash.any():
        first = explicit.filter(matched).filter(pa.array(ok))[int(np.argmax(clash))].as_py()
        ctx.warn(
            None,
            f"{int(clash.sum())} explicit pod name(s) equal a generated <template>-<ordinal> "
            f"name (first: {first!r}); the simulator sees two pods with one name",
        )
