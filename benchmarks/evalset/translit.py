"""Romanisation schemes (Cyrillic -> Latin) and a Latin -> Cyrillic renderer, for the eval set only.

Written independently of ``transitwatch.names`` on purpose: the eval set must not be generated
with the tables the matcher uses, or it would only test that the matcher agrees with itself.

Schemes (``romanize(text, scheme)``):

``bgn``     BGN/PCGN 1947 for Russian: е/ё -> ye/yë word-initially and after a vowel, й, ъ, ь;
            х kh, ц ts, щ shch, й y, ы y, ю yu, я ya, ё ë. The hard/soft signs (” ’) and the
            "·" disambiguation dot are omitted, as lists and passports do.
            Щукин -> Shchukin, Юрьев -> Yuryev, Аксёнов -> Aksënov.
``icao``    ICAO Doc 9303 (7th ed., 2015), Russian passports since 2013: й i, ъ ie, ь omitted,
            ю iu, я ia, ё e, х kh, ц ts. Юлия -> Iuliia, Дмитрий -> Dmitrii.
``gost``    GOST 7.79-2000 system B: й j, х x, ц c (before e i y j) / cz, щ shh, ё yo,
            ы y`, э e`, ь `, ъ ``. Щукин -> Shhukin, Цой -> Czoj, Ельцин -> El`cin.
``iso9``    ISO 9:1995 (= GOST 7.79 system A), one letter per letter with diacritics:
            ж ž, х h, ц c, ч č, ш š, щ ŝ, ю û, я â, ё ë, э è, ь ʹ, ъ ʺ. Щукин -> Ŝukin.
``german``  Duden-style German transcription: в w, ж sch, з s, х ch, ц z, ч tsch, ш sch,
            щ schtsch, кс x, е/ё je/jo, -ий -i, с -> ss between vowels.
            Щукин -> Schtschukin, Аксёнов -> Axjonow.
``french``  French press transcription: у ou, ж j, х kh, ч tch, ш ch, щ chtch, ю iou, я ia,
            г -> gu before e/i/y, й/и -> ï after a vowel, -ин -> -ine, с -> ss between vowels,
            ё -> e after a sibilant. Щукин -> Chtchoukine, Сергей -> Sergueï, Путин -> Poutine,
            Горбачёв -> Gorbatchev, Михаил -> Mikhaïl.

Ukrainian/Belarusian letters (і ї є ґ ў) and the Kazakh/Kyrgyz/Uzbek letters (ә ғ қ ң ө ұ ү һ ҳ)
are mapped in every scheme: ISO 9 uses its Table 3 letters (ә a̋, ғ ġ, қ ķ, ң ņ, ө ô, ү ù, һ ḥ);
BGN uses the BGN/PCGN Kazakh/Kyrgyz/Uzbek values (ә ä, ғ gh, қ q, ң ng, ө ö, ү ü, ұ ū, ў ŭ);
ICAO folds them to base letters as Central Asian passports do; GOST B marks them with a
backtick (a`, g`, k`, n`, o`, u`) - the eval uses these only for Central Asian inputs, and
no test cites them as the standard's text. Any other Cyrillic letter falls back to its
Unicode base letter; non-Cyrillic characters (including Latin look-alikes inside Cyrillic
names, as the EU list has) pass through unchanged.

``cyrillize(text, lang)`` renders a Latin-script name in Cyrillic as a Russian (``ru``),
Kyrgyz (``ky``), Kazakh (``kk``) or Uzbek (``uz``) clerk would write it: a dictionary of
Central Asian name stems with their native spelling (:mod:`benchmarks.evalset.vocab`) plus
letter rules (``q`` -> қ, ``o'`` -> ў, ``h`` -> ҳ/һ, ``j`` -> ж, word-final ``ng`` -> ң ...).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from benchmarks.evalset.vocab import CENTRAL_ASIAN_STEMS, PATRONYMIC_PARTICLES

SCHEMES = ("bgn", "icao", "gost", "iso9", "german", "french")
CYR_VOWELS = frozenset("аеёиоуыэюяіїєәөүұ")
_SIBILANTS = frozenset("жшчщ")
_CYR_RE = re.compile(r"[\u0400-\u04FF\u0500-\u052F]")

_BASE = dict(zip("абвгдезийклмнопрстуфыэ", "abvgdeziyklmnoprstufye", strict=True))
_EXTRA_UK = {"і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "ŭ"}
_CENTRAL = {"ә": "ä", "ғ": "gh", "қ": "q", "ң": "ng", "ө": "ö", "ұ": "ū", "ү": "ü", "һ": "h"}


@dataclass(frozen=True)
class Scheme:
    name: str
    letters: dict[str, str]
    iotated: dict[str, str] = field(default_factory=dict)  # after vowel / й / ь / ъ
    iotated_initial: bool = False  # ...and word-initially
    after_sibilant: dict[str, str] = field(default_factory=dict)
    after_vowel: dict[str, str] = field(default_factory=dict)
    after_vowel_set: frozenset[str] = CYR_VOWELS  # which vowels trigger after_vowel
    endings: dict[str, str] = field(default_factory=dict)  # word-final sequences
    pairs: dict[str, str] = field(default_factory=dict)  # two-letter clusters
    before_front: dict[str, str] = field(default_factory=dict)
    front: frozenset[str] = frozenset("еиыэёюяіїє")
    before_other: dict[str, str] = field(default_factory=dict)  # the else-branch of before_front
    intervocalic: dict[str, str] = field(default_factory=dict)


def _table(**over: str) -> dict[str, str]:
    table = dict(_BASE)
    table.update(_EXTRA_UK)
    table.update(_CENTRAL)
    table.update(over)
    return table


_SCHEMES: dict[str, Scheme] = {
    "bgn": Scheme(
        "bgn",
        _table(ё="ë", ж="zh", х="kh", ц="ts", ч="ch", ш="sh", щ="shch", ъ="", ь="", ю="yu", я="ya")
        | {"ҳ": "kh"},
        iotated={"е": "ye", "ё": "yë"},
        iotated_initial=True,
    ),
    "icao": Scheme(
        "icao",
        _table(й="i", ё="e", ж="zh", х="kh", ц="ts", ч="ch", ш="sh", щ="shch", ъ="ie", ь="", ю="iu")
        | {"я": "ia", "ї": "i", "є": "ie", "ў": "u", "ә": "a", "ғ": "g", "қ": "k", "ң": "n"}
        | {"ө": "o", "ұ": "u", "ү": "u", "һ": "h", "ҳ": "kh"},
    ),
    "gost": Scheme(
        "gost",
        _table(й="j", ё="yo", ж="zh", х="x", ц="cz", ч="ch", ш="sh", щ="shh", ъ="``", ь="`")
        | {"ы": "y`", "э": "e`", "ю": "yu", "я": "ya", "ґ": "g`", "ў": "u`", "ә": "a`"}
        | {"ғ": "g`", "қ": "k`", "ң": "n`", "ө": "o`", "ұ": "u`", "ү": "u`", "һ": "h`"}
        | {"ҳ": "x`"},
        before_front={"ц": "c"},
        front=frozenset("еиыэйёюяіїє"),
    ),
    "iso9": Scheme(
        "iso9",
        _table(й="j", ё="ë", ж="ž", х="h", ц="c", ч="č", ш="š", щ="ŝ", ъ="ʺ", ь="ʹ", э="è")
        | {"ю": "û", "я": "â", "і": "ì", "ї": "ï", "є": "ê", "ґ": "g̀", "ў": "ǔ", "ә": "a̋"}
        | {"ғ": "ġ", "қ": "ķ", "ң": "ņ", "ө": "ô", "ұ": "u̇", "ү": "ù", "һ": "ḥ", "ҳ": "ḩ"},
    ),
    "german": Scheme(
        "german",
        _table(в="w", з="s", й="j", ё="jo", ж="sch", х="ch", ц="z", ч="tsch", ш="sch")
        | {"щ": "schtsch", "ъ": "", "ь": "", "ю": "ju", "я": "ja", "ї": "ji", "є": "je"}
        | {"ў": "u", "ә": "ä", "ғ": "g", "қ": "k", "ң": "ng", "ұ": "u", "ҳ": "ch"},
        iotated={"е": "je"},
        iotated_initial=True,
        after_sibilant={"ё": "o"},
        after_vowel={"й": "i"},  # Nikolai, Tolstoi - but Sergej, Andrej
        after_vowel_set=frozenset("аоу"),
        endings={"ий": "i", "ый": "y"},
        pairs={"кс": "x"},
        intervocalic={"с": "ss"},
    ),
    "french": Scheme(
        "french",
        _table(й="i", ё="io", ж="j", х="kh", у="ou", ц="ts", ч="tch", ш="ch", щ="chtch", ъ="")
        | {"ь": "", "ю": "iou", "я": "ia", "ї": "ï", "є": "ie", "ў": "ou", "ә": "a"}
        | {"ғ": "g", "қ": "k", "ң": "ng", "ө": "o", "ұ": "ou", "ү": "u", "ҳ": "kh"},
        iotated={"е": "ie"},
        after_sibilant={"ё": "e"},
        after_vowel={"й": "ï", "и": "ï"},
        endings={"ий": "i", "ый": "y", "ин": "ine"},
        before_front={"г": "gu"},
        front=frozenset("еиыэ"),
        intervocalic={"с": "ss"},
    ),
}

# Fallback for Cyrillic letters no table lists: the Unicode name's base letter.
_NAME_BASE = {
    "A": "a", "BE": "b", "VE": "v", "GHE": "g", "DE": "d", "IE": "e", "ZHE": "zh", "ZE": "z",
    "I": "i", "SHORT I": "i", "KA": "k", "EL": "l", "EM": "m", "EN": "n", "O": "o", "PE": "p",
    "ER": "r", "ES": "s", "TE": "t", "U": "u", "EF": "f", "HA": "kh", "TSE": "ts", "CHE": "ch",
    "SHA": "sh", "SHCHA": "shch", "YERU": "y", "E": "e", "YU": "yu", "YA": "ya", "SCHWA": "a",
    "DZE": "dz", "JE": "j", "LJE": "lj", "NJE": "nj", "DZHE": "dzh", "DJE": "dj", "TSHE": "c",
    "GJE": "g", "KJE": "k", "UKRAINIAN IE": "e", "YI": "i", "STRAIGHT U": "u", "SHHA": "h",
    "BARRED O": "o", "FITA": "f", "IZHITSA": "i", "YAT": "e", "ABKHASIAN HA": "h",
}  # fmt: skip


def _fallback(ch: str) -> str:
    try:
        name = unicodedata.name(ch)
    except ValueError:
        return ch
    match = re.match(r"CYRILLIC (?:SMALL|CAPITAL) LETTER (.+?)(?: WITH .*)?$", name)
    if match:
        base = match.group(1)
        for cut in (base, base.split(" ")[-1]):
            if cut in _NAME_BASE:
                return _NAME_BASE[cut]
    stripped = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return stripped.lower() or ch


def is_cyrillic(text: str) -> bool:
    return bool(_CYR_RE.search(text))


def _apply_case(out: str, src: str, all_caps: bool) -> str:
    if not out or not src.isupper():
        return out
    return out.upper() if all_caps else out[:1].upper() + out[1:]


def _romanize_word(word: str, scheme: Scheme) -> str:
    low = word.lower()
    letters = [c for c in word if c.isalpha()]
    all_caps = len(letters) > 1 and all(c.isupper() for c in letters if c.isalpha())
    out: list[str] = []
    i = 0
    while i < len(word):
        ch, lc = word[i], low[i]
        prev = low[i - 1] if i > 0 else ""
        nxt = low[i + 1] if i + 1 < len(word) else ""
        ending = next((e for e in scheme.endings if low.endswith(e) and i == len(low) - len(e)), "")
        if ending and len(word) > len(ending):
            out.append(_apply_case(scheme.endings[ending], ch, all_caps))
            break
        pair = low[i : i + 2]
        if pair in scheme.pairs:
            out.append(_apply_case(scheme.pairs[pair], ch, all_caps))
            i += 2
            continue
        if lc in scheme.iotated and (
            (prev and prev in CYR_VOWELS | frozenset("йьъ")) or (i == 0 and scheme.iotated_initial)
        ):
            value = scheme.iotated[lc]
        elif lc in scheme.after_sibilant and prev and prev in _SIBILANTS:
            value = scheme.after_sibilant[lc]
        elif lc in scheme.after_vowel and prev and prev in scheme.after_vowel_set:
            value = scheme.after_vowel[lc]
        elif lc in scheme.before_front and nxt and nxt in scheme.front:
            value = scheme.before_front[lc]
        elif lc in scheme.intervocalic and prev and nxt and {prev, nxt} <= CYR_VOWELS:
            value = scheme.intervocalic[lc]
        elif lc in scheme.letters:
            value = scheme.letters[lc]
        elif _CYR_RE.match(ch):
            value = _fallback(lc)
        else:
            out.append(ch)  # Latin look-alikes, digits, marks: keep as written
            i += 1
            continue
        out.append(_apply_case(value, ch, all_caps))
        i += 1
    return "".join(out)


_WORD_RE = re.compile(r"[\w\u0300-\u036f]+", re.UNICODE)


@lru_cache(maxsize=1 << 16)
def romanize(text: str, scheme: str) -> str:
    """Romanise the Cyrillic in ``text`` with one of :data:`SCHEMES`; the rest is kept."""
    spec = _SCHEMES[scheme]
    text = unicodedata.normalize("NFC", text)
    return _WORD_RE.sub(lambda m: _romanize_word(m.group(0), spec), text)


# --- Latin -> Cyrillic -------------------------------------------------------------------

LANGS = ("ru", "ky", "kk", "uz")
_LAT_VOWELS = frozenset("aeiouyöüäı")

# Ordered longest first; value is either one spelling or a {lang: spelling} map ("*" = default).
_LAT_RULES: list[tuple[str, str | dict[str, str]]] = [
    ("shch", "щ"), ("dzh", {"*": "дж", "ky": "ж", "kk": "ж", "uz": "ж"}),
    ("o'", {"*": "о", "uz": "ў"}), ("g'", {"*": "г", "uz": "ғ"}), ("oʻ", {"*": "о", "uz": "ў"}),
    ("gʻ", {"*": "г", "uz": "ғ"}), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"),
    ("sh", "ш"), ("gh", {"*": "г", "kk": "ғ", "uz": "ғ"}), ("yu", "ю"), ("ya", "я"),
    ("yo", "ё"), ("ye", "е"),
    ("j", {"*": "дж", "ky": "ж", "kk": "ж", "uz": "ж"}), ("q", {"*": "к", "kk": "қ", "uz": "қ"}),
    ("h", {"*": "х", "kk": "һ", "uz": "ҳ"}), ("x", {"*": "кс", "uz": "х"}), ("w", "в"),
    ("ö", {"*": "ё", "ky": "ө", "kk": "ө"}), ("ü", {"*": "ю", "ky": "ү", "kk": "ү"}),
    ("ä", {"*": "а", "kk": "ә"}), ("a", "а"), ("b", "б"), ("c", "к"), ("d", "д"), ("e", "е"),
    ("f", "ф"), ("g", "г"), ("i", "и"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"),
    ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("v", "в"),
    ("z", "з"),
]  # fmt: skip


def _rule(value: str | dict[str, str], lang: str) -> str:
    return value if isinstance(value, str) else value.get(lang, value["*"])


def _cyrillize_generic(low: str, lang: str, start: int = 0) -> str:
    out: list[str] = []
    i = start
    while i < len(low):
        prev = low[i - 1] if i > 0 else ""
        rest = low[i:]
        if rest in ("iy", "yy", "ii") and i > 0:
            out.append("ий" if rest != "yy" else "ый")
            break
        if rest == "ng" and lang in ("ky", "kk") and i > 0:
            out.append("ң")
            break
        if rest in ("ia", "iya") and i > 0:
            out.append("ия")
            break
        if low[i] == "y" and prev and prev not in _LAT_VOWELS and rest[1:2] in ("e", "i"):
            out.append("ь")  # Valer-ye-vich, Il-yi-n: a soft sign before the vowel
            i += 1
            continue
        if low[i] == "y" and not rest.startswith(("ye", "ya", "yu", "yo")):
            out.append("й" if not prev or prev in _LAT_VOWELS else "ы")
            i += 1
            continue
        if (
            low[i] == "i"
            and lang != "ru"
            and prev
            and prev in "aeouy"
            and (not rest[1:2] or rest[1:2] not in _LAT_VOWELS)
        ):
            out.append("й")  # Central Asian Ai-bek, Kai-rat
            i += 1
            continue
        if low[i] == "e" and (not prev or prev in _LAT_VOWELS):
            out.append("э" if i == 0 else "е")
            i += 1
            continue
        for key, value in _LAT_RULES:
            if rest.startswith(key):
                out.append(_rule(value, lang))
                i += len(key)
                break
        else:
            out.append(low[i] if low[i] not in "'ʼʻ’`" else "")
            i += 1
    return "".join(out)


# What may follow a dictionary stem inside one word (Omurbek-ov, Asanbek-ovich, Kasym-uly).
_STEM_SUFFIXES = frozenset(
    ["", "a", "ov", "ova", "ev", "eva", "yev", "yeva", "ovich", "ovna", "evich", "evna", "uly"]
)


@lru_cache(maxsize=1 << 16)
def central_asian_stem(word: str, lang: str | None = None) -> str | None:
    """The longest dictionary stem ``word`` is made of (stem + -ov/-ovich/-uly...), or None."""
    low = word.lower()
    best = ""
    for stem, spellings in CENTRAL_ASIAN_STEMS.items():
        if (
            (lang is None or lang in spellings)
            and len(stem) > len(best)
            and low.startswith(stem)
            and low[len(stem) :] in _STEM_SUFFIXES
        ):
            best = stem
    return best or None


def _cyrillize_token(token: str, lang: str) -> str:
    low = token.lower()
    particle = PATRONYMIC_PARTICLES.get(low)
    if particle is not None:
        out = particle.get(lang, particle["*"])
    else:
        best = central_asian_stem(low, lang)
        if best:
            head = CENTRAL_ASIAN_STEMS[best][lang].lower()
            out = head + _cyrillize_generic(low, lang, start=len(best))
        else:
            out = _cyrillize_generic(low, lang)
    if token.isupper() and len(token) > 1:
        return out.upper()
    return out[:1].upper() + out[1:] if token[:1].isupper() else out


def cyrillize(text: str, lang: str = "ru") -> str:
    """Render a Latin-script personal name in the Cyrillic of ``lang`` (one of :data:`LANGS`)."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}")
    text = unicodedata.normalize("NFC", text)
    return re.sub(
        r"[A-Za-zÀ-ɏʻʼ'’]+",
        lambda m: _cyrillize_token(m.group(0), lang) if m.group(0).strip("'ʼʻ’") else "",
        text,
    )
