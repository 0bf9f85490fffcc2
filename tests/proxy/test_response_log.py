"""The response log (for customer reports) keeps only what may be stored."""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis

from guardrail.review import ResponseLog
from guardrail.standin import Reply
from tests.support.harness import MODEL, ProxyHarness

STRANGER_EMAIL = "someone.else@example.org"


def _record(harness: ProxyHarness, response_id: str):
    async def read():
        client = aioredis.Redis.from_url(harness.settings.redis_url or "")
        try:
            return await ResponseLog(client, prefix=harness.settings.redis_prefix).get("shop", response_id)
        finally:
            await client.aclose()

    return asyncio.run(read())


def test_a_blocked_answer_is_logged_as_the_fallback_not_as_written(guarded: ProxyHarness) -> None:
    guarded.provider.responder = lambda body: Reply(content=f"Sure, write to {STRANGER_EMAIL}.")
    raw = guarded.client().chat.completions.with_raw_response.create(
        model=MODEL, messages=[{"role": "user", "content": "Who else ordered this?"}]
    )
    assert raw.headers["x-guardrail-verdict"] == "block"
    completion = raw.parse()
    record = _record(guarded, completion.id)
    assert record is not None
    assert STRANGER_EMAIL not in record.answer
    assert record.answer == completion.choices[0].message.content


def test_a_provider_reply_without_an_id_gets_one(guarded: ProxyHarness) -> None:
    guarded.provider.responder = lambda body: Reply(content="Happy to help.", omit_id=True)
    completion = guarded.client().chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "Hello"}]
    )
    assert completion.id.startswith("chatcmpl-")
    assert _record(guarded, completion.id) is not None
