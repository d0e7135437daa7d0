"""Everything an online service sends reads back whole: in `tipline reports show --json`, on the
analyst's page, and in the agency's package.

The report is filed over real HTTP, by hand-written XML of the kind an ESP's client writes from
NCMEC's documentation: several reported users with several screen names and profile URLs, IP
capture events with ports, chat content, an escalation, and the details of a file.
"""

from __future__ import annotations

import html
import io
import json
import os
import subprocess
import sys
import zipfile

import httpx
import pytest
from fastapi.testclient import TestClient
from lxml import etree

from accounts import make_org, make_user, sign_in
from media import encode, synthetic_image
from tipline import builders
from tipline.db import Database
from tipline.reports import service as reports

REPORT = b"""<?xml version="1.0" encoding="UTF-8"?>
<report>
  <incidentSummary>
    <incidentType>Online Enticement of Children for Sexual Acts</incidentType>
    <platform>ExampleChat</platform>
    <escalateToHighPriority>Minor threatened with a two-hour deadline</escalateToHighPriority>
    <reportAnnotations><sextortion/></reportAnnotations>
    <incidentDateTime>2026-11-20T21:15:00Z</incidentDateTime>
  </incidentSummary>
  <internetDetails>
    <chatImIncident>
      <chatClient>ExampleChat DM</chatClient>
      <content>Reported user asked the minor for images, then demanded gift cards.</content>
    </chatImIncident>
  </internetDetails>
  <reporter>
    <reportingPerson><email>tns@esp.example</email></reportingPerson>
  </reporter>
  <personOrUserReported>
    <espIdentifier>90210-demo</espIdentifier>
    <espService>ExampleChat</espService>
    <screenName>demo_offender_77</screenName>
    <screenName>demo_offender_alt</screenName>
    <profileUrl>https://chat.example/u/demo_offender_77</profileUrl>
    <profileUrl>https://chat.example/u/demo_offender_alt</profileUrl>
    <ipCaptureEvent>
      <ipAddress>192.0.2.10</ipAddress>
      <eventName>Login</eventName>
      <dateTime>2026-11-20T20:59:00Z</dateTime>
      <possibleProxy>false</possibleProxy>
      <port>44321</port>
    </ipCaptureEvent>
    <ipCaptureEvent>
      <ipAddress>2001:db8::17</ipAddress>
      <eventName>Upload</eventName>
      <dateTime>2026-11-20T21:05:00Z</dateTime>
      <port>51000</port>
    </ipCaptureEvent>
  </personOrUserReported>
  <personOrUserReported>
    <espIdentifier>90211-demo</espIdentifier>
    <screenName>demo_helper_12</screenName>
    <profileUrl>https://chat.example/u/demo_helper_12</profileUrl>
  </personOrUserReported>
  <victim>
    <victimPerson><age>15</age></victimPerson>
    <screenName>demo_minor_1</screenName>
    <ipCaptureEvent>
      <ipAddress>203.0.113.77</ipAddress>
      <eventName>Other</eventName>
    </ipCaptureEvent>
  </victim>
  <additionalInfo>Accounts disabled after review; chat log preserved.</additionalInfo>
</report>
"""

# Every value a reader must find, as the service wrote it.
SENT = [
    "192.0.2.10",
    "44321",
    "2026-11-20T20:59:00Z",
    "2001:db8::17",
    "51000",
    "203.0.113.77",
    "90210-demo",
    "90211-demo",
    "demo_offender_77",
    "demo_offender_alt",
    "demo_helper_12",
    "https://chat.example/u/demo_offender_alt",
    "https://chat.example/u/demo_helper_12",
    "Reported user asked the minor for images, then demanded gift cards.",
    "Minor threatened with a two-hour deadline",
    "Accounts disabled after review; chat log preserved.",
]
# The details of the file (/fileinfo).
FILE_SENT = [
    "chat-export-0001.png",
    "https://cdn.chat.example/m/0001",
    "device-7c1e-demo",
    "198.51.100.23",
    "Camera model",
    "Demo Phone 3",
]


def _fileinfo(report_id: str, file_id: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<fileDetails>
  <reportId>{report_id}</reportId>
  <fileId>{file_id}</fileId>
  <originalFileName>chat-export-0001.png</originalFileName>
  <locationOfFile>https://cdn.chat.example/m/0001</locationOfFile>
  <fileViewedByEsp>true</fileViewedByEsp>
  <publiclyAvailable>false</publiclyAvailable>
  <ipCaptureEvent>
    <ipAddress>198.51.100.23</ipAddress>
    <eventName>Upload</eventName>
  </ipCaptureEvent>
  <deviceId>device-7c1e-demo</deviceId>
  <details>
    <nameValuePair><name>Camera model</name><value>Demo Phone 3</value></nameValuePair>
  </details>
</fileDetails>
""".encode()


@pytest.fixture
def filed(live_server: str, database: Database) -> str:
    """The case number of a report an ESP filed with a file and its details."""
    creds = make_org(database, "esp", "As-filed ESP")
    auth = (creds.ispws_username or "", creds.ispws_password or "")
    with httpx.Client(base_url=f"{live_server}/ispws", auth=auth, timeout=30) as esp:
        submitted = esp.post("/submit", content=REPORT, headers={"Content-Type": "text/xml"})
        report_id = etree.fromstring(submitted.content).findtext("reportId") or ""
        png = encode(synthetic_image(21), "PNG")
        uploaded = esp.post("/upload", data={"id": report_id}, files={"file": ("x.png", png)})
        file_id = etree.fromstring(uploaded.content).findtext("fileId") or ""
        details = esp.post("/fileinfo", content=_fileinfo(report_id, file_id))
        assert etree.fromstring(details.content).findtext("responseCode") == "0"
        done = esp.post("/finish", data={"id": report_id})
        assert etree.fromstring(done.content).findtext("responseCode") == "0"
    with database.session() as db_session:
        # An ESP's own report id finds its report, as it does in the console's search.
        return reports.get_report(db_session, ref=report_id).case_number


def test_the_cli_shows_everything_the_service_sent(filed: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tipline", "reports", "show", filed, "--json"],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    sent = shown["as_filed"]
    assert sent["escalate_to_high_priority"] == "Minor threatened with a two-hour deadline"
    events = {e["ip_address"]: e for e in sent["ip_events"]}
    assert events["192.0.2.10"]["port"] == "44321"
    assert events["192.0.2.10"]["event"] == "Login"
    assert events["192.0.2.10"]["date_time"] == "2026-11-20T20:59:00Z"
    assert events["2001:db8::17"]["port"] == "51000"
    assert events["203.0.113.77"]["who"] == "Victim"
    assert events["198.51.100.23"]["who"] == "File 1"
    text = json.dumps(sent)
    for value in SENT + FILE_SENT:
        assert value in text, value
    # Several reported users' screen names each become an account a reviewer can search.
    handles = {a["handle"] for a in shown["accounts"]}
    assert {"demo_offender_77", "demo_offender_alt", "demo_helper_12"} <= handles
    # The escalation puts the report first.
    assert shown["child_in_danger"] is True
    human = subprocess.run(
        [sys.executable, "-m", "tipline", "reports", "show", filed],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        check=False,
        timeout=120,
    )
    assert "IP 192.0.2.10" in human.stdout
    assert "44321" in human.stdout


def test_the_analyst_sees_everything_the_service_sent(
    filed: str, client: TestClient, database: Database
) -> None:
    sign_in(client, make_user(database, "analyst"))
    page = client.get(f"/console/reports/{filed}")
    assert page.status_code == 200
    body = html.unescape(page.text)
    assert 'class="ip-events"' in page.text
    for value in SENT + FILE_SENT:
        assert value in body, value
    with database.session() as db_session:
        report = reports.get_report(db_session, ref=filed)
        assert report.priority_tier == 1


def test_the_agency_package_carries_everything_the_service_sent(
    filed: str, client: TestClient, database: Database
) -> None:
    agency = builders.organisation(database, kind="agency", name="As-filed Task Force")
    number = builders.referral(database, report_ref=filed, agency_ref=agency.organisation.id).number
    sign_in(client, make_user(database, "agency", "af@example.test", agency.organisation.id))
    archive = zipfile.ZipFile(
        io.BytesIO(client.get(f"/agency/referrals/{number}/package.zip").content)
    )
    manifest = json.loads(archive.read("manifest.json"))
    sent = json.dumps(manifest["reports"][0]["as_filed"])
    summary = html.unescape(archive.read("summary.html").decode())
    for value in SENT + FILE_SENT:
        assert value in sent, value
        assert value in summary, value
    # The service's own document, byte for byte.
    assert archive.read(f"reports/{filed}.as-filed.xml") == REPORT
    pdf = archive.read("summary.pdf")
    assert pdf.startswith(b"%PDF")
