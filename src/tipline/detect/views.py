"""`POST /api/v1/detect`: one conversation in, the scan result out (platform or ESP key)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from tipline.auth.dependencies import require_org
from tipline.auth.models import Organisation
from tipline.config import Settings
from tipline.deps import get_db, get_settings
from tipline.detect import scan
from tipline.detect import service as detect
from tipline.detect.schemas import ConversationIn, DetectOut

api_router = APIRouter(prefix="/api/v1", tags=["red flags"])


@api_router.post(
    "/detect",
    response_model=DetectOut,
    responses={422: {"description": "The conversation is empty, too long, or malformed"}},
)
def detect_conversation(
    payload: ConversationIn,
    organisation: Organisation = Depends(require_org("detect")),
    db_session: Session = Depends(get_db, scope="function"),
    settings: Settings = Depends(get_settings),
) -> DetectOut:
    """Red flags, message by message, with the words that show each one."""
    conversation = payload.model_dump(exclude={"open_report"})
    result = scan(conversation, point=settings.detect_operating_point)
    case_number = None
    if payload.open_report and result["level"] != "none":
        case_number = detect.open_report(
            db_session,
            settings=settings,
            conversation=conversation,
            result=result,
            organisation_id=organisation.id,
        )
        db_session.commit()
    return DetectOut(**result, report_case_number=case_number)
