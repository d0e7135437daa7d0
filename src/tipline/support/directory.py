"""The directory of services a family can be referred to: the national lines shipped as data
(`data/national_services.json`, each fact with the page it came from and the date checked) and
local services (counselling, victim advocacy, legal aid) that an administrator adds by region
or loads from a file. The public `/help` page and the advocates search it the same way."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tipline import directories, nul
from tipline.audit import service as audit
from tipline.errors import BadInput
from tipline.notices.urls import web_address
from tipline.support.events import SupportEvent
from tipline.support.models import SupportService
from tipline.support.schemas import REGIONS, ServiceKind

NATIONAL = Path(__file__).with_name("data") / "national_services.json"
SAMPLE_LOCAL = Path(__file__).with_name("data") / "sample_local_services.json"
MAX_ENTRIES = 5000
FIELDS = frozenset(
    {
        "id",
        "name",
        "name_es",
        "kind",
        "description",
        "description_es",
        "phone",
        "sms",
        "sms_keyword",
        "email",
        "url",
        "hours",
        "languages",
        "region",
        "ages",
        "checked",
        "sources",
        "source_kind",
        "notes",
        "active",
    }
)
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{1,63}")
# A phone number as E.164 (+18008435678) or a short code (988, 741741).
_PHONE = re.compile(r"\+[1-9]\d{6,14}|\d{3,6}")
_LANGUAGE = re.compile(r"[a-z]{2}")


def _refuse(message: str) -> BadInput:
    return BadInput(message, code="bad_services")


def _text(raw: dict[str, Any], key: str, name: str, limit: int, *, required: bool = False) -> str:
    value = raw.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str) or len(value) > limit:
        raise _refuse(f"{name}: {key} must be text of at most {limit} characters")
    if required and not value.strip():
        raise _refuse(f"{name}: {key} is required")
    return value.strip()


def _https(
    value: Any, where: str, *, schemes: tuple[str, ...] = ("https",), max_length: int = 500
) -> str:
    """A web address people open (https only, as long as the column holds); a source read may
    be an old http page."""
    return web_address(value, where, code="bad_services", max_length=max_length, schemes=schemes)


def _phone(raw: dict[str, Any], key: str, name: str) -> str | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _PHONE.fullmatch(value):
        raise _refuse(f"{name}: {key} must be +<country><number> (E.164) or a short code")
    return value


def _valid(raw: Any, index: int) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _refuse(f"entry {index + 1}: not an object")
    if nul.found_in(raw):
        raise _refuse(f"entry {index + 1}: {nul.NOT_ALLOWED}")
    slug = raw.get("id")
    name = f"entry {index + 1}" if not isinstance(slug, str) else slug[:64]
    unknown = sorted(str(k) for k in set(raw) - FIELDS)
    if unknown:
        raise _refuse(f"{name}: unknown field {', '.join(repr(k) for k in unknown)}")
    if not isinstance(slug, str) or not _SLUG.fullmatch(slug):
        raise _refuse(f"{name}: id must be 2-64 lowercase letters, digits and dashes")
    kind = raw.get("kind")
    if kind not in {k.value for k in ServiceKind}:
        raise _refuse(f"{name}: kind must be one of {', '.join(k.value for k in ServiceKind)}")
    region = raw.get("region")
    if region is not None and (region not in REGIONS or region in ("US", "other")):
        raise _refuse(f"{name}: region must be a US state code (US-TX) or null for national")
    languages = raw.get("languages") or []
    if not isinstance(languages, list) or not all(
        isinstance(x, str) and _LANGUAGE.fullmatch(x) for x in languages
    ):
        raise _refuse(f"{name}: languages must be a list of two-letter codes (en, es)")
    checked = raw.get("checked")
    try:
        checked_on = date.fromisoformat(checked) if checked is not None else None
    except (TypeError, ValueError):
        raise _refuse(f"{name}: checked must be a date (YYYY-MM-DD)") from None
    sources = raw.get("sources") or []
    if not isinstance(sources, list) or len(sources) > 50:
        raise _refuse(f"{name}: sources must be a list of at most 50 addresses")
    email = raw.get("email")
    if email is not None and (not isinstance(email, str) or "@" not in email or len(email) > 254):
        raise _refuse(f"{name}: {email!r} is not an email address")
    url = raw.get("url")
    entry = {
        "slug": slug,
        "name": _text(raw, "name", name, 160, required=True),
        "name_es": _text(raw, "name_es", name, 160),
        "kind": kind,
        "description": _text(raw, "description", name, 2000),
        "description_es": _text(raw, "description_es", name, 2000),
        "phone": _phone(raw, "phone", name),
        "sms": _phone(raw, "sms", name),
        "sms_keyword": _text(raw, "sms_keyword", name, 32) or None,
        "email": email,
        "url": _https(url, f"{name}: url") if url else None,
        "hours": _text(raw, "hours", name, 200) or None,
        "languages": list(dict.fromkeys(languages)),
        "region": region,
        "ages": _text(raw, "ages", name, 200)[:60],
        "checked": checked_on,
        "sources": [
            _https(s, f"{name}: sources[{i}]", schemes=("http", "https"), max_length=2048)
            for i, s in enumerate(sources)
        ],
        "source_kind": raw.get("source_kind")
        if raw.get("source_kind") in ("own", "secondary")
        else "own",
        "notes": _text(raw, "notes", name, 2000),
        "active": raw.get("active", True) is not False,
    }
    if not (entry["phone"] or entry["sms"] or entry["email"] or entry["url"]):
        raise _refuse(f"{name}: a phone, text number, email or web address to reach it")
    return entry


def save(db_session: Session, *, raw: list[Any], actor: str) -> int:
    """Add or update services (by id); all checked before anything is written."""
    if len(raw) > MAX_ENTRIES:
        raise _refuse(f"a JSON list of at most {MAX_ENTRIES} services")
    entries = [_valid(item, i) for i, item in enumerate(raw)]
    seen: set[str] = set()
    for entry in entries:
        if entry["slug"] in seen:
            raise _refuse(f"{entry['slug']}: the id is in the list twice")
        seen.add(entry["slug"])
    directories.upsert(db_session, SupportService, "slug", entries)
    audit.record(
        db_session,
        actor=actor,
        action=SupportEvent.SERVICES_LOADED,
        subject_type="support_services",
        subject_id="directory",
        data={"services": len(entries)},
    )
    return len(entries)


def load(db_session: Session, *, text: str, actor: str) -> int:
    raw = directories.parse_list(text, most=MAX_ENTRIES, what="services", refuse=_refuse)
    return save(db_session, raw=raw, actor=actor)


def national() -> str:
    return NATIONAL.read_text(encoding="utf-8")


def sample_local() -> str:
    return SAMPLE_LOCAL.read_text(encoding="utf-8")


def ensure_national(db_session: Session, *, actor: str) -> None:
    """Load the shipped national lines if the directory has none yet (a new installation)."""
    if db_session.scalar(select(SupportService.id).where(SupportService.region.is_(None))) is None:
        load(db_session, text=national(), actor=actor)


def search(
    db_session: Session,
    *,
    region: str | None = None,
    language: str | None = None,
    kind: str | None = None,
) -> list[SupportService]:
    """Active services for a place, a language and a kind: the state's own services first,
    then the national ones. Unknown filter values are refused (a 400), not ignored."""
    if region and region not in REGIONS:
        raise BadInput("choose a state from the list", code="bad_region")
    if kind and kind not in {k.value for k in ServiceKind}:
        raise BadInput("choose a kind of service from the list", code="bad_kind")
    if language and not _LANGUAGE.fullmatch(language):
        raise BadInput("choose a language from the list", code="bad_language")
    query = select(SupportService).where(SupportService.active.is_(True))
    if region and region not in ("US", "other"):
        query = query.where(or_(SupportService.region.is_(None), SupportService.region == region))
    else:
        query = query.where(SupportService.region.is_(None))
    if kind:
        query = query.where(SupportService.kind == kind)
    found = list(db_session.scalars(query))
    if language:
        found = [s for s in found if language in (s.languages or [])]
    # The state's own first; then crisis lines before the rest; then by name.
    order = {k.value: i for i, k in enumerate(ServiceKind)}
    found.sort(key=lambda s: (s.region is None, order.get(s.kind, 99), s.name.casefold()))
    return found


def by_id(db_session: Session, *, service_id: str) -> SupportService | None:
    return db_session.get(SupportService, service_id)
