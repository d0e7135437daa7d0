from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tipline.notices.urls import MAX_URLS
from tipline.takedown.schemas import CaseUrl, OtherRequests


class NoticesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Where the image is posted: addresses only, never the image.
    urls: list[str] = Field(min_length=1, max_length=MAX_URLS)
    lang: Literal["en", "es"] = "en"
    # Whether the person shown was under 18 (the notice then cites the law on child images).
    under_18: bool = False


class PlatformNotice(BaseModel):
    platform: str
    known: bool
    urls: list[str]
    steps: list[str]
    notice_text: str
    # None: no deadline is promised (a site outside the directory, or a search engine).
    deadline_hours: int | None
    report_url: str | None
    email: str | None
    # Where the company is based (ISO 3166 alpha-2), when the directory says.
    country: str | None = None
    # The notice is written in the language the company reads (English for a US company),
    # whatever `lang` asked for; the same notice in `lang`, to read, never to send.
    notice_lang: Literal["en", "es"] = "en"
    reader_text: str | None = None


class RejectedUrl(BaseModel):
    url: str
    reason: str


class NoticesOut(BaseModel):
    platforms: list[PlatformNotice]
    rejected: list[RejectedUrl]


class CaseUrlsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    urls: list[str] = Field(min_length=1, max_length=MAX_URLS)


class CaseUrlsOut(BaseModel):
    attached: int
    rejected: list[RejectedUrl]
    urls: list[CaseUrl]
    other_requests: OtherRequests
