"""Everything an online service sent with a report, for the people who read it.

A CyberTipline document is kept whole, as the service filed it, in the report's `extra`
(`cybertipline`), with the details it gave of each file through /fileinfo
(`cybertipline_files`). tipline's own columns hold what review and routing use; they are not
the whole of it. What is here turns the kept document into what a person reads, in the console,
`tipline reports show` and the agency's package: the IP capture events as a table (the first
thing an investigator asks for), the files' details, and every other field as a labelled line,
so that nothing the service sent is kept out of sight.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

# Words the schema writes in camelCase that read as letters.
_LETTERS = {"ip": "IP", "esp": "ESP", "url": "URL", "im": "IM", "id": "ID", "md5": "MD5"}
_NAMES = {
    "personOrUserReported": "Reported person or user",
    "ipCaptureEvent": "IP capture event",
    "espIdentifier": "ESP identifier",
    "espService": "ESP service",
    "escalateToHighPriority": "Escalate to high priority",
    "incidentDateTime": "Incident date and time",
}
_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?=[A-Z][a-z]|\b|[0-9])")


def label(name: str) -> str:
    """`ipCaptureEvent` -> `IP capture event`: the schema's names, as words."""
    if name in _NAMES:
        return _NAMES[name]
    if name.startswith("@"):
        return label(name[1:])
    words = [_LETTERS.get(w.lower(), w.lower()) for w in _WORD.findall(name)] or [name]
    first = words[0]
    return " ".join([first[:1].upper() + first[1:], *words[1:]])


def _text(value: Any) -> str:
    if value is True:
        return "yes"
    if isinstance(value, dict):
        attrs = ", ".join(f"{label(k)} {v}" for k, v in value.items() if k.startswith("@"))
        text = str(value.get("#text", ""))
        return f"{text} ({attrs})" if attrs else text
    return str(value)


def _is_leaf(value: Any) -> bool:
    return not isinstance(value, dict) or "#text" in value


def lines(value: Any, path: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """Every value in the document with where it sits, in the order the service wrote it:
    (`Reported person or user 1 > IP capture event 2 > IP address`, `192.0.2.10`)."""
    if _is_leaf(value):
        return [(" > ".join(path), _text(value))]
    out: list[tuple[str, str]] = []
    for key, child in value.items():
        if isinstance(child, list):
            for number, item in enumerate(child, 1):
                out += lines(item, (*path, _place(key, number, len(child))))
        elif key.startswith("@"):
            out.append((" > ".join((*path, label(key))), str(child)))
        else:
            out += lines(child, (*path, label(key)))
    return out


def capture_events(document: Any, who: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every IP capture event in a CyberTipline document, however nested, with whose it is
    (`Reported person or user 2`). Routing reads the addresses; people read the table."""
    if not isinstance(document, dict):
        return
    for key, child in document.items():
        if key == "ipCaptureEvent":
            for item in child if isinstance(child, list) else [child]:
                yield who, item if isinstance(item, dict) else {}
        elif isinstance(child, list):
            for number, item in enumerate(child, 1):
                yield from capture_events(item, _within(who, _place(key, number, len(child))))
        elif isinstance(child, dict) and not _is_leaf(child):
            yield from capture_events(child, _within(who, label(key)))


def _place(key: str, number: int, count: int) -> str:
    """A repeated element is numbered; one that stands alone is not."""
    return f"{label(key)} {number}" if count > 1 else label(key)


def _within(who: str, where: str) -> str:
    return f"{who} > {where}" if who else where


def _plain(value: Any) -> str | None:
    if value is None:
        return None
    return _text(value)


def ip_events(extra: dict[str, Any]) -> list[dict[str, Any]]:
    """Every IP capture event in the document and the files' details, with whose it is."""
    found = list(capture_events(extra.get("cybertipline")))
    for number, details in enumerate(extra.get("cybertipline_files") or [], 1):
        found += capture_events(details, f"File {number}")
    return [
        {
            "who": who,
            "ip_address": _plain(event.get("ipAddress")),
            "event": _plain(event.get("eventName")),
            "date_time": _plain(event.get("dateTime")),
            "port": _plain(event.get("port")),
            "possible_proxy": _plain(event.get("possibleProxy")),
        }
        for who, event in found
    ]


def as_filed(extra: dict[str, Any]) -> dict[str, Any] | None:
    """What the console, the CLI and the package show of a service's filing; None when the
    report did not come from one."""
    document = extra.get("cybertipline")
    if not isinstance(document, dict):
        return None
    return {
        "escalate_to_high_priority": extra.get("escalation_reason"),
        "ip_events": ip_events(extra),
        "files": [
            {"file": number, "fields": [{"field": f, "value": v} for f, v in lines(details)]}
            for number, details in enumerate(extra.get("cybertipline_files") or [], 1)
        ],
        "fields": [{"field": f, "value": v} for f, v in lines(document)],
    }
