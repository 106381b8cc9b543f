"""The HS nomenclature (2017 and 2022 editions) and the UNSD HS2022↔HS2017 correlation, read
from the files a user points at (the staged ``../shared/data/hs_nomenclature``; see its
PROVENANCE.md). Never copied into the package.

Expected files in the folder (the layout of GitHub ``datasets/harmonized-system`` and the UNSD
correlation tables converted to CSV):

- ``hs2022.csv``, ``hs2017.csv``: ``section,hscode,description,parent,level`` (codes as strings);
- ``hs2022_hs2017_correlation.csv``: ``hs2022,hs2017,relationship`` (1:1, n:1, 1:n, n:n);
- ``hs2022_to_hs2017_conversion.csv`` (optional): ``hs2022,hs2017``.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from transitwatch.errors import InputError, ParseError
from transitwatch.lists.io import read_text

EDITIONS = ("2022", "2017")
_NOMENCLATURE_FIELDS = ("hscode", "description", "level")
_CORRELATION_FIELDS = ("hs2022", "hs2017", "relationship")


@dataclass(frozen=True, slots=True)
class Correlation:
    hs2022: str
    hs2017: str
    relationship: str  # "1:1" | "n:1" | "1:n" | "n:n"


@dataclass(slots=True)
class HsNomenclature:
    """Descriptions per edition (chapters, headings, subheadings) and the correlation."""

    descriptions: dict[str, dict[str, str]]  # edition → code → description
    correlations: list[Correlation] = field(default_factory=list)
    _to_2017: dict[str, list[Correlation]] = field(default_factory=dict)
    _to_2022: dict[str, list[Correlation]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        to17: dict[str, list[Correlation]] = defaultdict(list)
        to22: dict[str, list[Correlation]] = defaultdict(list)
        for c in self.correlations:
            to17[c.hs2022].append(c)
            to22[c.hs2017].append(c)
        self._to_2017 = dict(to17)
        self._to_2022 = dict(to22)

    @classmethod
    def load(cls, folder: Path) -> HsNomenclature:
        folder = Path(folder)
        if not folder.is_dir():
            raise InputError(f"{folder}: HS nomenclature folder not found")
        descriptions = {ed: _read_nomenclature(folder / f"hs{ed}.csv") for ed in EDITIONS}
        correlations = _read_correlation(folder / "hs2022_hs2017_correlation.csv")
        return cls(descriptions=descriptions, correlations=correlations)

    def exists(self, code: str, edition: str = "2022") -> bool:
        return code in self.descriptions.get(edition, {})

    def describe(self, code: str, edition: str = "2022") -> str | None:
        """Description of the most specific known level (6, 4 or 2 digits) of ``code``."""
        table = self.descriptions.get(edition, {})
        for length in (6, 4, 2):
            if len(code) >= length and code[:length] in table:
                return table[code[:length]]
        return None

    def hs2017_for(self, hs2022: str) -> list[Correlation]:
        """The HS2017 subheadings an HS2022 subheading (first 6 digits of ``hs2022``) came from."""
        return list(self._to_2017.get(hs2022[:6], []))

    def hs2022_for(self, hs2017: str) -> list[Correlation]:
        """The HS2022 subheadings an HS2017 subheading (first 6 digits) went to."""
        return list(self._to_2022.get(hs2017[:6], []))


def _rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    text = read_text(path)
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    for name in required:
        if name not in header:
            raise ParseError(f"missing column (header is {header})", path=str(path), field=name)
    out: list[tuple[int, dict[str, str]]] = []
    for row in reader:
        values = {k: (v or "").strip() for k, v in row.items() if k is not None}
        if not any(values.values()):
            continue  # hs2017.csv ends with an empty ",,,," line
        out.append((reader.line_num, values))
    return out


def _read_nomenclature(path: Path) -> dict[str, str]:
    table: dict[str, str] = {}
    for line, row in _rows(path, _NOMENCLATURE_FIELDS):
        code = row["hscode"]
        if code == "TOTAL" or row["level"] == "5":
            continue
        if not code.isdigit() or len(code) not in (2, 4, 6):
            raise ParseError(
                f"HS code {code!r} is not 2, 4 or 6 digits",
                path=str(path),
                row=line,
                field="hscode",
            )
        if not row["description"]:
            raise ParseError("empty description", path=str(path), row=line, field="description")
        table[code] = row["description"]
    return table


def _read_correlation(path: Path) -> list[Correlation]:
    out: list[Correlation] = []
    for line, row in _rows(path, _CORRELATION_FIELDS):
        for name in ("hs2022", "hs2017"):
            if not row[name].isdigit() or len(row[name]) != 6:
                raise ParseError(
                    f"{row[name]!r} is not a 6-digit subheading",
                    path=str(path),
                    row=line,
                    field=name,
                )
        out.append(Correlation(row["hs2022"], row["hs2017"], row["relationship"]))
    return out
