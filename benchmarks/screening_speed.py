"""Party-screening speed and memory against every staged list, and how cost grows with size.

    python benchmarks/screening_speed.py --data ../shared/data [--batch 20000] [--single 2000]

Prints a table and writes benchmarks/out/screening_speed.json. Figures from one run on this
shared, noisy 2-core machine: compare the ratios within a run rather than absolute times.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import load_current_lists, rss_mb, sample_queries, summary_ms
from transitwatch.errors import TransitWatchError
from transitwatch.lists.model import EntityName, ListedEntity
from transitwatch.screening.batch import QueryRow, screen_rows
from transitwatch.screening.screener import Screener
from transitwatch.screening.types import PartyQuery

SYLLABLES = [a + b for a in "bdgklmnprstvzh" for b in "aeiou"] + ["shch", "kh", "ts", "ov", "ev"]


def synthetic_copy(
    records: list[tuple[ListedEntity, str]], factor: int, seed: int
) -> list[tuple[ListedEntity, str]]:
    """`factor` times the records: the originals plus copies whose name words are replaced by
    random syllable words of the same length (so the vocabulary grows as a real list would)."""
    rng = random.Random(seed)
    out = list(records)
    mapping: dict[str, str] = {}

    def fake(word: str) -> str:
        key = f"{word.lower()}#{copy}"
        if key not in mapping:
            w = ""
            while len(w) < max(2, len(word)):
                w += rng.choice(SYLLABLES)
            mapping[key] = w[: max(2, len(word))]
        return mapping[key]

    for copy in range(1, factor):
        for entity, version in records:
            names = tuple(
                EntityName(" ".join(fake(w) for w in n.value.split()), n.kind, "latin")
                for n in entity.names
                if n.value.strip()
            )
            if names:
                out.append(
                    (replace(entity, source_id=f"{entity.source_id}~{copy}", names=names), version)
                )
    return out


def measure(
    records: list[tuple[ListedEntity, str]], queries, batch_n: int, single_n: int, workers: int
):
    before = rss_mb()
    t = time.perf_counter()
    screener = Screener(records)
    build_s = time.perf_counter() - t
    after = rss_mb()
    # single-name latency, in-process
    singles = []
    for name, schema in queries[:single_n]:
        q = PartyQuery(name, schema=schema)
        t = time.perf_counter()
        with contextlib.suppress(TransitWatchError):  # a refused query still costs its time
            screener.screen(q)
        singles.append(time.perf_counter() - t)
    rows = [
        QueryRow(i + 2, str(i), name, PartyQuery(name, schema=schema, id=str(i)), None)
        for i, (name, schema) in enumerate(queries[:batch_n])
    ]
    rates = {}
    for w in sorted({1, workers}):
        t = time.perf_counter()
        n = sum(1 for _ in screen_rows(screener, rows, workers=w))
        rates[w] = n / (time.perf_counter() - t)
    return {
        "entities": len(screener.index.entities),
        **screener.index.stats(),
        "build_s": round(build_s, 2),
        "index_rss_mib": round(after - before, 1),
        "single": summary_ms(singles),
        "batch_names_per_s": {str(w): round(r, 1) for w, r in rates.items()},
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--batch", type=int, default=20000)
    parser.add_argument("--single", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scale", type=int, default=10, help="synthetic list size factor")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out/screening_speed.json"))
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"no data folder at {args.data}", file=sys.stderr)
        return 2
    t = time.perf_counter()
    records, counts = load_current_lists(args.data)
    parse_s = time.perf_counter() - t
    queries = sample_queries(records, max(args.batch, args.single), args.seed)
    result = {
        "lists": counts,
        "parse_s": round(parse_s, 1),
        "queries": len(queries),
        "real": measure(records, queries, args.batch, args.single, args.workers),
    }
    if args.scale > 1:
        big = synthetic_copy(records, args.scale, args.seed)
        result[f"synthetic_x{args.scale}"] = measure(
            big, queries, args.batch // 4, args.single, args.workers
        )
        base, scaled = result["real"], result[f"synthetic_x{args.scale}"]
        result["growth"] = {
            "entities": round(scaled["entities"] / base["entities"], 2),
            "build_time": round(scaled["build_s"] / base["build_s"], 2),
            "index_memory": round(scaled["index_rss_mib"] / max(base["index_rss_mib"], 0.1), 2),
            "single_median": round(scaled["single"]["median_ms"] / base["single"]["median_ms"], 2),
            "batch_rate": round(
                scaled["batch_names_per_s"][str(args.workers)]
                / base["batch_names_per_s"][str(args.workers)],
                2,
            ),
        }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
