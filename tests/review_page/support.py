"""Helpers for the review page tests: reviewers, scripted answers, holds
created through the proxy by the openai SDK, and a headless Chromium."""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import httpx
import redis.asyncio as aioredis

from guardrail.audit import AuditLog
from guardrail.review import ReviewQueue
from guardrail.review.reviewers import ReviewerStore, Role
from guardrail.standin import Reply
from guardrail.standin.provider import last_user_text
from tests.support.harness import MODEL, ProxyHarness

CHROMIUM = os.environ.get("GUARDRAIL_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
WAIT_HEADERS = {"X-Guardrail-Hold-Mode": "wait", "X-Guardrail-Hold-Wait": "30"}

T = TypeVar("T")


def chromium_problem() -> str | None:
    """Why the browser tests cannot run, or None. Never a reason to skip:
    the tests fail with this message so a CI without Chromium is noticed."""
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        return (
            f"Chromium not found at {CHROMIUM}: install it (apt-get install -y chromium) "
            "or set GUARDRAIL_TEST_CHROMIUM to its path"
        )
    return None


class Script:
    """The stand-in provider's answers, chosen by a marker in the customer's
    message so each test gets its own answer. `{ph}` in an answer is
    replaced by the first placeholder the provider received, which is how a
    real model copies a de-identified name back."""

    def __init__(self) -> None:
        self.answers: dict[str, str] = {}

    def __call__(self, body: dict[str, Any]) -> Reply:
        text = last_user_text(body)
        for marker, answer in self.answers.items():
            if marker in text:
                start = text.find("<")
                placeholder = text[start : text.find(">", start) + 1] if start >= 0 else ""
                return Reply(content=answer.replace("{ph}", placeholder))
        return Reply(content="Happy to help with your order. Let me know if there is anything else.")


def run(coro_factory: Callable[[], Any]) -> Any:
    """asyncio.run in a thread of its own: Playwright's sync API keeps an
    event loop running in the test's thread."""
    with ThreadPoolExecutor(max_workers=1) as one:
        return one.submit(lambda: asyncio.run(coro_factory())).result(timeout=30)


def add_reviewer(harness: ProxyHarness, name: str, role: Role, *, can_reveal: bool) -> str:
    async def add() -> str:
        client = aioredis.Redis.from_url(harness.settings.redis_url or "")
        try:
            store = ReviewerStore(client, prefix=harness.settings.redis_prefix)
            await store.remove(name)
            _, token = await store.add(name, role, can_reveal=can_reveal)
            return token
        finally:
            await client.aclose()

    result: str = run(add)
    return result


def with_queue(harness: ProxyHarness, action: Callable[[ReviewQueue], Any]) -> Any:
    """Run `action(queue)` against the proxy's own queue (same Redis and prefix)."""

    async def go() -> Any:
        client = aioredis.Redis.from_url(harness.settings.redis_url or "")
        try:
            prefix = harness.settings.redis_prefix
            queue = ReviewQueue(client, prefix=prefix, audit=AuditLog(client, prefix=prefix))
            return await action(queue)
        finally:
            await client.aclose()

    return run(go)


def audit_events(harness: ProxyHarness) -> list[str]:
    """Every audit entry's body, as raw JSON text (for 'never the values' checks)."""

    async def read() -> list[str]:
        client = aioredis.Redis.from_url(harness.settings.redis_url or "")
        try:
            entries = await client.xrange(f"{harness.settings.redis_prefix}audit:log")
            return [fields[b"body"].decode() for _, fields in entries]
        finally:
            await client.aclose()

    result: list[str] = run(read)
    return result


def open_ids(harness: ProxyHarness, token: str) -> set[str]:
    response = httpx.get(
        f"{harness.proxy.url}/review/api/holds", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    response.raise_for_status()
    return {item["id"] for item in response.json()["data"]}


class WaitingCall:
    """An SDK call in hold mode `wait`, running in a thread, as an app would make it."""

    def __init__(self, harness: ProxyHarness, token: str, message: str, executor: ThreadPoolExecutor) -> None:
        before = open_ids(harness, token)
        client = harness.client()
        self.future: Future[Any] = executor.submit(
            lambda: client.chat.completions.with_raw_response.create(
                model=MODEL,
                messages=[{"role": "user", "content": message}],
                extra_headers=WAIT_HEADERS,
                timeout=60,
            )
        )
        self.hold_id = eventually(lambda: _one_new(open_ids(harness, token) - before, self.future))

    def result(self) -> tuple[str, dict[str, str]]:
        raw = self.future.result(timeout=45)
        return raw.parse().choices[0].message.content, dict(raw.headers)


def _one_new(new: set[str], future: Future[Any]) -> str | None:
    if future.done():  # not held at all: fail with what the app got instead
        raw = future.result()
        raise AssertionError(
            f"the answer was not held: {raw.headers.get('x-guardrail-verdict')} "
            f"{raw.parse().choices[0].message.content!r}"
        )
    return next(iter(new)) if len(new) == 1 else None


def eventually(probe: Callable[[], T | None], timeout: float = 20.0) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value is not None:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.1)
