"""Notices to companies: grouping a victim's URLs by platform with ready-to-send notices (nothing
stored), and an analyst's requests that tipline sends and follows until the content is gone."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from sqlalchemy.orm import Session

from tipline.takedown.notices import texts
from tipline.takedown.notices.directory import Directory, registrable
from tipline.takedown.notices.texts import Gettext
from tipline.takedown.notices.urls import MAX_URLS, parse_all

UNKNOWN_DEADLINE_HOURS = 48  # what the TAKE IT DOWN Act gives a covered platform


def group(
    db_session: Session, *, urls: list[str], gettext: Gettext, under_18: bool
) -> dict[str, Any]:
    """URLs -> one entry per platform (or per unknown site) with steps and a filled notice; and
    the lines that are not web addresses, with why. Stores nothing."""
    if len(urls) > MAX_URLS:
        from tipline.errors import BadInput

        raise BadInput(f"at most {MAX_URLS} addresses at once", code="too_many_urls")
    good, bad = parse_all(urls)
    directory = Directory.current(db_session)
    groups: OrderedDict[str, dict[str, Any]] = OrderedDict()
    for parsed in good:
        platform = directory.find(parsed.host)
        key = f"p:{platform.id}" if platform else f"d:{registrable(parsed.host)}"
        if key not in groups:
            groups[key] = {"platform": platform, "host": registrable(parsed.host), "urls": []}
        groups[key]["urls"].append(parsed.url)
    out = []
    for entry in groups.values():
        platform = entry["platform"]
        if platform is not None:
            name, bases, hours = platform.name, platform.legal_bases, platform.deadline_hours
            report_url, email, notes = platform.report_url, platform.email, platform.notes
        else:
            name, bases, hours = entry["host"], ["take_it_down_act", "csam"], None
            report_url, email, notes = None, None, ""
        out.append(
            {
                "platform": name,
                "known": platform is not None,
                "urls": entry["urls"],
                "steps": texts.steps(
                    gettext, report_url=report_url, email=email, notes=notes, host=entry["host"]
                ),
                "notice_text": texts.notice_text(
                    gettext,
                    platform=name,
                    urls=entry["urls"],
                    bases=bases,
                    deadline_hours=hours or UNKNOWN_DEADLINE_HOURS,
                    minor=under_18,
                ),
                "deadline_hours": hours or UNKNOWN_DEADLINE_HOURS,
                "report_url": report_url,
                "email": email,
            }
        )
    return {
        "platforms": out,
        "rejected": [{"url": r.url, "reason": gettext(r.reason)} for r in bad],
    }
