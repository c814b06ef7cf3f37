"""Scenario syntax for arrival processes and lifetimes -> ``workloads.generators.arrivals``.

```yaml
arrivals: {process: poisson, rate: 2/s}
arrivals: {process: poisson, rate: 2/s, diurnal: {amplitude: 0.5, peak: 14h, period: 24h}}
arrivals: {process: poisson, rate: [{until: 1h, rate: 1/s}, {until: 6h, rate: 5/s}]}
arrivals: {process: fixed, interval: 500ms}      # or {process: fixed, rate: 2/s}
lifetime: 30m                                    # constant
lifetime: {distribution: exponential, mean: 30m} # constant{value} uniform{min,max}
                                                 # lognormal{median,sigma} none
```
"""

from __future__ import annotations

from workloads.generators.arrivals import ArrivalProcess, Diurnal, Lifetime, RateSegment
from workloads.scenario.schema import ARRIVALS, LIFETIME, RATE_SEGMENT, section_schema
from workloads.scenario.values import Context, format_duration

__all__ = ["parse_arrivals", "parse_lifetime", "PROCESSES", "DISTRIBUTIONS"]

PROCESSES = ("poisson", "fixed")
# Distribution -> the keys it takes (besides ``distribution``).
DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "none": (),
    "constant": ("value",),
    "exponential": ("mean",),
    "uniform": ("min", "max"),
    "lognormal": ("median", "sigma"),
}
DAY_MS = 86_400_000


def parse_arrivals(ctx: Context, raw: object, path: str, stop_ms: int) -> ArrivalProcess:
    """The arrival process at ``path``; ``stop_ms`` is when the generator stops."""
    a = ctx.section(raw, path, ARRIVALS, required=True)
    kind = ctx.choice(a, "process", path, PROCESSES, "poisson")
    has_rate = a.get("rate") is not None
    if a.get("interval") is not None:
        if kind != "fixed":
            raise ctx.error(
                f"{path}.interval", "is only for process: fixed (a Poisson process takes a rate)"
            )
        if has_rate:
            raise ctx.error(f"{path}.rate", "give either rate or interval, not both")
        interval = ctx.duration(a, "interval", path)
        if interval <= 0:
            raise ctx.error(f"{path}.interval", f"must be > 0, got {interval}")
        if a.get("diurnal") is not None:
            raise ctx.error(f"{path}.diurnal", "is only for process: poisson")
        return ArrivalProcess("fixed", interval_ms=interval)
    if not has_rate:
        raise ctx.error(
            f"{path}.rate",
            "is required: a rate like 2/s, or a list of {until, rate} segments"
            + (", or an interval for process: fixed" if kind == "fixed" else ""),
        )
    segments = _segments(ctx, a["rate"], f"{path}.rate", stop_ms)
    diurnal = None
    if a.get("diurnal") is not None:
        if kind != "poisson":
            raise ctx.error(f"{path}.diurnal", "is only for process: poisson (it thins arrivals)")
        diurnal = _diurnal(ctx, a["diurnal"], f"{path}.diurnal")
    return ArrivalProcess(kind, segments=segments, diurnal=diurnal)


def _segments(ctx: Context, raw: object, path: str, stop_ms: int) -> tuple[RateSegment, ...]:
    if not isinstance(raw, list):
        return (RateSegment(None, float(ctx.rate(raw, path))),)
    if not raw:
        raise ctx.error(path, "must list at least one {until, rate} segment")
    segments = []
    previous = 0
    for k, item in enumerate(raw):
        sp = f"{path}[{k}]"
        s = ctx.section(item, sp, RATE_SEGMENT, required=True)
        if s.get("rate") is None:
            raise ctx.error(f"{sp}.rate", "is required: a rate like 2/s")
        rate = ctx.rate(s["rate"], f"{sp}.rate")
        until = None
        if s.get("until") is None:
            if k != len(raw) - 1:
                raise ctx.error(
                    f"{sp}.until",
                    "is required: only the last segment may omit it (it then lasts to the end)",
                )
        else:
            until = ctx.duration(s, "until", sp)
            if until <= previous:
                raise ctx.error(
                    f"{sp}.until",
                    f"must be later than the previous segment's end "
                    f"({format_duration(previous)}), got {format_duration(until)}",
                )
            previous = until
        segments.append(RateSegment(until, float(rate)))
    last = segments[-1].until_ms
    if last is not None and last < stop_ms:
        ctx.warn(
            path,
            f"the last segment ends at {format_duration(last)}, before the generator stops "
            f"({format_duration(stop_ms)}): no arrivals after it",
        )
    return tuple(segments)


def _diurnal(ctx: Context, raw: object, path: str) -> Diurnal:
    d = ctx.section(raw, path, section_schema("diurnal", ARRIVALS), required=True)
    amplitude = ctx.number(d, "amplitude", path, lo=0.0, hi=1.0)
    period = ctx.duration(d, "period", path, DAY_MS)
    if period <= 0:
        raise ctx.error(f"{path}.period", f"must be > 0, got {period}")
    return Diurnal(amplitude, ctx.duration(d, "peak", path, 0), period)


def parse_lifetime(ctx: Context, raw: object, path: str) -> Lifetime:
    """A lifetime: absent/null = runs to the end; a duration = constant; or a distribution."""
    if raw is None:
        return Lifetime("none")
    if not isinstance(raw, dict):
        return Lifetime("constant", value=float(ctx.duration_value(raw, path)))
    d = ctx.section(raw, path, LIFETIME)
    if d.get("distribution") is None:
        raise ctx.error(
            f"{path}.distribution",
            f"is required: one of {', '.join(DISTRIBUTIONS)} (or write a duration for a "
            "constant lifetime)",
        )
    dist = ctx.choice(d, "distribution", path, tuple(DISTRIBUTIONS), "none")
    wanted = DISTRIBUTIONS[dist]
    for key in d:
        if key != "distribution" and key not in wanted:
            takes = ", ".join(wanted) if wanted else "no parameters"
            raise ctx.error(f"{path}.{key}", f"is not a parameter of {dist} (it takes {takes})")
    for key in wanted:
        if d.get(key) is None:
            raise ctx.error(f"{path}.{key}", f"is required for distribution {dist}")
    if dist == "none":
        return Lifetime("none")
    if dist == "constant":
        return Lifetime("constant", value=float(ctx.duration(d, "value", path)))
    if dist == "exponential":
        mean = ctx.duration(d, "mean", path)
        if mean <= 0:
            raise ctx.error(f"{path}.mean", f"must be > 0, got {mean}")
        return Lifetime("exponential", mean=float(mean))
    if dist == "uniform":
        low, high = ctx.duration(d, "min", path), ctx.duration(d, "max", path)
        if high < low:
            raise ctx.error(
                f"{path}.max",
                f"must be >= min ({format_duration(low)}), got {format_duration(high)}",
            )
        return Lifetime("uniform", low=float(low), high=float(high))
    median = ctx.duration(d, "median", path)
    if median <= 0:
        raise ctx.error(f"{path}.median", f"must be > 0, got {median}")
    sigma = ctx.number(d, "sigma", path, lo=0.0)
    return Lifetime("lognormal", median=float(median), sigma=sigma)
