"""Notices to companies: grouping a victim's URLs by platform with ready-to-send notices (nothing
stored), and an analyst's requests that tipline sends and follows until the content is gone."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from tipline.notices import texts
from tipline.notices.directory import Directory, promised_hours, registrable
from tipline.notices.texts import Gettext
from tipline.notices.urls import parse_all


def group(
    db_session: Session, *, urls: list[str], gettext: Gettext, under_18: bool
) -> dict[str, Any]:
    """URLs -> one entry per platform (or per unknown site) with steps and a filled notice; and
    the lines that are not web addresses, with why. Stores nothing."""
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
        # A site outside the directory: no deadline is promised, and the law is cited only
        # for the case that the site hosts what its users post (see texts.UNKNOWN_SITE_BASES).
        hours = promised_hours(platform)
        if platform is not None:
            name, bases = platform.name, platform.legal_bases
            country = (platform.facts or {}).get("country")
            report_url, email, notes = platform.report_url, platform.email, platform.notes
            # For a child, the platform's own child-safety reporting page as well, where the
            # directory has one (its adult form stays the first step: some child-safety pages
            # are policies, not forms).
            forms = (platform.facts or {}).get("report_urls") or {}
            child_page = forms.get("child_safety") if under_18 else None
        else:
            name, bases = entry["host"], list(texts.UNKNOWN_SITE_BASES)
            country = texts.country_of_host(entry["host"])
            report_url, email, notes = None, None, ""
            child_page = None
        steps = texts.steps(
            gettext,
            report_url=report_url,
            email=email,
            notes=notes,
            host=entry["host"],
            known=platform is not None,
        )
        if child_page and child_page != report_url:
            steps.append(
                gettext(
                    "The person shown is under 18: report it on the child-safety page too: %(url)s"
                )
                % {"url": child_page}
            )
        out.append(
            {
                "platform": name,
                "known": platform is not None,
                "urls": entry["urls"],
                "steps": steps,
                "child_safety_url": child_page,
                "notice_text": texts.notice_text(
                    gettext,
                    platform=name,
                    urls=entry["urls"],
                    bases=bases,
                    deadline_hours=hours,
                    minor=under_18,
                ),
                "deadline_hours": hours,
                "report_url": report_url,
                "email": email,
                "country": country,
                "legal_bases": list(bases),
            }
        )
    return {
        "platforms": out,
        "rejected": [{"url": r.url, "reason": gettext(r.reason)} for r in bad],
    }


def for_reader(
    db_session: Session,
    *,
    urls: list[str],
    page_lang: str,
    under_18: bool,
    gettext_for: Callable[[str], Gettext],
) -> dict[str, Any]:
    """`group`, with each notice in the language its company reads (texts.notice_language) as
    `notice_text`, and, when the reader's language is another, the same notice in theirs as
    `reader_text`, to read and never to send."""
    result = group(db_session, urls=urls, gettext=gettext_for(page_lang), under_18=under_18)
    others = {page_lang: result}
    for entry_index, mine in enumerate(result["platforms"]):
        lang = texts.notice_language(mine["legal_bases"], page_lang, country=mine["country"])
        if lang not in others:
            others[lang] = group(
                db_session, urls=urls, gettext=gettext_for(lang), under_18=under_18
            )
        texts_by_lang = {
            code: other["platforms"][entry_index]["notice_text"] for code, other in others.items()
        }
        mine["notice_lang"] = lang
        mine["texts"] = texts_by_lang
        mine["reader_text"] = mine["notice_text"] if lang != page_lang else None
        mine["notice_text"] = texts_by_lang[lang]
    return result
