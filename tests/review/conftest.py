"""Fixtures for the review queue: a fresh key prefix per test, a stand-in PII
restorer (the real one lives in guardrail/pii), and the queue objects."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from guardrail.audit import AuditLog
from guardrail.review import ResponseLog, ReviewerStore, ReviewQueue
from tests.review.support import FakePii


@pytest.fixture
async def prefix(key_prefix: str, redis_client: aioredis.Redis) -> AsyncIterator[str]:
    own = f"{key_prefix}{uuid.uuid4().hex[:8]}:"
    yield own
    # Only our own keys: never flush a shared server.
    keys = [k async for k in redis_client.scan_iter(match=own + "*", count=500)]
    if keys:
        await redis_client.delete(*keys)


@pytest.fixture
def audit(redis_client: aioredis.Redis, prefix: str) -> AuditLog:
    return AuditLog(redis_client, prefix=prefix)


@pytest.fixture
def queue(redis_client: aioredis.Redis, prefix: str, audit: AuditLog) -> ReviewQueue:
    return ReviewQueue(redis_client, prefix=prefix, audit=audit)


@pytest.fixture
def reviewers(redis_client: aioredis.Redis, prefix: str) -> ReviewerStore:
    return ReviewerStore(redis_client, prefix=prefix)


@pytest.fixture
def responses(redis_client: aioredis.Redis, prefix: str) -> ResponseLog:
    return ResponseLog(redis_client, prefix=prefix)


@pytest.fixture
def pii() -> FakePii:
    return FakePii()
