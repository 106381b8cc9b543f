"""Batch screening: read a queries CSV row by row, screen in parallel, keep input order.

QUERIES.csv has a header with ``id,name`` and optionally ``type,country,birth_date,identifier``.
It may be UTF-8 (with or without BOM) or cp1251, as exports from Central Asian systems often
are. A bad row (wrong column count, empty or absurdly long name, control characters, an
unknown type, a country that is not ISO 3166-1 alpha-2, a date that is not YYYY[-MM[-DD]])
gets its own error and never stops the batch.
"""

from __future__ import annotations

import csv
import multiprocessing
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transitwatch.errors import InputError, TransitWatchError
from transitwatch.lists.io import decode_central_asian, read_bytes
from transitwatch.screening.screener import Screener
from transitwatch.screening.types import COUNTRY_RE, DATE_RE, PartyQuery, normalise_schema

REQUIRED = ("id", "name")
MAX_LINE = 20_000  # a queries row is a few hundred characters; refuse absurd ones early
OPTIONAL = ("type", "country", "birth_date", "identifier")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # what csv treats as a line end (not U+2028 etc.)


@dataclass(frozen=True, slots=True)
class QueryRow:
    row: int  # line number in the file (header = 1)
    id: str
    name: str
    query: PartyQuery | None
    error: str | None


decode_queries = decode_central_asian  # the name the batch reader has always exported


def read_queries(path: str | Path) -> tuple[list[QueryRow], str]:
    """Every data row of the file, each a query or an error; and the encoding used."""
    text, encoding = decode_queries(read_bytes(path))
    return list(parse_queries(text, str(path))), encoding


def parse_queries(text: str, where: str = "queries") -> Iterator[QueryRow]:
    # One record per physical line: no valid field holds a line break (names with control
    # characters are refused anyway), and a stray quote must spoil its own row only, not
    # swallow every row after it into one field. NUL travels as is (Python >= 3.11's csv
    # reads it) and fails the row as a control character.
    if not text.strip():
        raise InputError(f"{where}: the file is empty (expected a header with id,name)")
    lines = _LINE_BREAK.split(text)
    try:
        header = next(csv.reader([lines[0]], strict=True))
    except csv.Error as exc:
        raise InputError(f"{where}: the header line is not valid CSV ({exc})") from None
    columns = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise InputError(
            f"{where}: the header must have columns {', '.join(REQUIRED)} "
            f"(optional: {', '.join(OPTIONAL)}); missing {', '.join(missing)}"
        )
    pos = {c: columns.index(c) for c in (*REQUIRED, *OPTIONAL) if c in columns}
    for line_num, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        if len(line) > MAX_LINE:  # whatever csv.field_size_limit another library has set
            rid, name = _lenient_id_name(line[:1000], pos)
            yield QueryRow(
                line_num, rid, name[:100], None, f"line longer than {MAX_LINE:,} characters"
            )
            continue
        try:
            cells = next(csv.reader([line], strict=True))
        except csv.Error as exc:
            rid, name = _lenient_id_name(line, pos)
            yield QueryRow(line_num, rid, name, None, f"malformed CSV: {exc}")
            continue
        if all(not c.strip() for c in cells):
            continue
        yield _row(line_num, cells, len(columns), pos)


def _lenient_id_name(line: str, pos: dict[str, int]) -> tuple[str, str]:
    """Best-effort id and name of a malformed line, so its error row can be matched up."""
    try:
        cells = next(csv.reader([line]))
    except csv.Error:
        cells = line.split(",")
    found = [cells[pos[c]].strip() if pos[c] < len(cells) else "" for c in REQUIRED]
    return found[0], found[1]


def _row(line: int, cells: list[str], width: int, pos: dict[str, int]) -> QueryRow:
    def get(col: str) -> str:
        i = pos.get(col)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    rid, name = get("id"), get("name")
    if len(cells) != width:
        return QueryRow(line, rid, name, None, f"expected {width} columns, found {len(cells)}")
    problems: list[str] = []
    schema = normalise_schema(get("type"))
    country = get("country").upper() or None
    if country is not None and not COUNTRY_RE.match(country):
        problems.append(f"country {country!r} is not an ISO 3166-1 alpha-2 code")
    birth = get("birth_date") or None
    if birth is not None and not DATE_RE.match(birth):
        problems.append(f"birth_date {birth!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    if problems:
        return QueryRow(line, rid, name, None, "; ".join(problems))
    query = PartyQuery(
        name=name,
        schema=schema,
        country=country,
        birth_date=birth,
        identifier=get("identifier") or None,
        id=rid,
    )
    return QueryRow(line, rid, name, query, None)


# -- screening ---------------------------------------------------------------------------

_WORKER: Screener | None = None
_WORKER_ARGS: tuple[float | None, int] = (None, 10)


def screen_row(
    screener: Screener, row: QueryRow, threshold: float | None, limit: int
) -> dict[str, Any]:
    """The HITS.jsonl object for one row (see README, "Batch screening output")."""
    out: dict[str, Any] = {"id": row.id, "name": row.name, "row": row.row}
    if row.query is None:
        out["error"] = row.error
        out["hits"] = []
        return out
    try:
        hits = screener.screen(row.query, threshold=threshold, limit=limit)
    except TransitWatchError as exc:
        out["error"] = exc.message
        out["hits"] = []
        return out
    out["hits"] = [h.to_json_dict() for h in hits]
    return out


def _work(row: QueryRow) -> dict[str, Any]:
    assert _WORKER is not None
    return screen_row(_WORKER, row, *_WORKER_ARGS)


def screen_rows(
    screener: Screener,
    rows: Iterable[QueryRow],
    *,
    threshold: float | None = None,
    limit: int = 10,
    workers: int = 1,
) -> Iterator[dict[str, Any]]:
    """Results in input order; with workers > 1, forked processes share the built index."""
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for row in rows:
            yield screen_row(screener, row, threshold, limit)
        return
    global _WORKER, _WORKER_ARGS
    _WORKER, _WORKER_ARGS = screener, (threshold, limit)
    ctx = multiprocessing.get_context("fork")
    try:
        with ctx.Pool(workers) as pool:
            yield from pool.imap(_work, rows, chunksize=64)
    finally:
        _WORKER = None
