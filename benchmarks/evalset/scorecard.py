"""Score a screener (or a pairwise scorer) on the eval set: per-variant and overall metrics.

Two ways in:

* ``run(cases, screen)`` - ``screen(case) -> [(source, source_id, score), ...]`` best first,
  where ``case`` is a CSV row (dict). Return every hit down to a low score (<= 0.5) so the
  threshold sweep is meaningful.
* ``run_pairwise(cases, candidates, scorer)`` - the same metrics for a pairwise scorer (e.g.
  nomenklatura's LogicV2) on given candidates: ``candidates[case_id]`` is a list of
  ``(source, source_id)`` and ``scorer(case, (source, source_id)) -> float``. Use it to compare
  scorers side by side on exactly the same candidates; scorer time per pair is measured.

Counting at threshold T (hits with score >= T):

* positive: TP when the expected (source, id) is among the hits, else FN. A hit on a
  *different* entity is not an FP (the lists overlap: the same person is on several lists and
  the expected one is just one of them); such cases are counted as ``other_hits``.
* negative: FP when there is any hit, else TN.

Overall: precision = TP / (TP + FP), recall = TP / positives, F1, FPR = FP / negatives.
Per positive variant, recall is exact; its precision is *pro rata*: the overall FPs are shared
out in proportion to the variant's positives, ``P_v = TP_v / (TP_v + FP * pos_v / pos)`` - the
precision the variant would show against the whole negative set at the overall class mix.
Per negative variant only FPR is defined.
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

Hit = tuple[str, str, float]
Screen = Callable[[Mapping[str, str]], Sequence[Hit]]
PairScorer = Callable[[Mapping[str, str], tuple[str, str]], float]

DEFAULT_THRESHOLDS = tuple(round(0.5 + 0.05 * i, 2) for i in range(10))


@dataclass
class Outcome:
    case: Mapping[str, str]
    expected: float  # best score of the expected entity (positives); 0.0 when not returned
    other: float  # best score of any other entity (for negatives: of any entity)

    @property
    def positive(self) -> bool:
        return self.case["label"] == "1"


@dataclass
class Report:
    name: str
    outcomes: list[Outcome]
    seconds: float = 0.0
    calls: int = 0  # screen calls or scored pairs
    extra: dict[str, float] = field(default_factory=dict)

    def metrics(
        self, threshold: float, where: Callable[[Outcome], bool] | None = None
    ) -> dict[str, float]:
        subset = [o for o in self.outcomes if where is None or where(o)]
        return _metrics(subset, threshold, self.outcomes)

    def per_variant(self, threshold: float) -> dict[str, dict[str, float]]:
        variants = sorted({o.case["variant"] for o in self.outcomes}, key=_variant_order)
        return {v: self.metrics(threshold, _variant(v)) for v in variants}

    def sweep(
        self, thresholds: Iterable[float] = DEFAULT_THRESHOLDS
    ) -> dict[str, dict[str, float]]:
        return {f"{t:.2f}": self.metrics(t) for t in thresholds}

    def to_json(self, threshold: float) -> dict[str, object]:
        context = [("name_only", _name_only), ("with_context", lambda o: not _name_only(o))]
        return {
            "name": self.name,
            "threshold": threshold,
            "overall": self.metrics(threshold),
            "by_split": {s: self.metrics(threshold, _split(s)) for s in ("dev", "heldout")},
            "by_context": {k: self.metrics(threshold, f) for k, f in context},
            "per_variant": self.per_variant(threshold),
            "sweep": self.sweep(),
            "timing": {
                "seconds": round(self.seconds, 3),
                "calls": self.calls,
                "ms_per_call": round(1000 * self.seconds / self.calls, 4) if self.calls else None,
                **self.extra,
            },
        }


def _variant_order(variant: str) -> tuple[int, str]:
    return (variant.startswith("negative_"), variant)


def _name_only(o: Outcome) -> bool:
    return not (o.case.get("query_country") or o.case.get("query_birth_date"))


def _split(split: str) -> Callable[[Outcome], bool]:
    return lambda o: o.case.get("split") == split


def _variant(variant: str) -> Callable[[Outcome], bool]:
    return lambda o: o.case["variant"] == variant


def _ratio(a: float, b: float) -> float:
    return round(a / b, 4) if b else float("nan")


def _metrics(subset: list[Outcome], t: float, everything: list[Outcome]) -> dict[str, float]:
    pos = [o for o in subset if o.positive]
    neg = [o for o in subset if not o.positive]
    tp = sum(o.expected >= t for o in pos)
    fp = sum(o.other >= t for o in neg)
    out: dict[str, float] = {"cases": len(subset), "positives": len(pos), "negatives": len(neg)}
    out |= {"tp": tp, "fn": len(pos) - tp, "fp": fp, "tn": len(neg) - fp}
    out["other_hits"] = sum(o.other >= t for o in pos)
    out["recall"] = _ratio(tp, len(pos))
    out["fpr"] = _ratio(fp, len(neg))
    if pos and neg:
        precision = tp / (tp + fp) if tp + fp else float("nan")
    elif pos:  # a positive-only slice: share the overall FPs out pro rata
        all_pos = sum(o.positive for o in everything)
        all_fp = sum(o.other >= t for o in everything if not o.positive)
        share = all_fp * len(pos) / all_pos if all_pos else 0.0
        precision = tp / (tp + share) if tp + share else float("nan")
    else:
        precision = float("nan")
    out["precision"] = round(precision, 4)
    recall = out["recall"]
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else float("nan")
    out["f1"] = round(f1, 4) if pos else float("nan")
    return out


def outcome(case: Mapping[str, str], hits: Iterable[Hit]) -> Outcome:
    """Best score of the expected entity and of any other entity among ``hits``."""
    positive = case["label"] == "1"
    expected = (case["expected_source"], case["expected_source_id"]) if positive else None
    best_expected, best_other = 0.0, 0.0
    for source, source_id, score in hits:
        if (source, source_id) == expected:
            best_expected = max(best_expected, score)
        else:
            best_other = max(best_other, score)
    return Outcome(case, best_expected, best_other)


def read_cases(path: Path | str) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def run(name: str, cases: Sequence[Mapping[str, str]], screen: Screen) -> Report:
    """Screen every case once; keep the best expected / other scores for any threshold."""
    outcomes, seconds = [], 0.0
    for case in cases:
        started = time.perf_counter()
        hits = list(screen(case))
        seconds += time.perf_counter() - started
        outcomes.append(outcome(case, hits))
    return Report(name, outcomes, seconds, len(cases))


def run_pairwise(
    name: str,
    cases: Sequence[Mapping[str, str]],
    candidates: Mapping[str, Sequence[tuple[str, str]]],
    scorer: PairScorer,
) -> Report:
    """Score each case against its given candidates with a pairwise scorer."""
    outcomes, seconds, pairs = [], 0.0, 0
    for case in cases:
        hits = []
        for candidate in candidates.get(case["case_id"], ()):
            started = time.perf_counter()
            score = scorer(case, candidate)
            seconds += time.perf_counter() - started
            pairs += 1
            hits.append((candidate[0], candidate[1], score))
        outcomes.append(outcome(case, hits))
    return Report(name, outcomes, seconds, pairs)


def _fmt(value: float) -> str:
    return "   -  " if value != value else f"{value:6.3f}"  # NaN check


def text_table(reports: Sequence[Report], threshold: float) -> str:
    """Per-variant recall / precision / F1 / FPR, one column block per report, then overall."""
    names = " | ".join(f"{r.name[:26]:^26}" for r in reports)
    lines = [f"threshold {threshold:.2f}", f"{'variant':28} {'n':>5} | {names}"]
    sub = " | ".join(f"{'rec':>6}{'prec':>7}{'F1':>7}{'FPR':>6}" for _ in reports)
    lines.append(f"{'':28} {'':>5} | {sub}")
    per = [r.per_variant(threshold) for r in reports]
    rows = [*per[0].items(), ("OVERALL", reports[0].metrics(threshold))]
    overall = [r.metrics(threshold) for r in reports]
    for variant, m in rows:
        cells = []
        for i in range(len(reports)):
            v = overall[i] if variant == "OVERALL" else per[i][variant]
            cells.append(
                f"{_fmt(v['recall'])}{_fmt(v['precision'])} {_fmt(v['f1'])}{_fmt(v['fpr'])}"
            )
        lines.append(f"{variant:28} {int(m['cases']):>5} | " + " | ".join(cells))
    lines.append("")
    lines.append("sweep (overall F1 / FPR): " + "  ".join(f"{r.name}" for r in reports))
    for t in DEFAULT_THRESHOLDS:
        cells = [f"{_fmt(m['f1'])}/{_fmt(m['fpr'])}" for m in (r.metrics(t) for r in reports)]
        lines.append(f"  T={t:.2f}  " + "   ".join(cells))
    for r in reports:
        per_call = 1000 * r.seconds / r.calls if r.calls else float("nan")
        lines.append(f"{r.name}: {r.calls} calls, {r.seconds:.2f}s, {per_call:.3f} ms/call")
    return "\n".join(lines)


def _no_nan(value: object) -> object:
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dict):
        return {k: _no_nan(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_no_nan(v) for v in value]
    return value


def write_json(reports: Sequence[Report], threshold: float, path: Path | str) -> None:
    """The reports as strict JSON (undefined ratios are null)."""
    data = _no_nan([r.to_json(threshold) for r in reports])
    Path(path).write_text(json.dumps(data, indent=2, allow_nan=False), encoding="utf-8")


def read_hits(path: Path | str) -> dict[str, list[Hit]]:
    """A hits file: JSON lines ``{"case_id": ..., "hits": [{"source", "source_id", "score"}]}``."""
    out: dict[str, list[Hit]] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                hits = [(h["source"], str(h["source_id"]), float(h["score"])) for h in row["hits"]]
                out[row["case_id"]] = hits
    return out


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description="Score a hits file against the eval set.")
    ap.add_argument("--eval", type=Path, default=Path("benchmarks/out/evalset.csv"))
    ap.add_argument("--hits", type=Path, nargs="+", required=True, help="one JSONL per screener")
    ap.add_argument("--threshold", type=float, default=0.7)
    ap.add_argument("--split", choices=["dev", "heldout", "all"], default="all")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    cases = [c for c in read_cases(args.eval) if args.split in ("all", c["split"])]
    reports = []
    for path in args.hits:
        hits = read_hits(path)
        reports.append(run(path.stem, cases, lambda c, h=hits: h.get(c["case_id"], [])))
    print(text_table(reports, args.threshold))
    if args.json:
        write_json(reports, args.threshold, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
