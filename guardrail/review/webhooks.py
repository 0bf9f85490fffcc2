"""Telling an app its hold was decided: signed POSTs from a Redis outbox.

The decision script adds the hold id to the outbox zset in the same atomic
step that closes the hold, so a crash right after a decision cannot lose the
notification. A dispatcher (one per replica, any number) leases due ids,
POSTs, and removes them on a 2xx; failures come back with exponential
backoff. Delivery is at-least-once: receivers dedupe on `Idempotency-Key`
(the hold id; a hold has exactly one outcome).

Signature (Stripe's scheme): `X-Guardrail-Signature: t=<unix>,v1=<hex>` where
v1 = HMAC-SHA256(secret, f"{t}.{body}").
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from redis.exceptions import RedisError

from guardrail.review.model import HoldNotFound, QueueUnavailable
from guardrail.review.queue import ReviewQueue
from guardrail.review.restore import RestorerSource, restore_text

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Guardrail-Signature"

# ARGV: limit, lease_ms. Leases due ids by pushing their score past the lease.
_LEASE = r"""
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
for _, id in ipairs(ids) do
  redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), id)
end
return ids
"""

# KEYS: outbox, attempts, dead. ARGV: id, max_attempts, delay_ms. Returns attempts so far.
_RETRY = r"""
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
if n >= tonumber(ARGV[2]) then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('ZADD', KEYS[3], now, ARGV[1])
else
  redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[3]), ARGV[1])
end
return n
"""


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    url: str
    secret: str


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def verify_signature(secret: str, header: str, body: bytes, *, tolerance: float = 300,
                     now: float | None = None) -> bool:
    """For receivers (and tests): is `header` a fresh signature of `body`?"""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        t = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - t) > tolerance:
        return False
    expected = sign(secret, body, t).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


class WebhookDispatcher:
    """Sends due outbox entries. `target_for(app)` returns where (None: the
    app has no webhook, the entry is dropped); secrets are looked up at send
    time, so they never sit in Redis and rotation applies at once."""

    def __init__(
        self,
        queue: ReviewQueue,
        *,
        target_for: Callable[[str], WebhookTarget | None],
        pii: RestorerSource,
        client: httpx.AsyncClient | None = None,
        max_attempts: int = 12,
        base_delay: float = 1.0,
        max_delay: float = 900.0,
        lease_seconds: float = 30.0,
        timeout: float = 10.0,
        on_failure: Callable[[], None] = lambda: None,
    ) -> None:
        self.queue = queue
        self.on_failure = on_failure  # e.g. a metrics counter's inc
        self.target_for = target_for
        self.pii = pii
        self.client = client or httpx.AsyncClient(timeout=timeout)
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.lease_ms = int(lease_seconds * 1000)
        redis = queue.redis
        self._lease = redis.register_script(_LEASE)
        self._retry = redis.register_script(_RETRY)

    async def deliver_due(self, limit: int = 20) -> int:
        """One pass over due entries; returns how many were delivered."""
        keys = self.queue.keys
        try:
            ids = await self._lease(keys=[keys.outbox], args=[limit, self.lease_ms])
        except RedisError as exc:
            raise QueueUnavailable("webhook outbox unavailable") from exc
        results = await asyncio.gather(*(self._deliver_one(raw.decode()) for raw in ids))
        return sum(results)

    async def _deliver_one(self, hold_id: str) -> bool:
        keys = self.queue.keys
        try:
            hold = await self.queue.get(hold_id)
        except HoldNotFound:
            hold = None
        target = None
        if hold is not None and hold.outcome is not None:
            try:
                target = self.target_for(hold.app)
            except Exception as exc:  # a secret's variable unset: retry once it is set
                await self._schedule_retry(hold_id, hold.app, f"no webhook target ({type(exc).__name__})")
                return False
        if hold is None or hold.outcome is None or target is None:
            # Nothing to send (no webhook configured, or the hold is gone).
            await self.queue.redis.zrem(keys.outbox, hold_id)
            return False
        outcome = hold.outcome
        try:
            text = await restore_text(self.pii, hold, outcome.text)
            body = json.dumps({
                "id": hold_id,
                "type": f"hold.{outcome.status}",
                # The app correlates by hold id (it got it in the response); our
                # conversation id is an internal digest it would not recognise.
                "hold": {**outcome.to_dict(), "text": text},
            }, ensure_ascii=False, separators=(",", ":")).encode()
            response = await self.client.post(target.url, content=body, headers={
                "Content-Type": "application/json",
                SIGNATURE_HEADER: sign(target.secret, body),
                "Idempotency-Key": hold_id,
                "X-Guardrail-Event": f"hold.{outcome.status}",
            })
            if 200 <= response.status_code < 300:
                async with self.queue.redis.pipeline(transaction=True) as pipe:
                    pipe.zrem(keys.outbox, hold_id)
                    pipe.hdel(keys.outbox_attempts, hold_id)
                    await pipe.execute()
                logger.info("webhook for hold %s delivered to app %s", hold_id, hold.app)
                return True
            problem = f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            problem = type(exc).__name__
        except Exception as exc:  # re-identification failed: retry, never send placeholders
            problem = type(exc).__name__
        await self._schedule_retry(hold_id, hold.app, problem)
        return False

    async def _schedule_retry(self, hold_id: str, app: str, problem: str) -> None:
        self.on_failure()
        keys = self.queue.keys
        attempts = int(await self.queue.redis.hget(keys.outbox_attempts, hold_id) or 0) + 1
        delay = min(self.max_delay, self.base_delay * 2 ** (attempts - 1))
        delay *= random.uniform(0.5, 1.0)  # jitter, so replicas don't retry in lockstep
        n = await self._retry(
            keys=[keys.outbox, keys.outbox_attempts, keys.outbox_dead],
            args=[hold_id, self.max_attempts, int(delay * 1000)],
        )
        if int(n) >= self.max_attempts:
            logger.error("webhook for hold %s (app %s) gave up after %s attempts: %s",
                         hold_id, app, n, problem)
        else:
            logger.warning("webhook for hold %s (app %s) failed (%s); retry %s in %.1fs",
                           hold_id, app, problem, n, delay)

    async def run(self, interval: float = 0.5) -> None:
        """The dispatcher loop for the app's lifespan."""
        while True:
            try:
                await self.deliver_due()
            except (QueueUnavailable, RedisError):
                logger.warning("webhook dispatcher: redis unavailable")
            except Exception as exc:
                # One bad entry or setting must not end notifications for every app.
                logger.error("webhook dispatcher pass failed: %s", type(exc).__name__)
            await asyncio.sleep(interval)

    async def aclose(self) -> None:
        await self.client.aclose()
