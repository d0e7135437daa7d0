"""The audit log's event names are a contract: they are stored in every event, read by the
numbers' rollup and the timeline, and shown to agencies in their packages. The enums name them
once (each domain's events.py); this pins the stored strings, so that renaming a member's value
(which every test comparing against the enum would let through) is caught. New names may be
added; a written name never changes or goes away."""

from __future__ import annotations

import importlib
import re

from tipline.audit.events import Action

DOMAINS = {
    "auth": "AuthEvent",
    "detect": "DetectEvent",
    "evidence": "EvidenceEvent",
    "ispws": "IspwsEvent",
    "notices": "NoticeEvent",
    "referral": "ReferralEvent",
    "reports": "ReportEvent",
    "review": "ReviewEvent",
    "takedown": "TakedownEvent",
}

# Every name written so far (as of issue 18), exactly as stored.
WRITTEN = {
    "api_key.issued", "api_key.revoked", "auth.locked", "auth.login", "auth.login_failed",
    "auth.logout", "auth.totp_enrolled", "auth.totp_reset", "organisation.created",
    "user.created", "user.password_changed", "user.password_reset", "user.profile_changed",
    "detect.report_opened",
    "evidence.destroyed", "evidence.hashed", "evidence.integrity_failure", "evidence.read",
    "evidence.stored",
    "ispws.expired", "ispws.finished", "ispws.retracted", "ispws.submitted",
    "report.forwarded", "report.forwarding_failed", "report.forwarding_queued",
    "notice.approve", "notice.checked", "notice.delivery_unknown", "notice.filed",
    "notice.removed", "notice.requested", "notice.resend", "notice.send_failed", "notice.sent",
    "notice.withdrawn", "notices.directory_loaded",
    "referral.acknowledged", "referral.created", "referral.destruction_requested",
    "referral.evidence_destroyed", "referral.file_downloaded", "referral.legal_process",
    "referral.outcome", "referral.package_downloaded", "referral.preservation_requested",
    "report.evidence_destroyed", "report.legal_hold_lifted", "report.legal_hold_set",
    "report.referral_outcome", "report.referral_sent", "routing.geo_loaded", "routing.rule_set",
    "referral.supplement_added", "referral.supplement_acknowledged", "report.sent_as_supplement",
    "report.closed", "report.file_attached", "report.received", "report.referred",
    "report.reporter_added_information", "report.triaged",
    "evidence.revealed", "evidence.blurred",
    "incident.created", "incident.merged", "incident.merged_away",
    "incident.split", "report.bundled", "report.claimed", "report.classified",
    "report.additions_read",
    "report.reassigned", "report.released", "report.unbundled",
    "hashlist.configured", "hashlist.entry_kept_off", "hashlist.entry_quarantined",
    "hashlist.entry_released", "hashlist.feedback", "takedown.case_locked",
    "takedown.case_opened", "takedown.case_withdrawn",
    "takedown.hashes_added",
}  # fmt: skip


def _names() -> dict[str, str]:
    found: dict[str, str] = {}
    for domain, enum_name in DOMAINS.items():
        enum = getattr(importlib.import_module(f"tipline.{domain}.events"), enum_name)
        assert issubclass(enum, Action)
        for member in enum:
            assert member.value not in found, f"{member.value} is named twice"
            found[member.value] = f"{enum_name}.{member.name}"
    return found


def test_no_written_event_name_changes_or_goes_away() -> None:
    missing = WRITTEN - set(_names())
    assert not missing, f"event names renamed or removed: {sorted(missing)}"


def test_every_name_is_a_domain_and_an_action_in_lower_case() -> None:
    for value in _names():
        assert re.fullmatch(r"[a-z_]+\.[a-z_]+", value), value
