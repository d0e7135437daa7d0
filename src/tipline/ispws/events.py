"""The audit events of the CyberTipline endpoint, and of forwarding a report upstream."""

from __future__ import annotations

from tipline.audit.events import Action


class IspwsEvent(Action):
    SUBMITTED = "ispws.submitted"
    FINISHED = "ispws.finished"
    RETRACTED = "ispws.retracted"
    EXPIRED = "ispws.expired"
    FORWARDING_QUEUED = "report.forwarding_queued"
    FORWARDED = "report.forwarded"
    FORWARDING_FAILED = "report.forwarding_failed"
