"""Positive variant generators: each turns one listed entity into query renderings of its name.

Every generator takes an :class:`~benchmarks.evalset.lists.Entry` and a seeded
``random.Random`` and returns ``(query, note)`` pairs (empty when the entity does not fit).
A rendering that equals one of the entity's listed Latin names (case-insensitively) is not
returned: it would only test exact matching. Organisation variants live in
:mod:`benchmarks.evalset.org_variants`.
"""

from __future__ import annotations

import random
import re

from benchmarks.evalset.keys import core_keys, loose_key
from benchmarks.evalset.lists import Entry
from benchmarks.evalset.translit import central_asian_stem, cyrillize, is_cyrillic, romanize
from benchmarks.evalset.vocab import (
    CENTRAL_ASIAN_STEMS,
    PAN_ISLAMIC_STEMS,
    RU_MALE_NAMES,
    TURKIC_ENDINGS,
)

Variant = tuple[str, str]  # (query, note)

PATRONYMIC_RE = re.compile(
    r"(ovich|evich|ovitch|evitch|ovych|ich|ovna|evna|ichna|ogly|oglu|ogli|kyzy|qizi)$", re.I
)
_UKR_BEL = re.compile(r"[іїєґў]", re.I)  # Ukrainian / Belarusian letters
# a word mixing Latin and Cyrillic letters: Cергей (Latin C), Алеĸсандр (Latin kra)
_MIXED_WORD = re.compile(r"\b(?=\w*[A-Za-z\u00C0-\u024F])(?=\w*[\u0400-\u04FF])\w+")


def known_as(entry: Entry, query: str) -> bool:
    """True when ``query`` is (case-insensitively) one of the entity's listed names."""
    q = " ".join(query.casefold().replace(",", " ").split())
    return any(q == " ".join(n.casefold().replace(",", " ").split()) for n, _ in entry.names)


def _title(word: str) -> str:
    return "-".join(p[:1].upper() + p[1:].lower() for p in word.split("-"))


def person_parts(entry: Entry) -> tuple[list[str], str] | None:
    """(given tokens incl. patronymic, surname) of a Latin-script person, or None."""
    if entry.schema != "person" or not entry.surname or not entry.given:
        return None
    if is_cyrillic(entry.given + entry.surname) or not (entry.given + entry.surname).isascii():
        return None
    given = [t for t in entry.given.replace(",", " ").split() if t.strip(".")]
    return (given, entry.surname) if given else None


# --- cross-script ----------------------------------------------------------------------


def cyrillic_names(entry: Entry) -> list[str]:
    """The entity's Cyrillic names (EU aliases), combined "Latin (Кириллица)" cells excluded."""
    out = []
    for value, _ in entry.names:
        combined = "(" in value or "/" in value  # "Latin (Кириллица)", "RU / UK" forms
        if is_cyrillic(value) and not re.search(r"[A-Za-z]{3}", value) and not combined:
            out.append(value)
    return sorted(set(out))


def russian_cyrillic(entry: Entry) -> str | None:
    """The first Cyrillic name with no Ukrainian/Belarusian letter and no mixed-script word."""
    names = [n for n in cyrillic_names(entry) if not _UKR_BEL.search(n)]
    names = [n for n in names if not _MIXED_WORD.search(n)]
    return names[0] if names else None


def latin_overlap(entry: Entry, query: str) -> float:
    """Share of the query's (loose) name words found in one of the entity's Latin names."""
    q = core_keys(query)
    if not q:
        return 0.0
    return max((len(q & core_keys(n)) / len(q) for n in entry.latin_names()), default=0.0)


def _needs_translation(entry: Entry, query: str) -> bool:
    """An organisation name whose words appear in none of its Latin names (e.g. "Главный
    вычислительный центр" vs "Main Computing Center"): matching it needs translation, not
    transliteration, so it is left out of the cross-script variants."""
    return entry.schema == "organization" and latin_overlap(entry, query) < 0.5


def cyrillic_original(entry: Entry, rng: random.Random) -> list[Variant]:
    names = [n for n in cyrillic_names(entry) if not _needs_translation(entry, n)]
    if not names:
        return []
    name = rng.choice(names)
    ukr = _UKR_BEL.search(name) or re.search(r"[\u0400-\u04FF]i|i[\u0400-\u04FF]", name)
    lang = "uk/be" if ukr else "ru"
    mixed = ", mixed-script word" if _MIXED_WORD.search(name) else ""
    return [(name, f"EU Cyrillic alias ({lang}{mixed})")]


def translit(entry: Entry, scheme: str) -> list[Variant]:
    name = russian_cyrillic(entry)
    if name is None:
        return []
    query = romanize(name, scheme)
    if known_as(entry, query) or is_cyrillic(query) or _needs_translation(entry, query):
        return []
    return [(query, f"{scheme} of EU alias {name}")]


def uk_official_variant(entry: Entry, rng: random.Random) -> list[Variant]:
    """A UK "primary name variation" of the subject, queried against its primary name.

    The UK list files some unrelated names as variations ("Transseaport" for "MG-FLOT LLC",
    "Expeditionary Corps" for "Africa Corps"); those are aliases, not spelling variants, so a
    variation is used only when it shares >= 2 name words with the primary or half its words.
    """
    primary = core_keys(entry.primary)
    options = []
    for name, kind in sorted(entry.names):
        if kind != "primary_variation" or name.casefold() == entry.primary.casefold():
            continue
        keys = core_keys(name)
        shared = len(keys & primary)
        if shared >= 2 or (len(keys) >= 2 and shared / len(keys | primary) >= 0.5):
            options.append(name)
    return [(rng.choice(options), "UK primary_variation")] if options else []


# --- structure (Latin) -----------------------------------------------------------------


def reordered(entry: Entry, rng: random.Random) -> list[Variant]:
    parts = person_parts(entry)
    if parts is None:
        return []
    given, surname = parts
    if entry.source == "us_ofac_sdn":  # listed "SURNAME, Given": query given-first
        options = [f"{' '.join(given)} {_title(surname)}", f"{' '.join(given)} {surname}"]
    else:  # listed given-first: query surname-first, with or without comma
        options = [f"{surname} {' '.join(given)}", f"{_title(surname)}, {' '.join(given)}"]
        options.append(f"{_title(surname)} {' '.join(given)}")
    options = [o for o in options if not known_as(entry, o)]
    return [(rng.choice(options), "order swapped")] if options else []


def missing_patronymic(entry: Entry, rng: random.Random) -> list[Variant]:
    parts = person_parts(entry)
    if parts is None or len(parts[0]) < 2:
        return []
    given, surname = parts
    kept = [g for g in given if not PATRONYMIC_RE.search(g)]
    if len(kept) == len(given) or not kept:
        return []
    first = entry.source == "us_ofac_sdn" and rng.random() < 0.5
    query = f"{surname}, {' '.join(kept)}" if first else f"{' '.join(kept)} {surname}"
    dropped = [g for g in given if g not in kept]
    return [] if known_as(entry, query) else [(query, f"dropped {' '.join(dropped)}")]


def initials(entry: Entry, rng: random.Random) -> list[Variant]:
    parts = person_parts(entry)
    if parts is None or len(parts[0]) < 2 or len(parts[1]) < 4:
        return []
    given, surname = parts
    first, rest = given[0], given[1:]
    plain = all(g.isalpha() and g[0].isupper() for g in given)
    if not plain or len(first) < 2 or not any(PATRONYMIC_RE.search(g) for g in rest):
        return []
    style = rng.randrange(3)
    sep = rng.choice(["", " "])  # "S.V." and "S. V." are both common
    letters = sep.join(f"{g[0]}." for g in given)
    if style == 0:
        query = f"{first[0]}. {' '.join(rest)} {surname}"
    elif style == 1:
        query = f"{letters} {_title(surname)}"
    else:
        query = f"{_title(surname)} {letters}"
    return [] if known_as(entry, query) else [(query, "given name as initial")]


_KEYBOARD = "qwertyuiop asdfghjkl zxcvbnm"


def _near_key(ch: str, rng: random.Random) -> str:
    low = ch.lower()
    rows = _KEYBOARD.split()
    for row in rows:
        if low in row:
            i = row.index(low)
            pool = [row[j] for j in (i - 1, i + 1) if 0 <= j < len(row)]
            out = rng.choice(pool)
            return out.upper() if ch.isupper() else out
    return ch


def typo(entry: Entry, rng: random.Random) -> list[Variant]:
    name = entry.primary
    if not name.isascii():
        return []
    words = name.split(" ")
    slots = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not slots:
        return []
    i = rng.choice(slots)
    w = words[i]
    p = rng.randrange(1, len(w) - 1)
    op = rng.choice(["substitute", "delete", "insert", "transpose"])
    if op == "substitute":
        new = w[:p] + _near_key(w[p], rng) + w[p + 1 :]
    elif op == "delete":
        new = w[:p] + w[p + 1 :]
    elif op == "insert":
        ch = rng.choice("aeiounrst")
        new = w[:p] + (ch.upper() if w.isupper() else ch) + w[p:]
    else:
        new = w[:p] + w[p + 1] + w[p] + w[p + 2 :]
    if new == w:
        return []
    words[i] = new
    query = " ".join(words)
    return [] if known_as(entry, query) else [(query, f"{op} in {w!r}")]


def _feminine_alternatives(low: str) -> tuple[str, list[str]] | None:
    """(ending, other romanisations of it) for a Latin feminine surname, or None.

    -ева after a consonant (Токарева) is only "-eva"/"-ewa"; after a vowel or soft sign
    (Сергеева, Григорьева) it is "-yeva"/"-ieva"/"-jewa"/"-eva"; -ёва gives -yova/-jowa/-iova/-eva.
    """
    table = [
        ("skaya", ["skaja", "skaia"]), ("skaja", ["skaya", "skaia"]),
        ("skaia", ["skaya", "skaja"]), ("aya", ["aja", "aia"]),
        ("yeva", ["ieva", "eva", "jewa"]), ("ieva", ["yeva", "eva", "jewa"]),
        ("jeva", ["yeva", "ieva"]), ("yova", ["jowa", "iova", "eva"]), ("ova", ["owa"]),
    ]  # fmt: skip
    for ending, others in table:
        if low.endswith(ending):
            return ending, others
    if low.endswith("eva"):
        return ("eva", ["yeva", "jewa"]) if low[-4] in "aeiou" else ("eva", ["ewa"])
    return None


def is_female(entry: Entry) -> bool:
    if entry.gender == "female":
        return True
    surname = entry.surname.lower()
    return entry.gender != "male" and surname.endswith(("ova", "eva", "ina", "aya", "aja"))


def female_form(entry: Entry, rng: random.Random) -> list[Variant]:
    """A female person's surname with its feminine ending in another romanisation."""
    parts = person_parts(entry)
    if parts is None or not is_female(entry) or len(parts[1]) < 6:
        return []
    given, surname = parts
    found = _feminine_alternatives(surname.lower())
    if found is None:
        return []
    ending, others = found
    alt = rng.choice(others)
    new = surname[: -len(ending)] + (alt.upper() if surname.isupper() else alt)
    query = f"{' '.join(given)} {new}"
    return [] if known_as(entry, query) else [(query, f"feminine ending -{ending} as -{alt}")]


# --- Central Asian ---------------------------------------------------------------------

_CA_COUNTRY_LANG = {"KG": "ky", "KZ": "kk", "UZ": "uz"}
_CA_POB = [
    ("ky", ("kyrgyz", "bishkek", "osh,", "naryn", "cholpon", "talas", "jalal")),
    ("kk", ("kazakh", "almaty", "alma-ata", "astana", "karaganda", "shymkent", "taraz")),
    ("uz", ("uzbek", "tashkent", "samarkand", "fergana", "andijan", "namangan", "bukhara")),
]


_SLAVIC_KEYS = frozenset(
    loose_key(romanize(name, scheme).lower())
    for name, _, _ in RU_MALE_NAMES
    for scheme in ("bgn", "icao", "german")
)


def turkic_name(word: str) -> bool:
    """A Central Asian given name or stem (not merely a name common to the Muslim world)."""
    stem = central_asian_stem(word)
    if stem is not None and stem not in PAN_ISLAMIC_STEMS:
        return True
    w = word.lower()
    return w.endswith(TURKIC_ENDINGS) or re.sub(r"(ov|ev|ova|eva)$", "", w).endswith(TURKIC_ENDINGS)


def central_asian_lang(entry: Entry) -> str | None:
    """ky / kk / uz for a person who is Central Asian by nationality, or by a Central Asian
    name plus a Central Asian place of birth, or by a distinctly Central Asian name."""
    for code in entry.countries:
        if code in _CA_COUNTRY_LANG:
            return _CA_COUNTRY_LANG[code]
    words = [w for w in re.findall(r"[A-Za-z']+", entry.primary) if turkic_name(w)]
    if not words:
        return None
    pob = entry.pob.lower()
    for lang, markers in _CA_POB:
        if any(m in pob for m in markers):
            return lang
    for w in words:
        stem = central_asian_stem(w)
        if stem is not None and stem not in PAN_ISLAMIC_STEMS:
            return next(iter(CENTRAL_ASIAN_STEMS[stem]))
    return None


def central_asian_cyrillic(entry: Entry, rng: random.Random) -> list[Variant]:
    parts = person_parts(entry)
    lang = central_asian_lang(entry)
    if parts is None or lang is None:
        return []
    given, surname = parts
    first = " ".join(given)
    latin = f"{first} {surname}" if rng.random() < 0.5 else f"{surname} {first}"
    query = cyrillize(_title_all(latin), lang)
    special = sorted(set(query.lower()) & set("қңүөәғһіўұҳ"))
    note = f"{lang} Cyrillic" + (f" with {''.join(special)}" if special else "")
    return [(query, note)]


def _title_all(text: str) -> str:
    return " ".join(_title(w) for w in text.split())


def _father(patronymic: str) -> str | None:
    low = patronymic.lower()
    for suffix in ("yevich", "yevna", "ovich", "ovna", "evich", "evna", "ovitch", "evitch"):
        if low.endswith(suffix) and len(low) > len(suffix) + 2:
            stem = patronymic[: -len(suffix)]
            return _title(stem + ("y" if stem[-1].lower() in "aeiou" else ""))
    return None


def kyrgyz_patronymic(entry: Entry, rng: random.Random) -> list[Variant]:
    parts = person_parts(entry)
    lang = central_asian_lang(entry)
    if parts is None or lang is None or len(parts[0]) < 2:
        return []
    given, surname = parts
    father = _father(given[-1])
    if father is None or loose_key(father.lower()) in _SLAVIC_KEYS:
        return []  # a Russian father's name is not rendered with uulu / o'g'li
    if not (turkic_name(father) or turkic_name(given[0]) or entry.countries[:1] == ["KG"]):
        return []
    female = given[-1].lower().endswith("vna")
    name = _title(given[0])
    particle = {
        "ky": "kyzy" if female else "uulu",
        "kk": "kyzy" if female else "uly",
        "uz": "qizi" if female else "o'g'li",
    }[lang]
    latin = f"{name} {father} {particle} {_title(surname)}"
    cyr = cyrillize(f"{_title(surname)} {name} {father} {particle}", lang)
    return [
        (latin, f"{lang} patronymic {particle} for {given[-1]}"),
        (cyr, f"{lang} Cyrillic patronymic {particle} for {given[-1]}"),
    ]
