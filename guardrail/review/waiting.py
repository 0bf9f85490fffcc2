"""Waiting for outcomes: the waiting requests of a process share a few XREADs.

A blocking XREAD holds its connection for as long as it blocks, so one XREAD
per waiting request would need one connection per waiting request (and a few
hundred exhaust the pool, taking every other request down with them). Here a
few reader tasks per process (4 by default, each on one connection) block on
the result streams of the holds being waited for, each hold assigned to one
reader by its id, plus a small wake stream per reader; a new waiter appends
to its reader's wake stream so that reader re-issues its XREAD with the new
key. Several readers keep each XREAD short: every decision makes its reader
send the command again with all of its keys.

No wakeup can be lost: result streams are read from their first entry (an
outcome written before the reader looked is returned at once), and the wake
stream is read from the last entry the reader saw, so a wake sent while the
reader was busy is delivered by its next XREAD. The short BLOCK is only a
backstop. Pub/sub, which drops messages while disconnected, is not used.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
import zlib
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from guardrail.review.keys import ReviewKeys
from guardrail.review.model import Outcome, QueueUnavailable

logger = logging.getLogger(__name__)

DEFAULT_MAX_WAITERS = 1000
DEFAULT_READERS = 4
# How long the reader keeps retrying a lost Redis (a restart, a Sentinel
# failover) before its waiters give up with a 503 that carries the hold id.
DEFAULT_RECONNECT_SECONDS = 10.0
# Backstop only: a new waiter wakes the reader at once through the wake stream.
_BLOCK_MS = 2000
_RETRY_PAUSE_SECONDS = 0.2
_WAKE_TTL_SECONDS = 3600


class OutcomeWaiters:
    """The waiting requests of one process, spread over a few readers."""

    def __init__(
        self,
        redis: aioredis.Redis,
        keys: ReviewKeys,
        *,
        blocking: aioredis.Redis | None = None,
        max_waiters: int = DEFAULT_MAX_WAITERS,
        readers: int = DEFAULT_READERS,
        reconnect_seconds: float = DEFAULT_RECONNECT_SECONDS,
    ) -> None:
        """`blocking` (default: `redis`) carries the blocking XREADs, ideally
        with one connection per reader; wakes go through `redis`."""
        self.max_waiters = max_waiters
        process = secrets.token_hex(8)
        self._readers = [_Reader(redis, blocking or redis, keys, f"{process}-{n}", reconnect_seconds)
                         for n in range(max(1, readers))]
        self._count = 0

    @property
    def count(self) -> int:
        """Requests waiting right now in this process."""
        return self._count

    def has_room(self) -> bool:
        return self._count < self.max_waiters

    async def wait(self, hold_id: str, timeout: float) -> Outcome | None:
        """The hold's outcome, or None after `timeout` seconds.

        Raises QueueUnavailable when Redis stays unreachable for longer than
        `reconnect_seconds` while waiting.
        """
        reader = self._readers[zlib.crc32(hold_id.encode()) % len(self._readers)]
        self._count += 1
        try:
            return await reader.wait(hold_id, timeout)
        finally:
            self._count -= 1

    def release_all(self) -> None:
        """The process is stopping: every waiting request gets None now, as at
        its timeout (its caller answers with the hold id, which any replica
        serves), and later waits return None at once. Without this, a
        request waiting for a reviewer would lose its connection at the
        graceful timeout with no hold id to ask about."""
        for reader in self._readers:
            reader.release()

    async def aclose(self) -> None:
        await asyncio.gather(*(reader.aclose() for reader in self._readers))


class _Released(Exception):
    """Waiting ended because the process is stopping (`release_all`)."""


class _Reader:
    """One blocking XREAD over the result streams of its share of the holds."""

    def __init__(self, redis: aioredis.Redis, blocking: aioredis.Redis, keys: ReviewKeys,
                 token: str, reconnect_seconds: float) -> None:
        self.redis = redis
        self.blocking = blocking
        self.keys = keys
        self.reconnect_seconds = reconnect_seconds
        self._futures: dict[str, list[asyncio.Future[Outcome]]] = {}
        self._task: asyncio.Task[None] | None = None
        self._wake_key = keys.wake(token)
        self._wake_seen = "0"
        self._wake_pending = False
        self._done_prefix = keys.done("")
        self._released = False

    async def wait(self, hold_id: str, timeout: float) -> Outcome | None:
        if self._released:
            return None
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._futures.setdefault(hold_id, []).append(future)
        try:
            self._ensure_task()
            await self._wake()
            return await asyncio.wait_for(future, timeout)
        except (TimeoutError, _Released):
            return None
        finally:
            self._forget(hold_id, future)

    def release(self) -> None:
        self._released = True
        for futures in self._futures.values():
            for future in futures:
                if not future.done():
                    future.set_exception(_Released())

    async def aclose(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    def _forget(self, hold_id: str, future: asyncio.Future[Outcome]) -> None:
        futures = self._futures.get(hold_id)
        if futures is None:
            return
        if future in futures:
            futures.remove(future)
        if not futures:
            del self._futures[hold_id]

    def _ensure_task(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._read(), name="hold-outcome-reader")

    async def _wake(self) -> None:
        # One wake per XREAD is enough: the reader clears the flag just before
        # it takes the list of keys, so a waiter added after that sends another.
        if self._wake_pending:
            return
        self._wake_pending = True
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.xadd(self._wake_key, {"w": "1"}, maxlen=1, approximate=False)
                pipe.expire(self._wake_key, _WAKE_TTL_SECONDS)
                await pipe.execute()
        except RedisError as exc:
            self._wake_pending = False
            logger.error("review queue: wait failed: %s", type(exc).__name__)
            raise QueueUnavailable("review queue unavailable (wait)") from exc

    async def _read(self) -> None:
        failing_since: float | None = None
        while self._futures:
            self._wake_pending = False
            streams: dict[Any, Any] = {self.keys.done(h): "0" for h in self._futures}
            streams[self._wake_key] = self._wake_seen
            try:
                reply = await self.blocking.xread(streams, count=1, block=_BLOCK_MS)
            except RedisError as exc:
                now = time.monotonic()
                if failing_since is None:
                    failing_since = now
                    logger.warning("review queue: outcome reader lost Redis (%s); retrying",
                                   type(exc).__name__)
                elif now - failing_since >= self.reconnect_seconds:
                    self._fail_all(exc)
                    failing_since = None
                await asyncio.sleep(_RETRY_PAUSE_SECONDS)
                continue
            failing_since = None
            self._deliver(reply)
        self._task = None

    def _deliver(self, reply: Any) -> None:
        # RESP2's shape (the client the app builds): [[stream, [(id, fields)]], ...]
        for stream, entries in reply or []:
            name = stream.decode() if isinstance(stream, bytes) else str(stream)
            if not entries:
                continue
            if name == self._wake_key:
                last_id = entries[-1][0]
                self._wake_seen = last_id.decode() if isinstance(last_id, bytes) else last_id
                continue
            hold_id = name[len(self._done_prefix):]
            outcome = Outcome.from_json(entries[0][1][b"outcome"])
            for future in self._futures.pop(hold_id, []):
                if not future.done():
                    future.set_result(outcome)

    def _fail_all(self, exc: BaseException) -> None:
        logger.error("review queue: outcome reader gave up after %.0f s without Redis; "
                     "%d waiting requests get a 503 with their hold id",
                     self.reconnect_seconds, sum(map(len, self._futures.values())))
        futures, self._futures = self._futures, {}
        for waiting in futures.values():
            for future in waiting:
                if not future.done():
                    error = QueueUnavailable("review queue unavailable (wait)")
                    error.__cause__ = exc
                    future.set_exception(error)
