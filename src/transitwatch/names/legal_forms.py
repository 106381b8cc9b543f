"""Legal forms (ООО, ОсОО, ТОО, LLC, JSC ...) found in organisation names, by equivalence class."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml
from rapidfuzz.distance import OSA

from transitwatch.names.fold import fold
from transitwatch.names.translit import to_latin
from transitwatch.names.words import split_words


@dataclass(frozen=True, slots=True)
class LegalForm:
    cls: str  # equivalence class id, e.g. "llc"
    label: str
    text: str  # the words as they appeared in the name


@lru_cache(maxsize=1)
def _phrases() -> tuple[dict[tuple[str, ...], tuple[str, str]], int]:
    """Folded word sequence -> (class, label); and the longest phrase length."""
    raw = resources.files("transitwatch.data").joinpath("legal_forms.yml").read_text("utf-8")
    data = yaml.safe_load(raw)
    table: dict[tuple[str, ...], tuple[str, str]] = {}
    for cls, spec in data["classes"].items():
        for phrase in spec["phrases"]:
            words = tuple(fold(w) for w in split_words(to_latin(str(phrase))))
            if words:
                table.setdefault(words, (str(cls), str(spec["label"])))
    longest = max(len(k) for k in table)
    return table, longest


@lru_cache(maxsize=1)
def _multiword() -> dict[str, list[tuple[tuple[str, ...], tuple[str, str]]]]:
    """Phrases of two or more words, by the first letter of their first word."""
    table, _ = _phrases()
    out: dict[str, list[tuple[tuple[str, ...], tuple[str, str]]]] = {}
    for words, hit in table.items():
        if len(words) >= 2:
            out.setdefault(words[0][0], []).append((words, hit))
    for phrases in out.values():
        phrases.sort(key=lambda item: -len(item[0]))
    return out


def _close(word: str, wanted: str) -> bool:
    """Equal, or one typing error apart in a word of five letters or more."""
    if word == wanted:
        return True
    return len(wanted) >= 5 and OSA.distance(word, wanted, score_cutoff=1) <= 1


def _fuzzy_phrase(folded: list[str], i: int) -> tuple[int, tuple[str, str]] | None:
    """A spelled-out legal form with typing errors ("Limited Lniability Company")."""
    word = folded[i]
    if len(word) < 4:
        return None
    for words, hit in _multiword().get(word[0], ()):
        size = len(words)
        if i + size <= len(folded) and all(_close(folded[i + k], words[k]) for k in range(size)):
            return size, hit
    return None


def find_legal_forms(
    folded: list[str], words: list[str] | None = None
) -> tuple[list[bool], list[LegalForm]]:
    """Mark the words of a folded word list that belong to a legal form (longest match first).

    ``words`` are the same words before folding, used to report the form as it was written.
    """
    shown = words if words is not None else folded
    table, longest = _phrases()
    marked = [False] * len(folded)
    found: list[LegalForm] = []
    i = 0
    while i < len(folded):
        match = _match_at(folded, i, table, longest)
        if match is None:
            i += 1
            continue
        size, (cls, label) = match
        for k in range(i, i + size):
            marked[k] = True
        found.append(LegalForm(cls, label, " ".join(shown[i : i + size])))
        i += size
    return marked, found


def _match_at(
    folded: list[str],
    i: int,
    table: dict[tuple[str, ...], tuple[str, str]],
    longest: int,
) -> tuple[int, tuple[str, str]] | None:
    """The legal form starting at word i: an exact phrase of several words, else one with
    typing errors, else an exact single word ("Limited Lniability Company" is one form, not
    "Limited" followed by two name words)."""
    for size in range(min(longest, len(folded) - i), 1, -1):
        hit = table.get(tuple(folded[i : i + size]))
        if hit is not None:
            return size, hit
    fuzzy = _fuzzy_phrase(folded, i)
    if fuzzy is not None:
        return fuzzy
    hit = table.get((folded[i],))
    return (1, hit) if hit is not None else None
