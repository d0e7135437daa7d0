"""The audit events of review: the queue, classification, bundling, and revealed evidence."""

from __future__ import annotations

from tipline.audit.events import Action


class ReviewEvent(Action):
    CLAIMED = "report.claimed"
    RELEASED = "report.released"
    REASSIGNED = "report.reassigned"
    CLASSIFIED = "report.classified"
    # The analyst read what the reporter or the ESP added after filing.
    ADDITIONS_READ = "report.additions_read"
    BUNDLED = "report.bundled"
    UNBUNDLED = "report.unbundled"
    INCIDENT_CREATED = "incident.created"
    INCIDENT_MERGED = "incident.merged"
    INCIDENT_MERGED_AWAY = "incident.merged_away"
    INCIDENT_SPLIT = "incident.split"
    # An analyst chose to see an image unblurred, with a reason: counted for their wellness, and
    # the reason is on the report's timeline (the image itself never is).
    EVIDENCE_REVEALED = "evidence.revealed"
    # The analyst blurred it again before the reveal lapsed (wellness.REVEAL_LASTS).
    EVIDENCE_BLURRED = "evidence.blurred"
