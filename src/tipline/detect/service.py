"""Detections that open reports: the conversation is the evidence, the flags its annotations."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, cast

from sqlalchemy import String
from sqlalchemy.orm import Session

from tipline.audit import service as audit
from tipline.config import Settings
from tipline.detect.events import DetectEvent
from tipline.errors import BadInput
from tipline.evidence import service as evidence
from tipline.reports import service as reports
from tipline.reports.models import Report

ACTOR_PREFIX = "org:"
# A conversation's id, as much of it as the report's column holds (the transcript keeps it all).
_EXTERNAL_ID = int(cast(String, Report.__table__.c.external_id.type).length or 0)


def open_report(
    db_session: Session,
    *,
    settings: Settings,
    conversation: dict[str, Any],
    result: dict[str, Any],
    organisation_id: str | None,
) -> str:
    """A detector report for an analyst: distress puts it at the top of the queue."""
    flags = [f["flag"] for f in result["flags"]]
    actor = f"{ACTOR_PREFIX}{organisation_id}" if organisation_id else "detector"
    lines = [
        f"The detector found {result['level']} red flags (risk {result['risk']:.2f}) in "
        f"conversation {result['id']}:",
        *(
            f"- {f['flag']} at message {f['message_index']}: \u201c{f['evidence']}\u201d"
            for f in result["flags"]
        ),
    ]
    made = reports.create_report(
        db_session,
        source="detector",
        actor=actor,
        organisation_id=organisation_id,
        external_id=str(result["id"])[:_EXTERNAL_ID],
        description="\n".join(lines),
        sextortion=result["level"] == "extortion",
        financial="financial_demand" in flags,
        self_harm_risk=result["victim_distress"],
        annotations=flags,
        demands=["money"] if "financial_demand" in flags else [],
        extra={"detector": result},
    )
    transcript = json.dumps(
        {"id": conversation["id"], "messages": conversation["messages"]}, ensure_ascii=False
    ).encode()
    evidence.store_file(
        db_session,
        settings=settings,
        data=transcript,
        filename=f"conversation-{result['id']}.json"[:200],
        actor=actor,
        report_id=made.id,
        viewed_by_reporter=True,
    )
    audit.record(
        db_session,
        actor=actor,
        action=DetectEvent.REPORT_OPENED,
        subject_type="report",
        subject_id=made.id,
        data={"flags": flags, "level": result["level"], "risk": result["risk"]},
    )
    return made.case_number


def read_conversations(lines: Iterable[str], *, source: str) -> Iterator[dict[str, Any]]:
    """Conversations from JSON lines; a bad line is a one-line error naming it."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadInput(
                f"{source} line {number}: not JSON ({exc.msg})", code="bad_json"
            ) from None
        messages = row.get("messages") if isinstance(row, dict) else None
        if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
            raise BadInput(
                f'{source} line {number}: expected {{"id": ..., "messages": [{{"sender", '
                f'"text"}}, ...]}}',
                code="bad_conversation",
            )
        yield row
