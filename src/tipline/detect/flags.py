"""The 14 red flags (shared/RED-FLAGS.md) and how a conversation's level follows from them."""

from __future__ import annotations

FLAGS = (
    "social_media_reconnaissance",
    "rapid_sexual_request",
    "platform_migration",
    "reciprocation",
    "fake_modeling_agency",
    "relationship_building",
    "multiple_identities",
    "identity_misrepresentation",
    "account_compromise",
    "deepfake_threat",
    "sextortion_threat",
    "financial_demand",
    "content_demand",
    "victim_distress",
)
EXTORTION = frozenset({"sextortion_threat", "deepfake_threat", "financial_demand"})
LEVELS = ("none", "grooming", "extortion")

# How much each flag, alone, says that a child is at risk: combined as a noisy-or into the
# conversation's risk. A threat or demand is near-certain; the early signs are weaker alone
# and add up.
WEIGHTS = {
    # A detail from the profile, or a move to another app, is common between friends: either
    # alone stays under the alert (unless the detail opens a contact: OPENING_WEIGHTS); both
    # together cross it.
    "social_media_reconnaissance": 0.4,
    "rapid_sexual_request": 0.6,
    "platform_migration": 0.4,
    "reciprocation": 0.6,
    "fake_modeling_agency": 0.55,
    # Secrecy, flattery of maturity, love-bombing from the other side of a chat: the core of
    # grooming, and worth an alert alone (adults flirting are exempt before it counts).
    "relationship_building": 0.65,
    # A contact back on a new account after a block is persistence, and alarming alone.
    "multiple_identities": 0.6,
    "identity_misrepresentation": 0.45,
    "account_compromise": 0.6,
    "deepfake_threat": 0.95,
    "sextortion_threat": 0.95,
    "financial_demand": 0.9,
    "content_demand": 0.85,
    "victim_distress": 0.7,
}
# A flag raised in its sender's opening messages weighs more: details from the child's profile
# in the first lines of a contact are NCMEC's first red flag, "approaching a child after studying
# their social media", where the same detail deep in a chat between friends is small talk.
OPENING_WEIGHTS = {"social_media_reconnaissance": 0.65}
# How many of its sender's messages count as the opening of a contact.
OPENING_MESSAGES = 4
# The risk after which a platform is alerted. A move to another app, or a profile detail past
# the opening, alone stays under it; the two together, a stranger opening with the child's
# profile, a first sexual request, the secrecy and flattery of grooming, or any threat cross it.
ALERT_THRESHOLD = 0.5


def level_of(flags: set[str] | frozenset[str]) -> str:
    if flags & EXTORTION:
        return "extortion"
    return "grooming" if flags else "none"


def risk_of(scores: dict[str, float], opening: frozenset[str] = frozenset()) -> float:
    """Noisy-or of each flag's weight scaled by how sure the detector is of it; `opening` names
    the flags raised in their sender's opening messages."""
    stay_safe = 1.0
    for flag, score in scores.items():
        weight = OPENING_WEIGHTS.get(flag, WEIGHTS[flag]) if flag in opening else WEIGHTS[flag]
        stay_safe *= 1.0 - weight * score
    return round(1.0 - stay_safe, 4)
