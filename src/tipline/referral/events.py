"""The audit events of routing, referrals to agencies, and retention."""

from __future__ import annotations

from tipline.audit.events import Action


class ReferralEvent(Action):
    RULE_SET = "routing.rule_set"
    GEO_LOADED = "routing.geo_loaded"
    CREATED = "referral.created"
    ACKNOWLEDGED = "referral.acknowledged"
    OUTCOME = "referral.outcome"
    PRESERVATION_REQUESTED = "referral.preservation_requested"
    DESTRUCTION_REQUESTED = "referral.destruction_requested"
    LEGAL_PROCESS = "referral.legal_process"
    FILE_DOWNLOADED = "referral.file_downloaded"
    PACKAGE_DOWNLOADED = "referral.package_downloaded"
    EVIDENCE_DESTROYED = "referral.evidence_destroyed"
    # Information added after the referral was sent (a note, or a report merged in later).
    SUPPLEMENT_ADDED = "referral.supplement_added"
    SUPPLEMENT_ACKNOWLEDGED = "referral.supplement_acknowledged"
    # Written on the report's own timeline.
    REPORT_REFERRAL_SENT = "report.referral_sent"
    REPORT_SENT_AS_SUPPLEMENT = "report.sent_as_supplement"
    REPORT_REFERRAL_OUTCOME = "report.referral_outcome"
    REPORT_EVIDENCE_DESTROYED = "report.evidence_destroyed"
    REPORT_LEGAL_HOLD_SET = "report.legal_hold_set"
    REPORT_LEGAL_HOLD_LIFTED = "report.legal_hold_lifted"
