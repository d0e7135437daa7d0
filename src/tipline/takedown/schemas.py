"""The take-down API's request and response bodies (DESIGN.md: /api/v1/takedown, /hashlist).

Every request model forbids unknown fields: a body that tries to carry file content in any
field is refused, not ignored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tipline.takedown import service

HashType = Literal["pdq", "vpdq", "sha256", "md5"]


class HashIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: HashType
    # Hex digits; vPDQ is up to 3,600 lines of `frame,quality,pdq,seconds`.
    value: str = Field(min_length=1, max_length=300_000)


class CaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hashes: list[HashIn] = Field(min_length=1, max_length=service.MAX_HASHES_PER_CASE)
    age_at_creation: Literal["under_18", "18_or_over"]
    lang: Literal["en", "es"] = "en"


class HashesIn(BaseModel):
    """More hashes for an open case: the same list as opening one, nothing else."""

    model_config = ConfigDict(extra="forbid")

    hashes: list[HashIn] = Field(min_length=1, max_length=service.MAX_HASHES_PER_CASE)


class CaseCreated(BaseModel):
    case_id: str
    pin: str


class CaseStatus(BaseModel):
    case_id: str
    status: Literal["open", "withdrawn"]
    created_at: datetime
    withdrawn_at: datetime | None
    hashes: int
    # The pictures and videos the hashes were made from (each gives several hashes).
    files: int
    images: int
    videos: int
    # Platforms that reported a match (or a removal) of any of the case's hashes; never which.
    platforms_matched: int
    platforms_removed: int
    # Take-down requests for the places the image is posted: the victim's own addresses by name,
    # and of those an analyst added, only how many.
    notices: CaseNotices


class CaseUrl(BaseModel):
    url: str
    # waiting, review, sent, filed, unknown, removed, withdrawn
    status: str
    due_at: datetime | None


class OtherRequests(BaseModel):
    requested: int
    removed: int


class CaseNotices(BaseModel):
    urls: list[CaseUrl]
    other_requests: OtherRequests


class HashesAdded(CaseStatus):
    # Hashes new to the case, and those it held already (not added twice).
    added: int
    already_in_case: int


class LockedError(BaseModel):
    code: str
    message: str
    # Seconds until the case opens again (also the Retry-After header).
    retry_after: int | None = None


class LockedOut(BaseModel):
    error: LockedError


class Change(BaseModel):
    seq: int
    action: Literal["add", "remove"]
    reason: str
    at: str
    entry_id: int
    signal_type: HashType
    value: str
    list: str
    case_id: str | None
    added_at: str


class ListSettings(BaseModel):
    pdq_threshold: int
    vpdq_frame_share: float


class ChangesOut(BaseModel):
    changes: list[Change]
    next_cursor: str
    has_more: bool
    lists: dict[str, ListSettings]


class MatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hashes: list[HashIn] = Field(min_length=1, max_length=service.MAX_MATCH_BATCH)
    # Also match the query's eight rotations and flips (PDQ only).
    transforms: bool = True


class MatchOut(BaseModel):
    index: int
    entry_id: int
    signal_type: HashType
    list: str
    case_id: str | None
    added_at: str
    distance: int
    transform: str
    query_share: float | None = None
    stored_share: float | None = None


class MatchesOut(BaseModel):
    matches: list[MatchOut]


class FeedbackItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entry_id: int = Field(ge=1, le=2**63 - 1)
    outcome: Literal["matched", "removed", "false_positive"]
    note: str = Field(default="", max_length=500)


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    feedback: list[FeedbackItem] = Field(min_length=1, max_length=service.MAX_FEEDBACK_BATCH)


class FeedbackOut(BaseModel):
    accepted: int
