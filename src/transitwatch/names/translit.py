"""Any script to plain lower-case Latin, with our own tables for the region's Cyrillic alphabets.

Why not only `normality.ascii_text`: ICU's generic Cyrillic-Latin transform mangles Kazakh and
Kyrgyz letters (Қ becomes "K?", Ж in Kazakh words becomes "Z"), which are exactly the names
customs officers in Central Asia type. Other scripts (Arabic, Han, Hangul ...) go through
normality/ICU, which handles them well.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from importlib import resources

import yaml
from normality import ascii_text

from transitwatch.names.scripts import char_script, detect_script

# Latin letters with diacritics whose ASCII reading matters for names (ISO 9, GOST, Turkic Latin
# alphabets, German/French transcriptions). Anything else loses its accent via NFKD.
_LATIN_SPECIAL = {
    "ž": "zh",
    "š": "sh",
    "č": "ch",
    "ŝ": "shch",
    "ç": "ch",
    "ş": "sh",
    "ğ": "g",
    "ı": "i",
    "ə": "a",
    "ä": "a",
    "ö": "o",
    "ü": "u",
    "û": "yu",
    "â": "ya",
    "ë": "e",
    "è": "e",
    "é": "e",
    "ê": "e",
    "ŭ": "u",
    "ñ": "n",
    "ň": "n",
    "ŋ": "n",
    "ß": "ss",
    "ø": "o",
    "æ": "ae",
    "œ": "oe",
    "đ": "d",
    "ł": "l",
    "ħ": "h",
    "þ": "th",
    "ð": "d",
}

# Characters dropped inside words: apostrophes of Uzbek Latin (oʻ, gʻ), soft/hard signs of
# ISO 9 (ʹ ʺ) and typographic apostrophes.
_DROP = set("'’ʻʼʹʺ`´‘")

_UZBEK_MARKERS = set("қғҳ")

# Latin letters that look like Cyrillic ones. In a name written mostly in Cyrillic they are
# Cyrillic letters typed on the wrong keyboard layout ("Общество C Ограниченной ...") or put
# there to dodge screening; they are read as the Cyrillic letters they imitate.
_HOMOGLYPHS = str.maketrans(
    "AaBCcEeHKMOoPpTXxYyi",
    "АаВСсЕеНКМОоРрТХхУуі",
)


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], str]:
    text = resources.files("transitwatch.data").joinpath("cyrillic_latin.yml").read_text("utf-8")
    data = yaml.safe_load(text)
    letters = {str(k): str(v) for k, v in data["letters"].items()}
    return letters, str(data["uzbek_o"])


def _cyrillic_run(run: str, uzbek: bool) -> str:
    letters, uzbek_o = _tables()
    lowered = run.lower()
    out = []
    for ch in lowered:
        if ch == "ў" and uzbek:
            out.append(uzbek_o)
        elif ch in letters:
            out.append(letters[ch])
        elif unicodedata.combining(ch):
            continue  # combining breve etc. already folded into the base letter's reading
        else:
            out.append(ch)
    return "".join(out)


def _latin_char(ch: str) -> str:
    low = ch.lower()
    if low in _LATIN_SPECIAL:
        return _LATIN_SPECIAL[low]
    decomposed = unicodedata.normalize("NFKD", low)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _unmix(word: str) -> str:
    """A word mixing Cyrillic letters with Latin look-alikes, in Cyrillic only. A word with
    no Cyrillic letter at all ("LLC", "Group") is left alone."""
    if word.isascii() and not (len(word) == 1 and word in "Cc"):
        return word  # a lone "C"/"c" between Cyrillic words is the preposition "с"
    if not any(char_script(ch) == "cyrillic" for ch in word) and not word.isascii():
        return word
    return word.translate(_HOMOGLYPHS)


@lru_cache(maxsize=65536)
def to_latin(text: str) -> str:
    """Lower-case Latin rendering of text in any script; punctuation and spaces are kept.

    >>> to_latin("Қасым-Жомарт Тоқаев")
    'kasym-zhomart tokaev'
    """
    if text.isascii():
        return "".join(ch for ch in text if ch not in _DROP).lower()
    text = unicodedata.normalize("NFC", text)
    if detect_script(text) == "cyrillic":
        text = " ".join(_unmix(word) for word in text.split(" "))
    uzbek = any(ch in _UZBEK_MARKERS for ch in text.lower())
    out: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in _DROP:
            i += 1
            continue
        script = char_script(ch)
        if script == "cyrillic":
            j = i
            while j < n and (char_script(text[j]) == "cyrillic" or unicodedata.combining(text[j])):
                j += 1
            out.append(_cyrillic_run(text[i:j], uzbek))
            i = j
        elif script is None or script == "latin":
            if ch.isascii():
                out.append(ch.lower())
            elif unicodedata.combining(ch):
                pass
            elif script == "latin":
                out.append(_latin_char(ch))
            elif ch == "№":
                out.append(" no ")
            else:
                out.append(" " if not ch.isalnum() else ch)
            i += 1
        else:
            j = i
            while (
                j < n and char_script(text[j]) not in ("latin", "cyrillic") and text[j] not in _DROP
            ):
                j += 1
            latin = (ascii_text(text[i:j]) or "").lower()
            out.append("".join(c if c.isalnum() or c in " -" else "" for c in latin))
            i = j
    return "".join(out)
