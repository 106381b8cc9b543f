"""Trade-flow loaders (one small file per format), partner mapping, rates and the flow store."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from transitwatch.errors import ConfigError, InputError, ParseError
from transitwatch.flows.loaders import detect, header_of, parse
from transitwatch.flows.model import FlowRecord, ParsedFlows
from transitwatch.flows.partners import partner_table
from transitwatch.flows.rates import Conversion, rate_table, table_from_text
from transitwatch.store.flows import FlowStore

COMTRADR = (
    "year,month,period,period_desc,aggregate_level,is_leaf_code,trade_code,trade_flow,"
    "reporter_code,reporter,partner_code,partner_iso,partner,commodity_code,commodity,mot_code,"
    "mot_desc,QtyUnitCode,QtyUnitAbbr,Qty,IsQtyEstimated,IsNetWgtEstimated,netweight_kg,"
    "trade_value_us,cifvalue,fobvalue,IsReported,IsAggregate\n"
    "2022,3,2022-03-01,202203,4,FALSE,X,Export,51,Armenia,643,RUS,Russian Federation,8703,Cars,"
    "3200,Road,5,u,10,FALSE,FALSE,15000,200000.5,NA,200000.5,FALSE,TRUE\n"
    "2022,3,2022-03-01,202203,4,FALSE,X,Export,51,Armenia,643,RUS,Russian Federation,8703,Cars,"
    "9900,Self propelled goods,5,u,5,FALSE,FALSE,7000,100000,NA,100000,FALSE,TRUE\n"
    "2022,3,2022-03-01,202203,6,TRUE,X,Export,51,Armenia,643,RUS,Russian Federation,870323,"
    "Cars,3200,Road,5,u,10,FALSE,FALSE,15000,200000.5,NA,200000.5,FALSE,TRUE\n"
    '2022,3,2022-03-01,202203,4,FALSE,M,Import,51,Armenia,899,_X,"Areas, nes",8703,Cars,'
    "0,TOTAL MOT,5,u,1,FALSE,FALSE,900,5000,5000,NA,FALSE,TRUE\n"
    "2022,3,2022-03-01,202203,4,FALSE,DX,Domestic Export,51,Armenia,0,W00,World,8703,Cars,"
    "0,TOTAL MOT,5,u,1,FALSE,FALSE,900,5000,5000,NA,FALSE,TRUE\n"
)
COMTRADE_API = (
    "typeCode,freqCode,refPeriodId,refYear,refMonth,period,reporterCode,reporterISO,reporterDesc,"
    "flowCode,flowDesc,partnerCode,partnerISO,partnerDesc,partner2Code,partner2ISO,"
    "classificationCode,cmdCode,cmdDesc,aggrLevel,customsCode,mosCode,motCode,qtyUnitAbbr,qty,"
    "netWgt,primaryValue\n"
    "C,A,20220101,2022,52,2022,417,KGZ,Kyrgyzstan,X,Export,0,W00,World,0,W00,H6,TOTAL,All,0,C00,"
    "0,0,N/A,,,1500000000\n"
    "C,A,20220101,2022,52,2022,417,KGZ,Kyrgyzstan,RX,Re-export,643,RUS,Russia,0,W00,H6,851762,"
    "Machines,6,C00,0,0,u,12,3.5,45000\n"
    "C,A,20220101,2022,52,2022,417,KGZ,Kyrgyzstan,X,Export,643,RUS,Russia,0,W00,H6,851762,"
    "Machines,6,C01,0,0,u,1,1,1\n"
)
EUROSTAT = (
    "reporter,partner,product,flow,stat_procedure,period,period_raw,value_eur,source_file\n"
    '"European Union - 27 countries (AT, BE, BG, CY, CZ, DE, DK, EE, ES, FI, FR, GR, HR, HU, IE, '
    'IT, LT, LU, LV, MT, NL, PL, PT, RO, SE, SI, SK)",Kyrgyzstan,Total,EXPORT,Total,2022-01,'
    "Jan. 2022,1000000,x\n"
    "\"Germany (incl. German Democratic Republic 'DD' from 1991)\",Kyrgyzstan,Total,EXPORT,Total,"
    "2022-01,Jan. 2022,400000,x\n"
    "Poland,Extra-EU27 (from 2020),Total,EXPORT,Total,2022-01,Jan. 2022,9,x\n"
    "Poland,Atlantis,Total,EXPORT,Total,2022-01,Jan. 2022,9,x\n"
)
KG = (
    "table,flow,label_ky,label_ru,label_en,year,preliminary,value_thousand_usd,value_raw,row_order\n"
    "4.03.00.18,export,Бардыгы,Всего,Total,2022,False,1000.5,1000.5,4\n"
    "4.03.00.18,export,ЕС,ЕС,The EU,2022,False,20,20,5\n"
    "4.03.00.18,export,Орусия,Россия,Russia,2022,False,1069691.913,1069691.913,37\n"
    "4.03.00.18,export,Казакстан,Казахстан,Kazakhstan,2022,False,,-,40\n"
    "4.03.00.18,export,Сальвадор,Сальвадор,Salvador,2022,False,,-,141\n"
    "4.03.00.18,export,Эль-Сальвадор,Эль-Сальвадор,El Salvador,2022,False,3,3,150\n"
    "4.03.00.18,export,Норманд аралдары,Нормандские Острова,Channel Islands,2022,False,1,1,160\n"
)
KZ = (
    "source_file,sheet,year,period_title,partner_ru,turnover_thousand_usd,export_thousand_usd,"
    "import_thousand_usd\n"
    'x,2022,2022,2022 год,"Всего\nв том числе",10,7,3\n'
    "x,2022,2022,2022 год,Страны ЕАЭС,5,4,1\n"
    "x,2022,2022,2022 год,Россия,5,4,1\n"
    "x,2022,2022,2022 год,Андорра,0.5,,0.5\n"
    "x,2022,2022,2022 год,Кыргызстан,1,1,\n"
)
UZ = (
    "dataset,flow,partner_code,partner_uz,partner_ru,partner_en,year,value_thousand_usd\n"
    "sdmx_data_1105,export,643,Rossiya,Россия,Russia,2022,3151098.4\n"
    "sdmx_data_1105,export,580,Shimoliy Mariana Orollari,Northern Mariana Islands,"
    "Северные Марианские острова,2022,1\n"
    "sdmx_data_1176,import,0,Boshqa mamlakatlar,Другие страны,Other countries,2022,2\n"
)
ARMSTAT = (
    '"country","year","month","export","import_origin","import_consignment","date"\n'
    '"Russian Federation",2022,1,100.5,50,60,"2022-01-01"\n'
    '"Nagorno Karabagh",2022,1,1,1,1,"2022-01-01"\n'
)
ARMSTAT_OLD = (
    "country,export,import_consigment,import_origin,timeperiod,year\n"
    "Russian Federation,10,-,5,1,2023\n"
    "Russian Federation,10,-,5,Year,2023\n"
)


def write(tmp_path: Path, name: str, text: str, *, gz: bool = False) -> Path:
    path = tmp_path / name
    data = text.encode("utf-8")
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def by_key(parsed: ParsedFlows) -> dict[tuple[str, str, str, str], FlowRecord]:
    return {(r.reporter, r.partner, r.flow, r.product): r for r in parsed.records}


def test_comtradr_sums_modes_of_transport_and_keeps_levels_apart(tmp_path: Path) -> None:
    path = write(tmp_path, "ct.csv.gz", COMTRADR, gz=True)
    assert detect(header_of(path)) == "comtrade"
    parsed = parse(path)
    recs = by_key(parsed)
    car = recs[("AM", "RU", "export", "8703")]
    assert car.value_usd == pytest.approx(300000.5)
    assert (car.quantity, car.quantity_unit, car.net_mass_kg) == (15, "u", 22000)
    assert (car.freq, car.year, car.month, car.product_level) == ("M", 2022, 3, 4)
    assert car.hs_edition == "HS2022" and car.currency == "USD"
    assert recs[("AM", "RU", "export", "870323")].product_level == 6
    assert recs[("AM", "QU", "import", "8703")].is_aggregate_partner is False
    assert [s.reason for s in parsed.skipped] == ["flow 'DX' not loaded"]
    assert any("mode of transport" in n for n in parsed.notes)


def test_comtrade_api_layout(tmp_path: Path) -> None:
    parsed = parse(write(tmp_path, "api.csv", COMTRADE_API))
    recs = by_key(parsed)
    world = recs[("KG", "WORLD", "export", "TOTAL")]
    assert world.is_aggregate_partner and world.product_level == 0 and world.hs_edition is None
    assert (world.freq, world.month) == ("A", None)
    rx = recs[("KG", "RU", "re-export", "851762")]
    assert rx.hs_edition == "HS2022" and rx.value_usd == 45000
    assert len(parsed.skipped) == 1 and "customsCode" in parsed.skipped[0].reason


def test_eurostat_aggregates_footnotes_and_conversion(tmp_path: Path) -> None:
    parsed = parse(write(tmp_path, "es.csv", EUROSTAT))
    recs = by_key(parsed)
    eu = recs[("EU27", "KG", "export", "TOTAL")]
    assert eu.currency == "EUR" and eu.value == 1_000_000
    # a January 2022 row: the Federal Reserve's January 2022 average, not the 2022 annual one
    assert eu.value_usd == pytest.approx(1_000_000 * 1.1317)
    assert any("monthly average: Federal Reserve" in note for note in parsed.notes)
    assert ("DE", "KG", "export", "TOTAL") in recs
    assert recs[("PL", "EXTRA_EU27", "export", "TOTAL")].is_aggregate_partner
    assert [s.reason for s in parsed.skipped] == ["unknown partner name 'Atlantis'"]


def test_kyrgyz_thousands_aggregates_and_duplicates(tmp_path: Path) -> None:
    parsed = parse(write(tmp_path, "kg.csv", KG))
    assert parsed.source == "kg_nsc"
    recs = by_key(parsed)
    assert recs[("KG", "RU", "export", "TOTAL")].value_usd == pytest.approx(1_069_691_913)
    assert recs[("KG", "WORLD", "export", "TOTAL")].is_aggregate_partner
    assert recs[("KG", "EU", "export", "TOTAL")].is_aggregate_partner
    assert recs[("KG", "KZ", "export", "TOTAL")].value == 0.0  # "-" = no trade
    assert recs[("KG", "SV", "export", "TOTAL")].value == 3000.0  # the non-zero duplicate wins
    reasons = {s.reason for s in parsed.skipped}
    assert any("Нормандские Острова" in r for r in reasons)


def test_kazakh_russian_names(tmp_path: Path) -> None:
    parsed = parse(write(tmp_path, "kz.csv", KZ))
    recs = by_key(parsed)
    assert recs[("KZ", "WORLD", "export", "TOTAL")].value == 7000.0
    assert recs[("KZ", "EAEU", "import", "TOTAL")].is_aggregate_partner
    assert recs[("KZ", "RU", "export", "TOTAL")].value == 4000.0
    assert recs[("KZ", "AD", "export", "TOTAL")].value == 0.0
    assert recs[("KZ", "KG", "import", "TOTAL")].value == 0.0
    assert not parsed.skipped


def test_uzbek_names_even_when_columns_are_swapped(tmp_path: Path) -> None:
    recs = by_key(parse(write(tmp_path, "uz.csv", UZ)))
    assert recs[("UZ", "RU", "export", "TOTAL")].value == pytest.approx(3_151_098_400)
    assert ("UZ", "MP", "export", "TOTAL") in recs
    assert not recs[("UZ", "QU", "import", "TOTAL")].is_aggregate_partner


def test_armstat_layouts(tmp_path: Path) -> None:
    parsed = parse(write(tmp_path, "am.csv.gz", ARMSTAT, gz=True))
    recs = by_key(parsed)
    assert recs[("AM", "RU", "export", "TOTAL")].value == pytest.approx(100_500)
    assert recs[("AM", "RU", "import", "TOTAL")].value == 50_000  # by origin
    assert len(parsed.skipped) == 1 and "Nagorno" in parsed.skipped[0].reason
    old = parse(write(tmp_path, "am_old.csv", ARMSTAT_OLD))
    assert {(r.freq, r.flow) for r in old.records} == {("M", "export"), ("M", "import")}
    assert "partial year" in old.skipped[0].reason


def test_partner_table_languages() -> None:
    table = partner_table()
    for name, code in (
        ("Орусия", "RU"),  # Kyrgyz
        ("Россия", "RU"),
        ("Rossiya", "RU"),  # Uzbek
        ("Кытай", "CN"),
        ("Allemagne", "DE"),  # Eurostat French (2016 file)
        ("Бардыгы", "WORLD"),
        ("Страны ЕС", "EU"),
        ("Butane", "BT"),
    ):
        found = table.lookup(name, fallback=False)
        assert not isinstance(found, str) and found.code == code, name
    assert isinstance(table.lookup("Atlantis"), str)


def test_rates_monthly_then_annual_fallback() -> None:
    rates = rate_table()
    assert rates.conversion("USD", 2022).usd_per_unit == 1.0
    # Federal Reserve H.10 monthly average for May 2021 (FRED EXUSEU), not the ECB annual 1.1827
    may = rates.conversion("EUR", 2021, 5)
    assert (may.usd_per_unit, may.basis) == (1.2146, "monthly average")
    assert "Federal Reserve" in may.source
    # the monthly series ends with 2024-09: later months fall back to the year's ECB average
    late = rates.conversion("EUR", 2024, 11)
    assert late.usd_per_unit == 1.0824 and "no monthly" in late.basis and "ECB" in late.source
    annual = rates.conversion("EUR", 2022)
    assert (annual.usd_per_unit, annual.basis) == (1.0530, "annual average")
    with pytest.raises(InputError):
        rates.conversion("AMD", 2022)


def test_packaged_monthly_rates_agree_with_annual_averages() -> None:
    # Guards the transcription of fx_rates.yml: two series from two publishers (ECB annual,
    # Federal Reserve monthly) must agree within 0.2% for every complete year they share.
    rates = rate_table()
    for year, annual in rates.annual["EUR"].items():
        months = [rates.monthly["EUR"].get((year, m)) for m in range(1, 13)]
        if None in months:
            continue
        mean = sum(m for m in months if m is not None) / 12
        assert abs(mean / annual - 1) < 0.002, (year, mean, annual)
    assert {y for (y, _m) in rates.monthly["EUR"]} >= set(range(2017, 2024))


def test_rate_file_is_validated() -> None:
    head = "currencies:\n  EUR:\n    source: test\n    quote: usd_per_unit\n"
    custom = table_from_text(
        head + "    monthly_source: test m\n    annual: {2022: 1.05}\n"
        "    monthly: {'2022-01': 1.13}\n"
    )
    assert custom.conversion("EUR", 2022, 1) == Conversion(1.13, "monthly average", "test m")
    assert custom.conversion("EUR", 2022, 2).usd_per_unit == 1.05
    with pytest.raises(ConfigError, match="no monthly_source"):
        table_from_text(head + "    annual: {2022: 1.05}\n    monthly: {'2022-01': 1.13}\n")
    with pytest.raises(ConfigError, match="not YYYY-MM"):
        table_from_text(
            head
            + "    monthly_source: m\n    annual: {2022: 1.05}\n    monthly: {'2022-13': 1.1}\n"
        )
    with pytest.raises(ConfigError, match="implausible"):
        table_from_text(head + "    annual: {2022: 1050}\n")


def test_unknown_format_and_bad_rows(tmp_path: Path) -> None:
    with pytest.raises(ParseError):
        parse(write(tmp_path, "x.csv", "a,b\n1,2\n"))
    with pytest.raises(ParseError, match="row 8"):
        parse(write(tmp_path, "kz.csv", KZ + "x,2022\n"), "kz-stat")


def test_store_replace_is_idempotent_and_atomic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "kg.csv", KG)
    parsed = parse(path)
    with FlowStore(tmp_path / "db.duckdb") as st:
        first = st.replace_file(parsed)
        assert first.rows == st.count() == len(parsed.records) and first.replaced_rows == 0
        again = st.replace_file(parse(path))
        assert again.replaced_rows == first.rows and st.count() == first.rows
        parse(write(tmp_path, "kz.csv", KZ))
        st.replace_file(parse(tmp_path / "kz.csv"))
        total = st.count()

        def boom(self: FlowStore, parsed: ParsedFlows) -> None:
            raise RuntimeError("disk full")

        monkeypatch.setattr(FlowStore, "_insert", boom)
        with pytest.raises(RuntimeError):
            st.replace_file(parse(path))
        assert st.count() == total and st.count("kg.csv") == first.rows
        loads = {row["source_file"]: row for row in st.loads()}
        assert loads["kg.csv"]["rows"] == first.rows and loads["kg.csv"]["skipped"] == 2
        cols = st.connection.execute("DESCRIBE trade_flows").fetchall()
        assert [c[0] for c in cols][:5] == [
            "source",
            "source_file",
            "source_version",
            "reporter",
            "partner",
        ]


def test_cli_load_and_sources(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from transitwatch.cli import flows_load
    from transitwatch.cli.main import app

    flows_load.register(app)
    flows_load.register(app)  # registering twice adds the sub-app once
    assert sum(g.typer_instance is flows_load.flows_app for g in app.registered_groups) == 1
    db = str(tmp_path / "cli.duckdb")
    kg = write(tmp_path, "kg.csv", KG)
    result = CliRunner().invoke(app, ["--db", db, "flows", "load", "auto", str(kg)])
    assert result.exit_code == 0, result.output
    assert "kg.csv: 5 rows stored as kg_nsc" in result.output
    result = CliRunner().invoke(app, ["--db", db, "flows", "sources"])
    assert result.exit_code == 0 and "kg_nsc" in result.output
    bad = CliRunner().invoke(app, ["--db", db, "flows", "load", "nope", str(kg)])
    assert bad.exit_code == 2 and "unknown format" in bad.output
