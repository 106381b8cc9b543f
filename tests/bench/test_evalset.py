"""Tests of the eval-set generators, collision check, scorecard and LogicV2 peer.

Romanisation cases are cited: ICAO Doc 9303 / GOST 7.79-2000 B / BGN-PCGN sample strings are the
ones published with the ``iuliia`` schema files (github.com/nalgeon/iuliia: icao_doc_9303.json,
gost_779_alt.json, bgn_pcgn.json; BGN marks ’ ” and the · separator dropped as our scheme does);
the German (Duden) and French forms are the ones the press uses (Gorbatschow, Chruschtschow,
Jelzin, Axjonow; Poutine, Gorbatchev, Khrouchtchev, Sergueï).
"""

from __future__ import annotations

import random
import unicodedata

import pytest
from benchmarks.evalset import scorecard
from benchmarks.evalset.lists import Entry
from benchmarks.evalset.negatives import CollisionIndex
from benchmarks.evalset.org_variants import org_legal_form, org_quotes, split_legal_form
from benchmarks.evalset.translit import SCHEMES, cyrillize, is_cyrillic, romanize
from benchmarks.evalset.variants import (
    central_asian_cyrillic,
    cyrillic_original,
    female_form,
    initials,
    kyrgyz_patronymic,
    missing_patronymic,
    reordered,
    translit,
    typo,
    uk_official_variant,
)
from hypothesis import given, settings
from hypothesis import strategies as st

# --- romanisation ------------------------------------------------------------------------

SHCHUKIN = {
    "iso9": "Ŝukin",
    "gost": "Shhukin",
    "bgn": "Shchukin",
    "icao": "Shchukin",
    "german": "Schtschukin",
    "french": "Chtchoukine",
}


@pytest.mark.parametrize("scheme", sorted(SHCHUKIN))
def test_shchukin_in_every_scheme(scheme: str) -> None:
    assert romanize("Щукин", scheme) == SHCHUKIN[scheme]


PANGRAM = "Юлия, съешь ещё этих мягких французских булок из Йошкар-Олы, да выпей алтайского чаю"


@pytest.mark.parametrize(
    ("scheme", "expected"),
    [
        (
            "icao",
            "Iuliia, sieesh eshche etikh miagkikh frantsuzskikh bulok iz Ioshkar-Oly, "
            "da vypei altaiskogo chaiu",
        ),
        (
            "gost",
            "Yuliya, s``esh` eshhyo e`tix myagkix franczuzskix bulok iz Joshkar-Oly`, "
            "da vy`pej altajskogo chayu",
        ),
        (
            "bgn",
            "Yuliya, syesh yeshchë etikh myagkikh frantsuzskikh bulok iz Yoshkar-Oly, "
            "da vypey altayskogo chayu",
        ),
    ],
)
def test_published_pangram_samples(scheme: str, expected: str) -> None:
    assert romanize(PANGRAM, scheme) == expected


@pytest.mark.parametrize(
    ("scheme", "cyrillic", "latin"),
    [
        # ICAO Doc 9303 (iuliia samples)
        ("icao", "Юлия Щеглова", "Iuliia Shcheglova"),
        ("icao", "Гайа Васильева", "Gaia Vasileva"),
        ("icao", "Андрей Видный", "Andrei Vidnyi"),
        ("icao", "Артём Краевой", "Artem Kraevoi"),
        ("icao", "Мадыр Чёткий", "Madyr Chetkii"),
        ("icao", "Оксана Клеёнкина", "Oksana Kleenkina"),
        ("icao", "Игорь Ильин", "Igor Ilin"),
        ("icao", "Ян Разъездной", "Ian Razieezdnoi"),
        # BGN/PCGN (iuliia samples, marks dropped)
        ("bgn", "Елизово", "Yelizovo"),
        ("bgn", "Чапаевск", "Chapayevsk"),
        ("bgn", "Юрьев", "Yuryev"),
        ("bgn", "Бийск", "Biysk"),
        ("bgn", "Озёрный", "Ozërnyy"),
        ("bgn", "Воробьёво", "Vorobyëvo"),
        ("bgn", "Йошкар-Ола", "Yoshkar-Ola"),
        ("bgn", "Қасым-Жомарт Тоқаев", "Qasym-Zhomart Toqayev"),
        # GOST 7.79-2000 system B: ц = c before e/i/y/j, cz otherwise
        ("gost", "Ельцин", "El`cin"),
        ("gost", "Цой", "Czoj"),
        ("gost", "Хрущёв", "Xrushhyov"),
        # ISO 9:1995
        ("iso9", "Юлия", "Ûliâ"),
        ("iso9", "Жёлтый", "Žëltyj"),
        ("iso9", "Цой", "Coj"),
        ("iso9", "Экономика", "Èkonomika"),
        ("iso9", "Өмүрбек", "Ômùrbek"),
        # German (Duden)
        ("german", "Горбачёв", "Gorbatschow"),
        ("german", "Хрущёв", "Chruschtschow"),
        ("german", "Ельцин", "Jelzin"),
        ("german", "Аксёнов", "Axjonow"),
        ("german", "Василий", "Wassili"),
        ("german", "Сергей", "Sergej"),
        # French
        ("french", "Путин", "Poutine"),
        ("french", "Горбачёв", "Gorbatchev"),
        ("french", "Хрущёв", "Khrouchtchev"),
        ("french", "Сергей", "Sergueï"),
        ("french", "Михаил", "Mikhaïl"),
        ("french", "Юрий", "Iouri"),
        ("french", "Георгий", "Gueorgui"),
    ],
)
def test_cited_romanisations(scheme: str, cyrillic: str, latin: str) -> None:
    assert unicodedata.normalize("NFC", romanize(cyrillic, scheme)) == latin


def test_case_and_look_alikes() -> None:
    assert romanize("Сергей Валерьевич АКСЁНОВ", "bgn") == "Sergey Valeryevich AKSËNOV"
    assert romanize("ЩУКИН", "german") == "SCHTSCHUKIN"
    assert romanize("Cергей", "icao") == "Cergei"  # a Latin C inside, as the EU list prints it
    assert romanize("ООО «Ромашка» 2", "icao") == "OOO «Romashka» 2"


@pytest.mark.parametrize(
    ("latin", "lang", "cyrillic"),
    [
        ("Kassym-Jomart Tokayev", "kk", "Қасым-Жомарт Тоқаев"),
        ("Sooronbay Jeenbekov", "ky", "Сооронбай Жээнбеков"),
        ("Shavkat Mirziyoyev", "uz", "Шавкат Мирзиёев"),
        ("Kamchybek Asanbek uulu", "ky", "Камчыбек Асанбек уулу"),
        ("O'tkir Qodirov", "uz", "Ўткир Қодиров"),
        ("Bakhodir Rakhimov", "uz", "Баҳодир Раҳимов"),
        ("Nurlan Kasymov", "kk", "Нұрлан Қасымов"),
        ("Dmitriy Valeryevich Ilyin", "ru", "Дмитрий Валерьевич Ильин"),
        ("Mariya Grigoryeva", "ru", "Мария Григорьева"),
    ],
)
def test_cyrillize(latin: str, lang: str, cyrillic: str) -> None:
    assert cyrillize(latin, lang) == cyrillic


CYRILLIC_LETTERS = (
    "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюяІіЇїЄєҐґЎўӘәҒғҚқҢңӨөҰұҮүҺһҲҳ"
)
SIGNS = set("ЪъЬь")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=CYRILLIC_LETTERS + " -'.", min_size=1, max_size=40))
def test_romanize_total_on_cyrillic(text: str) -> None:
    for scheme in SCHEMES:
        out = romanize(text, scheme)
        assert not is_cyrillic(out), (scheme, text, out)
        if any(c in CYRILLIC_LETTERS and c not in SIGNS for c in text):
            assert out.strip(" -'.`ʹʺ"), (scheme, text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x0400, max_codepoint=0x04FF), max_size=30))
def test_romanize_never_crashes_on_any_cyrillic_codepoint(text: str) -> None:
    for scheme in SCHEMES:
        romanize(text, scheme)


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzöüä'ABCDEFGHIJKLMNOPQRSTUVWXYZ -", max_size=30),
    st.sampled_from(["ru", "ky", "kk", "uz"]),
)
def test_cyrillize_never_crashes(text: str, lang: str) -> None:
    out = cyrillize(text, lang)
    letters = [c for c in text if c.isalpha()]
    if letters:
        assert any(c.isalpha() for c in out)
    assert not any("a" <= c.lower() <= "z" for c in out)


# --- variants ----------------------------------------------------------------------------


def person(primary: str, given: str, surname: str, **kw: object) -> Entry:
    entry = Entry(
        kw.pop("source", "eu_journal_sanctions"),  # type: ignore[arg-type]
        "32014R0269/I.PERSONS/1",
        "32014R0269/I.PERSONS/1",
        "person",
        primary,
        [(primary, "primary")],
        given=given,
        surname=surname,
    )
    for key, value in kw.items():
        setattr(entry, key, value)
    return entry


AKSYONOV = person("Sergey Valeryevich AKSYONOV", "Sergey Valeryevich", "AKSYONOV")
AKSYONOV.names.append(("Сергей Валерьевич АКСЁНОВ", "alias"))
AKSYONOV.names.append(("Сергiй Валерiйович АКСЬОНОВ / Сергей АКСЁНОВ", "alias"))


def rng() -> random.Random:
    return random.Random(1)


def test_translit_drops_listed_spellings() -> None:
    assert translit(AKSYONOV, "icao") == [
        ("Sergei Valerevich AKSENOV", "icao of EU alias Сергей Валерьевич АКСЁНОВ")
    ]
    listed = person("Sergei Valerevich AKSENOV", "Sergei Valerevich", "AKSENOV")
    listed.names.append(("Сергей Валерьевич АКСЁНОВ", "alias"))
    assert translit(listed, "icao") == []  # identical to the listed Latin name: not a test


def test_cyrillic_original_skips_combined_cells() -> None:
    for _ in range(5):
        query, _ = cyrillic_original(AKSYONOV, random.Random(_))[0]
        assert query == "Сергей Валерьевич АКСЁНОВ"


def test_reordered_and_missing_patronymic() -> None:
    ((query, _),) = reordered(AKSYONOV, rng())
    assert query.split(",")[0].split()[0].upper() == "AKSYONOV"
    assert missing_patronymic(AKSYONOV, rng()) == [("Sergey AKSYONOV", "dropped Valeryevich")]
    ofac = person("KIM, Lidia", "Lidia", "KIM", source="us_ofac_sdn")
    assert missing_patronymic(ofac, rng()) == []


def test_initials() -> None:
    for seed in range(10):
        ((query, _),) = initials(AKSYONOV, random.Random(seed))
        assert "Sergey" not in query and "S." in query and "ksyonov" in query.lower()
    arabic = person("Abd al-Rahman AL-FAQIH", "Abd al-Rahman", "AL-FAQIH")
    assert initials(arabic, rng()) == []  # only names with a patronymic get initials


@pytest.mark.parametrize("seed", range(20))
def test_typo_is_one_edit_past_the_first_letter(seed: int) -> None:
    ((query, note),) = typo(AKSYONOV, random.Random(seed))
    original = AKSYONOV.primary.split()
    changed = [(a, b) for a, b in zip(original, query.split(), strict=True) if a != b]
    assert len(changed) == 1, note
    old, new = changed[0]
    assert len(old) >= 5 and old[0] == new[0]
    assert abs(len(old) - len(new)) <= 1


def test_female_form() -> None:
    lebedeva = person("Anna Sergeyevna LEBEDEVA", "Anna Sergeyevna", "LEBEDEVA", gender="female")
    ((query, _),) = female_form(lebedeva, rng())
    assert query == "Anna Sergeyevna LEBEDEWA"  # -ева after a consonant: only German -ewa
    grigoryeva = person("Olga GRIGORYEVA", "Olga", "GRIGORYEVA", gender="female")
    ((query, _),) = female_form(grigoryeva, rng())
    assert query.startswith("Olga GRIGOR") and query.endswith(("IEVA", "EVA", "JEWA"))
    assert query != "Olga GRIGORYEVA"
    assert female_form(AKSYONOV, rng()) == []


def test_kyrgyz_patronymic_and_central_asian_cyrillic() -> None:
    kolbayev = person(
        "KOLBAYEV, Kamchybek Asanbekovich",
        "Kamchybek Asanbekovich",
        "KOLBAYEV",
        source="us_ofac_sdn",
        countries=["KG"],
    )
    assert [q for q, _ in kyrgyz_patronymic(kolbayev, rng())] == [
        "Kamchybek Asanbek uulu Kolbayev",
        "Колбаев Камчыбек Асанбек уулу",
    ]
    ((query, _),) = central_asian_cyrillic(kolbayev, rng())
    assert set(query.split()) == {"Колбаев", "Камчыбек", "Асанбекович"}
    russian = person("Viktor Aleksandrovich LUKOVENKO", "Viktor Aleksandrovich", "LUKOVENKO")
    russian.countries = ["UZ"]
    assert kyrgyz_patronymic(russian, rng()) == []  # a Russian father's name keeps -ovich
    assert kyrgyz_patronymic(AKSYONOV, rng()) == []


def org(primary: str, *aliases: str) -> Entry:
    names = [(primary, "primary"), *((a, "alias") for a in aliases)]
    return Entry("eu_journal_sanctions", "x/IV/1", "x/IV/1", "organization", primary, names)


def test_split_legal_form() -> None:
    assert split_legal_form("OOO Romashka") == ("llc", "OOO", "Romashka", "before")
    assert split_legal_form("Romashka, LLC") == ("llc", "LLC", "Romashka", "after")
    assert split_legal_form("ООО «Ромашка»") == ("llc", "ООО", "«Ромашка»", "before")
    assert split_legal_form("REDWOOD GLOBAL SUPPLY FZ-LLC") is None
    assert split_legal_form("Elem Group") is None


def test_org_legal_form_and_quotes() -> None:
    dilmas = org("Limited Liability Company ‘Dilmas’", "ООО ‘ДИЛМАС’")
    for seed in range(20):
        made = org_legal_form(dilmas, random.Random(seed))
        if made:
            query = made[0][0]
            parts = split_legal_form(query)
            assert parts is not None and parts[0] == "llc"
            assert "OsOO" not in query and "МЧЖ" not in query  # no Central Asian form on it
    elem = org("TOO Elem Group")
    forms = {org_legal_form(elem, random.Random(s))[0][0] for s in range(30)}
    assert any("ZhShS" in f or "LLP" in f for f in forms)
    ((query, _),) = org_quotes(org("JSC Garnizon"), rng())
    assert query.startswith("JSC ") and query[4] in '«“"„' and "Garnizon" in query
    assert org_quotes(org("Garnizon"), rng()) == []


def test_uk_official_variant_skips_unrelated_names() -> None:
    uk = org("MG-FLOT LLC", "x")
    uk.names = [("MG-FLOT LLC", "primary"), ("Transseaport", "primary_variation")]
    assert uk_official_variant(uk, rng()) == []
    uk.names.append(("MG FLOT OOO", "primary_variation"))
    assert uk_official_variant(uk, rng()) == [("MG FLOT OOO", "UK primary_variation")]


# --- negatives ---------------------------------------------------------------------------


def test_collision_index() -> None:
    index = CollisionIndex(
        ["Ivan PETROV", "Sergey Valeryevich AKSYONOV", "LLC Romashka", "Aung Hlaing Oo"]
    )
    assert index.collides("Ivan Sergeyevich Petrov", [("Ivan", "Petrov")])  # patronymic added
    assert index.collides("Sergei Aksenov")  # a transliteration of a listed name
    assert index.collides("Сергей Аксёнов")  # the same in Cyrillic
    assert index.collides("Aksyonova, Sergey")  # gender form, reordered
    assert index.collides("Romashka OOO")  # legal forms do not count
    assert index.collides("Maung Hlaing Oo")  # two edits away
    assert index.collides("Iwan Petrow", [("Iwan", "Petrow")])
    assert not index.collides("Pyotr Ivanovich Petrov", [("Pyotr", "Petrov")])
    assert not index.collides("Romashka Trans Service LLC")
    assert not index.collides("Oleg Sidorov", [("Oleg", "Sidorov")])


# --- scorecard ---------------------------------------------------------------------------


def case(cid: str, variant: str, label: int, source: str = "", sid: str = "") -> dict[str, str]:
    return {
        "case_id": cid,
        "variant": variant,
        "label": str(label),
        "split": "dev",
        "expected_source": source,
        "expected_source_id": sid,
        "query_country": "",
        "query_birth_date": "",
    }


CASES = [
    case("p1", "typo", 1, "us_ofac_sdn", "1"),
    case("p2", "typo", 1, "us_ofac_sdn", "2"),
    case("p3", "reordered", 1, "gb_fcdo_sanctions", "RUS0001"),
    case("n1", "negative_recombined", 0),
    case("n2", "negative_recombined", 0),
]
HITS = {
    "p1": [("us_ofac_sdn", "1", 0.95)],
    "p2": [("eu_journal_sanctions", "x", 0.9), ("us_ofac_sdn", "2", 0.6)],  # other entity first
    "p3": [("gb_fcdo_sanctions", "RUS0001", 0.8)],
    "n1": [("us_ofac_sdn", "9", 0.75)],
    "n2": [],
}


def test_scorecard_counts() -> None:
    report = scorecard.run("s", CASES, lambda c: HITS[c["case_id"]])
    m = report.metrics(0.7)
    assert (m["tp"], m["fn"], m["fp"], m["tn"]) == (2, 1, 1, 1)
    assert m["other_hits"] == 1  # p2's EU hit is reported, not counted as an FP
    assert m["precision"] == pytest.approx(2 / 3, abs=1e-3)
    assert m["recall"] == pytest.approx(2 / 3, abs=1e-3)
    assert m["fpr"] == 0.5
    per = report.per_variant(0.7)
    assert per["typo"]["recall"] == 0.5
    assert per["typo"]["precision"] == pytest.approx(1 / (1 + 1 * 2 / 3), abs=1e-3)  # pro rata
    assert per["negative_recombined"]["fpr"] == 0.5
    sweep = report.sweep()
    assert sweep["0.80"]["fp"] == 0 and sweep["0.80"]["tp"] == 2
    assert sweep["0.50"]["tp"] == 3
    assert "OVERALL" in scorecard.text_table([report], 0.7)


def test_scorecard_pairwise_same_metrics() -> None:
    candidates = {cid: [(s, i) for s, i, _ in hits] for cid, hits in HITS.items()}
    scores = {(cid, (s, i)): sc for cid, hits in HITS.items() for s, i, sc in hits}
    report = scorecard.run_pairwise(
        "pairs", CASES, candidates, lambda c, k: scores[(c["case_id"], k)]
    )
    direct = scorecard.run("s", CASES, lambda c: HITS[c["case_id"]])
    assert report.metrics(0.7) == direct.metrics(0.7)
    assert report.calls == 5


def test_scorecard_json_is_strict(tmp_path: object) -> None:
    import json
    from pathlib import Path

    report = scorecard.run("s", CASES, lambda c: HITS[c["case_id"]])
    out = Path(str(tmp_path)) / "r.json"
    scorecard.write_json([report], 0.7, out)
    data = json.loads(out.read_text())
    assert data[0]["per_variant"]["negative_recombined"]["recall"] is None


# --- nomenklatura peer -------------------------------------------------------------------


def test_logic_v2_peer_on_hand_pairs() -> None:
    pytest.importorskip("nomenklatura")
    from benchmarks.evalset.nomenklatura_peer import LogicV2Peer

    from transitwatch.lists.model import EntityName, ListedEntity

    def listed(sid: str, schema: str, *names: str) -> ListedEntity:
        kinds = ["primary"] + ["alias"] * (len(names) - 1)
        return ListedEntity(
            "eu_journal_sanctions",
            sid,
            schema,  # type: ignore[arg-type]
            tuple(EntityName(n, k) for n, k in zip(names, kinds, strict=True)),  # type: ignore[arg-type]
        )

    peer = LogicV2Peer()
    aksyonov = listed("1", "person", "Sergey Valeryevich AKSYONOV")
    row = {"query_name": "Сергей Валерьевич Аксёнов", "schema": "person"}
    same = peer.score_case(row, aksyonov)
    other = peer.score_case({"query_name": "Pyotr Ivanovich Sidorov", "schema": "person"}, aksyonov)
    company = listed("2", "organization", "Romashka LLC")
    firm = peer.score_case({"query_name": "OOO Romashka", "schema": "organization"}, company)
    assert same > 0.7
    assert other < 0.5
    assert firm > 0.7
    assert peer.pairs == 3 and peer.ms_per_pair > 0


# --- the real lists ----------------------------------------------------------------------


@pytest.mark.integration
def test_build_on_real_lists(shared_data_dir: object, tmp_path: object) -> None:
    import csv
    import time
    from pathlib import Path

    from benchmarks.evalset import build
    from benchmarks.evalset.cases import COLUMNS, INDEXES
    from benchmarks.evalset.keys import ascii_fold
    from benchmarks.evalset.lists import load

    data = Path(str(shared_data_dir))
    out = Path(str(tmp_path)) / "evalset.csv"
    started = time.perf_counter()
    args = ["--data", str(data), "--out", str(out), "--per-variant", "60"]
    assert build.main([*args, "--negative-scale", "0.2"]) == 0
    assert time.perf_counter() - started < 60
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == COLUMNS
    assert {r["index"] for r in rows} <= set(INDEXES)
    variants = {r["variant"] for r in rows}
    assert variants == set(build.POSITIVES) | set(build.NEGATIVES)

    lists = load(data)
    targets = {(e.source, e.source_id): e for e in lists.entries}
    listed = {ascii_fold(n) for n, _ in lists.all_names}
    for r in rows:
        if r["label"] == "1":
            target = targets[(r["expected_source"], r["expected_source_id"])]
            assert r["target_name"] == target.primary
        else:
            assert not r["expected_source"] and not r["expected_source_id"]
            assert ascii_fold(r["query_name"]) not in listed, r
    dev = sum(r["split"] == "dev" for r in rows) / len(rows)
    assert 0.4 < dev < 0.6
    # one entity never sits in both splits
    splits: dict[tuple[str, str], set[str]] = {}
    for r in rows:
        if r["label"] == "1":
            splits.setdefault((r["expected_source"], r["expected_source_id"]), set()).add(
                r["split"]
            )
    assert all(len(s) == 1 for s in splits.values())
    # deterministic for a seed
    first = [c.row() for c in build.positive_cases(lists, 7, 20)]
    assert first == [c.row() for c in build.positive_cases(lists, 7, 20)]
    assert first != [c.row() for c in build.positive_cases(lists, 8, 20)]
