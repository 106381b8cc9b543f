"""What a goods description says the goods are, and whether that fits the declared HS code.

The lexicon (``transitwatch/data/goods_lexicon.yml``, term syntax in its header) maps terms in
English, Russian, Kyrgyz and Kazakh to categories. Text and terms are both romanised with
``names.translit.to_latin``, so "квадрокоптеры", "kvadrokoptery" and "Квадрокоптер" meet; a term
word matches a text word that extends it by a short ending, which covers Russian and Turkic
inflection (прицел/прицелы/прицелов, микросхема/микросхем/микросхемы, дрон/дрондор).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from transitwatch.errors import ParseError
from transitwatch.goods.model import GoodsSignal, Mismatch, dotted
from transitwatch.names.translit import to_latin

MAX_TEXT = 5000  # characters of a description looked at
MAX_ENDING = 4  # letters a text word may add to a term word (inflection)
_WORD = re.compile(r"\w+")
_LATIN_WORD = re.compile(r"[a-z0-9]+")

CONTROLLED_UNDER_OTHER = "controlled_goods_under_other_code"
VAGUE_FOR_CONTROLLED = "controlled_code_vague_description"
OTHER_GOODS_FOR_CONTROLLED = "controlled_code_other_goods"

WordTest = Callable[[str], bool]


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    label: str
    controlled: bool
    hs: tuple[str, ...]
    part_of: tuple[str, ...]
    vague: bool
    terms: tuple[tuple[WordTest, ...], ...]
    keys: tuple[str | None, ...]  # per term: first 2 letters its first word needs (None: infix)

    def fits(self, code: str) -> bool:
        return any(code.startswith(p) for p in self.hs)


def _word_test(word: str) -> WordTest:
    if word.startswith("="):
        exact = word[1:]
        return lambda token: token == exact
    infix = word.startswith("*")
    open_end = word.endswith("*")
    stem = word.strip("*")
    if infix:
        return lambda token: stem in token
    if open_end:
        return lambda token: token.startswith(stem)
    if len(stem) <= 3:
        return lambda token: token in (stem, stem + "s")
    return lambda token: token.startswith(stem) and len(token) - len(stem) <= MAX_ENDING


def _romanised_words(text: str) -> list[tuple[str, str]]:
    """(romanised word, word as written) for each word of ``text``."""
    out: list[tuple[str, str]] = []
    for match in _WORD.finditer(text[:MAX_TEXT]):
        written = match.group(0)
        for latin in _LATIN_WORD.findall(to_latin(written)):
            out.append((latin, written))
    return out


def _term_key(term: tuple[str, ...]) -> str | None:
    first = term[0]
    return None if first.startswith("*") else first.lstrip("=")[:2]


def _compile_term(term: str, where: str) -> tuple[str, ...]:
    words: list[str] = []
    for raw in term.split():
        marks_front = raw[0] if raw[0] in "=*" else ""
        marks_back = "*" if raw.endswith("*") and len(raw) > 1 else ""
        core = raw[len(marks_front) : len(raw) - len(marks_back)]
        latin = _LATIN_WORD.findall(to_latin(core))
        if not latin:
            raise ParseError(f"term {term!r} has no letters", path=where, field="terms")
        for i, part in enumerate(latin):
            front = marks_front if i == 0 else ""
            back = marks_back if i == len(latin) - 1 else ""
            words.append(front + part + back)
    return tuple(words)


def parse_lexicon(data: Any, where: str) -> list[Category]:
    if not isinstance(data, dict) or not isinstance(data.get("categories"), dict):
        raise ParseError("expected a mapping with categories:", path=where)
    out: list[Category] = []
    for cid, spec in data["categories"].items():
        if not isinstance(spec, dict):
            raise ParseError("expected a mapping", path=where, field=str(cid))
        terms_by_lang = spec.get("terms") or {}
        if not isinstance(terms_by_lang, dict):
            raise ParseError("terms: expected language → list", path=where, field=str(cid))
        patterns = [
            _compile_term(str(t), where) for lang in terms_by_lang.values() for t in lang or ()
        ]
        out.append(
            Category(
                id=str(cid),
                label=str(spec.get("label") or cid),
                controlled=bool(spec.get("controlled", False)),
                hs=tuple(str(h) for h in spec.get("hs") or ()),
                part_of=tuple(str(p) for p in spec.get("part_of") or ()),
                vague=bool(spec.get("vague", False)),
                terms=tuple(tuple(_word_test(w) for w in p) for p in patterns),
                keys=tuple(_term_key(p) for p in patterns),
            )
        )
    return out


@lru_cache(maxsize=1)
def default_lexicon() -> tuple[Category, ...]:
    path = resources.files("transitwatch.data").joinpath("goods_lexicon.yml")
    return tuple(parse_lexicon(yaml.safe_load(path.read_text("utf-8")), "goods_lexicon.yml"))


def _find(term: tuple[WordTest, ...], words: list[tuple[str, str]]) -> tuple[int, str] | None:
    n = len(term)
    for start in range(len(words) - n + 1):
        if all(test(words[start + k][0]) for k, test in enumerate(term)):
            seen: list[str] = []
            for k in range(n):  # a word romanised into several parts is written once
                written = words[start + k][1]
                if not seen or seen[-1] != written:
                    seen.append(written)
            return start, " ".join(seen)
    return None


def signals(text: str, lexicon: Sequence[Category]) -> list[GoodsSignal]:
    """One signal per category the text names, in the order they appear; never raises."""
    words = _romanised_words(text or "")
    if not words:
        return []
    starts = {w[:2] for w, _ in words}
    found: list[tuple[int, GoodsSignal]] = []
    for cat in lexicon:
        first: int | None = None
        matched: list[str] = []
        for term, key in zip(cat.terms, cat.keys, strict=True):
            if key is not None and key not in starts:
                continue
            hit = _find(term, words)
            if hit is None:
                continue
            pos, written = hit
            first = pos if first is None else min(first, pos)
            if written not in matched:
                matched.append(written)
        if first is not None:
            signal = GoodsSignal(
                category=cat.id,
                label=cat.label,
                hs_prefixes=cat.hs,
                controlled=cat.controlled,
                terms=tuple(matched),
                vague=cat.vague,
            )
            found.append((first, signal))
    found.sort(key=lambda item: item[0])
    return [s for _, s in found]


def mismatches(
    code: str,
    text: str,
    lexicon: Sequence[Category],
    controlled_code: str | None,
    found: list[GoodsSignal] | None = None,
) -> list[Mismatch]:
    """``controlled_code``: why the declared code itself is controlled (e.g. "CHPL Tier 1
    (Priority integrated circuits)"), or None when it is on no list; ``found``: the text's
    signals when already computed."""
    by_id = {c.id: c for c in lexicon}
    if found is None:
        found = signals(text, lexicon)
    fitting = [s for s in found if not s.vague and by_id[s.category].fits(code)]
    out: list[Mismatch] = []
    shown = f"HS {dotted(code)}"
    controlled_fit = any(s.controlled for s in fitting)
    fitting_ids = {s.category for s in fitting}
    for s in found:
        if not s.controlled or by_id[s.category].fits(code) or controlled_fit:
            continue
        if fitting_ids & set(by_id[s.category].part_of):
            continue  # "laptop with Intel processor" under 8471: a component, not the goods
        fit_text = f"; the code fits {', '.join(f.label for f in fitting)}" if fitting else ""
        out.append(
            Mismatch(
                kind=CONTROLLED_UNDER_OTHER,
                message=(
                    f"description names {s.label} ({', '.join(repr(t) for t in s.terms)}), "
                    f"normally declared under {', '.join(s.hs_prefixes)}, but the declared code "
                    f"is {shown}{fit_text}"
                ),
                evidence={
                    "hs_code": code,
                    "category": s.category,
                    "terms": "; ".join(s.terms),
                    "expected_hs": ", ".join(s.hs_prefixes),
                    "description": text[:200],
                },
            )
        )
    if controlled_code is not None and not fitting:
        others = [s for s in found if not s.vague]
        vague_terms = [t for s in found if s.vague for t in s.terms]
        evidence = {"hs_code": code, "controlled_as": controlled_code, "description": text[:200]}
        if others:
            named = ", ".join(f"{s.label} ({'; '.join(s.terms)})" for s in others)
            evidence["named_goods"] = named
            out.append(
                Mismatch(
                    kind=OTHER_GOODS_FOR_CONTROLLED,
                    message=(
                        f"{shown} is controlled ({controlled_code}) but the description names "
                        f"other goods: {named}"
                    ),
                    evidence=evidence,
                )
            )
        else:
            if vague_terms:
                evidence["vague_terms"] = "; ".join(vague_terms)
            why = (
                f"only vague wording ({', '.join(repr(t) for t in vague_terms)})"
                if vague_terms
                else "no recognisable goods"
            )
            out.append(
                Mismatch(
                    kind=VAGUE_FOR_CONTROLLED,
                    message=(
                        f"{shown} is controlled ({controlled_code}) but the description has "
                        f"{why}: it does not say what the goods are"
                    ),
                    evidence=evidence,
                )
            )
    return out
