"""Redis Sentinel: a primary, a replica and three sentinels, all local
processes. The proxy finds the primary through the sentinels; when the
primary dies while a request waits for its review, the request either gets
the decision made after the failover or fails closed with its hold id, and
the hold is never lost."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import redis

from guardrail.config import Settings
from guardrail.standin import ThreadedServer
from tests.store import replicas
from tests.store.topology import MISSING, SentinelSetup, redis_sentinel

pytestmark = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")


@dataclass
class Deployment:
    setup: SentinelSetup
    proxy: ThreadedServer
    settings: Settings
    key: str
    token: str


@pytest.fixture(scope="module")
def sentinel() -> Iterator[Deployment]:
    with redis_sentinel() as setup, replicas.stand_in() as upstream:
        settings = replicas.replica_settings(
            upstream, redis_sentinels=setup.sentinel_addresses,
            redis_sentinel_master=setup.master_name, redis_prefix=f"gtest:{uuid.uuid4().hex[:8]}:")
        key, token = replicas.app_key_and_reviewer(settings)
        with replicas.replica(settings) as proxy:
            yield Deployment(setup, proxy, settings, key, token)


def test_the_proxy_finds_the_primary_through_the_sentinels(sentinel: Deployment) -> None:
    response = replicas.chat(sentinel.proxy, sentinel.key, "Hi, my parcel is late.")
    assert response.status_code == 200, response.text
    hold_id = response.headers["x-guardrail-hold-id"]
    primary = redis.Redis(port=sentinel.setup.primary)
    assert primary.exists(f"{sentinel.settings.shared_prefix}review:hold:{hold_id}")
    assert replicas.decide(sentinel.proxy, sentinel.token, hold_id, "approve").status_code == 200


def test_a_waiting_hold_outlives_a_failover(sentinel: Deployment) -> None:
    setup = sentinel.setup
    result: dict[str, httpx.Response] = {}
    waiter = threading.Thread(target=lambda: result.update(response=replicas.chat(
        sentinel.proxy, sentinel.key, "I am Dana Whitfield, where is my parcel?", wait=90, timeout=120)))
    waiter.start()
    (hold_id,) = replicas.wait_for_pending(sentinel.proxy, sentinel.token)
    hold_key = f"{sentinel.settings.shared_prefix}review:hold:{hold_id}"
    replica = redis.Redis(port=setup.replica)
    _until(lambda: replica.exists(hold_key), "the hold did not reach the replica")

    setup.procs.kill(setup.primary)
    _until(lambda: setup.current_primary() == setup.replica, "the sentinels did not fail over", 60)
    # The first calls after the failover may still meet the dead primary: a
    # reviewer retries, and no decision is ever applied twice.
    decided = _retry(lambda: replicas.decide(sentinel.proxy, sentinel.token, hold_id, "edit",
                                             text="Sorry <PERSON_1>, it ships today."))
    assert decided.status_code == 200, decided.text

    waiter.join(timeout=120)
    response = result["response"]
    assert response.headers["x-guardrail-hold-id"] == hold_id
    if response.status_code == 200:  # the wait survived the failover
        assert response.headers["x-guardrail-decision"] == "edit"
        assert response.json()["choices"][0]["message"]["content"] == "Sorry Dana Whitfield, it ships today."
    else:  # or it failed closed, keeping the hold id
        assert response.status_code == 503
        assert "Dana" not in response.text and "fault" not in response.text
    status = httpx.get(f"{sentinel.proxy.url}/v1/holds/{hold_id}", timeout=10,
                       headers={"Authorization": f"Bearer {sentinel.key}"})
    assert status.status_code == 200 and status.json()["status"] == "decided"


def _until(condition, what: str, timeout: float = 30) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except (redis.RedisError, RuntimeError):
            pass
        time.sleep(0.1)
    raise AssertionError(what)


def _retry(call, timeout: float = 30) -> httpx.Response:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        response: httpx.Response = call()
        if response.status_code != 503 or time.monotonic() > deadline:
            return response
        time.sleep(0.5)
