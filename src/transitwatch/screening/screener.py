"""Screen parties against every loaded list: retrieval, scoring, evidence, explanation."""

from __future__ import annotations

from collections.abc import Iterable

from transitwatch.errors import InputError
from transitwatch.lists.model import ListedEntity
from transitwatch.names.analyze import AnalyzedName, analyze_name
from transitwatch.screening.calibration import Calibration, default_calibration
from transitwatch.screening.index import NameIndex
from transitwatch.screening.scorer import (
    KIND_FACTOR,
    birth_date_evidence,
    compare_names,
    country_evidence,
    identifier_match,
    name_score,
    schema_compatible,
)
from transitwatch.screening.types import Hit, PartyQuery

DEFAULT_CANDIDATES = 40
MAX_NAME_LENGTH = 300


class Screener:
    """Holds the index of all listed names; `screen` answers one query."""

    def __init__(
        self,
        records: Iterable[tuple[ListedEntity, str]],
        *,
        calibration: Calibration | None = None,
        candidates: int = DEFAULT_CANDIDATES,
        max_name_length: int = MAX_NAME_LENGTH,
    ) -> None:
        self.index = NameIndex(records)
        self.calibration = calibration or default_calibration()
        self.candidates = candidates
        self.max_name_length = max_name_length

    @property
    def default_threshold(self) -> float:
        return self.calibration.threshold

    def analyze_query(self, query: PartyQuery) -> AnalyzedName:
        name = query.name
        if not name or not name.strip():
            raise InputError("the name is empty")
        if len(name) > self.max_name_length:
            raise InputError(
                f"the name is {len(name)} characters long; the limit is {self.max_name_length}"
            )
        if any(ord(ch) < 32 and ch not in "\t" for ch in name):
            raise InputError("the name contains control characters")
        if query.schema is not None and query.schema not in (
            "person",
            "organization",
            "vessel",
            "aircraft",
        ):
            raise InputError(
                f"unknown type {query.schema!r}: use person, organization, vessel or aircraft"
            )
        analyzed = analyze_name(name, query.schema)
        if analyzed.is_empty:
            raise InputError(f"{name!r} has nothing to match on (no letters or digits)")
        if analyzed.only_legal_form:
            raise InputError(f"{name!r} is only a legal form; a legal form alone cannot match")
        return analyzed

    def screen(
        self,
        query: PartyQuery,
        *,
        threshold: float | None = None,
        limit: int = 10,
        restrict: set[tuple[str, str]] | None = None,
    ) -> list[Hit]:
        """Hits at or above the threshold, best first.

        ``restrict`` limits the answer to the given (source, source_id) pairs: rescreening
        against what a new list version added uses it.
        """
        analyzed = self.analyze_query(query)
        cut = self.default_threshold if threshold is None else threshold
        index = self.index
        only = index.entity_positions(restrict) if restrict is not None else None
        found = index.candidates(analyzed, self.candidates, only)
        if query.identifier:
            for eid in index.by_identifier(query.identifier):
                found.setdefault(eid, list(index.entity_names[eid]))
        qw = index.query_weights(analyzed)
        memo: dict[tuple[int, int], tuple[float, str]] = {}
        hits: list[Hit] = []
        for eid, nids in found.items():
            entity = index.entities[eid]
            if restrict is not None and (entity.source, entity.source_id) not in restrict:
                continue
            if not schema_compatible(query.schema, entity.schema):
                continue
            hit = self._score_entity(query, analyzed, qw, eid, nids, memo, cut)
            if hit is not None:
                hits.append(hit)
        hits.sort(key=lambda h: (-h.score, h.entity.source, h.entity.source_id))
        return hits[:limit]

    def _score_entity(
        self,
        query: PartyQuery,
        analyzed: AnalyzedName,
        qw: tuple[float, ...],
        eid: int,
        nids: list[int],
        memo: dict[tuple[int, int], tuple[float, str]],
        cut: float,
    ) -> Hit | None:
        """The hit for one candidate entity, or None when it scores below ``cut``."""
        index = self.index
        entity = index.entities[eid]
        schema = entity.schema if entity.schema == "person" else "organization"
        best_nid = -1
        best_value = -1.0
        for nid in nids:
            name = index.names[nid]
            value = name_score(
                analyzed, qw, name.analyzed, name.weights, schema, name.token_ids, memo
            ) * KIND_FACTOR.get(name.kind, 1.0)
            if value > best_value:
                best_nid, best_value = nid, value
        best_value = max(best_value, 0.0)
        raw = best_value
        features: dict[str, float] = {"name": best_value}
        evidence: list[str] = []
        factor, why = birth_date_evidence(query, entity)
        if why:
            evidence.append(why)
            features["birth_date"] = factor
        raw *= factor
        factor, why = country_evidence(query, entity)
        if why:
            evidence.append(why)
            features["country"] = factor
        raw *= factor
        ident = identifier_match(query, entity)
        if ident:
            features["identifier"] = 1.0
            raw = max(raw, 1.0 if best_value >= 0.5 else 0.95)
        score = self.calibration(raw)
        if score < cut:
            return None
        lines: list[str] = [ident + " (decisive)"] if ident else []
        matched = index.names[best_nid] if best_nid >= 0 else None
        if matched is not None:
            best = compare_names(
                analyzed, qw, matched.analyzed, matched.weights, schema, matched.token_ids, memo
            )
            lines.append(
                f"name matches listed {matched.kind.replace('_', ' ')} {matched.value!r} "
                f"(name score {best.score:.2f})"
            )
            for part in best.parts:
                lines.append(_describe_part(part.query, part.entity, part.similarity, part.how))
            if analyzed.legal_forms or matched.analyzed.legal_forms:
                lines.append(_legal_form_line(analyzed, matched.analyzed))
        lines.extend(evidence)
        return Hit(
            entity=entity,
            list_version=index.versions[eid],
            score=score,
            matched_name=matched.value if matched else entity.caption,
            matched_kind=matched.kind if matched else "primary",
            explanation=tuple(lines),
            features=features,
        )


def _describe_part(q: str | None, e: str | None, sim: float, how: str) -> str:
    if q is not None and e is not None:
        return f"  {q} ~ {e}: {how} ({sim:.2f})"
    if q is not None:
        return f"  {q}: {how}"
    return f"  {e}: {how}"


def _legal_form_line(q: AnalyzedName, e: AnalyzedName) -> str:
    qf = {lf.cls for lf in q.legal_forms}
    ef = {lf.cls for lf in e.legal_forms}
    q_text = ", ".join(f"{lf.text} ({lf.label})" for lf in q.legal_forms) or "none"
    e_text = ", ".join(f"{lf.text} ({lf.label})" for lf in e.legal_forms) or "none"
    verdict = "same legal form" if qf & ef else "legal forms differ or are missing"
    return f"legal form: query {q_text}; listed {e_text}: {verdict} (not used as name evidence)"
