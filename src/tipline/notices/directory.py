"""The platform directory: loading it, and finding the platform a URL belongs to.

A directory file is a JSON list, one entry per company. Besides what the table stores, an entry
may carry where each fact came from: `report_urls` (the platform's own form or help page for
intimate images and for child safety), `take_it_down` (whether it takes NCMEC's Take It Down hash
list), `checked` (the date the facts were checked), `sources` (the public pages they were taken
from) and `country` (ISO 3166 alpha-2 code of where the company is based, which sets the
language its notice is written in). Those are checked like the rest and stored together in
notice_platforms.facts. An entry with a field the loader does not know is refused, so that a
typo never drops a fact silently."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tipline import directories, nul
from tipline.audit import service as audit
from tipline.errors import BadInput
from tipline.notices.events import NoticeEvent
from tipline.notices.models import NoticePlatform
from tipline.notices.urls import Parsed, parse, web_address

DATA = Path(__file__).with_name("data")
# The companies that exist, each fact with its source and the date it was checked.
PLATFORMS = DATA / "platforms.json"
# Invented companies on .example domains, for tests and the demo.
SAMPLE = DATA / "sample_directory.json"
# An entry that leaves deadline_hours out: what the TAKE IT DOWN Act gives a covered platform.
DEFAULT_DEADLINE_HOURS = 48
# `"deadline_hours": null`: no removal deadline is promised (a search engine, say). The column is
# NOT NULL, so this is stored as 0.
NO_DEADLINE = 0
# When an analyst's request to a site with no deadline is due for another look.
FOLLOW_UP_HOURS = 48
MAX_ENTRIES = 5000
MAX_SOURCES = 50
FIELDS = frozenset(
    {
        "name",
        "domains",
        "report_url",
        "email",
        "api_url",
        "legal_bases",
        "deadline_hours",
        "notes",
        "report_urls",
        "take_it_down",
        "checked",
        "sources",
        "country",
    }
)
FACT_FIELDS = ("report_urls", "take_it_down", "checked", "sources", "country")
_COUNTRY = re.compile(r"[A-Z]{2}")
REPORT_URL_KINDS = ("intimate_images", "child_safety")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_HOST = re.compile(
    r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+"
)


def _refuse(message: str) -> BadInput:
    return BadInput(message, code="bad_directory")


def _https(value: Any, where: str, *, max_length: int = 500) -> str:
    return web_address(value, where, code="bad_directory", max_length=max_length)


def _domain(value: Any, name: str) -> str:
    """A bare lowercase host on the public web: no scheme, path, port or capital letters."""
    text = value if isinstance(value, str) else ""
    parsed = parse(text) if _HOST.fullmatch(text) else None
    if not isinstance(parsed, Parsed) or parsed.host != text:
        raise _refuse(f"{name}: {value!r} is not a bare lowercase domain (like example.com)")
    return text


def _deadline(raw: dict[str, Any], name: str) -> int:
    if "deadline_hours" in raw and raw["deadline_hours"] is None:
        return NO_DEADLINE
    hours = raw.get("deadline_hours", DEFAULT_DEADLINE_HOURS)
    if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= 24 * 90:
        raise _refuse(f"{name}: deadline_hours from 1 to 2160, or null for none")
    return hours


def _facts(raw: dict[str, Any], name: str) -> None:
    """The sourced facts, kept together in one JSON column: checked before they are stored."""
    report_urls = raw.get("report_urls")
    if report_urls is not None:
        if not isinstance(report_urls, dict):
            raise _refuse(f"{name}: report_urls must be an object")
        unknown = sorted(set(report_urls) - set(REPORT_URL_KINDS))
        if unknown:
            raise _refuse(f"{name}: report_urls has unknown kinds {', '.join(unknown)}")
        for kind, url in report_urls.items():
            if url is not None:
                _https(url, f"{name}: report_urls.{kind}")
    take_it_down = raw.get("take_it_down")
    if take_it_down is not None and not isinstance(take_it_down, bool):
        raise _refuse(f"{name}: take_it_down must be true, false or null")
    checked = raw.get("checked")
    if checked is not None:
        text = checked if isinstance(checked, str) else ""
        try:
            valid = _DATE.fullmatch(text) is not None and bool(date.fromisoformat(text))
        except ValueError:
            valid = False
        if not valid:
            raise _refuse(f"{name}: checked must be a date (YYYY-MM-DD), not {checked!r}")
    _country(raw.get("country"), name)
    sources = raw.get("sources")
    if sources is not None:
        if not isinstance(sources, list) or len(sources) > MAX_SOURCES:
            raise _refuse(f"{name}: sources must be a list of at most {MAX_SOURCES} addresses")
        for i, url in enumerate(sources):
            _https(url, f"{name}: sources[{i}]", max_length=2048)


def _country(value: Any, name: str) -> None:
    if value is not None and not (isinstance(value, str) and _COUNTRY.fullmatch(value)):
        raise _refuse(f"{name}: country must be a two-letter ISO code such as US, not {value!r}")


def _valid_entry(raw: Any, index: int) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _refuse(f"entry {index + 1}: not an object")
    if nul.found_in(raw):
        raise _refuse(f"entry {index + 1}: {nul.NOT_ALLOWED}")
    name = str(raw.get("name", "")).strip()
    label = name[:120] if name else f"entry {index + 1}"
    unknown = sorted(str(key) for key in set(raw) - FIELDS)
    if unknown:
        raise _refuse(f"{label}: unknown field {', '.join(repr(k) for k in unknown)}")
    if not name or len(name) > 120:
        raise _refuse(f"entry {index + 1}: a name of 1 to 120 characters")
    domains = raw.get("domains") or []
    if not isinstance(domains, list) or not domains:
        raise _refuse(f"{name}: at least one domain")
    hosts = [_domain(domain, name) for domain in domains]
    for key in ("report_url", "api_url"):
        if raw.get(key) is not None:
            _https(raw[key], f"{name}: {key}")
    email = raw.get("email")
    if email is not None and ("@" not in str(email) or len(str(email)) > 254):
        raise _refuse(f"{name}: {email!r} is not an email address")
    hours = _deadline(raw, name)
    _facts(raw, name)
    return {
        "name": name,
        "domains": sorted(set(hosts)),
        "report_url": raw.get("report_url"),
        "email": email,
        "api_url": raw.get("api_url"),
        "legal_bases": [str(b) for b in raw.get("legal_bases") or []],
        "deadline_hours": hours,
        "notes": str(raw.get("notes") or "")[:1000],
        "facts": {key: raw[key] for key in FACT_FIELDS if raw.get(key) is not None},
    }


def _one_owner_per_domain(db_session: Session, entries: list[dict[str, Any]]) -> None:
    """A host must lead to one company: a domain in two entries, or in this load and in a
    platform already stored under another name, is refused."""
    owner: dict[str, str] = {}
    for entry in entries:
        for domain in entry["domains"]:
            if domain in owner and owner[domain] != entry["name"]:
                raise _refuse(f"{entry['name']}: domain {domain} is also in {owner[domain]}")
            owner[domain] = entry["name"]
    loading = {entry["name"] for entry in entries}
    for platform in db_session.scalars(select(NoticePlatform)):
        if platform.name in loading:
            continue
        for domain in platform.domains:
            if domain in owner:
                raise _refuse(
                    f"{owner[domain]}: domain {domain} already belongs to {platform.name}"
                )


def load(db_session: Session, *, text: str, actor: str) -> int:
    """Add or update platforms from a JSON list (by name); returns how many. Checked whole
    before anything is written: a bad entry changes nothing."""
    raw = directories.parse_list(text, most=MAX_ENTRIES, what="platforms", refuse=_refuse)
    return save(db_session, raw=raw, actor=actor)


def save(db_session: Session, *, raw: list[Any], actor: str) -> int:
    """Add or update platforms (by name) from entries as a directory file holds them."""
    if len(raw) > MAX_ENTRIES:
        raise _refuse(f"a JSON list of at most {MAX_ENTRIES} platforms")
    entries = [_valid_entry(item, i) for i, item in enumerate(raw)]
    _one_owner_per_domain(db_session, entries)
    directories.upsert(db_session, NoticePlatform, "name", entries)
    audit.record(
        db_session,
        actor=actor,
        action=NoticeEvent.DIRECTORY_LOADED,
        subject_type="notice_directory",
        subject_id="directory",
        data={"platforms": len(entries)},
    )
    return len(entries)


def platforms() -> str:
    """The real directory as shipped: what `tipline notices load-directory` loads by default."""
    return PLATFORMS.read_text(encoding="utf-8")


def sample() -> str:
    return SAMPLE.read_text(encoding="utf-8")


class Directory:
    """Host -> platform, by the longest domain that the host is or ends with."""

    def __init__(self, platforms: list[NoticePlatform]) -> None:
        self.by_domain = {d: p for p in platforms for d in p.domains}

    @classmethod
    def current(cls, db_session: Session) -> Directory:
        return cls(list(db_session.scalars(select(NoticePlatform))))

    def find(self, host: str) -> NoticePlatform | None:
        labels = host.split(".")
        for start in range(len(labels) - 1):
            found = self.by_domain.get(".".join(labels[start:]))
            if found is not None:
                return found
        return None


def promised_hours(platform: NoticePlatform | None) -> int | None:
    """The removal deadline a victim's notice may cite: none for a site outside the directory
    (we do not know what binds it) or for a platform entered with no deadline."""
    if platform is None or platform.deadline_hours == NO_DEADLINE:
        return None
    return platform.deadline_hours


def deadline_hours(platform: NoticePlatform | None) -> int:
    """When an analyst's request is overdue: the platform's deadline, else a follow-up time."""
    return promised_hours(platform) or FOLLOW_UP_HOURS


def registrable(host: str) -> str:
    """The domain a site's abuse address is usually at (naive: two labels, three where the
    second-level label is a generic one such as co.uk or com.mx)."""
    labels = host.split(".")
    if len(labels) >= 3 and labels[-2] in {"co", "com", "org", "net", "ac", "gov", "edu"}:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])
