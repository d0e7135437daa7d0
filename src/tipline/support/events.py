"""The audit events of the support desk: every request, contact, referral, match and message."""

from __future__ import annotations

from tipline.audit.events import Action


class SupportEvent(Action):
    REQUESTED = "support.requested"
    FAMILY_ADDED = "support.family_added"
    URGENCY_RAISED = "support.urgency_raised"
    CLAIMED = "support.claimed"
    RELEASED = "support.released"
    CONTACT_LOGGED = "support.contact_logged"
    NOTE_ADDED = "support.note_added"
    CHECK_IN_SCHEDULED = "support.check_in_scheduled"
    CHECK_IN_DUE = "support.check_in_due"
    CLOSED = "support.closed"
    REOPENED = "support.reopened"
    REFERRED = "support.referred"
    REFERRAL_UPDATED = "support.referral_updated"
    MATCH_PROPOSED = "support.match_proposed"
    MATCH_CONSENTED = "support.match_consented"
    MATCH_DECLINED = "support.match_declined"
    MATCH_ENDED = "support.match_ended"
    MESSAGE_RELAYED = "support.message_relayed"
    MESSAGES_PURGED = "support.messages_purged"
    FAMILY_NOTIFIED = "support.family_notified"
    PEER_NOTIFIED = "support.peer_notified"
    SERVICES_LOADED = "support.services_loaded"
    PEER_PROFILE_SAVED = "support.peer_profile_saved"
