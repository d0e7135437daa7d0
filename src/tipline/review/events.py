"""The audit events of review: the queue, classification, bundling, and revealed evidence."""

from __future__ import annotations

from tipline.audit.events import Action


class ReviewEvent(Action):
    CLAIMED = "report.claimed"
    RELEASED = "report.released"
    REASSIGNED = "report.reassigned"
    CLASSIFIED = "report.classified"
    BUNDLED = "report.bundled"
    UNBUNDLED = "report.unbundled"
    INCIDENT_CREATED = "incident.created"
    INCIDENT_MERGED = "incident.merged"
    INCIDENT_MERGED_AWAY = "incident.merged_away"
    INCIDENT_SPLIT = "incident.split"
    # An analyst chose to see an image unblurred: counted for their wellness, never shown.
    EVIDENCE_REVEALED = "evidence.revealed"
