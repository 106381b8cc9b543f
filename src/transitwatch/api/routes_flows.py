"""Trade-flow indicators: ``GET /flows/growth|mirror|reexport|zero|hotspots|chpl|report``.

The parameters of `transitwatch flows ...` as query parameters (repeat a list parameter or
separate codes with commas); JSON rows as `--json` prints them, and the HTML report. They
read the ``trade_flows`` table of the service's store (a cursor on its connection). The
HS2017->HS2022 concordance file of the CLI (``--hs-correlation``) is not offered: the API
does not read files from the server's disk.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Iterator, Sequence
from typing import Annotated, Any

import duckdb
from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from transitwatch.api.auth import Reader
from transitwatch.api.deps import Service, ServiceState
from transitwatch.api.models import ErrorResponse
from transitwatch.errors import InputError, NotFoundError
from transitwatch.flows.chpl import chpl_growth, load_chpl
from transitwatch.flows.hotspots import hotspots as hotspot_rows
from transitwatch.flows.indicators import DEFAULT_CIF_FOB, growth, mirror, reexport
from transitwatch.flows.indicators import zero_to_positive as zero_rows
from transitwatch.flows.report import TRANSITS, collect, render
from transitwatch.flows.sql import Filters
from transitwatch.store.attached import duckdb_connection

router = APIRouter(prefix="/flows", tags=["flows"])
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (401, 404, 422)
}

Codes = Annotated[list[str] | None, Query(description="ISO2 or EU27 (repeat, or a,b).")]
Baseline = Annotated[str, Query(description="Baseline window YYYY or YYYY-YYYY.")]
Monthly = Annotated[bool, Query(description="Monthly instead of annual.")]


@contextlib.contextmanager
def flows_cursor(state: ServiceState) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor (its own connection to the same database) on the service's store."""
    con = duckdb_connection(state.store, "the flow indicators")
    with state.lock:
        cur = con.cursor()
    try:
        found = cur.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'trade_flows'"
        ).fetchone()
        if not found or not found[0]:
            raise NotFoundError(
                "the store holds no trade flows: load them first (transitwatch flows load)"
            )
        yield cur
    finally:
        cur.close()


def years(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"(\d{4})(?:-(\d{4}))?", text.strip())
    if not m:
        raise InputError(f"baseline must be YYYY or YYYY-YYYY, not {text!r}")
    first, last = int(m[1]), int(m[2] or m[1])
    if last < first:
        raise InputError(f"baseline {text!r}: the window ends before it starts")
    return first, last


def codes(values: Sequence[str] | None) -> tuple[str, ...] | None:
    if not values:
        return None
    out = tuple(v.strip().upper() for value in values for v in value.split(",") if v.strip())
    return out or None


def rows_json(rows: Sequence[Any]) -> list[dict[str, Any]]:
    return [dataclasses.asdict(r) for r in rows]


def _filters(
    reporter: Codes, partner: Codes, product: Codes, flow: Codes, source: Codes
) -> Filters:
    return Filters(
        reporters=codes(reporter),
        partners=codes(partner),
        products=codes(product),
        flows=tuple(f.strip().lower() for f in flow) if flow else None,
        sources=tuple(source) if source else None,
    )


@router.get("/growth", responses=ERRORS, summary="Growth vs previous year and baseline")
def growth_rows(
    state: Service,
    _: Reader,
    reporter: Codes = None,
    partner: Codes = None,
    product: Annotated[list[str] | None, Query(description="TOTAL or HS digits.")] = None,
    flow: Annotated[list[str] | None, Query(description="export, import, ...")] = None,
    source: Annotated[list[str] | None, Query(description="Only these sources.")] = None,
    monthly: Monthly = False,
    baseline: Baseline = "2019-2021",
) -> list[dict[str, Any]]:
    """As `transitwatch flows growth --json`."""
    filters = _filters(reporter, partner, product, flow, source)
    window = years(baseline)
    with flows_cursor(state) as cur:
        return rows_json(growth(cur, filters, grain="M" if monthly else "A", baseline=window))


@router.get("/mirror", responses=ERRORS, summary="Mirror gap between two reporters")
def mirror_rows(
    state: Service,
    _: Reader,
    exporter: Annotated[str, Query(description="Reporter of the exports (ISO2 or EU27).")],
    importer: Annotated[str, Query(description="Reporter of the imports (ISO2 or EU27).")],
    product: str = "TOTAL",
    cif_fob: Annotated[float, Query(gt=0, description="CIF/FOB ratio.")] = DEFAULT_CIF_FOB,
    monthly: Monthly = False,
) -> list[dict[str, Any]]:
    """As `transitwatch flows mirror --json`."""
    with flows_cursor(state) as cur:
        rows = mirror(
            cur,
            exporter.strip().upper(),
            importer.strip().upper(),
            product=product.strip().upper(),
            cif_fob=cif_fob,
            grain="M" if monthly else "A",
        )
    return rows_json(rows)


@router.get("/reexport", responses=ERRORS, summary="Re-export signature")
def reexport_rows(
    state: Service,
    _: Reader,
    transit: Annotated[str, Query(description="Transit country (ISO2).")],
    product: Annotated[str, Query(description="HS code (or TOTAL).")],
    annual: Annotated[bool, Query(description="Annual instead of monthly.")] = False,
) -> list[dict[str, Any]]:
    """As `transitwatch flows reexport --json` (each signature with its points)."""
    with flows_cursor(state) as cur:
        sigs = reexport(cur, transit.strip().upper(), product.strip().upper(),
                        grain="A" if annual else "M")  # fmt: skip
    return rows_json(sigs)


@router.get("/zero", responses=ERRORS, summary="Zero-to-positive products")
def zero(
    state: Service,
    _: Reader,
    reporter: Codes = None,
    partner: str = "RU",
    since: Annotated[int, Query(ge=1900, le=2100)] = 2022,
    level: Annotated[int, Query(description="HS level (2, 4 or 6).")] = 6,
) -> list[dict[str, Any]]:
    """As `transitwatch flows zero --json` (without a concordance)."""
    if level not in (2, 4, 6):
        raise InputError(f"level must be 2, 4 or 6, not {level}")
    with flows_cursor(state) as cur:
        rows = zero_rows(
            cur,
            reporters=codes(reporter),
            partner=partner.strip().upper(),
            since=since,
            product_level=level,
            mapping=[],
        )
    return rows_json(rows)


@router.get("/hotspots", responses=ERRORS, summary="Ranked (transit, product) hotspots")
def hotspots(
    state: Service,
    _: Reader,
    transit: Codes = None,
    level: Annotated[int, Query(description="HS level (0 = TOTAL, 2, 4, 6).")] = 6,
    limit: Annotated[int, Query(ge=1, le=1000)] = 25,
    baseline: Baseline = "2019-2021",
) -> list[dict[str, Any]]:
    """As `transitwatch flows hotspots --json`."""
    if level not in (0, 2, 4, 6):
        raise InputError(f"level must be 0, 2, 4 or 6, not {level}")
    window = years(baseline)
    with flows_cursor(state) as cur:
        rows = hotspot_rows(
            cur,
            load_chpl(),
            transits=codes(transit),
            product_level=level,
            baseline=window,
            limit=limit,
        )
    return rows_json(rows)


@router.get("/chpl", responses=ERRORS, summary="Growth by CHPL tier")
def chpl(
    state: Service,
    _: Reader,
    reporter: Codes = None,
    partner: Codes = None,
    flow: str = "export",
    baseline: Baseline = "2019-2021",
) -> list[dict[str, Any]]:
    """As `transitwatch flows chpl --json` (without a concordance)."""
    filters = Filters(reporters=codes(reporter), partners=codes(partner), flows=(flow,))
    window = years(baseline)
    with flows_cursor(state) as cur:
        return rows_json(chpl_growth(cur, filters, load_chpl(), [], baseline=window))


def _report(
    state: ServiceState, transits: tuple[str, ...], window: tuple[int, int], cif: float
) -> str:
    with flows_cursor(state) as cur:
        data = collect(
            cur, chpl=load_chpl(), correlations=[], transits=transits, baseline=window,
            cif_fob=cif,
        )  # fmt: skip
    return render(data)


@router.get(
    "/report",
    response_class=HTMLResponse,
    responses={**ERRORS, 200: {"content": {"text/html": {}}}},
    summary="The HTML trade-flow report",
)
async def report(
    state: Service,
    _: Reader,
    transit: Codes = None,
    cif_fob: Annotated[float, Query(gt=0)] = DEFAULT_CIF_FOB,
    baseline: Baseline = "2019-2021",
) -> HTMLResponse:
    """The self-contained report of `transitwatch flows report` (charts, tables, methods)."""
    window = years(baseline)
    html = await run_in_threadpool(_report, state, codes(transit) or TRANSITS, window, cif_fob)
    return HTMLResponse(html)
