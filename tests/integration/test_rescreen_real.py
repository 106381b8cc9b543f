"""Rescreening on the real OFAC SDN files: a Kyrgyz company clean the day before the invasion
is flagged once the July 2024 list is loaded.

LIMITED LIABILITY COMPANY PROFFLAB (ent_num 48847, RUSSIA-EO14024, Tax ID 01703202210047
(Kyrgyzstan), address Bishkek in add_2026-06-02) was checked by hand: its ent_num is absent
from sdn_2022-02-23.csv.gz (whose highest ent_num is 35024) and no row of that file mentions
PROFFLAB; sdn_2024-07-02.csv.gz lists it, and alt_2026-06-02.csv.gz has its aliases
"PROFFLAB LIMITED LIABILITY COMPANY", "LLC PROFFLAB" and "OSOO PROFFLAB" (alt rows 76055-76057).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from transitwatch.cli.main import app

pytestmark = pytest.mark.integration

ENT_NUM = "48847"
PARTY = "ОсОО «Профлаб»"  # how a Kyrgyz customs declaration would write it


@pytest.fixture
def ofac_dir(shared_data_dir: Path) -> Path:
    folder = shared_data_dir / "ofac_sdn"
    if not folder.is_dir():
        pytest.skip(f"{folder} not found: integration tests need ../shared/data")
    return folder


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("TRANSITWATCH_DB", "TRANSITWATCH_THRESHOLD", "TRANSITWATCH_CANDIDATES"):
        monkeypatch.delenv(var, raising=False)


def run(db: Path, *args: str) -> Result:
    result = CliRunner().invoke(app, ["--db", str(db), *args])
    assert result.exit_code == 0, result.output
    assert result.exception is None, result.output
    return result


def test_party_clean_before_the_invasion_is_flagged_after(ofac_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "tw.duckdb"
    alt = str(ofac_dir / "alt_2026-06-02.csv.gz")

    first = run(db, "lists", "load", "us_ofac_sdn", str(ofac_dir / "sdn_2022-02-23.csv.gz"), alt)
    assert "us_ofac_sdn: stored version us_ofac_sdn-v1-" in first.stdout
    assert "file date 2022-02-23" in first.stdout

    before: dict[str, Any] = json.loads(
        run(db, "screen", "party", PARTY, "--country", "KG", "--json").stdout
    )
    assert before["hits"] == [], before["hits"]  # clean on 23 Feb 2022
    assert before["list_versions"]["us_ofac_sdn"].startswith("us_ofac_sdn-v1-")
    # and the plain Latin spelling too (a second, distinct past screening)
    assert json.loads(run(db, "screen", "party", "Profflab LLC", "--json").stdout)["hits"] == []

    second = run(db, "lists", "load", "us_ofac_sdn", str(ofac_dir / "sdn_2024-07-02.csv.gz"), alt)
    assert "us_ofac_sdn: stored version us_ofac_sdn-v2-" in second.stdout

    diff = json.loads(run(db, "lists", "diff", "us_ofac_sdn", "1", "2", "--json").stdout)
    added = {e["source_id"]: e for e in diff["added"]}
    assert ENT_NUM in added
    assert added[ENT_NUM]["caption"] == "LIMITED LIABILITY COMPANY PROFFLAB"
    assert "RUSSIA-EO14024" in added[ENT_NUM]["programs"]
    assert diff["counts"]["added"] == len(diff["added"]) > 6_000  # 9,121 -> 15,443 rows

    result = run(db, "rescreen", "--json")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(r["name"] for r in records) == sorted([PARTY, "Profflab LLC"])
    for record in records:
        assert record["changed_sources"] == ["us_ofac_sdn"]
        top = record["hits"][0]
        assert (top["source"], top["source_id"]) == ("us_ofac_sdn", ENT_NUM)
        assert top["schema"] == "organization"
        assert "RUSSIA-EO14024" in top["programs"]
        assert top["list_version"].startswith("us_ofac_sdn-v2-")
        assert top["score"] >= 0.7
        assert top["explanation"]

    # reported once: the next rescreen has nothing new
    again = CliRunner().invoke(app, ["--db", str(db), "rescreen"])
    assert again.exit_code == 0, again.output
    assert "0 have new hits" in again.stderr

    # and screening the party today finds it directly
    today = json.loads(run(db, "screen", "party", PARTY, "--country", "KG", "--json").stdout)
    assert today["hits"][0]["source_id"] == ENT_NUM
