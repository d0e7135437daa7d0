"""What staff read in place of the codes stored on records: one table for every console page,
the agency's portal and the package's summary, in English here and in Spanish through the
message catalog (each label is marked with N_ so that `make i18n` extracts it).

The codes themselves belong to their domains; this table only names them (the web layer
imports no domain). A code missing here shows as itself with its underscores as spaces, never
as nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import pycountry


def N_(text: str) -> str:  # noqa: N802 - the name gettext's extractors look for
    return text


LABELS: dict[str, dict[str, str]] = {
    "incident_type": {
        "online_enticement": N_("Online enticement"),
        "child_pornography": N_("Child sexual abuse material"),
        "child_sex_trafficking": N_("Child sex trafficking"),
        "child_sex_tourism": N_("Child sex tourism"),
        "child_sexual_molestation": N_("Child sexual molestation"),
        "misleading_domain_name": N_("Misleading domain name"),
        "misleading_words_or_digital_images": N_("Misleading words or digital images"),
        "unsolicited_obscene_material": N_("Unsolicited obscene material sent to a child"),
    },
    "source": {
        "public": N_("Public"),
        "esp": N_("Online service (ESP)"),
        "detector": N_("Red-flag detector"),
    },
    "status": {
        "received": N_("Received"),
        "triaged": N_("Triaged"),
        "referred": N_("Referred"),
        "closed": N_("Closed"),
        "sent": N_("Sent"),
        "acknowledged": N_("Acknowledged"),
    },
    "reporter_role": {
        "victim": N_("The child themself"),
        "parent_guardian": N_("Parent or guardian"),
        "friend": N_("Friend"),
        "educator": N_("Teacher, coach or counsellor"),
        "other": N_("Someone else"),
    },
    "demand": {
        "money": N_("Money"),
        "images": N_("More images"),
        "sexual_activity": N_("Sexual acts"),
        "other": N_("Something else"),
    },
    "payment_method": {
        "gift_card": N_("Gift card"),
        "cash_app": "Cash App",
        "paypal": "PayPal",
        "venmo": "Venmo",
        "zelle": "Zelle",
        "crypto": N_("Cryptocurrency"),
        "bank_transfer": N_("Bank transfer"),
        "other": N_("Other"),
    },
    "gender": {
        "female": N_("Female"),
        "male": N_("Male"),
        "non_binary": N_("Non-binary"),
        "other": N_("Other"),
        "unknown": N_("Not given"),
    },
    "answer": {"yes": N_("Yes"), "no": N_("No"), "not_sure": N_("Not sure")},
    "preferred_contact": {
        "email": N_("By email"),
        "phone": N_("By phone call"),
        "text": N_("By text message"),
        "not_at_all": N_("Not at all: only through the follow-up page"),
    },
    "close_reason": {
        "insufficient_information": N_("Insufficient information"),
        "viral_or_meme": N_("Viral or meme content"),
        "duplicate": N_("Duplicate of another report"),
        "outside_mandate": N_("Outside our mandate"),
    },
    "priority_reason": {
        "self-harm risk": N_("Self-harm risk"),
        "child in imminent danger": N_("Child in imminent danger"),
        "minor threatened with a deadline": N_("Minor threatened with a deadline"),
        "financial sextortion": N_("Financial sextortion"),
        "by age": N_("Oldest first"),
    },
    "flag": {
        "sextortion": N_("Sextortion"),
        "financial": N_("Financial"),
        "self_harm_risk": N_("Self-harm risk"),
        "child_in_danger": N_("Child in danger"),
        "minor_to_minor": N_("Minor to minor"),
    },
    "role": {
        "admin": N_("Administrator"),
        "supervisor": N_("Supervisor"),
        "analyst": N_("Analyst"),
        "agency": N_("Agency investigator"),
        "advocate": N_("Family advocate"),
        "peer": N_("Peer supporter"),
    },
    # The support desk (support/schemas.py).
    "support_who": {
        "child": N_("The young person"),
        "parent": N_("A parent or guardian"),
        "sibling": N_("A brother or sister"),
        "other_family": N_("Someone else in the family"),
    },
    "support_asker": {
        "child": N_("The young person themself"),
        "parent": N_("A parent or guardian"),
        "sibling": N_("A brother or sister"),
        "friend": N_("A friend"),
        "professional": N_("A teacher, counsellor or other professional"),
    },
    "support_kind": {
        "talk_now": N_("Someone to talk to now"),
        "counselling": N_("Counselling near us"),
        "peer": N_("Another family who has been through it"),
        "school_police": N_("Help with the school or the police"),
    },
    "support_channel": {
        "call": N_("A phone call"),
        "text": N_("A text message"),
        "email": N_("Email"),
        "none": N_("Only through this website"),
    },
    "contact_outcome": {
        "attempted": N_("Tried, no answer"),
        "reached": N_("Reached"),
        "no_message": N_("Tried, left no message (as asked)"),
    },
    "service_kind": {
        "crisis": N_("Crisis line"),
        "child_protection": N_("Child protection"),
        "counselling": N_("Counselling"),
        "victim_advocacy": N_("Victim advocacy"),
        "legal_aid": N_("Legal aid"),
        "peer": N_("Peer support"),
        "takedown": N_("Taking images down"),
    },
    "consent_by": {
        "child": N_("The young person"),
        "parent": N_("A parent or guardian"),
        "both": N_("The young person and a parent"),
        "adult_victim": N_("The person (an adult)"),
    },
    "support_referral_status": {
        "made": N_("Referral made"),
        "connected": N_("Connected with the service"),
        "waiting_list": N_("On the service's waiting list"),
        "declined": N_("Declined by the family"),
        "unreachable": N_("The service could not reach them"),
    },
    "support_status": {
        "new": N_("New"),
        "active": N_("Being worked on"),
        "waiting": N_("Waiting for the next check-in"),
        "closed": N_("Closed"),
    },
    "support_close_reason": {
        "supported": N_("Supported; no more needed"),
        "declined": N_("The family declined support"),
        "unreachable": N_("Could not reach the family"),
        "duplicate": N_("Duplicate of another request"),
    },
    "match_status": {
        "proposed": N_("Waiting for both to say yes"),
        "active": N_("Talking"),
        "declined": N_("Declined"),
        "ended": N_("Ended"),
    },
    "experience": {
        "financial_sextortion": N_("Financial sextortion"),
        "content_sextortion": N_("Threats for more images"),
        "deepfake": N_("Fake (AI-made) images"),
        "parent_of_victim": N_("Parent of a young person it happened to"),
        "survivor": N_("It happened to them as a young person"),
        "bereaved_parent": N_("A parent who lost a child"),
    },
    "language": {"en": "English", "es": "Español", "other": N_("Another language")},
    "account_role": {
        "suspect": N_("Suspect"),
        "victim": N_("Child"),
        "reporter": N_("Reporter"),
    },
    # Timeline entries: what happened to a report, incident, referral or file.
    "event": {
        "report.received": N_("Report received"),
        "report.triaged": N_("Triaged"),
        "report.claimed": N_("Claimed"),
        "report.released": N_("Claim released"),
        "report.reassigned": N_("Reassigned"),
        "report.classified": N_("Classified"),
        "report.additions_read": N_("Additions read"),
        "report.bundled": N_("Added to an incident"),
        "report.unbundled": N_("Taken out of the incident"),
        "report.referred": N_("Referred"),
        "report.closed": N_("Closed"),
        "report.file_attached": N_("File attached"),
        "report.reporter_added_information": N_("Reporter added information"),
        "report.referral_sent": N_("Referral sent"),
        "report.referral_outcome": N_("Agency outcome recorded"),
        "report.sent_as_supplement": N_("Sent to the agency as a supplement"),
        "report.legal_hold_set": N_("Legal hold set"),
        "report.legal_hold_lifted": N_("Legal hold lifted"),
        "report.forwarded": N_("Forwarded upstream"),
        "report.forwarding_queued": N_("Forwarding queued"),
        "report.forwarding_failed": N_("Forwarding failed"),
        "report.evidence_destroyed": N_("Evidence destroyed"),
        "evidence.revealed": N_("File revealed"),
        "evidence.blurred": N_("File blurred again"),
        "incident.created": N_("Incident created"),
        "incident.merged": N_("Incidents merged"),
        "incident.merged_away": N_("Merged into another incident"),
        "incident.split": N_("Incident split"),
        "referral.created": N_("Referral created"),
        "referral.acknowledged": N_("Acknowledged by the agency"),
        "referral.outcome": N_("Outcome recorded"),
        "referral.package_downloaded": N_("Package downloaded"),
        "referral.file_downloaded": N_("File downloaded"),
        "referral.preservation_requested": N_("Preservation requested"),
        "referral.destruction_requested": N_("Destruction requested"),
        "referral.evidence_destroyed": N_("Evidence destroyed"),
        "referral.legal_process": N_("Legal process recorded"),
        "referral.supplement_added": N_("Information added to the referral"),
        "referral.supplement_acknowledged": N_("Supplement acknowledged"),
        "support.requested": N_("Support asked for"),
        "support.family_added": N_("The family added to the request"),
        "support.urgency_raised": N_("Urgency raised"),
        "support.claimed": N_("Claimed"),
        "support.released": N_("Claim released"),
        "support.contact_logged": N_("Contact logged"),
        "support.note_added": N_("Note added"),
        "support.check_in_scheduled": N_("Check-in scheduled"),
        "support.check_in_due": N_("Check-in due"),
        "support.closed": N_("Closed"),
        "support.reopened": N_("Reopened"),
        "support.referred": N_("Referred to a service"),
        "support.referral_updated": N_("Referral updated"),
        "support.match_proposed": N_("Peer match proposed"),
        "support.match_consented": N_("Said yes to the peer match"),
        "support.match_declined": N_("Peer match declined"),
        "support.match_ended": N_("Peer match ended"),
        "support.message_relayed": N_("Message relayed"),
        "support.messages_purged": N_("Old messages deleted"),
        "support.family_notified": N_("Family told of a new message"),
        "support.peer_notified": N_("Peer told of a new message"),
    },
    "outcome": {
        "investigating": N_("Investigating"),
        "victim_identified": N_("Child identified"),
        "arrest": N_("Arrest"),
        "unfounded": N_("Unfounded"),
        "no_action": N_("No action"),
    },
}


def readable(code: str) -> str:
    """A code nobody has named yet, made readable rather than hidden."""
    text = code.replace("_", " ").replace(".", ": ").strip()
    return text[:1].upper() + text[1:]


def place(code: str) -> str:
    """An ISO 3166 country (US) or subdivision (US-CA) by name, with the code kept beside it
    (an investigator searches by either)."""
    found = pycountry.subdivisions.get(code=code) if "-" in code else None
    if found is None and "-" not in code:
        found = pycountry.countries.get(alpha_2=code)
    return f"{found.name} ({code})" if found is not None else code


def label(kind: str, code: object, gettext: Callable[[str], str] | None = None) -> str:
    if code is None or code == "":
        return ""
    if kind == "place":
        return place(str(code))
    text = LABELS.get(kind, {}).get(str(code))
    if text is None:
        return readable(str(code))
    return gettext(text) if gettext else text
