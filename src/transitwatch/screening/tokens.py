"""How similar two name tokens are, and why."""

from __future__ import annotations

from rapidfuzz.distance import OSA

from transitwatch.names.analyze import INITIAL, PATRONYMIC, Token
from transitwatch.names.given_names import given_name_group

# Similarity of each kind of token agreement; the calibration (screening/calibration.py) maps the
# resulting name score to a probability, so these only need to rank kinds of evidence sensibly.
SIM_EXACT = 1.0
SIM_VARIANT = 0.96  # another romanisation of the same word (Yuriy / Jurij)
SIM_GENDER = 0.9  # feminine / masculine surname forms (Ivanova / Ivanov)
SIM_GIVEN_EQUIVALENT = 0.93  # one given name in another language (Pavel / Pavlo / Paval)
SIM_INITIAL = 0.75  # "S." for Sergey
MIN_SIM = 0.7  # below this two tokens are not aligned at all


def token_similarity(q: Token, e: Token) -> tuple[float, str]:
    """(similarity in [0, 1], how they matched) for a query token and an entity token."""
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
    shortest = min(len(q.form), len(e.form))
    if shortest < 4:
        return 0.0, ""
    best = 0
    longest = max(len(q.form), len(e.form))
    limit = 1 if shortest < 7 else 2
    best = OSA.distance(q.form, e.form, score_cutoff=limit + 1)
    if best > limit and (len(q.variants) > 1 or len(e.variants) > 1):
        for qv in q.variants:
            for ev in e.variants:
                best = min(best, OSA.distance(qv, ev, score_cutoff=limit + 1))
    if best > limit:
        # Also compare masculine stems (Ivanova vs Ivonov) and the words as written: a typo
        # can defeat a fold ("Kahmis" folds apart from "Khamis", "Asgihar" from "Asghar").
        if q.stem != q.form or e.stem != e.form:
            best = min(best, OSA.distance(q.stem, e.stem, score_cutoff=limit + 1))
        if q.role == e.role:
            best = min(best, OSA.distance(q.text, e.text, score_cutoff=limit + 1))
        if best > limit:
            return 0.0, ""
    sim = 1.0 - best / longest
    sim = max(sim, 0.0)
    if sim < MIN_SIM:
        return 0.0, ""
    # A spelling difference in a short word is more telling than in a long one; scale so one
    # edit in a 6-letter word scores ~0.83 and in a 12-letter word ~0.92.
    return min(sim, 0.95), f"similar spelling ({best} edit{'s' if best > 1 else ''})"
