"""How similar two name tokens are, and why."""

from __future__ import annotations

from rapidfuzz.distance import OSA

from transitwatch.names.analyze import INITIAL, NAME, PATRONYMIC, Token
from transitwatch.names.given_names import given_name_group

# Similarity of each kind of token agreement; the calibration (screening/calibration.py) maps the
# resulting name score to a probability, so these only need to rank kinds of evidence sensibly.
SIM_EXACT = 1.0
SIM_VARIANT = 0.96  # another romanisation of the same word (Yuriy / Jurij)
SIM_GENDER = 0.9  # feminine / masculine surname forms (Ivanova / Ivanov)
SIM_GIVEN_EQUIVALENT = 0.93  # one given name in another language (Pavel / Pavlo / Paval)
SIM_INITIAL = 0.75  # "S." for Sergey
SIM_SKELETON = 0.85  # the same consonants with other vowels (Zoher / Zuhair, Sakalouski)
MIN_SIM = 0.7  # below this two tokens are not aligned at all
CROSSED_ROLE_FACTOR = 0.6


def token_similarity(q: Token, e: Token) -> tuple[float, str]:
    """(similarity in [0, 1], how they matched) for a query token and an entity token."""
    sim, how = _similarity(q, e)
    if sim > 0.0 and _crossed(q, e) and not how.startswith("similar spelling"):
        # A given name against the father's name inside a patronymic ("Vladimir" vs
        # "Vladimirovich"): the same word in another role is weak evidence of the same person.
        return sim * CROSSED_ROLE_FACTOR, how + ", but as given name vs patronymic"
    return sim, how


def _crossed(q: Token, e: Token) -> bool:
    return {q.role, e.role} == {PATRONYMIC, NAME}


def _similarity(q: Token, e: Token) -> tuple[float, str]:
    if q.form == e.form:
        return SIM_EXACT, "exact" if q.text == e.text else "same name, other spelling"
    if q.role == INITIAL or e.role == INITIAL:
        if q.role == INITIAL and e.role == INITIAL:
            return 0.0, ""
        full = e if q.role == INITIAL else q
        init = q if q.role == INITIAL else e
        if full.text.startswith(init.text):
            return SIM_INITIAL, "initial"
        return 0.0, ""
    if len(q.variants) > 1 or len(e.variants) > 1:
        for qv in q.variants:
            if qv in e.variants:
                return SIM_VARIANT, "transliteration variant"
    if q.stem == e.stem and q.role != PATRONYMIC and e.role != PATRONYMIC:
        return SIM_GENDER, "feminine/masculine form"
    group = given_name_group(q.form)
    if group is not None and group == given_name_group(e.form):
        return SIM_GIVEN_EQUIVALENT, "same given name in Russian/Ukrainian/Belarusian form"
    typo = _typo(q, e)
    if typo[0] < SIM_SKELETON and not set(q.skeletons).isdisjoint(e.skeletons):
        return SIM_SKELETON, "same consonants, other vowels"
    return typo


def _typo(q: Token, e: Token) -> tuple[float, str]:
    """One typing error (two in long words), on the folded forms or on the words as written:
    a typo can defeat a fold ("Kahmis" folds apart from "Khamis", "Saddin" from "Saduddin")."""
    pairs = [(q.form, e.form), (q.text, e.text)]
    if q.stem != q.form or e.stem != e.form:
        pairs.append((q.stem, e.stem))  # Ivanova vs Ivonov
    if len(q.variants) > 1 or len(e.variants) > 1:
        pairs.extend((qv, ev) for qv in q.variants[1:] for ev in e.variants[1:])
    best: tuple[float, int] | None = None
    for a, b in pairs:
        shortest = min(len(a), len(b))
        if shortest < 4:
            continue
        limit = 1 if shortest < 10 else 2
        d = OSA.distance(a, b, score_cutoff=limit)
        if d > limit:
            continue
        sim = 1.0 - d / max(len(a), len(b))
        if best is None or sim > best[0]:
            best = (sim, d)
    if best is None or best[0] < MIN_SIM:
        return 0.0, ""
    sim, d = best
    return min(sim, 0.95), f"similar spelling ({d} edit{'s' if d > 1 else ''})"
