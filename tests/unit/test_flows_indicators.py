"""Flow indicators on a small in-memory ``trade_flows`` table whose answers are known."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest

from transitwatch.flows.chpl import (
    Correlation,
    chpl_growth,
    chpl_mapping,
    load_chpl,
    load_correlation,
)
from transitwatch.flows.hotspots import Signals, hotspots, score
from transitwatch.flows.indicators import (
    growth,
    growth_query,
    mirror,
    reexport,
    zero_to_positive,
)
from transitwatch.flows.sql import EU27_MEMBERS, Filters, Query

COLUMNS = (
    "source VARCHAR, source_file VARCHAR, source_version VARCHAR, reporter VARCHAR, "
    "partner VARCHAR, flow VARCHAR, freq VARCHAR, year INTEGER, month INTEGER, product VARCHAR, "
    "product_level INTEGER, hs_edition VARCHAR, value DOUBLE, currency VARCHAR, "
    "value_usd DOUBLE, quantity DOUBLE, quantity_unit VARCHAR, net_mass_kg DOUBLE, "
    "is_aggregate_partner BOOLEAN"
)


class Table:
    def __init__(self) -> None:
        self.con = duckdb.connect()
        self.con.execute(f"CREATE TABLE trade_flows ({COLUMNS})")

    def add(
        self,
        source: str,
        reporter: str,
        partner: str,
        flow: str,
        year: int,
        value_usd: float,
        *,
        month: int | None = None,
        product: str = "TOTAL",
        edition: str | None = None,
    ) -> None:
        level = 0 if product == "TOTAL" else len(product)
        row: list[Any] = [
            source, f"{source}.csv", "v1", reporter, partner, flow, "M" if month else "A",
            year, month, product, level, edition, value_usd, "USD", value_usd, None, None,
            None, partner in {"EU27", "WORLD"},
        ]  # fmt: skip
        self.con.execute(f"INSERT INTO trade_flows VALUES ({', '.join('?' * 19)})", row)


@pytest.fixture
def table() -> Table:
    return Table()


def test_growth_vs_previous_year_and_baseline(table: Table) -> None:
    # Kyrgyz exports to Russia: baseline 2019-2021 mean = 200; 2022 = 600 -> +200 %, yoy +100 %.
    for year, value in [(2019, 100.0), (2020, 200.0), (2021, 300.0), (2022, 600.0)]:
        table.add("kg_nsc", "KG", "RU", "export", year, value)
    rows = {r.year: r for r in growth(table.con, Filters(reporters=("KG",), partners=("RU",)))}
    assert rows[2022].previous_usd == 300.0
    assert rows[2022].yoy == pytest.approx(1.0)
    assert rows[2022].baseline_usd == pytest.approx(200.0)
    assert rows[2022].baseline_years == 3
    assert rows[2022].vs_baseline == pytest.approx(2.0)
    assert rows[2019].yoy is None and rows[2019].month is None
    # A chosen window: 2021 only.
    alt = growth(table.con, Filters(reporters=("KG",)), baseline=(2021, 2021))
    assert [r.vs_baseline for r in alt if r.year == 2022] == [pytest.approx(1.0)]


def test_growth_annualises_complete_monthly_years_only(table: Table) -> None:
    for month in range(1, 13):
        table.add("comext", "EU27", "KG", "export", 2021, 10.0, month=month)
        table.add("comext", "EU27", "KG", "export", 2022, 40.0, month=month)
    table.add("comext", "EU27", "KG", "export", 2023, 99.0, month=1)  # partial year
    rows = {r.year: r for r in growth(table.con, Filters(reporters=("EU27",)))}
    assert rows[2022].value_usd == 480.0 and rows[2022].yoy == pytest.approx(3.0)
    assert rows[2023].value_usd is None
    monthly = growth(table.con, Filters(reporters=("EU27",)), grain="M")
    jan22 = next(r for r in monthly if (r.year, r.month) == (2022, 1))
    assert jan22.previous_usd == 10.0 and jan22.yoy == pytest.approx(3.0)


def test_annual_value_needs_each_month_exactly_once(table: Table) -> None:
    # 12 monthly rows in 2021, but January twice and February missing; 13 rows in 2023
    for month in (1, 1, *range(3, 13)):
        table.add("comtrade", "KG", "RU", "export", 2021, 1.0, month=month)
    for month in range(1, 13):
        table.add("comtrade", "KG", "RU", "export", 2022, 2.0, month=month)
        table.add("comtrade", "KG", "RU", "export", 2023, 3.0, month=month)
    table.add("comtrade", "KG", "RU", "export", 2023, 3.0, month=6)
    rows = {r.year: r for r in growth(table.con, Filters(reporters=("KG",)))}
    assert rows[2021].value_usd is None and rows[2023].value_usd is None
    assert rows[2022].value_usd == 24.0 and rows[2022].previous_usd is None


def test_query_is_dialect_neutral_and_bound() -> None:
    q = growth_query(Filters(reporters=("KG",), partners=("RU",), products=("TOTAL",)))
    assert isinstance(q, Query) and q.sql.count("?") == len(q.params)
    assert "KG" not in q.sql and "::" not in q.sql and "QUALIFY" not in q.sql.upper()
    assert '"trade_flows"' in q.sql
    fmt = q.with_paramstyle("format")
    assert "?" not in fmt.sql and fmt.sql.count("%s") == len(q.params)


def test_mirror_gap_with_cif_fob_and_member_state_sum(table: Table) -> None:
    # EU reports exports of 1,000 to KG; KG reports no EU aggregate but imports of 400 (DE)
    # + 150 (FR) CIF = 550 -> FOB at 1.10: 500 -> gap -500, share -50 %.
    table.add("comext", "EU27", "KG", "export", 2022, 1000.0)
    table.add("kg_nsc", "KG", "DE", "import", 2022, 400.0)
    table.add("kg_nsc", "KG", "FR", "import", 2022, 150.0)
    (row,) = mirror(table.con, "EU27", "KG")
    assert row.export_usd == 1000.0 and row.import_cif_usd == 550.0
    assert row.import_fob_usd == pytest.approx(500.0)
    assert row.gap_usd == pytest.approx(-500.0) and row.gap_share == pytest.approx(-0.5)
    assert row.cif_fob == 1.10
    assert (row.export_basis, row.import_basis) == ("reported", "sum of member states")
    # Kyrgyz statistics' "The EU" (code EU) is the EU-27 from 2020: preferred to the member sum.
    table.add("kg_nsc", "KG", "EU", "import", 2022, 580.0)
    table.add("kg_nsc", "KG", "EU", "import", 2019, 1.0)  # EU-28 then: never read as EU27
    (row,) = mirror(table.con, "EU27", "KG")
    assert row.import_cif_usd == 580.0 and row.import_basis == "reported as EU"
    # The aggregate, when reported, wins over the member-state sum; the factor is configurable.
    table.add("kg_nsc", "KG", "EU27", "import", 2022, 600.0)
    (row,) = mirror(table.con, "EU27", "KG", cif_fob=1.2)
    assert row.import_cif_usd == 600.0 and row.import_basis == "reported"
    assert row.gap_share == pytest.approx((600.0 / 1.2 - 1000.0) / 1000.0)


def test_reexport_signature_correlation_and_ratio(table: Table) -> None:
    # Exports to RU = 0.8 * imports from the coalition + noise: correlation known from numpy.
    imports = [100.0, 120.0, 90.0, 200.0, 260.0, 240.0]
    exports = [75.0, 100.0, 70.0, 165.0, 210.0, 190.0]
    for month, (i, e) in enumerate(zip(imports, exports, strict=True), start=1):
        table.add("am_ct", "AM", "DE", "import", 2023, i / 2, month=month, product="851713")
        table.add("am_ct", "AM", "US", "import", 2023, i / 2, month=month, product="851713")
        table.add("am_ct", "AM", "RU", "export", 2023, e, month=month, product="851713")
    table.add(
        "am_ct", "AM", "CN", "import", 2023, 999.0, month=1, product="851713"
    )  # not coalition
    (sig,) = reexport(table.con, "AM", "851713")
    assert sig.n_paired == 6 and len(sig.points) == 6
    assert sig.correlation == pytest.approx(float(np.corrcoef(imports, exports)[0, 1]))
    assert sig.ratio == pytest.approx(sum(exports) / sum(imports))
    assert sig.points[0].ratio == pytest.approx(0.75)


def test_zero_to_positive(table: Table) -> None:
    for year in (2019, 2020, 2021, 2022):
        table.add("kg", "KG", "RU", "export", year, 50.0, product="870323")
    table.add("kg", "KG", "RU", "export", 2022, 10.0, product="854231")  # new in 2022
    table.add("kg", "KG", "RU", "export", 2023, 30.0, product="854231")
    table.add("kg", "KG", "RU", "export", 2021, 0.0, product="901310")  # zero before: still new
    table.add("kg", "KG", "RU", "export", 2023, 5.0, product="901310")
    # Renumbered: HS2017 880330 before, HS2022 880730 after -> not new once mapped.
    table.add("kg", "KG", "RU", "export", 2020, 7.0, product="880330", edition="HS2017")
    table.add("kg", "KG", "RU", "export", 2023, 9.0, product="880730", edition="HS2022")
    # A reporter without any pre-2022 record is not judged.
    table.add("uz", "UZ", "RU", "export", 2023, 9.0, product="854231")
    rows = zero_to_positive(table.con, mapping=[("880330", "880730")])
    assert [(r.reporter, r.product, r.first_year, r.value_since_usd) for r in rows] == [
        ("KG", "854231", 2022, 40.0),
        ("KG", "901310", 2023, 5.0),
    ]
    unmapped = {r.product for r in zero_to_positive(table.con)}
    assert "880730" in unmapped


def test_chpl_aggregation_maps_hs2017_onto_hs2022(table: Table, tmp_path: Path) -> None:
    corr = tmp_path / "corr.csv"
    corr.write_text(
        "hs2022,hs2017,relationship\n852589,852580,n:1\n852581,852580,n:1\n"
        "880730,880330,n:1\n854151,851712,n:n\n854231,854231,n:1\n"
    )
    correlations = load_correlation(corr)
    chpl = load_chpl()
    assert len(chpl.codes) == 50 and chpl.version == "2024-02-23"
    assert chpl_mapping(chpl, correlations) == [("852580", "852589"), ("880330", "880730")]
    # Tier 3.A: 852580 (HS2017, 2019-2021) -> 852589; Tier 1: 854231 both editions.
    for year, value in [(2019, 10.0), (2020, 20.0), (2021, 30.0)]:
        table.add("kg", "KG", "RU", "export", year, value, product="852580", edition="HS2017")
        table.add("kg", "KG", "RU", "export", year, 1.0, product="854231", edition="HS2017")
    table.add("kg", "KG", "RU", "export", 2022, 80.0, product="852589", edition="HS2022")
    table.add("kg", "KG", "RU", "export", 2022, 3.0, product="854231", edition="HS2022")
    table.add("kg", "KG", "RU", "export", 2022, 500.0, product="870323", edition="HS2022")
    rows = chpl_growth(table.con, Filters(reporters=("KG",)), chpl, correlations)
    by = {(r.product, r.year): r for r in rows}
    assert {p for p, _ in by} == {"Tier 1", "Tier 3.A"}
    assert by["Tier 3.A", 2022].baseline_usd == pytest.approx(20.0)
    assert by["Tier 3.A", 2022].vs_baseline == pytest.approx(3.0)
    assert by["Tier 1", 2022].vs_baseline == pytest.approx(2.0)
    # Without the concordance the HS2017 code falls out of the tier.
    bare = chpl_growth(table.con, Filters(reporters=("KG",)), chpl, [])
    assert {r.year for r in bare if r.product == "Tier 3.A"} == {2022}


def test_load_correlation_rejects_bad_codes(tmp_path: Path) -> None:
    bad = tmp_path / "c.csv"
    bad.write_text("hs2022,hs2017,relationship\n85258,852580,n:1\n")
    with pytest.raises(Exception, match=r"row 2.*hs2022"):
        load_correlation(bad)
    assert Correlation("a", "b", "1:1").relationship == "1:1"


def test_hotspot_ordering(table: Table) -> None:
    # KG: chips (Tier 1) jump from 0 to 5m with coalition imports rising; cars grow modestly.
    for year, e, i in [(2019, 0.0, 1e6), (2020, 0.0, 1e6), (2021, 0.0, 1e6), (2022, 5e6, 6e6)]:
        if e:
            table.add("kg", "KG", "RU", "export", year, e, product="854231")
        table.add("kg", "KG", "DE", "import", year, i, product="854231")
    for year, e in [(2019, 10e6), (2020, 10e6), (2021, 10e6), (2022, 12e6)]:
        table.add("kg", "KG", "RU", "export", year, e, product="870323")
    table.add("kg", "KG", "RU", "export", 2022, 1e6, product="870324")
    table.add("kg", "KG", "RU", "export", 2021, 1e6, product="870324")
    table.add("kg", "KG", "RU", "export", 2020, 1e6, product="870324")
    ranked = hotspots(table.con, load_chpl())
    assert [h.signals.product for h in ranked] == ["854231", "870323", "870324"]
    top = ranked[0]
    assert top.rank == 1 and top.new and top.tier == "Tier 1"
    assert top.coverage == pytest.approx(5 / 6)
    assert top.g_ru == pytest.approx(math.log(5.1e6 / 1e5))
    assert ranked[2].g_ru == pytest.approx(0.0)


def test_score_is_pure_and_skips_pairs_without_exports() -> None:
    s = Signals("x", "KZ", "848210", 2023, 0.0, 1.0, None, None, None)
    assert score([s]) == []
    assert len(EU27_MEMBERS) == 27


def test_nan_correlation_is_no_correlation() -> None:
    # CORR over a constant series is NaN in SQL; it must reach callers (and --json) as None.
    from transitwatch.flows.sql import finite

    assert finite(float("nan")) is None and finite(float("inf")) is None
    assert finite(None) is None and finite(0.5) == 0.5
