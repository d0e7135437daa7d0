"""Roles, organisation kinds and what each may do."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    ANALYST = "analyst"
    AGENCY = "agency"
    # The support desk: family advocates follow up requests for support; volunteer peers talk
    # with one matched family each, through tipline's relay, and see nothing else.
    ADVOCATE = "advocate"
    PEER = "peer"


class OrgKind(StrEnum):
    ESP = "esp"
    PLATFORM = "platform"
    AGENCY = "agency"


# Staff roles that work in the console; agency users have their own portal and see only their
# own referrals.
CONSOLE_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.ANALYST})
SUPERVISOR_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR})
# Who works the support desk: advocates, and the supervisors and admins who oversee it.
SUPPORT_ROLES = frozenset({Role.ADVOCATE, Role.SUPERVISOR, Role.ADMIN})

# What an organisation's API key may be used for, by the organisation's kind.
API_SCOPES: dict[OrgKind, frozenset[str]] = {
    OrgKind.ESP: frozenset({"reports", "hashlist", "detect"}),
    OrgKind.PLATFORM: frozenset({"hashlist", "detect"}),
    OrgKind.AGENCY: frozenset(),
}
