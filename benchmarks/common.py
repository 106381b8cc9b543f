"""Shared helpers for the benchmark scripts: loading the staged lists, memory, timing."""

from __future__ import annotations

import gc
import random
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from transitwatch.lists.discover import discover
from transitwatch.lists.model import ListedEntity
from transitwatch.lists.sources import get_source


def rss_mb() -> float:
    """Resident memory of this process in MiB (Linux /proc)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def load_current_lists(data: Path) -> tuple[list[tuple[ListedEntity, str]], dict[str, int]]:
    """The latest version of every list the data folder holds, parsed (no store involved)."""
    latest: dict[str, list[Path]] = {}
    for job in discover(data):
        latest[job.source] = list(job.files)  # discover yields versions oldest first
    records: list[tuple[ListedEntity, str]] = []
    counts: dict[str, int] = {}
    for source, files in sorted(latest.items()):
        parsed = get_source(source).parser()(files)
        version = f"{source}@{parsed.file_date or parsed.content_hash[:8]}"
        records.extend((e, version) for e in parsed.entities)
        counts[source] = len(parsed.entities)
    return records, counts


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def time_each(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        gc.disable()
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
        gc.enable()
    return out


def summary_ms(samples: Sequence[float]) -> dict[str, float]:
    ms = [s * 1000 for s in samples]
    return {
        "median_ms": round(statistics.median(ms), 3),
        "p90_ms": round(percentile(ms, 90), 3),
        "p99_ms": round(percentile(ms, 99), 3),
        "mean_ms": round(statistics.fmean(ms), 3),
    }


def sample_queries(
    records: Sequence[tuple[ListedEntity, str]], n: int, seed: int
) -> list[tuple[str, str | None]]:
    """Realistic query mix: half listed names (reordered, case-changed, a part dropped), half
    recombinations of listed first and last words (mostly nobody on the lists)."""
    rng = random.Random(seed)
    names = [(n.value, e.schema) for e, _v in records for n in e.names if n.value.strip()]
    out: list[tuple[str, str | None]] = []
    while len(out) < n:
        value, schema = rng.choice(names)
        words = value.replace(",", " ").split()
        if rng.random() < 0.5:
            if len(words) > 2 and rng.random() < 0.4:
                words.pop(rng.randrange(len(words)))
            if rng.random() < 0.5:
                words.reverse()
            out.append((" ".join(words).title(), schema if rng.random() < 0.5 else None))
        else:
            other, _ = rng.choice(names)
            tail = other.replace(",", " ").split()
            out.append((f"{words[0]} {tail[-1]}".title(), None))
    return out
