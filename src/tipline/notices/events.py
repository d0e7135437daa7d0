"""The audit events of notices to companies: the directory, and each take-down request."""

from __future__ import annotations

from tipline.audit.events import Action


class NoticeEvent(Action):
    DIRECTORY_LOADED = "notices.directory_loaded"
    REQUESTED = "notice.requested"
    SENT = "notice.sent"
    SEND_FAILED = "notice.send_failed"
    DELIVERY_UNKNOWN = "notice.delivery_unknown"
    CHECKED = "notice.checked"
    REMOVED = "notice.removed"
    # An analyst's steps (requests.mark): the step's name follows the dot.
    FILED = "notice.filed"
    APPROVE = "notice.approve"
    RESEND = "notice.resend"
    WITHDRAWN = "notice.withdrawn"
