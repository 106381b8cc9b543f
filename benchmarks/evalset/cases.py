"""The eval-set case record, its CSV columns, split and id rules."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from benchmarks.evalset.lists import Entry

COLUMNS = [
    "case_id", "split", "variant", "schema", "index", "query_name", "query_country",
    "query_birth_date", "expected_source", "expected_source_id", "target_name",
    "label", "note",
]  # fmt: skip

# full: every listed name is indexed. latin_only: the harness drops every non-Latin name
# first (cross-script cases must be solved by transliteration). primary_only: only names of
# kind "primary" are indexed (so a UK official variation is not matched to itself).
INDEXES = ("full", "latin_only", "primary_only")


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def split_for(key: str) -> str:
    """dev / heldout, ~50/50, stable: a hash of the target entity (or of the negative query)."""
    return "dev" if int(_digest(key)[:8], 16) % 2 == 0 else "heldout"


@dataclass
class Case:
    variant: str
    schema: str
    query_name: str
    label: int
    target: Entry | None = None
    index: str = "full"
    note: str = ""
    query_country: str = ""
    query_birth_date: str = ""
    seed: str = ""  # negatives: the listed entity a near miss was derived from, if any

    @property
    def case_id(self) -> str:
        target = f"{self.target.source}:{self.target.ref}" if self.target else ""
        return f"{self.variant}:{_digest(f'{self.variant}|{self.query_name}|{target}')[:10]}"

    @property
    def split(self) -> str:
        if self.target is not None:
            return split_for(f"{self.target.source}:{self.target.ref}")
        return split_for(self.seed or f"negative:{self.query_name.lower()}")

    def with_context(self) -> bool:
        """A third of the cases carry a country / birth date, chosen by hash, not by variant."""
        return int(_digest(self.case_id)[10:18], 16) % 3 == 0

    def row(self) -> dict[str, str]:
        t = self.target
        return {
            "case_id": self.case_id,
            "split": self.split,
            "variant": self.variant,
            "schema": self.schema,
            "index": self.index,
            "query_name": self.query_name,
            "query_country": self.query_country,
            "query_birth_date": self.query_birth_date,
            "expected_source": t.source if t else "",
            "expected_source_id": t.source_id if t else "",
            "target_name": t.primary if t else "",
            "label": str(self.label),
            "note": self.note,
        }
