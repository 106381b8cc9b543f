"""Request and response bodies of the HTTP API (pydantic), apart from the core's dataclasses.

The screening bodies carry the same fields as the CLI's JSON (``screen party --json``) and
the batch items the same objects as HITS.jsonl lines; the yente-compatible models are in
:mod:`transitwatch.api.yente`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ErrorBody(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. invalid_input, not_found.")
    message: str = Field(description="What went wrong, written for a person.")
    details: Any = Field(default=None, description="Structured details (validation errors...).")


class ErrorResponse(BaseModel):
    """The one shape of every error response."""

    error: ErrorBody


class Health(BaseModel):
    status: str = Field(examples=["ok"])
    lists_loaded: int = Field(description="Sources with at least one stored version.")
    entities_indexed: int


class VersionOut(BaseModel):
    name: str = "transitwatch"
    version: str
    api: str = Field(description="Version of this HTTP interface.")


class ListVersionOut(BaseModel):
    version_id: str
    source: str
    seq: int
    file_date: str | None
    content_hash: str
    files: list[str]
    loaded_at: str
    entity_count: int
    warnings: int
    current: bool = Field(description="True for the version screening uses now.")


class ListsOut(BaseModel):
    current: dict[str, str] = Field(description="source -> version id in use for screening.")
    versions: list[ListVersionOut]


class PartyIn(BaseModel):
    """One party to screen: the fields of `transitwatch screen party`."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    name: str = Field(description="The name, in any script.", examples=["ОсОО Профлаб"])
    type: str | None = Field(
        default=None, description="person, organization (or company), vessel or aircraft."
    )
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-2, e.g. KG.")
    birth_date: str | None = Field(default=None, description="YYYY, YYYY-MM or YYYY-MM-DD.")
    identifier: str | None = Field(
        default=None, description="INN, OGRN, IMO, passport or registration number."
    )


class ScreenRequest(PartyIn):
    threshold: float | None = Field(
        default=None, ge=0.0, le=1.0, description="Report hits scoring at least this."
    )
    limit: int | None = Field(default=None, ge=1, le=100, description="Most hits to return.")


class HitOut(BaseModel):
    """One hit: the documented HITS.jsonl hit object."""

    source: str
    source_id: str
    schema_: str = Field(alias="schema", serialization_alias="schema")
    caption: str
    matched_name: str
    matched_name_kind: str
    score: float
    explanation: list[str]
    programs: list[str]
    list_version: str

    model_config = ConfigDict(populate_by_name=True)


class ScreenResponse(BaseModel):
    """As `transitwatch screen party --json` prints it."""

    name: str
    threshold: float
    hits: list[HitOut]
    list_versions: dict[str, str]


class BatchQueryIn(BaseModel):
    """One batch item: the columns of QUERIES.csv. Bad values fail this item only."""

    model_config = ConfigDict(extra="ignore")

    id: str | None = Field(default=None, description="Your own reference, echoed back.")
    name: str | None = None
    type: str | None = None
    country: str | None = None
    birth_date: str | None = None
    identifier: str | None = None


class BatchRequest(BaseModel):
    queries: list[BatchQueryIn] = Field(description="At most TRANSITWATCH_MAX_BATCH items.")
    threshold: float | None = Field(default=None, ge=0.0, le=1.0)
    limit: int | None = Field(default=None, ge=1, le=100, description="Most hits per item.")


class BatchItemOut(BaseModel):
    """As one HITS.jsonl line; ``row`` is the item's position in ``queries``, from 1."""

    id: str | None
    name: str | None
    row: int
    hits: list[HitOut]
    error: str | None = None


class BatchResponse(BaseModel):
    threshold: float
    results: list[BatchItemOut]
    list_versions: dict[str, str]
