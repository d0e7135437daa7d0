"""The audit events of victims' cases and the hash list."""

from __future__ import annotations

from tipline.audit.events import Action


class TakedownEvent(Action):
    CASE_OPENED = "takedown.case_opened"
    HASHES_ADDED = "takedown.hashes_added"
    CASE_LOCKED = "takedown.case_locked"
    CASE_WITHDRAWN = "takedown.case_withdrawn"
    FEEDBACK = "hashlist.feedback"
    CONFIGURED = "hashlist.configured"
    ENTRY_KEPT_OFF = "hashlist.entry_kept_off"
    ENTRY_QUARANTINED = "hashlist.entry_quarantined"
    ENTRY_RELEASED = "hashlist.entry_released"
