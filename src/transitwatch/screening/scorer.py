"""Explainable name and entity scoring (pure: no I/O)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from transitwatch.lists.model import ListedEntity
from transitwatch.names.analyze import INITIAL, PATRONYMIC, AnalyzedName, Token
from transitwatch.names.fold import fold
from transitwatch.screening.tokens import SIM_EXACT, token_similarity
from transitwatch.screening.types import PartyQuery

# How much an entity name part the query does not mention counts against the match, by role.
# A missing patronymic or middle initial is normal on declarations; a missing surname is not.
UNMATCHED_ENTITY_PENALTY = {
    ("person", PATRONYMIC): 0.2,
    ("person", INITIAL): 0.2,
    ("person", "name"): 0.5,
    ("organization", "name"): 0.4,
}
# Query parts the entity lacks count against the match by role, too: a patronymic the list
# does not give is normal; an extra given or family name is strong evidence of another person.
UNMATCHED_QUERY_PENALTY = {PATRONYMIC: 0.3, INITIAL: 0.5}
# An initial says little, so it carries half the weight of a word.
QUERY_INITIAL_WEIGHT = 0.5
KIND_FACTOR = {"primary": 1.0, "alias": 1.0, "previous": 0.97, "weak_alias": 0.9}


@dataclass(frozen=True, slots=True)
class PartMatch:
    query: str | None  # query word (romanised), None for an entity word the query lacks
    entity: str | None  # entity word, None for a query word the entity lacks
    similarity: float
    how: str


@dataclass(frozen=True, slots=True)
class NameMatch:
    score: float
    parts: tuple[PartMatch, ...]


def _join(tokens: list[Token]) -> str:
    return fold("".join(t.text for t in tokens))


Memo = dict[tuple[int, int], tuple[float, str]]
Alignment = dict[int, tuple[int, float, str]]  # query word -> (entity word or -1, sim, how)


def compare_names(
    q: AnalyzedName,
    qw: Sequence[float],
    e: AnalyzedName,
    ew: Sequence[float],
    schema: str,
    e_ids: Sequence[int] | None = None,
    memo: Memo | None = None,
) -> NameMatch:
    """Align the parts of two names and score the alignment in [0, 1], with every part.

    ``qw`` and ``ew`` give the informativeness of each token (see NameIndex.weight).
    ``e_ids`` (ids of the entity's words) and ``memo`` let one query reuse word similarities
    across the many candidate names that share words.
    """
    score, q_used, e_used = _align(q, qw, e, ew, schema, e_ids, memo)
    parts: list[PartMatch] = []
    for i, a in enumerate(q.tokens):
        if i in q_used:
            j, sim, how = q_used[i]
            parts.append(PartMatch(a.text, e.tokens[j].text if j >= 0 else None, sim, how))
        else:
            parts.append(PartMatch(a.text, None, 0.0, "not in listed name"))
    for j, b in enumerate(e.tokens):
        if j not in e_used:
            parts.append(PartMatch(None, b.text, 0.0, f"listed {b.role} not in query"))
    return NameMatch(score, tuple(parts))


def name_score(
    q: AnalyzedName,
    qw: Sequence[float],
    e: AnalyzedName,
    ew: Sequence[float],
    schema: str,
    e_ids: Sequence[int] | None = None,
    memo: Memo | None = None,
) -> float:
    """The score of :func:`compare_names` without building the explanation (hot path)."""
    return _align(q, qw, e, ew, schema, e_ids, memo)[0]


def _align(
    q: AnalyzedName,
    qw: Sequence[float],
    e: AnalyzedName,
    ew: Sequence[float],
    schema: str,
    e_ids: Sequence[int] | None,
    memo: Memo | None,
) -> tuple[float, Alignment, set[int]]:
    qt, et = q.tokens, e.tokens
    q_used: Alignment = {}
    e_used: set[int] = set()
    if not qt or not et:
        return 0.0, q_used, e_used
    cands: list[tuple[float, float, int, int, str]] = []
    for i, a in enumerate(qt):
        wa = qw[i]
        for j, b in enumerate(et):
            if memo is not None and e_ids is not None:
                key = (i, e_ids[j])
                found = memo.get(key)
                if found is None:
                    found = memo[key] = token_similarity(a, b)
                sim, how = found
            else:
                sim, how = token_similarity(a, b)
            if sim > 0.0:
                cands.append((sim, wa, i, j, how))
    cands.sort(key=lambda c: (c[0], c[1]), reverse=True)
    for sim, _w, i, j, how in cands:
        if i in q_used or j in e_used:
            continue
        q_used[i] = (j, sim, how)
        e_used.add(j)
    # Words written together on one side and apart on the other (Akjol / Ak Jol).
    if len(q_used) < len(qt) and len(e_used) < len(et):
        free_q = [i for i in range(len(qt)) if i not in q_used]
        free_e = [j for j in range(len(et)) if j not in e_used]
        _match_joined(qt, et, free_q, free_e, q_used, e_used)
    num = 0.0
    den = 0.0
    person = schema == "person"
    for i, a in enumerate(qt):
        w = qw[i] * (QUERY_INITIAL_WEIGHT if a.role == INITIAL else 1.0)
        used = q_used.get(i)
        if used is not None:
            num += w * used[1]
            den += w
        else:
            den += w * (UNMATCHED_QUERY_PENALTY.get(a.role, 1.0) if person else 1.0)
    role_schema = "person" if schema == "person" else "organization"
    for j, b in enumerate(et):
        if j not in e_used:
            factor = UNMATCHED_ENTITY_PENALTY.get((role_schema, b.role))
            if factor is None:
                factor = UNMATCHED_ENTITY_PENALTY[(role_schema, "name")]
            den += ew[j] * factor
    score = num / den if den > 0 else 0.0
    return min(1.0, score), q_used, e_used


def _match_joined(
    qt: tuple[Token, ...],
    et: tuple[Token, ...],
    free_q: list[int],
    free_e: list[int],
    q_used: dict[int, tuple[int, float, str]],
    e_used: set[int],
) -> None:
    for i in free_q:
        if i + 1 in free_q:
            joined = _join([qt[i], qt[i + 1]])
            for j in free_e:
                if j not in e_used and et[j].form == joined:
                    q_used[i] = (j, SIM_EXACT * 0.97, "written together in the list")
                    q_used[i + 1] = (-1, SIM_EXACT * 0.97, "written together in the list")
                    e_used.add(j)
                    break
    for j in free_e:
        if j in e_used or j + 1 not in free_e or j + 1 in e_used:
            continue
        joined = _join([et[j], et[j + 1]])
        for i in free_q:
            if i not in q_used and qt[i].form == joined:
                q_used[i] = (j, SIM_EXACT * 0.97, "written apart in the list")
                e_used.add(j)
                e_used.add(j + 1)
                break


# --- entity-level evidence -------------------------------------------------------------------


def normalise_identifier(value: str) -> str:
    return "".join(ch for ch in value.upper() if ch.isalnum())


def identifier_match(query: PartyQuery, entity: ListedEntity) -> str | None:
    """A line of explanation when the query's identifier equals one the list gives."""
    if not query.identifier:
        return None
    wanted = normalise_identifier(query.identifier)
    if len(wanted) < 5:
        return None
    for ident in entity.identifiers:
        if normalise_identifier(ident.value) == wanted:
            country = f" ({ident.country})" if ident.country else ""
            return f"identifier {ident.type.upper()} {ident.value}{country} matches exactly"
    return None


def _date_parts(value: str) -> tuple[int, int | None, int | None] | None:
    bits = value.split("-")
    try:
        year = int(bits[0])
        month = int(bits[1]) if len(bits) > 1 else None
        day = int(bits[2]) if len(bits) > 2 else None
    except ValueError:
        return None
    return year, month, day


def birth_date_evidence(query: PartyQuery, entity: ListedEntity) -> tuple[float, str | None]:
    """(factor, explanation): 1.05 on agreement, < 1 on contradiction, 1.0 when unknown."""
    if not query.birth_date or not entity.birth_dates:
        return 1.0, None
    q = _date_parts(query.birth_date)
    if q is None:
        return 1.0, None
    best = 0.0  # 1 = agrees at full precision, 0.5 = same year, 0.25 = year off by one
    for listed in entity.birth_dates:
        e = _date_parts(listed)
        if e is None:
            continue
        if q[0] == e[0]:
            agrees = all(
                a is None or b is None or a == b for a, b in zip(q[1:], e[1:], strict=True)
            )
            best = max(best, 1.0 if agrees else 0.5)
        elif abs(q[0] - e[0]) == 1:
            best = max(best, 0.25)
    listed_text = ", ".join(entity.birth_dates[:3])
    if best == 1.0:
        return 1.05, f"birth date {query.birth_date} agrees with listed {listed_text}"
    if best == 0.5:
        return (
            0.85,
            f"birth date {query.birth_date}: same year, other day than listed {listed_text}",
        )
    if best == 0.25:
        return 0.8, f"birth date {query.birth_date} is a year off listed {listed_text}"
    return 0.6, f"birth date {query.birth_date} contradicts listed {listed_text}"


def country_evidence(query: PartyQuery, entity: ListedEntity) -> tuple[float, str | None]:
    if not query.country:
        return 1.0, None
    listed = set(entity.countries) | set(entity.nationalities)
    if not listed:
        return 1.0, None
    q = query.country.upper()
    if q in listed:
        return 1.03, f"country {q} is among the listed countries"
    shown = ", ".join(sorted(listed)[:5])
    return 0.9, f"country {q} is not among the listed countries ({shown})"


def schema_compatible(query_schema: str | None, entity_schema: str) -> bool:
    if query_schema is None:
        return True
    if query_schema == "organization":
        return entity_schema == "organization"
    return query_schema == entity_schema
