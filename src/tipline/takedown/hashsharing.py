"""NCMEC's Hash Sharing API (v2), served: the XML it speaks and what tipline's list becomes in it.

Platforms already run a client for NCMEC's list: Meta's HMA and python-threatexchange ship one
(`threatexchange.exchanges.clients.ncmec.hash_api`). tipline serves the part of the API that
client uses, under /hashsharing/v2, so that pointing it at tipline is all a platform changes.
The client is the contract; the shapes below are the ones it reads.

What tipline's list becomes. An NCMEC entry is one file with several fingerprints; a tipline
entry is one signal (pdq, vpdq, sha256 or md5), each its own entry with its own id. So:
- a PDQ goes out as an <image> with a <pdq> fingerprint: the exchange reads (image, pdq) as
  PdqSignal, which is how HMA matches photos;
- an MD5 goes out as a <video> with an <md5> fingerprint: the exchange reads only (video, md5),
  as VideoMD5Signal. A victim's browser sends the MD5 of every file, image or video, and the
  entry does not say which. An image's MD5 filed as a video's can only ever equal the bytes of
  that same image file, which a platform does not hash as a video: it costs nothing, while
  filing video MD5s as images' would have the exchange drop every one of them;
- SHA-256 and vPDQ are not shared: NCMEC has no fingerprint of either name (its video hash is
  TMK+PDQF, not vPDQ), so a client would ignore them. The MD5 covers the same exact copies as
  the SHA-256; vPDQ is on tipline's own API (/api/v1/hashlist) and its extension.
Every entry's member is tipline's take-down list (member 1), and a withdrawal or quarantine is a
tombstone (<deletedImage>, <deletedVideo>) with the same member and id as the entry it removes,
stamped with its own time: the exchange keys entries by f"{member}-{id}", so that is what
removes the hash from a platform's copy.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from lxml import etree

from tipline import safexml
from tipline.errors import BadInput, NotFound, TooLarge
from tipline.takedown.service import DEFAULT_LIST, SharedChange, SharedPage
from tipline.takedown.signals import SignalType

NS = "https://hashsharing.ncmec.org/hashsharing/v2"
XML_TYPE = "application/xml; charset=utf-8"
# A feedback submission is a few hundred bytes.
MAX_DOCUMENT_BYTES = 64 * 1024


@dataclass(frozen=True)
class Member:
    id: int
    name: str


# The member every entry comes from: tipline's take-down list.
LIST_MEMBER = Member(1, f"tipline {DEFAULT_LIST}")
# Organisations are keyed by UUID and NCMEC's member ids are integers: a platform's member id
# is read off its UUID (CRC-32: the same in every process and version), above the ids of lists.
_FIRST_PLATFORM_ID = 1000


def member_of(organisation_id: str, name: str) -> Member:
    return Member(_FIRST_PLATFORM_ID + zlib.crc32(organisation_id.encode()) % 10**9, name)


# tipline's signal -> the NCMEC entry type and fingerprint name it goes out as (see above).
ENTRY_FORM = {SignalType.PDQ.value: ("image", "pdq"), SignalType.MD5.value: ("video", "md5")}
# The feedback types of the API's paths (the client's FingerprintType values) -> tipline's.
FEEDBACK_TYPES = {"PDQ": SignalType.PDQ.value, "MD5": SignalType.MD5.value}


@dataclass(frozen=True)
class Reason:
    guid: str
    name: str


# The one reason to vote an entry down: it matched something that is not the victim's image or
# video. One reason per type, so the client picks it by itself when given none. The GUIDs are a
# public contract (clients may store them): uuid5 of
# https://tipline.invalid/hashsharing/v2/feedback/{TYPE}/reasons/false-positive.
_NOT_THIS = "False positive: not the victim's image or video"
REASONS = {
    "PDQ": (Reason("dbbc9e39-e5f8-594f-94a1-032b669886ee", _NOT_THIS),),
    "MD5": (Reason("92efb51f-0a20-5666-a855-55f258ff8f3a", _NOT_THIS),),
}


def feedback_type(name: str) -> str:
    """The API's name of a fingerprint type (PDQ, MD5, ...), checked: a 404 for any tipline
    does not share."""
    upper = name.upper()
    if upper not in FEEDBACK_TYPES:
        shared = " and ".join(FEEDBACK_TYPES)
        raise NotFound(
            f"tipline shares no {name[:20]} fingerprints; it shares {shared}",
            code="unknown_fingerprint_type",
        )
    return upper


# Timestamps ---------------------------------------------------------------------------------
#
# In UTC, to the second. The client sends `from` and `to` as "%Y-%m-%dT%H:%M:%SZ" and NCMEC's
# own paging URLs carry them as ".000Z"; both are read, and a fraction of a second is dropped.
# `maxTimestamp` goes out without milliseconds: the client parses it with that exact format.
#
# The client's `_date_format` writes a timestamp with datetime.fromtimestamp(), which is the
# local time of the machine it runs on, and then appends a literal Z. A local time looks exactly
# like a UTC one, so the server reads what the Z says, and can do only this much about it:
# - it never refuses a `to` in the future (what a client east of UTC sends) nor a `from` before
#   1970 (a client west of UTC starting from 0 sends 1969-12-31T19:00:00Z);
# - windows include both ends, to the second, so that one window ending where the next begins
#   overlaps it by a second (an entry twice is harmless to the client; a gap is not);
# - paging URLs carry `from` and `to` themselves, so every page is of the same window.
# A client west of UTC (the Americas) asks for windows that end hours in the past: its entries
# arrive that many hours late, but they arrive, since each window starts where the last one
# ended. A client east of UTC would ask for windows that start hours after its last fetch, and
# whatever is added or withdrawn in those hours (a victim's withdrawal too) would never reach
# it. That one the server can see: its `to` is the client's clock (less the exchange's 5 s), so
# a `to` ahead of the server's clock by more than a minute and at most 14 hours (the largest UTC
# offset) is a local time; the lead, to the quarter hour, is the client's offset, and the window
# is read back in UTC (`client_offset`). A client west of UTC cannot be told from one asking for
# an older window, so the remedy stays on the client's side: run it with TZ=UTC.

_TIMESTAMP = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d{1,6})?Z")
_LATEST = datetime.max.replace(microsecond=0, tzinfo=UTC)


def parse_timestamp(value: str, *, name: str) -> datetime:
    match = _TIMESTAMP.fullmatch(value)
    when = None
    if match:
        try:
            when = datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
        except ValueError:
            when = None
    if when is None:
        raise BadInput(
            f"{name} is a UTC time such as 2024-01-31T23:59:59Z or 2024-01-31T23:59:59.000Z",
            code="invalid_timestamp",
        )
    return when


_MAX_OFFSET = timedelta(hours=14)
_QUARTER_HOUR = timedelta(minutes=15)


def client_offset(to: datetime, *, now: datetime) -> timedelta:
    """How far east of UTC a client's clock is, read from a `to` ahead of the server's clock
    (see above); zero for a `to` that is not."""
    lead = to - now
    if lead <= timedelta(minutes=1) or lead > _MAX_OFFSET + timedelta(minutes=1):
        return timedelta(0)
    return round(lead / _QUARTER_HOUR) * _QUARTER_HOUR


def window_end(to: datetime) -> datetime:
    """The first instant after the second `to`: the window includes every change stamped in it."""
    return to + timedelta(seconds=1) if to < _LATEST else _LATEST.replace(microsecond=999_999)


def timestamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _query_timestamp(when: datetime) -> str:
    # As NCMEC writes them in its own paging URLs.
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def next_path(*, since: datetime, to: datetime, start: int, size: int, newest: int) -> str:
    """The next page, as a path the client appends to its base URL (".../hashsharing")."""
    query = {
        "from": _query_timestamp(since),
        "to": _query_timestamp(to),
        "start": start,
        "size": size,
        "max": newest,
    }
    return f"/v2/entries?{urlencode(query)}"


# Documents out ------------------------------------------------------------------------------


def _root(name: str) -> etree._Element:
    return etree.Element(f"{{{NS}}}{name}", nsmap={None: NS})


def _add(
    parent: etree._Element, tag: str, text: str | None = None, /, **attrs: str
) -> etree._Element:
    # Positional-only: an attribute may be called `name` (a feedback reason's is).
    element = etree.SubElement(parent, f"{{{NS}}}{tag}", attrib=attrs)
    if text is not None:
        element.text = text
    return element


def _document(root: etree._Element) -> bytes:
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return out


def status(*, member: Member, username: str, address: str) -> bytes:
    """Who the caller is: the client reads <member id>name</member>."""
    root = _root("status")
    _add(root, "ipAddress", address)
    _add(root, "username", username)
    _add(root, "member", member.name, id=str(member.id))
    return _document(root)


def members(listed: list[Member]) -> bytes:
    root = _root("members")
    for member in listed:
        _add(root, "member", member.name, id=str(member.id))
    return _document(root)


def reasons(kind: str) -> bytes:
    root = _root("feedbackReasons")
    available = _add(root, "availableFeedbackReasons")
    for reason in REASONS[kind]:
        _add(available, "reason", guid=reason.guid, name=reason.name, type=kind.capitalize())
    return _document(root)


def query_result(page: SharedPage, *, next_url: str | None) -> bytes:
    """One page of entries: <images> and <videos>, each with its count and newest timestamp
    (a section with nothing in it is left out, as NCMEC does), then <paging><next>."""
    root = _root("queryResult")
    sections: dict[str, list[SharedChange]] = {"image": [], "video": []}
    for change in page.changes:
        sections[ENTRY_FORM[change.signal_type][0]].append(change)
    for kind, changes in sections.items():
        if not changes:
            continue
        section = _add(
            root,
            f"{kind}s",
            count=str(len(changes)),
            maxTimestamp=timestamp(max(change.at for change in changes)),
        )
        for change in changes:
            _entry(section, kind, change)
    if next_url:
        _add(_add(root, "paging"), "next", next_url)
    return _document(root)


def _entry(section: etree._Element, kind: str, change: SharedChange) -> None:
    item = _add(section, f"deleted{kind.capitalize()}" if change.removed else kind)
    _add(item, "member", LIST_MEMBER.name, id=str(LIST_MEMBER.id))
    _add(item, "timestamp", timestamp(change.at))
    _add(item, "id", str(change.entry_id))
    if not change.removed:
        _add(_add(item, "fingerprints"), ENTRY_FORM[change.signal_type][1], change.value)


def submission_result(*, recorded: bool) -> bytes:
    # NCMEC does not document its answer and the client reads only the status.
    root = _root("submissionResult")
    _add(root, "recorded", "true" if recorded else "false")
    return _document(root)


def error(status_code: int, message: str) -> bytes:
    root = _root("error")
    _add(root, "status", str(status_code))
    _add(root, "message", message)
    return _document(root)


# Documents in -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Vote:
    """A <feedbackSubmission>: affirmative, or negative with the reasons' GUIDs."""

    affirmative: bool
    reason_ids: tuple[str, ...] = ()


def _name(element: etree._Element) -> str | None:
    """The element's local name, if it is in NCMEC's namespace or none; None otherwise."""
    qname = etree.QName(element)
    return qname.localname if qname.namespace in (None, NS) else None


def parse_vote(document: bytes) -> Vote:
    if len(document) > MAX_DOCUMENT_BYTES:
        raise TooLarge(f"a feedback submission is at most {MAX_DOCUMENT_BYTES} bytes")
    try:
        root = etree.fromstring(document, parser=safexml.parser()) if document.strip() else None
    except etree.XMLSyntaxError as exc:
        raise BadInput(f"malformed XML: {exc.msg}", code="malformed_xml") from None
    if root is None or root.getroottree().docinfo.doctype:
        raise BadInput("send a <feedbackSubmission> document", code="malformed_xml")
    votes = [child for child in root if isinstance(child.tag, str)]
    names = [_name(child) for child in votes]
    if _name(root) != "feedbackSubmission" or names not in (["affirmative"], ["negative"]):
        raise BadInput(
            "a <feedbackSubmission> holds one <affirmative/> or one <negative>",
            code="invalid_feedback",
        )
    if names == ["affirmative"]:
        return Vote(affirmative=True)
    guids = tuple(
        (guid.text or "").strip()
        for ids in votes[0]
        if _name(ids) == "reasonIds"
        for guid in ids
        if _name(guid) == "guid"
    )
    if not guids:
        raise BadInput(
            "a <negative> vote names its reason: <reasonIds><guid>...</guid></reasonIds>",
            code="no_reason",
        )
    return Vote(affirmative=False, reason_ids=guids)


def reason_names(kind: str, guids: tuple[str, ...]) -> list[str]:
    """The names of the reasons a negative vote gives; a 400 for a GUID not offered for `kind`."""
    offered = {reason.guid: reason.name for reason in REASONS[kind]}
    unknown = [guid for guid in guids if guid.lower() not in offered]
    if unknown:
        raise BadInput(
            f"{unknown[0][:40]!r} is not a {kind} feedback reason: see /v2/feedback/{kind}/reasons",
            code="unknown_reason",
        )
    return list(dict.fromkeys(offered[guid.lower()] for guid in guids))
