"""Fold the spelling variants of romanised names onto one form.

The same Cyrillic name reaches a customs form in many romanisations: BGN/PCGN ("Aksyonov"),
ICAO 9303 passports ("Aksenov"), GOST 7.79-B ("Shhukin"), ISO 9 ("Ŝukin", handled by
translit), German ("Schtschukin", "Jewgeni"), French ("Chtchoukine", "Iouri"). `fold` rewrites
a lower-case ASCII token so that these collapse; `fold_variants` adds the readings of letters
that are ambiguous between styles (j = й in German/ISO but дж in English/Uzbek; ch = х in
German, ш in French; x = кс in English, х in Uzbek Latin).

Every rule is applied to both sides of a comparison, so a rule only has to be consistent, not
linguistically exact. The table-driven tests in tests/unit/test_fold.py cite each case.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Consonant clusters, longest first. The right-hand sides use one letter per sound class:
#   sh = ш/щ, ch = ч, j = ж/дж, h = х, c = ц.
_CLUSTERS = [
    ("schtsch", "sh"),  # German щ
    ("shtch", "sh"),
    ("chtch", "sh"),  # French щ
    ("shch", "sh"),  # BGN щ
    ("tsch", "ch"),  # German ч
    ("dsch", "j"),  # German дж
    ("sch", "sh"),  # German ш, also щ
    ("shh", "sh"),  # GOST 7.79-B щ
    ("dzh", "j"),  # BGN дж
    ("tch", "ch"),  # French ч
    ("zh", "j"),  # BGN ж (French writes j)
    ("dj", "j"),  # French дж
    ("kh", "h"),  # BGN х (ICAO also kh; German ch, French kh)
    ("gh", "g"),  # Kazakh/Tajik ғ
    ("ts", "c"),  # ц; GOST/ISO write c
    ("tz", "c"),
    ("ph", "f"),
    ("ck", "k"),
    ("q", "k"),  # Kazakh/Uzbek Latin қ
    ("w", "v"),  # German в
    ("x", "ks"),
]
_CLUSTER_RE = re.compile("|".join(re.escape(a) for a, _ in _CLUSTERS))
_CLUSTER_MAP = dict(_CLUSTERS)

_VOWELS = "aeiou"
_CONSONANT = "bcdfghjklmnpqrstvwxz"

# Glide + vowel spellings of я ю е ё (ya/ja/ia, yu/ju/iu/ou ...), after "ou" -> "u".
_GLIDE_RE = re.compile(r"[yi]([aeou])")
_FINAL_I_RE = re.compile(r"(?:iy|ii|yi|ij|iei|ei(?=$))$")
_DOUBLE_RE = re.compile(r"([a-z])\1+")
# ch is read as ч (English) by default; the German/French readings are not tried inside
# tch/sch/shch clusters or in the patronymic suffix -ich.
_NO_CH_ALT_RE = re.compile(r"tch|sch|shch|ich$|ichna$|vich|vna$")


def _fold_core(token: str) -> str:
    t = token
    t = t.replace("ou", "u")  # French у/ю (Oumarov, Iouri)
    t = re.sub(r"gu(?=[ei])", "g", t)  # French g before e/i (Ievgueni)
    t = _CLUSTER_RE.sub(lambda m: _CLUSTER_MAP[m.group(0)], t)
    # Word-final -iy/-ij/-ii/-yi/-y (Dmitriy, Dmitrij, Dmitrii, Dmitry -> dmitri).
    if len(t) > 3:
        t = re.sub(r"(?:iy|ii|yi|ij)$", "i", t)
        t = re.sub(rf"(?<=[{_CONSONANT}])y$", "i", t)
    # ё after a consonant: yo -> e (Aksyonov -> Aksenov, as ICAO writes it). Not "io": that is
    # a real vowel pair in too many names (Mvizion, Antonio); j is handled by fold_variants.
    t = re.sub(rf"(?<=[{_CONSONANT}])yo(?=.)", "e", t)
    # Remaining glides: ya/ia -> a, yu/iu -> u, ye/ie -> e, yo -> o (after ou->u above).
    t = _GLIDE_RE.sub(r"\1", _GLIDE_RE.sub(r"\1", t))  # twice: "iya" (Nataliya)
    t = t.replace("y", "i")
    t = _DOUBLE_RE.sub(r"\1", t)
    return t


@lru_cache(maxsize=200_000)
def fold(token: str) -> str:
    """The folded form of one lower-case ASCII name token (the primary reading)."""
    if len(token) <= 1:
        return token
    return _fold_core(token)


def _readings(token: str) -> list[str]:
    """Other readings of one spelling, one rule at a time."""
    out: list[str] = []
    if "j" in token:  # German / ISO / GOST: j is й (Jurij, Sergej, Jewgeni)
        out.append(token.replace("j", "y"))
    if "ch" in token and not _NO_CH_ALT_RE.search(token):
        out.append(token.replace("ch", "kh"))  # German х (Chodorkowski)
        out.append(token.replace("ch", "sh"))  # French ш (Chamil)
    if "sch" in token and "tsch" not in token and "schtsch" not in token:
        out.append(token.replace("sch", "zh"))  # German ж (Schukow, Maneschina)
    if "x" in token:  # Uzbek Latin х (Xolmatov)
        out.append(token.replace("x", "kh"))
    if "z" in token and "zh" not in token:  # German ц (Zwetkow, Guzerijew)
        out.append(token.replace("z", "ts"))
    if token.endswith("ine") and len(token) > 5:  # French -ine for -in (Poutine)
        out.append(token[:-1])
    return out


MAX_READINGS = 8


@lru_cache(maxsize=200_000)
def fold_variants(token: str) -> tuple[str, ...]:
    """The primary fold plus the folds of the other readings of ambiguous letters.

    Readings combine ("Guzerijew": z read as ц *and* j as й), up to MAX_READINGS spellings.
    """
    primary = fold(token)
    if len(token) <= 2:
        return (primary,)
    spellings = [token]
    frontier = [token]
    while frontier and len(spellings) < MAX_READINGS:
        nxt: list[str] = []
        for spelling in frontier:
            for reading in _readings(spelling):
                if reading not in spellings and len(spellings) < MAX_READINGS:
                    spellings.append(reading)
                    nxt.append(reading)
        frontier = nxt
    out = [primary]
    for spelling in spellings[1:]:
        folded = _fold_core(spelling)
        if folded not in out:
            out.append(folded)
    return tuple(out)


_FEMININE = (
    ("skaia", "ski"),
    ("skaa", "ski"),
    ("ska", "ski"),
    ("cka", "cki"),
    ("aia", "i"),
    ("ova", "ov"),
    ("eva", "ev"),
    ("ina", "in"),
)


@lru_cache(maxsize=100_000)
def surname_stem(folded: str) -> str:
    """Masculine stem of a folded Slavic surname (Ivanova -> ivanov, Sokolovskaya -> sokolovski)."""
    for suffix, repl in _FEMININE:
        if folded.endswith(suffix) and len(folded) > len(suffix) + 2:
            return folded[: -len(suffix)] + repl
    return folded


# Patronymic suffixes after folding (-ovich/-evich/-ovna/-evna/-ichna; Turkic -uly/-ogly/-ugli).
# Ukrainian -ivna and Belarusian -avich/-avna/-auna are included (as they fold).
_PATRONYMIC_RE = re.compile(
    r"(?:ovich|evich|ovic|evic|avich|ovna|evna|avna|auna|ivna|ichna|inichna|ogli|ugli|oglu|uli)$"
)
# Stand-alone markers after the father's name: Kyrgyz uulu/kyzy, Kazakh uly/kyzy, Uzbek o'g'li/qizi,
# Azerbaijani oglu/qizi (after fold).
PATRONYMIC_MARKERS = frozenset(
    {"uulu", "ulu", "uli", "kizi", "kiz", "ogli", "ugli", "oglu", "ogl", "gizi"}
)


@lru_cache(maxsize=100_000)
def patronymic_root(folded: str) -> str | None:
    """The father's name inside a patronymic (asanbekovich -> asanbek), or None."""
    m = _PATRONYMIC_RE.search(folded)
    if m is None or m.start() < 3:
        return None
    return folded[: m.start()]


# -- consonant skeletons --------------------------------------------------------------------------
# Arabic and Persian names reach Latin with their short vowels written freely (Zoher / Zuhair,
# Mohamed / Muhammad, Zeitun / Zaytun, Barakeh / Baraka), and Belarusian forms differ from Russian
# ones in vowels and in ў written "u" (Sakalouski / Sokolovski, Piatrouna / Petrovna). The
# consonants survive: the skeleton keeps them in order, after the fold, with "_" wherever a
# vowel (or a run of vowels) stood. Keeping the vowel slots is what separates names built on
# one Arabic root: Mohamed m_h_m_d, Mahmud m_hm_d, Ahmad _hm_d, Hamid h_m_d.
_BELARUSIAN_U = re.compile(r"([aeo])u(?=[^aeiouy]|$)")  # ў after a vowel: -ouski, -auna, -au
_FINAL_H = re.compile(r"(?<=[aeiouy])h$")  # Barakeh, Fatimah: a written final vowel
_DOUBLE = re.compile(r"(.)\1+")
_VOWEL_RUN = re.compile(r"[aeiouy]+")
MIN_SKELETON = 3  # consonants; "ali", "omar", "musa" have too few to say anything


@lru_cache(maxsize=100_000)
def consonant_skeletons(token: str) -> tuple[str, ...]:
    """The consonants of a lower-case ASCII name token after the fold, with ``_`` for each run of
    vowels, doubled letters and a final vowel-h dropped; a second reading takes a vowel + u
    before a consonant as Belarusian ў (= v). Skeletons of fewer than three consonants are not
    returned."""
    readings = {fold(token)}
    belarusian = _BELARUSIAN_U.sub(r"\1v", token)
    if belarusian != token:
        readings.add(fold(belarusian))
    out: set[str] = set()
    for reading in readings:
        reading = _DOUBLE.sub(r"\1", _FINAL_H.sub("", reading.replace("dh", "z")))
        skeleton = _VOWEL_RUN.sub("_", reading)
        if len(skeleton) - skeleton.count("_") >= MIN_SKELETON:
            out.add(skeleton)
    return tuple(sorted(out))
