"""The evidence vault: encrypted at rest, tamper-evident, nothing half-stored, custody logged."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from media import jpeg, mp4, png_bomb
from tipline.audit import service as audit
from tipline.audit.models import Event
from tipline.config import Settings, load_master_key
from tipline.db import Database
from tipline.errors import BadInput, ConfigError, IntegrityFailure, TooLarge
from tipline.evidence import service as evidence
from tipline.evidence.events import EvidenceEvent
from tipline.evidence.models import EvidenceFile
from tipline.evidence.vault import Vault


def _store(settings: Settings, database: Database, data: bytes, name: str = "shot.jpg") -> str:
    with database.session() as db_session:
        stored = evidence.store_file(
            db_session, settings=settings, data=data, filename=name, actor="user:test"
        )
        return stored.file.id


def _all_bytes_under(root: Path) -> list[tuple[Path, bytes]]:
    return [(p, p.read_bytes()) for p in root.rglob("*") if p.is_file()]


def test_no_plaintext_byte_of_a_stored_file_anywhere_under_home(
    settings: Settings, database: Database
) -> None:
    data = os.urandom(64 * 1024) + jpeg(7)
    file_id = _store(settings, database, data, name="../../etc/passwd")
    database.dispose()  # flush SQLite's WAL into the main file, so that is searched too
    windows = [data[i : i + 24] for i in range(0, len(data) - 24, 997)]
    for path, content in _all_bytes_under(settings.home):
        for window in windows:
            assert window not in content, f"plaintext found in {path}"
    with database.session() as db_session:
        record = db_session.get(EvidenceFile, file_id)
        assert record is not None
        assert record.filename == "passwd"  # a display name, never a path
        assert (
            evidence.read_file(
                db_session, settings=settings, file_id=file_id, actor="user:a", reason="review"
            )
            == data
        )


def test_every_read_is_a_custody_event(settings: Settings, database: Database) -> None:
    file_id = _store(settings, database, jpeg(8))
    with database.session() as db_session:
        evidence.read_file(
            db_session, settings=settings, file_id=file_id, actor="user:analyst", reason="triage"
        )
    with database.session() as db_session:
        events = audit.timeline(db_session, subject_type="evidence_file", subject_id=file_id)
        assert [e.action for e in events] == [EvidenceEvent.STORED, EvidenceEvent.READ]
        assert events[1].actor == "user:analyst"
        assert events[1].data == {"reason": "triage"}
        with pytest.raises(BadInput):
            evidence.read_file(
                db_session, settings=settings, file_id=file_id, actor="user:a", reason="  "
            )


def test_a_flipped_byte_is_detected(settings: Settings, database: Database) -> None:
    file_id = _store(settings, database, jpeg(9))
    with database.session() as db_session:
        record = db_session.get(EvidenceFile, file_id)
        assert record is not None
        path = evidence.vault_for(settings).path_for(record.storage_key)
    blob = bytearray(path.read_bytes())
    blob[len(blob) // 2] ^= 0x01
    path.write_bytes(bytes(blob))
    with pytest.raises(IntegrityFailure), database.session() as db_session:
        evidence.read_file(
            db_session, settings=settings, file_id=file_id, actor="user:a", reason="review"
        )
    with database.session() as db_session:
        actions = [
            e.action
            for e in audit.timeline(db_session, subject_type="evidence_file", subject_id=file_id)
        ]
    assert actions == [EvidenceEvent.STORED, EvidenceEvent.INTEGRITY_FAILURE]


def test_a_file_moved_to_another_name_does_not_open(settings: Settings) -> None:
    vault = Vault(settings.vault_dir, settings.master_key)
    a, b = vault.new_storage_key(), vault.new_storage_key()
    vault.write(a, b"first file")
    with pytest.raises(IntegrityFailure):
        vault.open(b, vault.path_for(a).read_bytes())


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=2048), st.data())
def test_seal_opens_and_any_flipped_bit_fails(payload: bytes, data: st.DataObject) -> None:
    vault = Vault(Path("/nonexistent"), b"k" * 32)
    key = vault.new_storage_key()
    blob = vault.seal(key, payload)
    assert vault.open(key, blob) == payload
    bit = data.draw(st.integers(min_value=0, max_value=len(blob) * 8 - 1))
    tampered = bytearray(blob)
    tampered[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises(IntegrityFailure):
        vault.open(key, bytes(tampered))


def _counts(database: Database) -> tuple[int, int]:
    with database.session() as db_session:
        files = db_session.scalar(select(func.count(EvidenceFile.id)))
        events = db_session.scalar(select(func.count(Event.seq)))
    return int(files or 0), int(events or 0)


@pytest.mark.parametrize(
    ("payload", "error"),
    [(png_bomb(), TooLarge), (b"\xff\xd8\xff\xe0" + b"\x00" * 64, BadInput), (b"", BadInput)],
    ids=["decompression-bomb", "corrupt-jpeg", "empty"],
)
def test_bad_files_store_nothing(
    settings: Settings, database: Database, payload: bytes, error: type[Exception]
) -> None:
    before = _counts(database)
    with pytest.raises(error):
        _store(settings, database, payload)
    assert _counts(database) == before
    assert evidence.vault_for(settings).stored_keys() == set()


def test_size_limit_is_configurable(settings: Settings, database: Database) -> None:
    small = settings.model_copy(update={"max_upload_bytes": 1024})
    with pytest.raises(TooLarge):
        _store(small, database, jpeg(10))
    assert evidence.vault_for(settings).stored_keys() == set()


def test_a_crash_mid_store_leaves_no_file_the_database_points_to(
    settings: Settings, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def _crash(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(audit, "record", _crash)
    with pytest.raises(RuntimeError):
        _store(settings, database, jpeg(11))
    assert _counts(database)[0] == 0
    assert evidence.vault_for(settings).stored_keys() == set()
    assert list((settings.vault_dir / ".incoming").glob("*")) == []


def test_orphans_from_a_hard_crash_are_swept(settings: Settings, database: Database) -> None:
    vault = evidence.vault_for(settings)
    kept = _store(settings, database, jpeg(12))
    orphan = vault.new_storage_key()
    vault.write(orphan, b"written, then the process died before commit")
    old = 10**9
    os.utime(vault.path_for(orphan), (old, old))
    with database.session() as db_session:
        assert evidence.sweep_orphans(db_session, settings=settings) == 1
        record = db_session.get(EvidenceFile, kept)
        assert record is not None
        assert vault.stored_keys() == {record.storage_key}


def test_master_key_readable_by_others_is_refused(settings: Settings) -> None:
    settings.master_key_path.chmod(0o644)
    with pytest.raises(ConfigError, match="readable by others"):
        load_master_key(settings.master_key_path)


def test_large_video_is_hashed_by_a_background_job(
    settings: Settings, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(evidence, "INLINE_VIDEO_HASH_BYTES", 1000)
    file_id = _store(settings, database, mp4(seconds=2), name="clip.mp4")
    with database.session() as db_session:
        record = db_session.get(EvidenceFile, file_id)
        assert record is not None
        assert record.hash_status == "done"  # the job ran after commit (immediate mode)
        assert record.vpdq is not None
        assert len(record.vpdq) == 2
        actions = [
            e.action
            for e in audit.timeline(db_session, subject_type="evidence_file", subject_id=file_id)
        ]
    assert actions == [EvidenceEvent.STORED, EvidenceEvent.HASHED]
