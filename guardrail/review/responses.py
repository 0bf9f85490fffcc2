"""What the proxy remembers about each answer it sent, for customer reports.

The proxy calls `ResponseLog.record_response(...)` once per chat completion
it returns (after de-identification, before re-identification), so a later
`POST /v1/feedback` naming that response id can put the answer and its
context in front of a reviewer. Keys are per app: one app cannot report
another's responses.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from guardrail.review.keys import ReviewKeys
from guardrail.review.model import QueueUnavailable

DEFAULT_RESPONSE_TTL = 7 * 24 * 3600
_CONTEXT_MESSAGES = 10  # enough for a reviewer to follow; bounded memory per response


@dataclass(frozen=True, slots=True)
class ResponseRecord:
    response_id: str
    app: str
    conversation_id: str
    answer: str
    policy_version: str
    hold_id: str | None
    messages: tuple[dict[str, Any], ...]


class ResponseLog:
    def __init__(self, redis: aioredis.Redis, *, prefix: str,
                 ttl_seconds: int = DEFAULT_RESPONSE_TTL) -> None:
        self._redis = redis
        self.keys = ReviewKeys(prefix)
        self.ttl_seconds = ttl_seconds

    async def record_response(
        self,
        response_id: str,
        *,
        app: str,
        conversation_id: str,
        answer: str,
        policy_version: str = "",
        hold_id: str | None = None,
        messages: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        """One round trip. `answer` and `messages` must be de-identified."""
        key = self.keys.response(app, response_id)
        context = [dict(m) for m in messages][-_CONTEXT_MESSAGES:]
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hset(key, mapping={
                    "conv": conversation_id, "answer": answer, "policy_version": policy_version,
                    "hold_id": hold_id or "",
                    "messages": json.dumps(context, ensure_ascii=False, separators=(",", ":")),
                })
                pipe.expire(key, self.ttl_seconds)
                await pipe.execute()
        except RedisError as exc:
            raise QueueUnavailable("response log unavailable") from exc

    async def get(self, app: str, response_id: str) -> ResponseRecord | None:
        try:
            raw = await self._redis.hgetall(self.keys.response(app, response_id))
        except RedisError as exc:
            raise QueueUnavailable("response log unavailable") from exc
        if not raw:
            return None
        data = {k.decode(): v.decode() for k, v in raw.items()}
        return ResponseRecord(
            response_id=response_id,
            app=app,
            conversation_id=data.get("conv", ""),
            answer=data.get("answer", ""),
            policy_version=data.get("policy_version", ""),
            hold_id=data.get("hold_id") or None,
            messages=tuple(json.loads(data.get("messages") or "[]")),
        )
