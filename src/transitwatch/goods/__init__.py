"""Goods knowledge for declaration screening: the HS nomenclature and concordance, control lists
with validity dates (CHPL tiers, the Kyrgyz drone export ban, embargoed destinations, user
lists), description ↔ HS consistency and unit-value bands. Pure: no store, no CLI.

    gk = GoodsKnowledge.default(hs_dir=Path("../shared/data/hs_nomenclature"))
    gk.controls_for("8542310000", on=date(2024, 5, 1), destination="RU")
    gk.description_mismatch("8424", "квадрокоптер для опрыскивания полей")
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date
from pathlib import Path

from transitwatch.errors import InputError
from transitwatch.goods.controls import builtin_lists, load_control_list
from transitwatch.goods.descriptions import Category, default_lexicon, mismatches, signals
from transitwatch.goods.hs import Correlation, HsNomenclature
from transitwatch.goods.model import (
    ControlEntry,
    ControlHit,
    ControlList,
    GoodsSignal,
    Mismatch,
    ValueOutlier,
    dotted,
    normalize_hs_code,
)
from transitwatch.goods.unit_values import Band, UnitValueBands

__all__ = [
    "Band",
    "ControlEntry",
    "ControlHit",
    "ControlList",
    "Correlation",
    "GoodsKnowledge",
    "GoodsSignal",
    "HsNomenclature",
    "Mismatch",
    "UnitValueBands",
    "ValueOutlier",
    "builtin_lists",
    "load_control_list",
    "normalize_hs_code",
]

CHPL_ID = "chpl"
EMBARGO_ID = "embargo_destinations"
DRONE_BAN_ID = "kg_drone_export_ban"
SIGNAL_CACHE = 8192  # descriptions whose signals are remembered (batches repeat them)


class GoodsKnowledge:
    """Control lists, the description lexicon and (optionally) the HS nomenclature."""

    def __init__(
        self,
        lists: Sequence[ControlList],
        lexicon: Sequence[Category] | None = None,
        hs: HsNomenclature | None = None,
    ) -> None:
        seen: dict[str, str] = {}
        for lst in lists:
            if lst.id in seen:
                raise InputError(
                    f"control list id {lst.id!r} is loaded twice ({seen[lst.id]} and {lst.path})"
                )
            seen[lst.id] = lst.path
        self.lists: list[ControlList] = list(lists)
        self.lexicon: tuple[Category, ...] = tuple(lexicon or default_lexicon())
        known = {c.id for c in self.lexicon}
        for lst in self.lists:
            unknown = sorted(set(lst.described_as) - known)
            if unknown:
                raise InputError(
                    f"control list {lst.id!r} ({lst.path}): described_as names "
                    f"{', '.join(unknown)}, which the goods lexicon does not know "
                    f"(known: {', '.join(sorted(known))})"
                )
        self.hs = hs
        self._by_id = {lst.id: lst for lst in self.lists}
        self._signals: dict[str, list[GoodsSignal]] = {}

    @classmethod
    def default(
        cls,
        hs_dir: Path | None = None,
        extra_lists: Sequence[Path] = (),
        *,
        drone_ban_start: date | None = None,
    ) -> GoodsKnowledge:
        """Built-in lists (+ HS descriptions when ``hs_dir`` is given) + user lists.
        ``drone_ban_start`` overrides the start date parameter of the Kyrgyz drone ban."""
        params: Mapping[str, Mapping[str, object]] = (
            {DRONE_BAN_ID: {"start_date": drone_ban_start}} if drone_ban_start else {}
        )
        lists = builtin_lists(params) + [load_control_list(p) for p in extra_lists]
        hs = HsNomenclature.load(Path(hs_dir)) if hs_dir is not None else None
        return cls(lists, hs=hs)

    def get_list(self, list_id: str) -> ControlList | None:
        return self._by_id.get(list_id)

    # -- control lists --------------------------------------------------------------------------

    def controls_for(
        self,
        hs_code: str,
        *,
        on: date,
        destination: str | None,
        origin: str | None = None,
        exporter_country: str | None = None,
        flow: str = "export",
        described: Collection[str] = (),
    ) -> list[ControlHit]:
        """Every list entry that applies to the code on that day for this movement.

        A goods list applies when valid on ``on``, its flow is ``any`` or ``flow``, its exporter
        countries (if any) include ``exporter_country`` or ``origin``, and its scope (if any)
        includes ``destination`` (an unknown destination keeps the hit, with its scope). A list
        with ``described_as`` also applies, under any code, when ``described`` (the categories
        the description names, see :meth:`description_signals`) shares one of them. The
        embargo list adds a hit when ``destination`` is embargoed and the code is on one of its
        goods lists."""
        code = normalize_hs_code(hs_code)
        dest = destination.strip().upper() if destination else None
        parties = {c.strip().upper() for c in (origin, exporter_country) if c}
        hits: list[ControlHit] = []
        for lst in self.lists:
            if not lst.valid_on(on) or not (lst.flow == "any" or flow in ("any", lst.flow)):
                continue
            if lst.kind == "countries":
                hit = self._embargo_hit(lst, code, dest, on)
                if hit is not None:
                    hits.append(hit)
                continue
            if lst.exporter_countries and not parties & set(lst.exporter_countries):
                continue
            entry = lst.match(code)
            if entry is None:
                named = [c for c in lst.described_as if c in described]
                if named and not (lst.destinations and dest and dest not in lst.destinations):
                    hits.append(_described_hit(lst, code, named))
                continue
            scope = entry.destinations or lst.destinations
            if scope and dest and dest not in scope:
                continue
            hits.append(_goods_hit(lst, entry, code, scope))
        return hits

    def embargoed(self, country: str, on: date) -> ControlHit | None:
        """A hit when ``country`` is an embargoed destination on that day."""
        wanted = country.strip().upper()
        for lst in self.lists:
            if lst.kind != "countries" or not lst.valid_on(on):
                continue
            for entry in lst.entries:
                if entry.code == wanted and (entry.valid_from is None or entry.valid_from <= on):
                    since = entry.valid_from or lst.valid_from
                    return ControlHit(
                        list_id=lst.id,
                        list_name=lst.name,
                        version=lst.version,
                        category=entry.category,
                        matched_code=wanted,
                        message=f"{entry.label or wanted} is under embargo since {since}",
                        source=entry.source or lst.source,
                        destination_scope=(wanted,),
                    )
        return None

    def _embargo_hit(
        self, lst: ControlList, code: str, dest: str | None, on: date
    ) -> ControlHit | None:
        if dest is None:
            return None
        country = self.embargoed(dest, on)
        if country is None or country.list_id != lst.id:
            return None
        for goods_id in lst.goods_lists:
            goods = self._by_id.get(goods_id)
            if goods is None or not goods.valid_on(on):
                continue
            entry = goods.match(code)
            if entry is None:
                continue
            what = f"{entry.category}" + (f", {entry.label}" if entry.label else "")
            return ControlHit(
                list_id=lst.id,
                list_name=lst.name,
                version=lst.version,
                category=f"{entry.category} to embargoed destination",
                matched_code=entry.code,
                message=(
                    f"HS {dotted(code)} ({what}) shipped to {dest}: {country.message}; "
                    f"{goods.name} goods may not be exported there"
                ),
                source=country.source,
                destination_scope=tuple(e.code for e in lst.entries),
            )
        return None

    def chpl_tier(self, hs_code: str) -> str | None:
        """ "1", "2", "3.A", "3.B", "4.A" or "4.B" for a code whose HS-6 is on the CHPL."""
        chpl = self._by_id.get(CHPL_ID)
        code = normalize_hs_code(hs_code)
        if chpl is None or len(code) < 6:
            return None
        entry = chpl.match(code[:6])
        return entry.category.removeprefix("CHPL Tier ").strip() if entry else None

    def controlled_as(self, hs_code: str) -> list[str]:
        """Why a code is controlled, whatever the date and route: one phrase per goods list."""
        code = normalize_hs_code(hs_code)
        out = []
        for lst in self.lists:
            entry = lst.match(code) if lst.kind == "goods" else None
            if entry is not None:
                out.append(entry.category + (f" ({entry.label})" if entry.label else ""))
        return out

    # -- descriptions ---------------------------------------------------------------------------

    def description_signals(self, text: str) -> list[GoodsSignal]:
        """What the description says the goods are, one signal per lexicon category."""
        found = self._signals.get(text)
        if found is None:
            if len(self._signals) >= SIGNAL_CACHE:
                self._signals.clear()
            found = self._signals[text] = signals(text, self.lexicon)
        return list(found)

    def description_mismatch(self, hs_code: str, text: str) -> list[Mismatch]:
        code = normalize_hs_code(hs_code)
        reasons = self.controlled_as(code)
        why = "; ".join(reasons) if reasons else None
        found = mismatches(code, text, self.lexicon, why, self.description_signals(text))
        described = self.describe(code)
        if described:
            for m in found:
                m.evidence.setdefault("hs_description", described)
        return found

    def describe(self, hs_code: str) -> str | None:
        """The HS description (2022 edition, else 2017) when the nomenclature is loaded, else the
        label a control list gives the code, else None."""
        code = normalize_hs_code(hs_code)
        if self.hs is not None:
            text = self.hs.describe(code, "2022") or self.hs.describe(code, "2017")
            if text:
                return text
        for lst in self.lists:
            entry = lst.match(code) if lst.kind == "goods" else None
            if entry is not None and entry.label:
                return entry.label
        return None


def _exporters_note(lst: ControlList) -> str:
    """ ", exports from KG since 2023-08-14" for a list that binds some exporters only."""
    if not lst.exporter_countries:
        return ""
    return f", exports from {', '.join(lst.exporter_countries)} since {lst.valid_from}"


def _goods_hit(
    lst: ControlList, entry: ControlEntry, code: str, scope: tuple[str, ...]
) -> ControlHit:
    label = f" ({entry.label})" if entry.label else ""
    where = f" for destinations {', '.join(scope)}" if scope else ""
    exporters = _exporters_note(lst)
    return ControlHit(
        list_id=lst.id,
        list_name=lst.name,
        version=lst.version,
        category=entry.category,
        matched_code=entry.code,
        message=(
            f"HS {dotted(code)} matches {dotted(entry.code)} on the {lst.name} "
            f"(version {lst.version}): {entry.category}{label}{exporters}{where}"
        ),
        source=entry.source or lst.source,
        destination_scope=scope,
    )


def _described_hit(lst: ControlList, code: str, named: Sequence[str]) -> ControlHit:
    """A list that covers goods by what the description says they are, whatever their code."""
    category = lst.entries[0].category if lst.entries else lst.name
    exporters = _exporters_note(lst)
    return ControlHit(
        list_id=lst.id,
        list_name=lst.name,
        version=lst.version,
        category=category,
        matched_code=f"described as {', '.join(named)}",
        message=(
            f"the description names {', '.join(named)}, which the {lst.name} (version "
            f"{lst.version}) covers whatever the code; declared under HS {dotted(code)}"
            f"{exporters}"
        ),
        source=lst.source,
        destination_scope=lst.destinations,
    )
