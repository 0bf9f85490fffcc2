"""Limit failed reviewer sign-ins: the review page's form and the reviewer API.

Failures are counted per client address and, when the attempt names a
reviewer (Basic auth), per reviewer name, in a window that starts at the
first failure. Past the limit, attempts from that address (or for that
name) get a 429 with `Retry-After` until the window ends, right or wrong
credentials alike, so guessing cannot go on at full speed.

An attempt is a POST to the page's `/login`, or a reviewer or admin API call
that carries an `Authorization` header; a failure is such a call answered 401.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
from collections.abc import Callable

import redis.asyncio as aioredis
from redis.exceptions import RedisError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from guardrail.config import SignInLimit
from guardrail.observability.record import note_error

logger = logging.getLogger(__name__)

# KEYS: the subjects' counters; ARGV[1] window seconds. Each key is its own
# call, so a Redis Cluster never sees two slots in one script.
_FAIL = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1])) end
return n
"""


class SignInLimiter:
    def __init__(self, redis: aioredis.Redis, *, prefix: str, limit: SignInLimit) -> None:
        self._redis = redis
        self._prefix = prefix
        self.limit = limit
        self._fail = redis.register_script(_FAIL)

    def _key(self, subject: str) -> str:
        # Digested: an address or a mistyped name is not kept in clear.
        digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
        return f"{self._prefix}ratelimit:signin:{digest}"

    async def retry_after(self, subjects: list[str]) -> int:
        """Seconds until these subjects may try again (0: they may now)."""
        worst = 0
        for subject in subjects:
            key = self._key(subject)
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.get(key)
                pipe.ttl(key)
                count, ttl = await pipe.execute()
            if count is not None and int(count) >= self.limit.failures:
                worst = max(worst, int(ttl) if int(ttl) > 0 else 1)
        return worst

    async def failed(self, subjects: list[str]) -> None:
        for subject in subjects:
            await self._fail(keys=[self._key(subject)], args=[self.limit.window_seconds])


class SignInLimitMiddleware:
    """Wraps the app; only sign-in attempts under `/review` are looked at."""

    def __init__(
        self, app: ASGIApp, limiter: SignInLimiter, *, on_limited: Callable[[str], None] | None = None
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.on_limited = on_limited or (lambda surface: None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        surface = _attempt_surface(scope) if scope["type"] == "http" else None
        if surface is None:
            await self.app(scope, receive, send)
            return
        subjects = _subjects(scope)
        try:
            retry = await self.limiter.retry_after(subjects)
        except RedisError:
            retry = 0  # the store itself will fail the sign-in closed
        if retry:
            self.on_limited(surface)
            note_error("rate_limit_exceeded")
            logger.warning("reviewer sign-in limited (%s)", surface)
            await _too_many(scope, receive, send, retry)
            return
        status = 0

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, watch)
        if status == 401:
            try:
                await self.limiter.failed(subjects)
            except RedisError:
                logger.warning("reviewer sign-in failure not counted: redis unavailable")


def _attempt_surface(scope: Scope) -> str | None:
    path: str = scope["path"]
    if path == "/review/login" and scope["method"] == "POST":
        return "review_page"
    if path.startswith("/review/api/") and _header(scope, b"authorization"):
        return "review_api"
    return None


def _subjects(scope: Scope) -> list[str]:
    client = scope.get("client")
    subjects = [f"addr:{client[0] if client else 'unknown'}"]
    scheme, _, value = _header(scope, b"authorization").partition(" ")
    if scheme.lower() == "basic":
        try:
            name = base64.b64decode(value.strip()).decode().partition(":")[0]
        except (binascii.Error, UnicodeDecodeError):
            name = ""
        if name:
            subjects.append(f"name:{name[:64]}")
    return subjects


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return ""


async def _too_many(scope: Scope, receive: Receive, send: Send, retry: int) -> None:
    body = json.dumps({"error": {
        "message": f"Too many failed sign-in attempts. Try again in {retry} s.",
        "type": "requests", "param": None, "code": "rate_limit_exceeded",
    }}).encode()
    await send({"type": "http.response.start", "status": 429, "headers": [
        (b"content-type", b"application/json"), (b"retry-after", str(retry).encode()),
        (b"content-length", str(len(body)).encode()),
    ]})
    await send({"type": "http.response.body", "body": body})
