"""Legal forms (ООО, ОсОО, ТОО, LLC, JSC ...) found in organisation names, by equivalence class."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

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
        for size in range(min(longest, len(folded) - i), 0, -1):
            key = tuple(folded[i : i + size])
            hit = table.get(key)
            if hit is not None:
                for k in range(i, i + size):
                    marked[k] = True
                found.append(LegalForm(hit[0], hit[1], " ".join(shown[i : i + size])))
                i += size
                break
        else:
            i += 1
    return marked, found
