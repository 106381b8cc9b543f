"""Build the labelled name-matching eval set from the real lists.

    python -m benchmarks.evalset.build --data ../shared/data --out benchmarks/out/evalset.csv \\
        --seed 7

Writes the CSV (columns in :data:`benchmarks.evalset.cases.COLUMNS`) and, next to it,
``<out>.summary.json`` with the counts per variant / split / label and the negatives dropped
by the collision check. Deterministic for a given data folder and seed: inputs are sorted and
every variant draws from its own ``random.Random(f"{seed}:{variant}")``. The output is derived
from ../shared/data and must stay out of git (benchmarks/out/ is ignored).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from benchmarks.evalset import org_variants as ov
from benchmarks.evalset import variants as pv
from benchmarks.evalset.cases import COLUMNS, Case
from benchmarks.evalset.lists import Entry, Lists, load
from benchmarks.evalset.negatives import NegativeBuilder
from benchmarks.evalset.translit import SCHEMES, is_cyrillic

Generator = Callable[[Entry, random.Random], list[pv.Variant]]
Pool = Callable[[Entry], bool]


def _eu(entry: Entry) -> bool:
    return entry.source == "eu_journal_sanctions" and entry.schema != "vessel"


def _structural(entry: Entry) -> bool:
    return entry.source != "un_sc_sanctions"


def _uk(entry: Entry) -> bool:
    return entry.source == "gb_fcdo_sanctions"


def _any(entry: Entry) -> bool:
    return entry.schema != "vessel"


def _translit(scheme: str) -> Generator:
    def generate(entry: Entry, rng: random.Random) -> list[pv.Variant]:
        return pv.translit(entry, scheme)

    return generate


# variant -> (generator, pool, index); index None = by script of the query.
POSITIVES: dict[str, tuple[Generator, Pool, str | None]] = {
    "cyrillic_original": (pv.cyrillic_original, _eu, "latin_only"),
    **{f"translit_{s}": (_translit(s), _eu, "latin_only") for s in SCHEMES},
    "uk_official_variant": (pv.uk_official_variant, _uk, "primary_only"),
    "reordered": (pv.reordered, _structural, "full"),
    "missing_patronymic": (pv.missing_patronymic, _structural, "full"),
    "initials": (pv.initials, _structural, "full"),
    "typo": (pv.typo, _any, "full"),
    "female_form": (pv.female_form, _structural, "full"),
    "kyrgyz_patronymic": (pv.kyrgyz_patronymic, _structural, None),
    "central_asian_cyrillic": (pv.central_asian_cyrillic, _structural, "latin_only"),
    "org_legal_form": (ov.org_legal_form, _any, "full"),
    "org_quotes": (ov.org_quotes, _any, "full"),
    "non_cyrillic_original": (ov.non_cyrillic_original, _any, "full"),
}

NEGATIVES = {
    "negative_recombined": 800,
    "negative_near_miss_person": 800,
    "negative_near_miss_org": 500,
    "negative_common_business": 500,
    "negative_cyrillic": 700,
}


def positive_cases(lists: Lists, seed: int, cap: int) -> list[Case]:
    out: list[Case] = []
    for variant, (generate, pool, index) in POSITIVES.items():
        rng = random.Random(f"{seed}:{variant}")
        found: list[Case] = []
        for entry in lists.entries:
            if not pool(entry):
                continue
            for query, note in generate(entry, rng):
                idx = index or ("latin_only" if is_cyrillic(query) else "full")
                found.append(Case(variant, entry.schema, query, 1, entry, idx, note))
        rng.shuffle(found)
        for case in found[:cap]:
            t = case.target
            if t is not None and case.with_context():
                case.query_country = t.countries[0] if t.countries else ""
                case.query_birth_date = t.birth_dates[0] if t.birth_dates else ""
            out.append(case)
    return out


def negative_cases(lists: Lists, seed: int, scale: float) -> tuple[list[Case], Counter[str]]:
    names = [n for n, _ in lists.all_names]
    builder = NegativeBuilder(lists.entries, names, seed)
    makers = {
        "negative_recombined": builder.recombined,
        "negative_near_miss_person": builder.near_miss_person,
        "negative_near_miss_org": builder.near_miss_org,
        "negative_common_business": builder.common_business,
        "negative_cyrillic": builder.cyrillic,
    }
    out: list[Case] = []
    for variant, target in NEGATIVES.items():
        out.extend(makers[variant](max(1, int(target * scale))))
    return out, builder.dropped


def summarise(cases: list[Case], dropped: Counter[str]) -> dict[str, object]:
    per: dict[str, Counter[str]] = {}
    for case in cases:
        c = per.setdefault(case.variant, Counter())
        c[f"{case.split}_label{case.label}"] += 1
        c["total"] += 1
        c[f"index_{case.index}"] += 1
        if case.query_country or case.query_birth_date:
            c["with_context"] += 1
    return {
        "cases": len(cases),
        "positives": sum(c.label for c in cases),
        "negatives": sum(1 - c.label for c in cases),
        "per_variant": {v: dict(sorted(c.items())) for v, c in per.items()},
        "negatives_dropped_as_collisions": dict(sorted(dropped.items())),
        "negatives_dropped_total": sum(dropped.values()),
    }


def _table(summary: dict[str, object]) -> str:
    per = summary["per_variant"]
    assert isinstance(per, dict)
    head = f"{'variant':28} {'total':>6} {'dev':>5} {'held':>5}  index"
    lines = [head, "-" * len(head)]
    for variant, c in per.items():
        dev = c.get("dev_label1", 0) + c.get("dev_label0", 0)
        held = c.get("heldout_label1", 0) + c.get("heldout_label0", 0)
        idx = ",".join(f"{k[6:]}={v}" for k, v in c.items() if k.startswith("index_"))
        lines.append(f"{variant:28} {c['total']:>6} {dev:>5} {held:>5}  {idx}")
    lines.append("-" * len(head))
    lines.append(
        f"positives {summary['positives']}, negatives {summary['negatives']}, "
        f"negatives dropped as collisions {summary['negatives_dropped_total']} "
        f"{summary['negatives_dropped_as_collisions']}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out/evalset.csv"))
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--per-variant", type=int, default=300, help="cap on positives per variant")
    ap.add_argument("--negative-scale", type=float, default=1.0, help="scale negative targets")
    args = ap.parse_args(argv)
    if not args.data.is_dir():
        print(f"no data folder at {args.data}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    lists = load(args.data)
    cases = positive_cases(lists, args.seed, args.per_variant)
    negatives, dropped = negative_cases(lists, args.seed, args.negative_scale)
    cases += negatives
    order = {v: i for i, v in enumerate([*POSITIVES, *NEGATIVES])}
    cases.sort(key=lambda c: (order[c.variant], c.case_id))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(c.row() for c in cases)
    summary = summarise(cases, dropped)
    summary["seed"] = args.seed
    summary["input_files"] = lists.files
    summary_path = args.out.with_suffix(".summary.json")
    summary_path.write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    print(_table(summary))
    print(f"wrote {args.out} and {summary_path} in {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
