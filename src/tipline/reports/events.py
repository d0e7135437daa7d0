"""The audit events of a report's life: its statuses, and what the reporter adds."""

from __future__ import annotations

from tipline.audit.events import Action
from tipline.reports.schemas import Status


class ReportEvent(Action):
    RECEIVED = "report.received"
    TRIAGED = "report.triaged"
    REFERRED = "report.referred"
    CLOSED = "report.closed"
    REPORTER_ADDED_INFORMATION = "report.reporter_added_information"
    FILE_ATTACHED = "report.file_attached"


# A report entering each status.
ENTERED = {
    Status.RECEIVED: ReportEvent.RECEIVED,
    Status.TRIAGED: ReportEvent.TRIAGED,
    Status.REFERRED: ReportEvent.REFERRED,
    Status.CLOSED: ReportEvent.CLOSED,
}
