"""Declarative risk profiles (YAML): rules of conditions on facts, each with a weight or a
forced lane, in the spirit of ASYCUDA selectivity criteria.

A profile file::

    id: tw-core                     # profile id, recorded with every decision
    version: "2024.11"              # recorded too: which rules decided
    title: ...
    sources:                        # citations the rules refer to
      - {id: chpl, citation: "...", url: "..."}
    rules:
      - id: TW-CHPL-RU-001
        message: "Tier {chpl_tier} CHPL goods routed via {route}"  # {fact} placeholders
        weight: 60                  # added to the score; and/or
        force_lane: red             # the lane is at least this one
        valid_from: 2022-02-24      # inclusive, on the declaration date
        valid_to: null              # inclusive; null = open
        sources: [chpl]
        conditions:                 # all must hold (AND); values are tests on facts
          chpl_tier: {in: ["1", "2"]}
          route: {intersects: [RU, BY]}
          any_of:                   # optional: at least one of these mappings holds (OR)
            - {flow: export}
            - {flow: transit}

Tests: ``eq ne in not_in gt gte lt lte prefix intersects disjoint is exists before after``; a bare
value means ``eq``. The facts a condition may name are in :data:`FACTS`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from transitwatch.declarations.model import LANES
from transitwatch.errors import InputError

FACTS: dict[str, str] = {
    "flow": "export, import or transit",
    "date": "declaration date (YYYY-MM-DD)",
    "hs_code": "declared HS code (6-10 digits)",
    "hs6": "first six digits of the HS code",
    "chpl_tier": "CHPL tier of the HS code: 1, 2, 3.A, 3.B, 4.A, 4.B (none: null)",
    "chpl_tier_group": "CHPL tier number only: 1, 2, 3 or 4",
    "exporter_country": "ISO2",
    "consignee_country": "ISO2",
    "origin_country": "ISO2",
    "destination_country": "ISO2",
    "transit_countries": "list of ISO2",
    "route": "every country touched: origin, exporter, transit, destination, consignee",
    "transport_mode": "road, rail, air, sea, post, other",
    "value": "declared value",
    "currency": "ISO 4217",
    "unit_value": "value per declared unit (or per kg)",
    "exporter_name": "text",
    "consignee_name": "text",
    "declarant": "text",
    "description": "text",
    "end_use": "text",
    "exporter_listed_score": "best party-screening score of the exporter (0 = no hit)",
    "consignee_listed_score": "best party-screening score of the consignee (0 = no hit)",
    "declarant_listed_score": "best party-screening score of the declarant (0 = no hit)",
    "listed_score": "best of the three",
    "control_lists": "ids of control lists that cover the goods for this trade",
    "user_control_lists": "ids of the user's own control lists (--control-list) that cover them",
    "control_categories": "categories of those control hits",
    "national_ban": "a national export/import ban covers the goods (true/false)",
    "embargoed_destination": "destination or consignee country is under an embargo (RU, BY)",
    "description_signals": "categories of controlled goods the description names",
    "description_controlled": "the description names controlled goods (true/false)",
    "description_mismatch": "description and HS code disagree (true/false)",
    "description_mismatch_kinds": "kinds of disagreement (controlled_goods_under_other_code ...)",
    "value_outlier": "unit value outside the band of past declarations (true/false)",
    "consignee_is_forwarder": "consignee name looks like a freight forwarder/logistics firm",
    "consignee_first_seen": "date the consignee first appeared in earlier declarations",
    "consignee_new": "the consignee has no declaration before this one (true/false)",
    "exporter_prior": "number of earlier declarations of the exporter",
    "exporter_hs_prior": "number of earlier declarations of the exporter with this HS-6",
    "destination_differs": "destination country is not the consignee's country (true/false)",
}
_OPS = "eq ne in not_in gt gte lt lte prefix intersects disjoint is exists before after"
OPERATORS = frozenset(_OPS.split())
LIST_OPS = ("in", "not_in", "intersects", "disjoint", "prefix")


class ProfileError(InputError):
    """A profile file is not valid; says which file and which rule/field."""

    code = "profile_error"


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    message: str
    weight: float
    force_lane: str | None
    valid_from: date | None
    valid_to: date | None
    conditions: Mapping[str, Any]
    sources: tuple[str, ...]
    profile: str
    evidence: tuple[str, ...] = ()

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or day >= self.valid_from) and (
            self.valid_to is None or day <= self.valid_to
        )


@dataclass(frozen=True, slots=True)
class Profile:
    id: str
    version: str
    title: str
    sources: tuple[dict[str, str], ...]
    rules: tuple[Rule, ...]
    thresholds: dict[str, float]  # lane -> minimum score (red, yellow, blue)
    path: str = ""

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"


DEFAULT_THRESHOLDS = {"red": 60.0, "yellow": 30.0, "blue": 15.0}


def shipped_profile_paths() -> list[Path]:
    return sorted((Path(__file__).parent.parent / "data" / "profiles").glob("*.yml"))


def load_profiles(paths: Sequence[str | Path] | None = None) -> list[Profile]:
    """The given profile files (default: the shipped ones); rule ids must be unique overall."""
    files = [Path(p) for p in paths] if paths else shipped_profile_paths()
    return check_rule_ids([load_profile(p) for p in files])


def check_rule_ids(profiles: list[Profile]) -> list[Profile]:
    """``profiles``, or ProfileError when two of them share a rule id."""
    seen: dict[str, str] = {}
    for prof in profiles:
        for rule in prof.rules:
            if rule.id in seen:
                raise ProfileError(
                    f"{prof.path}: rule id {rule.id!r} is also in profile {seen[rule.id]}"
                )
            seen[rule.id] = prof.ref
    return profiles


def load_profile(path: str | Path) -> Profile:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ProfileError(f"{path}: cannot be read ({exc.strerror})") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ProfileError(f"{path}: not valid YAML ({exc})") from None
    return parse_profile(data, str(path))


def _fail(where: str, field: str, message: str) -> ProfileError:
    return ProfileError(f"{where}: {field}: {message}")


def _date(value: Any, where: str, field: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise _fail(where, field, f"{value!r} is not a date YYYY-MM-DD") from None


def parse_profile(data: Any, where: str = "profile") -> Profile:
    if not isinstance(data, dict):
        raise _fail(where, "(file)", "a profile is a mapping with id, version and rules")
    for key in ("id", "version", "rules"):
        if key not in data or data[key] in (None, ""):
            raise _fail(where, key, "required")
    pid, version = str(data["id"]), str(data["version"])
    sources = data.get("sources") or []
    if not isinstance(sources, list) or not all(
        isinstance(s, dict) and s.get("id") and s.get("citation") for s in sources
    ):
        raise _fail(where, "sources", "a list of {id, citation, url} mappings")
    source_ids = {str(s["id"]) for s in sources}
    thresholds = dict(DEFAULT_THRESHOLDS)
    for lane, value in (data.get("thresholds") or {}).items():
        if lane not in thresholds or not isinstance(value, int | float):
            raise _fail(where, f"thresholds.{lane}", "use red/yellow/blue: number")
        thresholds[lane] = float(value)
    rules_data = data["rules"]
    if not isinstance(rules_data, list) or not rules_data:
        raise _fail(where, "rules", "a non-empty list of rules")
    rules: list[Rule] = []
    ids: set[str] = set()
    for i, raw in enumerate(rules_data):
        rule = _parse_rule(raw, where, f"rules[{i}]", pid, source_ids)
        if rule.id in ids:
            raise _fail(where, f"rules[{i}].id", f"duplicate rule id {rule.id!r}")
        ids.add(rule.id)
        rules.append(rule)
    return Profile(
        pid,
        version,
        str(data.get("title", "")),
        tuple({k: str(v) for k, v in s.items()} for s in sources),
        tuple(rules),
        thresholds,
        where,
    )


def _parse_rule(raw: Any, where: str, at: str, pid: str, source_ids: set[str]) -> Rule:
    if not isinstance(raw, dict):
        raise _fail(where, at, "a rule is a mapping")
    rid = raw.get("id")
    if not rid or not isinstance(rid, str):
        raise _fail(where, f"{at}.id", "required (a string)")
    at = f"{at} ({rid})"
    message = raw.get("message")
    if not message or not isinstance(message, str):
        raise _fail(where, f"{at}.message", "required (a string)")
    weight = raw.get("weight", 0)
    if not isinstance(weight, int | float) or isinstance(weight, bool):
        raise _fail(where, f"{at}.weight", f"{weight!r} is not a number")
    lane = raw.get("force_lane")
    if lane is not None and lane not in LANES:
        raise _fail(where, f"{at}.force_lane", f"{lane!r} is not one of {', '.join(LANES)}")
    if not weight and lane is None:
        raise _fail(where, at, "needs a weight or a force_lane")
    start = _date(raw.get("valid_from"), where, f"{at}.valid_from")
    end = _date(raw.get("valid_to"), where, f"{at}.valid_to")
    if start and end and end < start:
        raise _fail(where, f"{at}.valid_to", "is before valid_from")
    conditions = raw.get("conditions")
    if not isinstance(conditions, dict) or not conditions:
        raise _fail(where, f"{at}.conditions", "a non-empty mapping of fact: test")
    _check_conditions(conditions, where, f"{at}.conditions")
    sources = tuple(str(s) for s in raw.get("sources") or ())
    unknown = [s for s in sources if s not in source_ids]
    if unknown:
        raise _fail(where, f"{at}.sources", f"unknown source ids {unknown}")
    evidence = tuple(str(f) for f in raw.get("evidence") or ())
    for fact in evidence:
        if fact not in FACTS:
            raise _fail(where, f"{at}.evidence", f"unknown fact {fact!r}")
    return Rule(rid, message, float(weight), lane, start, end, conditions, sources, pid, evidence)


def _check_conditions(conditions: Mapping[str, Any], where: str, at: str) -> None:
    for fact, test in conditions.items():
        if fact == "any_of":
            if not isinstance(test, list) or not all(isinstance(t, dict) for t in test):
                raise _fail(where, f"{at}.any_of", "a list of condition mappings")
            for j, sub in enumerate(test):
                _check_conditions(sub, where, f"{at}.any_of[{j}]")
            continue
        if fact not in FACTS:
            raise _fail(where, f"{at}.{fact}", f"unknown fact (known: {', '.join(FACTS)})")
        if isinstance(test, dict):
            for op, operand in test.items():
                if op not in OPERATORS:
                    raise _fail(
                        where, f"{at}.{fact}.{op}", f"unknown test (use {' '.join(OPERATORS)})"
                    )
                if op in LIST_OPS and not isinstance(operand, list):
                    raise _fail(where, f"{at}.{fact}.{op}", "needs a list")
                if op in ("gt", "gte", "lt", "lte") and not isinstance(operand, int | float):
                    raise _fail(where, f"{at}.{fact}.{op}", "needs a number")


# -- evaluation ------------------------------------------------------------------------------


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list | tuple | set | frozenset):
        return list(value)
    return [value]


def check(value: Any, op: str, operand: Any) -> bool:
    """One test of one fact value."""
    if op == "exists":
        return bool(_as_list(value)) is bool(operand)
    if op == "is":
        return bool(value) is bool(operand)
    if op == "intersects":
        return bool(set(_as_list(value)) & set(operand))
    if op == "disjoint":
        return not set(_as_list(value)) & set(operand)
    if value is None:
        return op in ("ne", "not_in")
    if op == "eq":
        return bool(value == operand)
    if op == "ne":
        return bool(value != operand)
    if op == "in":
        return bool(value in operand)
    if op == "not_in":
        return bool(value not in operand)
    if op == "prefix":
        return any(str(value).startswith(str(p)) for p in operand)
    if op in ("before", "after"):
        left, right = str(value), str(operand)
        return left < right if op == "before" else left > right
    num, bound = float(value), float(operand)
    if op == "gt":
        return num > bound
    if op == "gte":
        return num >= bound
    if op == "lt":
        return num < bound
    return num <= bound  # lte


def matches(conditions: Mapping[str, Any], facts: Mapping[str, Any], used: dict[str, Any]) -> bool:
    """All conditions hold; the facts that made them hold go into ``used``."""
    for fact, spec in conditions.items():
        if fact == "any_of":
            if not any(matches(sub, facts, used) for sub in spec):
                return False
            continue
        value = facts.get(fact)
        tests = spec if isinstance(spec, dict) else {"eq": spec}
        if not all(check(value, op, operand) for op, operand in tests.items()):
            return False
        used[fact] = value
    return True
