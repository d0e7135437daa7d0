"""CyberTipline XML out: every export validates against the XSD, and reads back the same."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from test_ispws import _field

from accounts import make_org
from documents import REPORT
from tipline import builders
from tipline.db import Database
from tipline.ispws import export, xml
from tipline.ispws.models import IspwsSubmission
from tipline.ispws.service import report_fields
from tipline.reports import service as reports
from tipline.reports.schemas import INCIDENT_TYPE_LABELS

# Text the XML can carry: no control characters, no surrogates.
xml_text = (
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufffe\uffff"
        ),
        min_size=1,
        max_size=80,
    )
    .map(str.strip)
    .filter(bool)
)
names = st.lists(xml_text, max_size=3)


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    flags = draw(st.lists(st.sampled_from(["sextortion", "csamSolicitation", "spam"]), unique=True))
    summary: dict[str, Any] = {
        "incidentType": draw(st.sampled_from(sorted(INCIDENT_TYPE_LABELS.values()))),
        "platform": draw(xml_text),
    }
    order = ["sextortion", "csamSolicitation", "spam"]
    if flags:
        summary["reportAnnotations"] = {f: True for f in order if f in flags}
    summary["incidentDateTime"] = "2026-10-01T12:00:00Z"
    suspect: dict[str, Any] = {}
    for key in ("espIdentifier", "screenName", "displayName"):
        values = draw(names)
        if values:
            suspect[key] = values
    doc: dict[str, Any] = {
        "incidentSummary": summary,
        "internetDetails": [{"chatImIncident": {"content": draw(xml_text)}}],
        "reporter": {"reportingPerson": {"email": [draw(xml_text)]}},
    }
    if suspect:
        doc["personOrUserReported"] = [suspect]
    return doc


@settings(max_examples=60, deadline=None)
@given(documents())
def test_documents_round_trip_through_xml(document: dict[str, Any]) -> None:
    written = export.to_xml(document)
    parsed = xml.parse(written, root="report")
    assert xml.to_data(parsed) == document


def test_an_esp_report_exports_as_filed(live_server: str, database: Database) -> None:
    creds = make_org(database, "esp", "Export ESP")
    auth = (creds.ispws_username or "", creds.ispws_password or "")
    with httpx.Client(base_url=f"{live_server}/ispws", auth=auth) as client:
        report_id = _field(client.post("/submit", content=REPORT).content, "reportId")
        client.post("/finish", data={"id": report_id})
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tipline",
            "reports",
            "export",
            report_id,
            "--format",
            "cybertipline-xml",
        ],
        capture_output=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    again = xml.to_data(xml.parse(result.stdout, root="report"))
    original = xml.to_data(etree.fromstring(REPORT))
    assert again == original


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    handles=st.lists(
        st.from_regex(r"[a-z][a-z0-9_.]{2,20}", fullmatch=True), min_size=1, max_size=3, unique=True
    ),
    age=st.integers(min_value=8, max_value=17),
    sextortion=st.booleans(),
)
def test_a_public_report_exports_and_reads_back_the_same(
    database: Database, handles: list[str], age: int, sextortion: bool
) -> None:
    with database.session() as db_session:
        made = builders.report(
            db_session,
            reporter_role="victim",
            description="An account demanded money and threatened to share images.",
            sextortion=sextortion,
            people=[{"role": "victim", "age": age}],
            accounts=[{"role": "suspect", "platform": "ExampleGram", "handle": h} for h in handles],
        )
    with database.session() as db_session:
        report = reports.get_report(db_session, ref=made.id)
        document = export.export_xml(report)

        back = report_fields(
            IspwsSubmission(
                id=1,
                document=xml.to_data(xml.parse(document, root="report")),
                xml=document.decode(),
            ),
            organisation_id="x",
        )
    assert back["incident_type"] == report.incident_type
    assert back["sextortion"] is sextortion
    assert [a["handle"] for a in back["accounts"] if a["role"] == "suspect"] == handles
    assert [p["age"] for p in back["people"] if p["role"] == "victim"] == [age]
    assert report.description in back["description"]


def test_export_of_an_unknown_report_is_a_one_line_error(database: Database) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tipline", "reports", "export", "TL-XXXX-XXXX"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: ")
