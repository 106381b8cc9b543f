"""From scores to lanes: thresholds and forced lanes per declaration, then quotas (target rates
of the red and yellow lanes) and a minimum rate of seeded random inspection over the batch.

Random selection is reproducible: a declaration is drawn when its rank by a keyed hash of
(seed, declaration_id) is among the lowest, so the same seed picks the same declarations
whatever the input order.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass

from transitwatch.declarations.model import LANE_RANK, LANES, Decision, Reason
from transitwatch.errors import InputError

RANDOM_RULE = "TW-RANDOM-INSPECTION"
QUOTA_RULE = "TW-LANE-QUOTA"


@dataclass(frozen=True, slots=True)
class LanePolicy:
    red_rate: float | None = 0.05  # most declarations sent to red by score (forced ones stay)
    yellow_rate: float | None = 0.15  # most sent to yellow by score
    random_rate: float = 0.0  # least share of the batch inspected at random
    random_lane: str = "red"
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("red_rate", "yellow_rate", "random_rate"):
            value = getattr(self, name)
            if value is not None and not 0.0 <= value <= 1.0:
                raise InputError(f"{name.replace('_', '-')} must be between 0 and 1, not {value}")
        if self.random_lane not in ("red", "yellow"):
            raise InputError(f"the random lane must be red or yellow, not {self.random_lane!r}")


def lane_for(score: float, forced: str | None, thresholds: dict[str, float]) -> str:
    """The lane by score (red/yellow/blue thresholds), raised to a forced lane if any."""
    lane = "green"
    for candidate in ("red", "yellow", "blue"):
        if score >= thresholds[candidate]:
            lane = candidate
            break
    if forced is not None and LANE_RANK[forced] > LANE_RANK[lane]:
        lane = forced
    return lane


def draw_key(seed: int, declaration_id: str) -> int:
    digest = hashlib.blake2b(f"{seed}:{declaration_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _forced(d: Decision) -> str | None:
    best: str | None = None
    for r in d.reasons:
        if r.force_lane is not None and (best is None or LANE_RANK[r.force_lane] > LANE_RANK[best]):
            best = r.force_lane
    return best


def _cap(decisions: Sequence[Decision], lane: str, rate: float, to: str) -> None:
    # Rounded up: a quota above zero leaves at least one place, even in a batch of three.
    allowed = math.ceil(rate * len(decisions) - 1e-9)
    in_lane = [d for d in decisions if d.lane == lane]
    if len(in_lane) <= allowed:
        return
    movable = [d for d in in_lane if _forced(d) != lane]
    keep = len(in_lane) - len(movable)  # forced ones always stay
    movable.sort(key=lambda d: (-d.score, d.row))
    for d in movable[max(0, allowed - keep) :]:
        d.lane = to
        d.reasons.append(
            Reason(
                QUOTA_RULE,
                f"{lane} lane quota of {rate:.1%} reached: sent to {to} instead",
                {"quota": rate, "lane_by_score": lane},
            )
        )


def assign(decisions: Sequence[Decision], policy: LanePolicy) -> None:
    """Apply quotas, then random inspection, to decisions whose lane is set by score."""
    if policy.red_rate is not None:  # random red inspections count within the red quota
        share = policy.random_rate if policy.random_lane == "red" else 0.0
        _cap(decisions, "red", max(0.0, policy.red_rate - share), "yellow")
    if policy.yellow_rate is not None:
        _cap(decisions, "yellow", policy.yellow_rate, "blue")
    wanted = math.ceil(policy.random_rate * len(decisions)) if policy.random_rate else 0
    if not wanted:
        return
    pool = [d for d in decisions if LANE_RANK[d.lane] < LANE_RANK[policy.random_lane]]
    pool.sort(key=lambda d: draw_key(policy.seed, d.declaration_id))
    for d in pool[:wanted]:
        d.reasons.append(
            Reason(
                RANDOM_RULE,
                f"selected at random for inspection (rate {policy.random_rate:.1%}, "
                f"seed {policy.seed}); was {d.lane}",
                {
                    "random": True,
                    "rate": policy.random_rate,
                    "seed": policy.seed,
                    "lane_before": d.lane,
                },
            )
        )
        d.lane = policy.random_lane
        d.random = True


def lane_counts(decisions: Sequence[Decision]) -> dict[str, int]:
    counts = dict.fromkeys(LANES, 0)
    for d in decisions:
        counts[d.lane] += 1
    return counts
