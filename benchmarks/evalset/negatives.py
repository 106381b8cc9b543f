"""Negative cases (label 0): real-looking names that belong to nobody listed.

Every candidate is checked against *every* name loaded from *every* list file (all OFAC
versions and alias files, OFAC non-SDN, UK names and variations, all EU annexes incl. Cyrillic
aliases, UN names): it is dropped when, after folding to loose keys (:mod:`.keys`),

* its token keys are a subset of a listed name's keys (it could be that name, shortened), or
* a listed name of >= 2 tokens is a subset of it (for companies: of any length, so "Optima
  Holding OOO" is dropped when an "OOO Optima" is listed), or
* (persons) its given name *and* surname both occur in one listed name - so a listed
  "Ivan Petrov" rules out "Ivan Sergeyevich Petrov" (a missing patronymic is a positive
  variant, so it cannot also be a negative); recombined names test their middle name with
  the surname too, or
* its folded words, as written or sorted, are within two edits of a listed name's ("Maung
  Hlaing Oo" vs "Aung Hlaing Oo", "Safari, Assadollah" vs "Asadollah Jafari").

The loose keys merge transliteration variants and gender forms, so the check errs towards
dropping. Drops are counted per variant and reported by the builder.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable

from rapidfuzz.distance import Levenshtein

from benchmarks.evalset.cases import Case
from benchmarks.evalset.keys import LEGAL_TOKENS, core_keys, loose_key, tokens
from benchmarks.evalset.lists import Entry
from benchmarks.evalset.translit import cyrillize, romanize
from benchmarks.evalset.variants import (
    PATRONYMIC_RE,
    central_asian_lang,
    is_female,
    person_parts,
    russian_cyrillic,
)
from benchmarks.evalset.vocab import (
    CA_FEMALE_NAMES,
    CA_MALE_NAMES,
    CA_SURNAMES,
    COMPANY_WORDS,
    LEGAL_FORMS_CYRILLIC,
    LEGAL_FORMS_LATIN,
    QUOTE_STYLES,
    RU_FEMALE_NAMES,
    RU_MALE_NAMES,
    RU_SURNAMES,
)

# A made case plus, for persons, the (name, surname) pairs the collision check must test.
Made = tuple[Case, list[tuple[str, str]]] | None
_LANG_COUNTRY = {"ky": "KG", "kk": "KZ", "uz": "UZ"}
_CIS = frozenset(["RU", "UA", "BY", "KG", "KZ", "UZ", "TJ", "AM", "AZ", "GE", "MD"])
_COMPANY_LOWER = {w.lower() for w, _ in COMPANY_WORDS}


class CollisionIndex:
    """Loose-key sets of every listed name, with an inverted index key -> sets."""

    def __init__(self, names: Iterable[str]) -> None:
        self.sets: list[frozenset[str]] = []
        self.words: list[tuple[str, str]] = []  # folded words w/o legal forms: as is, sorted
        self.by_key: dict[str, list[int]] = defaultdict(list)
        seen: set[str] = set()
        for name in names:
            words = _words(name)
            keys = core_keys(name)
            if not keys or words[0] in seen:
                continue
            seen.add(words[0])
            for k in keys:
                self.by_key[k].append(len(self.sets))
            self.sets.append(keys)
            self.words.append(words)

    def collides(
        self, name: str, pairs: Iterable[tuple[str, str]] = (), company: bool = False
    ) -> bool:
        keys = core_keys(name)
        if not keys:
            return True
        tests = [{loose_key(tokens(a)[0]), loose_key(tokens(b)[0])} for a, b in pairs]
        as_is, ordered = _words(name)
        shared = Counter(i for k in keys for i in self.by_key.get(k, ()))
        for i, count in shared.items():
            listed = self.sets[i]
            if count == len(keys) or (count == len(listed) >= (1 if company else 2)):
                return True
            if any(len(t) == 2 and t <= listed for t in tests):
                return True
            listed_as_is, listed_ordered = self.words[i]
            if (
                Levenshtein.distance(as_is, listed_as_is, score_cutoff=3) <= 2
                or Levenshtein.distance(ordered, listed_ordered, score_cutoff=3) <= 2
            ):
                return True
        return False


def _words(name: str) -> tuple[str, str]:
    words = [t for t in tokens(name) if t not in LEGAL_TOKENS]
    return " ".join(words), " ".join(sorted(words))


def _fem_surname(surname: str) -> str:
    if surname.endswith("ский"):
        return surname[:-2] + "ая"
    return surname + "а" if surname.endswith(("ов", "ев", "ёв", "ин", "ын")) else surname


def _ru_person(rng: random.Random, female: bool) -> tuple[str, str, str]:
    """(given, patronymic, surname) in Cyrillic, gender-consistent."""
    father = rng.choice(RU_MALE_NAMES)
    if female:
        return rng.choice(RU_FEMALE_NAMES), father[2], _fem_surname(rng.choice(RU_SURNAMES))
    own = rng.choice([m for m in RU_MALE_NAMES if m != father])
    return own[0], father[1], rng.choice(RU_SURNAMES)


def _scheme(rng: random.Random) -> str:
    return rng.choice(["bgn", "icao"])  # the romanisations lists and passports use


def _gender(given: list[str]) -> str | None:
    """f / m from a patronymic among the given names, None when there is none."""
    low = [g.lower() for g in given]
    if any(g.endswith(("vna", "ichna", "kyzy", "qizi")) for g in low):
        return "f"
    return "m" if any(g.endswith(("vich", "ich", "ogly", "ugli", "ogli")) for g in low) else None


class NegativeBuilder:
    def __init__(self, entries: list[Entry], all_names: Iterable[str], seed: int) -> None:
        self.index = CollisionIndex(all_names)
        self.rng = random.Random(seed * 7919 + 17)
        self.persons = [(e, p) for e in entries if (p := person_parts(e)) is not None]
        # company words that are not, alone, a listed name ("Delta", "Optima" are)
        single = {next(iter(s)) for s in self.index.sets if len(s) == 1}
        self.words = [w for w in COMPANY_WORDS if not core_keys(w[0]) <= single]
        self.entity_df: Counter[str] = Counter()  # folded word -> listed companies using it
        for e in entries:
            if e.schema == "organization":
                self.entity_df.update({t for n, _ in e.names for t in tokens(n)})
        self.orgs = [e for e in entries if e.schema == "organization" and e.primary.isascii()]
        self.dropped: Counter[str] = Counter()

    def _fill(self, variant: str, target: int, make: Callable[[], Made]) -> list[Case]:
        """Call ``make`` until ``target`` distinct, collision-free cases exist (or give up)."""
        out: list[Case] = []
        seen: set[str] = set()
        for _ in range(target * 30):
            if len(out) >= target:
                break
            made = make()
            if made is None or made[0].query_name.casefold() in seen:
                continue
            case, pairs = made
            if self.index.collides(case.query_name, pairs, case.schema == "organization"):
                self.dropped[variant] += 1
                continue
            seen.add(case.query_name.casefold())
            out.append(case)
        return out

    def _person_case(self, variant: str, name: str, note: str, seed: Entry | None) -> Case:
        country = seed.countries[0] if seed and seed.countries else "RU"
        case = Case(variant, "person", name, 0, note=note, seed=_seed(seed))
        if case.with_context():
            case.query_country = country
            y, m, d = self.rng.randint(1950, 1995), self.rng.randint(1, 12), self.rng.randint(1, 28)
            case.query_birth_date = f"{y}-{m:02d}-{d:02d}"
        return case

    def recombined(self, target: int) -> list[Case]:
        groups: dict[str, list[tuple[Entry, tuple[list[str], str]]]] = defaultdict(list)
        for e, parts in self.persons:
            if e.countries:  # same style = same first country, all with or all without patronymic
                has_patronymic = any(PATRONYMIC_RE.search(g) for g in parts[0][1:])
                groups[e.countries[0] + str(has_patronymic)].append((e, parts))
        keys = [k for k, g in sorted(groups.items()) if len(g) >= 20]
        pools = [groups[k] for k in keys]
        weights = [3 if k[:2] in _CIS else 1 for k in keys]  # the project's focus: CIS names

        def make() -> Made:
            pool = self.rng.choices(pools, weights)[0]
            (a, (ga, _)), (b, (gb, sb)), (c, (gc, _)) = self.rng.sample(pool, 3)
            if len({loose_key(g[0]) for g in (ga, gb, gc)}) < 3 or _gender(ga) != _gender(gc):
                return None  # a repeated first name, or a woman's name with a man's patronymic
            given = " ".join([ga[0], *gc[1:]])  # first name of A, middle names of C
            name = f"{sb}, {given}" if b.source == "us_ofac_sdn" else f"{given} {sb}"
            note = (
                f"given {a.source}:{a.ref}, middle {c.source}:{c.ref}, surname {b.source}:{b.ref}"
            )
            pairs = [(ga[0], sb)] + [(m, sb) for m in gc[1:]]
            return self._person_case("negative_recombined", name, note, b), pairs

        return self._fill("negative_recombined", target, make)

    def near_miss_person(self, target: int) -> list[Case]:
        def make() -> Made:
            seed, (given, surname) = self.rng.choice(self.persons)
            lang = central_asian_lang(seed)
            female = is_female(seed)
            patr = [g for g in given if PATRONYMIC_RE.search(g)]
            if lang is not None:
                new_given = self.rng.choice(CA_FEMALE_NAMES if female else CA_MALE_NAMES)
                new_surname = self.rng.choice(CA_SURNAMES) + ("a" if female else "")
                new_patr = self.rng.choice(CA_MALE_NAMES) + ("ovna" if female else "ovich")
            elif patr:
                scheme = _scheme(self.rng)
                ru = _ru_person(self.rng, female)
                new_given, new_patr, new_surname = (romanize(p, scheme) for p in ru)
            else:
                return None
            if surname.isupper():
                new_surname = new_surname.upper()
            if self.rng.random() < 0.5:  # listed surname, other given name and patronymic
                if loose_key(new_given) == loose_key(given[0]):
                    return None
                parts = [new_given, new_patr] if patr else [new_given]
                name, note = f"{' '.join(parts)} {surname}", "listed surname, new given names"
                pairs = [(new_given, surname)]
            else:  # listed given names, other surname
                if loose_key(new_surname) == loose_key(surname):
                    return None
                name, note = f"{' '.join(given)} {new_surname}", "listed given names, new surname"
                pairs = [(given[0], new_surname)]
            return self._person_case("negative_near_miss_person", name, note, seed), pairs

        return self._fill("negative_near_miss_person", target, make)

    def near_miss_org(self, target: int) -> list[Case]:
        """A listed company with its one distinctive word swapped for a company-name word.

        The swapped word must be rare (used by <= 4 listed companies) and every other word
        common (>= 10 companies), so the result shares nothing distinctive with the listed
        company: "Ural Design Bureau Detal JSC" -> "Ural Design Bureau Global JSC" is a near
        miss; "Scientific Research Institute of Radio-Components" with "Institute" swapped is
        not made (Radio-Components would still point at the listed one).
        """
        df = self.entity_df

        def make() -> Made:
            seed = self.rng.choice(self.orgs)
            if any(c in seed.primary for c in "/()"):
                return None  # "A / B" or "A (B)": the other half would still name it
            words = seed.primary.split()
            folded = [tokens(w) for w in words]
            slots = [i for i, f in enumerate(folded) if len(f) == 1 and f[0].isalpha()]
            slots = [i for i in slots if folded[i][0] not in LEGAL_TOKENS | _COMPANY_LOWER]
            if len(core_keys(seed.primary)) < 2 or not slots:
                return None
            i = min(slots, key=lambda j: (df[folded[j][0]], j))
            others = [t for j, f in enumerate(folded) if j != i for t in f]
            if df[folded[i][0]] > 4 or any(df[t] < 10 and t not in LEGAL_TOKENS for t in others):
                return None
            old = words[i].strip("‘’“”\"'(),.«»")
            new = self.rng.choice(self.words)[0]
            too_close = Levenshtein.distance(old.lower(), new.lower()) < 3
            if too_close or loose_key(old) == loose_key(new) or len(old) < 3:
                return None
            words[i] = words[i].replace(old, new.upper() if old.isupper() else new)
            note = f"{old!r} -> {new!r} in {seed.source}:{seed.ref}"
            return self._org_case("negative_near_miss_org", " ".join(words), note, seed), []

        return self._fill("negative_near_miss_org", target, make)

    def _org_case(self, variant: str, name: str, note: str, seed: Entry | None) -> Case:
        case = Case(variant, "organization", name, 0, note=note, seed=_seed(seed))
        if case.with_context():
            case.query_country = self.rng.choice(["KG", "KZ", "UZ", "RU", "AM"])
        return case

    def _business_name(self, cyrillic: bool) -> tuple[str, str]:
        words = self.rng.sample(self.words, self.rng.choice([2, 2, 3]))
        core = " ".join(w[1] if cyrillic else w[0] for w in words)
        group = self.rng.choice(["llc", "llc", "llp", "jsc"])
        form = self.rng.choice((LEGAL_FORMS_CYRILLIC if cyrillic else LEGAL_FORMS_LATIN)[group])
        if cyrillic or self.rng.random() < 0.3:
            left, right = self.rng.choice(QUOTE_STYLES)
            core = f"{left}{core}{right}"
        name = f"{form} {core}" if cyrillic or self.rng.random() < 0.6 else f"{core} {form}"
        return name, f"vocabulary name, {group}"

    def common_business(self, target: int) -> list[Case]:
        def make() -> Made:
            name, note = self._business_name(cyrillic=False)
            return self._org_case("negative_common_business", name, note, None), []

        return self._fill("negative_common_business", target, make)

    def cyrillic(self, target: int) -> list[Case]:
        eu_cyr = [
            (e, n)
            for e, _ in self.persons
            if e.source == "eu_journal_sanctions"
            for n in [_ru_cyrillic_surname(e)]
            if n
        ]

        def make() -> Made:
            kind = self.rng.choice(["ru", "ca", "org", "near_miss"])
            pairs: list[tuple[str, str]] = []
            if kind == "org":
                name, note = self._business_name(cyrillic=True)
                case = self._org_case("negative_cyrillic", name, note, None)
            elif kind == "ca":
                lang = self.rng.choice(["ky", "kk", "uz"])
                female = self.rng.random() < 0.3
                given = self.rng.choice(CA_FEMALE_NAMES if female else CA_MALE_NAMES)
                surname = self.rng.choice(CA_SURNAMES) + ("a" if female else "")
                name = cyrillize(f"{surname} {given}", lang)
                pairs = [(given, surname)]
                case = self._person_case("negative_cyrillic", name, f"{lang} vocabulary", None)
                case.query_country = _LANG_COUNTRY[lang] if case.query_country else ""
            else:
                seed, surname = self.rng.choice(eu_cyr) if kind == "near_miss" else (None, "")
                female = is_female(seed) if seed else self.rng.random() < 0.4
                given, patr, new_surname = _ru_person(self.rng, female)
                surname = surname or new_surname
                name = f"{given} {patr} {surname}"
                note = "listed surname (EU Cyrillic), new given names" if seed else "ru vocabulary"
                pairs = [(given, surname)]
                case = self._person_case("negative_cyrillic", name, note, seed)
            case.index = "latin_only"
            return case, pairs

        return self._fill("negative_cyrillic", target, make)


def _ru_cyrillic_surname(entry: Entry) -> str | None:
    name = russian_cyrillic(entry)
    if not name:
        return None
    caps = [t for t in name.split() if t.isupper() and len(t) > 2]
    return caps[0][:1] + caps[0][1:].lower() if len(caps) == 1 else None


def _seed(entry: Entry | None) -> str:
    return f"{entry.source}:{entry.ref}" if entry else ""
