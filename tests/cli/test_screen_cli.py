"""`transitwatch screen party|parties` and `transitwatch rescreen` through typer's CliRunner.

Each test loads a tiny FollowTheMoney list into its own store (``--db`` in a tmp folder).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from ftm_fixtures import ftm
from transitwatch.cli.main import app
from transitwatch.screening.calibration import default_calibration
from transitwatch.store.duck import DuckStore

PROFFLAB = ftm("C1", "Company", "Profflab LLC", country=["kg"], program=["RUSSIA-EO14024"])
KOLBAYEV = ftm(
    "P1",
    "Person",
    "Kamchybek Asanbekovich KOLBAYEV",
    alias=["Колбаев Камчыбек Асанбекович"],
    birthDate=["1974-08-03"],
    nationality=["kg"],
    program=["SDNTK"],
)
RM_DESIGN = ftm(
    "O1",
    "Organization",
    "RM Design and Development LLC",
    innCode=["7736303529"],
    program=["RUSSIA-EO14024"],
)
VESSEL = ftm("V1", "Vessel", "PROFFLAB", imoNumber=["IMO 9123456"])
ENTITIES = [PROFFLAB, KOLBAYEV, RM_DESIGN, VESSEL]

HIT_FIELDS = {
    "source",
    "source_id",
    "schema",
    "matched_name",
    "score",
    "explanation",
    "programs",
    "list_version",
}
HEADER = "id,name,type,country,birth_date,identifier"


def write(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in (
        "TRANSITWATCH_DB",
        "TRANSITWATCH_DATA",
        "TRANSITWATCH_THRESHOLD",
        "TRANSITWATCH_WORKERS",
        "TRANSITWATCH_MAX_NAME_LENGTH",
        "TRANSITWATCH_CANDIDATES",
    ):
        monkeypatch.delenv(var, raising=False)


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(app, ["--db", str(db), *args])


def ok(db: Path, *args: str) -> Result:
    result = run(db, *args)
    assert result.exit_code == 0, result.output
    assert result.exception is None, result.output
    return result


def assert_clean_error(result: Result, code: int, text: str) -> None:
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit)
    assert result.stderr.startswith("error: "), result.stderr  # rendered once, on stderr
    assert text in result.stderr
    assert "Traceback" not in result.output


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "store" / "tw.duckdb"


@pytest.fixture
def loaded(db: Path, tmp_path: Path) -> Path:
    """A store holding one version of the tiny list."""
    ok(db, "lists", "load", "ftm", str(write(tmp_path / "list.ftm.json", ENTITIES)))
    return db


def party_json(db: Path, *args: str) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(ok(db, "screen", "party", *args, "--json").stdout)
    return payload


def ids(payload: dict[str, Any]) -> list[str]:
    return [h["source_id"] for h in payload["hits"]]


# -- screen party ----------------------------------------------------------------------------


def test_screen_party_prints_the_entity_and_why(loaded: Path) -> None:
    out = ok(loaded, "screen", "party", "ОсОО Профлаб", "--country", "KG").stdout
    assert "1. " in out and "Profflab LLC" in out
    assert "ftm C1, organization" in out
    assert "RUSSIA-EO14024" in out
    assert "name matches listed primary 'Profflab LLC'" in out  # the explanation
    assert "country KG is among the listed countries" in out
    assert "list version ftm-v1-" in out


def test_screen_party_best_first(loaded: Path) -> None:
    payload = party_json(loaded, "Profflab LLC", "--country", "KG")
    assert ids(payload)[0] == "C1"  # the company (country agrees) before the vessel
    scores = [h["score"] for h in payload["hits"]]
    assert scores == sorted(scores, reverse=True)


def test_screen_party_json_has_the_documented_fields(loaded: Path) -> None:
    payload = party_json(
        loaded, "Колбаев Камчыбек", "--type", "person", "--birth-date", "1974-08-03"
    )
    assert payload["name"] == "Колбаев Камчыбек"
    assert payload["threshold"] == default_calibration().threshold  # the documented default
    assert set(payload["list_versions"]) == {"ftm"}
    (hit,) = payload["hits"]
    assert hit.keys() >= HIT_FIELDS
    assert (hit["source"], hit["source_id"], hit["schema"]) == ("ftm", "P1", "person")
    assert hit["programs"] == ["SDNTK"]
    assert hit["list_version"] == payload["list_versions"]["ftm"]
    assert payload["threshold"] <= hit["score"] <= 1.0
    assert isinstance(hit["explanation"], list) and hit["explanation"]
    assert any("birth date 1974-08-03 agrees" in line for line in hit["explanation"])


def test_screen_party_type_filters(loaded: Path) -> None:
    assert set(ids(party_json(loaded, "Profflab"))) == {"C1", "V1"}
    assert ids(party_json(loaded, "Profflab", "--type", "vessel")) == ["V1"]
    assert ids(party_json(loaded, "Profflab", "--type", "organization")) == ["C1"]
    assert ids(party_json(loaded, "Profflab", "--type", "person")) == []
    text = ok(loaded, "screen", "party", "Profflab", "--type", "person").stdout
    assert "No hits at or above the threshold." in text


def test_screen_party_identifier_finds_the_org_under_another_name(loaded: Path) -> None:
    assert ids(party_json(loaded, "Acme Trading")) == []
    payload = party_json(loaded, "Acme Trading", "--identifier", "7736303529")
    assert ids(payload) == ["O1"]
    assert payload["hits"][0]["explanation"][0].startswith("identifier INN 7736303529")
    assert payload["hits"][0]["score"] >= 0.9


def between(loaded: Path) -> str:
    """A threshold between the scores of a weaker (patronymic missing) and a full-name hit,
    whatever the shipped calibration makes of them."""
    weak = party_json(loaded, "Kolbayev Kamchybek", "--threshold", "0")["hits"][0]["score"]
    strong = party_json(loaded, "Kamchybek Asanbekovich Kolbayev", "--threshold", "0")
    top = strong["hits"][0]["score"]
    assert weak < top
    return f"{(weak + top) / 2:.6f}"


def test_screen_party_threshold(loaded: Path) -> None:
    cut = between(loaded)
    assert ids(party_json(loaded, "Kolbayev Kamchybek")) == ["P1"]
    assert ids(party_json(loaded, "Kolbayev Kamchybek", "--threshold", cut)) == []
    strong = party_json(loaded, "Kamchybek Asanbekovich Kolbayev", "--threshold", cut)
    assert ids(strong) == ["P1"] and strong["threshold"] == float(cut)


def test_screen_party_threshold_from_the_environment(
    loaded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRANSITWATCH_THRESHOLD", between(loaded))
    assert party_json(loaded, "Kolbayev Kamchybek")["hits"] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--threshold", "1.5"), "--threshold must be between 0 and 1, not 1.5"),
        (("--threshold", "-0.1"), "--threshold must be between 0 and 1"),
        (("--type", "spaceship"), "--type must be one of person, organization, vessel"),
        (("--country", "Kyrgyzstan"), "--country must be an ISO 3166-1 alpha-2 code"),
        (("--birth-date", "03.08.1974"), "--birth-date must be YYYY, YYYY-MM or YYYY-MM-DD"),
    ],
)
def test_screen_party_bad_options(loaded: Path, args: tuple[str, ...], message: str) -> None:
    assert_clean_error(run(loaded, "screen", "party", "Profflab", *args), 2, message)


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "the name is empty"), ("x" * 400, "the limit is 300"), ("ООО", "only a legal form")],
)
def test_screen_party_bad_name(loaded: Path, name: str, message: str) -> None:
    assert_clean_error(run(loaded, "screen", "party", name), 2, message)


def test_no_lists_loaded_is_a_clean_error(db: Path, tmp_path: Path) -> None:
    assert_clean_error(run(db, "screen", "party", "Profflab"), 2, "no lists are loaded")
    queries = tmp_path / "q.csv"
    queries.write_text("id,name\n1,Profflab\n", "utf-8")
    result = run(db, "screen", "parties", str(queries), "--output", str(tmp_path / "h.jsonl"))
    assert_clean_error(result, 2, "no lists are loaded")
    assert_clean_error(run(db, "rescreen"), 2, "no lists are loaded")


# -- screen parties --------------------------------------------------------------------------

QUERY_LINES = [
    "q1,Profflab LLC,,KG,,",
    "q2,Ivan Petrov",  # wrong column count
    "q3,Колбаев Камчыбек,person,KG,1974-08-03,",
    "q4,,,,,",  # empty name
    "q5,Nobody In Particular,,,,",
    "q6,Acme Trading,,,,7736303529",
    "q7,Ivan Petrov,,Kyrgyzstan,,",
    "q8,Profflab,vessel,,,",
    'q9,"Profflab LLC,,,,',  # malformed CSV (unclosed quote)
    "q10,Fo\x00o Bar,,,,",  # NUL byte
    "q11," + "y" * 400 + ",,,,",
    "q12,Kolbayev Kamchybek,person,,,",
]
EXPECTED = {
    "q1": ["C1", "V1"],  # best first: the country agrees with the company only
    "q3": ["P1"],
    "q5": [],
    "q6": ["O1"],
    "q8": ["V1"],
    "q12": ["P1"],
}


def queries_file(tmp_path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path = tmp_path / "queries.csv"
    path.write_bytes((HEADER + "\n" + "\n".join(lines) + "\n").encode(encoding))
    return path


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_screen_parties_writes_one_line_per_row_in_order(
    loaded: Path, tmp_path: Path, workers: str
) -> None:
    out = tmp_path / "hits.jsonl"
    args = ("screen", "parties", str(queries_file(tmp_path, QUERY_LINES)), "--output", str(out))
    result = ok(loaded, *args, "--workers", workers)
    lines = read_jsonl(out)
    assert [r["id"] for r in lines] == [f"q{i}" for i in range(1, 13)]
    for r in lines:
        assert r.keys() >= {"id", "name", "hits"}
        if r["id"] in EXPECTED:
            assert "error" not in r, r
            assert [h["source_id"] for h in r["hits"]] == EXPECTED[r["id"]], r
        else:
            assert isinstance(r["error"], str) and r["error"], r
            assert r["hits"] == []
        for hit in r["hits"]:
            assert hit.keys() >= HIT_FIELDS
            assert hit["score"] >= default_calibration().threshold
    by_id = {r["id"]: r for r in lines}
    assert by_id["q3"]["name"] == "Колбаев Камчыбек"
    assert "expected 6 columns" in by_id["q2"]["error"]
    assert "empty" in by_id["q4"]["error"]
    assert "ISO 3166-1 alpha-2" in by_id["q7"]["error"]
    assert "malformed CSV" in by_id["q9"]["error"]
    assert "control characters" in by_id["q10"]["error"]
    assert "the limit is 300" in by_id["q11"]["error"]
    assert "12 rows (utf-8): 5 with hits, 6 rejected" in result.stderr
    assert f"wrote {out}" in result.stderr


def test_screen_parties_threshold(loaded: Path, tmp_path: Path) -> None:
    queries = queries_file(
        tmp_path, ["a,Kolbayev Kamchybek,,,,", "b,Kamchybek Asanbekovich Kolbayev,,,,"]
    )
    low, high = tmp_path / "low.jsonl", tmp_path / "high.jsonl"
    cut = between(loaded)
    ok(loaded, "screen", "parties", str(queries), "-o", str(low), "--threshold", "0.5")
    ok(loaded, "screen", "parties", str(queries), "-o", str(high), "--threshold", cut)
    assert [[h["source_id"] for h in r["hits"]] for r in read_jsonl(low)] == [["P1"], ["P1"]]
    a, b = read_jsonl(high)
    assert a["hits"] == []  # the weaker hit is dropped
    assert [h["source_id"] for h in b["hits"]] == ["P1"]
    assert b["hits"][0]["score"] >= float(cut)
    result = run(loaded, "screen", "parties", str(queries), "-o", str(high), "--threshold", "1.5")
    assert_clean_error(result, 2, "--threshold must be between 0 and 1")


def test_screen_parties_cp1251(loaded: Path, tmp_path: Path) -> None:
    queries = queries_file(
        tmp_path, ["1,Колбаев Камчыбек,,,,", "2,ОсОО «Профлаб»,,KG,,"], encoding="cp1251"
    )
    out = tmp_path / "hits.jsonl"
    result = ok(loaded, "screen", "parties", str(queries), "--output", str(out))
    assert "2 rows (cp1251)" in result.stderr
    first, second = read_jsonl(out)
    assert first["name"] == "Колбаев Камчыбек" and first["hits"][0]["source_id"] == "P1"
    assert second["name"] == "ОсОО «Профлаб»" and second["hits"][0]["source_id"] == "C1"


@pytest.mark.parametrize(
    ("content", "message"),
    [("", "the file is empty"), ("name\nIvan\n", "missing id")],
)
def test_screen_parties_bad_header_is_a_clean_error(
    loaded: Path, tmp_path: Path, content: str, message: str
) -> None:
    queries = tmp_path / "q.csv"
    queries.write_text(content, "utf-8")
    out = tmp_path / "h.jsonl"
    result = run(loaded, "screen", "parties", str(queries), "--output", str(out))
    assert_clean_error(result, 2, message)
    assert not out.exists()


def test_screen_parties_missing_file(loaded: Path, tmp_path: Path) -> None:
    result = run(
        loaded, "screen", "parties", str(tmp_path / "nope.csv"), "-o", str(tmp_path / "x.jsonl")
    )
    assert_clean_error(result, 2, "no such file")


def test_screen_parties_logs_screenings_for_rescreen(loaded: Path, tmp_path: Path) -> None:
    out = tmp_path / "hits.jsonl"
    ok(loaded, "screen", "parties", str(queries_file(tmp_path, QUERY_LINES)), "-o", str(out))
    with DuckStore(loaded, read_only=True) as st:
        logged = st.screenings()
    # the screened rows, not the rejected ones (a rejected query would fail every rescreen)
    assert [r.query.id for r in logged] == list(EXPECTED)
    by_id = {r.query.id: r for r in logged}
    assert [h["source_id"] for h in by_id["q3"].hits] == ["P1"]
    assert by_id["q3"].query.birth_date == "1974-08-03"
    assert set(by_id["q1"].list_versions) == {"ftm"}


# -- rescreen --------------------------------------------------------------------------------


@pytest.fixture
def two_versions(db: Path, tmp_path: Path) -> tuple[Path, Path, Path]:
    """Version 1 lacks Kolbayev; version 2 adds him (the rest unchanged)."""
    v1 = write(tmp_path / "v1.ftm.json", [PROFFLAB, RM_DESIGN, VESSEL])
    v2 = write(tmp_path / "v2.ftm.json", ENTITIES)
    return db, v1, v2


def test_rescreen_flags_a_party_that_was_clean(two_versions: tuple[Path, Path, Path]) -> None:
    db, v1, v2 = two_versions
    ok(db, "lists", "load", "ftm", str(v1))
    assert party_json(db, "Kolbayev Kamchybek", "--country", "KG")["hits"] == []  # clean
    assert ids(party_json(db, "Profflab LLC")) == ["C1", "V1"]  # a hit already, unchanged

    nothing = ok(db, "rescreen")  # no new list version yet
    assert "0 have new hits" in nothing.stderr and "No new hits." in nothing.stderr

    ok(db, "lists", "load", "ftm", str(v2))
    first = ok(db, "rescreen")
    assert "Re-screened 2 past screenings; 1 have new hits." in first.stderr
    assert "Kolbayev Kamchybek" in first.stdout  # the party
    assert "Kamchybek Asanbekovich KOLBAYEV" in first.stdout  # its new hit
    assert "ftm P1" in first.stdout
    assert "Profflab" not in first.stdout  # nothing new for it

    second = ok(db, "rescreen")  # already reported
    assert "have new hits" in second.stderr and "0 have new hits" in second.stderr
    assert "No new hits." in second.stderr
    assert "KOLBAYEV" not in second.stdout


def test_rescreen_json(two_versions: tuple[Path, Path, Path]) -> None:
    db, v1, v2 = two_versions
    ok(db, "lists", "load", "ftm", str(v1))
    party_json(db, "Колбаев Камчыбек", "--birth-date", "1974-08-03")
    ok(db, "lists", "load", "ftm", str(v2))
    result = ok(db, "rescreen", "--json")
    (line,) = result.stdout.splitlines()
    record = json.loads(line)
    assert record.keys() >= {"screening_id", "id", "name", "changed_sources", "hits"}
    assert record["name"] == "Колбаев Камчыбек" and record["id"] is None
    assert record["changed_sources"] == ["ftm"]
    (hit,) = record["hits"]
    assert hit.keys() >= HIT_FIELDS
    assert hit["source_id"] == "P1" and hit["list_version"].startswith("ftm-v2-")
    with DuckStore(db, read_only=True) as st:
        assert record["screening_id"] in {r.screening_id for r in st.screenings()}
    assert ok(db, "rescreen", "--json").stdout == ""  # nothing new the second time


def test_rescreen_threshold(two_versions: tuple[Path, Path, Path]) -> None:
    db, v1, v2 = two_versions
    ok(db, "lists", "load", "ftm", str(v1))
    party_json(db, "Kolbayev Kamchybek")
    ok(db, "lists", "load", "ftm", str(v2))
    # a patronymic-less match scores below a full one, so below 0.9999 whatever the calibration
    assert ok(db, "rescreen", "--json", "--threshold", "0.9999").stdout == ""
    assert_clean_error(run(db, "rescreen", "--threshold", "1.5"), 2, "--threshold must be")
    assert len(ok(db, "rescreen", "--json").stdout.splitlines()) == 1


def test_rescreen_covers_batch_screened_parties(
    two_versions: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    db, v1, v2 = two_versions
    ok(db, "lists", "load", "ftm", str(v1))
    queries = queries_file(
        tmp_path, ["cust-1,Profflab LLC,,,,", "cust-2,Колбаев Камчыбек,person,KG,,", "cust-3,,,,,"]
    )
    out = tmp_path / "hits.jsonl"
    ok(db, "screen", "parties", str(queries), "--output", str(out))
    assert [r["hits"] for r in read_jsonl(out)][1:] == [[], []]  # cust-2 clean yesterday
    ok(db, "lists", "load", "ftm", str(v2))
    result = ok(db, "rescreen", "--json")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["id"], [h["source_id"] for h in r["hits"]]) for r in records] == [("cust-2", ["P1"])]
    assert ok(db, "rescreen", "--json").stdout == ""


SDN_CSV = (
    '48847,"LIMITED LIABILITY COMPANY PROFFLAB",-0- ,"RUSSIA-EO14024",-0- ,-0- ,-0- ,-0- ,-0- ,'
    '-0- ,-0- ,"Tax ID No. 01703202210047 (Kyrgyzstan)."\r\n'
)


def test_rescreen_a_source_loaded_after_the_screening(db: Path, tmp_path: Path) -> None:
    """A list that was not loaded at the time of the screening counts wholly as new."""
    ok(db, "lists", "load", "ftm", str(write(tmp_path / "v1.ftm.json", [KOLBAYEV])))
    assert party_json(db, "OsOO Profflab")["hits"] == []
    sdn = tmp_path / "sdn.csv"
    sdn.write_text(SDN_CSV, "ascii")
    ok(db, "lists", "load", "us_ofac_sdn", str(sdn))
    records = [json.loads(x) for x in ok(db, "rescreen", "--json").stdout.splitlines()]
    assert [(r["changed_sources"], [h["source_id"] for h in r["hits"]]) for r in records] == [
        (["us_ofac_sdn"], ["48847"])
    ]
    assert records[0]["hits"][0]["programs"] == ["RUSSIA-EO14024"]
    assert ok(db, "rescreen", "--json").stdout == ""
