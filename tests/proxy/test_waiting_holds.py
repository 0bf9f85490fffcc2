"""Requests waiting for review never starve the rest of the proxy: they share
one Redis connection, and past the cap a held answer gets its hold id at once."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import redis

from guardrail.config import Settings
from guardrail.standin import ThreadedServer
from tests.store import replicas

WAITERS = 24


@pytest.fixture(scope="module")
def upstream() -> Iterator[ThreadedServer]:
    with replicas.stand_in() as server:
        yield server


@pytest.fixture
def own_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of this test's own, whose keys are deleted afterwards."""
    prefix = f"gtest:{uuid.uuid4().hex[:8]}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{prefix}*", count=1000):
        client.delete(key)
    client.close()


def _settings(upstream: ThreadedServer, redis_url: str, prefix: str, **extra: object) -> Settings:
    return replicas.replica_settings(upstream, redis_url=redis_url, redis_prefix=prefix, **extra)


def test_many_waiters_on_a_small_pool_leave_other_requests_working(
    upstream: ThreadedServer, redis_url: str, own_prefix: str
) -> None:
    settings = _settings(upstream, redis_url, own_prefix, redis_max_connections=4)
    key, token = replicas.app_key_and_reviewer(settings)
    with replicas.replica(settings) as proxy, ThreadPoolExecutor(WAITERS) as pool:
        waiting = [pool.submit(replicas.chat, proxy, key, f"Where is parcel {n}?", wait=120, timeout=180)
                   for n in range(WAITERS)]
        ids = replicas.wait_for_pending(proxy, token, WAITERS, timeout=120)
        assert not any(f.done() for f in waiting)
        # Far more waiters than connections, and the rest of the proxy still answers.
        headers = {"Authorization": f"Bearer {key}"}
        assert httpx.get(f"{proxy.url}/v1/models", headers=headers, timeout=30).status_code == 200
        assert httpx.get(f"{proxy.url}/readyz", timeout=30).status_code == 200
        for hold_id in ids:
            assert replicas.decide(proxy, token, hold_id, "approve").status_code == 200
        responses = [f.result(timeout=120) for f in waiting]
    assert [r.status_code for r in responses] == [200] * WAITERS
    assert {r.headers["x-guardrail-decision"] for r in responses} == {"approve"}
    assert sorted(r.headers["x-guardrail-hold-id"] for r in responses) == sorted(ids)


def test_past_the_cap_a_waiting_request_gets_its_hold_id_at_once(
    upstream: ThreadedServer, redis_url: str, own_prefix: str
) -> None:
    settings = _settings(upstream, redis_url, own_prefix, max_waiting_holds=0)
    key, token = replicas.app_key_and_reviewer(settings)
    with replicas.replica(settings) as proxy:
        response = replicas.chat(proxy, key, "Where is my parcel?", wait=120)
        assert response.status_code == 200
        hold_id = response.headers["x-guardrail-hold-id"]
        assert "x-guardrail-decision" not in response.headers  # the holding message, not a decision
        assert replicas.RUDE not in response.text
        assert replicas.pending_holds(proxy, token) == [hold_id]
