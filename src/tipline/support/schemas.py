"""The support desk's vocabulary, and what a family sends when it asks for support."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import pycountry
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints


class Who(StrEnum):
    """Who needs support."""

    CHILD = "child"
    PARENT = "parent"
    SIBLING = "sibling"
    OTHER_FAMILY = "other_family"


class Asker(StrEnum):
    """Who is filling in the request."""

    CHILD = "child"
    PARENT = "parent"
    SIBLING = "sibling"
    FRIEND = "friend"
    PROFESSIONAL = "professional"


class Kind(StrEnum):
    """What kind of support: someone to talk to now, counselling near them, another family
    who has been through it, help with school or the police."""

    TALK_NOW = "talk_now"
    COUNSELLING = "counselling"
    PEER = "peer"
    SCHOOL_POLICE = "school_police"


class Channel(StrEnum):
    """How it is safe to reach them; `none`: only through the follow-up page."""

    CALL = "call"
    TEXT = "text"
    EMAIL = "email"
    NONE = "none"


class Outcome(StrEnum):
    """An advocate's contact attempt: tried and missed; reached; or, as the family asked, tried
    and left no message (no voicemail, a shared phone)."""

    ATTEMPTED = "attempted"
    REACHED = "reached"
    NO_MESSAGE = "no_message"


class ServiceKind(StrEnum):
    CRISIS = "crisis"
    CHILD_PROTECTION = "child_protection"
    COUNSELLING = "counselling"
    VICTIM_ADVOCACY = "victim_advocacy"
    LEGAL_AID = "legal_aid"
    PEER = "peer"
    TAKEDOWN = "takedown"


class ConsentBy(StrEnum):
    """Who agreed to a referral: the young person, a parent or guardian, or both."""

    CHILD = "child"
    PARENT = "parent"
    BOTH = "both"
    ADULT_VICTIM = "adult_victim"


class ReferralStatus(StrEnum):
    MADE = "made"
    CONNECTED = "connected"
    WAITING_LIST = "waiting_list"
    DECLINED = "declined"
    UNREACHABLE = "unreachable"


class Experience(StrEnum):
    """What a peer has lived, to match them with a family going through the same."""

    FINANCIAL_SEXTORTION = "financial_sextortion"
    CONTENT_SEXTORTION = "content_sextortion"
    DEEPFAKE = "deepfake"
    PARENT_OF_VICTIM = "parent_of_victim"
    SURVIVOR = "survivor"
    BEREAVED_PARENT = "bereaved_parent"


class CloseReason(StrEnum):
    SUPPORTED = "supported"
    DECLINED = "declined"
    UNREACHABLE = "unreachable"
    DUPLICATE = "duplicate"


LANGUAGES = ("en", "es", "other")
# US states, the District of Columbia and the territories, as ISO 3166-2, by name.
US_REGIONS: dict[str, str] = dict(
    sorted(
        ((s.code, s.name) for s in pycountry.subdivisions.get(country_code="US") or []),
        key=lambda pair: pair[1],
    )
)
# Where a family is: a state, the US without a state, or outside the US.
REGIONS = ("US", *US_REGIONS, "other")
MAX_MESSAGE = 4000
MAX_RELAY = 2000


def _clean(value: str) -> str:
    return value.strip()


class SupportRequestIn(BaseModel):
    """What the public form (and a report's "ask for support") sends."""

    model_config = ConfigDict(extra="forbid")

    who: Who
    asker: Asker
    kinds: list[Kind] = Field(min_length=1, max_length=len(Kind))
    call_me: Annotated[str, StringConstraints(max_length=60), AfterValidator(_clean)] = ""
    child_age: int | None = Field(default=None, ge=5, le=25)
    language: str = Field(default="en", pattern="^(en|es|other)$")
    region: str = "US"
    channel: Channel
    contact: Annotated[str, StringConstraints(max_length=254), AfterValidator(_clean)] = ""
    safe_times: Annotated[str, StringConstraints(max_length=200), AfterValidator(_clean)] = ""
    no_voicemail: bool = False
    shared_phone: bool = False
    # "Is anyone thinking about suicide or hurting themselves?": yes puts it first.
    self_harm: bool = False
    message: Annotated[str, StringConstraints(max_length=MAX_MESSAGE), AfterValidator(_clean)] = ""


class SupportRequestOut(BaseModel):
    number: str
    # Shown once: with the number, it opens the request at /support/follow-up.
    code: str
    # Words of despair or "someone is thinking of hurting themselves": the caller should show
    # crisis help (988, 911) at once.
    urgent: bool
