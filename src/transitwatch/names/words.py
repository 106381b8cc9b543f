"""Splitting romanised names into words."""

from __future__ import annotations

import re

# Everything that is not a letter or digit separates words: quotes «» “” "" „, brackets,
# dots of abbreviations (S.A., A.B.), hyphens (Ak-Jol), slashes, ampersands.
_SPLIT_RE = re.compile(r"[^a-z0-9]+")


def split_words(latin: str) -> list[str]:
    """Words of a lower-case Latin string (see names.translit.to_latin)."""
    return [w for w in _SPLIT_RE.split(latin) if w]
