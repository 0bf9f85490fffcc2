"""Webhooks against a real HTTP server on 127.0.0.1: signed, retried, at least once."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from guardrail.app import _webhook_targets
from guardrail.config import AppConfig, ConfigFile, Settings
from guardrail.pii import PiiService
from guardrail.review import (
    SIGNATURE_HEADER,
    Decision,
    ReviewQueue,
    WebhookDispatcher,
    WebhookTarget,
    verify_signature,
)
from tests.review.support import park_answer

SECRET = "whsec-test"


@dataclass
class Receiver:
    url: str
    statuses: list[int]  # what to answer, in order; 200 once exhausted
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="", statuses=[])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.received.append((dict(self.headers), body))
            status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/guardrail"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def _dispatcher(
    queue: ReviewQueue, receiver: Receiver, pii: PiiService, **kwargs: object
) -> WebhookDispatcher:
    targets = {"shop": WebhookTarget(receiver.url, SECRET)}
    return WebhookDispatcher(queue, target_for=targets.get, pii=pii, base_delay=0.05, **kwargs)  # type: ignore[arg-type]


async def _drain(dispatcher: WebhookDispatcher, until: int, receiver: Receiver) -> None:
    for _ in range(200):
        await dispatcher.deliver_due()
        if len(receiver.received) >= until:
            return
        await asyncio.sleep(0.02)


async def test_decision_is_posted_signed_and_reidentified(
    queue: ReviewQueue, receiver: Receiver, pii: PiiService, alice: str
) -> None:
    hold = await park_answer(queue, conversation_id=alice)
    await queue.decide(hold.id, "alice", Decision.EDIT, text="Hello <PERSON_1>.")
    dispatcher = _dispatcher(queue, receiver, pii)
    try:
        await _drain(dispatcher, 1, receiver)
    finally:
        await dispatcher.aclose()
    ((headers, body),) = receiver.received
    assert verify_signature(SECRET, headers[SIGNATURE_HEADER], body)
    assert not verify_signature("wrong-secret", headers[SIGNATURE_HEADER], body)
    assert not verify_signature(SECRET, headers[SIGNATURE_HEADER], body + b" ")
    assert headers["Idempotency-Key"] == hold.id
    payload = json.loads(body)
    assert payload["type"] == "hold.decided"
    assert payload["hold"]["text"] == "Hello Alice Example."
    assert payload["hold"]["hold_id"] == hold.id and payload["hold"]["decision"] == "edit"
    assert await queue.redis.zcard(queue.keys.outbox) == 0


async def test_failures_are_retried_with_the_same_idempotency_key(
    queue: ReviewQueue, receiver: Receiver, pii: PiiService
) -> None:
    receiver.statuses = [500, 503]
    hold = await park_answer(queue, deadline_seconds=0.05)
    await asyncio.sleep(0.1)
    await queue.expire_due()
    dispatcher = _dispatcher(queue, receiver, pii)
    try:
        await _drain(dispatcher, 3, receiver)
    finally:
        await dispatcher.aclose()
    assert len(receiver.received) == 3
    keys = {headers["Idempotency-Key"] for headers, _ in receiver.received}
    assert keys == {hold.id}
    final = json.loads(receiver.received[-1][1])
    assert final["type"] == "hold.expired"
    assert final["hold"]["text"] == "Sorry, a colleague will get back to you."
    assert await queue.redis.zcard(queue.keys.outbox) == 0


async def test_outbox_survives_a_dispatcher_that_never_ran(
    queue: ReviewQueue, receiver: Receiver, pii: PiiService
) -> None:
    """The outbox entry is written with the decision, so a dispatcher started
    later (another replica, after a crash) still delivers it."""
    hold = await park_answer(queue)
    await queue.decide(hold.id, "alice", Decision.APPROVE)
    assert await queue.redis.zscore(queue.keys.outbox, hold.id) is not None
    dispatcher = _dispatcher(queue, receiver, pii)
    task = asyncio.create_task(dispatcher.run(interval=0.02))
    try:
        for _ in range(200):
            if receiver.received:
                break
            await asyncio.sleep(0.02)
    finally:
        task.cancel()
        await dispatcher.aclose()
    assert len(receiver.received) == 1


async def test_gives_up_into_dead_letters(queue: ReviewQueue, receiver: Receiver, pii: PiiService) -> None:
    receiver.statuses = [500] * 10
    hold = await park_answer(queue)
    await queue.decide(hold.id, "alice", Decision.APPROVE)
    dispatcher = _dispatcher(queue, receiver, pii, max_attempts=3)
    try:
        await _drain(dispatcher, 3, receiver)
        await dispatcher.deliver_due()
    finally:
        await dispatcher.aclose()
    assert len(receiver.received) == 3
    assert await queue.redis.zscore(queue.keys.outbox_dead, hold.id) is not None
    assert await queue.redis.zcard(queue.keys.outbox) == 0


async def test_apps_without_webhook_are_skipped(
    queue: ReviewQueue, receiver: Receiver, pii: PiiService
) -> None:
    hold = await park_answer(queue, app="no-hooks")
    await queue.decide(hold.id, "alice", Decision.APPROVE)
    dispatcher = _dispatcher(queue, receiver, pii)
    try:
        assert await dispatcher.deliver_due() == 0
    finally:
        await dispatcher.aclose()
    assert receiver.received == []
    assert await queue.redis.zcard(queue.keys.outbox) == 0


async def test_a_missing_secret_delays_delivery_without_stopping_the_dispatcher(
    queue: ReviewQueue, receiver: Receiver, pii: PiiService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The secret is an `os.environ/` reference whose variable is not set yet:
    the entry waits (retried), the dispatcher keeps running, and once the
    variable is set the notification goes out."""
    monkeypatch.delenv("TEST_HOOK_SECRET", raising=False)
    settings = Settings(file=ConfigFile(apps=[AppConfig(
        name="shop", webhook_url=receiver.url, webhook_secret="os.environ/TEST_HOOK_SECRET"
    )]))
    dispatcher = WebhookDispatcher(
        queue, target_for=_webhook_targets(settings), pii=pii, base_delay=0.05, max_delay=0.1
    )
    task = asyncio.create_task(dispatcher.run(interval=0.02))
    try:
        hold = await park_answer(queue)
        await queue.decide(hold.id, "alice", Decision.APPROVE)
        for _ in range(20):
            await asyncio.sleep(0.02)
        assert not task.done() and receiver.received == []
        monkeypatch.setenv("TEST_HOOK_SECRET", SECRET)
        for _ in range(300):
            if receiver.received:
                break
            await asyncio.sleep(0.02)
        ((headers, body),) = receiver.received
        assert verify_signature(SECRET, headers[SIGNATURE_HEADER], body)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await dispatcher.aclose()
