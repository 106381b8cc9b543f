"""CHPL tiers (package data) and the HS2017→HS2022 concordance (the UNSD file the user gives).

The CHPL codes are HS 2022 subheadings; trade data before 2022 is mostly in HS 2017. The rule
for attributing an HS2017 code ``h`` to a CHPL code ``c`` (:func:`chpl_mapping`):

* ``h == c`` (the code survived unchanged), or
* the UNSD correlation links ``(c, h)`` with relationship ``1:1``, ``1:n`` (``h`` lies wholly
  inside ``c``) or ``n:1`` (``h`` was split and ``c`` is one of its parts: the whole of ``h``
  is attributed to ``c``, which overstates the pre-2022 value, i.e. understates growth).
* ``n:n`` links are ignored unless ``h == c``: 854151/854159 (semiconductor transducers, new in
  HS 2022) therefore have no predecessor, as the CHPL provenance notes advise.

An HS2017 code attributed to several CHPL codes goes to the first in list order (highest tier).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from transitwatch.errors import InputError, ParseError
from transitwatch.flows.indicators import DEFAULT_BASELINE, GrowthRow, growth, growth_query
from transitwatch.flows.sql import TABLE, Connection, Filters, Grain, Query

CHPL_FILE = "chpl_2024-02-23.yml"
CLEAN_RELATIONSHIPS = frozenset({"1:1", "1:n", "n:1"})


@dataclass(frozen=True, slots=True)
class ChplCode:
    hs6: str
    tier: str
    tier_label: str


@dataclass(frozen=True, slots=True)
class Chpl:
    version: str
    source: str
    codes: tuple[ChplCode, ...]

    def tier_of(self, hs6: str) -> str | None:
        return next((c.tier for c in self.codes if c.hs6 == hs6), None)

    def tiers(self) -> dict[str, str]:
        """tier -> label, in list order."""
        return {c.tier: c.tier_label for c in self.codes}


@dataclass(frozen=True, slots=True)
class Correlation:
    hs2022: str
    hs2017: str
    relationship: str


def load_chpl() -> Chpl:
    """The CHPL tiers shipped in ``transitwatch/data/chpl_2024-02-23.yml``."""
    raw: dict[str, Any] = yaml.safe_load(
        resources.files("transitwatch.data").joinpath(CHPL_FILE).read_text("utf-8")
    )
    codes = tuple(
        ChplCode(str(code), str(tier), str(body["label"]))
        for tier, body in raw["tiers"].items()
        for code in body["codes"]
    )
    return Chpl(str(raw["version"]), str(raw["source"]), codes)


def load_correlation(path: str | Path) -> list[Correlation]:
    """Read UNSD ``hs2022_hs2017_correlation.csv`` (columns hs2022, hs2017, relationship)."""
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    out: list[Correlation] = []
    with handle:
        reader = csv.DictReader(handle)
        missing = {"hs2022", "hs2017", "relationship"} - set(reader.fieldnames or ())
        if missing:
            raise ParseError(f"missing columns {sorted(missing)}", path=str(path), row=1)
        for n, rec in enumerate(reader, start=2):
            h22, h17 = (rec["hs2022"] or "").strip(), (rec["hs2017"] or "").strip()
            for name, code in (("hs2022", h22), ("hs2017", h17)):
                if len(code) != 6 or not code.isdigit():
                    raise ParseError(
                        f"not a 6-digit HS code: {code!r}", path=str(path), row=n, field=name
                    )
            out.append(Correlation(h22, h17, (rec["relationship"] or "").strip()))
    return out


def chpl_mapping(chpl: Chpl, correlations: Sequence[Correlation]) -> list[tuple[str, str]]:
    """(hs2017, CHPL hs2022) pairs by the rule in the module docstring (identity pairs left out)."""
    order = {c.hs6: i for i, c in enumerate(chpl.codes)}
    best: dict[str, str] = {}
    for cor in correlations:
        if cor.hs2022 not in order or cor.hs2017 == cor.hs2022:
            continue
        if cor.relationship not in CLEAN_RELATIONSHIPS or cor.hs2017 in order:
            continue
        held = best.get(cor.hs2017)
        if held is None or order[cor.hs2022] < order[held]:
            best[cor.hs2017] = cor.hs2022
    return sorted(best.items())


def renumbered(correlations: Sequence[Correlation]) -> list[tuple[str, str]]:
    """(hs2017, hs2022) pairs for HS2017 codes that map onto exactly one other HS2022 code
    through clean (1:1, 1:n) links and do not survive as HS2022 codes: for zero-to-positive."""
    hs22 = {c.hs2022 for c in correlations}
    targets: dict[str, set[str]] = {}
    for cor in correlations:
        if cor.hs2017 in hs22:
            continue
        targets.setdefault(cor.hs2017, set()).add(
            cor.hs2022 if cor.relationship in {"1:1", "1:n"} else "?"
        )
    return sorted(
        (h17, next(iter(t))) for h17, t in targets.items() if len(t) == 1 and "?" not in t
    )


def chpl_groups(chpl: Chpl) -> list[tuple[str, str]]:
    """(hs2022 code, tier) pairs for :func:`~transitwatch.flows.sql.series_ctes` ``groups``."""
    return [(c.hs6, c.tier) for c in chpl.codes]


def chpl_query(
    filters: Filters,
    chpl: Chpl,
    correlations: Sequence[Correlation] = (),
    *,
    grain: Grain = "A",
    baseline: tuple[int, int] = DEFAULT_BASELINE,
    table: str = TABLE,
) -> Query:
    """Growth by CHPL tier (``product`` = tier) from HS-6 rows, concordance applied."""
    lvl = replace(filters, product_level=6, products=None)
    return growth_query(
        lvl,
        grain=grain,
        baseline=baseline,
        table=table,
        mapping=chpl_mapping(chpl, correlations),
        groups=chpl_groups(chpl),
    )


def chpl_growth(
    con: Connection,
    filters: Filters,
    chpl: Chpl,
    correlations: Sequence[Correlation] = (),
    *,
    grain: Grain = "A",
    baseline: tuple[int, int] = DEFAULT_BASELINE,
    table: str = TABLE,
) -> list[GrowthRow]:
    """Run :func:`chpl_query`: one growth row per (source, reporter, partner, tier, flow, year)."""
    lvl = replace(filters, product_level=6, products=None)
    return growth(
        con,
        lvl,
        grain=grain,
        baseline=baseline,
        table=table,
        mapping=chpl_mapping(chpl, correlations),
        groups=chpl_groups(chpl),
    )
