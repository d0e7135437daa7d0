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
                where = f"{label(key)} {number}" if len(child) > 1 else label(key)
                out += lines(item, (*path, where))
        elif key.startswith("@"):
            out.append((" > ".join((*path, label(key))), str(child)))
        else:
            out += lines(child, (*path, label(key)))
    return out


def _events(holder: Any, who: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(holder, dict):
        for key, child in holder.items():
            if key == "ipCaptureEvent" and isinstance(child, list):
                for item in child:
                    event = item if isinstance(item, dict) else {}
                    found.append(
                        {
                            "who": who,
                            "ip_address": _plain(event.get("ipAddress")),
                            "event": _plain(event.get("eventName")),
                            "date_time": _plain(event.get("dateTime")),
                            "port": _plain(event.get("port")),
                            "possible_proxy": _plain(event.get("possibleProxy")),
                        }
                    )
            elif isinstance(child, list):
                for number, item in enumerate(child, 1):
                    where = f"{label(key)} {number}" if len(child) > 1 else label(key)
                    found += _events(item, f"{who} > {where}" if who else where)
            elif isinstance(child, dict) and not _is_leaf(child):
                found += _events(child, f"{who} > {label(key)}" if who else label(key))
    return found


def _plain(value: Any) -> str | None:
    if value is None:
        return None
    return _text(value)


def ip_events(extra: dict[str, Any]) -> list[dict[str, Any]]:
    """Every IP capture event in the document and the files' details, with whose it is."""
    events = _events(extra.get("cybertipline") or {}, "")
    for number, details in enumerate(extra.get("cybertipline_files") or [], 1):
        events += _events(details, f"File {number}")
    return events


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
