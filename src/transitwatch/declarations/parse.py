"""Read and validate declarations: CSV (with header) or JSON lines, UTF-8 or cp1251.

Parquet is read at the CLI edge (through DuckDB) into records that go through
:func:`validate_records` like any other. A row that breaks the schema becomes a
:class:`~transitwatch.declarations.model.Rejected` naming its row and every bad field; the
others become :class:`~transitwatch.declarations.model.Declaration` objects, in input order.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from transitwatch.declarations.model import (
    COLUMNS,
    FLOWS,
    ISO2,
    REQUIRED,
    TRANSPORT_MODES,
    Declaration,
    Rejected,
)
from transitwatch.errors import InputError
from transitwatch.lists.io import decode_central_asian

MAX_NAME = 300
MAX_TEXT = 2000
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HS = re.compile(r"^\d{6,10}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
COUNTRY_FIELDS = ("exporter_country", "consignee_country", "origin_country", "destination_country")


@dataclass(slots=True)
class Parsed:
    accepted: list[Declaration]
    rejected: list[Rejected]
    encoding: str
    format: str


def sniff_format(text: str, name: str = "") -> str:
    """'jsonl' when the name says so or the first non-blank character is '{', else 'csv'."""
    lower = name.lower()
    if lower.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if lower.endswith(".csv"):
        return "csv"
    return "jsonl" if text.lstrip().startswith("{") else "csv"


def parse_bytes(data: bytes, name: str = "declarations") -> Parsed:
    text, encoding = decode_central_asian(data)
    fmt = sniff_format(text, name)
    records = read_jsonl(text, name) if fmt == "jsonl" else read_csv(text, name)
    accepted, rejected = validate_records(records)
    return Parsed(accepted, rejected, encoding, fmt)


def read_csv(text: str, where: str = "declarations") -> Iterator[tuple[int, dict[str, Any]]]:
    """(line of the row's start, {column: cell}); a row with the wrong width is reported."""
    if not text.strip():
        raise InputError(f"{where}: the file is empty (expected a header line)")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as exc:
        raise InputError(f"{where}: the header line is not valid CSV ({exc})") from None
    check_columns(header, where)
    line = reader.line_num
    while True:
        start = line + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            line = reader.line_num
            yield start, {"__error__": f"malformed CSV: {exc}"}
            continue
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        record: dict[str, Any] = dict(zip(header, cells, strict=False))
        if len(cells) != len(header):
            record["__error__"] = f"expected {len(header)} columns, found {len(cells)}"
        yield start, record


def read_jsonl(text: str, where: str = "declarations") -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) per non-blank line; a line that is not an object is reported."""
    if not text.strip():
        raise InputError(f"{where}: the file is empty")
    checked = False
    for num, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield num, {"__error__": f"not valid JSON ({exc.msg})"}
            continue
        if not isinstance(obj, dict):
            yield num, {"__error__": "not a JSON object"}
            continue
        record = {str(k).strip().lower(): v for k, v in obj.items()}
        if not checked:
            check_columns(list(record), where)
            checked = True
        yield num, record


def check_columns(columns: Iterable[str], where: str) -> None:
    missing = [c for c in REQUIRED if c not in set(columns)]
    if missing:
        raise InputError(
            f"{where}: required columns missing: {', '.join(missing)} "
            f"(required: {', '.join(REQUIRED)})"
        )


def validate_records(
    records: Iterable[tuple[int, Mapping[str, Any]]],
) -> tuple[list[Declaration], list[Rejected]]:
    accepted: list[Declaration] = []
    rejected: list[Rejected] = []
    seen: dict[str, int] = {}
    for row, record in records:
        result = validate(row, record)
        if isinstance(result, Declaration):
            first = seen.setdefault(result.declaration_id, row)
            if first != row:
                result = Rejected(
                    row,
                    result.declaration_id,
                    (("declaration_id", f"duplicate of the declaration on row {first}"),),
                    dict(record),
                )
        (accepted if isinstance(result, Declaration) else rejected).append(result)  # type: ignore[arg-type]
    return accepted, rejected


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(raw: str) -> float:
    cleaned = raw.replace(" ", "").replace("\u00a0", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    value = float(cleaned)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("not a finite number")
    return value


def validate(row: int, record: Mapping[str, Any]) -> Declaration | Rejected:
    """One record checked field by field; every problem is named, not just the first."""
    cells = {k: _text(v) for k, v in record.items() if not k.startswith("__")}
    problems: list[tuple[str, str]] = []
    if "__error__" in record:
        problems.append(("(row)", str(record["__error__"])))
    for name in REQUIRED:
        if not cells.get(name):
            problems.append((name, "required, but empty"))
    missing = {f for f, _ in problems}

    def text(name: str, limit: int = MAX_NAME) -> str | None:
        value = cells.get(name) or None
        if value is None:
            return None
        if len(value) > limit:
            problems.append((name, f"longer than {limit} characters"))
        elif _CONTROL.search(value):
            problems.append((name, "contains control characters"))
        return value

    def country(name: str) -> str | None:
        value = cells.get(name, "").upper() or None
        if value is not None and value not in ISO2:
            problems.append((name, f"{value!r} is not an ISO 3166-1 alpha-2 country code"))
        return value

    def number(name: str) -> float | None:
        raw = cells.get(name)
        if not raw:
            return None
        try:
            value = _number(raw)
        except ValueError:
            problems.append((name, f"{raw!r} is not a number"))
            return None
        if value < 0:
            problems.append((name, f"{raw!r} is negative"))
        return value

    day: date | None = None
    raw_date = cells.get("date", "")
    if raw_date and "date" not in missing:
        try:
            if not _DATE.match(raw_date):
                raise ValueError
            day = date.fromisoformat(raw_date)
        except ValueError:
            problems.append(("date", f"{raw_date!r} is not a date YYYY-MM-DD"))
    flow = cells.get("flow", "").lower()
    if flow and flow not in FLOWS:
        problems.append(("flow", f"{flow!r} is not one of {', '.join(FLOWS)}"))
    hs = re.sub(r"[.\s]", "", cells.get("hs_code", ""))
    if hs and not _HS.match(hs):
        problems.append(("hs_code", f"{cells['hs_code']!r} is not an HS code of 6 to 10 digits"))
    currency = cells.get("currency", "").upper()
    if currency and not _CURRENCY.match(currency):
        problems.append(("currency", f"{currency!r} is not a 3-letter ISO 4217 code"))
    mode = cells.get("transport_mode", "").lower() or None
    if mode is not None and mode not in TRANSPORT_MODES:
        problems.append(("transport_mode", f"{mode!r} is not one of {', '.join(TRANSPORT_MODES)}"))
    transit: list[str] = []
    for code in re.split(r"[;,]", cells.get("transit_countries", "")):
        code = code.strip().upper()
        if not code:
            continue
        if code not in ISO2:
            problems.append(
                ("transit_countries", f"{code!r} is not an ISO 3166-1 alpha-2 country code")
            )
        transit.append(code)
    fields = {
        "declaration_id": text("declaration_id", 100),
        "exporter_name": text("exporter_name"),
        "consignee_name": text("consignee_name"),
        "declarant": text("declarant"),
        "exporter_id": text("exporter_id", 100),
        "consignee_id": text("consignee_id", 100),
        "description": text("description", MAX_TEXT),
        "unit": text("unit", 20),
        "end_use": text("end_use", MAX_TEXT),
    }
    countries = {name: country(name) for name in COUNTRY_FIELDS}
    numbers = {name: number(name) for name in ("value", "quantity", "net_mass_kg")}
    if problems:
        return Rejected(row, cells.get("declaration_id", ""), tuple(problems), dict(record))
    assert day is not None and numbers["value"] is not None
    return Declaration(
        row=row,
        declaration_id=fields["declaration_id"] or "",
        date=day,
        flow=flow,
        exporter_name=fields["exporter_name"] or "",
        consignee_name=fields["consignee_name"] or "",
        consignee_country=countries["consignee_country"] or "",
        destination_country=countries["destination_country"] or "",
        hs_code=hs,
        description=fields["description"] or "",
        value=numbers["value"],
        currency=currency,
        declarant=fields["declarant"],
        exporter_country=countries["exporter_country"],
        exporter_id=fields["exporter_id"],
        consignee_id=fields["consignee_id"],
        origin_country=countries["origin_country"],
        transit_countries=tuple(transit),
        quantity=numbers["quantity"],
        unit=fields["unit"],
        net_mass_kg=numbers["net_mass_kg"],
        transport_mode=mode,
        end_use=fields["end_use"],
        extra={k: v for k, v in cells.items() if k not in COLUMNS},
    )
