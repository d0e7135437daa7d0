"""The background worker: every domain's jobs, on the process's queue.

The one module that imports every `tasks.py`, so that a worker (or a server running jobs in
process) knows every job a service may queue by name.
"""

from __future__ import annotations

from huey import Huey
from huey.consumer import Consumer

from tipline import queue
from tipline.auth import tasks as _auth_tasks
from tipline.evidence import tasks as _evidence_tasks
from tipline.ispws import tasks as _ispws_tasks
from tipline.notices import tasks as _notices_tasks
from tipline.referral import tasks as _referral_tasks
from tipline.stats import tasks as _stats_tasks
from tipline.support import tasks as _support_tasks

TASK_MODULES = (
    _auth_tasks,
    _evidence_tasks,
    _ispws_tasks,
    _referral_tasks,
    _stats_tasks,
    _notices_tasks,
    _support_tasks,
)


def huey() -> Huey:
    return queue.get_huey()


def consumer(workers: int) -> Consumer:
    return huey().create_consumer(workers=workers, worker_type="thread", periodic=True)
