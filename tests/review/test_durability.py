"""A redis-server with append-only persistence, killed with -9 and restarted:
acknowledged holds survive and stay decidable; while it is down the queue
fails closed with QueueUnavailable."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import redis.asyncio as aioredis

from guardrail.audit import AuditLog
from guardrail.review import Decision, HoldStatus, QueueUnavailable, ReviewQueue
from guardrail.store.embedded import find_redis_server
from tests.review.support import park_answer

PREFIX = "durable:"


class RedisProcess:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.socket = data_dir / "redis.sock"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                find_redis_server(),
                "--port",
                "0",
                "--unixsocket",
                str(self.socket),
                "--dir",
                str(self.data_dir),
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
                "--logfile",
                str(self.data_dir / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis(unix_socket_path=str(self.socket)).ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill9(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait()
            self.proc = None


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RedisProcess]:
    process = RedisProcess(tmp_path)
    process.start()
    yield process
    process.stop()


def _queue(client: aioredis.Redis) -> ReviewQueue:
    return ReviewQueue(client, prefix=PREFIX, audit=AuditLog(client, prefix=PREFIX))


async def test_holds_survive_kill_9_and_stay_decidable(server: RedisProcess) -> None:
    client = aioredis.Redis.from_url(server.url)
    queue = _queue(client)
    holds = [await park_answer(queue) for _ in range(5)]
    await queue.claim(holds[0].id, "alice")
    decided = await queue.decide(holds[1].id, "alice", Decision.APPROVE)
    waiter = asyncio.create_task(queue.wait_for_outcome(holds[2].id, 30))
    await asyncio.sleep(0.1)

    server.kill9()
    # The request waiting during the outage gets a clear error, not an answer.
    with pytest.raises(QueueUnavailable):
        await waiter
    with pytest.raises(QueueUnavailable):
        await park_answer(queue)
    with pytest.raises(QueueUnavailable):
        await queue.decide(holds[2].id, "alice", Decision.APPROVE)
    await client.aclose()

    server.start()
    client = aioredis.Redis.from_url(server.url)
    queue = _queue(client)
    try:
        assert {h.id for h in await queue.list()} == {h.id for h in holds} - {holds[1].id}
        assert (await queue.get(holds[0].id)).claimed_by == "alice"
        assert (await queue.get(holds[1].id)).outcome == decided
        for hold in holds[2:]:
            assert (await queue.get(hold.id)).status is HoldStatus.PENDING  # none released
        late = asyncio.create_task(queue.wait_for_outcome(holds[2].id, 10))
        outcome = await queue.decide(holds[2].id, "bob", Decision.EDIT, text="Hi <PERSON_1>")
        assert await late == outcome
        assert (await queue.audit.verify()).ok
    finally:
        await client.aclose()


async def test_redis_down_before_parking_fails_closed(tmp_path: Path) -> None:
    client = aioredis.Redis.from_url(f"unix://{tmp_path / 'nobody.sock'}")
    queue = _queue(client)
    try:
        with pytest.raises(QueueUnavailable) as down:
            await park_answer(queue)
        assert "Go away" not in str(down.value)  # no text in errors
        with pytest.raises(QueueUnavailable):
            await queue.wait_for_outcome("hold_x", 1)
        with pytest.raises(QueueUnavailable):
            await queue.get("hold_x")
    finally:
        await client.aclose()
