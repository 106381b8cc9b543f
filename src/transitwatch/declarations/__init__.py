"""Declaration screening: parse and validate declarations, run declarative risk profiles,
choose a lane (red / yellow / green / blue) with every reason and its evidence.

Pure core (no DuckDB, no typer): ``parse`` (CSV/JSONL, UTF-8/cp1251), ``profiles`` (YAML
rules), ``engine`` (facts + rules + party screening cache), ``lanes`` (thresholds, quotas,
seeded random inspection), ``history`` (past declarations, never the future) and
``generate`` (synthetic data with planted evasion patterns).
"""

from __future__ import annotations

from transitwatch.declarations.engine import Engine
from transitwatch.declarations.history import History, HistoryRow
from transitwatch.declarations.lanes import LanePolicy
from transitwatch.declarations.model import Decision, Declaration, Reason, Rejected
from transitwatch.declarations.parse import parse_bytes, validate_records
from transitwatch.declarations.profiles import Profile, ProfileError, Rule, load_profiles

__all__ = [
    "Decision",
    "Declaration",
    "Engine",
    "History",
    "HistoryRow",
    "LanePolicy",
    "Profile",
    "ProfileError",
    "Reason",
    "Rejected",
    "Rule",
    "load_profiles",
    "parse_bytes",
    "validate_records",
]
