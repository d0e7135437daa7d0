from __future__ import annotations

from pydantic import BaseModel


class PublishedCount(BaseModel):
    count: int | None  # None when withheld
    suppressed: bool


class PeriodCount(PublishedCount):
    period: str


class KeyCount(PublishedCount):
    key: str


class PublishedStats(BaseModel):
    """The public numbers: counts under `threshold` are withheld (count null, suppressed true),
    and so are any others needed so that no withheld count can be worked out from the rest."""

    threshold: int
    as_of: str
    year: int | None
    years: list[int]
    totals: dict[str, PublishedCount]
    series: dict[str, list[PeriodCount]]
    breakdowns: dict[str, list[KeyCount]]
    sextortion_money_share: float | None
