"""A policy set that only allows or blocks streams sentence by sentence; a
failing sentence ends the stream with the fallback, and nothing after it leaks."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from guardrail.proxy.sentences import split_complete
from guardrail.standin import Reply
from tests.proxy.test_guarded import SARAH, SEEDED
from tests.support.harness import MODEL, SHIPPED_POLICIES, ProxyHarness, running_proxy


@pytest.fixture(scope="module")
def internal(redis_url: str) -> Iterator[ProxyHarness]:
    config = {"apps": [{"name": "internal", "policy_set": "minimal"}]}
    with running_proxy(redis_url, policies_dir=SHIPPED_POLICIES, config=config) as harness:
        yield harness


def _stream(harness: ProxyHarness) -> tuple[list[str], dict]:
    stream = harness.client("internal").chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": SEEDED}], stream=True
    )
    pieces, guardrail = [], {}
    for chunk in stream:
        extra = chunk.model_extra or {}
        guardrail = extra.get("guardrail") or guardrail
        pieces += [c.delta.content for c in chunk.choices if c.delta.content]
    return pieces, guardrail


def test_split_complete() -> None:
    assert split_complete("One. Two! Thr") == ("One. Two! ", "Thr")
    assert split_complete("您好。请稍") == ("您好。", "请稍")
    assert split_complete("no end yet") == ("", "no end yet")


def test_clean_answer_streams_sentence_by_sentence_with_values_restored(internal: ProxyHarness) -> None:
    internal.provider.responder = lambda body: Reply(
        content="Thanks <PERSON_1>. Your order ships today. Anything else?", chunk_size=3
    )
    pieces, guardrail = _stream(internal)
    assert "".join(pieces) == f"Thanks {SARAH['name']}. Your order ships today. Anything else?"
    assert len(pieces) >= 3  # released per sentence, not as one blob
    assert guardrail["verdict"] == "allow"


def test_blocked_sentence_ends_the_stream_with_the_fallback(internal: ProxyHarness) -> None:
    internal.provider.responder = lambda body: Reply(
        content="Your parcel left today. What the f u c k is wrong with the courier. Secret tail.",
        chunk_size=4,
    )
    pieces, guardrail = _stream(internal)
    text = "".join(pieces)
    assert text.startswith("Your parcel left today.")
    assert "f u c k" not in text and "Secret tail" not in text
    assert "follow up with you" in text
    assert guardrail["verdict"] == "block"
    assert "minimal.profanity" in json.dumps(guardrail)


@pytest.mark.parametrize("include_usage", [False, True])
def test_the_header_says_streaming_and_the_verdict_rides_on_the_last_chunk(
    internal: ProxyHarness, include_usage: bool
) -> None:
    internal.provider.responder = lambda body: Reply(
        content="Your parcel left today. What the f u c k is wrong with the courier.", chunk_size=4
    )
    options = {"stream_options": {"include_usage": True}} if include_usage else {}
    with internal.client("internal").chat.completions.with_streaming_response.create(
        model=MODEL, messages=[{"role": "user", "content": "where is it"}], stream=True, **options
    ) as response:
        # Sent before the later sentence was blocked: honest about not knowing yet.
        assert response.headers["X-Guardrail-Verdict"] == "streaming"
        chunks = list(response.parse())
    if include_usage:
        usage = chunks.pop()
        assert usage.choices == [] and usage.usage is not None
    assert all(chunk.choices for chunk in chunks)
    carrying = [i for i, chunk in enumerate(chunks) if (chunk.model_extra or {}).get("guardrail")]
    assert carrying == [len(chunks) - 1]
    assert chunks[-1].model_extra["guardrail"]["verdict"] == "block"
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert all(c.choices[0].finish_reason is None for c in chunks[:-1])
