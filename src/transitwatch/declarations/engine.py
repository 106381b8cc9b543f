"""Screen declarations: compute each one's facts (goods, parties, history), run the profile
rules, score, and choose a lane. Pure: the goods knowledge, the party screener and the history
are handed in.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from datetime import date
from typing import Any, Protocol

from transitwatch.declarations.history import History, HistoryRow, party_key
from transitwatch.declarations.lanes import LanePolicy, assign, lane_for
from transitwatch.declarations.model import LANE_RANK, Decision, Declaration, Reason
from transitwatch.declarations.profiles import Profile, Rule, matches
from transitwatch.errors import TransitWatchError
from transitwatch.screening.types import Hit, PartyQuery

# Control lists shipped in transitwatch/data/controls; any other list was added by the user.
SHIPPED_CONTROL_LISTS = frozenset({"chpl", "embargo_destinations", "kg_drone_export_ban"})

ROLES = ("exporter", "consignee", "declarant")
FORWARDER = re.compile(
    r"forward|logist|cargo|freight|shipping|transport|express|trans\b|трансп|логист|"
    r"экспедит|карго|перевоз|доставк|spedit|kargo",
    re.IGNORECASE,
)


class GoodsLike(Protocol):
    """The part of ``transitwatch.goods.GoodsKnowledge`` the engine uses."""

    def controls_for(
        self,
        hs_code: str,
        *,
        on: date,
        destination: str,
        origin: str | None = None,
        exporter_country: str | None = None,
        flow: str = "export",
        described: Collection[str] = (),
    ) -> list[Any]: ...

    def chpl_tier(self, hs_code: str) -> str | None: ...

    def embargoed(self, country: str, on: date) -> Any | None: ...

    def description_signals(self, text: str) -> list[Any]: ...

    def description_mismatch(self, hs_code: str, text: str) -> list[Any]: ...


class ScreenerLike(Protocol):
    def screen(
        self, query: PartyQuery, *, threshold: float | None = None, limit: int = 10
    ) -> list[Hit]: ...


class PartyCache:
    """Screens each distinct (name, country) once."""

    def __init__(self, screener: ScreenerLike | None, threshold: float | None) -> None:
        self.screener = screener
        self.threshold = threshold
        self._cache: dict[tuple[str, str | None], list[dict[str, Any]]] = {}
        self.screened = 0

    def hits(self, name: str | None, country: str | None) -> list[dict[str, Any]]:
        if self.screener is None or not name:
            return []
        key = (name, country)
        found = self._cache.get(key)
        if found is None:
            self.screened += 1
            try:
                hits = self.screener.screen(
                    PartyQuery(name=name, country=country), threshold=self.threshold, limit=3
                )
            except TransitWatchError:
                hits = []  # a name with nothing to match on (only a legal form ...)
            found = [h.to_json_dict() for h in hits]
            for h in found:
                h.pop("explanation", None)
                h["explanation"] = next((line for line in _explanation(hits, h) if line), "")
            self._cache[key] = found
        return found


def _explanation(hits: list[Hit], h: dict[str, Any]) -> list[str]:
    for hit in hits:
        if hit.entity.source == h["source"] and hit.entity.source_id == h["source_id"]:
            return list(hit.explanation[:1])
    return []


class _Facts(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _show(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "-"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, float):
        return round(value, 4)
    return value


class Engine:
    def __init__(
        self,
        profiles: Sequence[Profile],
        goods: GoodsLike,
        screener: ScreenerLike | None = None,
        *,
        history: History | None = None,
        threshold: float | None = None,
        policy: LanePolicy | None = None,
    ) -> None:
        self.profiles = list(profiles)
        self.rules: list[Rule] = [r for p in self.profiles for r in p.rules]
        self.thresholds = self.profiles[0].thresholds if self.profiles else {}
        self.goods = goods
        self.parties = PartyCache(screener, threshold)
        self.history = history if history is not None else History()
        self.policy = policy or LanePolicy()
        self._goods_cache: dict[tuple[str, str], tuple[list[Any], list[Any]]] = {}

    @property
    def profile_versions(self) -> dict[str, str]:
        return {p.id: p.version for p in self.profiles}

    def screen(self, declarations: Sequence[Declaration]) -> list[Decision]:
        """Decisions in input order; the batch joins the history first (dated rows only count
        for declarations dated after them)."""
        self.history.extend(HistoryRow.of(d) for d in declarations)
        decisions = [self.decide(d) for d in declarations]
        assign(decisions, self.policy)
        return decisions

    def decide(self, d: Declaration) -> Decision:
        facts, details, parties = self.facts(d)
        reasons: list[Reason] = []
        shown: _Facts | None = None
        for rule in self.rules:
            if not rule.valid_on(d.date):
                continue
            used: dict[str, Any] = {}
            if not matches(rule.conditions, facts, used):
                continue
            for extra in rule.evidence:
                used[extra] = facts.get(extra)
            evidence: dict[str, Any] = {k: _jsonable(v) for k, v in used.items()}
            for fact in list(used):
                if fact in details:
                    evidence[f"{fact}_detail"] = details[fact]
            if shown is None:
                shown = _Facts({k: _show(v) for k, v in facts.items()})
            reasons.append(
                Reason(
                    rule.id,
                    rule.message.format_map(shown),
                    evidence,
                    rule.weight,
                    rule.force_lane,
                    rule.profile,
                )
            )
        score = sum(r.weight for r in reasons)
        forced: str | None = None
        for r in reasons:
            if r.force_lane and (forced is None or LANE_RANK[r.force_lane] > LANE_RANK[forced]):
                forced = r.force_lane
        reasons.sort(key=lambda r: (-LANE_RANK.get(r.force_lane or "green", 0), -r.weight))
        lane = lane_for(score, forced, self.thresholds)
        return Decision(d.declaration_id, d.row, lane, score, reasons, parties)

    def _goods(self, hs_code: str, text: str) -> tuple[list[Any], list[Any]]:
        key = (hs_code, text)
        found = self._goods_cache.get(key)
        if found is None:
            found = (
                self.goods.description_signals(text),
                self.goods.description_mismatch(hs_code, text),
            )
            self._goods_cache[key] = found
        return found

    def facts(self, d: Declaration) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
        """(facts for the rules, evidence details per fact, the screened parties)."""
        g = self.goods
        tier = g.chpl_tier(d.hs6)
        signals, mismatches = self._goods(d.hs_code, d.description)
        controls = g.controls_for(
            d.hs_code,
            on=d.date,
            destination=d.destination_country,
            origin=d.origin_country,
            exporter_country=d.exporter_country,
            flow=d.flow,
            described={s.category for s in signals},
        )
        embargo = g.embargoed(d.destination_country, d.date) or g.embargoed(
            d.consignee_country, d.date
        )
        uv = d.unit_value()
        bands = self.history.bands(d.date) if uv else None
        outlier = bands.check(d.hs6, uv[0], uv[1]) if bands is not None and uv else None
        exporter = party_key(d.exporter_name, d.exporter_id, d.exporter_country)
        consignee = party_key(d.consignee_name, d.consignee_id, d.consignee_country)
        first_seen = self.history.consignee_first_seen(consignee, d.date)
        parties: list[dict[str, Any]] = []
        scores: dict[str, float] = {}
        details: dict[str, Any] = {}
        for role, name, country in (
            ("exporter", d.exporter_name, d.exporter_country),
            ("consignee", d.consignee_name, d.consignee_country),
            ("declarant", d.declarant, None),
        ):
            hits = self.parties.hits(name, country)
            if name:
                parties.append({"role": role, "name": name, "country": country, "hits": hits})
            scores[role] = max((h["score"] for h in hits), default=0.0)
            if hits:
                details[f"{role}_listed_score"] = hits
        facts: dict[str, Any] = {
            "flow": d.flow,
            "date": d.date.isoformat(),
            "hs_code": d.hs_code,
            "hs6": d.hs6,
            "chpl_tier": tier,
            "chpl_tier_group": tier[0] if tier else None,
            "exporter_country": d.exporter_country,
            "consignee_country": d.consignee_country,
            "origin_country": d.origin_country,
            "destination_country": d.destination_country,
            "transit_countries": list(d.transit_countries),
            "route": list(d.route),
            "transport_mode": d.transport_mode,
            "value": d.value,
            "currency": d.currency,
            "unit_value": uv[1] if uv else None,
            "exporter_name": d.exporter_name,
            "consignee_name": d.consignee_name,
            "declarant": d.declarant,
            "description": d.description,
            "end_use": d.end_use,
            "exporter_listed_score": scores["exporter"],
            "consignee_listed_score": scores["consignee"],
            "declarant_listed_score": scores["declarant"],
            "listed_score": max(scores.values()),
            "control_lists": sorted({c.list_id for c in controls}),
            "user_control_lists": sorted(
                {c.list_id for c in controls if c.list_id not in SHIPPED_CONTROL_LISTS}
            ),
            "control_categories": sorted({c.category for c in controls}),
            "national_ban": any("ban" in c.category.lower() for c in controls),
            "embargoed_destination": embargo is not None,
            "description_signals": sorted({s.category for s in signals}),
            "description_controlled": any(s.controlled for s in signals),
            "description_mismatch": bool(mismatches),
            "description_mismatch_kinds": sorted({m.kind for m in mismatches}),
            "value_outlier": outlier is not None,
            "consignee_is_forwarder": bool(FORWARDER.search(d.consignee_name)),
            "consignee_first_seen": first_seen.isoformat() if first_seen else None,
            "consignee_new": first_seen is None,
            "exporter_prior": self.history.exporter_prior(exporter, d.date),
            "exporter_hs_prior": self.history.exporter_hs_prior(exporter, d.hs6, d.date),
            "destination_differs": d.destination_country != d.consignee_country,
        }
        if controls:
            control_detail = [
                {
                    "list_id": c.list_id,
                    "version": c.version,
                    "category": c.category,
                    "matched_code": c.matched_code,
                    "message": c.message,
                }
                for c in controls
            ]
            details["control_lists"] = details["control_categories"] = control_detail
            details["national_ban"] = [c for c in control_detail if "ban" in c["category"].lower()]
        if embargo is not None:
            details["embargoed_destination"] = embargo.message
        if signals:
            details["description_signals"] = details["description_controlled"] = [
                {"category": s.category, "label": s.label, "terms": list(s.terms)} for s in signals
            ]
        if mismatches:
            details["description_mismatch"] = details["description_mismatch_kinds"] = [
                {"kind": m.kind, "message": m.message, "evidence": m.evidence} for m in mismatches
            ]
        if outlier is not None:
            details["value_outlier"] = outlier.message
        return facts, details, parties


def top_reasons(decisions: Iterable[Decision], n: int = 10) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for d in decisions:
        for r in d.reasons:
            counts[r.rule] = counts.get(r.rule, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
