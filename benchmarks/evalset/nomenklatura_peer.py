"""OpenSanctions' nomenklatura ``LogicV2`` scorer as a pairwise peer for the scorecard.

Needs the optional ``bench`` extra (``nomenklatura``, ``followthemoney``). Usage::

    peer = LogicV2Peer()
    score = peer.score_case(case_row, listed_entity)  # a transitwatch ListedEntity
    report = scorecard.run_pairwise("logic-v2", cases, candidates,
                                    lambda case, key: peer.score_case(case, entities[key]))

A query becomes an FtM entity of schema Person / Organization / Vessel (LegalEntity when the
schema is unknown) with ``name``, ``country`` and, for persons, ``birthDate``; a listed entity
gets its names by kind (primary -> name, alias -> alias, weak_alias -> weakAlias, previous ->
previousName), birth dates, countries, nationalities and the identifiers FtM has a property
for. Scoring calls ``LogicV2.compare(query, candidate, ScoringConfig.defaults())``; the first
call loads nomenklatura's name data (several seconds), so :class:`LogicV2Peer` warms up once
and times every later call (``seconds`` / ``pairs``).

Pitfall: LogicV2 memoises name analysis per entity *id* (``lru_cache`` over
``Entity.__hash__``), so every FtM entity built here gets an id that is a hash of its content;
reusing one id for different queries silently scores every query as the first one.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from followthemoney import model
from followthemoney.proxy import EntityProxy
from nomenklatura.matching import LogicV2, ScoringConfig

if TYPE_CHECKING:
    from transitwatch.lists.model import ListedEntity

SCHEMAS = {
    "person": "Person",
    "organization": "Organization",
    "vessel": "Vessel",
    "aircraft": "Airplane",
}
NAME_PROPS = {"primary": "name", "alias": "alias", "weak_alias": "weakAlias"}
NAME_PROPS["previous"] = "previousName"
IDENTIFIER_PROPS = {
    "inn": "innCode",
    "ogrn": "ogrnCode",
    "passport": "passportNumber",
    "tax_id": "taxNumber",
    "registration": "registrationNumber",
    "lei": "leiCode",
    "swift": "swiftBic",
    "imo": "imoNumber",
    "mmsi": "mmsi",
    "national_id": "idNumber",
}


def _add(proxy: EntityProxy, prop: str, value: Any) -> None:
    if prop in proxy.schema.properties and value:
        proxy.add(prop, value, quiet=True)


def _content_id(proxy: EntityProxy, prefix: str) -> str:
    data = json.dumps([proxy.schema.name, proxy.properties], sort_keys=True, ensure_ascii=False)
    return f"{prefix}-{hashlib.sha1(data.encode('utf-8')).hexdigest()[:16]}"


def query_entity(
    name: str,
    schema: str | None = None,
    country: str | None = None,
    birth_date: str | None = None,
) -> EntityProxy:
    """The FtM entity for a screening query."""
    proxy = model.make_entity(SCHEMAS.get(schema or "", "LegalEntity"))
    _add(proxy, "name", name)
    _add(proxy, "country", (country or "").lower())
    _add(proxy, "birthDate", birth_date)
    proxy.id = _content_id(proxy, "query")
    return proxy


def listed_entity(entity: ListedEntity) -> EntityProxy:
    """The FtM entity for a listed entity (transitwatch ``ListedEntity`` or anything alike)."""
    proxy = model.make_entity(SCHEMAS.get(entity.schema, "LegalEntity"))
    for name in entity.names:
        _add(proxy, NAME_PROPS.get(name.kind, "alias"), name.value)
    for date in entity.birth_dates:
        _add(proxy, "birthDate", date)
    for code in entity.countries:
        _add(proxy, "country", code.lower())
    for code in entity.nationalities:
        _add(proxy, "nationality", code.lower())
    for ident in entity.identifiers:
        _add(proxy, IDENTIFIER_PROPS.get(ident.type, "idNumber"), ident.value)
    proxy.id = _content_id(proxy, f"{entity.source}-{entity.source_id}")
    return proxy


class LogicV2Peer:
    """Scores (query, listed entity) pairs with LogicV2 and keeps the time spent."""

    def __init__(self, warm_up: bool = True) -> None:
        self.config = ScoringConfig.defaults()
        self.seconds = 0.0
        self.pairs = 0
        self._cache: dict[int, EntityProxy] = {}  # by id() of the ListedEntity object
        if warm_up:  # the first compare loads name data; keep it out of the timings
            q = query_entity("Warm Up", "person")
            LogicV2.compare(q, q, self.config)

    def score(self, query: EntityProxy, candidate: EntityProxy) -> float:
        started = time.perf_counter()
        result = LogicV2.compare(query, candidate, self.config)
        self.seconds += time.perf_counter() - started
        self.pairs += 1
        return float(result.score)

    def score_case(self, case: Mapping[str, str], entity: ListedEntity) -> float:
        """Score an eval-set case row against a listed entity (FtM conversion not timed)."""
        query = query_entity(
            case["query_name"],
            case.get("schema") or None,
            case.get("query_country") or None,
            case.get("query_birth_date") or None,
        )
        key = id(entity)
        candidate = self._cache.get(key)
        if candidate is None:
            candidate = self._cache[key] = listed_entity(entity)
        return self.score(query, candidate)

    @property
    def ms_per_pair(self) -> float:
        return 1000 * self.seconds / self.pairs if self.pairs else float("nan")
