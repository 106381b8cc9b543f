"""In-memory candidate retrieval over every name of every listed entity.

Folded name words are the vocabulary. A query word finds vocabulary words that fold the same
(exact, another romanisation, masculine/feminine stem) or lie within two edits (a symmetric
one-deletion neighbourhood, as in SymSpell). Names sharing the most informative words with the
query become candidates for the full scorer.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from transitwatch.lists.model import ListedEntity
from transitwatch.names.analyze import INITIAL, AnalyzedName, Token, analyze_name
from transitwatch.screening.scorer import normalise_identifier

# A word shared by more names than this is skipped for retrieval when the query has rarer words
# (it still counts in scoring): "trading", "company", "mohammed".
MAX_POSTINGS = 4000
# At most this many candidate names per candidate entity are looked at when ranking.
MAX_NAMES_PER_ENTITY = 8
MIN_DELETION_LEN = 4


def _deletions(form: str) -> Iterator[str]:
    for k in range(len(form)):
        yield form[:k] + form[k + 1 :]


# A name is scored in full only when the query words it shares carry at least this share of
# the query's weight; below it the name score cannot reach any useful threshold.
MIN_SHARED_WEIGHT = 0.4
# ... and at least this share of what the best candidate name shares with it.
RELATIVE_BOUND = 0.5


@dataclass(slots=True)
class IndexedName:
    entity: int  # position in NameIndex.entities
    kind: str
    value: str
    analyzed: AnalyzedName
    weights: tuple[float, ...] = ()  # informativeness of each token, filled once the index is built
    token_ids: tuple[int, ...] = ()  # one id per distinct (word, role): memo key for scoring


class NameIndex:
    """Names, vocabulary and postings; immutable once built."""

    def __init__(self, records: Iterable[tuple[ListedEntity, str]]) -> None:
        self.entities: list[ListedEntity] = []
        self.versions: list[str] = []
        self.names: list[IndexedName] = []
        self.entity_names: list[list[int]] = []
        self._vocab: dict[str, int] = {}
        self._postings: list[list[int]] = []
        self._df: list[int] = []
        self._exact: dict[str, list[int]] = {}
        self._stems: dict[str, list[int]] = {}
        self._deletes: dict[str, list[int]] = {}
        self._identifiers: dict[str, list[int]] = {}
        self._distinct: dict[tuple[str, str], tuple[int, Token]] = {}  # (text, role) -> fid, token
        self._token_ids: dict[tuple[str, str], int] = {}
        self._by_key: dict[tuple[str, str], int] = {}
        for entity, version in records:
            self._add_entity(entity, version)
        self._log_n = math.log(len(self.entities) + 2)
        self._build_keys()
        self._arrays: list[npt.NDArray[np.int32]] = [
            np.asarray(p, dtype=np.int32) for p in self._postings
        ]
        self._owners: npt.NDArray[np.int32] = np.asarray(
            [n.entity for n in self.names], dtype=np.int32
        )

    # -- building -------------------------------------------------------------------------
    def _add_entity(self, entity: ListedEntity, version: str) -> None:
        eid = len(self.entities)
        self._by_key[(entity.source, entity.source_id)] = eid
        self.entities.append(entity)
        self.versions.append(version)
        own: list[int] = []
        seen_forms: set[int] = set()
        seen_values: set[str] = set()
        seen_shapes: set[tuple[str, ...]] = set()
        for name in entity.names:
            key = name.value.strip().lower()
            if not key or key in seen_values:
                continue
            seen_values.add(key)
            analyzed = analyze_name(name.value, entity.schema)
            if analyzed.is_empty:
                continue
            # The same words in another order (OFAC's "SURNAME, Given" and "Given SURNAME")
            # score the same: index the first only.
            shape = tuple(sorted(t.form for t in analyzed.tokens))
            if shape in seen_shapes:
                continue
            seen_shapes.add(shape)
            nid = len(self.names)
            tids = tuple(
                self._token_ids.setdefault((t.text, t.role), len(self._token_ids))
                for t in analyzed.tokens
            )
            self.names.append(IndexedName(eid, name.kind, name.value, analyzed, (), tids))
            own.append(nid)
            for token in analyzed.tokens:
                if token.role == INITIAL:
                    continue
                fid = self._vocab.get(token.form)
                if fid is None:
                    fid = len(self._postings)
                    self._vocab[token.form] = fid
                    self._postings.append([])
                    self._df.append(0)
                if (token.text, token.role) not in self._distinct:
                    self._distinct[(token.text, token.role)] = (fid, token)
                plist = self._postings[fid]
                if not plist or plist[-1] != nid:
                    plist.append(nid)
                if fid not in seen_forms:
                    seen_forms.add(fid)
                    self._df[fid] += 1
        self.entity_names.append(own)
        for ident in entity.identifiers:
            value = normalise_identifier(ident.value)
            if len(value) >= 5:
                self._identifiers.setdefault(value, []).append(eid)

    def _build_keys(self) -> None:
        for fid, token in self._distinct.values():
            for v in token.variants:
                _add_key(self._exact, v, fid)
            _add_key(self._stems, token.stem, fid)
        for name in self.names:
            name.weights = tuple(self.weight(t.form) for t in name.analyzed.tokens)
        for form, fid in self._vocab.items():
            if len(form) >= MIN_DELETION_LEN:
                _add_key(self._deletes, form, fid)
                for d in _deletions(form):
                    _add_key(self._deletes, d, fid)
        # Words as written, too: a typo can defeat the fold (Saddin vs Saduddin).
        for (text, _role), (fid, _token) in self._distinct.items():
            if len(text) >= MIN_DELETION_LEN and text != _token.form:
                _add_key(self._deletes, text, fid)
                for d in _deletions(text):
                    _add_key(self._deletes, d, fid)
        self._distinct.clear()

    # -- querying -------------------------------------------------------------------------
    def weight(self, form: str) -> float:
        """Informativeness of a folded word in [0.1, 1]: inverse document frequency."""
        fid = self._vocab.get(form)
        df = self._df[fid] if fid is not None else 0
        return max(0.1, math.log((len(self.entities) + 2) / (df + 1)) / self._log_n)

    def _lookup(self, token: Token) -> dict[int, float]:
        found: dict[int, float] = {}
        for word in {token.form, token.text}:
            if len(word) >= MIN_DELETION_LEN:
                for d in (word, *_deletions(word)):
                    for fid in self._deletes.get(d, ()):
                        found[fid] = 0.8
        for fid in self._stems.get(token.stem, ()):
            found[fid] = 0.9
        for v in token.variants:
            for fid in self._exact.get(v, ()):
                found[fid] = 1.0
        return found

    def query_weights(self, query: AnalyzedName) -> tuple[float, ...]:
        return tuple(self.weight(t.form) for t in query.tokens)

    def entity_positions(self, keys: set[tuple[str, str]]) -> npt.NDArray[np.int32]:
        """Positions of the entities with the given (source, source_id) keys."""
        found = (self._by_key.get(k) for k in keys)
        return np.asarray(sorted(i for i in found if i is not None), dtype=np.int32)

    def candidates(
        self,
        query: AnalyzedName,
        limit: int,
        only: npt.NDArray[np.int32] | None = None,
    ) -> dict[int, list[int]]:
        """Entity position -> its names worth scoring, for the `limit` best entities.

        ``only`` restricts the answer to the given entity positions before the limit applies.

        A name is worth scoring when the query words it shares (by retrieval's estimate of
        their similarity) carry at least MIN_SHARED_WEIGHT of the query's total weight.
        """
        per_token: list[tuple[float, dict[int, float]]] = []
        total_weight = 0.0
        for token in query.tokens:
            if token.role == INITIAL:
                continue
            w = self.weight(token.form)
            total_weight += w
            per_token.append((w, self._lookup(token)))
        if not per_token:
            return {}
        sizes = [sum(len(self._postings[fid]) for fid in found) for _w, found in per_token]
        rare_exists = any(n <= MAX_POSTINGS for n in sizes)
        arrays = self._arrays
        acc = np.zeros(len(self.names), dtype=np.float32)
        used = False
        for (w, found), n in zip(per_token, sizes, strict=True):
            if not found or (n > MAX_POSTINGS and rare_exists):
                continue
            used = True
            if len(found) == 1:
                ((fid, sim),) = found.items()
                acc[arrays[fid]] += w * sim  # a name appears once in a word's postings
                continue
            best = np.zeros(len(self.names), dtype=np.float32)
            for fid, sim in sorted(found.items(), key=lambda kv: kv[1]):
                best[arrays[fid]] = sim  # ascending, so each name keeps its best similarity
            acc += w * best
        if not used:
            return {}
        if only is not None:
            acc[~np.isin(self._owners, only)] = 0.0
        top = float(acc.max())
        if top <= 0.0:
            return {}
        bound = max(MIN_SHARED_WEIGHT * total_weight, RELATIVE_BOUND * top)
        picked = np.flatnonzero(acc >= bound - 1e-6)
        if picked.size == 0:
            return {}
        order = picked[np.argsort(-acc[picked], kind="stable")][: limit * MAX_NAMES_PER_ENTITY]
        owners = self._owners[order]
        out: dict[int, list[int]] = {}
        for nid, eid in zip(order.tolist(), owners.tolist(), strict=True):
            names = out.get(eid)
            if names is None:
                if len(out) >= limit:
                    continue
                out[eid] = [nid]
            else:
                names.append(nid)
        return out

    def by_identifier(self, value: str) -> list[int]:
        return list(self._identifiers.get(normalise_identifier(value), ()))

    def stats(self) -> dict[str, int]:
        return {
            "entities": len(self.entities),
            "names": len(self.names),
            "vocabulary": len(self._vocab),
            "deletion_keys": len(self._deletes),
        }


def _add_key(table: dict[str, list[int]], key: str, fid: int) -> None:
    lst = table.get(key)
    if lst is None:
        table[key] = [fid]
    elif fid not in lst:
        lst.append(fid)
