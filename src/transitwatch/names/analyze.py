"""A name, analysed once into the tokens every comparison uses."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from transitwatch.names.fold import (
    PATRONYMIC_MARKERS,
    consonant_skeletons,
    fold,
    fold_variants,
    patronymic_root,
    surname_stem,
)
from transitwatch.names.legal_forms import LegalForm, find_legal_forms
from transitwatch.names.scripts import detect_script
from transitwatch.names.translit import to_latin
from transitwatch.names.words import split_words

# Belarusian feminine patronymics written with u for ў (the fold reads them as -una).
_BELARUSIAN_PATRONYMIC = ("ouna", "euna")

# Token roles
NAME = "name"
PATRONYMIC = "patronymic"
INITIAL = "initial"

# Honorifics and titles that lists and declarations put before names.
_PERSON_PREFIXES = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "prof",
        "gospodin",
        "gospoja",
        "sheikh",
        "shaikh",
        "haji",
        "hajji",
    }
)


@dataclass(frozen=True, slots=True)
class Token:
    text: str  # the romanised word as written (lower case)
    form: str  # folded form used for comparison (the father's name for a patronymic)
    variants: tuple[str, ...]  # every folded reading, form first
    stem: str  # masculine surname stem of form (Ivanova -> ivanov)
    role: str  # name | patronymic | initial
    skeletons: tuple[str, ...] = ()  # consonant skeletons (persons and unknown schema only)


@dataclass(frozen=True, slots=True)
class AnalyzedName:
    original: str
    script: str
    tokens: tuple[Token, ...]
    legal_forms: tuple[LegalForm, ...]
    only_legal_form: bool = False  # the name is nothing but a legal form ("ООО")

    @property
    def is_empty(self) -> bool:
        return not self.tokens

    def describe(self) -> str:
        return " ".join(t.form for t in self.tokens)


def _token(word: str, role: str | None = None, *, skeletons: bool = True) -> Token:
    form = fold(word)
    variants = fold_variants(word)
    if len(word) == 1:
        return Token(word, form, variants, form, INITIAL)
    skel = consonant_skeletons(word) if skeletons else ()
    root = patronymic_root(form)
    if root is None and word.endswith(_BELARUSIAN_PATRONYMIC) and len(word) >= 8:
        root = fold(word[:-4])  # Piatrouna, Mikalaeuna: Belarusian -ouna/-euna (ў)
    if role == PATRONYMIC:
        return Token(word, form, variants, form, PATRONYMIC, skel)
    if root is not None:
        root_skel = consonant_skeletons(root) if skeletons else ()
        return Token(word, root, (root, *variants), root, PATRONYMIC, root_skel)
    return Token(word, form, variants, surname_stem(form), NAME, skel)


@lru_cache(maxsize=100_000)
def analyze_name(text: str, schema: str | None = None) -> AnalyzedName:
    """Romanise, split and fold a name; for organisations, set legal forms aside.

    ``schema`` is person / organization / vessel / aircraft, or None when unknown: unknown
    names are treated like organisations for legal forms (a legal form is never part of a
    person's name), and like persons for patronymics.
    """
    words = split_words(to_latin(text))
    folded = [fold(w) for w in words]
    legal: list[LegalForm] = []
    only_legal_form = False
    if schema != "person" and words:
        marked, legal = find_legal_forms(folded, words)
        kept = [w for w, m in zip(words, marked, strict=True) if not m]
        if kept:
            words = kept
        else:
            legal = []  # a name that is nothing but a legal form keeps its words
            only_legal_form = True
    tokens: list[Token] = []
    skip_next = False
    for i, word in enumerate(words):
        if skip_next:
            skip_next = False
            continue
        f = fold(word)
        if schema != "organization" and f in PATRONYMIC_MARKERS and tokens:
            # "Asanbek uulu": the word before the marker is the father's name.
            prev = tokens[-1]
            tokens[-1] = _token(prev.text, PATRONYMIC)
            continue
        if schema != "organization" and f in _PERSON_PREFIXES and len(words) > 2 and i == 0:
            continue
        tokens.append(_token(word, skeletons=schema in (None, "person")))
    return AnalyzedName(text, detect_script(text), tuple(tokens), tuple(legal), only_legal_form)
