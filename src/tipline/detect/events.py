"""The audit events of the detector."""

from __future__ import annotations

from tipline.audit.events import Action


class DetectEvent(Action):
    REPORT_OPENED = "detect.report_opened"
