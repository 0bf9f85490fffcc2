"""App keys: the bearer tokens apps use instead of the provider's key.

A key is shown once, at creation; Redis keeps only its SHA-256 digest (keys
are 256 random bits, so a fast hash is enough — there is nothing to brute
force). Each key has a short public id for listing and revoking.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

import redis.asyncio as aioredis

KEY_PREFIX = "gr-"


@dataclass(frozen=True)
class AppKey:
    key_id: str
    app: str
    created: float
    revoked: bool


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class KeyStore:
    def __init__(self, redis: aioredis.Redis, *, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix

    def _record(self, digest: str) -> str:
        return f"{self._prefix}appkey:{digest}"

    @property
    def _index(self) -> str:
        return f"{self._prefix}appkey-ids"

    async def create(self, app: str) -> tuple[str, AppKey]:
        """A new key for `app`: returns the secret (shown once) and its record."""
        if not app or len(app) > 100 or not app.replace("-", "").replace("_", "").isalnum():
            raise ValueError("app names use letters, digits, '-' and '_' (at most 100)")
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        digest = _digest(secret)
        key_id = digest[:12]
        created = time.time()
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                self._record(digest),
                mapping={"id": key_id, "app": app, "created": repr(created), "revoked": "0"},
            )
            pipe.hset(self._index, key_id, digest)
            await pipe.execute()
        return secret, AppKey(key_id, app, created, revoked=False)

    async def authenticate(self, secret: str) -> str | None:
        """The app a live key belongs to, or None for an unknown or revoked key."""
        if not secret.startswith(KEY_PREFIX):
            return None
        fields = await self._redis.hmget(self._record(_digest(secret)), ["app", "revoked"])
        app, revoked = fields
        if app is None or revoked == b"1":
            return None
        return app.decode()

    async def list(self) -> list[AppKey]:
        index = await self._redis.hgetall(self._index)
        keys = []
        for digest in index.values():
            record = await self._redis.hgetall(self._record(digest.decode()))
            if record:
                keys.append(
                    AppKey(
                        key_id=record[b"id"].decode(),
                        app=record[b"app"].decode(),
                        created=float(record[b"created"]),
                        revoked=record[b"revoked"] == b"1",
                    )
                )
        return sorted(keys, key=lambda k: k.created)

    async def revoke(self, key_id: str) -> bool:
        digest = await self._redis.hget(self._index, key_id)
        if digest is None:
            return False
        await self._redis.hset(self._record(digest.decode()), "revoked", "1")
        return True
