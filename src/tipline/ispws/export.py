"""Writing a tipline report as a CyberTipline `<report>` document.

A report filed through /ispws is written back as it was filed. Any other report (the public
form, the detector) is written from tipline's model, in the schema's order, so that a hotline
can forward it upstream.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from tipline.ispws import xml
from tipline.reports.models import Report
from tipline.reports.schemas import INCIDENT_TYPE_LABELS, IncidentType

_ANNOTATION_ORDER = [
    "sextortion",
    "csamSolicitation",
    "minorToMinorInteraction",
    "spam",
    "sadisticOnlineExploitation",
    "informational",
]
MAX_TEXT = 3000


def from_data(tag: str, data: Any) -> etree._Element:
    """The inverse of xml.to_data: dicts keep their (schema) order, lists repeat, True is empty."""
    element = etree.Element(tag)
    _fill(element, data)
    return element


def _fill(element: etree._Element, data: Any) -> None:
    if data is True:
        return
    if isinstance(data, dict):
        for key, value in data.items():
            if key.startswith("@"):
                element.set(key[1:], str(value))
            elif key == "#text":
                element.text = str(value)
            else:
                for item in value if isinstance(value, list) else [value]:
                    child = etree.SubElement(element, key)
                    _fill(child, item)
        return
    element.text = str(data)


def to_xml(data: dict[str, Any], root: str = "report") -> bytes:
    return bytes(etree.tostring(from_data(root, data), xml_declaration=True, encoding="UTF-8"))


def _clip(text: str | None) -> str | None:
    return text[:MAX_TEXT] if text else None


def _drop_empty(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v not in (None, [], {}, "")}


def document_for(report: Report) -> dict[str, Any]:
    filed = (report.extra or {}).get("cybertipline")
    if filed:
        return dict(filed)
    annotations = set(report.annotations or [])
    if report.sextortion:
        annotations.add("sextortion")
    if report.minor_to_minor:
        annotations.add("minorToMinorInteraction")
    when = (
        report.incident_date.isoformat() + "T00:00:00Z"
        if report.incident_date
        else (report.received_at.isoformat())
    )
    summary = _drop_empty(
        {
            "incidentType": INCIDENT_TYPE_LABELS[IncidentType(report.incident_type)],
            "escalateToHighPriority": "Child in imminent danger or at risk of self-harm"
            if report.child_in_danger or report.self_harm_risk
            else None,
            "reportAnnotations": {a: True for a in _ANNOTATION_ORDER if a in annotations},
            "incidentDateTime": when,
        }
    )
    contact = next((p for p in report.people if p.role == "reporter"), None)
    reporting = _drop_empty(
        {
            "firstName": contact.name if contact else None,
            "email": [contact.email] if contact and contact.email else [],
        }
    ) or {"firstName": "tipline public report"}
    suspects = [
        _drop_empty(
            {
                "espService": a.platform,
                "screenName": [a.handle] if a.handle else [],
                "displayName": [a.display_name] if a.display_name else [],
                "profileUrl": [a.profile_url] if a.profile_url else [],
            }
        )
        for a in report.accounts
        if a.role == "suspect"
    ]
    victims = [
        _drop_empty({"victimPerson": _drop_empty({"age": p.age}) or None})
        for p in report.people
        if p.role == "victim"
    ]
    return _drop_empty(
        {
            "incidentSummary": summary,
            "reporter": {"reportingPerson": reporting},
            "personOrUserReported": [s for s in suspects if s],
            "victim": [v for v in victims if v],
            "additionalInfo": _clip(report.description),
        }
    )


def export_xml(report: Report) -> bytes:
    """The report as a document that validates against /ispws/xsd."""
    document = to_xml(document_for(report))
    xml.parse(document, root="report")  # never hand out a document our own schema refuses
    return document
