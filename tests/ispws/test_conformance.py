"""Every /ispws answer, bound as a strict client binds it: the elements of NCMEC's documented
response for that call, in that order, and nothing else.

The schema below is written from NCMEC's public Reporting API documentation (the response
examples for each call), not from tipline's serializer: a client generated from it (JAXB, xsdata,
a hand-written reader that walks elements in order) refuses an element it does not know or one
out of place. Each call is driven to success and to every error code it can give.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from lxml import etree

from accounts import make_org
from media import encode, synthetic_image
from tipline.db import Database

_DOCUMENTED = b"""<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:element name="reportResponse">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="responseCode" type="xs:int"/>
        <xs:element name="responseDescription" type="xs:string"/>
        <xs:element name="reportId" type="xs:long" minOccurs="0"/>
        <xs:element name="fileId" type="xs:string" minOccurs="0"/>
        <xs:element name="hash" type="xs:string" minOccurs="0"/>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
  <xs:element name="reportDoneResponse">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="responseCode" type="xs:int"/>
        <xs:element name="reportId" type="xs:long" minOccurs="0"/>
        <xs:element name="files" minOccurs="0">
          <xs:complexType>
            <xs:sequence>
              <xs:element name="fileId" type="xs:string" minOccurs="0" maxOccurs="unbounded"/>
            </xs:sequence>
          </xs:complexType>
        </xs:element>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
</xs:schema>
"""
SCHEMA = etree.XMLSchema(etree.fromstring(_DOCUMENTED))

# The call's elements, in order, by outcome: what a binding generated for that call expects.
SHAPES = {
    "status": ("reportResponse", ["responseCode", "responseDescription"]),
    "submit": ("reportResponse", ["responseCode", "responseDescription", "reportId"]),
    "upload": (
        "reportResponse",
        ["responseCode", "responseDescription", "reportId", "fileId", "hash"],
    ),
    "fileinfo": ("reportResponse", ["responseCode", "responseDescription", "reportId"]),
    "finish": ("reportDoneResponse", ["responseCode", "reportId", "files"]),
    "retract": ("reportResponse", ["responseCode", "responseDescription", "reportId"]),
    # Errors: the code and its description, and the report the request named when it named one
    # that a binding can hold; `finish` has no description in any answer.
    "error": ("reportResponse", ["responseCode", "responseDescription"]),
    "error_about_report": ("reportResponse", ["responseCode", "responseDescription", "reportId"]),
    "finish_error": ("reportDoneResponse", ["responseCode"]),
    "finish_error_about_report": ("reportDoneResponse", ["responseCode", "reportId"]),
}

REPORT = b"""<?xml version="1.0" encoding="UTF-8"?>
<report>
  <incidentSummary>
    <incidentType>Online Enticement of Children for Sexual Acts</incidentType>
    <incidentDateTime>2026-11-20T21:15:00Z</incidentDateTime>
  </incidentSummary>
  <reporter>
    <reportingPerson>
      <email>tns@esp.example</email>
    </reportingPerson>
  </reporter>
</report>
"""


def _fileinfo(report_id: str, file_id: str) -> bytes:
    return (
        f"<fileDetails><reportId>{report_id}</reportId><fileId>{file_id}</fileId>"
        "<originalFileName>a.png</originalFileName></fileDetails>"
    ).encode()


def bound(response: httpx.Response, shape: str, code: int) -> dict[str, Any]:
    """Bind the answer strictly; returns its fields by name, as a generated binding would."""
    assert response.headers["content-type"].startswith("text/xml"), response.text
    root = etree.fromstring(response.content)
    if not SCHEMA.validate(root):
        pytest.fail(f"{shape}: not NCMEC's documented shape: {SCHEMA.error_log}\n{response.text}")
    name, children = SHAPES[shape]
    assert root.tag == name, response.text
    assert [c.tag for c in root] == children, f"{shape}: {response.text}"
    assert int(root.findtext("responseCode") or "-1") == code, response.text
    return {c.tag: c.text for c in root}


@pytest.fixture
def client(live_server: str, database: Database) -> Iterator[httpx.Client]:
    creds = make_org(database, "esp", "Conformance ESP")
    auth = (creds.ispws_username or "", creds.ispws_password or "")
    with httpx.Client(base_url=f"{live_server}/ispws", auth=auth, timeout=30) as c:
        yield c


def _submit(client: httpx.Client, document: bytes = REPORT) -> httpx.Response:
    return client.post("/submit", content=document, headers={"Content-Type": "text/xml"})


def _upload(client: httpx.Client, report_id: str, data: bytes | None = None) -> httpx.Response:
    png = encode(synthetic_image(3), "PNG") if data is None else data
    return client.post("/upload", data={"id": report_id}, files={"file": ("a.png", png)})


def test_every_call_succeeds_in_its_documented_shape(client: httpx.Client) -> None:
    bound(client.get("/status"), "status", 0)
    report_id = bound(_submit(client), "submit", 0)["reportId"]
    uploaded = bound(_upload(client, report_id), "upload", 0)
    assert uploaded["reportId"] == report_id
    assert len(uploaded["hash"] or "") == 32  # MD5, as NCMEC answers it
    details = bound(
        client.post("/fileinfo", content=_fileinfo(report_id, uploaded["fileId"] or "")),
        "fileinfo",
        0,
    )
    assert details["reportId"] == report_id
    done = client.post("/finish", data={"id": report_id})
    assert bound(done, "finish", 0)["reportId"] == report_id
    files = etree.fromstring(done.content).find("files")
    assert files is not None
    assert [f.text for f in files] == [uploaded["fileId"]]
    other = bound(_submit(client), "submit", 0)["reportId"]
    assert bound(client.post("/retract", data={"id": other}), "retract", 0)["reportId"] == other


def test_finish_answers_every_error_in_its_own_shape(client: httpx.Client) -> None:
    report_id = bound(_submit(client), "submit", 0)["reportId"]
    bound(client.post("/finish", data={"id": report_id}), "finish", 0)
    again = bound(client.post("/finish", data={"id": report_id}), "finish_error_about_report", 5102)
    assert again["reportId"] == report_id
    retracted = bound(_submit(client), "submit", 0)["reportId"]
    bound(client.post("/retract", data={"id": retracted}), "retract", 0)
    gone = bound(client.post("/finish", data={"id": retracted}), "finish_error_about_report", 5101)
    assert gone["reportId"] == retracted
    unknown = bound(
        client.post("/finish", data={"id": "999999"}), "finish_error_about_report", 5001
    )
    assert unknown["reportId"] == "999999"
    # An id no binding can hold as a number is not named back; nor a missing one.
    bound(client.post("/finish", data={"id": "not-a-number"}), "finish_error", 5001)
    bound(client.post("/finish", data={}), "finish_error", 4000)


def test_every_other_call_answers_each_error_code_in_the_documented_shape(
    client: httpx.Client,
) -> None:
    # submit: malformed XML, a document the schema refuses, an empty body.
    bound(_submit(client, b"<report><incidentSummary>"), "error", 4110)
    bound(_submit(client, b"<report><nothing/></report>"), "error", 4100)
    bound(_submit(client, b""), "error", 4110)
    report_id = bound(_submit(client), "submit", 0)["reportId"]
    # upload: no id, no file, an unknown report, a file that is not one.
    bound(client.post("/upload", files={"file": ("a.png", b"x")}), "error", 4000)
    bound(client.post("/upload", data={"id": report_id}), "error_about_report", 4000)
    bound(_upload(client, "999999"), "error_about_report", 5001)
    # An empty file, and an image that says it is a PNG and cannot be decoded.
    bound(_upload(client, report_id, b""), "error_about_report", 4200)
    broken = encode(synthetic_image(4), "PNG")[:200]
    bound(_upload(client, report_id, broken), "error_about_report", 4200)
    # fileinfo: malformed, refused by the schema, an unknown report, an unknown file.
    bound(client.post("/fileinfo", content=b"<fileDetails>"), "error", 4110)
    bound(client.post("/fileinfo", content=b"<fileDetails/>"), "error", 4100)
    bound(client.post("/fileinfo", content=_fileinfo("999999", "f")), "error_about_report", 5001)
    bound(
        client.post("/fileinfo", content=_fileinfo(report_id, "no-such-file")),
        "error_about_report",
        5002,
    )
    # retract: no id, an unknown report; then every call on a retracted and a finished report.
    bound(client.post("/retract", data={}), "error", 4000)
    bound(client.post("/retract", data={"id": "999999"}), "error_about_report", 5001)
    uploaded = bound(_upload(client, report_id), "upload", 0)
    bound(client.post("/retract", data={"id": report_id}), "retract", 0)
    bound(client.post("/retract", data={"id": report_id}), "error_about_report", 5101)
    bound(_upload(client, report_id), "error_about_report", 5101)
    late_details = _fileinfo(report_id, uploaded["fileId"] or "")
    bound(client.post("/fileinfo", content=late_details), "error_about_report", 5101)
    finished = bound(_submit(client), "submit", 0)["reportId"]
    bound(client.post("/finish", data={"id": finished}), "finish", 0)
    bound(client.post("/retract", data={"id": finished}), "error_about_report", 5102)
    bound(_upload(client, finished), "error_about_report", 5102)
    bound(client.post("/fileinfo", content=_fileinfo(finished, "f")), "error_about_report", 5102)


def test_errors_outside_the_calls_still_answer_in_the_documented_shape(
    client: httpx.Client, live_server: str
) -> None:
    # A path or method no client should use, and a body over the limit: XML, with a code.
    bound(client.get("/no-such-call"), "error", 1210)
    bound(client.get("/submit"), "error", 4000)
    too_big = client.post(
        "/submit",
        content=b"<report>" + b" " * (3 * 1024 * 1024),
        headers={"Content-Type": "text/xml"},
    )
    assert too_big.status_code == 413
    bound(too_big, "error", 4000)
    # A failed login is the one answer with no document: 401 and an empty body, as NCMEC's.
    refused = httpx.get(f"{live_server}/ispws/status", auth=("nobody", "wrong"), timeout=30)
    assert refused.status_code == 401
    assert refused.content == b""
