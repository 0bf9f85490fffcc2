"""Server-side records of signed-in review-page sessions, so one can end
before its cookie expires.

The cookie stays a signed list of ids (web/session.py); a signed-in session
is honoured only while its id is recorded here. Signing out deletes the
record (a copied cookie is then worthless), and removing a reviewer deletes
every record of theirs. Records expire with the cookie.
"""

from __future__ import annotations

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from guardrail.review.model import QueueUnavailable

# How long a review-page session lasts (the cookie and its record).
SESSION_SECONDS = 12 * 3600


class LiveSessions:
    def __init__(self, redis: aioredis.Redis, *, prefix: str, ttl_seconds: int = SESSION_SECONDS) -> None:
        self._redis = redis
        self._prefix = prefix
        self._ttl = ttl_seconds

    def _session(self, sid: str) -> str:
        return f"{self._prefix}review:session:{sid}"

    def _index(self, reviewer: str) -> str:
        return f"{self._prefix}review:sessions:{reviewer}"

    async def start(self, sid: str, reviewer: str) -> None:
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.set(self._session(sid), reviewer, ex=self._ttl)
                pipe.sadd(self._index(reviewer), sid)
                pipe.expire(self._index(reviewer), self._ttl)
                await pipe.execute()
        except RedisError as exc:
            raise QueueUnavailable("session store unavailable") from exc

    async def is_live(self, sid: str, reviewer: str) -> bool:
        """False when ended, expired, or the store cannot tell (fail closed)."""
        try:
            owner = await self._redis.get(self._session(sid))
        except RedisError:
            return False
        return owner is not None and owner.decode() == reviewer

    async def end(self, sid: str, reviewer: str) -> None:
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.delete(self._session(sid))
                pipe.srem(self._index(reviewer), sid)
                await pipe.execute()
        except RedisError as exc:
            raise QueueUnavailable("session store unavailable") from exc

    async def end_all(self, reviewer: str) -> None:
        """Every session of a reviewer (removed, or their token replaced)."""
        try:
            sids = await self._redis.smembers(self._index(reviewer))
            keys = [self._session(sid.decode()) for sid in sids]
            await self._redis.delete(self._index(reviewer), *keys)
        except RedisError as exc:
            raise QueueUnavailable("session store unavailable") from exc
