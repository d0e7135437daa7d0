"""The audit events of the evidence vault: the chain of custody of every file."""

from __future__ import annotations

from tipline.audit.events import Action


class EvidenceEvent(Action):
    STORED = "evidence.stored"
    HASHED = "evidence.hashed"
    READ = "evidence.read"
    INTEGRITY_FAILURE = "evidence.integrity_failure"
    DESTROYED = "evidence.destroyed"
