"""Every staged trade-statistics file loaded into a temporary store; the headline figures.

The expected numbers were read by hand from the raw files (awk / csv over the staged CSVs):
* kyrgyzstan_trade_by_country_1994_2023.csv, table 4.03.00.18, "Russia": 393,340.098 (2021) and
  1,069,691.913 (2022) thousand USD - DESIGN.md's "$393m -> $1,070m";
* eurostat_annual_eu27_exports_by_partner.csv.gz, EU-27 -> Kyrgyzstan: EUR 263,239,032 (2021)
  and 1,170,905,952 (2022) - DESIGN.md's "EUR 263m -> EUR 1,171m"; the monthly file sums to
  263,239,032 and 1,170,905,948 (rounding of the monthly values);
* comtrade_armenia_hs8703_monthly_2017_2023.csv.gz, Armenia -> Russia exports of HS 8703 (level-4
  rows, summed over the modes of transport): USD 256,505.41 (2017) ... 3,474,942.29 (2021),
  236,844,254.09 (2022), 354,040,085.05 (2023, January-October).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from transitwatch.flows.loaders import discover, parse
from transitwatch.store.flows import FlowStore

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def flows(shared_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> FlowStore:
    found, _ = discover(shared_data_dir)
    formats = {fmt for _, fmt in found}
    assert {"comtrade", "eurostat", "kg-nsc", "kz-stat", "uz-stat", "armstat"} <= formats
    st = FlowStore(tmp_path_factory.mktemp("flows") / "flows.duckdb")
    for path, fmt in found:
        st.replace_file(parse(path, fmt))
    return st


def one(st: FlowStore, sql: str, *params: object) -> float:
    row = st.connection.execute(sql, list(params)).fetchone()
    assert row is not None and row[0] is not None, (sql, params)
    return float(row[0])


def test_kyrgyz_exports_to_russia(flows: FlowStore) -> None:
    sql = """SELECT sum(value_usd) FROM trade_flows WHERE source = 'kg_nsc' AND reporter = 'KG'
             AND partner = 'RU' AND flow = 'export' AND freq = 'A' AND year = ?"""
    assert one(flows, sql, 2021) == pytest.approx(393_340_098)
    assert one(flows, sql, 2022) == pytest.approx(1_069_691_913)


def test_eu27_exports_to_kyrgyzstan(flows: FlowStore) -> None:
    sql = """SELECT sum(value) FROM trade_flows WHERE source = 'eurostat' AND reporter = 'EU27'
             AND partner = 'KG' AND flow = 'export' AND freq = ? AND year = ?"""
    assert one(flows, sql, "A", 2021) == 263_239_032
    assert one(flows, sql, "A", 2022) == 1_170_905_952
    assert one(flows, sql, "M", 2021) == pytest.approx(263_239_032)
    assert one(flows, sql, "M", 2022) == pytest.approx(1_170_905_948)
    usd = one(flows, sql.replace("sum(value)", "sum(value_usd)"), "A", 2022)
    assert usd == pytest.approx(1_170_905_952 * 1.0530)


def test_armenian_car_re_export_surge(flows: FlowStore) -> None:
    rows = flows.connection.execute(
        """SELECT year, sum(value_usd) FROM trade_flows WHERE source = 'comtrade'
           AND reporter = 'AM' AND partner = 'RU' AND flow = 'export' AND product = '8703'
           GROUP BY year ORDER BY year"""
    ).fetchall()
    by_year = {int(y): float(v) for y, v in rows}
    assert by_year[2017] == pytest.approx(256_505.41)
    assert by_year[2021] == pytest.approx(3_474_942.29)
    assert by_year[2022] == pytest.approx(236_844_254.09)
    assert by_year[2023] == pytest.approx(354_040_085.05)
    assert by_year[2022] > 60 * by_year[2021]


def test_aggregates_flagged_and_never_mixed(flows: FlowStore) -> None:
    # World totals equal to the national total; no aggregate flagged as a country or vice versa.
    bad = one(
        flows,
        """SELECT count(*) FROM trade_flows WHERE is_aggregate_partner
           <> (partner IN ('WORLD','EU','EU27','EA','EA20','EXTRA_EU27','INTRA_EU27','CIS','EAEU',
           'SCO','CIS_NON_EAEU','NON_CIS','EUROPE_NON_EU','EUROPE','ASIA','AFRICA','AMERICA',
           'OCEANIA'))""",
    )
    assert bad == 0
    world = one(
        flows,
        """SELECT value FROM trade_flows WHERE source='kz_stat' AND partner='WORLD'
           AND flow='export' AND year=2021""",
    )
    assert world == pytest.approx(60_321_024_400.65)
    dupes = one(
        flows,
        """SELECT count(*) FROM (SELECT source_file, reporter, partner, flow, freq, year, month,
           product FROM trade_flows GROUP BY ALL HAVING count(*) > 1)""",
    )
    assert dupes == 0


def test_reload_replaces(flows: FlowStore, shared_data_dir: Path) -> None:
    path = shared_data_dir / "national_trade_stats" / "kazakhstan_trade_by_country_2018_2023.csv"
    before = flows.count()
    info = flows.replace_file(parse(path))
    assert info.replaced_rows == info.rows and flows.count() == before
