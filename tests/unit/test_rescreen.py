"""`rescreen`: past screenings against what newer list versions added or changed.

The store is replaced by a fake diff function that records its calls; the screener is built
from a handful of entities made here (as in test_screener.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from transitwatch.lists.model import EntityName, ListedEntity
from transitwatch.lists.versions import EntityChange, ListDiff, VersionInfo, make_diff
from transitwatch.screening.rescreen import PastScreening, Rescreened, rescreen
from transitwatch.screening.screener import Screener
from transitwatch.screening.types import PartyQuery

KOLBAYEV = ListedEntity(
    "us_ofac_sdn",
    "12625",
    "person",
    (EntityName("Kamchybek Asanbekovich KOLBAYEV"),),
    birth_dates=("1974-08-03",),
    programs=("SDNTK",),
)
PROFFLAB = ListedEntity(
    "us_ofac_sdn",
    "48847",
    "organization",
    (EntityName("LIMITED LIABILITY COMPANY PROFFLAB"),),
    countries=("KG",),
    programs=("RUSSIA-EO14024",),
)
PETROV = ListedEntity("us_ofac_sdn", "100", "person", (EntityName("Ivan Petrovich PETROV"),))
ELEM = ListedEntity(
    "eu_journal_sanctions", "2", "organization", (EntityName("TOO Elem Group"),), countries=("KZ",)
)
ELEM_GB = ListedEntity("gb_fcdo_sanctions", "RUS9", "organization", (EntityName("Elem Group"),))

SDN_V1, SDN_V2, SDN_V3 = "us_ofac_sdn-v1-aaaa", "us_ofac_sdn-v2-bbbb", "us_ofac_sdn-v3-cccc"
EU_V1 = "eu_journal_sanctions-v1-dddd"
GB_V1 = "gb_fcdo_sanctions-v1-eeee"


def version(version_id: str) -> VersionInfo:
    source, seq, _ = version_id.rsplit("-", 2)
    return VersionInfo(
        version_id=version_id,
        source=source,
        seq=int(seq.lstrip("v")),
        file_date=None,
        content_hash=version_id,
        files=("x",),
        loaded_at=datetime(2024, 7, 2, tzinfo=UTC),
        entity_count=1,
    )


class FakeDiff:
    """Diffs given per (source, old, new); every call is recorded."""

    def __init__(self, diffs: Mapping[tuple[str, str, str], ListDiff] | None = None) -> None:
        self.diffs = dict(diffs or {})
        self.calls: list[tuple[str, str, str]] = []

    def __call__(self, source: str, old: str, new: str) -> ListDiff:
        self.calls.append((source, old, new))
        if (source, old, new) in self.diffs:
            return self.diffs[(source, old, new)]
        return make_diff(version(old), version(new), [], [], [])  # nothing changed


def diff(
    old: str,
    new: str,
    added: list[ListedEntity] | None = None,
    changed: list[tuple[ListedEntity, ListedEntity]] | None = None,
    removed: list[ListedEntity] | None = None,
) -> tuple[tuple[str, str, str], ListDiff]:
    changes = [EntityChange(a.source_id, a, b, ("programs",)) for a, b in changed or []]
    d = make_diff(version(old), version(new), added or [], removed or [], changes)
    return (d.source, old, new), d


def screener(*records: tuple[ListedEntity, str]) -> Screener:
    return Screener(records)


def current(*version_ids: str) -> dict[str, VersionInfo]:
    return {v.source: v for v in map(version, version_ids)}


def past(sid: str, name: str, versions: Mapping[str, str], **query: str) -> PastScreening:
    return PastScreening(sid, PartyQuery(name, **query), dict(versions))


def hit_ids(result: Rescreened) -> list[str]:
    return [h.entity.source_id for h in result.new_hits]


# The SDN list as of version 2: Kolbayev was listed in v1; Profflab is new in v2.
SDN_V2_SCREENER = screener((KOLBAYEV, SDN_V2), (PROFFLAB, SDN_V2), (PETROV, SDN_V2))


def test_added_entity_is_a_new_hit() -> None:
    fake = FakeDiff(dict([diff(SDN_V1, SDN_V2, added=[PROFFLAB])]))
    out = rescreen(
        [past("s1", "OsOO Profflab", {"us_ofac_sdn": SDN_V1}, country="KG")],
        current(SDN_V2),
        fake,
        SDN_V2_SCREENER,
    )
    (result,) = out
    assert result.screening_id == "s1"
    assert result.query == PartyQuery("OsOO Profflab", country="KG")
    assert hit_ids(result) == ["48847"]
    assert result.new_hits[0].list_version == SDN_V2
    assert result.new_hits[0].score >= 0.7
    assert result.changed_sources == ("us_ofac_sdn",)
    assert fake.calls == [("us_ofac_sdn", SDN_V1, SDN_V2)]


def test_only_added_or_changed_entities_count() -> None:
    """Kolbayev was listed already in v1: screening him again is not news."""
    fake = FakeDiff(dict([diff(SDN_V1, SDN_V2, added=[PROFFLAB])]))
    out = rescreen(
        [past("s1", "Kamchybek Kolbayev", {"us_ofac_sdn": SDN_V1})],
        current(SDN_V2),
        fake,
        SDN_V2_SCREENER,
    )
    assert out == []
    assert fake.calls == [("us_ofac_sdn", SDN_V1, SDN_V2)]


def test_changed_entity_is_a_new_hit() -> None:
    before = replace(KOLBAYEV, programs=())
    fake = FakeDiff(dict([diff(SDN_V1, SDN_V2, changed=[(before, KOLBAYEV)])]))
    out = rescreen(
        [
            past("s1", "Kamchybek Kolbayev", {"us_ofac_sdn": SDN_V1}, birth_date="1974-08-03"),
            past("s2", "Ivan Petrov", {"us_ofac_sdn": SDN_V1}),  # Petrov did not change
        ],
        current(SDN_V2),
        fake,
        SDN_V2_SCREENER,
    )
    (result,) = out
    assert result.screening_id == "s1" and hit_ids(result) == ["12625"]
    assert result.new_hits[0].entity.programs == ("SDNTK",)  # the entity as it is now
    assert any("agrees" in line for line in result.new_hits[0].explanation)


def test_removed_entity_is_not_a_hit() -> None:
    fake = FakeDiff(dict([diff(SDN_V1, SDN_V2, removed=[replace(PETROV, source_id="7")])]))
    out = rescreen(
        [past("s1", "Ivan Petrov", {"us_ofac_sdn": SDN_V1})],
        current(SDN_V2),
        fake,
        SDN_V2_SCREENER,
    )
    assert out == []


def test_unchanged_version_is_skipped() -> None:
    fake = FakeDiff()
    out = rescreen(
        [past("s1", "OsOO Profflab", {"us_ofac_sdn": SDN_V2})],  # matches, but ran on v2
        current(SDN_V2),
        fake,
        SDN_V2_SCREENER,
    )
    assert out == []
    assert fake.calls == []  # no diff computed for a version already screened against


def test_no_screenings_nothing_to_do() -> None:
    fake = FakeDiff()
    assert rescreen([], current(SDN_V2), fake, SDN_V2_SCREENER) == []
    assert fake.calls == []


def test_source_not_loaded_at_the_time_counts_wholly_as_new() -> None:
    s = screener((PROFFLAB, SDN_V2), (ELEM, EU_V1))
    fake = FakeDiff()
    out = rescreen(
        [
            past("s1", "Elem Group LLP", {"us_ofac_sdn": SDN_V2}),  # before the EU list
            past("s2", "OsOO Profflab", {"us_ofac_sdn": SDN_V2}),
        ],
        current(SDN_V2, EU_V1),
        fake,
        s,
    )
    (result,) = out
    assert result.screening_id == "s1"
    assert [(h.entity.source, h.entity.source_id) for h in result.new_hits] == [
        ("eu_journal_sanctions", "2")
    ]
    assert result.changed_sources == ("eu_journal_sanctions",)
    assert fake.calls == []  # no diff is needed: every entity of the new source is new


def test_only_the_changed_sources_contribute() -> None:
    """The GB list is new to the screening; the EU entity it also matches was known."""
    s = screener((ELEM, EU_V1), (ELEM_GB, GB_V1))
    out = rescreen(
        [past("s1", "Elem Group", {"eu_journal_sanctions": EU_V1})],
        current(EU_V1, GB_V1),
        FakeDiff(),
        s,
    )
    (result,) = out
    assert [h.entity.source for h in result.new_hits] == ["gb_fcdo_sanctions"]
    assert result.changed_sources == ("gb_fcdo_sanctions",)


def test_several_versions_behind_diffs_from_the_version_screened() -> None:
    s = screener((KOLBAYEV, SDN_V3), (PROFFLAB, SDN_V3))
    fake = FakeDiff(dict([diff(SDN_V1, SDN_V3, added=[PROFFLAB])]))
    out = rescreen([past("s1", "Profflab", {"us_ofac_sdn": SDN_V1})], current(SDN_V3), fake, s)
    assert [hit_ids(r) for r in out] == [["48847"]]
    assert fake.calls == [("us_ofac_sdn", SDN_V1, SDN_V3)]


def test_newest_screening_of_a_repeated_query_wins() -> None:
    fake = FakeDiff(dict([diff(SDN_V1, SDN_V2, added=[PROFFLAB])]))
    history = [
        past("old", "OsOO Profflab", {"us_ofac_sdn": SDN_V1}),  # clean yesterday...
        past("new", "OsOO Profflab", {"us_ofac_sdn": SDN_V2}),  # ...already screened on v2
    ]
    assert rescreen(history, current(SDN_V2), fake, SDN_V2_SCREENER) == []
    assert fake.calls == []  # the older screening is not looked at


def test_newest_outdated_screening_is_the_one_reported() -> None:
    fake = FakeDiff(dict([diff(SDN_V1, SDN_V2, added=[PROFFLAB])]))
    history = [
        past("first", "OsOO Profflab", {"us_ofac_sdn": SDN_V1}),
        past("other", "Ivan Petrov", {"us_ofac_sdn": SDN_V1}),
        past("second", "OsOO Profflab", {"us_ofac_sdn": SDN_V1}),
    ]
    out = rescreen(history, current(SDN_V2), fake, SDN_V2_SCREENER)
    assert [(r.screening_id, hit_ids(r)) for r in out] == [("second", ["48847"])]
    assert fake.calls == [("us_ofac_sdn", SDN_V1, SDN_V2)]  # one diff for both screenings


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"id": "cust-1"}, {"id": "cust-2"}),
        ({"country": "KG"}, {"country": "KZ"}),
        ({"schema": "organization"}, {}),
        ({"identifier": "01703202210047"}, {}),
    ],
)
def test_queries_differing_in_any_field_are_distinct(
    first: dict[str, str], second: dict[str, str]
) -> None:
    fake = FakeDiff(dict([diff(SDN_V1, SDN_V2, added=[PROFFLAB])]))
    history = [
        past("a", "OsOO Profflab", {"us_ofac_sdn": SDN_V1}, **first),
        past("b", "OsOO Profflab", {"us_ofac_sdn": SDN_V1}, **second),
    ]
    out = rescreen(history, current(SDN_V2), fake, SDN_V2_SCREENER)
    assert [r.screening_id for r in out] == ["a", "b"]


def test_threshold_is_applied() -> None:
    fake = FakeDiff(dict([diff(SDN_V1, SDN_V2, added=[KOLBAYEV])]))
    history = [past("s1", "Kolbayev Kamchybek", {"us_ofac_sdn": SDN_V1})]
    low = rescreen(history, current(SDN_V2), fake, SDN_V2_SCREENER, threshold=0.5)
    assert [hit_ids(r) for r in low] == [["12625"]]
    score = low[0].new_hits[0].score
    above = rescreen(history, current(SDN_V2), fake, SDN_V2_SCREENER, threshold=score + 1e-6)
    assert above == []


def test_query_schema_still_filters() -> None:
    fake = FakeDiff(dict([diff(SDN_V1, SDN_V2, added=[PROFFLAB])]))
    history = [past("s1", "OsOO Profflab", {"us_ofac_sdn": SDN_V1}, schema="person")]
    assert rescreen(history, current(SDN_V2), fake, SDN_V2_SCREENER) == []
