"""Name normalisation: romanisation, folding, legal forms, name parts.

Each row cites the variant it guards; the romanisation schemes are BGN/PCGN (1947), ICAO Doc
9303 (2015), GOST 7.79-2000 system B, ISO 9:1995, German (Duden) and French transcriptions.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transitwatch.names.analyze import INITIAL, PATRONYMIC, analyze_name
from transitwatch.names.fold import (
    consonant_skeletons,
    fold,
    fold_variants,
    patronymic_root,
    surname_stem,
)
from transitwatch.names.legal_forms import find_legal_forms
from transitwatch.names.scripts import detect_script
from transitwatch.names.translit import to_latin


@pytest.mark.parametrize(
    ("text", "latin"),
    [
        ("Сергей Аксёнов", "sergey aksenov"),  # Russian; ICAO writes ё as e
        ("Қасым-Жомарт Тоқаев", "kasym-zhomart tokaev"),  # Kazakh Қ
        ("Әлихан Ғабитұлы", "alikhan gabituly"),  # Kazakh Ә Ғ Ұ
        ("Өмүрбек Үсөнов", "omurbek usonov"),  # Kyrgyz Ө Ү
        ("Ҳамидов Ўктам", "hamidov oktam"),  # Uzbek Ҳ, Ў read as o in an Uzbek name
        ("Ўладзімір", "uladzimir"),  # Belarusian Ў
        ("Һ", "h"),  # Kazakh/Bashkir Һ
        ("Ŝukin", "shchukin"),  # ISO 9 щ
        ("Gʻulomov Oʻktam", "gulomov oktam"),  # Uzbek Latin apostrophes
        ("Müller", "muller"),
    ],
)
def test_to_latin(text: str, latin: str) -> None:
    assert to_latin(text) == latin


@pytest.mark.parametrize(
    "spellings",
    [
        ["Aksyonov", "Aksenov", "Аксёнов", "Аксенов"],  # BGN yo, ICAO e
        ["Shchukin", "Shhukin", "Ŝukin", "Schtschukin", "Щукин"],  # BGN, GOST-B, ISO 9, German
        ["Dmitriy", "Dmitry", "Dmitrii", "Dmitrij", "Дмитрий"],  # -iy/-y/-ii/-ij endings
        ["Yuriy", "Yury", "Iourii", "Iurii", "Юрий"],  # Yu/Iu/Iou
        ["Yevgeniy", "Evgeny", "Evgenii", "Ievgueni", "Евгений"],  # Ye/E/Ie, French gu
        ["Natalya", "Natalia", "Nataliya", "Наталья"],
        ["Khodorkovsky", "Hodorkovskij", "Ходорковский"],  # Kh/H
        ["Tsvetkov", "Cvetkov", "Цветков"],  # Ts/C
        ["Dzhamshid", "Джамшид"],  # Dzh
        ["Sokolovskaya", "Sokolovskaia", "Соколовская"],  # -aya/-aia
        ["Kolbayev", "Kolbaev", "Колбаев"],
    ],
)
def test_romanisations_fold_together(spellings: list[str]) -> None:
    folds = {fold(to_latin(s)) for s in spellings}
    assert len(folds) == 1, folds


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Jurij", "Yuriy"),  # German/ISO j = й
        ("Jewgeni", "Yevgeniy"),  # German w = в
        ("Sergej", "Sergey"),
        ("Aksjonov", "Aksyonov"),
        ("Chodorkowski", "Khodorkovsky"),  # German ch = х
        ("Zwetkow", "Tsvetkov"),  # German z = ц
        ("Xolmatov", "Kholmatov"),  # Uzbek Latin x = х
        ("Chtchoukine", "Shchukin"),  # French chtch = щ, -ine
        ("Jamshid", "Dzhamshid"),  # Uzbek Latin j = дж
        ("Natalja", "Natalya"),
        ("Sokolovskaja", "Sokolovskaya"),
    ],
)
def test_ambiguous_letters_meet_in_a_variant(a: str, b: str) -> None:
    va = set(fold_variants(to_latin(a)))
    vb = set(fold_variants(to_latin(b)))
    assert va & vb, (va, vb)


@pytest.mark.parametrize(
    ("folded", "stem"),
    [
        ("ivanova", "ivanov"),
        ("sokolovska", "sokolovski"),
        ("aliева", "aliева"),
        ("petrov", "petrov"),
    ],
)
def test_surname_stem(folded: str, stem: str) -> None:
    assert surname_stem(folded) == stem


@pytest.mark.parametrize(
    ("folded", "root"),
    [("asanbekovich", "asanbek"), ("valerevich", "valer"), ("ivanovna", "ivan"), ("petrov", None)],
)
def test_patronymic_root(folded: str, root: str | None) -> None:
    assert patronymic_root(folded) == root


@pytest.mark.parametrize(
    ("name", "classes", "rest"),
    [
        ("ООО «Ромашка»", ["llc"], ["romashka"]),
        ("Romashka LLC", ["llc"], ["romashka"]),
        ("Obshchestvo s ogranichennoy otvetstvennostyu Romashka", ["llc"], ["romashka"]),
        ("ОсОО Ак-Жол", ["llc"], ["ak", "zhol"]),  # Kyrgyz ОсОО; "Ак" is a word, not a form
        ("OsOO Ak-Jol", ["llc"], ["ak", "jol"]),
        ("ТОО «Элем Груп»", ["llp"], ["elem", "grup"]),  # Kazakh ТОО
        ("ЖШС Элем", ["llp"], ["elem"]),  # Kazakh ЖШС
        ("Elem Group LLP", ["llp"], ["elem", "group"]),
        ("АО «Волгабурмаш»", ["jsc"], ["volgaburmash"]),
        ("Volgaburmash JSC", ["jsc"], ["volgaburmash"]),
        ("ПАО Сбербанк", ["pjsc"], ["sberbank"]),
        ("PJSC Sberbank", ["pjsc"], ["sberbank"]),
        ("ЗАО Ромашка", ["cjsc"], ["romashka"]),
        ("ОАО Ромашка", ["ojsc"], ["romashka"]),
        ("Mvizion MChJ", ["llc"], ["mvizion"]),  # Uzbek MChJ
        ("Mvizion AJ", ["jsc"], ["mvizion"]),  # Uzbek AJ
    ],
)
def test_legal_forms(name: str, classes: list[str], rest: list[str]) -> None:
    analyzed = analyze_name(name, "organization")
    assert [lf.cls for lf in analyzed.legal_forms] == classes
    assert [t.text for t in analyzed.tokens] == rest


def test_a_name_that_is_only_a_legal_form_keeps_its_words() -> None:
    analyzed = analyze_name("ООО", "organization")
    assert analyzed.legal_forms == ()
    assert [t.text for t in analyzed.tokens] == ["ooo"]


def test_legal_forms_are_not_stripped_from_person_names() -> None:
    marked, found = find_legal_forms(["ip", "ivanov"])
    assert found and marked[0]
    assert [t.text for t in analyze_name("Ip Ivanov", "person").tokens] == ["ip", "ivanov"]


@pytest.mark.parametrize(
    ("name", "roles"),
    [
        ("Kamchybek Asanbekovich KOLBAYEV", ["name", PATRONYMIC, "name"]),
        ("Камчыбек Асанбек уулу Колбаев", ["name", PATRONYMIC, "name"]),  # Kyrgyz uulu
        ("Айгүл Асанбек кызы", ["name", PATRONYMIC]),  # Kyrgyz kyzy
        ("Nursultan Abishuly", ["name", PATRONYMIC]),  # Kazakh -uly suffix
        ("S. V. Aksyonov", [INITIAL, INITIAL, "name"]),
    ],
)
def test_name_parts(name: str, roles: list[str]) -> None:
    assert [t.role for t in analyze_name(name).tokens] == roles


def test_kyrgyz_patronymic_meets_russian_form() -> None:
    kyrgyz = analyze_name("Асанбек уулу").tokens[0]
    russian = analyze_name("Asanbekovich").tokens[0]
    assert kyrgyz.form == russian.form == "asanbek"


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("Сергей", "cyrillic"),
        ("Sergey", "latin"),
        ("محمد", "arabic"),
        ("김정은", "hangul"),
        ("", "latin"),
    ],
)
def test_detect_script(text: str, script: str) -> None:
    assert detect_script(text) == script


@settings(deadline=None)  # the first call loads the ICU transliterator
@given(st.text(max_size=60))
def test_analysis_never_fails_and_tokens_are_ascii(text: str) -> None:
    analyzed = analyze_name(text)
    for token in analyzed.tokens:
        assert token.form.isascii()
        assert token.text and token.form


@settings(deadline=None)
@given(st.text(alphabet="абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһіў -", max_size=40))
def test_every_cyrillic_name_romanises_to_ascii(text: str) -> None:
    assert to_latin(text).isascii()


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        # UK list "official variations" of Arabic-origin names: vowels written freely
        ("zoher", "zuhair", True),
        ("mohamed", "muhammad", True),
        ("zeitun", "zaytun", True),
        ("barakeh", "baraka", True),  # final vowel written -eh
        ("dhafer", "zafer", True),  # dh for the same letter (ذ / ظ) read z
        # Belarusian forms of Russian names: other vowels, ў written u (= v)
        ("sokolovski", "sakalouski", True),
        ("katsubo", "katsuba", True),
        # different names keep different skeletons
        ("zuhair", "zubair", False),
        ("sokolov", "sakalin", False),
        ("mohamed", "mahmud", False),  # one Arabic root, two names: the vowel slots differ
        ("ahmad", "hamid", False),
        ("karim", "krum", False),
    ],
)
def test_consonant_skeletons(a: str, b: str, same: bool) -> None:
    assert (not set(consonant_skeletons(a)).isdisjoint(consonant_skeletons(b))) is same


def test_short_skeletons_say_nothing() -> None:
    # "Musa" / "Mousa", "Ali", "Omar": fewer than three consonants, no skeleton at all
    assert consonant_skeletons("musa") == consonant_skeletons("ali") == ()
    assert consonant_skeletons("omar") == ()


@pytest.mark.parametrize(
    ("name", "root"),
    [
        ("Aliaksandravna", "alaksandr"),  # Belarusian -avna
        ("Piatrouna", "patr"),  # Belarusian -ouna (ў)
        ("Petrovna", "petr"),
    ],
)
def test_belarusian_patronymics(name: str, root: str) -> None:
    (token,) = analyze_name(name, "person").tokens
    assert token.role == PATRONYMIC and token.form == root


def test_organisation_words_get_no_skeletons() -> None:
    # "Group" and "Grip", "Bank" and "Bunk": vowels carry meaning in organisation names
    assert all(t.skeletons == () for t in analyze_name("Grip Bunk LLC", "organization").tokens)
    assert any(t.skeletons for t in analyze_name("Zuhair Fadhlun", "person").tokens)


@settings(deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=20))
def test_skeletons_are_consonants_only(word: str) -> None:
    for skeleton in consonant_skeletons(word):
        assert len(skeleton.replace("_", "")) >= 3 and not set(skeleton) & set("aeiouy")
        assert "__" not in skeleton
