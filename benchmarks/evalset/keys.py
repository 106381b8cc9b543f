"""Name folding for the eval builder's own checks (never used to score anything).

``tokens`` folds any script to lower-case ASCII tokens; ``loose_key`` collapses a token to a
deliberately coarse consonant skeleton so that transliteration variants, gender forms and
most one-letter typos of the same name share a key (Sergey/Sergei/Sergueï -> ``srg``,
Aksyonov/Axjonow/Aksenova -> ``axnv``). The negatives' collision check uses it to be
conservative: a candidate negative that *might* be a listed name is dropped.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from benchmarks.evalset.translit import is_cyrillic, romanize
from benchmarks.evalset.vocab import (
    LEGAL_FORM_EXTRA,
    LEGAL_FORMS_CYRILLIC,
    LEGAL_FORMS_LATIN,
)

_LOOSE = [
    ("schtsch", "s"), ("chtch", "s"), ("shch", "s"), ("tsch", "c"), ("sch", "s"), ("dzh", "z"),
    ("sh", "s"), ("zh", "z"), ("dj", "z"), ("kh", "h"), ("tch", "c"), ("ch", "c"), ("ts", "c"),
    ("tz", "c"), ("cz", "c"), ("ks", "x"), ("gu", "g"), ("gh", "g"), ("ck", "k"), ("ph", "f"),
    ("ou", "u"), ("w", "v"), ("j", "y"), ("q", "k"),
]  # fmt: skip
_LOOSE_RE = re.compile("|".join(a for a, _ in _LOOSE))
_LOOSE_MAP = dict(_LOOSE)

# Ukrainian / Belarusian / English forms of common given names -> one Russian form, so that a
# negative "Oleksandr Rogov" is dropped when "Aleksandr Rogov" is listed.
_SAME_NAME = {
    "aleksandr": "oleksandr olexandr aliaksandr alexander alexandr olexander",
    "vladimir": "volodymyr uladzimir wladimir",
    "sergey": "serhiy serhii sergiy siarhei sergii serguei",
    "nikolay": "mykola mikalai nicolai",
    "mikhail": "mykhailo mykhaylo mikhailo michail",
    "aleksey": "oleksiy oleksii aliaksei alexei aleksei alexey alexej",
    "dmitriy": "dmytro dzmitry dmitri dmitry dmitrii",
    "pyotr": "petro piotr petr",
    "yevgeniy": "yevhen yauhen evgeny evgeniy evgenii",
    "grigoriy": "hryhoriy hryhorii ryhor",
    "georgiy": "heorhiy heorhii",
    "igor": "ihor ihar",
    "gennadiy": "hennadiy hennadii henadz",
    "galina": "halyna",
    "olga": "olha volha",
    "viktor": "victor wiktor",
    "yelena": "olena alena",
    "anatoliy": "anatolii anatol",
    "vasiliy": "vasyl vasil wassili",
}
_CANONICAL = {alt: main for main, alts in _SAME_NAME.items() for alt in alts.split()}


@lru_cache(maxsize=1 << 18)
def ascii_fold(text: str) -> str:
    """Lower-case ASCII letters/digits/spaces: Cyrillic via ICAO, Latin diacritics stripped."""
    if is_cyrillic(text):
        text = romanize(text, "icao")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.replace("ß", "ss").replace("ı", "i")
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def tokens(text: str) -> list[str]:
    return ascii_fold(text).split()


@lru_cache(maxsize=1 << 18)
def loose_key(token: str) -> str:
    low = token.lower()
    t = _LOOSE_RE.sub(lambda m: _LOOSE_MAP[m.group(0)], _CANONICAL.get(low, low))
    if len(t) > 2 and t[0] in "yi" and t[1] in "aeiou":  # Yelena/Elena, Iurii/Yuriy
        t = t[1:]
    if not t:
        return t
    rest = re.sub(r"[aeiouyh]", "", t[1:])
    return re.sub(r"(.)\1+", r"\1", t[0] + rest)


def _legal_tokens() -> frozenset[str]:
    forms = [f for group in LEGAL_FORMS_LATIN.values() for f in group]
    forms += [f for group in LEGAL_FORMS_CYRILLIC.values() for f in group] + LEGAL_FORM_EXTRA
    words = {t for f in forms for t in tokens(f)}
    words |= {"the", "of", "and", "co", "ltd", "limited", "inc", "corp", "company", "tov"}
    words |= {"for", "or", "in", "on", "to", "at", "by", "de", "la", "le", "du", "des", "y"}
    words |= {"ooo", "zao", "oao", "pao", "ao", "jsc", "llc", "llp", "too", "osoo", "mchj", "aj"}
    return frozenset(words)


LEGAL_TOKENS = _legal_tokens()


@lru_cache(maxsize=1 << 18)
def core_keys(name: str) -> frozenset[str]:
    """Loose keys of a name's tokens, legal forms and one-letter tokens left out."""
    return frozenset(
        loose_key(t) for t in tokens(name) if t not in LEGAL_TOKENS and len(t) > 1 and t.isalpha()
    ) | frozenset(t for t in tokens(name) if t.isdigit())
