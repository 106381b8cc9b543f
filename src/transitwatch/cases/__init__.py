"""Cases: party hits and declarations an analyst confirms, dismisses or escalates (pure)."""

from transitwatch.cases.model import (
    ACTIONS,
    KINDS,
    STATUSES,
    Case,
    CaseDecision,
    Dismissal,
    TransitionError,
    check_transition,
    declaration_case,
    latest_status,
    name_key,
    party_case,
    required_role,
)

__all__ = [
    "ACTIONS",
    "KINDS",
    "STATUSES",
    "Case",
    "CaseDecision",
    "Dismissal",
    "TransitionError",
    "check_transition",
    "declaration_case",
    "latest_status",
    "name_key",
    "party_case",
    "required_role",
]
