"""Fixtures for the review queue: a fresh key prefix per test, the real PII
service with a seeded conversation, and the queue objects."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from guardrail.audit import AuditLog
from guardrail.pii import Analyzer, PiiService
from guardrail.review import ResponseLog, ReviewerStore, ReviewQueue
from tests.review.support import VAULT_KEY, seed_alice


@pytest.fixture
def queue(redis_client: aioredis.Redis, prefix: str, audit: AuditLog) -> ReviewQueue:
    return ReviewQueue(redis_client, prefix=prefix, audit=audit)


@pytest.fixture
def reviewers(redis_client: aioredis.Redis, prefix: str) -> ReviewerStore:
    return ReviewerStore(redis_client, prefix=prefix)


@pytest.fixture
def responses(redis_client: aioredis.Redis, prefix: str) -> ResponseLog:
    return ResponseLog(redis_client, prefix=prefix)


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.fixture
async def pii(redis_client: aioredis.Redis, prefix: str, analyzer: Analyzer) -> AsyncIterator[PiiService]:
    service = PiiService(redis_client, prefix=prefix, vault_keys=[VAULT_KEY], analyzer=analyzer)
    yield service
    await service.aclose()


@pytest.fixture
async def alice(pii: PiiService) -> str:
    """The conversation id of Alice's seeded conversation."""
    return await seed_alice(pii)
