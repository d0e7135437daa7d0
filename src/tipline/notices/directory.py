"""The platform directory: loading it, and finding the platform a URL belongs to."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tipline import nul
from tipline.audit import service as audit
from tipline.db import utcnow
from tipline.errors import BadInput
from tipline.notices.events import NoticeEvent
from tipline.notices.models import NoticePlatform
from tipline.notices.urls import Parsed, parse

SAMPLE = Path(__file__).with_name("data") / "sample_directory.json"
# A site not in the directory: the deadline the TAKE IT DOWN Act gives a covered platform.
UNKNOWN_DEADLINE_HOURS = 48
MAX_ENTRIES = 5000


def _valid_entry(raw: Any, index: int) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise BadInput(f"entry {index + 1}: not an object", code="bad_directory")
    if nul.found_in(raw):
        raise BadInput(f"entry {index + 1}: {nul.NOT_ALLOWED}", code="bad_directory")
    name = str(raw.get("name", "")).strip()
    if not name or len(name) > 120:
        raise BadInput(f"entry {index + 1}: a name of 1 to 120 characters", code="bad_directory")
    domains = raw.get("domains") or []
    if not isinstance(domains, list) or not domains:
        raise BadInput(f"{name}: at least one domain", code="bad_directory")
    hosts = []
    for domain in domains:
        parsed = parse(str(domain))
        if not isinstance(parsed, Parsed):
            raise BadInput(f"{name}: {domain!r} is not a domain", code="bad_directory")
        hosts.append(parsed.host)
    for key in ("report_url", "api_url"):
        value = raw.get(key)
        if value is not None and not str(value).startswith("https://"):
            raise BadInput(f"{name}: {key} must be an https:// address", code="bad_directory")
    email = raw.get("email")
    if email is not None and ("@" not in str(email) or len(str(email)) > 254):
        raise BadInput(f"{name}: {email!r} is not an email address", code="bad_directory")
    hours = raw.get("deadline_hours", UNKNOWN_DEADLINE_HOURS)
    if not isinstance(hours, int) or not 1 <= hours <= 24 * 90:
        raise BadInput(f"{name}: deadline_hours from 1 to 2160", code="bad_directory")
    return {
        "name": name,
        "domains": sorted(set(hosts)),
        "report_url": raw.get("report_url"),
        "email": email,
        "api_url": raw.get("api_url"),
        "legal_bases": [str(b) for b in raw.get("legal_bases") or []],
        "deadline_hours": hours,
        "notes": str(raw.get("notes") or "")[:1000],
    }


def load(db_session: Session, *, text: str, actor: str) -> int:
    """Add or update platforms from a JSON list (by name); returns how many. Checked whole
    before anything is written: a bad entry changes nothing."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(f"not JSON: {exc.msg} at line {exc.lineno}", code="bad_directory") from None
    if not isinstance(raw, list):
        raise BadInput(f"a JSON list of at most {MAX_ENTRIES} platforms", code="bad_directory")
    return save(db_session, raw=raw, actor=actor)


def save(db_session: Session, *, raw: list[Any], actor: str) -> int:
    """Add or update platforms (by name) from entries as a directory file holds them."""
    if len(raw) > MAX_ENTRIES:
        raise BadInput(f"a JSON list of at most {MAX_ENTRIES} platforms", code="bad_directory")
    entries = [_valid_entry(item, i) for i, item in enumerate(raw)]
    existing = {p.name: p for p in db_session.scalars(select(NoticePlatform))}
    for entry in entries:
        platform = existing.get(entry["name"]) or NoticePlatform(name=entry["name"])
        for key, value in entry.items():
            setattr(platform, key, value)
        platform.updated_at = utcnow()
        db_session.add(platform)
    audit.record(
        db_session,
        actor=actor,
        action=NoticeEvent.DIRECTORY_LOADED,
        subject_type="notice_directory",
        subject_id="directory",
        data={"platforms": len(entries)},
    )
    return len(entries)


def sample() -> str:
    return SAMPLE.read_text()


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


def deadline_hours(platform: NoticePlatform | None) -> int:
    return platform.deadline_hours if platform else UNKNOWN_DEADLINE_HOURS


def registrable(host: str) -> str:
    """The domain a site's abuse address is usually at (naive: two labels, three where the
    second-level label is a generic one such as co.uk or com.mx)."""
    labels = host.split(".")
    if len(labels) >= 3 and labels[-2] in {"co", "com", "org", "net", "ac", "gov", "edu"}:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])
