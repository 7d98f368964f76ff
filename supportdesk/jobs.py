"""The only module that imports the queue library.

Jobs are enqueued after the surrounding transaction commits, so a worker never sees a
job for a row it cannot read yet, and a rolled-back change sends nothing. Periodic jobs
are declared with `periodic` in each app's `tasks.py`, which Huey discovers at start.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

log = logging.getLogger(__name__)

RETRIES = 5
RETRY_DELAY = 30


def job(
    retries: int = RETRIES, retry_delay: int = RETRY_DELAY, context: bool = False
) -> Callable[[Callable], Any]:
    """Declare a background job; call `enqueue(job_fn, ...)` to run it after commit.
    With `context`, the job gets `task=` to see how many retries are left."""
    return db_task(retries=retries, retry_delay=retry_delay, context=context)


def enqueue(fn: Any, *args: Any, **kwargs: Any) -> None:
    transaction.on_commit(lambda: fn(*args, **kwargs))


def enqueue_in(seconds: float, fn: Any, *args: Any) -> None:
    """Run `fn(*args)` about `seconds` from now, once the current transaction commits.
    In immediate mode (the tests) Huey keeps the job in its in-memory schedule, where no
    consumer runs it: tests call the step they want to check themselves."""
    transaction.on_commit(lambda: fn.schedule(args=args, delay=seconds))


def periodic(minute: str = "*", hour: str = "*") -> Callable[[Callable], Any]:
    return db_periodic_task(crontab(minute=minute, hour=hour))
