"""Shared fixtures: a real Redis (the local server, else an embedded one).

Every test session gets its own key prefix, so test runs never see each
other's keys and nothing needs flushing.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis
import redis.asyncio as aioredis

from guardrail.audit import AuditLog
from guardrail.store.embedded import EmbeddedRedis

LOCAL_REDIS_URL = "redis://127.0.0.1:6379/0"


def _local_redis_answers(url: str) -> bool:
    try:
        client = redis.Redis.from_url(url, socket_timeout=0.5)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except redis.RedisError:
        return False


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """REDIS_URL from the environment, else 127.0.0.1:6379, else embedded."""
    url = os.environ.get("GUARDRAIL_TEST_REDIS_URL") or LOCAL_REDIS_URL
    if os.environ.get("GUARDRAIL_TEST_EMBEDDED_REDIS") != "1" and _local_redis_answers(url):
        yield url
        return
    server = EmbeddedRedis(Path(tmp_path_factory.mktemp("redis")))
    yield server.start()
    server.stop()


@pytest.fixture(scope="session")
def key_prefix() -> str:
    return f"gtest:{uuid.uuid4().hex[:8]}:"


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
async def prefix(key_prefix: str, redis_client: aioredis.Redis) -> AsyncIterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards (only
    ours: never flush a shared server)."""
    own = f"{key_prefix}{uuid.uuid4().hex[:8]}:"
    yield own
    keys = [k async for k in redis_client.scan_iter(match=own + "*", count=500)]
    if keys:
        await redis_client.delete(*keys)


@pytest.fixture
def audit(redis_client: aioredis.Redis, prefix: str) -> AuditLog:
    return AuditLog(redis_client, prefix=prefix)
