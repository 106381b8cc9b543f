"""Organisation and original-script variant generators (same contract as :mod:`.variants`)."""

from __future__ import annotations

import random
import re

from benchmarks.evalset.lists import Entry
from benchmarks.evalset.translit import is_cyrillic
from benchmarks.evalset.variants import Variant, cyrillic_names, known_as
from benchmarks.evalset.vocab import LEGAL_FORMS_CYRILLIC, LEGAL_FORMS_LATIN, QUOTE_STYLES

_QUOTES = "‘’“”«»\"'„‚‛`"


def _form_pattern(groups: dict[str, list[str]]) -> list[tuple[str, re.Pattern[str]]]:
    """(group, regex) for every form, longest first; the regex matches the form as words."""
    forms = sorted(((g, f) for g, fs in groups.items() for f in fs), key=lambda x: -len(x[1]))
    out = []
    for group, form in forms:
        words = r"[\s-]+".join(re.escape(w) for w in form.split())
        out.append((group, re.compile(rf"(?<![\w.-]){words}(?![\w-])", re.I)))
    return out


# Kyrgyz/Kazakh/Uzbek forms: only put on a company that already carries one of them.
CA_FORMS = frozenset(
    ["OsOO", "MChJ", "AJ", "ZhShS", "TOO", "LLP", "ОсОО", "МЧЖ", "АЖ", "ЖШС", "ТОО"]
)
_LATIN_FORMS = _form_pattern(LEGAL_FORMS_LATIN)
_CYRILLIC_FORMS = _form_pattern(LEGAL_FORMS_CYRILLIC)


def split_legal_form(name: str) -> tuple[str, str, str, str] | None:
    """(group, form as written, core, "before"|"after") when ``name`` starts/ends with a form."""
    patterns = _CYRILLIC_FORMS if is_cyrillic(name) else _LATIN_FORMS
    for group, pattern in patterns:
        for m in pattern.finditer(name):
            before = name[: m.start()].strip(" ,")
            after = name[m.end() :].strip(" ,")
            if not before and after:
                return group, m.group(0), after, "before"
            if before and not after:
                return group, m.group(0), before, "after"
    return None


def _has_ca_form(entry: Entry) -> bool:
    found = (split_legal_form(n) for n, _ in entry.names)
    return any(p is not None and p[1].casefold() in _CA_FOLDED for p in found)


_CA_FOLDED = frozenset(f.casefold() for f in CA_FORMS)


def _reform(name: str, rng: random.Random, cyrillic: bool, ca: bool) -> tuple[str, str] | None:
    parts = split_legal_form(name)
    if parts is None:
        return None
    group, form, core, _ = parts
    table = LEGAL_FORMS_CYRILLIC if cyrillic else LEGAL_FORMS_LATIN
    others = [
        f
        for f in table[group]
        if f.casefold() != form.casefold() and (ca or f.casefold() not in _CA_FOLDED)
    ]
    if not others or len(core.strip(_QUOTES + " ")) < 2:
        return None
    new = rng.choice(others)
    query = f"{new} {core}" if rng.random() < 0.5 else f"{core} {new}"
    return query, f"legal form {form!r} -> {new!r}"


def org_legal_form(entry: Entry, rng: random.Random) -> list[Variant]:
    """Swap the legal form for an equivalent one (other language and/or position).

    Latin names get Latin forms (OOO <-> LLC <-> Limited Liability Company ...); a Cyrillic
    form is only put on a Cyrillic name the EU list itself gives; the Kyrgyz/Kazakh/Uzbek
    forms (OsOO, TOO, ZhShS, MChJ, AJ) only on a company listed with one of them.
    """
    if entry.schema != "organization":
        return []
    ca = _has_ca_form(entry)
    cyr = [n for n in cyrillic_names(entry) if split_legal_form(n)]
    if cyr and rng.random() < 0.3:
        made = _reform(rng.choice(cyr), rng, cyrillic=True, ca=ca)
    else:
        latin = [n for n in entry.latin_names() if split_legal_form(n)]
        made = _reform(rng.choice(latin), rng, cyrillic=False, ca=ca) if latin else None
    if made is None or known_as(entry, made[0]):
        return []
    return [made]


def org_quotes(entry: Entry, rng: random.Random) -> list[Variant]:
    """Put the name next to the legal form in «» “” "" or „“ (replacing the list's quotes)."""
    if entry.schema != "organization" or is_cyrillic(entry.primary):
        return []
    name = entry.primary
    parts = split_legal_form(name)
    if parts is None:  # quotes go round the name proper, next to a legal form
        return []
    bare = parts[2].strip(_QUOTES + " ")
    if len(bare) < 3 or any(q in bare for q in _QUOTES):
        return []
    left, right = rng.choice(QUOTE_STYLES)
    quoted = f"{left}{bare}{right}"
    query = f"{parts[1]} {quoted}" if parts[3] == "before" else f"{quoted} {parts[1]}"
    if query == name or known_as(entry, query):
        return []
    return [(query, f"quotes {left}{right}")]


_SCRIPTS = [
    ("arabic", r"[\u0600-\u06FF]"),
    ("korean", r"[\uAC00-\uD7AF\u1100-\u11FF]"),
    ("chinese", r"[\u4E00-\u9FFF]"),
]


def non_cyrillic_original(entry: Entry, rng: random.Random) -> list[Variant]:
    """The UN's NAME_ORIGINAL_SCRIPT, queried as printed against the full index.

    Fair test: the list itself gives this spelling, so a screener that keeps non-Latin names
    must find it. Querying it against a Latin-only index would need Arabic/Hangul/Han
    romanisation, which is out of scope for this matcher.
    """
    originals = sorted(v for v, kind in entry.names if kind == "original_script")
    found = [(v, s) for v in originals for s, rx in _SCRIPTS if re.search(rx, v)]
    if not found:  # the UN file also prints a few Cyrillic and Latin "original" names
        return []
    value, script = rng.choice(found)
    return [(value, f"UN original script ({script})")]
