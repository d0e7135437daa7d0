"""The referral package an agency downloads: one ZIP holding

- manifest.json: the referral, incident, reports, every file's hashes, whether it is included or
  withheld (and why), and each file's chain of custody from the audit log;
- reports/<case>.xml: each report as CyberTipline XML, and reports/<case>.as-filed.xml: an online
  service's own document, exactly as it filed it;
- summary.html and summary.pdf: what a detective reads first, with the supplements (what was
  added after the referral was sent; a report added by one is in the package like the others);
- files/: the evidence the agency may receive (withheld files are listed, not included).

Built in memory, streamed once, never written to disk: evidence exists in plaintext only in
memory (DESIGN.md). Each download is an event.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import jinja2
from fpdf import FPDF
from sqlalchemy.orm import Session

from tipline.audit import service as audit
from tipline.config import Settings
from tipline.ispws import export
from tipline.ispws import service as ispws
from tipline.referral import service
from tipline.referral.events import ReferralEvent
from tipline.referral.models import Referral
from tipline.reports.models import Report
from tipline.web import labels

# The summary is a document for investigators, in English like the CyberTipline XML beside it,
# not a page of the site: it has its own small environment apart from the site's templates.
_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("tipline.referral", "package_templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)
# The same names the console shows (in English); manifest.json keeps the codes, for machines.
_TEMPLATES.filters["label"] = lambda code, kind: labels.label(kind, code)


def _custody(db_session: Session, file_id: str) -> list[dict[str, Any]]:
    return [
        {
            "at": e.created_at.isoformat(),
            "actor": e.actor,
            "action": e.action,
            "reason": e.data.get("reason"),
        }
        for e in audit.timeline(db_session, subject_type="evidence_file", subject_id=file_id)
    ]


def _report_summary(report: Report, details: dict[str, Any]) -> dict[str, Any]:
    return {
        "case_number": report.case_number,
        "source": report.source,
        "reporter_role": report.reporter_role,
        "received_at": report.received_at.isoformat(),
        "incident_date": report.incident_date.isoformat() if report.incident_date else None,
        "incident_type": report.incident_type,
        "sextortion": report.sextortion,
        "financial": report.financial,
        "self_harm_risk": report.self_harm_risk,
        "child_in_danger": report.child_in_danger,
        "minor_to_minor": report.minor_to_minor,
        "demands": report.demands,
        "description": report.description,
        # Everyone the reporter named, with how to reach them: an investigator calls the parent.
        "people": [
            {
                k: getattr(p, k)
                for k in (
                    "role",
                    "name",
                    "age",
                    "gender",
                    "country",
                    "region",
                    "school",
                    "email",
                    "phone",
                    "preferred_contact",
                )
            }
            for p in report.people
        ],
        "accounts": [
            {k: getattr(a, k) for k in ("role", "platform", "handle", "account_id", "profile_url")}
            for a in report.accounts
        ],
        "payments": [
            {k: getattr(p, k) for k in ("method", "handle", "amount")} for p in report.payments
        ],
        "added_later": [
            {"at": u.created_at.isoformat(), "text": u.text} for u in details["added_later"]
        ],
        # Everything an online service sent, not only what tipline's columns hold.
        "as_filed": details["as_filed"],
    }


def manifest(
    db_session: Session,
    *,
    referral: Referral,
    reports: list[Report],
    files: list[service.ReferredFile],
) -> dict[str, Any]:
    details = service.report_details(db_session, reports=reports)
    people = service.people_of(db_session, referral=referral)
    cases = {r.id: r.case_number for r in reports}
    return {
        "referral": referral.number,
        "agency": referral.agency.name,
        "referred_at": referral.created_at.isoformat(),
        "referred_by": people.get(referral.referred_by, referral.referred_by),
        "claimed_by": people.get(referral.claimed_by) if referral.claimed_by else None,
        "hold_until": referral.hold_until.isoformat(),
        "incident": reports[0].incident.number if reports and reports[0].incident else None,
        "routing": referral.routing,
        "reports": [_report_summary(r, details[r.id]) for r in reports],
        "supplements": [
            {
                "at": s.created_at.isoformat(),
                "added_by": people.get(s.added_by, s.added_by),
                "note": s.note,
                "report": cases.get(s.report_id) if s.report_id else None,
                "acknowledged_at": s.acknowledged_at.isoformat() if s.acknowledged_at else None,
            }
            for s in referral.supplements
        ],
        "files": [
            {
                "id": f.file.id,
                "case_number": f.report.case_number,
                "filename": f.file.filename,
                "media_type": f.file.media_type,
                "size": f.file.size,
                "sha256": f.file.sha256,
                "md5": f.file.md5,
                "pdq": f.file.pdq,
                "viewed_by_reporting_service": f.file.viewed_by_reporter,
                "included": not f.withheld,
                "withheld_reason": (
                    "not viewed by the reporting service: legal process required"
                    if f.withheld
                    else None
                ),
                "legal_process": (
                    {"kind": f.legal_process.kind, "reference": f.legal_process.reference}
                    if f.legal_process
                    else None
                ),
                "chain_of_custody": _custody(db_session, f.file.id),
            }
            for f in files
        ],
    }


def summary_html(data: dict[str, Any]) -> str:
    return _TEMPLATES.get_template("summary.html").render(m=data)


def _latin1(text: Any) -> str:
    # The PDF's built-in fonts cover Latin-1 only; summary.html carries the exact text.
    return str(text if text is not None else "").encode("latin-1", "replace").decode("latin-1")


def summary_pdf(data: dict[str, Any]) -> bytes:
    pdf = FPDF()
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(
        0,
        9,
        _latin1(f"Referral {data['referral']} to {data['agency']}"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("Helvetica", "", 10)

    def line(text: str) -> None:
        pdf.multi_cell(0, 5, _latin1(text), new_x="LMARGIN", new_y="NEXT")

    line(f"Referred {data['referred_at']}; evidence kept until {data['hold_until']}.")
    if data["incident"]:
        line(f"Incident {data['incident']}")
    line("The exact text of every field is in summary.html and the CyberTipline XML.")
    if data["supplements"]:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 12)
        line("Supplements: added after the referral was sent")
        pdf.set_font("Helvetica", "", 10)
        for supplement in data["supplements"]:
            added = f" Report {supplement['report']} added." if supplement["report"] else ""
            line(f"{supplement['at']}, {supplement['added_by']}:{added} {supplement['note']}")
    for report in data["reports"]:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 12)
        source = labels.label("source", report["source"])
        line(f"Report {report['case_number']} ({source}, {report['received_at']})")
        pdf.set_font("Helvetica", "", 10)
        flags = [
            labels.label("flag", k)
            for k in ("sextortion", "financial", "self_harm_risk", "child_in_danger")
            if report[k]
        ]
        kind = labels.label("incident_type", report["incident_type"])
        line(f"Type: {kind}. Flags: {', '.join(flags) or 'none'}.")
        if report["demands"]:
            line("Demanded: " + ", ".join(labels.label("demand", d) for d in report["demands"]))
        for account in report["accounts"]:
            who = account["handle"] or account["account_id"] or ""
            role = labels.label("account_role", account["role"])
            line(f"Account ({role}): {account['platform'] or ''} {who}")
        for event in (report["as_filed"] or {}).get("ip_events", []):
            seen = ", ".join(
                str(event[k]) for k in ("event", "date_time", "port") if event[k] is not None
            )
            line(f"IP {event['ip_address']} ({event['who']}){': ' + seen if seen else ''}")
        for payment in report["payments"]:
            line(
                f"Payment: {labels.label('payment_method', payment['method'])}"
                f" {payment['handle'] or ''} {payment['amount'] or ''}"
            )
        for person in report["people"]:
            facts = [
                person["name"],
                f"age {person['age']}" if person["age"] is not None else None,
                labels.label("gender", person["gender"]),
                labels.label("place", person["region"] or person["country"]),
                f"school: {person['school']}" if person["school"] else None,
                person["email"],
                person["phone"],
                labels.label("preferred_contact", person["preferred_contact"]),
            ]
            role = labels.label("account_role", person["role"])
            line(f"{role}: " + ", ".join(str(x) for x in facts if x))
        line(report["description"][:4000])
        for update in report["added_later"]:
            line(f"Added by the reporter {update['at']}: {update['text'][:2000]}")
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 12)
    line("Files")
    pdf.set_font("Courier", "", 8)
    for f in data["files"]:
        state = "included" if f["included"] else "WITHHELD: legal process required"
        line(f"{f['sha256']} {f['media_type']} {f['size']} bytes, {state}")
    return bytes(pdf.output())


def build(db_session: Session, *, settings: Settings, referral: Referral, actor: str) -> bytes:
    reports = service.reports_of(db_session, referral=referral)
    files = service.files_of(db_session, referral=referral, reports=reports)
    data = manifest(db_session, referral=referral, reports=reports, files=files)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(data, indent=2, default=str))
        for report in reports:
            archive.writestr(f"reports/{report.case_number}.xml", export.export_xml(report))
            as_filed = ispws.filed_document(db_session, report_id=report.id)
            if as_filed is not None:
                # The online service's own document, byte for byte as it was filed.
                archive.writestr(f"reports/{report.case_number}.as-filed.xml", as_filed)
        archive.writestr("summary.html", summary_html(data))
        archive.writestr("summary.pdf", summary_pdf(data))
        for f in files:
            if f.withheld:
                continue
            content = service.release_file(
                db_session, settings=settings, referral=referral, referred=f, actor=actor
            )
            # Stored, not deflated: media does not compress, and the hash must be checkable.
            archive.writestr(
                f"files/{f.file.sha256}-{f.file.filename or 'file'}",
                content,
                compress_type=zipfile.ZIP_STORED,
            )
    audit.record(
        db_session,
        actor=actor,
        action=ReferralEvent.PACKAGE_DOWNLOADED,
        subject_type="referral",
        subject_id=referral.id,
        data={"number": referral.number, "files": sum(1 for f in data["files"] if f["included"])},
    )
    return buffer.getvalue()
