"""PII fixtures: one analyzer per test session (loading spaCy takes a second),
a fresh service per test on the real Redis under the session's key prefix."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from guardrail.pii import Analyzer, PiiPolicy, PiiService

VAULT_KEY = b"test-vault-key-0123456789abcdef!"


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.fixture
def pii_prefix(key_prefix: str) -> str:
    return f"{key_prefix}{uuid.uuid4().hex[:6]}:"


@pytest.fixture
async def pii_service(
    redis_client: aioredis.Redis, pii_prefix: str, analyzer: Analyzer
) -> AsyncIterator[PiiService]:
    service = PiiService(redis_client, prefix=pii_prefix, vault_keys=[VAULT_KEY], analyzer=analyzer)
    yield service
    await service.aclose()


@pytest.fixture
def policy() -> PiiPolicy:
    return PiiPolicy.default()
