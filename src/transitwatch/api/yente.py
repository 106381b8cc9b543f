"""A yente-compatible ``POST /match/{dataset}``: clients of OpenSanctions' yente can point here.

Request and response follow yente's ``EntityMatchQuery`` / ``EntityMatchResponse``: a dict of
query-by-example entities (FollowTheMoney ``schema`` and ``properties``) in, a dict of scored
results out. FtM schemata and properties are mapped onto TransitWatch's PartyQuery; each
result is the listed entity as an FtM-style entity, plus ``explanation`` (why it matched).

``dataset`` is ``default`` (every loaded list) or the name of one loaded source
(``us_ofac_sdn``, ``ftm``...); anything else is 404.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from transitwatch.api.auth import Reader
from transitwatch.api.deps import Loaded, Service
from transitwatch.api.models import ErrorResponse
from transitwatch.errors import InputError, NotFoundError, TransitWatchError
from transitwatch.lists.model import ListedEntity
from transitwatch.screening.types import Hit, PartyQuery

router = APIRouter(tags=["matching (yente-compatible)"])

MAX_QUERIES = 100  # as yente's MAX_BATCH
MAX_VALUES = 5  # names or identifiers tried per query
SCHEMA_TO_QUERY: dict[str, str | None] = {
    "Person": "person",
    "Organization": "organization",
    "Company": "organization",
    "PublicBody": "organization",
    "LegalEntity": None,
    "Thing": None,
    "Vessel": "vessel",
    "Airplane": "aircraft",
}
SCHEMA_TO_FTM = {
    "person": "Person",
    "organization": "Organization",
    "vessel": "Vessel",
    "aircraft": "Airplane",
}
NAME_PROPS = ("name", "alias", "previousName", "weakAlias", "firstName", "lastName")
COUNTRY_PROPS = ("nationality", "country", "jurisdiction", "citizenship", "flag")
ID_PROPS = (
    "innCode",
    "ogrnCode",
    "taxNumber",
    "registrationNumber",
    "imoNumber",
    "passportNumber",
    "idNumber",
    "leiCode",
    "swiftBic",
    "mmsi",
    "kppCode",
    "okpoCode",
    "vatCode",
)
ID_TO_FTM = {
    "inn": "innCode",
    "ogrn": "ogrnCode",
    "kpp": "kppCode",
    "okpo": "okpoCode",
    "tax_id": "taxNumber",
    "registration": "registrationNumber",
    "passport": "passportNumber",
    "national_id": "idNumber",
    "imo": "imoNumber",
    "mmsi": "mmsi",
    "lei": "leiCode",
    "swift": "swiftBic",
}
_ISO2 = re.compile(r"^[A-Za-z]{2}$")
_DATE = re.compile(r"^(\d{4}(-\d{2}(-\d{2})?)?)")

FEATURES = {
    "name": "Best name similarity between the query and a listed name (parts aligned in any "
    "order, across scripts and romanisations).",
    "birth_date": "Factor applied for agreeing or contradicting birth dates.",
    "country": "Factor applied for agreeing or contradicting countries.",
    "identifier": "1.0 when an identifier matches exactly (decisive).",
}


class EntityExample(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str | None = Field(default=None, examples=["my-entity-id"])
    schema_: str = Field(alias="schema", examples=["Person"])
    properties: dict[str, str | list[Any]] = Field(examples=[{"name": ["John Doe"]}])


class EntityMatchQuery(BaseModel):
    weights: dict[str, float] = Field(default_factory=dict, description="Accepted, ignored.")
    queries: dict[str, EntityExample]


class TotalSpec(BaseModel):
    value: int
    relation: str = "eq"


class ScoredEntity(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str
    caption: str
    schema_: str = Field(alias="schema")
    properties: dict[str, list[str]]
    datasets: list[str]
    referents: list[str] = Field(default_factory=list)
    target: bool = True
    first_seen: str | None = None
    last_seen: str | None = None
    last_change: str | None = None
    score: float
    features: dict[str, float]
    match: bool
    explanation: list[str] = Field(description="TransitWatch: why it matched, line by line.")
    list_version: str


class EntityMatches(BaseModel):
    status: int = 200
    results: list[ScoredEntity]
    total: TotalSpec
    query: EntityExample


class FeatureDoc(BaseModel):
    description: str
    coefficient: float = 1.0
    url: str | None = None


class EntityMatchResponse(BaseModel):
    responses: dict[str, EntityMatches]
    matcher: dict[str, FeatureDoc]
    limit: int


def _values(props: dict[str, str | list[Any]], keys: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for key in keys:
        raw = props.get(key)
        items = [raw] if isinstance(raw, str) else (raw or [])
        for item in items:
            text = str(item).strip() if item is not None else ""
            if text and text not in out:
                out.append(text)
    return out


def party_queries(ref: str, example: EntityExample) -> list[PartyQuery]:
    """The PartyQueries one example stands for: each name (and each extra identifier)."""
    if example.schema_ not in SCHEMA_TO_QUERY:
        known = ", ".join(SCHEMA_TO_QUERY)
        raise InputError(f"query {ref!r}: schema {example.schema_!r} is not one of {known}")
    schema = SCHEMA_TO_QUERY[example.schema_]
    props = example.properties
    names = _values(props, NAME_PROPS)
    if not names and (props.get("firstName") or props.get("lastName")):
        names = [" ".join(_values(props, ("firstName", "lastName")))]
    idents = _values(props, ID_PROPS)[:MAX_VALUES]
    countries = [c.upper() for c in _values(props, COUNTRY_PROPS) if _ISO2.match(c)]
    dates = [m.group(1) for d in _values(props, ("birthDate",)) if (m := _DATE.match(d))]
    if not names and not idents:
        raise InputError(f"query {ref!r} has no name and no identifier to match on")
    base = PartyQuery(
        name=names[0] if names else idents[0],
        schema=schema,
        country=countries[0] if countries else None,
        birth_date=dates[0] if dates else None,
        identifier=idents[0] if idents else None,
        id=ref,
    )
    out = [base]
    out += [replace(base, name=n) for n in names[1:MAX_VALUES]]
    out += [replace(base, identifier=i) for i in idents[1:]]
    return out


def entity_id(entity: ListedEntity) -> str:
    return entity.source_id if entity.source == "ftm" else f"{entity.source}-{entity.source_id}"


def ftm_properties(entity: ListedEntity) -> dict[str, list[str]]:
    props: dict[str, list[str]] = {}

    def add(key: str, value: str | None) -> None:
        if value and value not in props.setdefault(key, []):
            props[key].append(value)

    kinds = {"primary": "name", "alias": "alias", "weak_alias": "weakAlias"}
    for name in entity.names:
        add(kinds.get(name.kind, "previousName"), name.value)
    for date in entity.birth_dates:
        add("birthDate", date)
    for country in entity.countries:
        add("country", country.lower())
    for nat in entity.nationalities:
        add("nationality", nat.lower())
    for ident in entity.identifiers:
        add(ID_TO_FTM.get(ident.type, "idNumber"), ident.value)
    for address in entity.addresses:
        add("address", address.full)
    for program in entity.programs:
        add("program", program)
    add("notes", entity.remarks)
    add("createdAt", entity.listed_on)
    return {k: v for k, v in props.items() if v}


def scored(hit: Hit, threshold: float) -> dict[str, Any]:
    e = hit.entity
    return {
        "id": entity_id(e),
        "caption": e.caption,
        "schema": SCHEMA_TO_FTM.get(e.schema, "LegalEntity"),
        "properties": ftm_properties(e),
        "datasets": [e.source],
        "referents": [],
        "target": True,
        "first_seen": e.listed_on,
        "last_seen": None,
        "last_change": None,
        "score": round(hit.score, 4),
        "features": {k: round(v, 4) for k, v in hit.features.items()},
        "match": hit.score >= threshold,
        "explanation": list(hit.explanation),
        "list_version": hit.list_version,
    }


def _restrict(loaded: Loaded, dataset: str) -> set[tuple[str, str]] | None:
    if dataset == "default":
        return None
    if dataset not in loaded.sources:
        known = ", ".join(["default", *sorted(loaded.sources)])
        raise NotFoundError(f"no dataset {dataset!r}: use one of {known}")
    return loaded.sources[dataset]


@router.post(
    "/match/{dataset}",
    response_model=EntityMatchResponse,
    responses={code: {"model": ErrorResponse} for code in (401, 404, 413, 422)},
    summary="Query-by-example matcher (yente-compatible)",
)
def match(
    body: EntityMatchQuery,
    response: Response,
    dataset: str,
    state: Service,
    _: Reader,
    limit: Annotated[int, Query(ge=1, le=500, description="Results per query.")] = 5,
    threshold: Annotated[
        float | None, Query(ge=0.0, le=1.0, description="A match from this score (default: ours).")
    ] = None,
    cutoff: Annotated[
        float, Query(ge=0.0, le=1.0, description="Lowest score returned at all.")
    ] = 0.5,
    algorithm: Annotated[
        str, Query(description="Accepted for compatibility; there is one algorithm.")
    ] = "transitwatch",
    include_dataset: Annotated[
        list[str] | None, Query(description="Only results from these sources.")
    ] = None,
    exclude_dataset: Annotated[
        list[str] | None, Query(description="No results from these sources.")
    ] = None,
    exclude_schema: Annotated[
        list[str] | None, Query(description="No results of these FtM schemata.")
    ] = None,
) -> dict[str, Any]:
    """Match entities given by example (FtM ``schema`` and ``properties``), each query in
    ``queries`` answered under the same key in ``responses``, as yente answers."""
    if not body.queries:
        raise InputError("no queries provided")
    if len(body.queries) > MAX_QUERIES:
        raise InputError(f"too many queries in one batch (limit: {MAX_QUERIES})")
    loaded = state.loaded()
    only = _restrict(loaded, dataset)
    match_at = state.config.threshold if threshold is None else threshold
    cut = min(cutoff, match_at)
    responses: dict[str, Any] = {}
    for ref, example in body.queries.items():
        best: dict[tuple[str, str], Hit] = {}
        queries = party_queries(ref, example)
        for query in queries:
            try:
                hits = loaded.screener.screen(query, threshold=cut, limit=limit * 2, restrict=only)
            except TransitWatchError as exc:
                raise InputError(f"query {ref!r}: {exc.message}") from exc
            for hit in hits:
                key = (hit.entity.source, hit.entity.source_id)
                if key not in best or hit.score > best[key].score:
                    best[key] = hit
        kept = [
            h
            for h in best.values()
            if (not include_dataset or h.entity.source in include_dataset)
            and h.entity.source not in (exclude_dataset or ())
            and SCHEMA_TO_FTM.get(h.entity.schema) not in (exclude_schema or ())
        ]
        kept.sort(key=lambda h: (-h.score, h.entity.source, h.entity.source_id))
        state.record(queries[0], list(kept[:limit]), loaded.versions)
        responses[ref] = {
            "status": 200,
            "results": [scored(h, match_at) for h in kept[:limit]],
            "total": {"value": len(kept), "relation": "eq"},
            "query": example.model_dump(by_alias=True),
        }
    response.headers["x-batch-size"] = str(len(responses))
    matcher = {k: {"description": v, "coefficient": 1.0, "url": None} for k, v in FEATURES.items()}
    return {"responses": responses, "matcher": matcher, "limit": limit}
