"""Declaration screening benchmark: quality on planted patterns, and speed.

    .venv/bin/python benchmarks/declarations_bench.py --n 100000 --seed 7 --data ../shared/data

Generates N declarations (seed S), screens them with the shipped profiles, the real goods
knowledge and party screening of exporter, consignee and declarant against every staged list,
and reports: recall of planted violations in the red lane per pattern, the red rate, the hit
rate of red vs random inspection at the same rate (lift), throughput and memory.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from pathlib import Path

from benchmarks.common import load_current_lists, rss_mb
from transitwatch.declarations.engine import Engine
from transitwatch.declarations.generate import PATTERNS, generate
from transitwatch.declarations.history import History
from transitwatch.declarations.lanes import LanePolicy
from transitwatch.declarations.parse import validate_records
from transitwatch.declarations.profiles import load_profiles
from transitwatch.goods import GoodsKnowledge, UnitValueBands
from transitwatch.screening.screener import Screener


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--planted-rate", type=float, default=0.03)
    ap.add_argument("--red-rate", type=float, default=0.05)
    ap.add_argument("--random-rate", type=float, default=0.005)
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out/declarations.json"))
    args = ap.parse_args(argv)

    rss0 = rss_mb()
    t0 = time.perf_counter()
    records, counts = load_current_lists(args.data)
    t_lists = time.perf_counter() - t0
    t0 = time.perf_counter()
    screener = Screener(records)
    t_index = time.perf_counter() - t0
    rss_index = rss_mb()

    rows = list(generate(args.n, args.seed, args.planted_rate))
    labels = {r["declaration_id"]: r["label"] for r in rows}
    t0 = time.perf_counter()
    accepted, rejected = validate_records(enumerate(rows, 2))
    t_parse = time.perf_counter() - t0
    policy = LanePolicy(red_rate=args.red_rate, random_rate=args.random_rate, seed=args.seed)
    engine = Engine(
        load_profiles(),
        GoodsKnowledge.default(),
        screener,
        history=History(fit=lambda r: UnitValueBands.fit(r, min_count=20)),
        policy=policy,
    )
    t0 = time.perf_counter()
    decisions = engine.screen(accepted)
    t_screen = time.perf_counter() - t0
    rss_end = rss_mb()

    n = len(decisions)
    red = [d for d in decisions if d.lane == "red"]
    planted = [d for d in decisions if labels[d.declaration_id]]
    per: dict[str, dict[str, float]] = {}
    for pattern in PATTERNS:
        mine = [d for d in planted if labels[d.declaration_id] == pattern]
        hit = sum(d.lane == "red" for d in mine)
        per[pattern] = {"planted": len(mine), "in_red": hit, "recall": hit / max(1, len(mine))}
    in_red = sum(bool(labels[d.declaration_id]) for d in red)
    red_rate = len(red) / n
    precision = in_red / max(1, len(red))
    base = len(planted) / n  # hit rate of random inspection at any rate
    missed = collections.Counter(
        (labels[d.declaration_id], tuple(r.rule for r in d.reasons))
        for d in planted
        if d.lane != "red"
    )
    clean_red = collections.Counter(
        r.rule for d in red if not labels[d.declaration_id] for r in d.reasons
    )
    report = {
        "n": n,
        "seed": args.seed,
        "rejected": len(rejected),
        "lists": counts,
        "recall_in_red": in_red / max(1, len(planted)),
        "per_pattern": per,
        "red_rate": red_rate,
        "red_hit_rate": precision,
        "random_hit_rate": base,
        "lift": precision / base if base else float("nan"),
        "seconds": {"lists": t_lists, "index": t_index, "parse": t_parse, "screen": t_screen},
        "throughput_per_s": n / t_screen,
        "distinct_parties_screened": engine.parties.screened,
        "rss_mb": {"start": rss0, "after_index": rss_index, "end": rss_end},
        "missed": [[list(k), v] for k, v in missed.most_common(10)],
        "clean_red_reasons": clean_red.most_common(10),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
