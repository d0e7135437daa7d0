"""Roles, organisation kinds and what each may do."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    ANALYST = "analyst"
    AGENCY = "agency"


class OrgKind(StrEnum):
    ESP = "esp"
    PLATFORM = "platform"
    AGENCY = "agency"


# Staff roles that work in the console; agency users have their own portal and see only their
# own referrals.
CONSOLE_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.ANALYST})
SUPERVISOR_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR})

# What an organisation's API key may be used for, by the organisation's kind.
API_SCOPES: dict[OrgKind, frozenset[str]] = {
    OrgKind.ESP: frozenset({"reports", "hashlist", "detect"}),
    OrgKind.PLATFORM: frozenset({"hashlist", "detect"}),
    OrgKind.AGENCY: frozenset(),
}
