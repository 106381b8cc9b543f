"""One pure parser per trade-statistics format, and what they share.

Every parser is ``parse(path) -> ParsedFlows``: the records of one file, each skipped row with its
reason, and notes on how the file was read. Formats are recognised by their header
(:func:`detect`), not by file name; plain and gzip files are both read.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from transitwatch.errors import InputError, ParseError
from transitwatch.flows.model import TOTAL, FlowRecord, ParsedFlows
from transitwatch.lists.io import GZIP_MAGIC, decode_text, read_bytes

#: format name -> (source name, module under transitwatch.flows.loaders, parse function name)
FORMATS: dict[str, tuple[str, str, str]] = {
    "comtrade": ("comtrade", "comtrade", "parse"),
    "eurostat": ("eurostat", "eurostat", "parse"),
    "kg-nsc": ("kg_nsc", "national", "parse_kg"),
    "kz-stat": ("kz_stat", "national", "parse_kz"),
    "uz-stat": ("uz_stat", "national", "parse_uz"),
    "armstat": ("armstat", "armstat", "parse"),
}
VERSION_LENGTH = 12
THOUSAND = 1000.0
MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "..", "...", "…"})
NO_TRADE = frozenset({"-", "–", "—"})


class Table:
    """A CSV file read whole: its header (as written) and its records with line numbers."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        data = read_bytes(path)
        self.version = hashlib.sha256(data).hexdigest()[:VERSION_LENGTH]
        text = decode_text(data, path, ("utf-8", "cp1252"))
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            self.header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise ParseError("empty file", path=str(path)) from None
        except csv.Error as exc:
            raise ParseError(f"not CSV: {exc}", path=str(path), row=1) from exc
        self._reader = reader
        self.index = {h: i for i, h in enumerate(self.header)}

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(line, {column: value}) for each non-blank record; a record with another number of
        fields than the header raises ParseError naming the line."""
        width = len(self.header)
        try:
            for record in self._reader:
                line = self._reader.line_num
                if not "".join(record).strip():
                    continue
                if len(record) != width:
                    raise ParseError(
                        f"expected {width} fields, found {len(record)}",
                        path=str(self.path),
                        row=line,
                    )
                yield line, dict(zip(self.header, record, strict=True))
        except csv.Error as exc:
            raise ParseError(f"not CSV: {exc}", path=str(self.path)) from exc

    def require(self, *columns: str) -> None:
        missing = [c for c in columns if c not in self.index]
        if missing:
            raise ParseError(f"missing column(s) {', '.join(missing)}", path=str(self.path), row=1)


CHUNK = 1 << 20


def is_gzip(path: str | Path) -> bool:
    try:
        with Path(path).open("rb") as fh:
            return fh.read(2) == GZIP_MAGIC
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from exc


def open_data(path: str | Path) -> IO[bytes]:
    """The file's bytes, decompressed when it is gzip (whatever its name says)."""
    p = Path(path)
    try:
        if is_gzip(p):
            return gzip.GzipFile(p, "rb")  # type: ignore[return-value]
        return p.open("rb")
    except OSError as exc:
        raise InputError(f"{p}: cannot be read ({exc.strerror or exc})") from exc


@dataclass(frozen=True, slots=True)
class FileScan:
    """What one streaming pass tells about a file: its version (as :class:`Table` computes it)
    and whether each CSV record is one physical line, so that a reader that counts records
    (DuckDB) can name the same line numbers as Python's ``csv`` module."""

    version: str
    lines: int  # physical lines ('\n'-terminated, plus a last unterminated one)
    trailing_blank: int  # empty lines at the end of the file
    blank_inside: bool  # an empty line before the trailing ones
    lone_cr: bool  # a '\r' not followed by '\n' (another line end for Python's csv)

    def records_are_lines(self, records: int) -> bool:
        """True when ``records`` CSV records after the header are exactly the lines."""
        plain = not self.blank_inside and not self.lone_cr
        return plain and self.lines - self.trailing_blank == records + 1


def scan_file(path: str | Path) -> FileScan:
    """Stream the (decompressed) file once: sha256 version, line ends, blank lines."""
    digest = hashlib.sha256()
    lines = cr = crlf = size = 0
    carry = b""
    tail = b""
    first_blank: int | None = None
    with open_data(path) as fh:
        try:
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
                lines += chunk.count(b"\n")
                cr += chunk.count(b"\r")
                crlf += chunk.count(b"\r\n") + (carry[-1:] == b"\r" and chunk[:1] == b"\n")
                window = carry + chunk
                if first_blank is None:
                    for pattern in (b"\n\n", b"\n\r\n"):
                        at = window.find(pattern)
                        if at >= 0:
                            pos = size - len(carry) + at
                            first_blank = pos if first_blank is None else min(first_blank, pos)
                stripped = chunk.rstrip(b"\r\n")
                tail = chunk[len(stripped) :] if stripped else tail + chunk
                carry = window[-2:]
                size += len(chunk)
        except (OSError, EOFError) as exc:
            raise ParseError(f"corrupt gzip data ({exc})", path=str(path)) from exc
    if size and not tail.endswith(b"\n"):
        lines += 1
    trailing = max(tail.count(b"\n") - 1, 0)
    return FileScan(
        version=digest.hexdigest()[:VERSION_LENGTH],
        lines=lines,
        trailing_blank=trailing,
        blank_inside=first_blank is not None and first_blank < size - len(tail),
        lone_cr=cr != crlf,
    )


def new_parsed(table: Table, fmt: str) -> ParsedFlows:
    return ParsedFlows(
        source=FORMATS[fmt][0], source_file=table.path.name, version=table.version, format=fmt
    )


def number(text: str | None) -> float | None:
    """A finite number, or None for the usual spellings of 'missing'; ValueError otherwise."""
    if text is None:
        return None
    cleaned = text.strip().replace("\xa0", "").replace(" ", "")
    if cleaned.lower() in MISSING:
        return None
    value = float(cleaned.replace(",", "."))
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is not a finite number")
    return value


def add_record(parsed: ParsedFlows, line: int, record: FlowRecord) -> None:
    """Keep a valid record; a record that fails its checks is skipped with the reason."""
    problems = record.problems()
    if problems:
        parsed.skip(line, "; ".join(problems))
    else:
        parsed.records.append(record)


def thousand_usd_total(
    parsed: ParsedFlows,
    *,
    reporter: str,
    partner: str,
    flow: str,
    freq: str,
    year: int,
    month: int | None,
    value_thousands: float,
    is_aggregate_partner: bool,
) -> FlowRecord:
    """A TOTAL-goods record from a national table that states values in thousand US dollars."""
    value = value_thousands * THOUSAND
    return FlowRecord(
        source=parsed.source,
        source_file=parsed.source_file,
        source_version=parsed.version,
        reporter=reporter,
        partner=partner,
        flow=flow,
        freq=freq,
        year=year,
        month=month,
        product=TOTAL,
        product_level=0,
        hs_edition=None,
        value=value,
        currency="USD",
        value_usd=value,
        quantity=None,
        quantity_unit=None,
        net_mass_kg=None,
        is_aggregate_partner=is_aggregate_partner,
    )


def drop_duplicates(parsed: ParsedFlows, lines: Sequence[int]) -> None:
    """One record per key: a repeated key would be counted twice.

    Where a table lists one partner on two rows (Kyrgyz "Salvador" and "El Salvador") and at most
    one of them has a non-zero value, that one is kept; otherwise the later row is skipped.
    ``lines`` holds the source line of each record, in the order of ``parsed.records``."""
    kept: dict[tuple[object, ...], tuple[int, FlowRecord]] = {}
    for record, line in zip(parsed.records, lines, strict=True):
        key = record.key()
        if key not in kept:
            kept[key] = (line, record)
            continue
        first_line, first = kept[key]
        if not record.value:
            parsed.skip(line, "zero row for a partner already listed")
        elif not first.value:
            kept[key] = (line, record)
            parsed.skip(first_line, "zero row for a partner listed again")
        else:
            parsed.skip(line, "same reporter, partner, flow, period and product as an earlier row")
    parsed.records = [record for _, record in kept.values()]


def note_count(parsed: ParsedFlows, what: str, count: int) -> None:
    if count:
        parsed.notes.append(f"{count:,} {what}")


HEADER_SIGNATURES: tuple[tuple[str, frozenset[str]], ...] = (
    ("kg-nsc", frozenset({"label_ky", "label_ru", "label_en", "value_thousand_usd", "row_order"})),
    ("kz-stat", frozenset({"partner_ru", "export_thousand_usd", "import_thousand_usd"})),
    ("uz-stat", frozenset({"partner_uz", "partner_ru", "partner_en", "value_thousand_usd"})),
    ("eurostat", frozenset({"reporter", "partner", "product", "flow", "value_eur"})),
    ("armstat", frozenset({"country", "year", "export", "import_origin"})),
)


def detect(header: Sequence[str]) -> str | None:
    """The format a header belongs to, or None."""
    names = {h.strip() for h in header}
    for fmt, needed in HEADER_SIGNATURES:
        if needed <= names:
            return fmt
    from transitwatch.flows.loaders.comtrade import is_comtrade_header

    return "comtrade" if is_comtrade_header(header) else None


def parser_for(fmt: str) -> Callable[[str | Path], ParsedFlows]:
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)} or auto")
    import importlib

    _, module, func = FORMATS[fmt]
    mod = importlib.import_module(f"transitwatch.flows.loaders.{module}")
    parser: Callable[[str | Path], ParsedFlows] = getattr(mod, func)
    return parser


def parse(path: str | Path, fmt: str = "auto") -> ParsedFlows:
    """Parse one file in the given format (``auto``: recognised by its header)."""
    if fmt == "auto":
        header = Table(path).header
        found = detect(header)
        if found is None:
            raise ParseError(
                "not a trade-statistics format TransitWatch knows (header: "
                f"{', '.join(header[:8])}{'...' if len(header) > 8 else ''})",
                path=str(path),
                row=1,
            )
        fmt = found
    return parser_for(fmt)(path)


def header_of(path: str | Path) -> list[str]:
    """The first CSV record of a (plain or gzip) file, reading only its beginning."""
    p = Path(path)
    try:
        with open_data(p) as fh:
            chunk = fh.read(65536)
    except (OSError, EOFError) as exc:
        raise InputError(f"{p}: cannot be read ({exc})") from exc
    text = chunk.decode("utf-8", errors="replace").lstrip("\ufeff")
    first = next(csv.reader(io.StringIO(text, newline="")), [])
    return [h.strip() for h in first]


#: staged files that are not loaded by ``load-all``: derived tables or copies of loaded series
NOT_LOADED_BY_DEFAULT: dict[str, str] = {
    "original_files": "in original_files/: originals or older copies of series loaded from "
    "other files (load it explicitly with `transitwatch flows load`)",
}


def discover(data_dir: str | Path) -> tuple[list[tuple[Path, str]], list[tuple[Path, str]]]:
    """(file, format) for every trade-statistics CSV under ``data_dir``, and (file, why not)
    for the CSVs passed over."""
    found: list[tuple[Path, str]] = []
    passed: list[tuple[Path, str]] = []
    for path in sorted(Path(data_dir).rglob("*")):
        if not path.is_file() or not path.name.lower().endswith((".csv", ".csv.gz")):
            continue
        fmt = detect(header_of(path))
        if fmt is None:
            continue
        reason = next((r for part, r in NOT_LOADED_BY_DEFAULT.items() if part in path.parts), None)
        if reason:
            passed.append((path, reason))
        else:
            found.append((path, fmt))
    return found, passed
