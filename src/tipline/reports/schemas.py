"""The report's vocabulary (from NCMEC's CyberTipline), its read-back shape, and what the public
sends: the body of `POST /api/v1/reports` and the web form, validated."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

import pycountry
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from tipline.db import utcnow


class IncidentType(StrEnum):
    """CyberTipline incident types, in snake_case (the XML label is in INCIDENT_TYPE_LABELS)."""

    CHILD_PORNOGRAPHY = "child_pornography"
    CHILD_SEX_TRAFFICKING = "child_sex_trafficking"
    CHILD_SEX_TOURISM = "child_sex_tourism"
    CHILD_SEXUAL_MOLESTATION = "child_sexual_molestation"
    MISLEADING_DOMAIN_NAME = "misleading_domain_name"
    MISLEADING_WORDS_OR_DIGITAL_IMAGES = "misleading_words_or_digital_images"
    ONLINE_ENTICEMENT = "online_enticement"
    UNSOLICITED_OBSCENE_MATERIAL = "unsolicited_obscene_material"


INCIDENT_TYPE_LABELS = {
    IncidentType.CHILD_PORNOGRAPHY: "Child Pornography (possession, manufacture, and distribution)",
    IncidentType.CHILD_SEX_TRAFFICKING: "Child Sex Trafficking",
    IncidentType.CHILD_SEX_TOURISM: "Child Sex Tourism",
    IncidentType.CHILD_SEXUAL_MOLESTATION: "Child Sexual Molestation",
    IncidentType.MISLEADING_DOMAIN_NAME: "Misleading Domain Name",
    IncidentType.MISLEADING_WORDS_OR_DIGITAL_IMAGES: (
        "Misleading Words or Digital Images on the Internet"
    ),
    IncidentType.ONLINE_ENTICEMENT: "Online Enticement of Children for Sexual Acts",
    IncidentType.UNSOLICITED_OBSCENE_MATERIAL: "Unsolicited Obscene Material Sent to a Child",
}


class Source(StrEnum):
    PUBLIC = "public"
    ESP = "esp"
    DETECTOR = "detector"


class ReporterRole(StrEnum):
    VICTIM = "victim"
    PARENT_GUARDIAN = "parent_guardian"
    FRIEND = "friend"
    EDUCATOR = "educator"
    OTHER = "other"


class Status(StrEnum):
    RECEIVED = "received"
    TRIAGED = "triaged"
    REFERRED = "referred"
    CLOSED = "closed"


class AccountOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    role: str
    platform: str | None
    handle: str | None
    account_id: str | None
    profile_url: str | None
    display_name: str | None


class PersonOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    role: str
    name: str | None
    age: int | None
    gender: str | None
    country: str | None
    region: str | None


class PaymentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    method: str
    handle: str | None
    amount: str | None


class FileOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    filename: str
    media_type: str
    size: int
    sha256: str
    md5: str
    pdq: str | None
    pdq_quality: int | None


class ReportSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    case_number: str
    source: str
    incident_type: str
    status: str
    sextortion: bool
    financial: bool
    self_harm_risk: bool
    received_at: datetime


class ReportOut(ReportSummary):
    reporter_role: str | None
    organisation_id: str | None
    external_id: str | None
    description: str
    incident_date: date | None
    child_in_danger: bool
    minor_to_minor: bool
    annotations: list[str]
    demands: list[str]
    lang: str
    triaged_at: datetime | None
    referred_at: datetime | None
    closed_at: datetime | None
    incident_id: str | None
    people: list[PersonOut]
    accounts: list[AccountOut]
    payments: list[PaymentOut]
    files: list[FileOut] = []
    # Everything an online service sent (reports/filed.py); None for other sources.
    as_filed: dict[str, Any] | None = None


# What the public sends ------------------------------------------------------------------------


MAX_DESCRIPTION = 20_000
MAX_ACCOUNTS = 50
MAX_PAYMENTS = 50


def _clean(value: str) -> str:
    # A NUL carries no words and PostgreSQL cannot store it in text; everything else the
    # reporter wrote (markup, emoji, right-to-left text) is kept exactly as written.
    return value.replace("\x00", "").strip()


# What the form asks for: "a few words at least". One letter tells an analyst nothing, and the
# form's message says so; ten characters is "he wants $" or "help me pls".
MIN_DESCRIPTION = 10


def _a_few_words(value: str) -> str:
    if len(value) < MIN_DESCRIPTION:
        raise ValueError(
            f"tell us what happened in a few words at least ({MIN_DESCRIPTION}+ characters)"
        )
    return value


Short40 = Annotated[str, StringConstraints(max_length=40), AfterValidator(_clean)]
Short100 = Annotated[str, StringConstraints(max_length=100), AfterValidator(_clean)]
Short200 = Annotated[str, StringConstraints(max_length=200), AfterValidator(_clean)]
Short300 = Annotated[str, StringConstraints(max_length=300), AfterValidator(_clean)]
Url = Annotated[str, StringConstraints(max_length=2000), AfterValidator(_clean)]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Demand(StrEnum):
    MONEY = "money"
    IMAGES = "images"
    SEXUAL_ACTIVITY = "sexual_activity"
    OTHER = "other"


class PaymentMethod(StrEnum):
    GIFT_CARD = "gift_card"
    CASH_APP = "cash_app"
    PAYPAL = "paypal"
    VENMO = "venmo"
    ZELLE = "zelle"
    CRYPTO = "crypto"
    BANK_TRANSFER = "bank_transfer"
    OTHER = "other"


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"
    NON_BINARY = "non_binary"
    OTHER = "other"
    UNKNOWN = "unknown"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class SuspectAccountIn(_Strict):
    platform: Short100 | None = None
    username: Short200 | None = None
    profile_url: Url | None = None
    display_name: Short200 | None = None

    @model_validator(mode="after")
    def _something_given(self) -> SuspectAccountIn:
        if not any((self.platform, self.username, self.profile_url, self.display_name)):
            raise ValueError("give at least a platform, username, profile link or display name")
        return self


class PaymentIn(_Strict):
    method: PaymentMethod
    handle: Short300 | None = None
    amount: Short40 | None = None


def country_code(value: str) -> str:
    code = value.strip().upper()
    if pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(f"not an ISO 3166-1 country code: {value!r}")
    return code


def region_code(country: str | None, value: str) -> str:
    """An ISO 3166-2 code from a code ("US-CA", "CA") or a name ("California")."""
    raw = value.strip()
    candidates = [raw.upper()]
    if country and "-" not in raw:
        candidates.append(f"{country}-{raw.upper()}")
    for code in candidates:
        found = pycountry.subdivisions.get(code=code)
        if found is not None and (country is None or found.country_code == country):
            return str(found.code)
    if country:
        for sub in pycountry.subdivisions.get(country_code=country) or []:
            if sub.name.casefold() == raw.casefold():
                return str(sub.code)
    raise ValueError(f"not a state or province we know: {value!r}")


class VictimIn(_Strict):
    age: int | None = Field(default=None, ge=0, le=120)
    gender: Gender | None = None
    country: str | None = Field(default=None, max_length=2)
    region: Short100 | None = None
    school: Short200 | None = None

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        return country_code(value) if value else None

    @model_validator(mode="after")
    def _region(self) -> VictimIn:
        if self.region:
            self.region = region_code(self.country, self.region)
            if self.country is None:
                self.country = self.region.split("-")[0]
        return self


class PreferredContact(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    TEXT = "text"
    # Reach me only through the follow-up page (a child whose phone a parent reads).
    NOT_AT_ALL = "not_at_all"


class ContactIn(_Strict):
    name: Short200 | None = None
    email: Annotated[str, StringConstraints(max_length=254), AfterValidator(_clean)] | None = None
    phone: Short40 | None = None
    preferred_contact: PreferredContact | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value and not _EMAIL.match(value):
            raise ValueError("not an email address")
        return value or None


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    NOT_SURE = "not_sure"


class PublicReportIn(_Strict):
    reporter_role: ReporterRole
    # The minimum is in the schema (OpenAPI's minLength) and checked again once trimmed.
    description: Annotated[
        str,
        StringConstraints(min_length=MIN_DESCRIPTION, max_length=MAX_DESCRIPTION),
        AfterValidator(_clean),
        AfterValidator(_a_few_words),
    ]
    incident_type: IncidentType = IncidentType.ONLINE_ENTICEMENT
    sextortion: bool = False
    demands: list[Demand] = Field(default_factory=list, max_length=len(Demand))
    incident_date: date | None = None
    suspect_accounts: list[SuspectAccountIn] = Field(default_factory=list, max_length=MAX_ACCOUNTS)
    payment_details: list[PaymentIn] = Field(default_factory=list, max_length=MAX_PAYMENTS)
    victim: VictimIn | None = None
    contact: ContactIn | None = None
    lang: Literal["en", "es"] = "en"
    # What a hotline needs to know first: is the child safe right now (no: the top tier), what
    # deadline they were given, in the reporter's words, and whether the images have already
    # been shared and anyone has already paid or sent more.
    safe_now: Answer | None = None
    deadline: Short200 | None = None
    already_shared: Answer | None = None
    already_paid: Answer | None = None

    @field_validator("description")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value:
            raise ValueError("tell us what happened, in a few words at least")
        return value

    @field_validator("incident_date", mode="before")
    @classmethod
    def _date_only(cls, value: object) -> object:
        # Dates only: a datetime would be truncated silently.
        if isinstance(value, datetime):
            raise ValueError("a date (YYYY-MM-DD), not a date and time")
        return value

    @field_validator("incident_date")
    @classmethod
    def _not_future(cls, value: date | None) -> date | None:
        if value and value > utcnow().date():
            raise ValueError("cannot be in the future")
        return value

    @field_validator("demands")
    @classmethod
    def _unique(cls, value: list[Demand]) -> list[Demand]:
        return list(dict.fromkeys(value))


class PublicReportCreated(BaseModel):
    report_id: str
    case_number: str
    follow_up_token: str


class FileCreated(BaseModel):
    file_id: str
    sha256: str


class ReporterStatus(BaseModel):
    """What a reporter may see: progress, never what analysts wrote or where it went."""

    case_number: str
    status: Literal["received", "in_review", "referred", "closed"]
    received_at: datetime
    updated_at: datetime
    files: int
    updates: int


class ReporterUpdateIn(_Strict):
    text: Annotated[
        str, StringConstraints(min_length=1, max_length=MAX_DESCRIPTION), AfterValidator(_clean)
    ]
