"""Every domain's tables, imported in one place so that Alembic and the tests see them all."""

from tipline.audit.models import AuditHead, Event, PendingEvent
from tipline.auth.models import ApiKey, Organisation, StaffSession, User
from tipline.db import Base
from tipline.evidence.models import EvidenceFile, PdqBand
from tipline.ispws.models import Forwarding, IspwsFile, IspwsSubmission
from tipline.notices.models import NoticePlatform, NoticeRequest
from tipline.referral.models import GeoRange, LegalProcess, Referral, ReferralReport, RoutingRule
from tipline.reports.models import (
    IdempotencyKey,
    Incident,
    OnlineAccount,
    PaymentDetail,
    Person,
    Report,
    ReporterUpdate,
)
from tipline.stats.models import StatCell, StatContribution, StatCursor
from tipline.support.models import (
    PeerMatch,
    PeerProfile,
    RelayMessage,
    SupportLogEntry,
    SupportReferral,
    SupportRequest,
    SupportService,
)
from tipline.takedown.models import HashChange, HashEntry, HashFeedback, HashList, TakedownCase

metadata = Base.metadata

__all__ = [
    "ApiKey",
    "AuditHead",
    "Event",
    "EvidenceFile",
    "Forwarding",
    "GeoRange",
    "HashChange",
    "HashEntry",
    "HashFeedback",
    "HashList",
    "IdempotencyKey",
    "Incident",
    "IspwsFile",
    "IspwsSubmission",
    "LegalProcess",
    "NoticePlatform",
    "NoticeRequest",
    "OnlineAccount",
    "Organisation",
    "PaymentDetail",
    "PdqBand",
    "PeerMatch",
    "PeerProfile",
    "PendingEvent",
    "Person",
    "Referral",
    "ReferralReport",
    "RelayMessage",
    "Report",
    "ReporterUpdate",
    "RoutingRule",
    "StaffSession",
    "StatCell",
    "StatContribution",
    "StatCursor",
    "SupportLogEntry",
    "SupportReferral",
    "SupportRequest",
    "SupportService",
    "TakedownCase",
    "User",
    "metadata",
]
