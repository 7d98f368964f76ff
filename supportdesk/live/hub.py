"""One reader per process for every open stream.

A task tails the database (`feed.read_since`) while at least one stream is open and hands
each new batch to every stream's queue; each stream then keeps what its user may see.
So 200 open pages cost one small query per poll, not 200. On PostgreSQL the task also
LISTENs, and a NOTIFY from any process (see `wake.py`) ends its wait at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections, connection

from supportdesk.live.feed import Batch, Cursor, current_cursor, read_since
from supportdesk.live.wake import CHANNEL

log = logging.getLogger(__name__)


# On PostgreSQL ids come from a sequence, so a transaction that took an id early can
# commit after one that took a later id: each read looks this many ids back and drops
# what it already published. SQLite has one writer at a time, so ids commit in order.
OVERLAP = 200
PUBLISHED_MEMORY = 5000


def _read(cursor: Cursor, published: set[int]) -> Batch:
    close_old_connections()
    if connection.vendor != "postgresql":
        return read_since(cursor)
    back = Cursor(max(0, cursor.event - OVERLAP), cursor.signal, cursor.notification)
    batch = read_since(back)
    batch.events = [e for e in batch.events if e["id"] not in published]
    batch.cursor = Cursor(
        max(cursor.event, batch.cursor.event), batch.cursor.signal, batch.cursor.notification
    )
    return batch


def _current() -> Cursor:
    close_old_connections()
    return current_cursor()


class Hub:
    def __init__(self) -> None:
        self.queues: set[asyncio.Queue[Batch]] = set()
        self.cursor: Cursor | None = None
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._published: set[int] = set()
        self._starting = asyncio.Lock()

    async def join(self) -> tuple[asyncio.Queue[Batch], Cursor]:
        """A queue of every batch from now on, and the cursor it starts after."""
        # One reader per process: streams that connect together must not each start one.
        async with self._starting:
            if self._task is None or self._task.done():
                # Nobody read while the hub slept: start from now, not where it stopped.
                self.cursor = await sync_to_async(_current, thread_sensitive=False)()
                self._task = asyncio.get_running_loop().create_task(self._run())
            queue: asyncio.Queue[Batch] = asyncio.Queue(maxsize=100)
            self.queues.add(queue)
            assert self.cursor is not None
            return queue, self.cursor

    def leave(self, queue: asyncio.Queue[Batch]) -> None:
        self.queues.discard(queue)

    async def _run(self) -> None:
        listener = asyncio.get_running_loop().create_task(self._listen())
        try:
            while self.queues:
                await self._sleep()
                assert self.cursor is not None  # set by join() before the task starts
                try:
                    batch = await sync_to_async(_read, thread_sensitive=False)(
                        self.cursor, self._published
                    )
                except Exception:  # a locked or restarting database: try again next time
                    log.exception("live: reading changes failed")
                    continue
                self.cursor = batch.cursor
                if batch:
                    self._publish(batch)
        finally:
            listener.cancel()

    def _publish(self, batch: Batch) -> None:
        self._published.update(e["id"] for e in batch.events)
        if len(self._published) > PUBLISHED_MEMORY:
            floor = max(self._published) - PUBLISHED_MEMORY // 2
            self._published = {i for i in self._published if i > floor}
        for queue in list(self.queues):
            try:
                queue.put_nowait(batch)
            except asyncio.QueueFull:
                # A stream that does not read (a stalled client) is dropped; its browser
                # reconnects and catches up from its last event id.
                self.queues.discard(queue)

    async def _sleep(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=settings.LIVE_POLL_SECONDS)
        self._wake.clear()

    async def _listen(self) -> None:
        """On PostgreSQL, set the wake event whenever any process sends a NOTIFY."""
        if connection.vendor != "postgresql":
            return
        import psycopg

        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(**params, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    async for _ in conn.notifies():
                        self._wake.set()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("live: LISTEN failed; polling until it reconnects")
                await asyncio.sleep(5)


hub = Hub()
