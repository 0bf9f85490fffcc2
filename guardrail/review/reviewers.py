"""Reviewer credentials, kept apart from app keys.

Each reviewer gets a generated 256-bit token (shown once). Only its SHA-256
is stored: for a random token of that size a slow password hash adds no
protection and would cost tens of milliseconds on every API call. The token
works as a Bearer token, or as the password of HTTP Basic with the
reviewer's name.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from enum import StrEnum

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from guardrail.review.model import QueueUnavailable
from guardrail.review.sessions import LiveSessions

TOKEN_PREFIX = "grv_"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")


class Role(StrEnum):
    REVIEWER = "reviewer"
    ADMIN = "admin"  # also manages policies and keys


class ReviewerExists(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Reviewer:
    name: str
    role: Role
    can_reveal: bool
    created: float

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "role": str(self.role), "can_reveal": self.can_reveal,
                "created": self.created}


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def valid_name(name: str) -> bool:
    return bool(_NAME.match(name))


class ReviewerStore:
    def __init__(self, redis: aioredis.Redis, *, prefix: str) -> None:
        self._redis = redis
        self._base = f"{prefix}reviewers:"
        # Review-page sessions: a removed reviewer's end with the record.
        self.sessions = LiveSessions(redis, prefix=prefix)

    def _user(self, name: str) -> str:
        return f"{self._base}user:{name}"

    def _token(self, digest: str) -> str:
        return f"{self._base}token:{digest}"

    @property
    def _names(self) -> str:
        return f"{self._base}names"

    async def add(self, name: str, role: Role | str = Role.REVIEWER, *,
                  can_reveal: bool = False) -> tuple[Reviewer, str]:
        """Create a reviewer; returns it and its token (the only time the token is seen)."""
        if not valid_name(name):
            raise ValueError("reviewer names use letters, digits and _.@- (max 64)")
        role = Role(role)
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        digest = _digest(token)
        created = time.time()
        try:
            if not await self._redis.sadd(self._names, name):
                raise ReviewerExists(f"reviewer {name} already exists")
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hset(self._user(name), mapping={
                    "role": str(role), "can_reveal": "1" if can_reveal else "0",
                    "created": repr(created), "token": digest,
                })
                pipe.set(self._token(digest), name)
                await pipe.execute()
        except RedisError as exc:
            raise QueueUnavailable("reviewer store unavailable") from exc
        return Reviewer(name, role, can_reveal, created), token

    async def remove(self, name: str) -> bool:
        try:
            digest = await self._redis.hget(self._user(name), "token")
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.srem(self._names, name)
                pipe.delete(self._user(name))
                if digest:
                    pipe.delete(self._token(digest.decode()))
                removed, *_ = await pipe.execute()
        except RedisError as exc:
            raise QueueUnavailable("reviewer store unavailable") from exc
        await self.sessions.end_all(name)
        return bool(removed)

    async def get(self, name: str) -> Reviewer | None:
        try:
            raw = await self._redis.hgetall(self._user(name))
        except RedisError as exc:
            raise QueueUnavailable("reviewer store unavailable") from exc
        if not raw:
            return None
        return Reviewer(
            name=name,
            role=Role(raw[b"role"].decode()),
            can_reveal=raw.get(b"can_reveal") == b"1",
            created=float(raw.get(b"created", b"0")),
        )

    async def list(self) -> list[Reviewer]:
        try:
            names = sorted(n.decode() for n in await self._redis.smembers(self._names))
        except RedisError as exc:
            raise QueueUnavailable("reviewer store unavailable") from exc
        found = [await self.get(name) for name in names]
        return [r for r in found if r is not None]

    async def authenticate_token(self, token: str) -> Reviewer | None:
        if not token.startswith(TOKEN_PREFIX):
            return None
        try:
            name = await self._redis.get(self._token(_digest(token)))
        except RedisError as exc:
            raise QueueUnavailable("reviewer store unavailable") from exc
        return await self.get(name.decode()) if name else None

    async def authenticate_basic(self, name: str, password: str) -> Reviewer | None:
        if not valid_name(name):
            return None
        try:
            stored = await self._redis.hget(self._user(name), "token")
        except RedisError as exc:
            raise QueueUnavailable("reviewer store unavailable") from exc
        if stored is None or not hmac.compare_digest(stored.decode(), _digest(password)):
            return None
        return await self.get(name)
