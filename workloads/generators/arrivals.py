"""Arrival processes and lifetime distributions for synthetic workloads (vectorised, seeded).

Times are integer milliseconds. A process is a piecewise-constant rate (one segment for a
constant rate), optionally modulated by a diurnal cosine:

- ``poisson``: a Poisson process. The unit-rate process (exponential gaps, cumulative sum)
  is mapped through the inverse of the integrated piecewise rate (time change), and the
  diurnal modulation is applied by thinning (Lewis-Shedler), so every step is a NumPy
  operation on whole arrays.
- ``fixed``: evenly spaced arrivals, either every ``interval_ms`` (exact integer times) or
  at the piecewise rate (the k-th arrival is where the integrated rate reaches k).

Randomness comes from a ``numpy.random.SeedSequence``: gaps, thinning draws, mix choices and
lifetimes each use their own child stream, and every stream is consumed strictly in order.
The first N arrivals therefore do not depend on ``limit`` or on how the arrays are chunked,
and the same seed always gives the same arrays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "RateSegment",
    "Diurnal",
    "ArrivalProcess",
    "Lifetime",
    "child_stream",
    "expected_arrivals",
    "arrival_times",
    "choose_templates",
    "sample_lifetimes",
    "FOREVER",
]

FOREVER = -1  # lifetime of a pod that runs until the end of the run
# Lifetimes are clipped here so that arrival + lifetime never overflows int64.
MAX_LIFETIME_MS = 2**62
# Child stream numbers under a generator's SeedSequence.
GAPS, THINNING, MIX, LIFETIMES = 0, 1, 2, 3
_FIXED_EPS = 1e-6  # absorbs float rounding when a fixed-rate arrival falls on a whole ms
_CHUNK_MAX = 1 << 22


@dataclass(frozen=True)
class RateSegment:
    """Arrivals per millisecond from the previous segment's end until ``until_ms``
    (``None``: until the end of the window)."""

    until_ms: int | None
    per_ms: float


@dataclass(frozen=True)
class Diurnal:
    """Rate multiplier ``1 + amplitude * cos(2*pi*(t - peak_ms) / period_ms)``; its mean over a
    period is 1, so the configured rate stays the average rate."""

    amplitude: float
    peak_ms: int
    period_ms: int

    def factor(self, t: np.ndarray) -> np.ndarray:
        phase = (2.0 * math.pi / self.period_ms) * (t - self.peak_ms)
        return 1.0 + self.amplitude * np.cos(phase)


@dataclass(frozen=True)
class ArrivalProcess:
    kind: str  # "poisson" | "fixed"
    segments: tuple[RateSegment, ...] = ()
    interval_ms: int | None = None  # fixed process with an exact integer interval
    diurnal: Diurnal | None = None


@dataclass(frozen=True)
class Lifetime:
    """How long each pod runs. ``distribution``: none | constant | exponential | uniform |
    lognormal. Parameters in ms: constant ``value``; exponential ``mean``; uniform ``low``,
    ``high``; lognormal ``median`` and ``sigma`` (of the underlying normal, unitless)."""

    distribution: str = "none"
    value: float = 0.0
    mean: float = 0.0
    low: float = 0.0
    high: float = 0.0
    median: float = 0.0
    sigma: float = 0.0


def child_stream(seq: np.random.SeedSequence, *key: int) -> np.random.Generator:
    """A generator for a fixed sub-stream of ``seq`` (independent of spawn order)."""
    child = np.random.SeedSequence(seq.entropy, spawn_key=(*seq.spawn_key, *key))
    return np.random.default_rng(child)


# --------------------------------------------------------------------------- rate schedule


def _breakpoints(
    segments: tuple[RateSegment, ...], start_ms: int, stop_ms: int, scale: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rate schedule clipped to [start, stop): segment start times, rates (times
    ``scale``), and the integrated rate at each segment start with the total appended.
    After the last segment's ``until_ms`` the rate is zero."""
    lows: list[float] = []
    highs: list[float] = []
    rates: list[float] = []
    t = 0
    for seg in segments:
        end = stop_ms if seg.until_ms is None else seg.until_ms
        lo, hi = max(t, start_ms), min(end, stop_ms)
        if hi > lo:
            lows.append(float(lo))
            highs.append(float(hi))
            rates.append(seg.per_ms * scale)
        t = end
        if t >= stop_ms:
            break
    seg_start = np.asarray(lows, dtype=np.float64)
    seg_rate = np.asarray(rates, dtype=np.float64)
    widths = np.asarray(highs, dtype=np.float64) - seg_start
    cum = np.concatenate(([0.0], np.cumsum(seg_rate * widths)))
    return seg_start, seg_rate, cum


def _invert(
    s: np.ndarray, seg_start: np.ndarray, seg_rate: np.ndarray, cum: np.ndarray
) -> np.ndarray:
    """Times at which the integrated rate reaches each value of ``s`` (all < cum[-1])."""
    # side="right" skips zero-rate segments: they share their start value with the next one.
    k = np.searchsorted(cum[:-1], s, side="right") - 1
    return seg_start[k] + (s - cum[k]) / seg_rate[k]


def _peak_scale(process: ArrivalProcess) -> float:
    return 1.0 + process.diurnal.amplitude if process.diurnal is not None else 1.0


def expected_arrivals(process: ArrivalProcess, start_ms: int, stop_ms: int) -> float:
    """Mean number of arrivals in [start, stop) before thinning (an upper bound to size work)."""
    if stop_ms <= start_ms:
        return 0.0
    if process.interval_ms is not None:
        return math.ceil((stop_ms - start_ms) / process.interval_ms)
    return float(_breakpoints(process.segments, start_ms, stop_ms, _peak_scale(process))[2][-1])


# --------------------------------------------------------------------------- arrival times


def arrival_times(
    process: ArrivalProcess,
    start_ms: int,
    stop_ms: int,
    seq: np.random.SeedSequence,
    limit: int | None = None,
) -> np.ndarray:
    """Sorted int64 arrival times in [start_ms, stop_ms), at most ``limit`` of them."""
    if stop_ms <= start_ms or limit == 0:
        return np.zeros(0, dtype=np.int64)
    if process.kind == "fixed":
        return _fixed_times(process, start_ms, stop_ms, limit)
    return _poisson_times(process, start_ms, stop_ms, seq, limit)


def _fixed_times(
    process: ArrivalProcess, start_ms: int, stop_ms: int, limit: int | None
) -> np.ndarray:
    if process.interval_ms is not None:
        n = -(-(stop_ms - start_ms) // process.interval_ms)
        if limit is not None:
            n = min(n, limit)
        return start_ms + np.arange(n, dtype=np.int64) * process.interval_ms
    seg_start, seg_rate, cum = _breakpoints(process.segments, start_ms, stop_ms, 1.0)
    n = math.ceil(cum[-1] - _FIXED_EPS)  # points k = 0, 1, ... with k < total
    if limit is not None:
        n = min(n, limit)
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    times = np.floor(_invert(np.arange(n, dtype=np.float64), seg_start, seg_rate, cum) + _FIXED_EPS)
    times = times.astype(np.int64)
    return times[times < stop_ms]


def _poisson_times(
    process: ArrivalProcess,
    start_ms: int,
    stop_ms: int,
    seq: np.random.SeedSequence,
    limit: int | None,
) -> np.ndarray:
    peak = _peak_scale(process)
    seg_start, seg_rate, cum = _breakpoints(process.segments, start_ms, stop_ms, peak)
    total = float(cum[-1])
    if total <= 0.0:
        return np.zeros(0, dtype=np.int64)
    gaps = child_stream(seq, GAPS)
    thin = child_stream(seq, THINNING) if process.diurnal is not None else None
    pieces: list[np.ndarray] = []
    found = 0
    s = 0.0
    while True:
        remaining = total - s
        n = remaining + 6.0 * math.sqrt(remaining) + 16.0
        if limit is not None:
            n = min(n, (limit - found) * peak * 1.1 + 64.0)
        n = int(min(n, _CHUNK_MAX))
        points = s + np.cumsum(gaps.standard_exponential(n))
        s = float(points[-1])
        inside = points[points < total]
        times = _invert(inside, seg_start, seg_rate, cum)
        if thin is not None:
            # One uniform per candidate, drawn for every candidate of the chunk, so the
            # stream stays aligned with the gaps however the work is chunked.
            u = thin.random(n)[: inside.size]
            times = times[u * peak < process.diurnal.factor(times)]
        pieces.append(np.floor(times).astype(np.int64))
        found += pieces[-1].size
        if s >= total or (limit is not None and found >= limit):
            break
    out = np.concatenate(pieces)
    out = out[out < stop_ms]  # float rounding at the very end of the window
    return out[:limit] if limit is not None else out


# --------------------------------------------------------------------------- mix and lifetimes


def choose_templates(weights: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Index of the mix entry for each of ``n`` pods, drawn with probability ∝ weight."""
    if len(weights) == 1:
        return np.zeros(n, dtype=np.int32)
    p = np.asarray(weights, dtype=np.float64)
    return rng.choice(len(p), size=n, p=p / p.sum()).astype(np.int32)


def sample_lifetimes(lifetime: Lifetime, n: int, rng: np.random.Generator) -> np.ndarray:
    """int64 lifetimes in ms (floored; ``FOREVER`` = -1 for ``none``)."""
    d = lifetime.distribution
    if d == "none":
        return np.full(n, FOREVER, dtype=np.int64)
    if d == "constant":
        return np.full(n, int(lifetime.value), dtype=np.int64)
    if d == "exponential":
        values = rng.exponential(lifetime.mean, n)
    elif d == "uniform":
        values = rng.uniform(lifetime.low, lifetime.high, n)
    elif d == "lognormal":
        values = rng.lognormal(math.log(lifetime.median), lifetime.sigma, n)
    else:
        raise ValueError(f"unknown lifetime distribution {d!r}")
    return np.floor(np.minimum(values, MAX_LIFETIME_MS)).astype(np.int64)
