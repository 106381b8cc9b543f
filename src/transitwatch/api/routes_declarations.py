"""Declaration screening: ``POST /declarations/screen`` (a JSON body or an uploaded file), and
the screened batches: ``GET /declarations/runs``, ``GET /declarations/runs/{run_id}/decisions``.

Screening works as `transitwatch declarations screen` does: the shipped risk profiles and
control lists, the party screener of the service, the store's declaration history; one
decision per accepted row, in input order; rejected rows with every bad field. The run is
appended to the audit record (``declaration_decisions``), the accepted rows to the history,
and every red or yellow decision opens a case. Needs an analyst key (it writes).

The CLI's options are request options: ``red_rate``, ``yellow_rate``, ``random_rate``,
``seed``, ``threshold``, ``min_count``, ``drone_ban_start``. What the CLI reads from files
comes as content, never as a server path: ``profiles`` (risk profile YAML; they replace the
shipped profiles, as ``--profile`` does) and ``control_lists`` (YAML or CSV, added to the
shipped lists, as ``--control-list`` does), each at most :data:`MAX_DOCUMENT_BYTES` and
:data:`MAX_DOCUMENTS` of a kind, checked before anything is screened (a mistake is a 422
naming the document, row and field). ``--hs-dir`` becomes ``hs_nomenclature: true``: the HS
nomenclature staged in the server's data folder (``TRANSITWATCH_DATA/hs_nomenclature``).
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePath
from typing import Annotated, Any, Literal

import yaml
from fastapi import APIRouter, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from transitwatch import settings
from transitwatch.api.auth import Analyst, Reader
from transitwatch.api.case_hooks import open_declaration_cases
from transitwatch.api.deps import PayloadTooLarge, Service, ServiceState
from transitwatch.api.models import ErrorResponse
from transitwatch.declarations.engine import Engine, top_reasons
from transitwatch.declarations.history import History
from transitwatch.declarations.lanes import LanePolicy, lane_counts
from transitwatch.declarations.model import LANES, Decision, Rejected
from transitwatch.declarations.parse import Parsed, parse_bytes, validate_records
from transitwatch.declarations.profiles import (
    Profile,
    ProfileError,
    check_rule_ids,
    load_profiles,
    parse_profile,
)
from transitwatch.errors import InputError, NotFoundError, ParseError
from transitwatch.goods.controls import (
    builtin_lists,
    control_list_from_csv,
    control_list_from_mapping,
)
from transitwatch.goods.model import ControlList
from transitwatch.lists.io import decode_text
from transitwatch.store.attached import duckdb_connection
from transitwatch.store.declarations import DecisionFilter, DeclarationStore

router = APIRouter(tags=["declarations"])
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (401, 403, 413, 415, 422, 503)
}
READ_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (401, 404, 422)
}

MAX_DOCUMENTS = 10
"""Most profiles, and most control lists, one request may carry."""
MAX_DOCUMENT_BYTES = 256 * 1024
"""Largest profile or control list document (UTF-8 bytes)."""
DRONE_BAN_ID = "kg_drone_export_ban"

Lane = Literal["red", "yellow", "blue", "green"]
assert set(Lane.__args__) == set(LANES)  # type: ignore[attr-defined]


class Options(BaseModel):
    """The options of `transitwatch declarations screen`."""

    model_config = ConfigDict(extra="forbid")

    red_rate: float = Field(default=0.05, ge=0.0, le=1.0, description="Red-lane quota.")
    yellow_rate: float = Field(default=0.15, ge=0.0, le=1.0, description="Yellow-lane quota.")
    random_rate: float = Field(default=0.01, ge=0.0, le=1.0, description="Random inspection.")
    seed: int = Field(default=0, description="Seed of the random inspection draw.")
    threshold: float | None = Field(default=None, ge=0.0, le=1.0, description="Party cut.")
    min_count: int = Field(default=20, ge=1, description="Past rows needed for a value band.")
    drone_ban_start: date | None = Field(
        default=None,
        description="Start date (YYYY-MM-DD) of Kyrgyzstan's drone export ban (default: the "
        "date in the shipped list).",
    )
    hs_nomenclature: bool = Field(
        default=False,
        description="Describe HS codes from the HS nomenclature staged on the server "
        "(TRANSITWATCH_DATA/hs_nomenclature), as --hs-dir does.",
    )


class ControlListIn(BaseModel):
    """A control list document (the format of `--control-list`)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="control-list.yml", max_length=200, description="For messages.")
    format: Literal["yaml", "csv"] | None = Field(
        default=None, description="yaml or csv (default: from the name's suffix; else yaml)."
    )
    content: str = Field(max_length=MAX_DOCUMENT_BYTES)


class DeclarationsIn(Options):
    declarations: list[dict[str, Any]] = Field(
        description="Rows with the columns of a declarations file (declaration_id, date, ...)."
    )
    profiles: list[Annotated[str, Field(max_length=MAX_DOCUMENT_BYTES)]] = Field(
        default_factory=list,
        max_length=MAX_DOCUMENTS,
        description="Risk profile YAML documents; they replace the shipped profiles.",
    )
    control_lists: list[ControlListIn] = Field(
        default_factory=list,
        max_length=MAX_DOCUMENTS,
        description="Your own control lists; they add to the shipped ones.",
    )


@dataclass(frozen=True, slots=True)
class Document:
    """A profile or control list sent with the request: a name (for messages) and bytes."""

    name: str
    data: bytes
    format: str | None = None


@dataclass(frozen=True, slots=True)
class Custom:
    """What a request adds to or changes in the rules: None/empty means the shipped ones."""

    profiles: tuple[Document, ...] = ()
    control_lists: tuple[Document, ...] = ()


# -- the rules a request screens with ------------------------------------------------------------


@functools.cache
def _shipped_profiles() -> list[Profile]:
    return load_profiles(None)


@functools.lru_cache(maxsize=16)
def _builtin(ban_start: date | None) -> tuple[ControlList, ...]:
    params = {DRONE_BAN_ID: {"start_date": ban_start}} if ban_start else {}
    return tuple(builtin_lists(params))


@functools.cache
def _default_goods() -> Any:
    from transitwatch.goods import GoodsKnowledge

    return GoodsKnowledge.default()


@functools.lru_cache(maxsize=2)
def _hs(folder: str) -> Any:
    from transitwatch.goods.hs import HsNomenclature

    return HsNomenclature.load(Path(folder))


def staged_hs() -> Any:
    """The HS nomenclature of the server's data folder; InputError if it has none."""
    folder = Path(settings.get("data")).expanduser() / "hs_nomenclature"
    if not folder.is_dir():
        raise InputError(
            "this server has no HS nomenclature staged (TRANSITWATCH_DATA/hs_nomenclature): "
            "screen without hs_nomenclature"
        )
    return _hs(str(folder.resolve()))


class _NoAliasLoader(yaml.SafeLoader):
    """Safe YAML without anchors and aliases: a small upload cannot expand into a huge tree."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise yaml.YAMLError(f"line {mark.line + 1}: aliases (*name) are not accepted")
        return super().compose_node(parent, index)


def _name(raw: str | None, default: str) -> str:
    """A document's name for messages: its base name, printable, at most 100 characters."""
    name = PurePath((raw or "").replace("\\", "/")).name
    name = "".join(c for c in name if c.isprintable())[:100]
    return name or default


def _text(doc: Document, kind: str) -> str:
    if len(doc.data) > MAX_DOCUMENT_BYTES:
        raise PayloadTooLarge(f"{kind} {doc.name} is larger than {MAX_DOCUMENT_BYTES // 1024} KiB")
    return decode_text(doc.data, doc.name, ("utf-8", "cp1251"))


def _yaml(text: str, where: str, error: type[InputError]) -> Any:
    try:
        return yaml.load(text, Loader=_NoAliasLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise error(f"{where}: not valid YAML ({exc})") from None
    except RecursionError:
        raise error(f"{where}: nested too deeply") from None


def custom_profiles(docs: Sequence[Document]) -> list[Profile]:
    """Uploaded risk profiles, checked as `--profile` files are (rule ids unique overall)."""
    return check_rule_ids(
        [parse_profile(_yaml(_text(d, "profile"), d.name, ProfileError), d.name) for d in docs]
    )


def custom_control_lists(docs: Sequence[Document]) -> list[ControlList]:
    """Uploaded control lists, in the format of `--control-list` files. A YAML list may not
    name a ``codes_file``: that would read a file on the server."""
    out = []
    for doc in docs:
        text = _text(doc, "control list")
        kind = doc.format or ("csv" if doc.name.lower().endswith(".csv") else "yaml")
        if kind == "csv":
            out.append(control_list_from_csv(text, doc.name))
            continue
        data = _yaml(text, doc.name, ParseError)
        if not isinstance(data, dict):
            raise ParseError("expected a YAML mapping with id, name, version ...", path=doc.name)
        out.append(control_list_from_mapping(data, doc.name))
    return out


def goods_for(options: Options, extra: Sequence[ControlList]) -> Any:
    """The goods knowledge a request screens with (the cached default when nothing changes)."""
    from transitwatch.goods import GoodsKnowledge

    if not extra and options.drone_ban_start is None and not options.hs_nomenclature:
        return _default_goods()
    hs = staged_hs() if options.hs_nomenclature else None
    return GoodsKnowledge([*_builtin(options.drone_ban_start), *extra], hs=hs)


def rejects_json(rejected: list[Rejected]) -> list[dict[str, Any]]:
    """As the CLI's rejects file."""
    return [
        {
            "row": r.row,
            "declaration_id": r.declaration_id,
            "errors": [{"field": f, "message": m} for f, m in r.problems],
            "record": json.loads(
                json.dumps(
                    {k: v for k, v in r.raw.items() if not str(k).startswith("__")}, default=str
                )
            ),
        }
        for r in rejected
    ]


# -- reading the request -------------------------------------------------------------------------


def _options(data: dict[str, Any], model: type[Options]) -> Options:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False)) from None


async def _document(value: UploadFile | str, field: str, i: int) -> Document:
    if isinstance(value, str):
        return Document(f"{field}-{i}", value.encode("utf-8"))
    data = await value.read(MAX_DOCUMENT_BYTES + 1)
    return Document(_name(value.filename, f"{field}-{i}"), data)


async def _read(request: Request) -> tuple[Parsed, Options, str, Custom]:
    """(parsed rows, options, source name, uploaded rules) from a JSON body or a multipart
    upload (the declarations in ``file``; profiles in ``profile``, control lists in
    ``control_list``, each repeatable; the options as fields)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json":
        try:
            data = await request.json()
        except ValueError:
            raise InputError("the request body is not valid JSON") from None
        if not isinstance(data, dict):
            raise InputError('the body must be an object: {"declarations": [...], ...}')
        body = _options(data, DeclarationsIn)
        assert isinstance(body, DeclarationsIn)
        custom = Custom(
            tuple(
                Document(f"profile-{i}", p.encode("utf-8")) for i, p in enumerate(body.profiles, 1)
            ),
            tuple(
                Document(_name(c.name, f"control-list-{i}"), c.content.encode("utf-8"), c.format)
                for i, c in enumerate(body.control_lists, 1)
            ),
        )
        records = ((i, row) for i, row in enumerate(body.declarations, 1))
        accepted, rejected = validate_records(records)
        return Parsed(accepted, rejected, "utf-8", "json"), body, "api:json", custom
    if kind == "multipart/form-data":
        form = await request.form(max_files=1 + 2 * MAX_DOCUMENTS, max_fields=50)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InputError("the upload has no file: send it in the form field 'file'")
        documents: dict[str, list[Document]] = {}
        for field in ("profile", "control_list"):
            values = form.getlist(field)
            if len(values) > MAX_DOCUMENTS:
                raise InputError(f"at most {MAX_DOCUMENTS} {field} documents per request")
            documents[field] = [await _document(v, field, i) for i, v in enumerate(values, 1)]
        fields: dict[str, Any] = {}
        for key, value in form.multi_items():
            if key in ("file", "profile", "control_list"):
                continue
            if not isinstance(value, str):
                raise InputError(f"the form field {key!r} must be a value, not a file")
            fields[key] = value
        options = _options(fields, Options)
        raw = await upload.read()
        name = upload.filename or "upload"
        parsed = await run_in_threadpool(parse_bytes, raw, name)
        custom = Custom(tuple(documents["profile"]), tuple(documents["control_list"]))
        return parsed, options, f"api:{name}", custom
    raise InputError(
        'send declarations as application/json ({"declarations": [...]}) or as a '
        f"multipart/form-data upload (field 'file', CSV or JSON lines), not {kind or 'nothing'}"
    )


# -- screening -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Screening:
    """One screened run, recorded: its decisions, the cases they opened, the engine used."""

    run_id: str
    decisions: list[Decision]
    cases: dict[str, str]  # declaration id -> case id
    engine: Engine
    added_to_history: int
    list_versions: dict[str, str]


def run_screening(
    state: ServiceState,
    parsed: Parsed,
    options: Options,
    source: str,
    custom: Custom | None = None,
) -> Screening:
    """Screen the accepted rows with the request's rules; record the run and open cases."""
    from transitwatch.goods import UnitValueBands

    custom = custom or Custom()
    profiles = custom_profiles(custom.profiles) if custom.profiles else _shipped_profiles()
    goods = goods_for(options, custom_control_lists(custom.control_lists))
    policy = LanePolicy(
        options.red_rate, options.yellow_rate, options.random_rate, "red", options.seed
    )
    loaded = state.loaded()
    with state.lock:
        dstore = DeclarationStore.of(state.store)
        rows = dstore.history_rows()
    history = History(rows, fit=lambda r: UnitValueBands.fit(r, min_count=options.min_count))
    cut = state.config.threshold if options.threshold is None else options.threshold
    engine = Engine(profiles, goods, loaded.screener, history=history, threshold=cut, policy=policy)
    decisions = engine.screen(parsed.accepted)
    with state.lock:
        run_id = dstore.record_decisions(
            decisions, engine.profile_versions, loaded.versions, source
        )
        added = dstore.add_history(parsed.accepted)
    cases = open_declaration_cases(state, decisions, run_id)
    return Screening(run_id, decisions, cases, engine, added, dict(loaded.versions))


def screen_parsed(
    state: ServiceState,
    parsed: Parsed,
    options: Options,
    source: str,
    custom: Custom | None = None,
) -> dict[str, Any]:
    """Screen accepted rows, record the run and open cases; the response body."""
    done = run_screening(state, parsed, options, source, custom)
    out = []
    for d in done.decisions:
        item = d.to_json_dict()
        item["row"] = d.row
        item["random"] = d.random
        item["case_id"] = done.cases.get(d.declaration_id)
        out.append(item)
    return {
        "run_id": done.run_id,
        "decisions": out,
        "rejects": rejects_json(parsed.rejected),
        "summary": {
            "screened": len(done.decisions),
            "rejected": len(parsed.rejected),
            "lanes": lane_counts(done.decisions),
            "top_reasons": [{"rule": r, "count": n} for r, n in top_reasons(done.decisions)],
            "parties_screened": done.engine.parties.screened,
            "cases_opened_or_found": len(done.cases),
            "added_to_history": done.added_to_history,
            "format": parsed.format,
            "encoding": parsed.encoding,
        },
        "profile_versions": done.engine.profile_versions,
        "control_lists": {c.id: c.version for c in getattr(done.engine.goods, "lists", ())},
        "list_versions": done.list_versions,
    }


_FILE = {"type": "string", "format": "binary"}
_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": DeclarationsIn.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": _FILE,
                        "profile": {
                            "type": "array",
                            "items": _FILE,
                            "maxItems": MAX_DOCUMENTS,
                            "description": "Risk profile YAML files (replace the shipped ones).",
                        },
                        "control_list": {
                            "type": "array",
                            "items": _FILE,
                            "maxItems": MAX_DOCUMENTS,
                            "description": "Control lists, .yml/.yaml or .csv (added).",
                        },
                        **Options.model_json_schema()["properties"],
                    },
                }
            },
        },
    }
}


@router.post(
    "/declarations/screen",
    responses=ERRORS,
    summary="Screen declarations into lanes",
    openapi_extra=_BODY,
)
async def screen_declarations(request: Request, state: Service, _: Analyst) -> dict[str, Any]:
    """One decision per accepted row, in input order (``row`` = its line or record number),
    each with lane, score, reasons, parties and the ``case_id`` a red or yellow lane opened;
    ``rejects`` as the CLI's rejects file; ``summary`` counts lanes and top reasons. JSON:
    ``{"declarations": [rows], "red_rate": ..., "seed": ..., "profiles": ["yaml"],
    "control_lists": [{"name": "x.csv", "content": "..."}]}``; or a multipart upload of a CSV
    or JSON-lines file (UTF-8 or cp1251) in the field ``file``, profiles in ``profile`` and
    control lists in ``control_list`` (files, repeatable), the options as fields."""
    parsed, options, source, custom = await _read(request)
    return await run_in_threadpool(screen_parsed, state, parsed, options, source, custom)


# -- screened batches ----------------------------------------------------------------------------


@contextlib.contextmanager
def declaration_reader(state: ServiceState) -> Iterator[DeclarationStore]:
    """The declaration tables on a DuckDB cursor of their own, for reads: a filter that scans a
    whole batch runs in its own transaction without holding the service's lock, so screening
    and decisions go on meanwhile."""
    with state.lock:
        DeclarationStore.of(state.store)  # creates the tables on first use
        cursor = duckdb_connection(state.store, "declaration batches").cursor()
    try:
        yield DeclarationStore.reader(cursor)
    finally:
        cursor.close()


@router.get("/declarations/runs", responses=READ_ERRORS, summary="Screened batches")
def list_runs(
    state: Service,
    _: Reader,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """Screened batches, newest first: source, time, decisions by lane."""
    with declaration_reader(state) as dstore:
        found = dstore.runs(limit, offset)
    return {
        "runs": [r.to_json_dict() for r in found],
        "count": len(found),
        "limit": limit,
        "offset": offset,
    }


@router.get(
    "/declarations/runs/{run_id}/decisions",
    responses=READ_ERRORS,
    summary="A batch's decisions, filtered and paged",
)
def run_decisions(
    run_id: str,
    state: Service,
    _: Reader,
    lane: Annotated[Lane | None, Query(description="Only this lane.")] = None,
    rule: Annotated[str | None, Query(max_length=100, description="Only where it fired.")] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="In the declaration id or a party name.")
    ] = None,
    hits: Annotated[bool, Query(description="Only decisions with a party hit.")] = False,
    order: Annotated[
        Literal["input", "queue"],
        Query(description="input: file order; queue: red first, then by score."),
    ] = "input",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """One page of the decisions of a screened batch, with ``total`` (how many pass the
    filters) and ``lanes`` (how many pass the other filters, by lane)."""
    where = DecisionFilter(lane, rule or None, (q or "").strip() or None, hits)
    with declaration_reader(state) as dstore:
        summary = dstore.run(run_id)
        if summary is None:
            raise NotFoundError(f"there is no screened batch {run_id!r}")
        lanes, page = dstore.filtered_page(run_id, where, limit=limit, offset=offset, order=order)
    total = lanes[lane] if lane else sum(lanes.values())
    return {
        "run": summary.to_json_dict(),
        "total": total,
        "lanes": lanes,
        "limit": limit,
        "offset": offset,
        "count": len(page),
        "decisions": [
            {**item["decision"], "seq": item["seq"], "random": item["random"]} for item in page
        ],
    }
