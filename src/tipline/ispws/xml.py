"""Reading and writing CyberTipline XML safely.

No entities are expanded, no DTD is read or allowed, nothing is fetched from the network, and the
document size is capped before parsing. Validation is against tipline's own XSD (report.xsd).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

from tipline import safexml
from tipline.ispws.codes import DESCRIPTIONS, Code, IspwsError

SCHEMA_PATH = Path(__file__).with_name("report.xsd")
MAX_DOCUMENT_BYTES = 1024 * 1024
# Elements that may repeat: they always become lists, so a document maps to one shape.
REPEATING = {
    "internetDetails",
    "url",
    "emailAddress",
    "phone",
    "email",
    "address",
    "ipCaptureEvent",
    "espIdentifier",
    "screenName",
    "displayName",
    "profileUrl",
    "deviceId",
    "priorCTReports",
    "groupIdentifier",
    "personOrUserReported",
    "intendedRecipient",
    "victim",
    "originalFileHash",
    "details",
    "nameValuePair",
}


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH), parser=safexml.parser()))


def parse(document: bytes, *, root: str) -> etree._Element:
    """Parse and validate one document whose root must be `root`; raises IspwsError."""
    if len(document) > MAX_DOCUMENT_BYTES:
        raise IspwsError(Code.INVALID_REQUEST, f"document over {MAX_DOCUMENT_BYTES} bytes")
    if not document.strip():
        raise IspwsError(Code.MALFORMED_XML, "empty document")
    try:
        tree = etree.fromstring(document, parser=safexml.parser())
    except etree.XMLSyntaxError as exc:
        raise IspwsError(Code.MALFORMED_XML, f"malformed XML: {exc.msg}") from None
    doctype = tree.getroottree().docinfo.doctype
    if doctype:
        raise IspwsError(Code.MALFORMED_XML, "a DOCTYPE is not allowed")
    if tree.tag != root:
        raise IspwsError(Code.VALIDATION_FAILED, f"expected a <{root}> document")
    validator = schema()
    if not validator.validate(tree):
        error = validator.error_log.last_error
        where = f"line {error.line}: " if error is not None else ""
        message = error.message if error is not None else "invalid document"
        raise IspwsError(Code.VALIDATION_FAILED, f"{where}{message}")
    return tree


def document_text(document: bytes, tree: etree._Element) -> str:
    """A parsed document as text, to keep as filed.

    Most come in UTF-8 and are kept byte for byte. Any other encoding is kept as the parser read
    it: UTF-16 read as UTF-8 is half NULs, which PostgreSQL's text cannot hold (and no XML
    document has a NUL of its own).
    """
    try:
        text: str | None = document.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and "\x00" not in text:
        return text
    return str(etree.tostring(tree.getroottree(), encoding="unicode"))


_YEAR = re.compile(r"\s*(-?[0-9]+)-")
_END_OF_DAY = re.compile(r"T24:00:00(?:\.0+)?")


def date_time(value: str) -> datetime:
    """An xs:dateTime the schema admitted, as a datetime (in UTC where it names no zone).

    The schema admits more than datetime holds: 24:00:00, the end of a day, is midnight of the
    next; a year before 1 or after 9999 raises ValueError, saying which.
    """
    year = _YEAR.match(value)
    digits = year.group(1) if year else "1"
    if len(digits) > 5 or not 1 <= int(digits) <= 9999:
        raise ValueError("is before the year 1" if digits[0] in "-0" else "is after the year 9999")
    text, ends_day = _END_OF_DAY.subn("T00:00:00", value.strip())
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00")) + timedelta(days=ends_day)
    except OverflowError:
        raise ValueError("is after the year 9999") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def to_data(element: etree._Element) -> Any:
    """An element as plain data: text for leaves, dicts for parents, lists for repeats.

    Attributes go under "@name"; an empty element is True (a flag such as <sextortion/>).
    """
    children = list(element)
    if not children:
        text = (element.text or "").strip()
        if element.attrib:
            data: dict[str, Any] = {f"@{k}": v for k, v in element.attrib.items()}
            data["#text"] = text
            return data
        return text if text else True
    out: dict[str, Any] = {f"@{k}": v for k, v in element.attrib.items()}
    for child in children:
        tag = str(child.tag)
        value = to_data(child)
        if tag in REPEATING or (tag == "additionalInfo" and element.tag == "fileDetails"):
            out.setdefault(tag, []).append(value)
        else:
            out[tag] = value
    return out


def text_of(value: Any) -> str | None:
    """The text of a leaf, whether plain or carrying attributes."""
    if isinstance(value, dict):
        return str(value.get("#text") or "") or None
    if value is True or value is None:
        return None
    return str(value)


def response(
    code: Code,
    *,
    root: str = "reportResponse",
    detail: str | None = None,
    fields: dict[str, Any] | None = None,
) -> bytes:
    """A response document in NCMEC's documented shape: `reportResponse` is responseCode,
    responseDescription, then the call's fields (reportId; fileId and hash for an upload);
    `reportDoneResponse` (finish) is responseCode, reportId, files and nothing else, not even a
    description. Strict XML bindings read the elements in this order and refuse others."""
    top = etree.Element(root)
    etree.SubElement(top, "responseCode").text = str(int(code))
    if root != "reportDoneResponse":
        etree.SubElement(top, "responseDescription").text = detail or DESCRIPTIONS[code]
    for name, value in (fields or {}).items():
        if isinstance(value, list):
            holder = etree.SubElement(top, name)
            for item_name, item_value in value:
                etree.SubElement(holder, item_name).text = str(item_value)
        elif value is not None:
            etree.SubElement(top, name).text = str(value)
    return bytes(etree.tostring(top, xml_declaration=True, encoding="UTF-8"))
