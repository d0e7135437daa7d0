"""Every domain's tables, imported in one place so that Alembic and the tests see them all."""

from tipline.audit.models import AuditHead, Event, PendingEvent
from tipline.auth.models import ApiKey, Organisation, StaffSession, User
from tipline.db import Base
from tipline.evidence.models import EvidenceFile
from tipline.ispws.models import Forwarding, IspwsFile, IspwsSubmission
from tipline.reports.models import (
    IdempotencyKey,
    Incident,
    OnlineAccount,
    PaymentDetail,
    Person,
    Report,
    ReporterUpdate,
)

metadata = Base.metadata

__all__ = [
    "ApiKey",
    "AuditHead",
    "Event",
    "EvidenceFile",
    "Forwarding",
    "IdempotencyKey",
    "Incident",
    "IspwsFile",
    "IspwsSubmission",
    "OnlineAccount",
    "Organisation",
    "PaymentDetail",
    "PendingEvent",
    "Person",
    "Report",
    "ReporterUpdate",
    "StaffSession",
    "User",
    "metadata",
]
