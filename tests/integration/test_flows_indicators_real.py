"""Mirror gap on the staged real data: EU-27 exports to Kyrgyzstan vs Kyrgyz imports, 2022.

Independent of the loaders: the two staged files are read here into a minimal ``trade_flows``
table (EUR→USD at 1.05 for 2022, the rate the source repository used), then the indicator runs.
"""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import duckdb
import pytest

from transitwatch.flows.indicators import mirror

pytestmark = pytest.mark.integration

COLS = (
    "source VARCHAR, source_file VARCHAR, source_version VARCHAR, reporter VARCHAR, "
    "partner VARCHAR, flow VARCHAR, freq VARCHAR, year INTEGER, month INTEGER, product VARCHAR, "
    "product_level INTEGER, hs_edition VARCHAR, value DOUBLE, currency VARCHAR, value_usd DOUBLE, "
    "quantity DOUBLE, quantity_unit VARCHAR, net_mass_kg DOUBLE, is_aggregate_partner BOOLEAN"
)


def test_mirror_gap_eu27_kyrgyzstan_2022(shared_data_dir: Path) -> None:
    eu_file = (
        shared_data_dir / "eurostat_comext_totals/eurostat_annual_eu27_exports_by_partner.csv.gz"
    )
    kg_file = shared_data_dir / "national_trade_stats/kyrgyzstan_trade_by_country_1994_2023.csv"
    con = duckdb.connect()
    con.execute(f"CREATE TABLE trade_flows ({COLS})")
    insert = f"INSERT INTO trade_flows VALUES ({', '.join('?' * 19)})"
    with gzip.open(eu_file, "rt", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["partner"] == "Kyrgyzstan" and r["year"] == "2022" and "27" in r["reporter"]:
                v = float(r["value_eur"])
                con.execute(insert, ["comext", eu_file.name, "2024-11-17", "EU27", "KG", "export",
                                     "A", 2022, None, "TOTAL", 0, None, v, "EUR", v * 1.05, None,
                                     None, None, False])  # fmt: skip
    with kg_file.open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["flow"] == "import" and r["year"] == "2022" and r["label_en"] == "The EU":
                v = float(r["value_thousand_usd"]) * 1000
                con.execute(insert, ["kg_nsc", kg_file.name, "2023", "KG", "EU", "import", "A",
                                     2022, None, "TOTAL", 0, None, v, "USD", v, None, None, None,
                                     True])  # fmt: skip
    (row,) = mirror(con, "EU27", "KG")
    assert row.year == 2022 and row.import_basis == "reported as EU"
    assert row.export_usd == pytest.approx(1_170_905_952 * 1.05)
    assert row.import_cif_usd == pytest.approx(526_857_272, rel=1e-6)
    # Kyrgyzstan records well under half of what the EU says it shipped (FOB-adjusted): -61 %.
    assert row.gap_share == pytest.approx((526_857_272 / 1.10 - 1_170_905_952 * 1.05)
                                          / (1_170_905_952 * 1.05), rel=1e-6)  # fmt: skip
    assert -0.65 < row.gap_share < -0.55
