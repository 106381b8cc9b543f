"""Which script a string is written in."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

_SCRIPT_PREFIXES = (
    ("LATIN", "latin"),
    ("CYRILLIC", "cyrillic"),
    ("ARABIC", "arabic"),
    ("HANGUL", "hangul"),
    ("CJK", "han"),
    ("HIRAGANA", "kana"),
    ("KATAKANA", "kana"),
    ("GREEK", "greek"),
    ("ARMENIAN", "armenian"),
    ("GEORGIAN", "georgian"),
    ("HEBREW", "hebrew"),
    ("THAI", "thai"),
    ("DEVANAGARI", "devanagari"),
    ("PERSIAN", "arabic"),
    ("ETHIOPIC", "ethiopic"),
    ("MYANMAR", "myanmar"),
    ("KHMER", "khmer"),
    ("TAMIL", "tamil"),
    ("BENGALI", "bengali"),
)


@lru_cache(maxsize=4096)
def char_script(ch: str) -> str | None:
    """Script of one letter, or None for digits, punctuation and spaces."""
    if not ch.isalpha():
        return None
    try:
        uname = unicodedata.name(ch)
    except ValueError:
        return "other"
    for prefix, script in _SCRIPT_PREFIXES:
        if uname.startswith(prefix):
            return script
    return "other"


def detect_script(text: str) -> str:
    """The dominant script of the letters in text ('latin' when there are none)."""
    if text.isascii():
        return "latin"
    counts: dict[str, int] = {}
    for ch in text:
        script = char_script(ch)
        if script is not None:
            counts[script] = counts.get(script, 0) + 1
    if not counts:
        return "latin"
    # Cyrillic names written with a stray Latin 'i' (Ukrainian) stay Cyrillic.
    return max(counts.items(), key=lambda kv: kv[1])[0]
