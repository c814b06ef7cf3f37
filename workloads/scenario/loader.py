"""``load_scenario``: a scenario file (plus ``--set`` overrides and a seed) -> ``Scenario``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from engine.errors import InputError
from engine.framework.config import SchedulerSettings, apply_overrides, load_scheduler_settings
from engine.framework.profile import Profile
from engine.objects import ObjectSet, Pod
from workloads.scenario.cluster import load_cluster
from workloads.scenario.events import resolve_events
from workloads.scenario.files import read_document
from workloads.scenario.model import Lifecycle, NodeLifecycle, Scenario
from workloads.scenario.schema import SCENARIO, section_schema
from workloads.scenario.sets import apply_sets
from workloads.scenario.templates import Templates
from workloads.scenario.values import Context
from workloads.scenario.workload import build_arrivals

__all__ = ["load_scenario", "API_VERSION", "KIND", "SELECTIONS"]

API_VERSION = "podbench/v1"
KIND = "Scenario"
SELECTIONS = ("heap", "random")
DEFAULT_SAMPLE_MS = 60_000


def load_scenario(
    path: str | Path, *, sets: Sequence[str] = (), seed: int | None = None
) -> Scenario:
    """Read, override (``sets``: ``KEY=VALUE``), validate and resolve a scenario file.

    ``seed`` (the CLI's ``--seed``) replaces the file's seed. Raises ``InputError`` naming
    the file and the key path of the first problem.
    """
    source = Path(path)
    file = str(path)
    raw = apply_sets(read_document(source, file), sets)
    ctx = Context(file, source.parent)
    top = ctx.section(raw, "", SCENARIO)
    for key, expected in (("apiVersion", API_VERSION), ("kind", KIND)):
        if top.get(key) is not None and top[key] != expected:
            raise ctx.error(key, f"expected {expected!r}, got {top[key]!r}")
    name = ctx.string(top, "name", "", source.stem)
    description = ctx.string(top, "description", "", "")
    if seed is not None:
        top = {**top, "seed": seed}
    seed_value = ctx.integer(top, "seed", "", 0)
    duration = ctx.duration(top, "duration", "")
    if duration <= 0:
        raise ctx.error("duration", f"must be > 0, got {duration}")
    sample = ctx.duration(top, "sampleInterval", "", DEFAULT_SAMPLE_MS)
    if sample <= 0:
        raise ctx.error("sampleInterval", f"must be > 0, got {sample}")

    scheduler = ctx.section(top.get("scheduler"), "scheduler", section_schema("scheduler"))
    settings, profile = _scheduler(ctx, scheduler)
    selection = ctx.choice(scheduler, "selection", "scheduler", SELECTIONS, "heap")
    cycle_ms = ctx.duration(scheduler, "cycleTime", "scheduler", 0)
    lifecycle = _lifecycle(ctx, top.get("lifecycle"))
    node_lifecycle = _node_lifecycle(ctx, top.get("nodeLifecycle"))
    objects, pools = load_cluster(ctx, top.get("cluster"), top.get("objects"))
    pending = _split_pods(ctx, objects)
    templates = Templates(ctx, objects, profile)
    arrivals = build_arrivals(
        ctx,
        top.get("workload"),
        seed=seed_value,
        duration_ms=duration,
        templates=templates,
        pending=pending,
    )
    events = resolve_events(ctx, top.get("events"), duration, objects.nodes, pools)
    if not objects.nodes and not any(e.action == "add" for e in events):
        ctx.warn("cluster", "the scenario has no nodes: every pod will stay pending")
    warnings = [*objects.warnings, *profile.warnings, *ctx.warnings]
    return Scenario(
        name=name,
        description=description,
        source=source,
        seed=seed_value,
        duration_ms=duration,
        sample_interval_ms=sample,
        profile=profile,
        selection=selection,
        cycle_ms=cycle_ms,
        lifecycle=lifecycle,
        node_lifecycle=node_lifecycle,
        objects=objects,
        templates=templates.pods,
        arrivals=arrivals,
        events=events,
        warnings=warnings,
        scheduler_settings=settings,
    )


def _scheduler(ctx: Context, s: dict) -> tuple[SchedulerSettings, Profile]:
    config = None
    if s.get("config") is not None:
        config = ctx.resolve(s["config"], "scheduler.config", "scheduler config file")
    settings, profile = load_scheduler_settings(config)
    overrides = s.get("overrides")
    if overrides is not None:
        if not isinstance(overrides, dict):
            raise ctx.error("scheduler.overrides", "expected a map of override -> value")
        try:
            profile = apply_overrides(profile, overrides)
        except InputError as e:
            raise e.located(file=ctx.file, prefix="scheduler.overrides") from None
    return settings, profile


def _split_pods(ctx: Context, objects: ObjectSet) -> list[Pod]:
    """Keep bound pods in ``objects``; return the unbound ones (they arrive at t=0)."""
    names = {n.name for n in objects.nodes}
    bound, pending = [], []
    for pod in objects.pods:
        if not pod.node_name:
            pending.append(pod)
        elif pod.node_name not in names:
            raise ctx.error(
                "cluster.manifests",
                f"pod {pod.key} is bound to node {pod.node_name!r}, which is not in the cluster "
                "at t=0 (manifests and pools)",
            )
        else:
            bound.append(pod)
    objects.pods = bound
    return pending


def _lifecycle(ctx: Context, raw: object) -> Lifecycle:
    d = ctx.section(raw, "lifecycle", section_schema("lifecycle"))
    default = Lifecycle()
    return Lifecycle(
        start_latency_ms=ctx.duration(d, "startLatency", "lifecycle", default.start_latency_ms),
        ready_delay_ms=ctx.duration(d, "readyDelay", "lifecycle", default.ready_delay_ms),
        termination_grace_ms=ctx.duration(
            d, "terminationGracePeriod", "lifecycle", default.termination_grace_ms
        ),
    )


def _node_lifecycle(ctx: Context, raw: object) -> NodeLifecycle:
    base = "nodeLifecycle"
    d = ctx.section(raw, base, section_schema(base))
    df = NodeLifecycle()
    period = ctx.duration(d, "monitorPeriod", base, df.monitor_period_ms)
    if period <= 0:
        raise ctx.error(f"{base}.monitorPeriod", f"must be > 0, got {period}")
    return NodeLifecycle(
        monitor_grace_ms=ctx.duration(d, "monitorGracePeriod", base, df.monitor_grace_ms),
        monitor_period_ms=period,
        eviction_rate=ctx.number(d, "evictionRate", base, df.eviction_rate),
        secondary_eviction_rate=ctx.number(
            d, "secondaryEvictionRate", base, df.secondary_eviction_rate
        ),
        unhealthy_zone_threshold=ctx.number(
            d, "unhealthyZoneThreshold", base, df.unhealthy_zone_threshold, hi=1.0
        ),
        large_cluster_size_threshold=ctx.integer(
            d, "largeClusterSizeThreshold", base, df.large_cluster_size_threshold
        ),
        not_ready_toleration_s=ctx.integer(
            d, "defaultNotReadyTolerationSeconds", base, df.not_ready_toleration_s
        ),
        unreachable_toleration_s=ctx.integer(
            d, "defaultUnreachableTolerationSeconds", base, df.unreachable_toleration_s
        ),
    )
