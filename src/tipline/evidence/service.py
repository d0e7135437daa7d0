"""Evidence intake and custody: hash, encrypt, store, record; every read is an event."""

from __future__ import annotations

import asyncio
import os
import re
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from tipline import queue
from tipline.audit import service as audit
from tipline.config import Settings
from tipline.db import new_id, utcnow
from tipline.errors import BadInput, IntegrityFailure, NotFound, TooLarge
from tipline.evidence import hashing, similarity
from tipline.evidence.events import EvidenceEvent
from tipline.evidence.models import EvidenceFile
from tipline.evidence.vault import Vault

# Large videos are hashed after the request, by this job (evidence/tasks.py).
HASH_LATER = "tipline.evidence.tasks:hash_evidence_file"

# A video larger than this is stored at once and its vPDQ computed by a background job, so that
# the reporter is not kept waiting.
INLINE_VIDEO_HASH_BYTES = 8 * 1024 * 1024
_PENDING = "tipline.vault.pending"
_DESTROY = "tipline.vault.destroy"
_writer = ThreadPoolExecutor(max_workers=2, thread_name_prefix="vault-write")
ORPHAN_GRACE_SECONDS = 600


def vault_for(settings: Settings) -> Vault:
    return Vault(settings.vault_dir, settings.master_key)


def clean_filename(name: str | None) -> str:
    """The base name only, without control characters; a display label, never a path."""
    if not name:
        return ""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"^\.+", "", name).strip()
    return name[:255]


@event.listens_for(Session, "after_rollback")
def _discard_uncommitted_files(db_session: Session) -> None:
    # The file was written before the row: if the row does not commit, the file must go, so
    # that the vault holds nothing the database does not account for.
    pending = db_session.info.pop(_PENDING, None)
    if pending:
        vault: Vault
        for vault, key in pending:
            vault.delete(key)


@event.listens_for(Session, "after_commit")
def _keep_committed_files(db_session: Session) -> None:
    db_session.info.pop(_PENDING, None)
    # Destruction: the bytes go only once the record of their destruction is committed.
    for vault, key in db_session.info.pop(_DESTROY, []):
        vault.delete(key)


@event.listens_for(Session, "after_rollback")
def _keep_undestroyed_files(db_session: Session) -> None:
    db_session.info.pop(_DESTROY, None)


def destroy_file(
    db_session: Session, *, settings: Settings, record: EvidenceFile, actor: str, reason: str
) -> dict[str, str]:
    """Destroy a file's bytes (after commit) and keep the proof: an event with its hashes."""
    proof = {"sha256": record.sha256, "md5": record.md5, "size": str(record.size)}
    record.status, record.purged_at = "destroyed", utcnow()
    record.bands.clear()
    db_session.info.setdefault(_DESTROY, []).append((vault_for(settings), record.storage_key))
    audit.record(
        db_session,
        actor=actor,
        action=EvidenceEvent.DESTROYED,
        subject_type="evidence_file",
        subject_id=record.id,
        data={**proof, "reason": reason},
    )
    return proof


@dataclass
class StoredFile:
    file: EvidenceFile
    hashes: hashing.FileHashes


@dataclass(frozen=True)
class PreparedFile:
    """A file hashed, encrypted and written to the vault, not yet recorded in the database.

    Preparing is the slow part of intake (decoding an image can take seconds); it is done
    before the request's transaction begins, so that no one holds the database's write lock
    while it runs (issue 17). A prepared file whose record never commits is an orphan in the
    vault, swept after ORPHAN_GRACE_SECONDS like any other.
    """

    hashes: hashing.FileHashes
    storage_key: str
    vault: Vault
    large_video: bool


# Decoding and hashing run here, at most this many at once: a burst of large images waits its
# turn instead of taking every core and every request thread (issue 17: one 7999x7999 PNG cost
# 5-8 s of CPU, and on the event loop it froze every other request).
HASHING_THREADS = max(1, (os.cpu_count() or 2) // 2)
_hashers = ThreadPoolExecutor(max_workers=HASHING_THREADS, thread_name_prefix="hashing")


def prepare_file(
    *, settings: Settings, data: bytes, allowed_types: set[str] | None = None
) -> PreparedFile:
    """Hash, encrypt and write one file; touches no database. Raises a 4xx error for a file
    that cannot be accepted, and then leaves nothing in the vault."""
    large_video = len(data) > INLINE_VIDEO_HASH_BYTES and hashing.sniff(data) in (
        hashing.VIDEO_TYPES
    )
    if len(data) > settings.max_upload_bytes:
        raise TooLarge(f"file is {len(data)} bytes, over the limit of {settings.max_upload_bytes}")
    vault = vault_for(settings)
    storage_key = vault.new_storage_key()
    # Encrypt and write while the image is decoded and hashed: the write and fsync wait on the
    # disk, not the CPU. A file that turns out to be refused is deleted before the error goes up.
    written = _writer.submit(vault.write, storage_key, data)
    try:
        hashes = hashing.hash_bytes(
            data,
            max_bytes=settings.max_upload_bytes,
            max_pixels=settings.max_image_pixels,
            perceptual=not large_video,
        )
        hashing.require_known_type(hashes, allowed_types)
    except BaseException:
        if written.exception() is None:
            vault.delete(storage_key)
        raise
    written.result()
    return PreparedFile(hashes, storage_key, vault, large_video)


async def prepare_off_loop(
    *, settings: Settings, data: bytes, allowed_types: set[str] | None = None
) -> PreparedFile:
    """`prepare_file` in the bounded hashing pool, leaving the event loop and the request
    threads free while it waits."""
    job = partial(prepare_file, settings=settings, data=data, allowed_types=allowed_types)
    return await asyncio.wrap_future(_hashers.submit(job))


def discard(prepared: PreparedFile) -> None:
    """A prepared file that will not be recorded (its request failed): remove it now."""
    prepared.vault.delete(prepared.storage_key)


def store_file(
    db_session: Session,
    *,
    settings: Settings,
    data: bytes,
    filename: str | None,
    actor: str,
    report_id: str | None = None,
    viewed_by_reporter: bool | None = None,
    allowed_types: set[str] | None = None,
    prepared: PreparedFile | None = None,
) -> StoredFile:
    """Hash, encrypt and store one file (or take one `prepared` already), and record it.
    Nothing is stored if any step fails."""
    if prepared is None:
        prepared = prepare_file(settings=settings, data=data, allowed_types=allowed_types)
    else:
        try:
            hashing.require_known_type(prepared.hashes, allowed_types)
        except BaseException:
            prepared.vault.delete(prepared.storage_key)
            raise
    hashes, storage_key, large_video = prepared.hashes, prepared.storage_key, prepared.large_video
    db_session.info.setdefault(_PENDING, []).append((prepared.vault, storage_key))
    record = EvidenceFile(
        # The id is made here, not at flush, so that the row and its event go in one flush.
        id=new_id(),
        report_id=report_id,
        filename=clean_filename(filename),
        media_type=hashes.media_type,
        size=hashes.size,
        sha256=hashes.sha256,
        md5=hashes.md5,
        pdq=hashes.pdq,
        pdq_quality=hashes.pdq_quality,
        vpdq=hashes.vpdq,
        hash_status="pending" if large_video else "done",
        viewed_by_reporter=viewed_by_reporter,
        storage_key=storage_key,
    )
    similarity.index_file(record)
    db_session.add(record)
    audit.record(
        db_session,
        actor=actor,
        action=EvidenceEvent.STORED,
        subject_type="evidence_file",
        subject_id=record.id,
        data={
            "report_id": report_id,
            "sha256": hashes.sha256,
            "media_type": hashes.media_type,
            "size": hashes.size,
        },
    )
    if large_video:
        queue.after_commit(db_session, HASH_LATER, record.id)
    return StoredFile(file=record, hashes=hashes)


def get_file(db_session: Session, *, file_id: str) -> EvidenceFile:
    record = db_session.get(EvidenceFile, file_id)
    if record is None or record.status != "stored":
        raise NotFound("no such evidence file")
    return record


def read_file(
    db_session: Session,
    *,
    settings: Settings,
    file_id: str,
    actor: str,
    reason: str,
) -> bytes:
    """The plaintext, in memory only. Every read is a chain-of-custody event: who, when, why."""
    if not reason.strip():
        raise BadInput("a reason is required to open evidence", code="reason_required")
    record = get_file(db_session, file_id=file_id)
    try:
        data = vault_for(settings).read(record.storage_key)
    except Exception as exc:
        audit.record(
            db_session,
            actor=actor,
            action=EvidenceEvent.INTEGRITY_FAILURE,
            subject_type="evidence_file",
            subject_id=record.id,
            data={"reason": reason, "error": str(exc)},
        )
        db_session.commit()
        raise
    # A ciphertext that authenticates yet holds other bytes would mean a wrong key mapping.
    if hashing.digests(data)[0] != record.sha256:
        raise IntegrityFailure("stored file does not match its recorded SHA-256")
    audit.record(
        db_session,
        actor=actor,
        action=EvidenceEvent.READ,
        subject_type="evidence_file",
        subject_id=record.id,
        data={"reason": reason},
    )
    return data


def complete_hashes(db_session: Session, *, settings: Settings, file_id: str) -> EvidenceFile:
    """The background half of intake for large videos: compute vPDQ from the vault copy."""
    record = get_file(db_session, file_id=file_id)
    if record.hash_status == "done":
        return record
    data = vault_for(settings).read(record.storage_key)
    try:
        record.vpdq = hashing.vpdq_of_video(data)
        record.hash_status = "done"
        similarity.index_file(record)
        outcome: dict[str, Any] = {"frames": len(record.vpdq)}
    except BadInput as exc:
        record.hash_status = "failed"
        outcome = {"error": exc.message}
    audit.record(
        db_session,
        actor="system",
        action=EvidenceEvent.HASHED,
        subject_type="evidence_file",
        subject_id=record.id,
        data=outcome,
    )
    return record


def files_for_report(db_session: Session, *, report_id: str) -> list[EvidenceFile]:
    stmt = select(EvidenceFile).where(EvidenceFile.report_id == report_id)
    return list(db_session.scalars(stmt.order_by(EvidenceFile.created_at)))


def sweep_orphans(db_session: Session, *, settings: Settings) -> int:
    """Remove vault files no row points to (left by a crash between write and commit)."""
    vault = vault_for(settings)
    # A destroyed file's row stays as proof; its bytes, if a crash left them, are an orphan.
    known = set(
        db_session.scalars(
            select(EvidenceFile.storage_key).where(EvidenceFile.status != "destroyed")
        )
    )
    removed = 0
    # Only stale ones: a file written a moment ago may belong to a transaction not yet committed.
    cutoff = utcnow().timestamp() - ORPHAN_GRACE_SECONDS
    for key in vault.stored_keys() - known:
        path = vault.path_for(key)
        if path.stat().st_mtime < cutoff:
            vault.delete(key)
            removed += 1
    for part in (settings.vault_dir / ".incoming").glob("*.part"):
        if part.stat().st_mtime < cutoff:
            part.unlink(missing_ok=True)
            removed += 1
    return removed
