"""The registry of list sources: their names, parsers and where their files sit in a data folder."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from transitwatch.errors import UnknownSourceError
from transitwatch.lists.model import ParsedList

Parser = Callable[[Sequence[Path]], ParsedList]


@dataclass(frozen=True)
class SourceSpec:
    name: str  # OpenSanctions-style dataset name
    title: str
    parser_ref: str  # "module:function" under transitwatch.lists; function(paths) -> ParsedList
    files: str  # what files `lists load` expects, for --help

    def parser(self) -> Parser:
        module, func = self.parser_ref.split(":")
        parse: Parser = getattr(importlib.import_module(f"transitwatch.lists.{module}"), func)
        return parse


SOURCES: dict[str, SourceSpec] = {
    spec.name: spec
    for spec in (
        SourceSpec(
            "us_ofac_sdn",
            "US OFAC Specially Designated Nationals (SDN) list",
            "ofac:parse_sdn",
            "sdn.csv plus optional alt.csv, add.csv, sdn_comments.csv (legacy CSV, no header)",
        ),
        SourceSpec(
            "us_ofac_cons",
            "US OFAC non-SDN Consolidated Sanctions list",
            "ofac:parse_cons",
            "cons_prim.csv plus optional cons_alt.csv, cons_add.csv, cons_comments.csv",
        ),
        SourceSpec(
            "un_sc_sanctions",
            "UN Security Council Consolidated List",
            "un:parse",
            "consolidated.xml",
        ),
        SourceSpec(
            "gb_fcdo_sanctions",
            "UK FCDO Sanctions List",
            "uk:parse",
            "subjects.csv, subject_names.csv and optional subject_dobs.csv, "
            "subject_identifiers.csv, subject_countries.csv",
        ),
        SourceSpec(
            "eu_journal_sanctions",
            "EU Official Journal sanctions annexes (Russia, Belarus)",
            "eu:parse",
            "one or more consolidated annex CSVs (OpenSanctions transcription format)",
        ),
        SourceSpec(
            "us_bis_denied",
            "US BIS Denied Persons List",
            "bis:parse_dpl",
            "dpl.txt (tab-separated with header)",
        ),
        SourceSpec(
            "us_bis_mieu",
            "US BIS Military-Intelligence End User list",
            "bis:parse_mieu",
            "mieu.csv",
        ),
        SourceSpec(
            "ftm",
            "FollowTheMoney entities (OpenSanctions export format)",
            "ftm:parse",
            "entities.ftm.json (JSON lines)",
        ),
    )
}


def get_source(name: str) -> SourceSpec:
    try:
        return SOURCES[name]
    except KeyError:
        known = ", ".join(sorted(SOURCES))
        raise UnknownSourceError(f"unknown list source {name!r}; known sources: {known}") from None
