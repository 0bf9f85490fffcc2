from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from guardrail.audit import AuditLog


@pytest.fixture
async def prefix(key_prefix: str, redis_client: aioredis.Redis) -> AsyncIterator[str]:
    own = f"{key_prefix}{uuid.uuid4().hex[:8]}:"
    yield own
    keys = [k async for k in redis_client.scan_iter(match=own + "*", count=500)]
    if keys:
        await redis_client.delete(*keys)


@pytest.fixture
def audit(redis_client: aioredis.Redis, prefix: str) -> AuditLog:
    return AuditLog(redis_client, prefix=prefix)
