"""The DuckDB path of the Comtrade loader gives the rows, skips and notes of the Python path.

The fixtures are built here: an API-layout file with aggregate partners and every kind of
malformed row, and a comtradr-layout file split by mode of transport (sums in file order,
TOTAL MOT rows, repeated keys), each also as gzip, as Windows-1252, and with blank lines and a
line break inside a quoted field (so that line numbers must be mapped, not counted).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from transitwatch.errors import ParseError, StoreError
from transitwatch.flows.loaders import comtrade_combine, scan_file
from transitwatch.flows.loaders.comtrade import parse
from transitwatch.store.comtrade_bulk import load_comtrade
from transitwatch.store.flows import FlowStore

API_HEADER = (
    "freqCode,refYear,refMonth,reporterISO,reporterDesc,flowCode,flowDesc,partnerCode,"
    "partnerISO,partnerDesc,partner2Code,classificationCode,cmdCode,cmdDesc,aggrLevel,"
    "customsCode,mosCode,motCode,qtyUnitAbbr,qty,netWgt,primaryValue"
)
API_ROWS = [
    # kept: world total, aggregate and special partners, re-export, number spellings
    "A,2022,52,KGZ,Kyrgyzstan,X,Export,0,W00,World,0,H6,TOTAL,All,0,C00,0,0,N/A,,,1500000000",
    "A,2022,52,KGZ,Kyrgyzstan,RX,Re-export,643,RUS,Russia,0,H6,851762,Machines,6,C00,0,0,u,12,"
    "3.5,45000",
    'A,2022,52,KGZ,Kyrgyzstan,M,Import,97,EUU,European Union,0,H6,854231,"Chips, ICs",6,C00,0,0,'
    'u,NA,..,"1 234,5"',
    'A,2021,52,KGZ,Kyrgyzstan,M,Import,899,_X,"Areas, nes",0,H5,8703,Cars,4,C00,0,0,u,1,'
    "\u00a0900\u00a0,5000",
    "M,2022,3,KGZ,Kyrgyzstan,X,Export,398,KAZ,Kazakhstan,0,,870,Cars,4,C00,0,0,kg,1e3,+7.5,.5",
    "A,2022,52,KGZ,Kyrgyzstan,X,Export,156,CHN,China,0,H6,870323,Cars,,C00,0,0,u,2,,0",
    # skipped: breakdowns, flows, numbers, parties, classification, years, months, codes
    "A,2022,52,KGZ,Kyrgyzstan,X,Export,643,RUS,Russia,0,H6,851762,Machines,6,C01,0,0,u,1,1,1",
    "A,2022,52,KGZ,Kyrgyzstan,X,Export,643,RUS,Russia,0,H6,851762,Machines,6,C00,5,0,u,1,1,1",
    "A,2022,52,KGZ,Kyrgyzstan,X,Export,643,RUS,Russia,51,H6,851762,Machines,6,C00,0,0,u,1,1,1",
    "A,2022,52,KGZ,Kyrgyzstan,DX,Domestic export,643,RUS,Russia,0,H6,851762,M,6,C00,0,0,u,1,1,1",
    "A,2022,52,KGZ,Kyrgyzstan,,,643,RUS,Russia,0,H6,851762,M,6,C00,0,0,u,1,1,1",
    "A,2022,52,KGZ,Kyrgyzstan,X,Export,643,RUS,Russia,0,H6,851762,M,6,C00,0,0,u,1,1,abc",
    "A,2022,52,KGZ,Kyrgyzstan,X,Export,643,RUS,Russia,0,H6,851762,M,6,C00,0,0,u,1e400,1,7",
    "A,2022,52,KGZ,Kyrgyzstan,X,Export,643,RUS,Russia,0,H6,851762,M,6,C00,0,0,u,1,1,1_000",
    "A,,52,KGZ,Kyrgyzstan,X,Export,643,RUS,Russia,0,H6,851762,M,6,C00,0,0,u,1,1,1",
    "A,NA,52,KGZ,Kyrgyzstan,X,Export,643,RUS,Russia,0,H6,851762,M,6,C00,0,0,u,1,1,1",
    "A,20x2,52,KGZ,Kyrgyzstan,X,Export,643,RUS,Russia,0,H6,851762,M,6,C00,0,0,u,1,1,1",
    "A,2022,52,KGZ,Kyrgyzstan,X,Export,643,RUS,Russia,0,H6,851762,M,6,C00,0,0,u,1,1,",
    "A,2022,52,KGZ,Kyrgyzstan,X,Export,999,ZZZ,Atlantis,0,H6,851762,M,6,C00,0,0,u,1,1,1",
    "A,2022,52,KGZ,Kyrgyzstan,X,Export,,,Channel Islands,0,H6,851762,M,6,C00,0,0,u,1,1,1",
    "A,2022,52,,Nowhere,X,Export,643,RUS,Russia,0,H6,851762,M,6,C00,0,0,u,1,1,1",
    "A,2022,52,KGZ,Kyrgyzstan,X,Export,643,RUS,Russia,0,S4,851762,M,6,C00,0,0,u,1,1,1",
    "A,1950,52,KGZ,Kyrgyzstan,X,Export,643,RUS,Russia,0,,851762,M,6,C00,0,0,u,1,1,1",
    "A,2150,52,KGZ,Kyrgyzstan,X,Export,643,RUS,Russia,0,H6,851762,M,6,C00,0,0,u,1,1,1",
    "M,2022,13,KGZ,Kyrgyzstan,X,Export,643,RUS,Russia,0,H6,851762,M,6,C00,0,0,u,1,1,1",
    "M,2022,,KGZ,Kyrgyzstan,X,Export,643,RUS,Russia,0,H6,851762,M,6,C00,0,0,u,1,1,1",
    "A,2022,52,KGZ,Kyrgyzstan,X,Export,643,RUS,Russia,0,H6,87A3,M,4,C00,0,0,u,1,1,1",
    "A,2022,52,KGZ,Kyrgyzstan,X,Export,643,RUS,Russia,0,H6,8703,M,8,C00,0,0,u,1,1,1",
    "A,2022,52,KGZ,Kyrgyzstan,X,Export,643,RUS,Russia,0,H6,8703,M,99999999999999999999999,C00,"
    "0,0,u,1,1,1",
    ",,,,,,,,,,,,,,,,,,,,,",
]
MOT_HEADER = (
    "year,month,aggregate_level,trade_code,reporter,partner_code,partner_iso,partner,"
    "commodity_code,mot_code,QtyUnitAbbr,Qty,netweight_kg,trade_value_us"
)
MOT_ROWS = [
    # summed over modes in file order (0.1 + 0.2 + 0.3 is not 0.3 + 0.2 + 0.1), units agree
    "2022,3,4,X,Armenia,643,RUS,Russian Federation,8703,3200,u,1,10,0.1",
    "2022,3,4,X,Armenia,643,RUS,Russian Federation,8703,9900,u,2,,0.2",
    "2022,3,4,X,Armenia,643,RUS,Russian Federation,8703,2000,u,3,5,0.3",
    # units differ: no summed quantity
    "2022,3,4,X,Armenia,268,GEO,Georgia,8703,3200,u,1,10,5",
    "2022,3,4,X,Armenia,268,GEO,Georgia,8703,9900,kg,800,800,6",
    # a TOTAL MOT row wins over the modes
    "2022,4,4,X,Armenia,643,RUS,Russian Federation,8703,0,u,9,90,900",
    "2022,4,4,X,Armenia,643,RUS,Russian Federation,8703,3200,u,4,40,400",
    # repeated TOTAL MOT rows: zero, non-zero, non-zero, zero
    "2022,5,4,X,Armenia,643,RUS,Russian Federation,8703,0,u,0,0,0",
    "2022,5,4,X,Armenia,643,RUS,Russian Federation,8703,0,u,1,1,11",
    "2022,5,4,X,Armenia,643,RUS,Russian Federation,8703,0,u,1,1,12",
    "2022,5,4,X,Armenia,643,RUS,Russian Federation,8703,0,u,0,0,0",
    # only zeros
    "2022,6,4,X,Armenia,643,RUS,Russian Federation,8703,0,u,0,0,0",
    "2022,6,4,X,Armenia,643,RUS,Russian Federation,8703,0,u,0,0,0",
    "2022,6,4,M,Armenia,276,DEU,Germany,870323,,u,1,,",
    "2017,1,6,M,Armenia,384,CIV,C\u00f4te d'Ivoire,870323,,u,1,2,3",
]


def _text(header: str, rows: list[str], *, blank_lines: bool = False) -> str:
    lines = [header, *rows]
    if blank_lines:
        lines.insert(3, "")
        lines.insert(6, "")
        # a quoted line break inside a description (API layout) or name (comtradr layout)
        lines[2] = (
            lines[2]
            .replace("Machines", '"Machines,\nparts"')
            .replace("Russian Federation", '"Russian\nFederation"')
        )
    return "\n".join(lines) + "\n\n"


def _write(path: Path, text: str, *, encoding: str = "utf-8", gz: bool = False) -> Path:
    data = text.encode(encoding)
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


VARIANTS = {
    "plain": {},
    "gzip": {"gz": True},
    "cp1252": {"encoding": "cp1252"},
    "blank-lines": {"blank_lines": True},
}


def _both(tmp_path: Path, path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(python, duckdb): rows, skips (row, reason), reasons, notes, info of one file."""
    out = []
    for engine in ("python", "duckdb"):
        with FlowStore(tmp_path / f"{engine}.duckdb") as st:
            if engine == "python":
                parsed = parse(path)
                info = st.replace_file(parsed)
                reasons, notes = parsed.skipped_by_reason(), parsed.notes
                skips = sorted((s.row, s.reason) for s in parsed.skipped)
            else:
                load = load_comtrade(st, path)
                info, reasons, notes = load.info, load.reasons, load.notes
                (raw,) = st.connection.execute(
                    "SELECT skipped FROM trade_loads WHERE source_file = ?", [path.name]
                ).fetchone()
                skips = sorted((s["row"], s["reason"]) for s in json.loads(raw))
            rows = st.connection.execute("SELECT * FROM trade_flows ORDER BY ALL").fetchall()
            out.append(
                {"rows": rows, "skips": skips, "reasons": reasons, "notes": notes, "info": info}
            )
    return out[0], out[1]


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("layout", ["api", "mot"])
def test_duckdb_path_matches_python_path(tmp_path: Path, variant: str, layout: str) -> None:
    opts = dict(VARIANTS[variant])
    header, rows = (API_HEADER, API_ROWS) if layout == "api" else (MOT_HEADER, MOT_ROWS)
    text = _text(header, rows, blank_lines=bool(opts.pop("blank_lines", False)))
    suffix = ".csv.gz" if opts.get("gz") else ".csv"
    path = _write(tmp_path / f"{layout}-{variant}{suffix}", text, **opts)
    py, dk = _both(tmp_path, path)
    assert dk["rows"] == py["rows"]
    assert dk["skips"] == py["skips"]
    assert dk["reasons"] == py["reasons"] and dk["notes"] == py["notes"]
    assert (dk["info"].rows, dk["info"].skipped) == (py["info"].rows, py["info"].skipped)
    assert dk["info"].source_version == py["info"].source_version
    # the fixtures exercise what they claim to
    if layout == "api":
        assert len(py["rows"]) == 6 and len(py["skips"]) == 23
        partners = {r[4] for r in py["rows"]}
        assert {"WORLD", "EU", "QU", "RU", "KZ", "CN"} <= partners
        reasons = " | ".join(py["reasons"])
        for fragment in (
            "customsCode breakdown row (C01)",
            "mosCode breakdown row (5)",
            "partner2Code breakdown row (51)",
            "flow 'DX' not loaded",
            "not a number in primaryValue: 'abc'",
            "not a number in qty: '1e400'",
            "no year in refYear",
            "no trade value",
            "unknown partner name",
            "Channel Islands",
            "classification 'S4' is not HS",
            "no HS edition in force in 1950",
            "year 2150 out of range",
            "monthly row with month 13",
            "monthly row with month None",
            "commodity code '87A3'",
        ):
            assert fragment in reasons, fragment
    else:
        by_key = {(r[4], r[7], r[8]): r for r in py["rows"] if r[9] == "8703"}
        assert by_key[("RU", 2022, 3)][14] == 0.1 + 0.2 + 0.3  # value_usd, file order
        assert by_key[("GE", 2022, 3)][15] is None  # units differ: no quantity
        assert by_key[("RU", 2022, 4)][14] == 900  # the TOTAL MOT row
        assert by_key[("RU", 2022, 5)][14] == 11  # the first non-zero repeated row
        assert any("summed" in n for n in py["notes"])
        assert py["reasons"] == {
            "same reporter, partner, flow, period and product as an earlier row": 1,
            "mode-of-transport row; the TOTAL MOT row is used": 1,
            "zero row for a partner already listed": 2,
            "zero row for a partner listed again": 1,
            "no trade value": 1,
        }


@pytest.mark.integration
def test_duckdb_path_matches_python_path_on_real_extracts(
    tmp_path: Path, shared_data: Path
) -> None:
    folder = shared_data / "comtrade_armenia_georgia_extracts"
    files = sorted(folder.glob("comtrade_*.csv.gz"))
    if not files:
        pytest.skip(f"no Comtrade extracts in {folder}")
    for path in files:
        sub = tmp_path / path.name.replace(".", "_")
        sub.mkdir()
        py, dk = _both(sub, path)
        assert len(py["rows"]) > 200, path.name
        assert dk["rows"] == py["rows"], path.name
        assert dk["skips"] == py["skips"] and dk["notes"] == py["notes"], path.name


def test_reload_replaces_and_failure_keeps_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path / "mot.csv", _text(MOT_HEADER, MOT_ROWS))
    with FlowStore(tmp_path / "db.duckdb") as st:
        st.replace_file(parse(path))  # the Python path first, then DuckDB replaces it
        first = load_comtrade(st, path).info
        assert first.replaced_rows == first.rows == st.count("mot.csv") > 0
        again = load_comtrade(st, path).info
        assert again.replaced_rows == first.rows and st.count() == first.rows
        assert [r["source_file"] for r in st.loads()] == ["mot.csv"]

        def broken(source: str, file: str, version: str) -> Any:
            return comtrade_combine.Query("INSERT INTO trade_flows SELECT * FROM no_such_table")

        monkeypatch.setattr(comtrade_combine, "insert_query", broken)
        with pytest.raises(StoreError):
            load_comtrade(st, path)
        assert st.count("mot.csv") == first.rows
        tables = {r[0] for r in st.connection.execute("SHOW ALL TABLES").fetchall()}
        assert not any(t.startswith("_ct_") for t in tables)


def test_bad_files_are_refused_whole(tmp_path: Path) -> None:
    short = _write(tmp_path / "short.csv", MOT_HEADER + "\n2022,3,4,X,Armenia\n")
    missing = _write(tmp_path / "missing.csv", "year,trade_code,partner\n2022,X,Russia\n")
    with FlowStore(tmp_path / "db.duckdb") as st:
        with pytest.raises(ParseError):
            parse(short)
        with pytest.raises(ParseError, match=r"Line: 2"):
            load_comtrade(st, short)
        with pytest.raises(ParseError, match="missing column"):
            load_comtrade(st, missing)
        assert st.count() == 0


def test_scan_counts_lines_like_the_csv_module(tmp_path: Path) -> None:
    plain = _write(tmp_path / "a.csv", "h\n1\n2\n\n")
    scan = scan_file(plain)
    assert (scan.lines, scan.trailing_blank, scan.blank_inside) == (4, 1, False)
    assert scan.records_are_lines(2) and not scan.records_are_lines(3)
    inside = scan_file(_write(tmp_path / "b.csv", "h\r\n1\r\n\r\n2"))
    assert inside.blank_inside and not inside.lone_cr and inside.lines == 4
    assert scan_file(_write(tmp_path / "c.csv", "h\r1\r")).lone_cr


def test_whitespace_literal_is_what_str_strip_removes() -> None:
    from transitwatch.flows.loaders.comtrade_rules import WHITESPACE

    assert "".join(ch for ch in map(chr, range(0x110000)) if ch.isspace()) == WHITESPACE
