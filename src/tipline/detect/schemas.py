"""The detect API's bodies (DESIGN.md: conversation format and result)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tipline.nul import Text

MAX_MESSAGES = 5000
MAX_TEXT = 10_000


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    sender: Text = Field(max_length=200)
    text: Text = Field(max_length=MAX_TEXT)
    ts: Text | None = Field(default=None, max_length=64)


class ConversationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Text = Field(min_length=1, max_length=200)
    messages: list[MessageIn] = Field(min_length=1, max_length=MAX_MESSAGES)
    # Open a report (source "detector") when the conversation shows any red flag.
    open_report: bool = False


class FlagOut(BaseModel):
    flag: str
    score: float
    message_index: int
    evidence: str


class DetectOut(BaseModel):
    id: str
    risk: float
    level: Literal["none", "grooming", "extortion"]
    flags: list[FlagOut]
    first_alert_index: int | None
    victim_distress: bool
    report_case_number: str | None = None
