"""discover(): the staged data layout to (source, files) load jobs, in load order."""

from __future__ import annotations

from pathlib import Path

from transitwatch.lists.discover import LoadJob, discover

STAGED = {
    "ofac_sdn": [
        "PROVENANCE.md",
        "add_2021-04-25.csv.gz",
        "add_2026-06-02.csv.gz",
        "alt_2021-04-25.csv.gz",
        "alt_2024-09-25_with_header.csv.gz",
        "alt_2026-06-02.csv.gz",
        "ofac_nonsdn_cons_add_2025-12-19.csv.gz",
        "ofac_nonsdn_cons_alt_2025-12-19.csv.gz",
        "ofac_nonsdn_cons_comments_2025-12-19.csv.gz",
        "ofac_nonsdn_cons_prim_2025-12-19.csv.gz",
        "sdn_2021-04-25.csv.gz",
        "sdn_2022-02-23.csv.gz",
        "sdn_2023-12-28.csv.gz",
        "sdn_2024-05-03.csv.gz",
        "sdn_2024-07-02.csv.gz",
        "sdn_comments_2025-02-27.csv",
    ],
    "uk_sanctions_list": [
        "PROVENANCE.md",
        "subject_countries.csv.gz",
        "subject_dobs.csv.gz",
        "subject_identifiers.csv.gz",
        "subject_names.csv.gz",
        "subjects.csv.gz",
    ],
    "un_sc_consolidated": ["PROVENANCE.md", "un_consolidated_2026-02-27.xml.gz"],
    "eu_official_journal_russia": [
        "PROVENANCE.md",
        "eu_32006R0765_consolidated.csv.gz",
        "eu_32014R0269_consolidated.csv.gz",
        "eu_32014R0833_consolidated.csv.gz",
        "eu_32024R1485_consolidated.csv.gz",
        "eu_32024R2642_consolidated.csv.gz",
    ],
    "bis_party_lists": ["PROVENANCE.md", "bis_mieu_list.csv", "dpl_2022-09.txt.gz"],
    "chpl": ["PROVENANCE.md", "chpl.csv"],
}


def stage(root: Path, layout: dict[str, list[str]]) -> Path:
    for folder, names in layout.items():
        (root / folder).mkdir(parents=True, exist_ok=True)
        for name in names:
            (root / folder / name).write_bytes(b"")
    return root


def names(jobs: list[LoadJob]) -> list[tuple[str, list[str]]]:
    return [(source, [p.name for p in files]) for source, files in jobs]


def test_staged_layout(tmp_path: Path) -> None:
    jobs = discover(stage(tmp_path, STAGED))
    assert names(jobs) == [
        (
            "us_ofac_sdn",
            ["sdn_2021-04-25.csv.gz", "alt_2021-04-25.csv.gz", "add_2021-04-25.csv.gz"],
        ),
        (
            "us_ofac_sdn",
            [
                "sdn_2022-02-23.csv.gz",
                "alt_2026-06-02.csv.gz",
                "add_2026-06-02.csv.gz",
                "sdn_comments_2025-02-27.csv",
            ],
        ),
        (
            "us_ofac_sdn",
            [
                "sdn_2023-12-28.csv.gz",
                "alt_2026-06-02.csv.gz",
                "add_2026-06-02.csv.gz",
                "sdn_comments_2025-02-27.csv",
            ],
        ),
        (
            "us_ofac_sdn",
            [
                "sdn_2024-05-03.csv.gz",
                "alt_2026-06-02.csv.gz",
                "add_2026-06-02.csv.gz",
                "sdn_comments_2025-02-27.csv",
            ],
        ),
        (
            "us_ofac_sdn",
            [
                "sdn_2024-07-02.csv.gz",
                "alt_2026-06-02.csv.gz",
                "add_2026-06-02.csv.gz",
                "sdn_comments_2025-02-27.csv",
            ],
        ),
        (
            "us_ofac_cons",
            [
                "ofac_nonsdn_cons_prim_2025-12-19.csv.gz",
                "ofac_nonsdn_cons_alt_2025-12-19.csv.gz",
                "ofac_nonsdn_cons_add_2025-12-19.csv.gz",
                "ofac_nonsdn_cons_comments_2025-12-19.csv.gz",
            ],
        ),
        (
            "gb_fcdo_sanctions",
            [
                "subjects.csv.gz",
                "subject_names.csv.gz",
                "subject_dobs.csv.gz",
                "subject_identifiers.csv.gz",
                "subject_countries.csv.gz",
            ],
        ),
        ("un_sc_sanctions", ["un_consolidated_2026-02-27.xml.gz"]),
        (
            "eu_journal_sanctions",
            [
                "eu_32006R0765_consolidated.csv.gz",
                "eu_32014R0269_consolidated.csv.gz",
                "eu_32014R0833_consolidated.csv.gz",
                "eu_32024R1485_consolidated.csv.gz",
                "eu_32024R2642_consolidated.csv.gz",
            ],
        ),
        ("us_bis_denied", ["dpl_2022-09.txt.gz"]),
        ("us_bis_mieu", ["bis_mieu_list.csv"]),
    ]
    assert all(p.parent.parent == tmp_path for _, fs in jobs for p in fs)


def test_jobs_are_source_files_tuples(tmp_path: Path) -> None:
    stage(tmp_path, {"un_sc_consolidated": ["un_consolidated_2026-02-27.xml.gz"]})
    path = tmp_path / "un_sc_consolidated" / "un_consolidated_2026-02-27.xml.gz"
    assert discover(tmp_path) == [("un_sc_sanctions", [path])]


def test_missing_folders_are_skipped(tmp_path: Path) -> None:
    assert discover(tmp_path) == []
    assert discover(tmp_path / "does-not-exist") == []
    stage(tmp_path, {"bis_party_lists": ["bis_mieu_list.csv"], "uk_sanctions_list": []})
    assert names(discover(tmp_path)) == [("us_bis_mieu", ["bis_mieu_list.csv"])]


def test_with_header_alias_file_only_when_nothing_else(tmp_path: Path) -> None:
    stage(
        tmp_path,
        {"ofac_sdn": ["sdn_2024-07-02.csv.gz", "alt_2024-09-25_with_header.csv.gz"]},
    )
    assert names(discover(tmp_path)) == [
        ("us_ofac_sdn", ["sdn_2024-07-02.csv.gz", "alt_2024-09-25_with_header.csv.gz"])
    ]


def test_companions_older_than_the_version_are_not_used(tmp_path: Path) -> None:
    stage(tmp_path, {"ofac_sdn": ["sdn_2024-07-02.csv.gz", "alt_2021-04-25.csv.gz"]})
    assert names(discover(tmp_path)) == [("us_ofac_sdn", ["sdn_2024-07-02.csv.gz"])]


def test_closest_not_earlier_companion_wins(tmp_path: Path) -> None:
    stage(
        tmp_path,
        {
            "ofac_sdn": [
                "sdn_2022-01-01.csv",
                "alt_2022-06-01.csv",
                "alt_2023-06-01.csv",
                "add_2021-01-01.csv",
                "add_2022-03-01.csv",
            ]
        },
    )
    assert names(discover(tmp_path)) == [
        ("us_ofac_sdn", ["sdn_2022-01-01.csv", "alt_2022-06-01.csv", "add_2022-03-01.csv"])
    ]


def test_plain_publisher_file_names(tmp_path: Path) -> None:
    stage(
        tmp_path,
        {
            "ofac_sdn": ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv", "cons_prim.csv"],
            "bis_party_lists": ["dpl.txt", "mieu.csv"],
            "uk_sanctions_list": ["subjects.csv", "subject_names.csv"],
        },
    )
    assert names(discover(tmp_path)) == [
        ("us_ofac_sdn", ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"]),
        ("us_ofac_cons", ["cons_prim.csv"]),
        ("gb_fcdo_sanctions", ["subjects.csv", "subject_names.csv"]),
        ("us_bis_denied", ["dpl.txt"]),
        ("us_bis_mieu", ["mieu.csv"]),
    ]


def test_versions_of_one_source_in_date_order(tmp_path: Path) -> None:
    stage(
        tmp_path,
        {
            "un_sc_consolidated": [
                "un_consolidated_2026-02-27.xml.gz",
                "un_consolidated_2024-01-10.xml",
            ],
            "bis_party_lists": ["dpl_2023-01.txt.gz", "dpl_2022-09.txt.gz"],
        },
    )
    assert names(discover(tmp_path)) == [
        ("un_sc_sanctions", ["un_consolidated_2024-01-10.xml"]),
        ("un_sc_sanctions", ["un_consolidated_2026-02-27.xml.gz"]),
        ("us_bis_denied", ["dpl_2022-09.txt.gz"]),
        ("us_bis_denied", ["dpl_2023-01.txt.gz"]),
    ]


def test_uk_folder_without_subjects_table_is_skipped(tmp_path: Path) -> None:
    stage(tmp_path, {"uk_sanctions_list": ["subject_names.csv.gz"]})
    assert discover(tmp_path) == []


def test_generic_ftm_layout(tmp_path: Path) -> None:
    (tmp_path / "entities.ftm.json.gz").write_bytes(b"")
    (tmp_path / "sanctions.ftm.json").write_bytes(b"")
    (tmp_path / "notes.json").write_bytes(b"")
    assert names(discover(tmp_path)) == [
        ("ftm", ["entities.ftm.json.gz"]),
        ("ftm", ["sanctions.ftm.json"]),
    ]
