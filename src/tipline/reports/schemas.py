"""The report's vocabulary, from NCMEC's CyberTipline, and its read-back shape."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


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
