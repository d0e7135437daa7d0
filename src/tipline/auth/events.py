"""The audit events of accounts, sign-in and organisations."""

from __future__ import annotations

from tipline.audit.events import Action


class AuthEvent(Action):
    USER_CREATED = "user.created"
    PASSWORD_RESET = "user.password_reset"  # noqa: S105 - an event's name, not a password
    PASSWORD_CHANGED = "user.password_changed"  # noqa: S105 - likewise
    PROFILE_CHANGED = "user.profile_changed"
    LOGIN = "auth.login"
    LOGIN_FAILED = "auth.login_failed"
    LOCKED = "auth.locked"
    LOGOUT = "auth.logout"
    TOTP_ENROLLED = "auth.totp_enrolled"
    TOTP_RESET = "auth.totp_reset"
    ORGANISATION_CREATED = "organisation.created"
    API_KEY_ISSUED = "api_key.issued"
    API_KEY_REVOKED = "api_key.revoked"
    BASIC_LOGIN_ISSUED = "organisation.basic_login_issued"
