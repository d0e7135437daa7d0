"""Evidence's background jobs: hashing what was too large to hash in the request, and the
vault's sweep of files no record points to."""

from __future__ import annotations

from huey import crontab

from tipline import queue
from tipline.evidence import service


@queue.task(retries=2, retry_delay=10)
def hash_evidence_file(file_id: str) -> None:
    settings, db = queue.job_scope()
    with db.session() as db_session:
        service.complete_hashes(db_session, settings=settings, file_id=file_id)


@queue.periodic_task(crontab(minute="*/15"))
def sweep_vault() -> None:
    settings, db = queue.job_scope()
    with db.session() as db_session:
        service.sweep_orphans(db_session, settings=settings)
